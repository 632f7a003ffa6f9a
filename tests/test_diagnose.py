"""Each finding code on a constructed case, and no alarm on healthy or slow-but-real runs."""

from pathlib import Path

import numpy as np
import pytest

from lessons_lib.diagnose import CHECKS, CODES, codes_table, diagnose

rng = np.random.RandomState(0)
T = np.sin(np.linspace(0, 12, 200))[:, None]  # targets (200, 1)
WINDOWS = np.stack([np.roll(T[:, 0], k) for k in range(1, 9)], axis=1)[:, :, None]  # their history
FALLING = list(np.geomspace(1.0, 1e-3, 30))
RAMP = np.linspace(0, 2, 200)[:, None]  # a trend: its second half is above its first


def test_healthy_run_has_no_findings():
    report = diagnose(
        FALLING,
        T + 0.05 * rng.randn(*T.shape),
        T,
        inputs=WINDOWS,
        output_shape=T.shape,
        grad_norms=np.linspace(1.0, 0.2, 30),
    )
    assert report.healthy and report.codes == [], report
    assert "no failure" in repr(report)


def test_slow_but_real_learning_is_not_flat():
    slow = list(np.linspace(1.0, 0.8, 200))  # 20% in 200 epochs: slow, but real
    assert "flat_loss" not in diagnose(slow)


def test_flat_loss_and_its_link_to_the_target_variance():
    report = diagnose([200.0, 199.9, 200.2, 200.0, 199.95], target=np.sqrt(200) * rng.randn(500, 1))
    assert "flat_loss" in report
    assert "target variance" in report.findings[0].evidence


def test_constant_output_near_the_mean_is_a_mean_predictor():
    pred = np.full_like(T, T.mean() + 0.01)
    report = diagnose(pred=pred, target=T)
    assert report.codes == ["constant_output", "mean_predictor"]


def test_constant_far_from_the_mean_is_not_called_the_mean():
    report = diagnose(pred=np.full_like(T, 3.0), target=T)
    assert "constant_output" in report and "mean_predictor" not in report


def test_uninformative_input():
    time_index = np.arange(200, dtype=float)[:, None, None] * np.ones((1, 8, 1))
    wave = np.sin(0.5 * np.arange(200))[:, None]  # a function of time, but not a linear one
    report = diagnose(target=wave, inputs=time_index / 200)
    assert report.codes == ["uninformative_input"]
    assert "uninformative_input" not in diagnose(target=T, inputs=WINDOWS)


def test_uninformative_input_advises_fourier_terms_not_dropping_time():
    time_index = np.arange(200, dtype=float)[:, None, None] * np.ones((1, 8, 1))
    fix = diagnose(target=np.sin(0.5 * np.arange(200))[:, None], inputs=time_index).findings[0].fix
    assert "Fourier" in fix and "not a time index" not in fix
    t = np.arange(200)
    fourier = np.stack([np.sin(0.5 * t), np.cos(0.5 * t)], axis=1)[:, :, None]  # time, encoded
    assert "uninformative_input" not in diagnose(target=np.sin(0.5 * t + 1)[:, None], inputs=fourier)


# White noise: the constant mean is its best forecast (FPP3), so it is no failure.
NOISE = np.random.RandomState(1).randn(300, 1)


def test_a_flat_forecast_of_white_noise_is_not_a_failure():
    mean_forecast = np.full_like(NOISE, NOISE.mean())
    time_index = np.arange(300, dtype=float)[:, None, None] * np.ones((1, 8, 1)) / 300
    report = diagnose(pred=mean_forecast, target=NOISE, inputs=time_index)
    assert report.healthy, report
    assert diagnose(pred=0.3 * NOISE, target=NOISE).healthy  # squeezed toward the mean: also optimal


def test_the_long_horizon_forecast_of_a_stationary_series_is_not_a_failure():
    """AR(1) with phi = 0.7, forecast 30 steps ahead from origins 40 apart: the mean is optimal."""
    gen, y = np.random.RandomState(2), np.zeros(40 * 200)
    for k in range(1, len(y)):
        y[k] = 0.7 * y[k - 1] + gen.randn()
    origins = np.arange(10, len(y) - 30, 40)
    best = (0.7**30 * y[origins])[:, None]  # the optimal 30-step forecast: almost flat at 0
    assert diagnose(pred=best, target=y[origins + 30][:, None]).healthy
    one_step = y[:300, None]  # consecutive one-step targets: the last value matters, flat fails
    assert "constant_output" in diagnose(pred=np.zeros_like(one_step), target=one_step)


def test_a_real_flat_failure_is_still_flagged_with_its_evidence():
    report = diagnose(pred=np.full_like(T, T.mean()), target=T)
    assert report.codes == ["constant_output", "mean_predictor"]
    assert "loses to the naive" in report.findings[0].evidence
    far = diagnose(pred=np.full_like(NOISE, 3.0), target=NOISE)  # a constant far from the mean
    assert "constant_output" in far and "loses to the mean" in far.findings[0].evidence
    ar1 = np.zeros(300)
    for k in range(1, 300):
        ar1[k] = 0.3 * ar1[k - 1] + rng.randn()
    weak = diagnose(pred=np.zeros((300, 1)), target=ar1[:, None])  # weak memory: Ljung-Box sees it
    assert "constant_output" in weak and "Ljung-Box" in weak.findings[0].evidence


def test_unscaled_data_in_inputs_or_targets():
    assert diagnose(target=100 + T).codes == ["unscaled_data"]
    assert "unscaled_data" in diagnose(target=T, inputs=2000 * WINDOWS)
    assert "unscaled_data" not in diagnose(target=3 * T, inputs=3 * WINDOWS)


