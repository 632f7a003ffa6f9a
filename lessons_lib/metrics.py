"""Error metrics, and ``flatness``: the number that says a model outputs a constant."""

from __future__ import annotations

import numpy as np

from ._checks import check_array, check_finite_result, check_int, check_same_shape


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
