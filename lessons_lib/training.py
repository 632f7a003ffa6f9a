"""The one epoch loop every backend runs with its own step, what it gives back (``History``) and
the checks before it; no framework."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._checks import (
    check_array,
    check_bool,
    check_choice,
    check_horizon,
    check_int,
    check_number,
    check_same_length,
    check_same_shape,
    check_seed,
    check_str,
    check_windows,
)

#: Bounds on model sizes and training length: larger values would exhaust memory or never end.
MAX_HIDDEN = 4096
MAX_LAYERS = 64
MAX_FEATURES = 100_000
MAX_HORIZON = 100_000
MAX_EPOCHS = 100_000
#: The optimisers every backend's ``fit`` accepts by name.
OPTIMIZERS = ("adam", "rmsprop", "sgd")


@dataclass
class History:
    """Loss per epoch (train, and val when given), the wall time, and the largest gradient norm per epoch.

    ``grad_norms`` holds, per epoch, the largest global gradient norm of any step, measured before
    clipping; every backend's ``fit`` fills it (``diagnose(grad_norms=hist.grad_norms)`` reads it).
    """

    train: list[float] = field(default_factory=list)
    val: list[float] = field(default_factory=list)
    seconds: float = 0.0
    grad_norms: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Each record is a list of numbers, one per epoch (NaN and inf allowed: diagnose reports them)."""
        for name in ("train", "val", "grad_norms"):
            values = check_array(getattr(self, name), name, ndim=1, allow_empty=True, allow_nan=True)
            setattr(self, name, values.tolist())
        self.seconds = check_number(self.seconds, "seconds", minimum=0.0)

    @property
    def final(self) -> float:
        """The last epoch's training loss."""
        self._trained("final")
        return self.train[-1]

    @property
    def ratio_last_first(self) -> float:
        """Last epoch's training loss over the first's: about 1 means nothing was learned."""
        self._trained("ratio_last_first")
        if self.train[0] == 0:
            raise ValueError("ratio_last_first is undefined: the first epoch's training loss is 0.")
        return self.train[-1] / self.train[0]

    def _trained(self, what: str) -> None:
        if not self.train:
            raise ValueError(f"History.{what}: this History has no epochs yet; it is filled by fit.")

    def __repr__(self) -> str:
        """One line; an empty History (nothing trained yet) says so instead of failing."""
        if not self.train:
            return "History(0 epochs)"
        val = f", val {self.val[0]:.3g} -> {self.val[-1]:.3g}" if self.val else ""
        return (
            f"History({len(self.train)} epochs, train {self.train[0]:.3g} -> {self.train[-1]:.3g}"
            f"{val}, {self.seconds:.1f} s)"
        )


