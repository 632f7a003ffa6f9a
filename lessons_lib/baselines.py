"""Baselines every model must beat: naive, seasonal naive, window mean, drift, linear autoregression.

Every baseline is a class with ``fit(X, y)`` and ``predict(X)`` (``Naive``, ``SeasonalNaive``,
``Mean``, ``LinearAR``), so a lesson can loop over them; ``naive_forecast``, ``seasonal_naive``
and ``mean_forecast`` are one-line shortcuts for the rule-based ones; ``drift_forecast`` is FPP3's
drift method on a whole series (its slope runs from the first value to each origin).
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    NotFittedError,
    check_array,
    check_finite_result,
    check_horizon,
    check_int,
    check_same_length,
    check_windows,
)


def _windows(X: np.ndarray, target_col: int) -> np.ndarray:
    """The target column of windows ``X`` (n, window[, features]), as (n, window)."""
    arr = check_array(X, "X", ndim=(2, 3))
    if isinstance(target_col, bool | np.bool_) or not isinstance(target_col, int | np.integer):
        raise TypeError(f"target_col must be an integer column index such as 0; got {target_col!r:.40}.")
    n_features = arr.shape[2] if arr.ndim == 3 else 1
    if not -n_features <= target_col < n_features:
        shape = "(n, window, features)" if arr.ndim == 3 else "(n, window): one feature, so use target_col=0"
        raise ValueError(
            f"target_col {target_col} does not exist; X has "
            f"{n_features} feature(s), shape {arr.shape} {shape}."
        )
    if arr.ndim == 3:
        arr = arr[:, :, target_col]
    return arr


class Baseline:
    """One interface for every baseline: ``fit(X, y=None)`` returns the model, ``predict(X)``
    returns ``(n, horizon)``.

    ``X`` holds windows ``(n, window[, features])``; ``target_col`` says which feature is the
    target. The rule-based baselines (``Naive``, ``SeasonalNaive``, ``Mean``) learn nothing, so
    ``fit`` only takes the horizon from ``y`` when ``horizon`` was left at None (else 1); a
    ``horizon`` given when it was made must match ``y``'s.
    """

    def __init__(self, horizon: int | None = None, target_col: int = 0) -> None:
        self.horizon = None if horizon is None else check_int(horizon, "horizon")
        self.target_col = target_col
        self._horizon_given = horizon is not None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(horizon={self.horizon}, target_col={self.target_col})"

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> Baseline:
        """Check the windows; take the horizon from ``y`` (n[, horizon]) if none was given, else check it."""
        windows = _windows(X, self.target_col)
        if y is not None:
            target = check_array(y, "y", ndim=(1, 2))
            check_same_length(windows, target, "X", "y")
            check_horizon(target, "y", horizon=self.horizon if self._horizon_given else None)
            self.horizon = 1 if target.ndim == 1 else target.shape[1]
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The forecast for windows ``X``: shape (n, horizon)."""
        return self._predict(_windows(X, self.target_col), 1 if self.horizon is None else self.horizon)

    def _predict(self, w: np.ndarray, horizon: int) -> np.ndarray:
        raise NotImplementedError


class Naive(Baseline):
    """Repeat each window's last value over the horizon."""

    def _predict(self, w: np.ndarray, horizon: int) -> np.ndarray:
        return np.repeat(w[:, -1:], horizon, axis=1)


class SeasonalNaive(Baseline):
    """Predict the value one ``period`` earlier: step h gets ``x[t + h - period]``."""

    def __init__(self, period: int, horizon: int | None = None, target_col: int = 0) -> None:
        self.period = check_int(period, "period")
        super().__init__(horizon, target_col)

    def __repr__(self) -> str:
        return f"SeasonalNaive(period={self.period}, horizon={self.horizon}, target_col={self.target_col})"

    def _predict(self, w: np.ndarray, horizon: int) -> np.ndarray:
        if self.period > w.shape[1]:
            raise ValueError(
                f"period {self.period} is longer than the window ({w.shape[1]} steps); "
                "the window must hold at least one full period."
            )
        idx = [w.shape[1] - self.period + (h % self.period) for h in range(horizon)]
        return w[:, idx]


class Mean(Baseline):
    """Predict each window's mean for every step of the horizon."""

    def _predict(self, w: np.ndarray, horizon: int) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            means = w.mean(axis=1, keepdims=True)
        check_finite_result(float(np.abs(means).max()), "Mean: the window mean")
        return np.repeat(means, horizon, axis=1)


