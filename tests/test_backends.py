"""The backend contract: the same tests over every framework backend (lessons_lib.backends).

A new backend passes when its module is added to ``BACKENDS`` and to ``NAMES`` below.
"""

import inspect
from typing import TYPE_CHECKING

import numpy as np
import pytest

from lessons_lib import backends
from lessons_lib.training import History

if TYPE_CHECKING:  # `make lint` (mypy) verifies every backend module against the Protocol here
    from lessons_lib import keras_models, torch_models

    _torch: backends.Backend = torch_models
    _keras: backends.Backend = keras_models

NAMES = list(backends.BACKENDS)


@pytest.fixture(scope="module", params=NAMES)
def be(request):
    """The backend module (skipped when its framework is not installed)."""
    pytest.importorskip({"torch": "torch", "keras": "keras"}.get(request.param, request.param))
    return backends.load_backend(request.param)


def sine_windows(n=240, window=12):
    s = np.sin(np.linspace(0, 24, n + window + 1)).astype(np.float32)
    X = np.stack([s[i : i + window] for i in range(n)])[:, :, None]
    return X, s[window : window + n, None]


def seed(name):
    from lessons_lib import set_seed

    set_seed(0, frameworks=({"keras": "tensorflow"}.get(name, name),))


def test_the_contract_names_and_signatures_match_across_backends(be):
    backends.check_backend(be)
    assert be.NAME in backends.BACKENDS
    reference = backends.load_backend("torch") if be.NAME != "torch" else be
    for name in backends.CONTRACT[1:]:
        ours, theirs = inspect.signature(getattr(be, name)), inspect.signature(getattr(reference, name))
        assert list(ours.parameters) == list(theirs.parameters), name
        for p in ours.parameters:
            if p == "label":
                assert ours.parameters[p].default == be.NAME
            else:
                assert ours.parameters[p].default == theirs.parameters[p].default, (name, p)
                assert ours.parameters[p].kind == theirs.parameters[p].kind, (name, p)


def test_a_tiny_training_run_reduces_the_loss_and_records_everything(be):
    X, y = sine_windows()
    seed(be.NAME)
    model = be.build(12, hidden=16)
    hist = be.fit(model, X, y, X_val=X[:40], y_val=y[:40], epochs=8, lr=1e-2, batch_size=60, print_every=0)
    assert isinstance(hist, History)
    assert len(hist.train) == len(hist.val) == len(hist.grad_norms) == 8
    assert hist.train[-1] < 0.5 * hist.train[0], hist
    assert all(np.isfinite(g) and g > 0 for g in hist.grad_norms)
    assert hist.seconds > 0
    assert abs(be.evaluate(model, X[:40], y[:40]) - hist.val[-1]) < 1e-4


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"hidden": (8, 4)},
        {"layers": 2, "cell": "gru"},
        {"cell": "rnn"},
        {"hidden": (8, 4), "dropout": 0.2},
    ],
    ids=["default", "stacked-widths", "gru-2-layers", "rnn", "dropout"],
)
def test_shapes_of_predict_for_every_layout(be, kw):
    X = np.zeros((5, 7, 3), np.float32)
    model = be.build(7, n_features=3, horizon=4, **kw)
    assert be.predict(model, X).shape == (5, 4)
    assert be.predict(model, X, batch_size=2).shape == (5, 4)
    assert isinstance(be.evaluate(model, X, np.zeros((5, 4))), float)
    width = kw.get("hidden", (32,))[0] if isinstance(kw.get("hidden"), tuple) else 32
    assert be.hidden_states(model, X).shape == (5, width)


def test_predict_gives_the_same_numbers_on_every_call_after_training(be):
    # Keras traces a model's forward pass from its second inference on; the numbers must not move
    X, y = sine_windows(n=40)
    seed(be.NAME)
    model = be.build(12)
    first, second, third = (be.predict(model, X, batch_size=b) for b in (64, 64, 7))
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(third, first, rtol=1e-6, atol=1e-7)
    be.fit(model, X, y, X_val=X, y_val=y, epochs=3, lr=0.05, print_every=0)
    after = be.predict(model, X)
    assert not np.allclose(after, first), "a traced forward pass must read the trained weights"
    assert be.evaluate(model, X, y) == pytest.approx(float(np.mean((after - y) ** 2)), rel=1e-6)


def test_keras_inference_cache_does_not_keep_models_alive():
    import gc
    import weakref

    km = pytest.importorskip("lessons_lib.keras_models")
    model = km.build(12)
    for _ in range(3):
        km.predict(model, np.zeros((2, 12, 1), np.float32))
    assert model in km._TRACED, "a model used again is traced"
    ref, cached = weakref.ref(model), len(km._TRACED)
    del model
    gc.collect()
    assert ref() is None and len(km._TRACED) <= cached - 1  # (others may go at the same time)


def test_count_params_is_the_same_for_the_same_layout_where_frameworks_agree(be):
    # one LSTM(8) on 3 features + Dense(2): Keras has one bias per gate, PyTorch two
    n = be.count_params(be.build(4, n_features=3, horizon=2, hidden=8))
    lstm = 4 * (8 * (3 + 8) + 8 * (2 if be.NAME == "torch" else 1))
    assert n == lstm + 8 * 2 + 2


def test_clip_bounds_what_the_optimiser_sees_but_records_the_norm_before(be):
    X, y = sine_windows(60)
    seed(be.NAME)
    model = be.build(12, hidden=8)
    hist = be.fit(model, 50 * X, 50 * y, epochs=2, lr=1e-3, clip=0.01, optimizer="sgd", print_every=0)
    assert max(hist.grad_norms) > 0.01  # measured before clipping


