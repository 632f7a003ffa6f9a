"""The gradient-profile helpers: shape, lag order, and the forget-bias setter."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from lessons_lib import torch_models as tm  # noqa: E402


def test_profile_is_indexed_by_lag_and_sees_only_the_last_input_without_recurrence():
    rnn = torch.nn.RNN(1, 4, batch_first=True)
    with torch.no_grad():
        rnn.weight_hh_l0.zero_()  # no recurrence: only the last input can matter
    g = tm.input_gradient_norms(rnn, seq_len=10, batch=3)
    assert g.shape == (10,)
    assert g[0] > 0 and np.all(g[1:] == 0)


def test_profile_accepts_given_inputs_and_is_reproducible():
    rnn = torch.nn.GRU(1, 8, batch_first=True)
    x = np.random.RandomState(0).randn(2, 30, 1)
    np.testing.assert_array_equal(
        tm.input_gradient_norms(rnn, inputs=x), tm.input_gradient_norms(rnn, inputs=x)
    )
    np.testing.assert_array_equal(
        tm.input_gradient_norms(rnn, seq_len=30, seed=3), tm.input_gradient_norms(rnn, seq_len=30, seed=3)
    )


def test_forget_bias_one_slows_the_decay():
    torch.manual_seed(0)
    plain = torch.nn.LSTM(1, 16, num_layers=2, batch_first=True)
    biased = tm.with_forget_bias(torch.nn.LSTM(1, 16, num_layers=2, batch_first=True), 1.0)
    for layer in range(2):
        assert torch.all(getattr(biased, f"bias_ih_l{layer}")[16:32] == 1)
        assert torch.all(getattr(biased, f"bias_hh_l{layer}")[16:32] == 0)
    g_plain, g_biased = (tm.input_gradient_norms(m, seq_len=60) for m in (plain, biased))
    assert g_biased[50] / g_biased[1] > 100 * g_plain[50] / g_plain[1]
    with pytest.raises(TypeError, match="nn.LSTM"):
        tm.with_forget_bias(torch.nn.GRU(1, 4))