class EpochPrinter:
    """One compact line per reported epoch, never pages of log; ``print_every=0`` prints nothing.

    ``print_every=None`` reports about five epochs (the first, the last, every ``epochs // 5``).
    """

    def __init__(self, epochs: int, print_every: int | None = None, label: str = "") -> None:
        epochs = check_int(epochs, "epochs", maximum=MAX_EPOCHS)
        if print_every is not None:
            print_every = check_int(print_every, "print_every", minimum=0, maximum=None)
        check_str(label, "label")
        self.epochs = epochs
        self.every = max(1, epochs // 5) if print_every is None else print_every
        self.label = f"[{label}] " if label else ""

    def __call__(self, epoch: int, train: float, val: float | None, seconds: float) -> None:
        if self.every <= 0:
            return
        if epoch == 1 or epoch == self.epochs or epoch % self.every == 0:
            val_text = f"  val {val:.3e}" if val is not None else ""
            print(
                f"{self.label}epoch {epoch:>3}/{self.epochs}  train {train:.3e}{val_text}"
                f"  ({seconds:.1f} s)",
                flush=True,
            )


@dataclass(frozen=True)
class BuiltFor:
    """What a model was built for: window length, features per step, horizon (None: any).

    Every backend reads it off its model (``built_for(model)``) and checks inputs against it
    before any framework call, so a mismatch names the argument instead of failing deep inside
    PyTorch or Keras, or, worse, running on windows the model was never trained on.
    """

    window: int | None = None
    n_features: int | None = None
    horizon: int | None = None

    def windows(self, X: Any, name: str = "X", *, any_length: bool = False) -> np.ndarray:
        """``X`` as float32 windows (n, window, features) of the built shape (``any_length``: any window)."""
        arr = check_array(X, name, ndim=3, float32=True, expected="windows (n, window, features)")
        window = None if any_length else self.window
        check_windows(arr, name, window=window, n_features=self.n_features)
        return arr.astype(np.float32)

    def targets(self, y: Any, name: str = "y") -> np.ndarray:
        """``y`` as float32 targets (n, horizon) of the built horizon."""
        arr = check_array(y, name, ndim=2, float32=True, expected="targets (n, horizon)")
        check_horizon(arr, name, horizon=self.horizon)
        return arr.astype(np.float32)


def check_training_data(
    X: Any, y: Any, name_x: str = "X", name_y: str = "y", built: BuiltFor = BuiltFor()
) -> tuple[np.ndarray, np.ndarray]:
    """Validate windows (n, window, features) and targets (n, horizon) against what the model is for."""
    X_arr, y_arr = built.windows(X, name_x), built.targets(y, name_y)
    check_same_length(X_arr, y_arr, name_x, name_y)
    return X_arr, y_arr


def check_recurrent_args(
    n_features: Any, hidden: Any, horizon: Any, layers: Any, cell: Any, cells: Iterable[str]
) -> tuple[int, tuple[int, ...], int, str]:
    """Validate a recurrent forecaster's sizes and cell name (shared by every backend).

    ``hidden`` is one width (repeated ``layers`` times) or a tuple of widths, one per stacked
    layer. Returns ``(n_features, widths, horizon, cell)``.
    """
    n_features = check_int(n_features, "n_features", maximum=MAX_FEATURES)
    layers = check_int(layers, "layers", maximum=MAX_LAYERS)
    if isinstance(hidden, tuple | list):
        if not hidden:
            raise ValueError("hidden is empty; give one width such as 32, or one per layer such as (64, 32).")
        widths = tuple(check_int(h, "hidden", maximum=MAX_HIDDEN) for h in hidden)
        if layers not in (1, len(widths)):
            raise ValueError(
                f"hidden gives {len(widths)} widths but layers={layers}; "
                "pass one width per layer (then layers may be left at 1)."
            )
    else:
        widths = (check_int(hidden, "hidden", maximum=MAX_HIDDEN),) * layers
    if len(widths) > MAX_LAYERS:
        raise ValueError(f"hidden gives {len(widths)} layers; at most {MAX_LAYERS}.")
    horizon = check_int(horizon, "horizon", maximum=MAX_HORIZON)
    cell = check_choice(cell, "cell", sorted(cells))
    return n_features, widths, horizon, cell


def check_dropout(dropout: Any) -> float:
    """A dropout rate is a number in [0, 1)."""
    value = check_number(dropout, "dropout", minimum=0.0)
    if value >= 1:
        raise ValueError(f"dropout must be below 1 (a rate such as 0.2); got {dropout}.")
    return value


def check_forget_bias(forget_bias: Any, cell: str) -> float | None:
    """``forget_bias`` is None (the framework's default) or a number, and only for an LSTM."""
    value = check_number(forget_bias, "forget_bias", allow_none=True)
    if value is not None and cell != "lstm":
        raise ValueError(
            f"forget_bias applies to LSTM cells only; cell={cell!r} has no forget gate. "
            "Leave forget_bias=None or use cell='lstm'."
        )
    return value


def check_fit_options(
    *,
    epochs: Any,
    batch_size: Any,
    shuffle: Any,
    print_every: Any,
    label: Any,
    X_val: Any,
    y_val: Any,
    lr: Any = 1e-3,
    clip: Any = None,
    optimizer: Any = "adam",
) -> int:
    """Validate a training loop's options before any work (shared by PyTorch and Keras); returns epochs."""
    epochs = check_int(epochs, "epochs", maximum=MAX_EPOCHS)
    if batch_size is not None:
        check_int(batch_size, "batch_size")
    check_bool(shuffle, "shuffle")
    if print_every is not None:
        check_int(print_every, "print_every", minimum=0, maximum=None)
    check_str(label, "label")
    if (X_val is None) != (y_val is None):
        given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
        raise ValueError(
            f"{given} was given without {missing}; pass both for a validation loss, or neither."
        )
    check_number(lr, "lr", minimum=0.0, strict=True)
    check_number(clip, "clip", minimum=0.0, strict=True, allow_none=True)
    check_choice(optimizer, "optimizer", OPTIMIZERS)
    return epochs


def check_fit_data(
    X: Any, y: Any, X_val: Any, y_val: Any, built: BuiltFor
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """Training windows and targets, and the validation pair (None when not given), all checked."""
    X_np, y_np = check_training_data(X, y, built=built)
    if X_val is None or y_val is None:
        return X_np, y_np, None
    return X_np, y_np, check_training_data(X_val, y_val, "X_val", "y_val", built=built)


def check_output_shapes(
    output_shape: Callable[[np.ndarray], tuple[int, ...]],
    X: np.ndarray,
    y: np.ndarray,
    val: tuple[np.ndarray, np.ndarray] | None,
) -> None:
    """The model's output on two windows has the shape of ``y`` (and of ``y_val``), before any step."""
    pairs = [(X, y, "y")] + ([(val[0], val[1], "y_val")] if val is not None else [])
    for X_arr, y_arr, name in pairs:
        check_same_shape(output_shape(X_arr[:2]), y_arr[:2].shape, "the model output", name, "fit")


#: One optimisation step on the rows ``idx``: returns (mean loss of the batch, gradient norm).
Step = Callable[[Any], tuple[float, float]]


def fit_epochs(
    step: Step,
    n: int,
    *,
    epochs: int,
    batch_size: int | None,
    permutation: Callable[[], Any] | None,
    validate: Callable[[], float] | None,
    print_every: int | None,
    label: str,
) -> History:
    """The epoch loop every backend's ``fit`` runs with its own ``step`` (as d2l's ``Trainer.fit``).

    Each epoch visits the ``n`` rows in batches of ``batch_size`` (None: all), in the order
    ``permutation()`` gives (None, or a full batch: in order), and records the mean training loss,
    the largest gradient norm (a non-finite one sticks) and ``validate()`` when given.
    """
    bs = n if batch_size is None else batch_size
    report = EpochPrinter(epochs, print_every, label)
    history = History()
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = permutation() if (permutation is not None and bs < n) else np.arange(n)
        total, peak = 0.0, 0.0
        for i in range(0, n, bs):
            idx = order[i : i + bs]
            loss, norm = step(idx)
            peak = norm if not np.isfinite(norm) else max(peak, norm)
            total += loss * len(idx)
        history.train.append(total / n)
        history.grad_norms.append(peak)
        val = validate() if validate is not None else None
        if val is not None:
            history.val.append(val)
        history.seconds = time.perf_counter() - start
        report(epoch, history.train[-1], val, history.seconds)
    return history


def gradient_inputs(
    seed: Any, batch: Any, seq_len: Any, n_features: int | None, inputs: Any = None
) -> np.ndarray:
    """The inputs of ``input_gradient_norms``: the same N(0, 1) numbers in every backend.

    ``inputs`` (batch, time, features) replaces them; it must have ``n_features`` (None: any) per
    step, and may have any number of steps: the profile is measured over lags, whatever the
    model's window.
    """
    shape = (check_int(batch, "batch"), check_int(seq_len, "seq_len"), n_features or 1)
    seed = check_seed(seed)
    if inputs is None:
        return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return BuiltFor(n_features=n_features).windows(inputs, "inputs", any_length=True)
