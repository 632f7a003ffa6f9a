# ruff: noqa: E501  (the bad-call table keeps one call per line)
"""Bad input to the framework backends: every case runs in PyTorch and in Keras, with one message.

Each case is ``(id, call(be, M), error, pattern)``: ``be`` is the backend module and ``M`` holds
tiny models built once per backend (``M.m`` for window 5, 1 feature, horizon 1; ``M.h2`` for
horizon 2; ``M.f3`` for 3 features). Every call must raise before training, with a message
naming the argument; the valid edge cases at the end must still work.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from bad_calls import assert_clear_error, ids_unique

import lessons_lib as ll
from lessons_lib import backends
from lessons_lib.training import BuiltFor

X = np.random.RandomState(0).randn(20, 5, 1).astype(np.float32)  # 20 windows of 5 steps
Y = np.random.RandomState(1).randn(20, 1).astype(np.float32)
X9 = np.zeros((20, 9, 1), np.float32)  # windows of another length
X53 = np.zeros((20, 5, 3), np.float32)  # three features per step
Y2 = np.zeros((20, 2), np.float32)  # horizon 2
MASKED = np.ma.masked_array(X, mask=X > 1.5)
W9 = np.zeros(9, np.float32)  # a roll-out window of 9 steps
W5 = np.zeros(5, np.float32)


def fit(be: Any, model: Any, x: Any = X, y: Any = Y, **options: Any) -> Any:
    """One silent epoch (every case here must fail before it starts)."""
    return be.fit(model, x, y, **{"epochs": 1, "print_every": 0, **options})


Call = Callable[[Any, SimpleNamespace], Any]
Case = tuple[str, Call, type[BaseException], str]

CASES: list[Case] = [
    # ---- a model knows the window, features and horizon it was built for ------------------------
    ("fit-X-window", lambda be, M: fit(be, M.m, X9), ValueError, r"^X has windows of 9 steps; this model was built for window=5"),
    ("fit-X-window-short", lambda be, M: fit(be, M.m, X[:, :2]), ValueError, r"^X has windows of 2 steps; .*window=5"),
    ("fit-X-features", lambda be, M: fit(be, M.m, X53), ValueError, r"^X has 3 feature\(s\) per step; this model was built for n_features=1"),
    ("fit-f3-X-features", lambda be, M: fit(be, M.f3, X), ValueError, r"^X has 1 feature\(s\) per step; .*n_features=3"),
    ("fit-X_val-window", lambda be, M: fit(be, M.m, X_val=X9, y_val=Y), ValueError, r"^X_val has windows of 9 steps; .*window=5"),
    ("fit-X_val-features", lambda be, M: fit(be, M.m, X_val=X53, y_val=Y), ValueError, r"^X_val has 3 feature"),
    ("fit-y-horizon", lambda be, M: fit(be, M.m, y=Y2), ValueError, r"^y has 2 target value\(s\) per window; this model was built for horizon=1"),
    ("fit-h2-y-horizon", lambda be, M: fit(be, M.h2, y=Y), ValueError, r"^y has 1 target value\(s\) per window; .*horizon=2"),
    ("fit-y_val-horizon", lambda be, M: fit(be, M.m, X_val=X, y_val=Y2), ValueError, r"^y_val has 2 target value"),
    ("fit-y_val-rows", lambda be, M: fit(be, M.m, X_val=X, y_val=Y[:3]), ValueError, r"^X_val has 20 rows but y_val has 3"),
    ("fit-y_val-1d", lambda be, M: fit(be, M.m, X_val=X, y_val=Y[:, 0]), ValueError, r"^y_val must be 2-D"),
    ("fit-y_val-nan", lambda be, M: fit(be, M.m, X_val=X, y_val=Y * np.nan), ValueError, r"^y_val contains 20 NaN"),
    ("fit-X_val-2d", lambda be, M: fit(be, M.m, X_val=X[:, :, 0], y_val=Y), ValueError, r"^X_val must be 3-D"),
    ("fit-X_val-strings", lambda be, M: fit(be, M.m, X_val=X.astype(str), y_val=Y), TypeError, r"^X_val holds strings"),
    ("fit-X-masked", lambda be, M: fit(be, M.m, MASKED), ValueError, r"^X is a masked array with \d+ masked"),
    ("fit-y-masked", lambda be, M: fit(be, M.m, y=np.ma.masked_invalid(Y * np.inf)), ValueError, r"^y is a masked array"),
    ("fit-X-None", lambda be, M: fit(be, M.m, None), TypeError, r"^X is None"),
    ("fit-y-inf", lambda be, M: fit(be, M.m, y=Y * np.inf), ValueError, r"^y contains 0 NaN and 20 inf"),
    ("fit-X-complex", lambda be, M: fit(be, M.m, X * 1j), TypeError, r"^X holds complex"),
    ("fit-X-4d", lambda be, M: fit(be, M.m, X[None]), ValueError, r"^X must be 3-D"),
    ("predict-window", lambda be, M: be.predict(M.m, X9), ValueError, r"^X has windows of 9 steps; this model was built for window=5"),
    ("predict-window-one", lambda be, M: be.predict(M.m, X[:, :1]), ValueError, r"^X has windows of 1 steps"),
    ("predict-features", lambda be, M: be.predict(M.m, X53), ValueError, r"^X has 3 feature"),
    ("predict-f3-features", lambda be, M: be.predict(M.f3, X), ValueError, r"^X has 1 feature.*n_features=3"),
    ("predict-X-2d", lambda be, M: be.predict(M.m, X[:, :, 0]), ValueError, r"^X must be 3-D"),
    ("predict-X-strings", lambda be, M: be.predict(M.m, X.astype(str)), TypeError, r"^X holds strings"),
    ("predict-X-masked", lambda be, M: be.predict(M.m, MASKED), ValueError, r"^X is a masked array"),
    ("predict-X-empty", lambda be, M: be.predict(M.m, X[:0]), ValueError, r"^X is empty"),
    ("predict-batch_size-zero", lambda be, M: be.predict(M.m, X, batch_size=0), ValueError, r"^batch_size must be >= 1"),
    ("predict-batch_size-float", lambda be, M: be.predict(M.m, X, batch_size=2.0), TypeError, r"^batch_size must be an integer"),
    ("predict-model-str", lambda be, M: be.predict("model", X), TypeError, r"^model must be"),
    ("predict-model-other-backend", lambda be, M: be.predict(M.other, X), TypeError, r"^model must be"),
    ("evaluate-window", lambda be, M: be.evaluate(M.m, X9, Y), ValueError, r"^X has windows of 9 steps"),
    ("evaluate-features", lambda be, M: be.evaluate(M.m, X53, Y), ValueError, r"^X has 3 feature"),
    ("evaluate-y-horizon", lambda be, M: be.evaluate(M.m, X, Y2), ValueError, r"^y has 2 target value"),
    ("evaluate-h2-y-horizon", lambda be, M: be.evaluate(M.h2, X, Y), ValueError, r"^y has 1 target value.*horizon=2"),
    ("evaluate-rows", lambda be, M: be.evaluate(M.m, X, Y[:3]), ValueError, r"^X has 20 rows but y has 3"),
    ("evaluate-y-1d", lambda be, M: be.evaluate(M.m, X, Y[:, 0]), ValueError, r"^y must be 2-D"),
    ("evaluate-y-nan", lambda be, M: be.evaluate(M.m, X, Y * np.nan), ValueError, r"^y contains 20 NaN"),
    ("evaluate-model-None", lambda be, M: be.evaluate(None, X, Y), TypeError, r"^model must be"),
    ("hidden_states-window", lambda be, M: be.hidden_states(M.m, X9), ValueError, r"^X has windows of 9 steps"),
    ("hidden_states-features", lambda be, M: be.hidden_states(M.m, X53), ValueError, r"^X has 3 feature"),
    ("hidden_states-X-None", lambda be, M: be.hidden_states(M.m, None), TypeError, r"^X is None"),
    ("hidden_states-model-int", lambda be, M: be.hidden_states(3, X), TypeError, r"^model must be"),
    ("gradients-inputs-features", lambda be, M: be.input_gradient_norms(M.m, inputs=X53), ValueError, r"^inputs has 3 feature.*n_features=1"),
    ("gradients-f3-inputs-features", lambda be, M: be.input_gradient_norms(M.f3, inputs=X), ValueError, r"^inputs has 1 feature.*n_features=3"),
    ("gradients-inputs-strings", lambda be, M: be.input_gradient_norms(M.m, inputs=X.astype(str)), TypeError, r"^inputs holds strings"),
    ("gradients-inputs-nan", lambda be, M: be.input_gradient_norms(M.m, inputs=X * np.nan), ValueError, r"^inputs contains"),
    ("gradients-batch-zero", lambda be, M: be.input_gradient_norms(M.m, batch=0), ValueError, r"^batch must be >= 1"),
    ("gradients-seq_len-float", lambda be, M: be.input_gradient_norms(M.m, seq_len=20.0), TypeError, r"^seq_len must be an integer"),
    ("gradients-seed-negative", lambda be, M: be.input_gradient_norms(M.m, seed=-1), ValueError, r"^seed must be a non-negative"),
    ("gradients-seq_len-with-inputs", lambda be, M: be.input_gradient_norms(M.m, seq_len=0, inputs=X), ValueError, r"^seq_len must be >= 1"),
    ("gradients-model-None", lambda be, M: be.input_gradient_norms(None), TypeError, r"^model must be"),
    # ---- one device rule ----------------------------------------------------------------------
    ("device-gpu-absent", lambda be, M: fit(be, M.m, device="gpu:7"), ValueError, r"^device='gpu:7' is not present on this machine; the devices present are \["),
    ("device-cuda-index-absent", lambda be, M: fit(be, M.m, device="cuda:9"), ValueError, r"^device='cuda:9' is not present.*devices present"),
    ("device-tf-spelling-absent", lambda be, M: fit(be, M.m, device="/GPU:9"), ValueError, r"^device='/GPU:9' is not present"),
    ("device-cpu-index-absent", lambda be, M: fit(be, M.m, device="cpu:3"), ValueError, r"^device='cpu:3' is not present"),
    ("device-unknown", lambda be, M: fit(be, M.m, device="tpu"), ValueError, r"^device='tpu' is not a device name; .*Devices present on this machine: \["),
    ("device-mps", lambda be, M: fit(be, M.m, device="mps"), ValueError, r"^device='mps' is not a device name"),
    ("device-empty", lambda be, M: fit(be, M.m, device=""), ValueError, r"^device='' is not a device name"),
    ("device-bad-index", lambda be, M: fit(be, M.m, device="gpu:first"), ValueError, r"^device='gpu:first' is not a device name"),
    ("device-int", lambda be, M: fit(be, M.m, device=0), TypeError, r"^device must be a device name .*got 0 \(int\)"),
    ("device-list", lambda be, M: fit(be, M.m, device=["cpu"]), TypeError, r"^device must be a device name"),
    ("device-bool", lambda be, M: fit(be, M.m, device=True), TypeError, r"^device must be a device name"),
    # ---- a model passed to rolling_forecast -------------------------------------------------------
    ("roll-model-window", lambda be, M: ll.rolling_forecast(M.m, W9, 3), ValueError, r"^predict failed at step 1 of 3.*X has windows of 9 steps; this model was built for window=5"),
    ("roll-model-horizon", lambda be, M: ll.rolling_forecast(M.h2, W5, 3), ValueError, r"^predict returned shape \(1, 2\) for one window at step 1 of 3"),
    ("roll-model-features", lambda be, M: ll.rolling_forecast(M.f3, W5, 3), ValueError, r"^predict failed at step 1.*X has 1 feature"),
    ("roll-lambda-window", lambda be, M: ll.rolling_forecast(lambda w: be.predict(M.m, w), W9, 3), ValueError, r"^predict failed at step 1 of 3.*window=5"),
    ("roll-model-steps-zero", lambda be, M: ll.rolling_forecast(M.m, W5, 0), ValueError, r"^steps must be >= 1"),
    # ---- fit's options and build's arguments, through each backend ---------------------------
    ("fit-epochs-zero", lambda be, M: fit(be, M.m, epochs=0), ValueError, r"^epochs must be >= 1"),
    ("fit-lr-negative", lambda be, M: fit(be, M.m, lr=-1e-3), ValueError, r"^lr must be > 0"),
    ("fit-lr-None", lambda be, M: fit(be, M.m, lr=None), TypeError, r"^lr is None|^lr must be"),
    ("fit-optimizer-None", lambda be, M: fit(be, M.m, optimizer=None), TypeError, r"^optimizer must be one of"),
    ("fit-optimizer-class", lambda be, M: fit(be, M.m, optimizer="Adam"), ValueError, r"^optimizer must be one of"),
    ("fit-batch_size-bool", lambda be, M: fit(be, M.m, batch_size=True), TypeError, r"^batch_size must be an integer"),
    ("fit-clip-nan", lambda be, M: fit(be, M.m, clip=np.nan), ValueError, r"^clip must be a finite"),
    ("fit-shuffle-int", lambda be, M: fit(be, M.m, shuffle=1), TypeError, r"^shuffle must be True or False"),
    ("fit-label-None", lambda be, M: fit(be, M.m, label=None), TypeError, r"^label must be a string"),
    ("fit-print_every-float", lambda be, M: fit(be, M.m, print_every=1.0), TypeError, r"^print_every must be an integer"),
    ("fit-model-other-backend", lambda be, M: fit(be, M.other), TypeError, r"^model must be"),
    ("build-window-float", lambda be, M: be.build(5.0), TypeError, r"^window must be an integer"),
    ("build-window-array", lambda be, M: be.build(np.array([5])), TypeError, r"^window must be an integer"),
    ("build-n_features-zero", lambda be, M: be.build(5, 0), ValueError, r"^n_features must be >= 1"),
    ("build-horizon-None", lambda be, M: be.build(5, 1, None), TypeError, r"^horizon must be an integer"),
    ("build-cell-upper", lambda be, M: be.build(5, cell="LSTM"), ValueError, r"^cell must be one of"),
    ("build-hidden-empty", lambda be, M: be.build(5, hidden=()), ValueError, r"^hidden is empty"),
    ("build-layers-zero", lambda be, M: be.build(5, layers=0), ValueError, r"^layers must be >= 1"),
    ("build-forget_bias-str", lambda be, M: be.build(5, forget_bias="1"), TypeError, r"^forget_bias must be a number"),
    ("build-dropout-negative", lambda be, M: be.build(5, dropout=-0.1), ValueError, r"^dropout must be >= 0"),
    ("count_params-str", lambda be, M: be.count_params("model"), TypeError, r"^model must be"),
]


@pytest.fixture(scope="module", params=list(backends.BACKENDS))
def be(request):
    """The backend module (skipped when its framework is not installed)."""
    pytest.importorskip({"torch": "torch", "keras": "keras"}[request.param])
    return backends.load_backend(request.param)


@pytest.fixture(scope="module")
def M(be) -> SimpleNamespace:
    """Tiny models of ``be`` (and one of the other backend), built once."""
    other = backends.load_backend("keras" if be.NAME == "torch" else "torch")
    return SimpleNamespace(
        m=be.build(5, hidden=2),
        h2=be.build(5, horizon=2, hidden=2),
        f3=be.build(5, n_features=3, hidden=2),
        other=other.build(5, hidden=2),
    )


def test_the_table_ids_are_unique():
    assert len(CASES) >= 80, len(CASES)
    assert not ids_unique([c[0] for c in CASES])


@pytest.mark.parametrize(("call", "error", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_call_raises_a_clear_error(be, M, call: Call, error: type[BaseException], pattern: str):
    assert_clear_error(lambda: call(be, M), error, pattern)


def test_a_gpu_asked_for_on_a_machine_without_one_is_refused_naming_the_cpu(be, M):
    if be.devices() != ["cpu"]:
        pytest.skip("this machine has a GPU")
    for name in ("cuda", "gpu", "/GPU:0"):
        message = assert_clear_error(lambda n=name: fit(be, M.m, device=n), ValueError, "is not present")
        assert message.startswith(f"device={name!r} is not present") and "['cpu']" in message


def test_a_module_of_your_own_is_checked_by_its_output_shape_before_training():
    """Nothing recorded: the output is compared with y and y_val before the first step."""
    torch = pytest.importorskip("torch")
    tm = backends.load_backend("torch")
    flat = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(5, 3))
    assert tm.built_for(flat) == BuiltFor()
    assert_clear_error(lambda: fit(tm, flat), ValueError, r"^fit: the model output has shape \(2, 3\) but y has")
    one = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(5, 1))
    assert_clear_error(lambda: fit(tm, one, X_val=X, y_val=Y2), ValueError, r"^fit: the model output .* but y_val has shape \(2, 2\)")


def test_both_backends_give_the_same_message(M, be):
    """One shared check: the message is word for word the same in both backends."""
    message = assert_clear_error(lambda: be.predict(M.m, X9), ValueError, "window=5")
    assert message == (
        "X has windows of 9 steps; this model was built for window=5. Cut windows of 5 steps "
        "(e.g. ll.sliding_windows(series, 5)), or build a model for window=9."
    )


def test_what_a_model_was_built_for_is_recorded(be, M):
    assert be.built_for(M.m) == BuiltFor(window=5, n_features=1, horizon=1)
    assert be.built_for(M.h2).horizon == 2 and be.built_for(M.f3).n_features == 3


def test_valid_edge_inputs_still_work(be, M):
    """The checks refuse what a model cannot use, not unusual but valid input."""
    assert be.predict(M.m, X.tolist()).shape == (20, 1)  # nested lists are windows too
    assert be.predict(M.m, np.ma.masked_array(X)).shape == (20, 1)  # nothing masked: used as is
    assert be.evaluate(M.h2, X, Y2.astype(np.float64)) >= 0
    long = np.random.default_rng(0).standard_normal((2, 40, 1))  # any length: lags, not windows
    assert be.input_gradient_norms(M.m, inputs=long).shape == (40,)
    assert be.input_gradient_norms(M.f3, seq_len=12, batch=2).shape == (12,)
    rolled = ll.rolling_forecast(M.m, W5, 3)  # a model passed itself runs through be.predict
    np.testing.assert_allclose(rolled, ll.rolling_forecast(lambda w: be.predict(M.m, w), W5, 3), atol=1e-6)
    assert be.devices()[0] == "cpu"
    names = ["cpu", "CPU", "/CPU:0", "/device:CPU:0", " cpu:0 "]
    if be.NAME == "torch":
        import torch

        names.append(torch.device("cpu"))  # PyTorch's own device objects too
    cpu = be.resolve_device("cpu")
    assert all(be.resolve_device(name) == cpu for name in names)
    fit(be, be.build(5, hidden=2), X[:4], Y[:4], device="CPU")  # one run through fit
