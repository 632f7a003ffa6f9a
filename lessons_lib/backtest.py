"""Rolling-origin backtests that refit: FPP3's time-series cross-validation and its fixed variant.

``refit_backtest`` calls a forecaster's fit-and-forecast function on the data known at an origin
every ``every`` origins (``every=1``: FPP3's tsCV, a refit at every origin; ``every`` as long as
the backtest: fitted once, parameters fixed, Tashman 2000). ``sarimax_backtest`` does the same for
a statsmodels SARIMAX with warm starts and returns its Gaussian prediction intervals.
statsmodels is imported only when ``sarimax_backtest`` is called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from ._checks import check_array, check_int

Forecaster = Callable[[int, np.ndarray], np.ndarray]


def check_origins(origins: Iterable[int], n: int, horizon: int) -> np.ndarray:
    """``origins`` as increasing integers, ``horizon`` values left after each, in a series of ``n``."""
    arr = np.asarray(list(origins) if not isinstance(origins, np.ndarray) else origins)
    if arr.ndim != 1 or len(arr) == 0 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"origins must be a non-empty 1-D array of integer positions; got {arr!r:.60}.")
    if np.any(np.diff(arr) <= 0) or arr[0] < 1 or arr[-1] + horizon > n:
        raise ValueError(
            f"origins must increase, start at 1 or later and leave horizon={horizon} values after the "
            f"last (the series has {n}); got {arr[0]}..{arr[-1]}."
        )
    return arr.astype(int)


def refit_backtest(
    forecast: Forecaster, n: int, origins: Iterable[int], horizon: int, every: int = 1
) -> np.ndarray:
    """Forecasts ``(len(origins), horizon)``, refitting every ``every`` origins.

    ``forecast(fit_end, block)`` must fit on ``series[:fit_end]`` (``fit_end`` is the first origin of
    ``block``) and return the forecasts from each origin ``o`` in ``block``, shape
    ``(len(block), horizon)``, using ``series[:o]`` only. ``n`` is the series' length.
    """
    if not callable(forecast):
        raise TypeError(
            f"forecast must be a function (fit_end, block) -> forecasts; got {type(forecast).__name__}."
        )
    horizon = check_int(horizon, "horizon")
    orig = check_origins(origins, check_int(n, "n"), horizon)
    every = check_int(every, "every")
    out = np.empty((len(orig), horizon))
    for start in range(0, len(orig), every):
        block = orig[start:start + every]
        pred = check_array(forecast(int(block[0]), block), "forecast(...)'s result", ndim=2)
        if pred.shape != (len(block), horizon):
            raise ValueError(
                f"forecast returned shape {pred.shape} for {len(block)} origins; it must return "
                f"({len(block)}, {horizon}): one row per origin, one column per horizon."
            )
        out[start:start + len(block)] = pred
    return out


def sarimax_backtest(
    series: np.ndarray,
    origins: Iterable[int],
    horizon: int,
    order: tuple[int, int, int],
    seasonal_order: tuple[int, int, int, int] = (0, 0, 0, 0),
    *,
    refit: bool = True,
    every: int = 1,
    levels: Iterable[float] = (0.8, 0.95),
) -> tuple[np.ndarray, dict[float, tuple[np.ndarray, np.ndarray]]]:
    """SARIMAX forecasts from each origin and their intervals: ``(mean, {level: (lower, upper)})``.

    ``refit=True`` re-estimates the parameters on ``series[:o]`` at every ``every``-th origin
    (warm-started from the previous fit; ``every=1`` is FPP3's tsCV) and between refits runs the
    filter over the data up to each origin; ``refit=False`` estimates them once on
    ``series[:origins[0]]`` and only runs the filter over later data.
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y = check_array(series, "series", ndim=1)
    horizon = check_int(horizon, "horizon")
    orig = check_origins(origins, len(y), horizon)
    every = check_int(every, "every")
    levels = [float(a) for a in levels]
    if any(not 0 < a < 1 for a in levels):
        raise ValueError(f"levels must lie strictly between 0 and 1, such as 0.8 and 0.95; got {levels}.")
    first = SARIMAX(y[: orig[0]], order=order, seasonal_order=seasonal_order).fit(disp=False)
    on_all, params = first.apply(y), first.params
    mean, bands = [], {a: ([], []) for a in levels}
    for k, o in enumerate(orig):
        if refit and k > 0 and k % every == 0:
            res = SARIMAX(y[:o], order=order, seasonal_order=seasonal_order)
            res = res.fit(start_params=params, disp=False)
            on_all, params = res.apply(y), res.params
        fc = on_all.get_prediction(start=o, end=o + horizon - 1, dynamic=0)  # uses y[:o] only
        mean.append(fc.predicted_mean)
        for a, (lo, hi) in bands.items():
            ci = np.asarray(fc.conf_int(alpha=1 - a))
            lo.append(ci[:, 0])
            hi.append(ci[:, 1])
    return np.array(mean), {a: (np.array(lo), np.array(hi)) for a, (lo, hi) in bands.items()}
