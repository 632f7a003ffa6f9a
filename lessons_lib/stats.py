"""The statistics a lesson's conclusions rest on: paired comparisons, floors, seed spreads.

- ``compare_forecasts`` / ``paired_difference``: two forecasts scored on the same targets share
  their noise, so the uncertainty of "A is better than B" is the standard error of the per-target
  loss differences (Diebold and Mariano 1995), with a Newey-West (Bartlett) long-run variance for
  the overlapping errors of multi-step forecasts (``lag = h - 1``).
- ``window_floor`` / ``window_weights``: the best MSE any linear predictor reaches from
  ``window`` noisy values of a series whose autocovariance is known, ``gamma(0) - g' Gamma^-1 g``
  (and that predictor's weights). The oracle floor, the noise variance, is reachable only by a
  model that knows the clean signal.
- ``sines_acov``: the autocovariance of a sum of sines (random phase) plus white noise.
- ``conformal_width``: split-conformal prediction intervals from held-out errors.
- ``spread`` / ``over_seeds``: a network's number as a median over seeds, with its range.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import numpy as np

from ._checks import check_array, check_choice, check_int, check_number, check_same_shape


class Paired(NamedTuple):
    """Mean of ``loss_a - loss_b`` over the shared targets, its standard error, ``n`` and ``lag``.

    Negative ``mean``: A has the lower loss. ``apart()`` says whether the difference exceeds
    ``z`` standard errors (2 by default, about a 95% two-sided test).
    """

    mean: float
    se: float
    n: int
    lag: int

    def apart(self, z: float = 2.0) -> bool:
        """True when ``|mean| > z * se``: the two forecasts can be told apart on these targets."""
        z = check_number(z, "z", minimum=0.0, strict=True)
        return abs(self.mean) > z * self.se

    def __str__(self) -> str:
        return f"{self.mean:+.3g} ± {2 * self.se:.2g} (2 SE, paired, n={self.n}, lag={self.lag})"


def long_run_variance(d: np.ndarray, lag: int = 0) -> float:
    """Newey-West long-run variance of ``d``: autocovariances to ``lag`` with Bartlett weights."""
    x = check_array(d, "d", ndim=1)
    lag = check_int(lag, "lag", minimum=0, maximum=max(len(x) - 1, 0))
    x = x - x.mean()
    n = len(x)
    value = float(x @ x) / n
    for k in range(1, lag + 1):
        value += 2 * (1 - k / (lag + 1)) * float(x[k:] @ x[:-k]) / n
    return max(value, 0.0)


def paired_difference(loss_a: np.ndarray, loss_b: np.ndarray, lag: int = 0) -> Paired:
    """Mean of ``loss_a - loss_b`` (per-target losses of two forecasts) and its standard error.

    ``lag=0`` treats the differences as independent; use ``lag = h - 1`` for h-step forecasts
    from consecutive origins, whose errors overlap. Same as statsmodels' OLS on a constant with
    ``cov_type="HAC"`` (``maxlags=lag``, no small-sample correction).
    """
    a = check_array(loss_a, "loss_a", ndim=1)
    b = check_array(loss_b, "loss_b", ndim=1)
    check_same_shape(a, b, "loss_a", "loss_b")
    if len(a) < 2:
        raise ValueError(f"loss_a has {len(a)} value; a standard error needs at least 2 targets.")
    d = a - b
    lag = check_int(lag, "lag", minimum=0, maximum=len(d) - 1)
    se = float(np.sqrt(long_run_variance(d, lag) / len(d)))
    return Paired(float(d.mean()), se, len(d), lag)


_LOSSES: dict[str, Callable[[np.ndarray], np.ndarray]] = {"squared": np.square, "absolute": np.abs}


def compare_forecasts(
    pred_a: Any, pred_b: Any, target: Any, *, loss: str = "squared", lag: int = 0
) -> Paired:
    """Paired comparison of two forecasts of the same ``target``: loss(A) - loss(B), with its SE.

    ``loss`` is ``"squared"`` (an MSE difference) or ``"absolute"`` (an MAE difference); arrays of
    any matching shape are flattened in order, so keep consecutive origins consecutive for ``lag``.
    """
    a = check_array(pred_a, "pred_a")
    b = check_array(pred_b, "pred_b")
    t = check_array(target, "target")
    check_same_shape(a, t, "pred_a", "target")
    check_same_shape(b, t, "pred_b", "target")
    fn = _LOSSES[check_choice(loss, "loss", _LOSSES)]
    return paired_difference(fn(a - t).ravel(), fn(b - t).ravel(), lag=lag)


def sines_acov(
    amplitudes: Iterable[float], frequencies: Iterable[float], noise: float, lags: int
) -> np.ndarray:
    """Autocovariance at lags ``0..lags`` of ``sum a_i sin(w_i t + phase_i) + N(0, noise**2)``.

    Each sine with a uniformly random phase contributes ``a**2 / 2 * cos(w k)``; the white noise
    adds ``noise**2`` at lag 0. ``frequencies`` are in radians per step.
    """
    amps = check_array(list(amplitudes), "amplitudes", ndim=1)
    freqs = check_array(list(frequencies), "frequencies", ndim=1)
    check_same_shape(amps, freqs, "amplitudes", "frequencies")
    sd = check_number(noise, "noise", minimum=0.0)
    lags = check_int(lags, "lags", minimum=0)
    k = np.arange(lags + 1)
    acov = (amps[:, None] ** 2 / 2 * np.cos(freqs[:, None] * k)).sum(axis=0)
    acov[0] += sd**2
    return acov


def _window_system(
    acov: Any, window: int, horizon: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked ``gamma``, the window's covariance ``Gamma`` and ``g``, its covariance with the target."""
    gamma = check_array(acov, "acov", ndim=1)
    window = check_int(window, "window")
    horizon = check_int(horizon, "horizon")
    need = window + horizon
    if len(gamma) < need:
        raise ValueError(
            f"acov has {len(gamma)} lags; window={window} and horizon={horizon} need {need} "
            f"(lags 0..{need - 1}). Pass more lags, e.g. sines_acov(..., lags={need - 1})."
        )
    if gamma[0] <= 0:
        raise ValueError(f"acov[0] is the variance and must be > 0; got {gamma[0]}.")
    idx = np.arange(window)
    return gamma, gamma[np.abs(idx[:, None] - idx[None, :])], gamma[horizon + idx]


