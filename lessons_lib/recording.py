"""``record``: a lesson's key numbers, collected by the benchmark (``python -m lessons_lib.bench``)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

ENV_VAR = "LESSONS_BENCH_FILE"
_recorded: dict[str, Any] = {}


def record(name: str, value: Any) -> None:
    """Record a lesson's key number for the benchmark table; returns nothing (a bare call prints nothing).

    Outside a benchmark run it only remembers the value (see ``recorded()``).
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be an identifier-like string such as 'val_mse'; got {name!r}.")
    _recorded[name] = _jsonable(value, name)
    path = os.environ.get(ENV_VAR)
    if path:
        Path(path).write_text(json.dumps(_recorded, indent=1))


def recorded() -> dict[str, Any]:
    """What this kernel has recorded so far."""
    return dict(_recorded)


def _jsonable(value: Any, name: str) -> Any:
    if hasattr(value, "item") and getattr(value, "size", 1) == 1:  # numpy / torch scalars
        value = value.item()
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v, name) for v in value]
    raise TypeError(
        f"record({name!r}, ...) takes numbers, strings or lists of them; got {type(value).__name__}."
    )
