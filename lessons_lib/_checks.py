"""Input validation shared by every public function: messages name the argument, what it got, what to do.

Modelled on scikit-learn's ``check_array``: every public entry point converts and checks its
arguments here, so bad input raises a ``TypeError`` (wrong kind of thing) or a ``ValueError``
(right kind, impossible value) before any computation, never a NumPy internal error, a hang or
a silently wrong number.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

#: The longest series, and the largest count of windows, steps or epochs, the course accepts.
MAX_LENGTH = 10_000_000
#: The most steps ``rolling_forecast`` rolls out (one model call per step).
MAX_STEPS = 100_000
#: The largest magnitude a float32 can hold; arrays cast to float32 must stay below it.
FLOAT32_MAX = float(np.finfo(np.float32).max)


class NotFittedError(ValueError, AttributeError):
    """A scaler or model was used before ``fit`` (a ``ValueError``, as in scikit-learn)."""


def _describe(value: Any) -> str:
    """A short one-line ``repr`` of ``value`` with its type, for error messages."""
    text = " ".join(repr(value).split())
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _to_numpy(value: Any) -> Any:
    """Torch and TensorFlow tensors to NumPy; anything else unchanged."""
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach") and hasattr(value, "cpu") and hasattr(value, "numpy"):  # torch
        return value.detach().cpu().numpy()
    if hasattr(value, "numpy") and callable(value.numpy) and hasattr(value, "dtype"):  # TF tensor
        return value.numpy()
    return value


_KIND_PROBLEMS = {
    "U": "strings",
    "S": "bytes (strings)",
    "b": "booleans (True/False)",
    "c": "complex numbers",
    "m": "time deltas",
    "M": "dates",
    "V": "structured records",
}


def _element_problem(el: Any) -> str | None:
    """Why one element of an object array is not a real number (None when it is one)."""
    if el is None:
        return "None"
    if isinstance(el, str | bytes):
        return f"strings ({el!r:.30})"
    if isinstance(el, bool | np.bool_):
        return f"booleans ({el})"
    if isinstance(el, complex | np.complexfloating):
        return f"complex numbers ({el})"
    if not isinstance(el, numbers.Real):
        return f"a {type(el).__name__}"
    return None


def _fix_for(problem: str) -> str:
    """What to do about the non-numeric content ``problem`` names."""
    if "string" in problem:
        return "Strings are not numbers: convert them explicitly, e.g. [float(v) for v in values]."
    if problem.startswith("complex"):
        return "Pass the part you mean explicitly, e.g. x.real or np.abs(x)."
    if problem.startswith("boolean"):
        return "Convert explicitly with x.astype(float) if you mean 0 and 1."
    if problem == "None":
        return "Fill in the missing values first."
    return "Convert it to a NumPy array of floats, with every row the same length."


def _as_float64(value: Any, name: str) -> np.ndarray:
    """``value`` as a float64 array, or a message naming what in it is not a real number."""
    if value is None:
        raise TypeError(f"{name} is None; expected an array of numbers (a NumPy array or a list of floats).")
    if isinstance(value, str | bytes):
        raise TypeError(
            f"{name} is a string ({value!r:.40}); expected an array of numbers. Strings are not "
            "numbers: convert them explicitly, e.g. np.array([float(v) for v in values])."
        )
    if isinstance(value, dict | set | frozenset):
        raise TypeError(
            f"{name} is a {type(value).__name__}; expected an array of numbers in a fixed order "
            "(a NumPy array or a list)."
        )
    if isinstance(value, np.ma.MaskedArray):
        value = _unmasked(value, name)
    try:
        value = _to_numpy(value)
        raw = np.asarray(value)
    except ValueError as exc:
        raise ValueError(
            f"{name} is ragged: its rows have different lengths ({exc}). Every row must have the "
            "same length; pad or cut them, or pass one array."
        ) from None
    except (TypeError, RuntimeError) as exc:
        raise TypeError(f"{name} could not be read as an array ({_describe(value)}): {exc}") from None
    problem = _KIND_PROBLEMS.get(raw.dtype.kind)
    if problem is not None and raw.size:
        first = raw.flat[0]
        problem += f" (such as {first.item() if isinstance(first, np.generic) else first!r:.30})"
    if raw.dtype.kind == "O":
        for el in raw.flat:
            problem = _element_problem(el)
            if problem is not None:
                break
    if problem is not None:
        raise TypeError(f"{name} holds {problem}; expected real numbers. {_fix_for(problem)}")
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            arr = raw.astype(np.float64, copy=False)
    except OverflowError:
        raise ValueError(
            f"{name} holds an integer too large for a float (the limit is about 1.8e308); rescale it."
        ) from None
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} could not be read as numbers ({_describe(value)}): {exc}") from None
    return arr


def check_array(
    value: Any,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    allow_empty: bool = False,
    allow_nan: bool = False,
    float32: bool = False,
    expected: str = "",
) -> np.ndarray:
    """Convert ``value`` to a float64 ndarray, refusing anything that is not plainly real numbers.

    Strings, booleans, complex numbers, ``None`` and ragged lists raise ``TypeError``/``ValueError``
    instead of being coerced; ``ndim`` checks the rank, ``allow_empty`` and ``allow_nan`` relax
    the checks for empty arrays and NaN/inf, and ``float32`` refuses values a float32 cannot hold.
    ``expected`` describes the expected shape in words, for the rank error.
    """
    arr = _as_float64(value, name)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(
                f"{name} must be {want}{f' ({expected})' if expected else ''}; got shape {arr.shape} "
                f"({arr.ndim}-D). " + _rank_hint(arr.ndim, allowed)
            )
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); expected at least one value.")
    if not allow_nan and not np.all(np.isfinite(arr)):
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(np.isinf(arr).sum())
        raise ValueError(
            f"{name} contains {n_nan} NaN and {n_inf} inf values; clean or impute them "
            "before windowing, scaling or training (e.g. np.nan_to_num or interpolation)."
        )
    if float32 and arr.size:
        finite = arr[np.isfinite(arr)] if allow_nan else arr
        if finite.size and (largest := float(np.abs(finite).max())) > FLOAT32_MAX:
            raise ValueError(
                f"{name} holds values beyond float32's range (about 3.4e38; largest here {largest:.3g}); "
                "they would become inf. Rescale the data first."
            )
    return arr


def _unmasked(value: np.ma.MaskedArray, name: str) -> np.ndarray:
    """A masked array's data when nothing is masked; masked values would be used as if present."""
    n_masked = int(np.ma.count_masked(value))
    if n_masked:
        raise ValueError(
            f"{name} is a masked array with {n_masked} masked value(s); the library would use the "
            "values hidden under the mask. Fill or drop them first, e.g. arr.filled(np.nan) then "
            "impute, or arr.compressed() for a 1-D series."
        )
    return np.ma.getdata(value)


