"""The PyTorch backend: recurrent forecasters and the training loop the lessons share.

Implements the backend contract of ``lessons_lib.backends`` (``NAME``, ``build``, ``fit``,
``predict``, ``evaluate``, ``input_gradient_norms``); ``keras_models`` has the same names,
arguments and defaults.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ._checks import check_int, check_number, check_same_length, check_same_shape
from .devices import choose_device
from .training import (
    BuiltFor,
    History,
    Step,
    check_dropout,
    check_fit_data,
    check_fit_options,
    check_forget_bias,
    check_output_shapes,
    check_recurrent_args,
    fit_epochs,
    gradient_inputs,
)

NAME = "torch"
CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def devices() -> list[str]:
    """The devices PyTorch sees, in the names of ``lessons_lib.devices``: "cpu", "gpu:0", ..."""
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return ["cpu", *(f"gpu:{i}" for i in range(count))]


def resolve_device(device: str | torch.device | None) -> torch.device:
    """The device ``fit`` trains on, by the rule every backend shares (``devices.choose_device``)."""
    if isinstance(device, torch.device):
        device = str(device)
    name = choose_device(device, devices())
    return torch.device("cpu") if name == "cpu" else torch.device("cuda", int(name.split(":")[1]))


def default_device() -> torch.device:
    """The GPU when there is one, else the CPU."""
    return resolve_device(None)


def built_for(model: nn.Module) -> BuiltFor:
    """What ``model`` was built for (window, features, horizon); a module of your own: nothing known.

    ``build`` records it on the model as ``model.built_for``; any module may set that attribute
    to have its inputs checked the same way.
    """
    spec = getattr(model, "built_for", None)
    return spec if isinstance(spec, BuiltFor) else BuiltFor()


def _device_of(model: nn.Module) -> torch.device:
    """Where the model's weights live (the CPU for a module without any)."""
    return next((p.device for p in model.parameters()), torch.device("cpu"))


