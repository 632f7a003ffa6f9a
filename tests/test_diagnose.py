"""Each finding code on a constructed case, and no alarm on healthy or slow-but-real runs."""

import numpy as np
import pytest

from lessons_lib.diagnose import CODES, diagnose

rng = np.random.RandomState(0)
T = np.sin(np.linspace(0, 12, 200))[:, None]  # targets (200, 1)
WINDOWS = np.stack([np.roll(T[:, 0], k) for k in range(1, 9)], axis=1)[:, :, None]  # their history
FALLING = list(np.geomspace(1.0, 1e-3, 30))


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
    report = diagnose([200.0, 199.9, 200.2, 200.0, 199.95], targets=np.sqrt(200) * rng.randn(500, 1))
    assert "flat_loss" in report
    assert "target variance" in report.findings[0].evidence


def test_constant_output_near_the_mean_is_a_mean_predictor():
    pred = np.full_like(T, T.mean() + 0.01)
    report = diagnose(predictions=pred, targets=T)
    assert report.codes == ["constant_output", "mean_predictor"]


def test_constant_far_from_the_mean_is_not_called_the_mean():
    report = diagnose(predictions=np.full_like(T, 3.0), targets=T)
    assert "constant_output" in report and "mean_predictor" not in report


def test_uninformative_input():
    time_index = np.arange(200, dtype=float)[:, None, None] * np.ones((1, 8, 1))
    report = diagnose(targets=rng.randn(200, 1), inputs=time_index / 200)
    assert report.codes == ["uninformative_input"]
    assert "uninformative_input" not in diagnose(targets=T, inputs=WINDOWS)


def test_unscaled_data_in_inputs_or_targets():
    assert diagnose(targets=100 + T).codes == ["unscaled_data"]
    assert "unscaled_data" in diagnose(targets=T, inputs=2000 * WINDOWS)
    assert "unscaled_data" not in diagnose(targets=3 * T, inputs=3 * WINDOWS)


def test_shape_mismatch_from_output_shape_or_predictions():
    assert "shape_mismatch" in diagnose(targets=np.zeros((1000, 1)) + T.mean(), output_shape=(1,))
    assert "shape_mismatch" in diagnose(predictions=T[:, 0], targets=T)


def test_non_finite_losses_or_predictions():
    report = diagnose([1.0, 0.5, np.nan, np.nan])
    assert report.codes == ["non_finite"] and "index 2" in report.findings[0].evidence
    assert diagnose(predictions=np.full_like(T, np.inf), targets=T).codes[0] == "non_finite"


def test_exploding_gradients():
    norms = np.r_[np.ones(50), 5e3]
    assert diagnose(grad_norms=norms).codes == ["exploding_gradients"]
    assert diagnose(grad_norms=np.r_[np.ones(50), 20.0]).healthy


def test_every_code_is_documented_and_report_prints_each_fix():
    report = diagnose([1.0, 1.0, 1.0], predictions=np.full_like(T, T.mean()), targets=T)
    assert set(report.codes) <= set(CODES)
    text = repr(report)
    assert all(f"[{code}]" in text for code in report.codes) and "try:" in text


def test_bad_arguments_say_what_to_do():
    with pytest.raises(ValueError, match="targets"):
        diagnose(predictions=T)
    with pytest.raises(TypeError, match="losses holds strings"):
        diagnose(losses=["a", object()])


def test_squeezed_output_is_not_a_constant():
    report = diagnose(predictions=0.5 + 0.2 * (T - 0.5), targets=T)
    assert report.codes == ["squeezed_output"]
    assert diagnose(predictions=0.8 * T, targets=T).healthy


def test_diverged_loss():
    assert diagnose([0.5, 0.2, 0.1, 0.5, 1.1]).codes == ["diverged_loss"]
    assert "diverged_loss" not in diagnose([0.5, 0.2, 0.1, 0.12, 0.11])
