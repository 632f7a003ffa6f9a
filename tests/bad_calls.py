"""The one assertion of the bad-call tables: a clear ValueError/TypeError naming what was wrong."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

#: Words of a deep library error (NumPy, PyTorch, TensorFlow) or ANSI colour codes: never shown.
RAW = re.compile(
    r"ufunc|ambiguous|unpack|object is not|NoneType' object|input\.size|Matrix size|\x1b\[|Traceback"
)


def assert_clear_error(call: Callable[[], Any], error: type[BaseException], pattern: str) -> str:
    """``call()`` raises ``error`` (a ValueError or TypeError) matching ``pattern``, in one clean line."""
    assert issubclass(error, ValueError | TypeError)
    with pytest.raises(error, match=pattern) as info:
        call()
    assert isinstance(info.value, ValueError | TypeError)
    message = str(info.value)
    assert len(message) > 20 and "\n" not in message, message
    assert not RAW.search(message), message
    return message


def ids_unique(ids: list[str]) -> list[str]:
    """The ids that occur more than once (none, in a well-kept table)."""
    return sorted({i for i in ids if ids.count(i) > 1})