def as_float_array(
    value: Any,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    allow_empty: bool = False,
    finite: bool = True,
) -> np.ndarray:
    """The older name of ``check_array`` (``finite=False`` is ``allow_nan=True``)."""
    return check_array(value, name, ndim=ndim, allow_empty=allow_empty, allow_nan=not finite)


def _rank_hint(got: int, allowed: tuple[int, ...]) -> str:
    if got > max(allowed):
        return "Squeeze the extra axes (e.g. arr.squeeze() or arr[..., 0])."
    return "Add the missing axes (e.g. arr[:, None] or arr.reshape(-1, 1))."


def check_int(value: Any, name: str, *, minimum: int = 1, maximum: int | None = MAX_LENGTH) -> int:
    """Check that ``value`` is an integer (not a bool or a float) in ``[minimum, maximum]``."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(
            f"{name} must be an integer; got {_describe(value)}."
            + (" Use int(...) if you mean a whole number." if isinstance(value, float | np.floating) else "")
        )
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum:_}; got {value:_}. Use a smaller value.")
    return int(value)


def check_number(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
    allow_none: bool = False,
) -> float | None:
    """Check that ``value`` is a finite real number (not a bool, string or complex) within bounds.

    ``strict`` makes ``minimum`` exclusive; ``allow_none`` lets ``None`` through unchanged.
    """
    if value is None:
        if allow_none:
            return None
        raise TypeError(f"{name} is None; expected a number.")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a number; got the boolean {value}.")
    if isinstance(value, complex | np.complexfloating):
        raise TypeError(f"{name} must be a real number; got the complex number {value}.")
    if not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {_describe(value)}.")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(
            f"{name} is too large to be a float; got "
            f"an integer of {len(str(value))} digits."
        ) from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number; got {value}.")
    if minimum is not None and (number <= minimum if strict else number < minimum):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {minimum}; got {value}.")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be <= {maximum}; got {value}.")
    return number


def check_fraction(value: Any, name: str) -> float:
    """Check that ``value`` is a number strictly between 0 and 1."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in (0, 1); got {_describe(value)}.")
    if not 0 < value < 1 or not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1; got {str(value)[:40]}.")
    return float(value)


def check_seed(value: Any, name: str = "seed") -> int:
    """Check that ``value`` is an integer seed in ``[0, 2**32 - 1]`` (NumPy's range)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be a non-negative integer such as 42; got {_describe(value)}.")
    if not 0 <= value < 2**32:
        raise ValueError(f"{name} must be a non-negative integer such as 42, below 2**32; got {value}.")
    return int(value)


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """Check that ``value`` is one of the strings ``choices``."""
    allowed = tuple(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {allowed} (a string); got {_describe(value)}.")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}.")
    return value


def check_str(value: Any, name: str) -> str:
    """Check that ``value`` is a string."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string; got {_describe(value)}.")
    return value


