import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lessons_lib import WindowedData, rolling_origin_folds, sliding_windows, time_split


def loop_windows(series, window, horizon):
    """The plain-loop reference the vectorised version must equal."""
    X, y = [], []
    for i in range(len(series) - window - horizon + 1):
        X.append(series[i : i + window])
        y.append(series[i + window : i + window + horizon])
    return np.array(X, dtype=np.float32)[..., None], np.array(y, dtype=np.float32)


@settings(max_examples=60, deadline=None)
@given(
    length=st.integers(2, 80),
    window=st.integers(1, 30),
    horizon=st.integers(1, 10),
    seed=st.integers(0, 1000),
)
def test_windows_equal_plain_loop(length, window, horizon, seed):
    series = np.random.default_rng(seed).normal(size=length).astype(np.float32)
    if window + horizon > length:
        with pytest.raises(ValueError, match="longer than the series"):
            sliding_windows(series, window, horizon)
    assume(window + horizon <= length)
    X, y = sliding_windows(series, window, horizon)
    X_ref, y_ref = loop_windows(series, window, horizon)
    assert X.shape == (length - window - horizon + 1, window, 1)
    assert y.shape == (length - window - horizon + 1, horizon)
    assert X.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


@settings(max_examples=60, deadline=None)
@given(
    length=st.integers(10, 200),
    window=st.integers(1, 20),
    horizon=st.integers(1, 8),
    frac=st.floats(0.2, 0.9),
)
def test_no_training_target_at_or_after_first_validation_target(length, window, horizon, frac):
    times = np.arange(length, dtype=np.float32)  # values are their own time stamps
    assume(window + horizon + 2 <= length)
    X, y = sliding_windows(times, window, horizon)
    try:
        X_tr, X_va, y_tr, y_va = time_split(X, y, frac)
    except ValueError:
        return  # too few windows for this fraction: refusing is correct
    assert y_tr.max() < y_va[:, 0].min()
    assert X_tr[:, :, 0].max() < X_va[:, -1, 0].min()  # time order kept


def test_seed_shapes_reproduced():
    series = np.arange(220, dtype=np.float32)
    X, y = sliding_windows(series, 16)
    X_tr, X_va, y_tr, y_va = time_split(X, y, 0.8)
    assert (X.shape, y.shape, X_tr.shape, X_va.shape) == (
        (204, 16, 1),
        (204, 1),
        (163, 16, 1),
        (41, 16, 1),
    )


def test_explicit_input_and_target_columns():
    t = np.arange(50, dtype=float)
    data = np.stack([t, 10 * t], axis=1)
    X, y = sliding_windows(data, 5, 2, inputs=[0], target_col=1)
    assert X.shape == (44, 5, 1)
    np.testing.assert_array_equal(X[0, :, 0], t[:5])
    np.testing.assert_array_equal(y[0], [50, 60])
    with pytest.raises(ValueError, match="target_col must say which one"):
        sliding_windows(data, 5)
    with pytest.raises(ValueError, match="target_col column 2 does not exist"):
        sliding_windows(data, 5, target_col=2)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(series=np.zeros(10), window=0), ValueError, "window must be >= 1"),
        (dict(series=np.zeros(10), window=3, horizon=0), ValueError, "horizon must be >= 1"),
        (dict(series=np.zeros(10), window=8, horizon=3), ValueError, "longer than the series"),
        (dict(series=np.array([1.0, np.nan, 2.0]), window=1), ValueError, "1 NaN"),
        (dict(series=np.zeros((3, 2, 2)), window=1), ValueError, "series must be 1-D or 2-D"),
        (dict(series=np.zeros(0), window=1), ValueError, "series is empty"),
        (dict(series=np.zeros(10), window=2.5), TypeError, "window must be an integer"),
        (dict(series="abc", window=2), TypeError, "series is a string"),
    ],
)
def test_bad_input_errors_name_the_argument(kwargs, error, message):
    with pytest.raises(error, match=message):
        sliding_windows(**kwargs)


@pytest.mark.parametrize("frac", [0.0, 1.0, -0.2, 1.5])
def test_time_split_rejects_fractions_outside_unit_interval(frac):
    X, y = sliding_windows(np.arange(30.0), 3)
    with pytest.raises(ValueError, match="train_frac must lie strictly between 0 and 1"):
        time_split(X, y, frac)


def test_time_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="X has 5 rows but y has 4"):
        time_split(np.zeros((5, 3, 1)), np.zeros((4, 1)))


def test_rolling_origin_folds_expand_and_never_overlap():
    folds = rolling_origin_folds(100, n_folds=4, val_size=10, horizon=3)
    assert len(folds) == 4
    for k, fold in enumerate(folds):
        assert fold.val[0] == 60 + 10 * k and len(fold.val) == 10
        assert fold.train[-1] + 2 < fold.val[0]  # gap of horizon - 1 windows
    with pytest.raises(ValueError, match="do not fit"):
        rolling_origin_folds(10, n_folds=5, val_size=2)


def test_windowed_data_shows_itself():
    data = WindowedData(np.arange(220.0), window=16)
    text = repr(data)
    assert "X: (204, 16, 1)" in text and "train: X (163, 16, 1)" in text


def test_time_split_val_size_keeps_the_same_validation_targets_for_any_window():
    series = np.arange(100, dtype=np.float32)
    targets = []
    for window in (4, 16):
        X, y = sliding_windows(series, window, 1)
        X_tr, X_va, y_tr, y_va = time_split(X, y, val_size=10)
        assert len(X_va) == 10 and len(X_tr) == len(X) - 10
        targets.append(y_va)
    np.testing.assert_array_equal(targets[0], targets[1])


def test_time_split_val_size_too_large_names_the_argument():
    with pytest.raises(ValueError, match="val_size=10"):
        time_split(np.zeros((10, 3, 1)), np.zeros((10, 1)), val_size=10)