def test_shape_mismatch_from_output_shape_or_predictions():
    assert "shape_mismatch" in diagnose(target=np.zeros((1000, 1)) + T.mean(), output_shape=(1,))
    assert "shape_mismatch" in diagnose(pred=T[:, 0], target=T)


def test_non_finite_losses_or_predictions():
    report = diagnose([1.0, 0.5, np.nan, np.nan])
    assert report.codes == ["non_finite"] and "index 2" in report.findings[0].evidence
    assert diagnose(pred=np.full_like(T, np.inf), target=T).codes[0] == "non_finite"


def test_exploding_gradients():
    norms = np.r_[np.ones(50), 5e3]
    assert diagnose(grad_norms=norms).codes == ["exploding_gradients"]
    assert diagnose(grad_norms=np.r_[np.ones(50), 20.0]).healthy


def test_every_code_is_documented_and_report_prints_each_fix():
    report = diagnose([1.0, 1.0, 1.0], pred=np.full_like(T, T.mean()), target=T)
    assert set(report.codes) <= set(CODES)
    text = repr(report)
    assert all(f"[{code}]" in text for code in report.codes) and "try:" in text


def test_bad_arguments_say_what_to_do():
    with pytest.raises(ValueError, match="target"):
        diagnose(pred=T)
    with pytest.raises(TypeError, match="losses holds strings"):
        diagnose(losses=["a", object()])


def test_squeezed_output_is_not_a_constant():
    report = diagnose(pred=0.5 + 0.2 * (T - 0.5), target=T)
    assert report.codes == ["squeezed_output"]
    assert diagnose(pred=0.8 * T, target=T).healthy


def test_diverged_loss():
    assert diagnose([0.5, 0.2, 0.1, 0.5, 1.1]).codes == ["diverged_loss"]
    assert "diverged_loss" not in diagnose([0.5, 0.2, 0.1, 0.12, 0.11])


# One triggering and one healthy case per code: diagnose's keyword arguments for each.
CASES = {
    "non_finite": ({"losses": [1.0, np.nan, 0.5]}, {"losses": [1.0, 0.5, 0.2]}),
    "shape_mismatch": ({"pred": T[:, 0], "target": T}, {"pred": T, "target": T}),
    "flat_loss": ({"losses": [1.0, 0.99, 1.0, 0.98]}, {"losses": FALLING}),
    "diverged_loss": ({"losses": [0.5, 0.1, 0.6]}, {"losses": FALLING}),
    "constant_output": ({"pred": np.full_like(T, 3.0), "target": T}, {"pred": 0.9 * T, "target": T}),
    "mean_predictor": (
        {"pred": np.full_like(T, T.mean()), "target": T},
        {"pred": np.full_like(T, 3.0), "target": T},
    ),
    "squeezed_output": ({"pred": 0.3 * T, "target": T}, {"pred": 0.9 * T, "target": T}),
    "uninformative_input": (
        {"target": T, "inputs": rng.randn(200, 8, 1)},
        {"target": T, "inputs": WINDOWS},
    ),
    "unscaled_data": ({"target": 100 + T}, {"target": T}),
    "exploding_gradients": ({"grad_norms": np.r_[np.ones(50), 5e3]}, {"grad_norms": np.ones(50)}),
    "beyond_training_range": (  # a trend: the last half lies above the first; capped vs followed
        {"pred": np.minimum(RAMP, 1.1), "target": RAMP, "train_target": RAMP[:100]},
        {"pred": RAMP + 0.05 * rng.randn(*RAMP.shape), "target": RAMP, "train_target": RAMP[:100]},
    ),
}


def test_every_code_has_a_case():
    assert set(CASES) == set(CODES) and len(CODES) == len(CHECKS) == len(set(CODES))


@pytest.mark.parametrize("code", CODES)
def test_each_code_triggers_on_its_case_and_not_on_a_healthy_one(code):
    bad, good = CASES[code]
    found = diagnose(**bad)
    assert code in found and code in found.checked, found
    assert code not in diagnose(**good)
    assert code in diagnose(**good).checked


def test_the_checked_line_lists_the_checks_that_ran_in_registry_order():
    report = diagnose(FALLING, T, T, inputs=WINDOWS, grad_norms=np.ones(30), train_target=T)
    assert report.checked == list(CODES)
    assert diagnose(FALLING).checked == ["non_finite", "flat_loss", "diverged_loss"]
    assert f"checked: {', '.join(CODES)}" in repr(report)


def test_the_books_table_is_the_registry():
    """The developers' guide shows the table `make book` generates from CHECKS (tools/book.py)."""
    from tools import book

    guide = (Path(__file__).resolve().parents[1] / "docs" / "developers.md").read_text()
    assert "{include} _generated/diagnose_codes.md" in guide, "docs/developers.md lost the codes table"
    assert codes_table() in book.GENERATED["diagnose_codes.md"]([])


def test_beyond_training_range_needs_targets_outside_and_says_how_far_predictions_go():
    inside = {"pred": 0.5 * T, "target": T, "train_target": T}  # squeezed, but all in range
    assert "beyond_training_range" not in diagnose(**inside)
    report = diagnose(pred=np.minimum(RAMP, 1.1), target=RAMP, train_target=RAMP[:100])
    assert report.codes == ["beyond_training_range"] and "[0, 0.995]" in report.findings[0].evidence
    with pytest.raises(ValueError, match="train_target needs a target"):
        diagnose(FALLING, train_target=T)
