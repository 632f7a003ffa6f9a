"""One helper that seeds every source of randomness a lesson touches."""

from __future__ import annotations

import importlib.util
import os
import random
import sys
from collections.abc import Iterable

import numpy as np

FRAMEWORKS = ("torch", "tensorflow")
ALIASES = {"keras": "tensorflow", "tf": "tensorflow", "pytorch": "torch"}


def set_seed(seed: int = 42, frameworks: Iterable[str] | None = None) -> list[str]:
    """Seed Python, NumPy and the installed frameworks; switch on cheap determinism.

    ``frameworks`` defaults to every installed one of ``torch`` and ``tensorflow`` (importing
    them); pass e.g. ``("torch",)`` to skip TensorFlow's import time in a PyTorch-only lesson.
    Returns the frameworks that were seeded.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}.")
    seed = int(seed)
    wanted = FRAMEWORKS if frameworks is None else tuple(ALIASES.get(f, f) for f in frameworks)
    unknown = set(wanted) - set(FRAMEWORKS)
    if unknown:
        raise ValueError(f"frameworks may hold {FRAMEWORKS}; got {sorted(unknown)}.")
    os.environ["PYTHONHASHSEED"] = str(seed)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)
    np.random.seed(seed)
    seeded = []
    for name in wanted:
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            continue
        _SEEDERS[name](seed)
        seeded.append(name)
    return seeded


def _seed_torch(seed: int) -> None:
    import torch

    torch.manual_seed(seed)  # also seeds every CUDA device
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False


def _seed_tensorflow(seed: int) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)  # Python, NumPy and the backend
    try:
        tf.config.experimental.enable_op_determinism()
    except (AttributeError, RuntimeError):  # older TF, or already-initialised context
        pass


_SEEDERS = {"torch": _seed_torch, "tensorflow": _seed_tensorflow}