class RecurrentForecaster(nn.Module):
    """Recurrent layer(s) (LSTM, GRU or plain RNN) read at the last step, then a linear head.

    ``hidden`` is one width (``layers`` stacked layers of it, one ``nn.LSTM(num_layers=layers)``
    in ``self.rnn``) or a tuple of widths: ``self.rnn`` is then the first layer and
    ``self.stack`` the others (also with ``dropout``, which follows every recurrent layer).
    ``build`` is the contract's way to make one.
    """

    def __init__(
        self,
        n_features: int = 1,
        hidden: int | tuple[int, ...] = 32,
        horizon: int = 1,
        cell: str = "lstm",
        layers: int = 1,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        n_features, widths, horizon, cell = check_recurrent_args(
            n_features, hidden, horizon, layers, cell, CELLS
        )
        dropout = check_dropout(dropout)
        rnn = CELLS[cell]
        if len(set(widths)) == 1 and dropout == 0:
            self.rnn = rnn(n_features, widths[0], num_layers=len(widths), batch_first=True)
        else:
            self.rnn = rnn(n_features, widths[0], batch_first=True)
            pairs = zip(widths[:-1], widths[1:], strict=True)
            self.stack = nn.ModuleList(rnn(a, b, batch_first=True) for a, b in pairs)
        if dropout > 0:  # after every recurrent layer (as Keras's Dropout layers in km.build)
            self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(widths[-1], horizon)
        self.built_for = BuiltFor(None, n_features, horizon)  # build adds the window

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        drop = getattr(self, "drop", nn.Identity())
        out, _ = self.rnn(x)  # (batch, time, hidden)
        for layer in getattr(self, "stack", ()):
            out, _ = layer(drop(out))
        return self.head(drop(out[:, -1, :]))  # (batch, horizon)


def build(
    window: int,
    n_features: int = 1,
    horizon: int = 1,
    *,
    cell: str = "lstm",
    hidden: int | tuple[int, ...] = 32,
    layers: int = 1,
    forget_bias: float | None = None,
    dropout: float = 0.0,
) -> RecurrentForecaster:
    """A recurrent forecaster for windows ``(n, window, n_features)`` -> ``(n, horizon)``.

    ``forget_bias=None`` keeps PyTorch's default (0); a number sets the LSTM forget gates' total
    bias in every layer (Keras's default is 1). ``dropout`` (a rate in [0, 1)) follows every
    recurrent layer during training.
    """
    window = check_int(window, "window")
    model = RecurrentForecaster(n_features, hidden, horizon, cell, layers, dropout)
    model.window = window
    model.built_for = BuiltFor(window, model.built_for.n_features, model.built_for.horizon)
    value = check_forget_bias(forget_bias, cell)
    if value is not None:
        for layer in (model.rnn, *getattr(model, "stack", ())):
            with_forget_bias(layer, value)
    return model


def _optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    """The optimiser ``name`` at rate ``lr``, updating all weights in one call per step.

    ``foreach=True`` is PyTorch's default on a GPU; on the CPU its default loops over the weights
    in Python. Measured on a fit of lesson 04's recall shapes: the same weights bit for bit, 7%
    less time.
    """
    options = {"adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop, "sgd": torch.optim.SGD}
    return options[name](params, lr=lr, foreach=True)


def fit(
    model: nn.Module,
    X: np.ndarray,
    y: np.ndarray,
    *,
    X_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    epochs: int = 10,
    lr: float = 1e-3,
    optimizer: str = "adam",
    batch_size: int | None = None,
    clip: float | None = None,
    shuffle: bool = True,
    print_every: int | None = None,
    label: str = NAME,
    device: str | torch.device | None = None,
) -> History:
    """Train with MSE; ``batch_size=None`` means full batch; ``print_every=0`` is silent.

    ``clip`` caps the global gradient norm; ``History.grad_norms`` records, per epoch, the
    largest norm before clipping. ``X``, ``y``, ``X_val`` and ``y_val`` are checked against what
    the model was built for, and the output shape against ``y`` and ``y_val``, before the first
    step: a mismatch fails with a message instead of silently training on the wrong thing.
    ``device``: None is the GPU when there is one, else the CPU; a name ("cpu", "gpu", "cuda:0")
    must be present (``devices()``).
    """
    _check_module(model, "model")
    epochs = check_fit_options(
        epochs=epochs, batch_size=batch_size, shuffle=shuffle, print_every=print_every, label=label,
        X_val=X_val, y_val=y_val, lr=lr, clip=clip, optimizer=optimizer,
    )
    X_np, y_np, val = check_fit_data(X, y, X_val, y_val, built_for(model))
    device = resolve_device(device)
    model.to(device)
    Xt, yt = torch.from_numpy(X_np).to(device), torch.from_numpy(y_np).to(device)
    with torch.no_grad():
        check_output_shapes(
            lambda xb: tuple(model(torch.from_numpy(xb).to(device)).shape), X_np, y_np, val
        )
    step = _step(model, _optimizer(optimizer, model.parameters(), lr), Xt, yt, clip)
    gen = torch.Generator().manual_seed(int(torch.initial_seed()) % 2**63)
    return fit_epochs(
        step,
        len(X_np),
        epochs=epochs,
        batch_size=batch_size,
        permutation=(lambda: torch.randperm(len(X_np), generator=gen)) if shuffle else None,
        validate=(lambda: evaluate(model, *val)) if val is not None else None,
        print_every=print_every,
        label=label,
    )


def _step(
    model: nn.Module, opt: torch.optim.Optimizer, Xt: torch.Tensor, yt: torch.Tensor, clip: float | None
) -> Step:
    """One MSE step on the rows ``idx`` of ``(Xt, yt)``; returns the loss and the norm before clipping."""
    loss_fn = nn.MSELoss()
    weights = [w for w in model.parameters() if w.requires_grad]

    def step(rows: torch.Tensor | np.ndarray) -> tuple[float, float]:
        model.train()
        idx = torch.as_tensor(rows).to(Xt.device)
        loss = loss_fn(model(Xt[idx]), yt[idx])
        opt.zero_grad()
        loss.backward()
        # The norm before clipping is what diagnose reads; without a clip it is only measured.
        if clip is None:
            grads = [w.grad for w in weights if w.grad is not None]
            norm = float(nn.utils.get_total_norm(grads, foreach=True))
        else:
            norm = float(nn.utils.clip_grad_norm_(weights, clip, foreach=True))
        opt.step()
        return loss.item(), norm

    return step


def predict(model: nn.Module, X: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """Model output for windows ``X`` (of the window and features the model was built for) as a
    NumPy array, in evaluation mode, without gradients."""
    _check_module(model, "model")
    batch_size = check_int(batch_size, "batch_size")
    X_np = built_for(model).windows(X)
    device = _device_of(model)
    model.eval()
    with torch.no_grad():
        parts = [
            model(torch.from_numpy(X_np[i : i + batch_size]).to(device)).cpu().numpy()
            for i in range(0, len(X_np), batch_size)
        ]
    return np.concatenate(parts)


def evaluate(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """MSE of the model on ``(X, y)``, both checked against what the model was built for."""
    _check_module(model, "model")
    X_np, y_np = built_for(model).windows(X), built_for(model).targets(y)
    check_same_length(X_np, y_np, "X", "y")
    pred = predict(model, X_np)
    check_same_shape(pred.shape, y_np.shape, "the model output", "y", "evaluate")
    return float(np.mean((pred - y_np) ** 2))


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


def count_params(model: nn.Module) -> int:
    """The number of trainable weights."""
    _check_module(model, "model")
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad))


def hidden_states(model: RecurrentForecaster, X: np.ndarray) -> np.ndarray:
    """The first recurrent layer's output at the last step, ``(n, width)``, in evaluation mode."""
    if not isinstance(model, RecurrentForecaster):
        raise TypeError(f"model must be a model from tm.build; got {type(model).__name__}.")
    X_np = built_for(model).windows(X)
    device = _device_of(model)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out, _ = model.rnn(torch.from_numpy(X_np).to(device))
    model.train(was_training)
    return out[:, -1].cpu().numpy()


def input_gradient_norms(
    model: nn.Module,
    seq_len: int = 200,
    batch: int = 16,
    seed: int = 0,
    inputs: np.ndarray | None = None,
) -> np.ndarray:
    """How strongly the last step's output depends on each earlier input: a vanishing-gradient profile.

    Returns ``g`` with ``g[k]`` = mean over the batch of ||d sum(h_T) / d x_{T-k}||, so ``g[0]``
    is the last input and ``g[100]`` the input 100 steps earlier. ``model`` is a model from
    ``build`` (its first recurrent layer, ``model.rnn``, is measured) or a batch-first recurrent
    layer. The inputs are ``training.gradient_inputs(seed, ...)`` (the same N(0, 1) numbers in
    every backend) unless ``inputs`` is given: any number of steps (the profile runs over lags,
    whatever the model's window), with the model's features per step.
    """
    rnn = model.rnn if isinstance(model, RecurrentForecaster) else model
    if not isinstance(rnn, nn.RNNBase):
        raise TypeError(
            f"model must be a model from build (or a recurrent layer: nn.LSTM, nn.GRU or "
            f"nn.RNN, e.g. model.rnn); got {type(model).__name__}."
        )
    if not rnn.batch_first:
        raise ValueError(
            "model must be batch-first (batch_first=True); "
            "its inputs are read as (batch, time, features)."
        )
    params = list(rnn.parameters())
    device = params[0].device if params else torch.device("cpu")
    x_np = gradient_inputs(seed, batch, seq_len, rnn.input_size, inputs)
    x = torch.from_numpy(x_np).to(device).requires_grad_(True)
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
            f"tm.build(window=24); got {type(model).__name__}."
        )
