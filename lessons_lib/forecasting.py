"""Multi-step forecasts built from a one-step model: the autoregressive roll-out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._checks import as_float_array, check_int


def rolling_forecast(
    predict: Callable[[np.ndarray], np.ndarray], window: np.ndarray, steps: int
) -> np.ndarray:
    """Forecast ``steps`` values by feeding each one-step prediction back into the window.

    ``predict`` maps windows shaped ``(n, w, 1)`` to predictions ``(n, 1)`` (for example
    ``lambda X: torch_models.predict(model, X)``); ``window`` is the last ``w`` observed values.
    Errors compound: each step sees the model's own earlier guesses, not the truth.
    """
    current = as_float_array(window, "window", ndim=(1, 2))
    if current.ndim == 2:
        if current.shape[1] != 1:
            raise ValueError(
                f"window has {current.shape[1]} features; rolling_forecast feeds predictions back "
                "into a univariate window, so pass shape (w,) or (w, 1)."
            )
        current = current[:, 0]
    steps = check_int(steps, "steps")
    current = current.astype(np.float32).copy()
    out = np.empty(steps, dtype=np.float32)
    for k in range(steps):
        pred = np.asarray(predict(current[None, :, None]), dtype=np.float32)
        if pred.size < 1 or pred.shape[0] != 1:
            raise ValueError(
                f"predict returned shape {pred.shape} for one window; it must return (1, 1) "
                "(one window in, one next value out)."
            )
        out[k] = pred.reshape(-1)[0]
        current = np.append(current[1:], out[k])
    return out
