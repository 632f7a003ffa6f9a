"""lessons_lib.backtest, metrics' interval scores and FPP3's drift, against closed forms."""

import numpy as np
import pytest

import lessons_lib as ll
from lessons_lib.backtest import refit_backtest, sarimax_backtest


def test_refit_backtest_refits_on_the_data_known_at_each_block():
    y = np.arange(30.0) ** 2
    calls = []

    def forecast(fit_end, block):
        calls.append((fit_end, list(block)))
        return np.stack([np.full(3, y[:fit_end].mean()) + (o - fit_end) for o in block])

    out = refit_backtest(forecast, len(y), np.arange(20, 28), 3, every=3)
    assert [c[0] for c in calls] == [20, 23, 26]
    assert calls[-1][1] == [26, 27]
    assert out[4, 0] == pytest.approx(y[:23].mean() + 1)


def test_refit_backtest_once_is_the_fixed_parameter_protocol():
    origins = np.arange(10, 15)
    fits = []
    refit_backtest(lambda e, b: fits.append(e) or np.zeros((len(b), 2)), 20, origins, 2, every=99)
    assert fits == [10]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"origins": np.array([5, 4])}, "origins must increase"),
        ({"origins": np.array([18, 19])}, "leave horizon=2"),
        ({"origins": np.array([1.5])}, "integer positions"),
        ({"every": 0}, "every"),
    ],
)
def test_refit_backtest_refuses_bad_input(kwargs, match):
    args = {"origins": np.arange(5, 10), "every": 1, **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        refit_backtest(lambda e, b: np.zeros((len(b), 2)), 20, args["origins"], 2, every=args["every"])


def test_refit_backtest_checks_the_forecast_shape():
    with pytest.raises(ValueError, match="one row per origin"):
        refit_backtest(lambda e, b: np.zeros((len(b), 3)), 20, np.arange(5, 10), 2)


def test_sarimax_backtest_of_a_random_walk_is_the_naive_forecast_with_sqrt_h_intervals():
    rng = np.random.default_rng(0)
    y = np.cumsum(rng.normal(size=80))
    origins = np.arange(60, 70)
    for refit, every in [(False, 1), (True, 1), (True, 3)]:
        mean, bands = sarimax_backtest(y, origins, 4, (0, 1, 0), refit=refit, every=every,
                                       levels=(0.8,))
        np.testing.assert_allclose(mean, np.repeat(y[origins - 1][:, None], 4, axis=1), atol=1e-8)
        lo, hi = bands[0.8]
        width = (hi - lo)[0]
        np.testing.assert_allclose(width / width[0], np.sqrt(np.arange(1, 5)), rtol=1e-6)


def test_winkler_score_closed_form():
    lo, hi, t = np.array([0.0, 0.0, 0.0]), np.array([1.0, 1.0, 1.0]), np.array([0.5, -1.0, 3.0])
    # alpha = 0.2: width 1 each, misses of 1 and 2 cost 2 / 0.2 = 10 per unit
    assert ll.winkler_score(lo, hi, t, 0.8) == pytest.approx((1 + 11 + 21) / 3)
    assert ll.coverage(lo, hi, t) == pytest.approx(1 / 3)
    np.testing.assert_allclose(ll.coverage(lo[None], hi[None], t[None], axis=0), [1, 0, 0])


def test_winkler_score_of_gaussian_intervals_is_lowest_at_the_true_quantiles():
    rng = np.random.default_rng(1)
    t = rng.normal(size=20000)
    z = 1.2815515655446004  # the 90% quantile of N(0, 1): an 80% interval
    scores = {c: ll.winkler_score(-c * z * np.ones_like(t), c * z * np.ones_like(t), t, 0.8)
              for c in (0.7, 1.0, 1.4)}
    assert scores[1.0] < scores[0.7] and scores[1.0] < scores[1.4]


@pytest.mark.parametrize("level, match", [(1.0, "between 0 and 1"), ("a", "level")])
def test_winkler_score_refuses_bad_levels(level, match):
    with pytest.raises((ValueError, TypeError), match=match):
        ll.winkler_score(np.zeros(2), np.ones(2), np.zeros(2), level)


def test_winkler_score_refuses_swapped_bounds():
    with pytest.raises(ValueError, match="upper is below lower"):
        ll.winkler_score(np.ones(2), np.zeros(2), np.zeros(2), 0.8)


def test_drift_forecast_is_fpp3s_slope_to_the_origin():
    y = np.array([1.0, 3.0, 4.0, 8.0, 9.0, 20.0])
    out = ll.drift_forecast(y, np.array([4, 5]), 2)
    # origin T=4: y_T = 8, slope (8 - 1) / 3; origin 5: y_T = 9, slope 8 / 4 = 2
    np.testing.assert_allclose(out, [[8 + 7 / 3, 8 + 14 / 3], [11.0, 13.0]])


def test_drift_forecast_is_exact_on_a_straight_line():
    y = 2.0 + 0.5 * np.arange(40)
    out = ll.drift_forecast(y, np.arange(10, 30), 5)
    np.testing.assert_allclose(out, np.stack([y[o:o + 5] for o in range(10, 30)]))


@pytest.mark.parametrize("origins", [np.array([1]), np.array([50]), np.array([2.0]), np.array([])])
def test_drift_forecast_refuses_bad_origins(origins):
    with pytest.raises(ValueError, match="origins"):
        ll.drift_forecast(np.arange(10.0), origins, 2)
