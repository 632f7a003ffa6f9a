"""lessons_lib.stats against closed forms and a textbook implementation (statsmodels' HAC)."""

import numpy as np
import pytest

from lessons_lib import stats


def test_paired_se_at_lag_0_is_the_plain_standard_error():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=50), rng.normal(size=50)
    p = stats.paired_difference(a, b)
    d = a - b
    assert p.mean == pytest.approx(d.mean())
    assert p.se == pytest.approx(d.std() / np.sqrt(len(d)))
    assert (p.n, p.lag) == (50, 0)


@pytest.mark.parametrize("lag", [0, 1, 5, 11])
def test_paired_se_matches_statsmodels_newey_west(lag):
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(lag)
    d = np.convolve(rng.normal(size=300), np.ones(lag + 1), mode="valid")  # MA(lag) overlap
    p = stats.paired_difference(d + 0.3, np.zeros_like(d), lag=lag)
    hac = {"maxlags": lag, "use_correction": False}
    fit = sm.OLS(d + 0.3, np.ones(len(d))).fit(cov_type="HAC", cov_kwds=hac)
    assert p.se == pytest.approx(float(fit.bse[0]), rel=1e-10)
    assert p.mean == pytest.approx(float(fit.params[0]))


def test_shared_noise_cancels_in_a_paired_comparison():
    rng = np.random.default_rng(1)
    n = 2000
    clean = rng.normal(size=n)
    observed = clean + 0.3 * rng.normal(size=n)  # both forecasts are scored on the same noisy targets
    a = clean + 0.05 * rng.normal(size=n)
    b = clean + 0.15 * rng.normal(size=n)
    p = stats.compare_forecasts(a, b, observed)
    unpaired = np.hypot(*(np.std((f - observed) ** 2) / np.sqrt(n) for f in (a, b)))
    assert p.mean < 0 and p.apart()
    assert p.se < unpaired / 2
    assert "2 SE, paired" in str(p)


def test_absolute_loss_and_bad_loss_name():
    t = np.zeros(4)
    p = stats.compare_forecasts(np.ones(4), 2 * np.ones(4), t, loss="absolute")
    assert p.mean == pytest.approx(-1.0) and p.se == 0
    with pytest.raises(ValueError, match="loss"):
        stats.compare_forecasts(t, t, t, loss="hinge")


def test_white_noise_floor_is_its_variance():
    acov = np.r_[4.0, np.zeros(20)]
    assert stats.window_floor(acov, 10) == pytest.approx(4.0)


@pytest.mark.parametrize("phi,h", [(0.8, 1), (0.8, 3), (-0.5, 2)])
def test_ar1_floor_is_the_textbook_h_step_error_variance(phi, h):
    k = np.arange(40)
    acov = phi**k / (1 - phi**2)  # unit innovation variance
    expected = (1 - phi ** (2 * h)) / (1 - phi**2)
    assert stats.window_floor(acov, 5, horizon=h) == pytest.approx(expected)


@pytest.mark.parametrize("phi,h", [(0.8, 1), (0.8, 3), (-0.5, 2)])
def test_ar1_weights_put_phi_to_the_h_on_the_last_value(phi, h):
    acov = phi ** np.arange(40) / (1 - phi**2)
    expected = np.r_[np.zeros(4), phi**h]  # oldest value first; only the last one counts
    assert stats.window_weights(acov, 5, horizon=h) == pytest.approx(expected, abs=1e-9)


def test_window_weights_predict_a_clean_sine_exactly():
    t = np.arange(30)
    x = np.sin(0.3 * t + 1.0)
    w = stats.window_weights(stats.sines_acov([1.0], [0.3], noise=0.0, lags=10), 4, horizon=2)
    assert x[20:24] @ w == pytest.approx(x[25], abs=1e-6)


def test_a_clean_sine_is_predicted_exactly_from_two_values():
    acov = stats.sines_acov([1.0], [0.3], noise=0.0, lags=10)
    assert stats.window_floor(acov, 2) == pytest.approx(0.0, abs=1e-9)


def test_two_waves_window_floors_match_the_review():
    sigma = 0.04
    acov = stats.sines_acov([1.0, 0.25], [0.12, 0.03], sigma, lags=70)
    ratios = {w: stats.window_floor(acov, w) / sigma**2 for w in (8, 16, 32, 64)}
    assert ratios == pytest.approx({8: 1.72, 16: 1.60, 32: 1.40, 64: 1.12}, abs=0.01)


def test_spread_and_over_seeds():
    s = stats.over_seeds(lambda seed: float(seed), seeds=(3, 1, 2))
    assert (s.median, s.low, s.high) == (2.0, 1.0, 3.0)
    assert "3 seeds" in str(s)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: stats.paired_difference([1.0], [2.0]), "at least 2"),
        (lambda: stats.paired_difference([1.0, 2.0], [1.0, 2.0, 3.0]), "loss_a"),
        (lambda: stats.paired_difference([1.0, 2.0], [1.0, 2.0], lag=-1), "lag"),
        (lambda: stats.paired_difference([1.0, "x"], [1.0, 2.0]), "loss_a"),
        (lambda: stats.window_floor([1.0, 0.5], 3), "acov has 2 lags"),
        (lambda: stats.window_floor([0.0, 0.0, 0.0], 1), "variance"),
        (lambda: stats.window_floor([1.0, 0.5, 0.2], 1.5), "window"),
        (lambda: stats.sines_acov([1.0], [0.1, 0.2], 0.1, 5), "amplitudes"),
        (lambda: stats.over_seeds(3.0), "fn"),
        (lambda: stats.over_seeds(lambda s: 1.0, seeds=()), "seeds"),
        (lambda: stats.spread([]), "values"),
        (lambda: stats.paired_difference([1.0, 2.0], [0.0, 1.0]).apart(z=0), "z"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()


def test_conformal_width_is_the_ceil_n_plus_1_level_order_statistic():
    errors = np.arange(1.0, 20.0)[:, None] * np.array([1.0, -2.0])  # 19 errors, two horizons
    width = stats.conformal_width(errors, 0.8)
    # ceil(20 * 0.8) = 16th smallest |error|
    np.testing.assert_allclose(width, [16.0, 32.0])


def test_conformal_width_covers_new_draws_at_least_at_its_level():
    rng = np.random.default_rng(0)
    hits = []
    for _ in range(400):
        cal, new = rng.standard_t(3, size=39), rng.standard_t(3)
        hits.append(abs(new) <= stats.conformal_width(cal, 0.9)[0])
    assert np.mean(hits) >= 0.9 - 2 * np.sqrt(0.09 / 400)


@pytest.mark.parametrize("n, level", [(3, 0.8), (10, 1.0), (10, 0.0)])
def test_conformal_width_refuses_too_few_errors_or_bad_levels(n, level):
    with pytest.raises(ValueError, match="level"):
        stats.conformal_width(np.ones(n), level)
