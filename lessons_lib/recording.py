"""``record``: a lesson's key numbers, collected by the benchmark (``python -m tools.bench``)."""

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
    if not isinstance(name, str):
        raise TypeError(f"name must be a string such as 'val_mse'; got {name!r:.40} ({type(name).__name__}).")
    if not name.isidentifier():
        raise ValueError(f"name must be an identifier-like string such as 'val_mse'; got {name!r:.60}.")
    _recorded[name] = _jsonable(value, name)
    path = os.environ.get(ENV_VAR)
    if path:
        Path(path).write_text(json.dumps(_recorded, indent=1))


def recorded() -> dict[str, Any]:
    """What this kernel has recorded so far."""
    return dict(_recorded)


#: How deeply lists may nest in a recorded value.
MAX_DEPTH = 10


def _jsonable(value: Any, name: str, depth: int = 0) -> Any:
    """``value`` as JSON-ready data: numbers (NaN/inf as strings), strings, None and lists of them."""
    if depth > MAX_DEPTH:
        raise ValueError(
            f"record({name!r}, ...): the value nests lists "
            f"more than {MAX_DEPTH} deep; record a flat list."
        )
    if hasattr(value, "item") and getattr(value, "size", 1) == 1:  # numpy / torch scalars
        value = value.item()
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v, name, depth + 1) for v in value]
    raise TypeError(
        f"record({name!r}, ...) takes numbers, strings or lists of them; got {type(value).__name__}. "
        "Convert it first, e.g. float(x) or list(arr) or arr.tolist()."
    )