def test_forget_bias_sets_the_lstm_forget_gate_and_refuses_other_cells(be):
    g_plain = be.input_gradient_norms(be.build(1, forget_bias=0.0), seq_len=60)
    g_one = be.input_gradient_norms(be.build(1, forget_bias=3.0), seq_len=60)
    assert g_one[50] / g_one[1] > g_plain[50] / g_plain[1]
    with pytest.raises(ValueError, match="forget_bias"):
        be.build(5, cell="gru", forget_bias=1.0)


def test_input_gradient_norms_shape_and_decay(be):
    seed(be.NAME)
    g = be.input_gradient_norms(be.build(10, cell="rnn", hidden=16), seq_len=40, batch=4)
    assert g.shape == (40,)
    assert np.all(np.isfinite(g)) and g[0] > 0
    assert g[30:].mean() < 0.1 * g[:3].mean()  # a plain RNN forgets: the profile decays
    x = np.random.default_rng(1).standard_normal((2, 15, 1))
    model = be.build(10)
    np.testing.assert_array_equal(
        be.input_gradient_norms(model, inputs=x), be.input_gradient_norms(model, inputs=x)
    )


@pytest.mark.parametrize(
    ("call", "error", "names"),
    [
        (lambda be, m, X, y: be.fit(m, X[:, :, 0], y), ValueError, "X must be 3-D"),
        (lambda be, m, X, y: be.fit(m, X, y[:, 0]), ValueError, "y must be 2-D"),
        (lambda be, m, X, y: be.fit(m, X, y[:-1]), ValueError, "X has 20 rows but y has 19"),
        (lambda be, m, X, y: be.fit(m, X, np.hstack([y, y])), ValueError, "y has 2 target value"),
        (lambda be, m, X, y: be.fit(m, X, y, lr=0), ValueError, "lr must be > 0"),
        (lambda be, m, X, y: be.fit(m, X, y, epochs=1.5), TypeError, "epochs must be an integer"),
        (lambda be, m, X, y: be.fit(m, X, y, optimizer="adagrad"), ValueError, "optimizer must be one of"),
        (lambda be, m, X, y: be.fit(m, X, y, clip=-1.0), ValueError, "clip must be > 0"),
        (lambda be, m, X, y: be.fit(m, X, y, X_val=X), ValueError, "X_val was given without y_val"),
        (lambda be, m, X, y: be.fit("model", X, y), TypeError, "model must be"),
        (lambda be, m, X, y: be.predict(m, X[0]), ValueError, "X must be 3-D"),
        (lambda be, m, X, y: be.evaluate(m, X, y[:, :0]), ValueError, "y is empty"),
        (lambda be, m, X, y: be.build(0), ValueError, "window must be >= 1"),
        (lambda be, m, X, y: be.build(5, hidden=0), ValueError, "hidden must be >= 1"),
        (lambda be, m, X, y: be.build(5, hidden=(8, 4), layers=3), ValueError, "hidden gives 2 widths"),
        (lambda be, m, X, y: be.build(5, cell="transformer"), ValueError, "cell must be one of"),
        (lambda be, m, X, y: be.build(5, dropout=1.0), ValueError, "dropout must be below 1"),
        (lambda be, m, X, y: be.hidden_states("model", X), TypeError, "model must be"),
        (lambda be, m, X, y: be.input_gradient_norms("rnn"), TypeError, "model must be"),
        (lambda be, m, X, y: be.input_gradient_norms(m, inputs=X[0]), ValueError, "inputs must be 3-D"),
        (lambda be, m, X, y: be.input_gradient_norms(m, seq_len=0), ValueError, "seq_len must be >= 1"),
    ],
)
def test_bad_input_raises_a_message_naming_the_argument(be, call, error, names):
    X, y = np.zeros((20, 5, 1), np.float32), np.zeros((20, 1), np.float32)
    model = be.build(5, hidden=4)
    with pytest.raises(error, match=names):
        call(be, model, X, y)


def test_the_protocol_states_the_contract_and_every_backend_signature_follows_it(be):
    # CONTRACT is read from the Protocol: it must come out as the contract the module docstring states
    assert backends.CONTRACT == ("NAME", "build", "fit", "predict", "evaluate", "count_params",
                                 "hidden_states", "input_gradient_norms")
    for name in backends.CONTRACT[1:]:
        stated = list(inspect.signature(getattr(backends.Backend, name)).parameters.values())[1:]
        ours = inspect.signature(getattr(be, name)).parameters
        assert [p.name for p in stated] == list(ours), name
        for p in stated:
            assert p.kind == ours[p.name].kind, (name, p.name)
            assert p.default in (ours[p.name].default, ...), (name, p.name)


def test_load_backend_names_aliases_environment_and_errors(monkeypatch):
    monkeypatch.delenv(backends.ENV_VAR, raising=False)
    assert backends.backend_name() == "torch"
    for alias, name in [("pytorch", "torch"), ("TF", "keras"), ("tensorflow", "keras"), ("keras", "keras")]:
        assert backends.backend_name(alias) == name
    monkeypatch.setenv(backends.ENV_VAR, "keras")
    assert backends.backend_name() == "keras"
    monkeypatch.setenv(backends.ENV_VAR, "jax")
    with pytest.raises(ValueError, match="LESSONS_BACKEND is 'jax'"):
        backends.load_backend()
    with pytest.raises(ValueError, match=r"name is 'mxnet', not a backend; use one of"):
        backends.load_backend("mxnet")
    with pytest.raises(TypeError, match="name must be a backend name"):
        backends.load_backend(3)
    with pytest.raises(TypeError, match=r"lacks \['NAME', 'build'"):
        backends.check_backend(np)


def test_importing_the_contract_loads_no_framework():
    import subprocess
    import sys

    code = "import sys, lessons_lib.backends; print('torch' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
