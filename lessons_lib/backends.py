"""The backend contract: what a framework module provides so every lesson can train with it.

NumPy only (importing it loads no framework). A backend is a module with

- ``NAME``: its name, "torch" or "keras";
- ``build(window, n_features=1, horizon=1, *, cell="lstm", hidden=32, layers=1, forget_bias=None,
  dropout=0.0)``: a recurrent forecaster mapping windows ``(n, window, n_features)`` to
  ``(n, horizon)``; ``hidden`` is one width or a tuple of widths, one per stacked layer;
- ``fit(model, X, y, *, X_val=None, y_val=None, epochs=10, lr=1e-3, optimizer="adam",
  batch_size=None, clip=None, shuffle=True, print_every=None, label=NAME, device=None)``:
  trains with MSE and returns a ``training.History`` (``.train``, ``.val``, ``.grad_norms`` per
  epoch, ``.seconds``); ``batch_size=None`` is full batch, ``clip`` caps the global gradient norm;
- ``predict(model, X, batch_size=4096)``: a NumPy array ``(n, horizon)``;
- ``evaluate(model, X, y)``: the MSE as a float;
- ``count_params(model)``: the number of trainable weights;
- ``hidden_states(model, X)``: the first recurrent layer's output at the last step, ``(n, width)``;
- ``input_gradient_norms(model, seq_len=200, batch=16, seed=0, inputs=None)``: ``g[k]``, how
  strongly the last output depends on the input ``k`` steps earlier, on the same random inputs
  in every backend.

``Backend`` states this contract as a ``typing.Protocol``, so a type checker verifies a module
against it (``backend: Backend = torch_models``). A new framework is one module implementing these
names, added to ``BACKENDS`` and to the parametrised tests in ``tests/test_backends.py``.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Any, Protocol

import numpy as np

from .training import History


class Backend(Protocol):
    """What every backend module defines (its model type is the framework's: ``Any`` here)."""

    NAME: str

    def build(
        self,
        window: int,
        n_features: int = 1,
        horizon: int = 1,
        *,
        cell: str = "lstm",
        hidden: int | tuple[int, ...] = 32,
        layers: int = 1,
        forget_bias: float | None = None,
        dropout: float = 0.0,
    ) -> Any: ...

    def fit(
        self,
        model: Any,
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
        label: str = ...,  # the backend's NAME
        device: Any = None,
    ) -> History: ...

    def predict(self, model: Any, X: np.ndarray, batch_size: int = 4096) -> np.ndarray: ...

    def evaluate(self, model: Any, X: np.ndarray, y: np.ndarray) -> float: ...

    def count_params(self, model: Any) -> int: ...

    def hidden_states(self, model: Any, X: np.ndarray) -> np.ndarray: ...

    def input_gradient_norms(
        self, model: Any, seq_len: int = 200, batch: int = 16, seed: int = 0, inputs: np.ndarray | None = None
    ) -> np.ndarray: ...


#: The names every backend module defines, in the Protocol's order (read from it: stated once).
CONTRACT = (*Backend.__annotations__, *(n for n in vars(Backend) if not n.startswith("_")))
#: Backend name -> the module implementing it.
BACKENDS = {"torch": "lessons_lib.torch_models", "keras": "lessons_lib.keras_models"}
#: Other spellings accepted by ``load_backend``.
ALIASES = {"pytorch": "torch", "tf": "keras", "tensorflow": "keras"}
#: The environment variable ``load_backend()`` reads when no name is given.
ENV_VAR = "LESSONS_BACKEND"
DEFAULT = "torch"


def backend_name(name: str | None = None) -> str:
    """The canonical backend name for ``name`` (None: env ``LESSONS_BACKEND``, default "torch")."""
    if name is None:
        name = os.environ.get(ENV_VAR, "").strip() or DEFAULT
        source = f"the environment variable {ENV_VAR}"
    else:
        source = "name"
    if not isinstance(name, str):
        raise TypeError(f"name must be a backend name such as 'torch' or 'keras'; got {type(name).__name__}.")
    key = ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in BACKENDS:
        known = sorted([*BACKENDS, *ALIASES])
        raise ValueError(f"{source} is {name!r}, not a backend; use one of {known}.")
    return key


def load_backend(name: str | None = None) -> ModuleType:
    """The backend module for ``name``: "torch" or "keras" (also "pytorch", "tf", "tensorflow").

    ``None`` reads the environment variable ``LESSONS_BACKEND`` (default "torch"). Importing the
    module loads its framework. Raises if the module lacks part of ``CONTRACT``.
    """
    module = importlib.import_module(BACKENDS[backend_name(name)])
    check_backend(module)
    return module


def check_backend(module: ModuleType) -> ModuleType:
    """``module`` must define every name of ``CONTRACT``; says which are missing."""
    missing = [attr for attr in CONTRACT if not hasattr(module, attr)]
    if missing:
        raise TypeError(
            f"{getattr(module, '__name__', module)!s} is not a backend: it lacks {missing}; "
            f"a backend defines {list(CONTRACT)} (see lessons_lib.backends)."
        )
    return module
