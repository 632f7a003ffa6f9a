"""What every training loop gives back (``History``) and how it reports progress; no framework."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._checks import (
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_number,
    check_same_length,
    check_str,
)

#: Bounds on model sizes and training length: larger values would exhaust memory or never end.
MAX_HIDDEN = 4096
MAX_LAYERS = 64
MAX_FEATURES = 100_000
MAX_HORIZON = 100_000
MAX_EPOCHS = 100_000


@dataclass
class History:
    """Loss per epoch (train, and val when given), the wall time, and the largest gradient norm per epoch.

    ``grad_norms`` is filled by the PyTorch loop (the norm before clipping); Keras leaves it empty.
    """

    train: list[float] = field(default_factory=list)
    val: list[float] = field(default_factory=list)
    seconds: float = 0.0
    grad_norms: list[float] = field(default_factory=list)

    @property
    def final(self) -> float:
        """The last epoch's training loss."""
        return self.train[-1]

    @property
    def ratio_last_first(self) -> float:
        """Last epoch's training loss over the first's: about 1 means nothing was learned."""
        return self.train[-1] / self.train[0]

    def __repr__(self) -> str:
        val = f", val {self.val[0]:.3g} -> {self.val[-1]:.3g}" if self.val else ""
        return (
            f"History({len(self.train)} epochs, train {self.train[0]:.3g} -> {self.train[-1]:.3g}"
            f"{val}, {self.seconds:.1f} s)"
        )


class EpochPrinter:
    """One compact line per reported epoch, never pages of log; ``every=0`` prints nothing."""

    def __init__(self, epochs: int, every: int | None = None, label: str = "") -> None:
        epochs = check_int(epochs, "epochs", maximum=MAX_EPOCHS)
        if every is not None:
            every = check_int(every, "print_every", minimum=0, maximum=None)
        check_str(label, "label")
        self.epochs = epochs
        self.every = max(1, epochs // 5) if every is None else every
        self.label = f"[{label}] " if label else ""

    def __call__(self, epoch: int, train: float, val: float | None, seconds: float) -> None:
        if self.every <= 0:
            return
        if epoch == 1 or epoch == self.epochs or epoch % self.every == 0:
            val_text = f"  val {val:.3e}" if val is not None else ""
            print(
                f"{self.label}epoch {epoch:>3}/{self.epochs}  train {train:.3e}{val_text}  ({seconds:.1f} s)",
                flush=True,
            )


def check_training_data(
    X: np.ndarray, y: np.ndarray, name_x: str = "X", name_y: str = "y"
) -> tuple[np.ndarray, np.ndarray]:
    """Validate windows (n, window, features) and targets (n, horizon) before a framework sees them."""
    X_arr = check_array(X, name_x, ndim=3, float32=True, expected="windows (n, window, features)")
    y_arr = check_array(y, name_y, ndim=2, float32=True, expected="targets (n, horizon)")
    check_same_length(X_arr, y_arr, name_x, name_y)
    return X_arr.astype(np.float32), y_arr.astype(np.float32)


def check_output_shape(got: tuple[int, ...], expected: tuple[int, ...], where: str) -> None:
    """A model's output must have the target's shape; say so before the loss broadcasts it."""
    if tuple(got) != tuple(expected):
        raise ValueError(
            f"{where}: the model returns shape {tuple(got)} but the targets have shape "
            f"{tuple(expected)}. The loss would broadcast one against the other and the model "
            "would learn the mean. Make the model's last layer output one value per target step."
        )


def check_recurrent_args(
    n_features: Any, hidden: Any, horizon: Any, layers: Any, cell: Any, cells: Iterable[str]
) -> tuple[int, int, int, int, str]:
    """Validate a recurrent forecaster's sizes and cell name (shared by PyTorch and Keras)."""
    return (
        check_int(n_features, "n_features", maximum=MAX_FEATURES),
        check_int(hidden, "hidden", maximum=MAX_HIDDEN),
        check_int(horizon, "horizon", maximum=MAX_HORIZON),
        check_int(layers, "layers", maximum=MAX_LAYERS),
        check_choice(cell, "cell", sorted(cells)),
    )


def check_fit_options(
    *,
    epochs: Any,
    batch_size: Any,
    shuffle: Any,
    print_every: Any,
    label: Any,
    X_val: Any,
    y_val: Any,
    lr: Any = None,
    clip: Any = None,
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
    check_number(lr, "lr", minimum=0.0, strict=True, allow_none=True)
    check_number(clip, "clip", minimum=0.0, strict=True, allow_none=True)
    return epochs


def check_learning_rate(lr: Any) -> float:
    """A learning rate is a finite number > 0."""
    return check_number(lr, "lr", minimum=0.0, strict=True)
