"""Input validation shared by every public function: messages name the argument, what it got, what to do."""

from __future__ import annotations

from typing import Any

import numpy as np


def as_float_array(
    value: Any,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    allow_empty: bool = False,
    finite: bool = True,
) -> np.ndarray:
    """Convert ``value`` to a float ndarray, checking rank, emptiness and finiteness."""
    if value is None:
        raise TypeError(f"{name} is None; expected an array of numbers.")
    if isinstance(value, str | bytes):
        raise TypeError(f"{name} is a string ({value!r:.40}); expected an array of numbers.")
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # a TF tensor
        value = value.numpy()
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} could not be read as numbers ({type(value).__name__}); "
            "expected a NumPy array or a list of floats."
        ) from exc
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(
                f"{name} must be {want}; got shape {arr.shape} ({arr.ndim}-D). "
                + _rank_hint(arr.ndim, allowed)
            )
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); expected at least one value.")
    if finite and not np.all(np.isfinite(arr)):
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(np.isinf(arr).sum())
        raise ValueError(
            f"{name} contains {n_nan} NaN and {n_inf} inf values; clean or impute them "
            "before windowing, scaling or training (e.g. np.nan_to_num or interpolation)."
        )
    return arr


def _rank_hint(got: int, allowed: tuple[int, ...]) -> str:
    if got > max(allowed):
        return "Squeeze the extra axes (e.g. arr.squeeze() or arr[..., 0])."
    return "Add the missing axes (e.g. arr[:, None] or arr.reshape(-1, 1))."


def check_int(value: Any, name: str, *, minimum: int = 1) -> int:
    """Check that ``value`` is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer; got {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}.")
    return int(value)


def check_fraction(value: Any, name: str) -> float:
    """Check that ``value`` is a number strictly between 0 and 1."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise TypeError(f"{name} must be a number in (0, 1); got {value!r}.")
    if not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1; got {value}.")
    return float(value)


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Refuse silent broadcasting: the two arrays must have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} has shape {a.shape} but {name_b} has shape {b.shape}; they must match. "
            "Broadcasting them would compare every prediction with every target, the bug that "
            "makes a model learn the mean. Reshape one of them (e.g. pred.reshape(target.shape))."
        )


def check_same_length(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """The two arrays must have the same number of rows (samples)."""
    if len(a) != len(b):
        raise ValueError(
            f"{name_a} has {len(a)} rows but {name_b} has {len(b)}; "
            "they must hold the same samples in the same order."
        )
