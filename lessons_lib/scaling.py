"""Scaling fitted on training data only: min-max to a range, or standardisation."""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array


class Scaler:
    """Min-max (to ``feature_range``, default [-1, 1]) or standard scaling, one set of statistics.

    Fit it on the training part only: statistics taken from the whole series leak the
    validation period's range into training.
    """

    KINDS = ("minmax", "standard")

    def __init__(self, kind: str = "minmax", feature_range: tuple[float, float] = (-1.0, 1.0)):
        if kind not in self.KINDS:
            raise ValueError(f"kind must be one of {self.KINDS}; got {kind!r}.")
        lo, hi = feature_range
        if not lo < hi:
            raise ValueError(f"feature_range must be (low, high) with low < high; got {feature_range}.")
        self.kind = kind
        self.feature_range = (float(lo), float(hi))
        self.offset_: float | None = None
        self.scale_: float | None = None

    def __repr__(self) -> str:
        state = "unfitted" if self.scale_ is None else f"offset={self.offset_:.4g}, scale={self.scale_:.4g}"
        return f"Scaler(kind={self.kind!r}, {state})"

    def fit(self, data: np.ndarray) -> Scaler:
        """Learn the statistics from ``data`` (the training part only)."""
        arr = as_float_array(data, "data")
        lo, hi = self.feature_range
        if self.kind == "minmax":
            dmin, dmax = float(arr.min()), float(arr.max())
            span = dmax - dmin
            if span == 0:
                raise ValueError(f"data is constant ({dmin}); min-max scaling needs a spread.")
            self.scale_ = (hi - lo) / span
            self.offset_ = lo - dmin * self.scale_
        else:
            std = float(arr.std())
            if std == 0:
                raise ValueError(f"data is constant ({float(arr.mean())}); its std is 0.")
            self.scale_ = 1.0 / std
            self.offset_ = -float(arr.mean()) / std
        return self

    def _fitted(self) -> tuple[float, float]:
        if self.scale_ is None or self.offset_ is None:
            raise RuntimeError(
                "This Scaler is not fitted yet; call scaler.fit(train_data) first, "
                "with the training part only."
            )
        return self.offset_, self.scale_

    def transform(self, data: np.ndarray) -> np.ndarray:
        """Scale ``data`` with the fitted statistics; keeps float32 input as float32."""
        offset, scale = self._fitted()
        arr = as_float_array(data, "data")
        out = arr * scale + offset
        return out.astype(_dtype_of(data))

    def fit_transform(self, data: np.ndarray) -> np.ndarray:
        """``fit(data)`` then ``transform(data)``."""
        return self.fit(data).transform(data)

    def inverse_transform(self, data: np.ndarray) -> np.ndarray:
        """Map scaled values (e.g. predictions) back to original units."""
        offset, scale = self._fitted()
        arr = as_float_array(data, "data")
        return ((arr - offset) / scale).astype(_dtype_of(data))


def _dtype_of(data: object) -> np.dtype:
    dtype = getattr(data, "dtype", None)
    return np.dtype(np.float32) if str(dtype).endswith("float32") else np.dtype(np.float64)
