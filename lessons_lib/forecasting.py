"""Multi-step forecasts built from a one-step model: the autoregressive roll-out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._checks import MAX_STEPS, check_array, check_callable, check_int


def rolling_forecast(
    predict: Callable[[np.ndarray], np.ndarray], window: np.ndarray, steps: int
) -> np.ndarray:
    """Forecast ``steps`` values by feeding each one-step prediction back into the window.

    ``predict`` maps windows shaped ``(n, w, 1)`` to predictions ``(n, 1)`` (for example
    ``lambda X: torch_models.predict(model, X)``); ``window`` is the last ``w`` observed values.
    Errors compound: each step sees the model's own earlier guesses, not the truth.
    """
    check_callable(predict, "predict", "lambda X: tm.predict(model, X)")
    current = check_array(window, "window", ndim=(1, 2), float32=True, expected="the last w observed values")
    if current.ndim == 2:
        if current.shape[1] != 1:
            raise ValueError(
                f"window has {current.shape[1]} features; rolling_forecast feeds predictions back "
                "into a univariate window, so pass shape (w,) or (w, 1)."
            )
        current = current[:, 0]
    if isinstance(steps, int | np.integer) and not isinstance(steps, bool) and steps > MAX_STEPS:
        raise ValueError(
            f"steps must be <= {MAX_STEPS:_} (one model call per step); got {steps:_}. Errors compound "
            "over a roll-out, so forecasts that long say nothing; roll out fewer steps."
        )
    steps = check_int(steps, "steps", maximum=MAX_STEPS)
    current = current.astype(np.float32).copy()
    out = np.empty(steps, dtype=np.float32)
    for k in range(steps):
        pred = check_array(
            predict(current[None, :, None]),
            "predict's output",
            allow_empty=True,
            allow_nan=True,
            float32=True,
        )
        if pred.ndim < 1 or pred.size < 1 or pred.shape[0] != 1:
            raise ValueError(
                f"predict returned shape {pred.shape} for one window; it must return (1, 1) "
                "(one window in, one next value out)."
            )
        if not np.isfinite(pred.reshape(-1)[0]):
            raise ValueError(
                f"predict returned {pred.reshape(-1)[0]} at step {k + 1}; a non-finite value would poison "
                "every later step. Check the model (a diverged model outputs NaN) before rolling it out."
            )
        out[k] = pred.reshape(-1)[0]
        current = np.append(current[1:], out[k])
    return out
