"""Multi-step forecasts built from a one-step model: the autoregressive roll-out."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np

from ._checks import MAX_STEPS, check_array, check_callable, check_int

#: Where a framework model's class comes from -> the backend whose ``predict`` runs it.
_FRAMEWORKS = {"torch": "torch", "keras": "keras", "tensorflow": "keras"}


def _as_function(predict: object) -> Callable[[np.ndarray], object]:
    """``predict`` as a function of windows: a PyTorch or Keras model goes through its backend's predict."""
    check_callable(predict, "predict", "lambda X: tm.predict(model, X)")
    roots = {cls.__module__.split(".")[0] for cls in type(predict).__mro__}
    backend = next((_FRAMEWORKS[r] for r in roots if r in _FRAMEWORKS), None)
    if backend is not None:
        from .backends import load_backend

        module = load_backend(backend)
        return lambda X: module.predict(predict, X)
    try:
        inspect.signature(predict).bind(np.zeros((1, 1, 1)))
    except TypeError as err:
        raise TypeError(
            f"predict must take one argument, the windows (1, w, 1), and return (1, 1); "
            f"{getattr(predict, '__name__', type(predict).__name__)} cannot be called that way "
            f"({err}). Wrap it, e.g. lambda X: f(model, X)."
        ) from None
    except ValueError:  # no signature to read (some built-ins): try it
        pass
    return predict


def _one_value(output: object, k: int, steps: int) -> float:
    """The single next value in ``predict``'s output at step ``k``; anything else is refused."""
    if isinstance(output, tuple):
        raise ValueError(
            f"predict returned a tuple of {len(output)} outputs at step {k} of {steps}; it must "
            "return one array (1, 1). Return only the forecast, e.g. lambda X: f(X)[0]."
        )
    pred = check_array(output, "predict's output", allow_empty=True, allow_nan=True, float32=True)
    if pred.ndim < 1 or pred.shape[0] != 1 or pred.size != 1:
        raise ValueError(
            f"predict returned shape {pred.shape} for one window at step {k} of {steps}; it must "
            "return (1, 1): one window in, one next value out. A model with horizon > 1 forecasts "
            "its steps directly (no roll-out needed); to roll out its first step anyway, say so: "
            "lambda X: f(X)[:, :1]."
        )
    value = pred.reshape(-1)[0]
    if not np.isfinite(value):
        raise ValueError(
            f"predict returned {value} at step {k}; a non-finite value would poison "
            "every later step. Check the model (a diverged model outputs NaN) before rolling it out."
        )
    return float(value)


def rolling_forecast(
    predict: Callable[[np.ndarray], np.ndarray], window: np.ndarray, steps: int
) -> np.ndarray:
    """Forecast ``steps`` values by feeding each one-step prediction back into the window.

    ``predict`` maps windows shaped ``(n, w, 1)`` to predictions ``(n, 1)`` (for example
    ``lambda X: torch_models.predict(model, X)``); a PyTorch or Keras model may be passed
    itself (it runs through its backend's ``predict``). ``window`` is the last ``w`` observed
    values. An error inside ``predict`` is re-raised with the step it happened at.
    Errors compound: each step sees the model's own earlier guesses, not the truth.
    """
    predict = _as_function(predict)
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
        windows = current[None, :, None]
        try:
            output = predict(windows)
        except Exception as err:  # noqa: BLE001  (re-raised with the step, never swallowed)
            kind = TypeError if isinstance(err, TypeError) else ValueError
            raise kind(
                f"predict failed at step {k + 1} of {steps}, given one window of shape "
                f"{windows.shape}: {type(err).__name__}: {err}".replace("\n", " ")
            ) from err
        out[k] = _one_value(output, k + 1, steps)
        current = np.append(current[1:], out[k])
    return out