def naive_forecast(X: np.ndarray, horizon: int = 1, target_col: int = 0) -> np.ndarray:
    """``Naive(horizon, target_col).predict(X)``: each window's last value, shape (n, horizon)."""
    return Naive(horizon, target_col).predict(X)


def seasonal_naive(X: np.ndarray, period: int, horizon: int = 1, target_col: int = 0) -> np.ndarray:
    """``SeasonalNaive(period, horizon, target_col).predict(X)``."""
    return SeasonalNaive(period, horizon, target_col).predict(X)


def drift_forecast(series: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """FPP3's drift method from each origin T: ``y_T + h * (y_T - y_1) / (T - 1)``, shape (origins, horizon).

    ``series`` is 1-D and ``origins[i]`` is the number of values known (the forecast starts at
    ``series[origins[i]]``); the slope is the average change from the first value to the origin, so
    it uses nothing after the origin. Hyndman and Athanasopoulos, FPP3 section 5.2.
    """
    y = check_array(series, "series", ndim=1)
    horizon = check_int(horizon, "horizon")
    orig = np.asarray(origins)
    if orig.ndim != 1 or not np.issubdtype(orig.dtype, np.integer) or len(orig) == 0:
        raise ValueError(f"origins must be a non-empty 1-D array of integer positions; got {origins!r:.60}.")
    if orig.min() < 2 or orig.max() > len(y):
        raise ValueError(
            f"origins must lie in [2, len(series)={len(y)}]: the drift needs two known values; "
            f"got {orig.min()}..{orig.max()}."
        )
    last = y[orig - 1]
    slope = (last - y[0]) / (orig - 1)
    return last[:, None] + slope[:, None] * np.arange(1, horizon + 1)


def mean_forecast(X: np.ndarray, horizon: int = 1, target_col: int = 0) -> np.ndarray:
    """``Mean(horizon, target_col).predict(X)``: each window's mean, shape (n, horizon)."""
    return Mean(horizon, target_col).predict(X)


class LinearAR(Baseline):
    """Least-squares linear autoregression on the flattened window (every feature), with an intercept.

    ``predict`` takes windows of the length and features it was fitted on (windows (n, w) and
    (n, w, 1) are the same thing); another layout of the same size is refused, not reshuffled.
    """

    def __init__(self) -> None:
        super().__init__()
        self.coef_: np.ndarray | None = None
        self.window_shape_: tuple[int, int] | None = None

    def __repr__(self) -> str:
        return f"LinearAR({'unfitted' if self.coef_ is None else f'{len(self.coef_) - 1} lags'})"

    @staticmethod
    def _design(arr: np.ndarray) -> np.ndarray:
        flat = arr.reshape(len(arr), -1)
        return np.hstack([flat, np.ones((len(flat), 1))])

    @staticmethod
    def _layout(arr: np.ndarray) -> tuple[int, int]:
        """(window, features) of windows (n, window[, features])."""
        return int(arr.shape[1]), int(arr.shape[2]) if arr.ndim == 3 else 1

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> LinearAR:
        """Fit on training windows ``X`` (n, window[, features]) and targets ``y`` (n[, horizon])."""
        arr = check_array(X, "X", ndim=(2, 3))
        A = self._design(arr)
        if y is None:
            raise TypeError("LinearAR.fit needs targets: call .fit(X_train, y_train).")
        target = check_array(y, "y", ndim=(1, 2))
        check_same_length(A, target, "X", "y")
        with np.errstate(all="ignore"):
            try:
                coef, *_ = np.linalg.lstsq(A, target, rcond=None)
            except np.linalg.LinAlgError as err:
                raise ValueError(
                    f"LinearAR could not fit X and y ({err}); the "
                    f"values are probably too large: scale them first."
                ) from None
        check_finite_result(float(np.abs(coef).max()), "LinearAR.fit: the coefficients")
        self.coef_, self.window_shape_ = coef, self._layout(arr)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Forecast for windows shaped like the training windows."""
        if self.coef_ is None:
            raise NotFittedError("This LinearAR is not fitted yet; call .fit(X_train, y_train) first.")
        arr = check_array(X, "X", ndim=(2, 3))
        window, n_features = self.window_shape_ or self._layout(arr)
        check_windows(arr, "X", window=window, n_features=n_features, made="fitted on")
        A = self._design(arr)
        with np.errstate(all="ignore"):
            out = A @ self.coef_
        check_finite_result(float(np.abs(out).max()), "LinearAR.predict: the forecast")
        return out[:, None] if out.ndim == 1 else out
