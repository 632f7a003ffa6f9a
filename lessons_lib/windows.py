"""Sliding windows, time-ordered splits and rolling-origin folds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ._checks import _describe, check_array, check_fraction, check_int, check_same_length


def sliding_windows(
    series: np.ndarray,
    window: int,
    horizon: int = 1,
    *,
    inputs: Sequence[int] | None = None,
    target_col: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into ``X`` (n, window, features) and ``y`` (n, horizon), float32.

    ``n = len(series) - window - horizon + 1``. Window ``i`` holds rows ``i .. i+window-1`` of the
    input columns; its targets are rows ``i+window .. i+window+horizon-1`` of the target column.

    For a 2-D ``(time, features)`` array, ``inputs`` lists the input columns (default: all) and
    ``target_col`` names the target column; it is required when there is more than one column, so
    which column is predicted is always a choice the code states.
    """
    data = check_array(series, "series", ndim=(1, 2), float32=True)
    window = check_int(window, "window")
    horizon = check_int(horizon, "horizon")
    if data.ndim == 1:
        data = data[:, None]
    n_time, n_cols = data.shape
    if target_col is None:
        if n_cols > 1:
            raise ValueError(
                f"series has {n_cols} columns, so target_col must say which one to predict "
                "(e.g. target_col=0); inputs then says which columns the model sees."
            )
        target_col = 0
    target_col = _check_column(target_col, n_cols, "target_col")
    if inputs is None:
        cols = list(range(n_cols))
    else:
        cols = [_check_column(c, n_cols, "inputs") for c in _columns(inputs)]
        if len(set(cols)) < len(cols):
            twice = next(c for c in cols if cols.count(c) > 1)
            raise ValueError(
                f"inputs lists column {twice} more than once ({list(inputs)!r:.40}); the model "
                "would see the same column as two features. List each column once."
            )
    if not cols:
        raise ValueError("inputs is empty; list at least one column for the model to see.")
    n = n_time - window - horizon + 1
    if n < 1:
        raise ValueError(
            f"window + horizon = {window} + {horizon} = {window + horizon} is longer than the "
            f"series ({n_time} steps); shorten the window or horizon, or use a longer series."
        )
    views = np.lib.stride_tricks.sliding_window_view(data, window + horizon, axis=0)
    # views: (n, n_cols, window + horizon)
    X = np.ascontiguousarray(views[:, cols, :window].transpose(0, 2, 1), dtype=np.float32)
    y = np.ascontiguousarray(views[:, target_col, window:], dtype=np.float32)
    return X, y


def _columns(inputs: object) -> list:
    """``inputs`` as a list: it must be a list of column indices, not one index or a string."""
    if isinstance(inputs, str | bytes) or not isinstance(inputs, Iterable):
        raise TypeError(
            f"inputs must be a list of column indices such as [0] or [0, 1]; got {_describe(inputs)}."
        )
    return list(inputs)


def _check_column(col: int, n_cols: int, name: str) -> int:
    if isinstance(col, bool | np.bool_) or not isinstance(col, int | np.integer):
        raise TypeError(f"{name} must hold integer column indices such as 0; got {_describe(col)}.")
    if not -n_cols <= col < n_cols:
        raise ValueError(f"{name} column {col} does not exist; series has {n_cols} columns.")
    return int(col) % n_cols


def _horizon_of(y: np.ndarray) -> int:
    return 1 if y.ndim == 1 else int(y.shape[1])


