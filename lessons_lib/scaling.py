"""Scaling fitted on training data only: min-max to a range, or standardisation."""

from __future__ import annotations

import numpy as np

from ._checks import NotFittedError, check_array, check_choice, check_number


class Scaler:
    """Min-max (to ``feature_range``, default [-1, 1]) or standard scaling, one set of statistics.

    ``feature_range`` must be wide enough to hold float32 values apart (width at least 1e-3 of
    its magnitude); standard scaling ignores it.

    Fit it on the training part only: statistics taken from the whole series leak the
    validation period's range into training.
    """

    KINDS = ("minmax", "standard")

    def __init__(self, kind: str = "minmax", feature_range: tuple[float, float] = (-1.0, 1.0)):
        check_choice(kind, "kind", self.KINDS)
        if isinstance(feature_range, str | bytes) or not isinstance(feature_range, tuple | list | np.ndarray):
            raise TypeError(
                f"feature_range must be a pair (low, high) such as (-1.0, 1.0); got {feature_range!r:.40} "
                f"({type(feature_range).__name__})."
            )
        if len(feature_range) != 2:
            raise ValueError(
                f"feature_range must be a pair (low, high) such as "
                f"(-1.0, 1.0); got {len(feature_range)} values."
            )
        lo = check_number(feature_range[0], "feature_range[0] (low)", minimum=-1e300, maximum=1e300)
        hi = check_number(feature_range[1], "feature_range[1] (high)", minimum=-1e300, maximum=1e300)
        if not lo < hi:
            raise ValueError(
                f"feature_range must be (low, high) with "
                f"low < high; got {tuple(feature_range)}."
            )
        _check_range_width(float(lo), float(hi))
        self.kind = kind
        self.feature_range = (float(lo), float(hi))
        self.offset_: float | None = None
        self.scale_: float | None = None

    def __repr__(self) -> str:
        state = "unfitted" if self.scale_ is None else f"offset={self.offset_:.4g}, scale={self.scale_:.4g}"
        return f"Scaler(kind={self.kind!r}, {state})"

    def fit(self, data: np.ndarray) -> Scaler:
        """Learn the statistics from ``data`` (the training part only)."""
        arr = check_array(data, "data")
        lo, hi = self.feature_range
        if self.kind == "minmax":
            dmin, dmax = float(arr.min()), float(arr.max())
            span = dmax - dmin
            if span == 0:
                raise ValueError(
                    f"data is constant ({dmin}): its span is 0, "
                    f"too small to scale. Fit on data that varies."
                )
            scale = (hi - lo) / span
            offset = lo - dmin * scale
            magnitude = max(abs(dmin), abs(dmax))
            _check_statistics(scale, offset, f"its span (max - min = {span:.3g})", magnitude, span)
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                std = float(arr.std())
            if std == 0:
                raise ValueError(f"data is constant ({float(arr.mean())}): its std is 0, too small to scale.")
            scale = 1.0 / std
            offset = -float(arr.mean()) / std
            _check_statistics(scale, offset, f"its std ({std:.3g})", float(np.abs(arr).max()), std)
        self.scale_, self.offset_ = scale, offset
        return self

    def _fitted(self) -> tuple[float, float]:
        if self.scale_ is None or self.offset_ is None:
            raise NotFittedError(
                "This Scaler is not fitted yet; call scaler.fit(train_data) first, "
                "with the training part only."
            )
        return self.offset_, self.scale_

    def transform(self, data: np.ndarray) -> np.ndarray:
        """Scale ``data`` with the fitted statistics; keeps float32 input as float32."""
        offset, scale = self._fitted()
        arr = check_array(data, "data")
        with np.errstate(over="ignore", invalid="ignore"):
            out = arr * scale + offset
        return _checked_output(out.astype(_dtype_of(data)))

    def fit_transform(self, data: np.ndarray) -> np.ndarray:
        """``fit(data)`` then ``transform(data)``."""
        return self.fit(data).transform(data)

    def inverse_transform(self, data: np.ndarray) -> np.ndarray:
        """Map scaled values (e.g. predictions) back to original units."""
        offset, scale = self._fitted()
        arr = check_array(data, "data")
        with np.errstate(over="ignore", invalid="ignore"):
            out = (arr - offset) / scale
        return _checked_output(out.astype(_dtype_of(data)))


#: A feature range narrower than this share of its magnitude cannot hold float32 data apart.
MIN_RANGE_SHARE = 1e-3
#: Nor one narrower than this (float32 values this small lose their precision).
MIN_RANGE_WIDTH = 1e-30


def _check_range_width(lo: float, hi: float) -> None:
    """The range must be wide enough for scaled float32 values to stay distinct."""
    width, magnitude = hi - lo, max(abs(lo), abs(hi))
    if width < MIN_RANGE_WIDTH or width < MIN_RANGE_SHARE * magnitude:
        raise ValueError(
            f"feature_range ({lo!r}, {hi!r}) is too narrow to scale into: its width {width:.3g} "
            f"is below {MIN_RANGE_SHARE:g} of its magnitude ({magnitude:.3g}) or below "
            f"{MIN_RANGE_WIDTH:g}, so scaled float32 values would round together and every "
            "difference would be lost. Use a range such as (-1, 1) or (0, 1)."
        )


def _dtype_of(data: object) -> np.dtype:
    dtype = getattr(data, "dtype", None)
    return np.dtype(np.float32) if str(dtype).endswith("float32") else np.dtype(np.float64)


def _check_statistics(scale: float, offset: float, what: str, magnitude: float, spread: float) -> None:
    """The fitted scale must be usable: a spread that is tiny (denormal) or tiny next to the values is not."""
    if not np.isfinite(spread):
        raise ValueError(
            f"data is too large to scale: {what} overflows to "
            f"inf. Rescale it first (e.g. divide by 1e100)."
        )
    tiny = spread < np.finfo(np.float64).tiny or spread <= 1e-12 * magnitude
    if tiny or not (np.isfinite(scale) and np.isfinite(offset)):
        raise ValueError(
            f"data's spread is too small to scale: {what} against values of magnitude {magnitude:.3g}; "
            "dividing by it would give inf or rounding noise. Fit on data that varies, or leave it unscaled."
        )


def _checked_output(out: np.ndarray) -> np.ndarray:
    """Scaled values must be finite (the data may be far outside what the scaler was fitted on)."""
    if not np.all(np.isfinite(out)):
        raise ValueError(
            "data is too large for this scaler: the scaled values overflow to inf. Check that it is "
            "in the same units as the data the scaler was fitted on."
        )
    return out
