"""PyTorch recurrent forecasters and the training loop the lessons share."""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

from ._checks import check_array, check_choice, check_int, check_number, check_seed
from .training import (
    EpochPrinter,
    History,
    check_fit_options,
    check_output_shape,
    check_recurrent_args,
    check_training_data,
)

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def default_device() -> torch.device:
    """The GPU when there is one, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class RecurrentForecaster(nn.Module):
    """A recurrent layer (LSTM, GRU or plain RNN) read at its last step, then a linear head."""

    def __init__(
        self, n_features: int = 1, hidden: int = 32, horizon: int = 1, cell: str = "lstm", layers: int = 1
    ) -> None:
        super().__init__()
        n_features, hidden, horizon, layers, cell = check_recurrent_args(
            n_features, hidden, horizon, layers, cell, CELLS
        )
        self.rnn = CELLS[cell](n_features, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, horizon)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)  # (batch, time, hidden)
        return self.head(out[:, -1, :])  # (batch, horizon)


def _optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    options = {"adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop, "sgd": torch.optim.SGD}
    check_choice(name, "optimizer", sorted(options))
    return options[name](params, lr=lr)


def fit(
    model: nn.Module,
    X: np.ndarray,
    y: np.ndarray,
    *,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    epochs: int = 10,
    lr: float = 1e-3,
    batch_size: int | None = None,
    optimizer: str = "adam",
    clip: float | None = None,
    shuffle: bool = True,
    print_every: int | None = None,
    label: str = "torch",
    device: torch.device | None = None,
) -> History:
    """Train with MSE; ``batch_size=None`` means full batch; ``print_every=0`` is silent.

    Shapes are checked before the first step, so a model whose output does not match the
    targets fails with a message instead of silently learning the mean.
    """
    _check_module(model, "model")
    epochs = check_fit_options(
        epochs=epochs,
        batch_size=batch_size,
        shuffle=shuffle,
        print_every=print_every,
        label=label,
        X_val=X_val,
        y_val=y_val,
        lr=lr,
        clip=clip,
    )
    check_choice(optimizer, "optimizer", ("adam", "rmsprop", "sgd"))
    X_np, y_np = check_training_data(X, y)
    has_val = X_val is not None and y_val is not None
    if has_val:
        Xv_np, yv_np = check_training_data(X_val, y_val, "X_val", "y_val")
    device = device or default_device()
    model.to(device)
    Xt, yt = torch.from_numpy(X_np).to(device), torch.from_numpy(y_np).to(device)
    with torch.no_grad():
        check_output_shape(model(Xt[:2]).shape, yt[:2].shape, "fit")
    opt = _optimizer(optimizer, model.parameters(), lr)
    loss_fn = nn.MSELoss()
    n = len(Xt)
    bs = n if batch_size is None else check_int(batch_size, "batch_size")
    gen = torch.Generator().manual_seed(int(torch.initial_seed()) % 2**63)
    report = EpochPrinter(epochs, print_every, label)
    history = History()
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(n, generator=gen) if (shuffle and bs < n) else torch.arange(n)
        total, peak = 0.0, 0.0
        for i in range(0, n, bs):
            idx = order[i : i + bs].to(device)
            loss = loss_fn(model(Xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            # The norm before clipping (max_norm=inf only measures): what diagnose reads.
            limit = clip if clip is not None else float("inf")
            norm = float(nn.utils.clip_grad_norm_(model.parameters(), limit))
            peak = norm if not np.isfinite(norm) else max(peak, norm)
            opt.step()
            total += loss.item() * len(idx)
        history.train.append(total / n)
        history.grad_norms.append(peak)
        val = evaluate(model, Xv_np, yv_np) if has_val else None
        if val is not None:
            history.val.append(val)
        history.seconds = time.perf_counter() - start
        report(epoch, history.train[-1], val, history.seconds)
    return history


def predict(model: nn.Module, X: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """Model output for windows ``X`` as a NumPy array, in evaluation mode, without gradients."""
    _check_module(model, "model")
    batch_size = check_int(batch_size, "batch_size")
    X_np = check_array(X, "X", ndim=3, float32=True, expected="windows (n, window, features)")
    X_np = X_np.astype(np.float32)
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        parts = [
            model(torch.from_numpy(X_np[i : i + batch_size]).to(device)).cpu().numpy()
            for i in range(0, len(X_np), batch_size)
        ]
    return np.concatenate(parts)


def evaluate(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """MSE of the model on ``(X, y)``."""
    pred = predict(model, X)
    check_output_shape(pred.shape, np.shape(y), "evaluate")
    return float(np.mean((pred - np.asarray(y, dtype=np.float32)) ** 2))


def with_forget_bias(lstm: nn.LSTM, value: float = 1.0) -> nn.LSTM:
    """Set an LSTM's total forget-gate bias to ``value`` (Keras's ``unit_forget_bias`` default is 1).

    PyTorch keeps two bias vectors, gates ordered (input, forget, cell, output); the forget
    slice of ``bias_ih`` gets ``value`` and that of ``bias_hh`` gets 0, in every layer.
    """
    if not isinstance(lstm, nn.LSTM):
        raise TypeError(f"with_forget_bias needs an nn.LSTM; got {type(lstm).__name__}.")
    value = check_number(value, "value")
    h = lstm.hidden_size
    with torch.no_grad():
        for layer in range(lstm.num_layers):
            getattr(lstm, f"bias_ih_l{layer}")[h : 2 * h].fill_(value)
            getattr(lstm, f"bias_hh_l{layer}")[h : 2 * h].fill_(0.0)
    return lstm


def input_gradient_norms(
    rnn: nn.Module, seq_len: int = 200, batch: int = 16, seed: int = 0, inputs: np.ndarray | None = None
) -> np.ndarray:
    """How strongly the last step's output depends on each earlier input: a vanishing-gradient profile.

    Returns ``g`` with ``g[k]`` = mean over the batch of ||d sum(h_T) / d x_{T-k}||, so ``g[0]``
    is the last input and ``g[100]`` the input 100 steps earlier. ``rnn`` is a batch-first
    recurrent layer (``model.rnn``); random N(0, 1) inputs are used unless ``inputs`` is given.
    """
    if not isinstance(rnn, nn.RNNBase):
        raise TypeError(
            f"rnn must be a recurrent layer (nn.LSTM, nn.GRU or "
            f"nn.RNN), e.g. model.rnn; got {type(rnn).__name__}."
        )
    if not rnn.batch_first:
        raise ValueError(
            "rnn must be batch-first (batch_first=True); "
            "its inputs are read as (batch, time, features)."
        )
    params = list(rnn.parameters())
    device = params[0].device if params else torch.device("cpu")
    if inputs is None:
        gen = torch.Generator().manual_seed(check_seed(seed))
        shape = (check_int(batch, "batch"), check_int(seq_len, "seq_len"), rnn.input_size)
        x = torch.randn(*shape, generator=gen)
    else:
        arr = check_array(inputs, "inputs", ndim=3, float32=True, expected="(batch, time, features)")
        if arr.shape[2] != rnn.input_size:
            raise ValueError(
                f"inputs has {arr.shape[2]} features per step but rnn expects {rnn.input_size}; "
                "pass (batch, time, rnn.input_size)."
            )
        x = torch.from_numpy(arr.astype(np.float32))
    x = x.to(device).requires_grad_(True)
    was_training = rnn.training
    rnn.eval()
    out, _ = rnn(x)
    out[:, -1].sum().backward()
    rnn.train(was_training)
    norms = x.grad.norm(dim=2).mean(dim=0).cpu().numpy()  # (seq_len,), oldest first
    return norms[::-1].copy()


def _check_module(model: object, name: str) -> None:
    """``model`` must be a PyTorch module."""
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"{name} must be a torch.nn.Module such as "
            f"tm.RecurrentForecaster(); got {type(model).__name__}."
        )
