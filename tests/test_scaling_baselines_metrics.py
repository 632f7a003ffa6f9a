import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lessons_lib import (
    LinearAR,
    NotFittedError,
    Scaler,
    flatness,
    mae,
    mase,
    mean_forecast,
    mse,
    naive_forecast,
    seasonal_naive,
    sliding_windows,
)

finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=80, deadline=None)
@given(
    data=arrays(np.float64, st.integers(2, 50), elements=finite),
    kind=st.sampled_from(["minmax", "standard"]),
)
def test_scaler_round_trips(data, kind):
    assume(np.ptp(data) >= 1e-3)
    scaler = Scaler(kind).fit(data)
    np.testing.assert_allclose(
        scaler.inverse_transform(scaler.transform(data)), data, atol=1e-6 * (1 + np.abs(data).max())
    )


def test_minmax_maps_training_range_to_minus_one_one():
    train = np.array([2.0, 4.0, 6.0])
    scaled = Scaler().fit(train).transform(np.array([2.0, 6.0, 8.0]))
    np.testing.assert_allclose(scaled, [-1.0, 1.0, 2.0])  # unseen values may leave the range


def test_standard_scaling_has_zero_mean_unit_std_on_train():
    train = np.random.default_rng(0).normal(5, 3, 500)
    z = Scaler("standard").fit_transform(train)
    assert abs(z.mean()) < 1e-9 and abs(z.std() - 1) < 1e-9


def test_scaler_keeps_float32():
    x = np.linspace(0, 1, 10, dtype=np.float32)
    assert Scaler().fit(x).transform(x).dtype == np.float32


def test_scaler_errors():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        Scaler().transform([1.0, 2.0])
    with pytest.raises(ValueError, match="kind must be one of"):
        Scaler("robust")
    with pytest.raises(ValueError, match="constant"):
        Scaler().fit([3.0, 3.0])
    with pytest.raises(ValueError, match="NaN"):
        Scaler().fit([1.0, np.nan])


def test_baselines_on_a_known_ramp():
    X, y = sliding_windows(np.arange(20.0), 4, horizon=2)
    np.testing.assert_array_equal(naive_forecast(X, 2)[0], [3, 3])
    np.testing.assert_array_equal(mean_forecast(X, 2)[0], [1.5, 1.5])
    np.testing.assert_array_equal(seasonal_naive(X, period=2, horizon=3)[0], [2, 3, 2])
    ar = LinearAR().fit(X, y)
    np.testing.assert_allclose(ar.predict(X), y, atol=1e-6)  # a ramp is exactly linear


def test_linear_ar_learns_a_sine_recurrence():
    s = np.sin(0.3 * np.arange(300))
    X, y = sliding_windows(s, 2)
    assert mse(LinearAR().fit(X, y).predict(X), y) < 1e-10  # sin obeys a 2-term recurrence


def test_baseline_errors():
    X, _ = sliding_windows(np.arange(20.0), 4)
    with pytest.raises(ValueError, match="period 5 is longer than the window"):
        seasonal_naive(X, period=5)
    with pytest.raises(ValueError, match="not fitted"):
        LinearAR().predict(X)


def test_metrics_values():
    p, t = np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 5.0])
    assert mse(p, t) == pytest.approx(5 / 3)
    assert mae(p, t) == pytest.approx(1.0)
    assert mase(p, t, train_series=np.array([0.0, 1.0, 2.0])) == pytest.approx(1.0)
    assert flatness(np.full(3, 7.0), t) == 0.0
    assert flatness(t, t) == pytest.approx(1.0)


def test_metrics_refuse_broadcasting():
    with pytest.raises(ValueError, match=r"pred has shape \(1,\) but target has shape \(1000,\)"):
        mse(np.zeros(1), np.zeros(1000))
    with pytest.raises(ValueError, match="pred has shape"):
        mse(np.zeros((10, 1)), np.zeros(10))


def test_baselines_share_fit_and_predict():
    from lessons_lib import LinearAR, Mean, Naive, SeasonalNaive

    X = np.array([[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [1.0, 0.0, 1.0, 0.0]])
    y = np.array([[4.0, 5.0], [8.0, 9.0], [1.0, 0.0]])
    for model in (Naive(), SeasonalNaive(period=2), Mean(), LinearAR()):
        pred = model.fit(X, y).predict(X)
        assert pred.shape == y.shape, model  # the horizon comes from y
    np.testing.assert_array_equal(Naive(horizon=3).predict(X)[0], [3, 3, 3])
    np.testing.assert_array_equal(SeasonalNaive(2).fit(X, y).predict(X)[0], [2, 3])
    np.testing.assert_array_equal(Mean(horizon=2).predict(X), mean_forecast(X, 2))
    with pytest.raises(TypeError, match="LinearAR.fit needs targets"):
        LinearAR().fit(X)
