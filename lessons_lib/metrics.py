"""Error metrics, and ``flatness``: the number that says a model outputs a constant."""

from __future__ import annotations

import numpy as np

from ._checks import check_array, check_finite_result, check_int, check_number, check_same_shape


def _pair(pred: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = check_array(pred, "pred")
    t = check_array(target, "target")
    check_same_shape(p, t, "pred", "target")
    return p, t


def mse(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean squared error; shapes must match exactly (no silent broadcasting)."""
    p, t = _pair(pred, target)
    with np.errstate(over="ignore", invalid="ignore"):
        value = float(np.mean((p - t) ** 2))
    return check_finite_result(value, "mse")


def mae(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean absolute error; shapes must match exactly."""
    p, t = _pair(pred, target)
    with np.errstate(over="ignore", invalid="ignore"):
        value = float(np.mean(np.abs(p - t)))
    return check_finite_result(value, "mae")


def mase(pred: np.ndarray, target: np.ndarray, train_series: np.ndarray, period: int = 1) -> float:
    """MAE scaled by the in-sample MAE of the (seasonal) naive forecast on ``train_series``.

    Below 1: better than the naive forecast was on the training data.
    """
    p, t = _pair(pred, target)
    s = check_array(train_series, "train_series", ndim=1)
    period = check_int(period, "period")
    if len(s) <= period:
        raise ValueError(f"train_series has {len(s)} values; MASE needs more than period={period}.")
    with np.errstate(over="ignore", invalid="ignore"):
        scale = float(np.mean(np.abs(s[period:] - s[:-period])))
        check_finite_result(scale, "mase: the naive forecast's error on train_series")
        if scale == 0:
            raise ValueError(
                "train_series is constant at lag period; the MASE scale would be 0. "
                "Use a series that varies, or another metric (mae)."
            )
        value = float(np.mean(np.abs(p - t)) / scale)
    return check_finite_result(value, "mase")


def flatness(pred: np.ndarray, target: np.ndarray) -> float:
    """std(pred) / std(target): about 1 for a model that follows the target, 0 for a constant."""
    p, t = _pair(pred, target)
    with np.errstate(over="ignore", invalid="ignore"):
        spread = check_finite_result(float(np.std(t)), "flatness: the std of target")
        if spread == 0:
            raise ValueError(
                "target is constant (std 0); flatness is "
                "undefined. Compare against a target that varies."
            )
        value = float(np.std(p) / spread)
    return check_finite_result(value, "flatness")


def winkler_score(lower: np.ndarray, upper: np.ndarray, target: np.ndarray, level: float) -> float:
    """Mean interval (Winkler) score of ``level`` intervals: width, plus 2/alpha times each miss.

    ``alpha = 1 - level``; a target below ``lower`` adds ``2/alpha * (lower - target)``, one above
    ``upper`` adds ``2/alpha * (target - upper)`` (Gneiting and Raftery 2007; FPP3 5.9). Lower is
    better, and unlike coverage it cannot be won by widening the intervals.
    """
    lo, t = _pair(lower, target)
    hi, _ = _pair(upper, target)
    level = float(check_number(level, "level"))
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, such as 0.8; got {level}.")
    if np.any(hi < lo):
        raise ValueError("upper is below lower for some targets; pass the bounds in that order.")
    alpha = 1 - level
    miss = np.maximum(lo - t, 0) + np.maximum(t - hi, 0)
    return check_finite_result(float(np.mean(hi - lo + 2 / alpha * miss)), "winkler_score")


def coverage(
    lower: np.ndarray, upper: np.ndarray, target: np.ndarray, axis: int | None = None
) -> np.ndarray | float:
    """Share of targets inside ``[lower, upper]`` (bounds included); per ``axis`` when given."""
    lo, t = _pair(lower, target)
    hi, _ = _pair(upper, target)
    inside = (t >= lo) & (t <= hi)
    return float(inside.mean()) if axis is None else inside.mean(axis=axis)