def check_bool(value: Any, name: str) -> bool:
    """Check that ``value`` is True or False (not 0, 1 or a string)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False; got {_describe(value)}.")
    return bool(value)


def check_callable(value: Any, name: str, example: str = "") -> Callable[..., Any]:
    """Check that ``value`` can be called."""
    if not callable(value):
        hint = f" such as {example}" if example else ""
        raise TypeError(f"{name} must be a function{hint}; got {_describe(value)}.")
    return value


def check_shape(value: Any, name: str) -> tuple[int, ...]:
    """Check that ``value`` is a shape: a tuple or list of non-negative integers."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError(
            f"{name} must be a shape such as (32, 1) (a "
            f"tuple of integers); got {_describe(value)}."
        )
    dims = tuple(value)
    for d in dims:
        if isinstance(d, bool | np.bool_) or not isinstance(d, int | np.integer) or d < 0:
            raise TypeError(
                f"{name} must be a shape such as (32, 1), a tuple of non-negative integers; "
                f"got {dims!r:.60}. Pass the real output shape, e.g. tuple(out.shape)."
            )
    return tuple(int(d) for d in dims)


def _shape_of(value: Any, name: str) -> tuple[int, ...]:
    """A tuple is a shape (checked as one); anything else, lists included, is an array."""
    if isinstance(value, tuple):
        return check_shape(value, name)
    return tuple(np.shape(value))


def check_same_shape(a: Any, b: Any, name_a: str, name_b: str, where: str = "") -> None:
    """Refuse silent broadcasting: two arrays (or two shapes) must have the same shape.

    The one shape check of the library: metrics, ``fit`` and ``evaluate`` all raise this message.
    ``a`` and ``b`` are arrays (lists included: ``[1.0, 2.0]`` has shape ``(2,)``) or shapes given
    as tuples of integers (``torch.Size`` is one); ``where`` (e.g. "fit") prefixes the message.
    """
    for label, text in (("name_a", name_a), ("name_b", name_b), ("where", where)):
        check_str(text, label)
    shape_a, shape_b = _shape_of(a, name_a), _shape_of(b, name_b)
    if shape_a != shape_b:
        prefix = f"{where}: " if where else ""
        raise ValueError(
            f"{prefix}{name_a} has shape {shape_a} but {name_b} has shape {shape_b}; they must match. "
            "Broadcasting them would compare every prediction with every target, the bug that "
            "makes a model learn the mean. Make the model output one value per target step, or "
            "reshape one of them (e.g. pred.reshape(target.shape))."
        )


def check_windows(
    X: np.ndarray, name: str, *, window: int | None, n_features: int | None, made: str = "built for"
) -> None:
    """Windows ``X`` (n, window[, features]) must be what a model was built (or fitted) for.

    The one check of window length and features per step: every backend's model and
    ``LinearAR`` raise this message. ``None`` accepts any length or feature count.
    """
    steps, feats = int(X.shape[1]), int(X.shape[2]) if X.ndim == 3 else 1
    again = "fit it again on these windows"
    if window is not None and steps != window:
        redo = f"build a model for window={steps}" if made == "built for" else again
        raise ValueError(
            f"{name} has windows of {steps} steps; this model was {made} window={window}. Cut "
            f"windows of {window} steps (e.g. ll.sliding_windows(series, {window})), or {redo}."
        )
    if n_features is not None and feats != n_features:
        redo = f"build a model with n_features={feats}" if made == "built for" else again
        raise ValueError(
            f"{name} has {feats} feature(s) per step; this model was {made} n_features={n_features}. "
            f"Pass windows shaped (n, {window or 'window'}, {n_features}) (choose the columns with "
            f"ll.sliding_windows(..., inputs=[...])), or {redo}."
        )


def check_horizon(y: np.ndarray, name: str, *, horizon: int | None) -> None:
    """Targets ``y`` (n, horizon) must have the horizon a model was built for (None: any)."""
    got = int(y.shape[1]) if y.ndim == 2 else 1
    if horizon is not None and got != horizon:
        raise ValueError(
            f"{name} has {got} target value(s) per window; this model was built for "
            f"horizon={horizon}. Cut targets with horizon={horizon} (ll.sliding_windows(series, "
            f"window, {horizon})), or build a model for horizon={got}."
        )


def check_same_length(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """The two arrays must have the same number of rows (samples)."""
    if len(a) != len(b):
        raise ValueError(
            f"{name_a} has {len(a)} rows but {name_b} has {len(b)}; "
            "they must hold the same samples in the same order."
        )


def check_finite_result(value: float, what: str) -> float:
    """A computed number must be finite; if not, the inputs were too large to compute with."""
    if not math.isfinite(value):
        raise ValueError(
            f"{what} overflowed to {value}: the inputs are too large to compute with in floating "
            "point. Scale the data (e.g. with ll.Scaler) first."
        )
    return value