def time_split(
    X: np.ndarray,
    y: np.ndarray,
    train_frac: float = 0.8,
    *,
    gap: int | None = None,
    val_size: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split windows in time order: ``X_train, X_val, y_train, y_val``; never shuffled.

    The first ``int(len(X) * train_frac)`` windows train, the rest validate; ``val_size``
    instead keeps exactly the last ``val_size`` windows for validation, so models with
    different window lengths can be scored on the same validation targets. With a horizon of
    ``h`` > 1, the last ``h - 1`` training windows would have targets inside the validation
    period, so ``gap`` (default ``h - 1``) drops them: no training target lies at or after the
    first validation target.
    """
    X_arr = check_array(X, "X", ndim=(2, 3))
    y_arr = check_array(y, "y", ndim=(1, 2))
    check_same_length(X_arr, y_arr, "X", "y")
    train_frac = check_fraction(train_frac, "train_frac")
    min_gap = _horizon_of(y_arr) - 1
    gap = min_gap if gap is None else check_int(gap, "gap", minimum=0)
    if gap < min_gap:
        raise ValueError(
            f"gap={gap} would leak the future: with a horizon of {min_gap + 1} the last {min_gap} "
            f"training windows have targets inside the validation period. Use gap >= {min_gap} "
            "(or leave gap=None)."
        )
    n = len(X_arr)
    split = int(n * train_frac) if val_size is None else n - check_int(val_size, "val_size")
    if split - gap < 1 or split >= n:
        asked = f"train_frac={train_frac}" if val_size is None else f"val_size={val_size}"
        raise ValueError(
            f"{asked} with {n} windows (gap {gap}) leaves "
            f"{max(split - gap, 0)} training and {n - split} validation windows; both need at "
            "least one. Use more data, or a different train_frac or val_size."
        )
    dtype = np.asarray(X).dtype if np.asarray(X).dtype.kind == "f" else np.float32
    X_arr, y_arr = X_arr.astype(dtype), y_arr.astype(dtype)
    return X_arr[: split - gap], X_arr[split:], y_arr[: split - gap], y_arr[split:]


@dataclass(frozen=True)
class Fold:
    """One rolling-origin fold: window indices to train on and to validate on."""

    train: np.ndarray
    val: np.ndarray

    def __post_init__(self) -> None:
        for name in ("train", "val"):
            idx = np.asarray(getattr(self, name))
            if idx.ndim != 1 or idx.size == 0 or idx.dtype.kind not in "iu":
                raise ValueError(
                    f"Fold {name} must be a non-empty 1-D array of window indices (integers); "
                    f"got dtype {idx.dtype}, shape {idx.shape}."
                )
            if idx.min() < 0:
                raise ValueError(
                    f"Fold {name} holds the negative index {int(idx.min())}: negative indices count "
                    "back from the last window, so they would reach into the future. Use indices "
                    "from 0 (window 0 is the earliest)."
                )
            object.__setattr__(self, name, idx)
        if self.train.max() >= self.val.min():
            raise ValueError(
                f"Fold would leak the future: training window {int(self.train.max())} is not before "
                f"the first validation window {int(self.val.min())}. Train only on earlier windows."
            )

    def __repr__(self) -> str:
        return (
            f"Fold(train=[{self.train[0]}..{self.train[-1]}] ({len(self.train)}), "
            f"val=[{self.val[0]}..{self.val[-1]}] ({len(self.val)}))"
        )


def rolling_origin_folds(
    n_windows: int, n_folds: int = 3, val_size: int | None = None, *, horizon: int = 1
) -> list[Fold]:
    """Expanding-window folds: each trains on everything before its validation block.

    The validation blocks tile the end of the series; ``horizon - 1`` windows before each block
    are left out of its training set so no training target falls inside the block.
    """
    n_windows = check_int(n_windows, "n_windows", minimum=2)
    n_folds = check_int(n_folds, "n_folds", maximum=n_windows - 1)
    horizon = check_int(horizon, "horizon")
    gap = horizon - 1
    if val_size is None:
        val_size = max(1, n_windows // (n_folds + 1))
    val_size = check_int(val_size, "val_size")
    first_val = n_windows - n_folds * val_size
    if first_val - gap < 1:
        raise ValueError(
            f"{n_folds} folds of val_size {val_size} (gap {gap}) do not fit in {n_windows} "
            "windows with at least one training window; use fewer folds or a smaller val_size."
        )
    folds = []
    for k in range(n_folds):
        start = first_val + k * val_size
        folds.append(Fold(train=np.arange(0, start - gap), val=np.arange(start, start + val_size)))
    return folds


@dataclass
class WindowedData:
    """Windows and their time-ordered split in one object that describes itself.

    Modelled on the TensorFlow tutorial's ``WindowGenerator``: build it once, print it to see
    the shapes, index it for the arrays.
    """

    series: np.ndarray
    window: int
    horizon: int = 1
    train_frac: float = 0.8
    inputs: Sequence[int] | None = None
    target_col: int | None = None
    X: np.ndarray = field(init=False, repr=False)
    y: np.ndarray = field(init=False, repr=False)
    X_train: np.ndarray = field(init=False, repr=False)
    X_val: np.ndarray = field(init=False, repr=False)
    y_train: np.ndarray = field(init=False, repr=False)
    y_val: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.X, self.y = sliding_windows(
            self.series, self.window, self.horizon, inputs=self.inputs, target_col=self.target_col
        )
        self.X_train, self.X_val, self.y_train, self.y_val = time_split(self.X, self.y, self.train_frac)

    def __repr__(self) -> str:
        return "\n".join(
            [
                f"WindowedData(window={self.window}, horizon={self.horizon}, train_frac={self.train_frac})",
                f"  X: {self.X.shape}  y: {self.y.shape}",
                f"  train: X {self.X_train.shape}  y {self.y_train.shape}",
                f"  val:   X {self.X_val.shape}  y {self.y_val.shape}",
            ]
        )
