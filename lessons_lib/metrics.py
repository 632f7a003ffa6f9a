"""Error metrics, and ``flatness``: the number that says a model outputs a constant."""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_int, check_same_shape


def _pair(pred: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = as_float_array(pred, "pred")
    t = as_float_array(target, "target")
    check_same_shape(p, t, "pred", "target")
    return p, t


def mse(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean squared error; shapes must match exactly (no silent broadcasting)."""
    p, t = _pair(pred, target)
    return float(np.mean((p - t) ** 2))


def mae(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean absolute error; shapes must match exactly."""
    p, t = _pair(pred, target)
    return float(np.mean(np.abs(p - t)))


def mase(pred: np.ndarray, target: np.ndarray, train_series: np.ndarray, period: int = 1) -> float:
    """MAE scaled by the in-sample MAE of the (seasonal) naive forecast on ``train_series``.

    Below 1: better than the naive forecast was on the training data.
    """
    p, t = _pair(pred, target)
    s = as_float_array(train_series, "train_series", ndim=1)
    period = check_int(period, "period")
    if len(s) <= period:
        raise ValueError(f"train_series has {len(s)} values; MASE needs more than period={period}.")
    scale = float(np.mean(np.abs(s[period:] - s[:-period])))
    if scale == 0:
        raise ValueError("train_series is constant at lag period; the MASE scale would be 0.")
    return float(np.mean(np.abs(p - t)) / scale)


def flatness(pred: np.ndarray, target: np.ndarray) -> float:
    """std(pred) / std(target): about 1 for a model that follows the target, 0 for a constant."""
    p, t = _pair(pred, target)
    spread = float(np.std(t))
    if spread == 0:
        raise ValueError("target is constant (std 0); flatness is undefined.")
    return float(np.std(p) / spread)