def window_weights(acov: Any, window: int, horizon: int = 1) -> np.ndarray:
    """The best linear forecast's weights on a window, oldest value first: ``window_values @ w``.

    The forecaster behind ``window_floor``: ``Gamma^-1 g`` for a zero-mean series with
    autocovariance ``acov``, predicting ``horizon`` steps past the window's last value.
    """
    _, cov, g = _window_system(acov, window, horizon)
    return np.linalg.lstsq(cov, g, rcond=None)[0][::-1]


def window_floor(acov: Any, window: int, horizon: int = 1) -> float:
    """The lowest MSE of a linear forecast ``horizon`` steps ahead from the last ``window`` values.

    ``acov`` holds the autocovariance at lags ``0, 1, ...`` (at least ``window + horizon``):
    the floor is ``gamma(0) - g' Gamma^-1 g`` with ``Gamma`` the window's covariance and ``g`` its
    covariance with the target. For a Gaussian series no forecaster from those values does better.
    """
    gamma, _, g = _window_system(acov, window, horizon)
    coef = window_weights(gamma, window, horizon)[::-1]
    return float(max(gamma[0] - g @ coef, 0.0))


class Spread(NamedTuple):
    """A number measured over several seeds: the median, the lowest, the highest, and ``values``."""

    median: float
    low: float
    high: float
    values: tuple[float, ...]

    def __str__(self) -> str:
        return f"{self.median:.3g} (range {self.low:.3g}-{self.high:.3g}, {len(self.values)} seeds)"


def spread(values: Iterable[float]) -> Spread:
    """The median and range of one number measured under several seeds."""
    arr = check_array(list(values), "values", ndim=1)
    return Spread(float(np.median(arr)), float(arr.min()), float(arr.max()), tuple(map(float, arr)))


def over_seeds(fn: Callable[[int], float], seeds: Iterable[int] = (0, 1, 2)) -> Spread:
    """Call ``fn(seed)`` for each seed (a training run that returns one number); their spread."""
    if not callable(fn):
        raise TypeError(
            f"fn must be a function of the seed, such as lambda s: run(s); got {type(fn).__name__}."
        )
    seeds = [check_int(s, "seeds", minimum=0) for s in seeds]
    if not seeds:
        raise ValueError("seeds is empty; pass at least one seed, e.g. (0, 1, 2).")
    return spread(float(fn(s)) for s in seeds)


def conformal_width(errors: Any, level: float) -> np.ndarray:
    """Split-conformal half-width per column: the ``ceil((n + 1) level)``-th smallest ``|error|``.

    ``errors`` (n, horizons) are forecast errors on a calibration block the model was not fitted
    on; ``pred -/+ width`` then covers a new target with probability at least ``level`` when the
    errors are exchangeable (Vovk et al. 2005; Angelopoulos and Bates 2023, section 1).
    """
    e = np.abs(check_array(errors, "errors", ndim=(1, 2)))
    e = e[:, None] if e.ndim == 1 else e
    level = check_number(level, "level", minimum=0.0, strict=True)
    k = int(np.ceil((len(e) + 1) * level))
    if level >= 1 or k > len(e):
        raise ValueError(
            f"level {level} needs at least {k} calibration errors per column, errors has {len(e)}; "
            "pass more errors or a lower level."
        )
    return np.sort(e, axis=0)[k - 1]
