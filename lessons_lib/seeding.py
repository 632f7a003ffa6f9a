"""One helper that seeds every source of randomness a lesson touches, and sets its thread count.

Two environment variables change what it does, so that a sweep can rerun every notebook
differently without editing it:

- ``LESSONS_SEED_OFFSET`` (default 0) is added to every seed passed to ``set_seed``: the
  robustness sweep uses it to check that a lesson's claims do not hang on one seed.
- ``LESSONS_THREADS`` (default 1) is the number of math threads PyTorch and TensorFlow use.
  One thread costs a lesson some speed on an idle machine (one of lesson 02's PyTorch fits:
  1.0 s on one thread, 0.7 s on two, on 2 idle cores), and it stays fast when other programs share
  the cores (many threads spin against each other and slow down many times).

``THREAD_ENV`` is the course's thread setting: one math thread (``LESSONS_THREADS=1``,
``OMP_NUM_THREADS=1``) and passive OpenMP waiting (``OMP_WAIT_POLICY=PASSIVE``: an idle thread
sleeps instead of spinning on a core another learner's kernel needs). Measured with
``make bench-shared``: a lesson beside two busy processes on two cores takes at most 1.7x its
time alone with it, and 4x or more with the frameworks' defaults. The course kernel sets it before
any import (``make kernel`` writes it into the kernel's config) and importing ``lessons_lib`` sets
it too, each only where the environment does not already say otherwise, so a learner may ask for
more threads (``LESSONS_THREADS=4 make lab``).
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
from collections.abc import Iterable

import numpy as np

FRAMEWORKS = ("torch", "tensorflow")
ALIASES = {"keras": "tensorflow", "tf": "tensorflow", "pytorch": "torch"}
SEED_OFFSET_VAR = "LESSONS_SEED_OFFSET"
THREADS_VAR = "LESSONS_THREADS"
#: What sets the math threads of a process about to start: the course's own variable, and those
#: OpenMP, MKL and OpenBLAS read once, when they load.
THREAD_VARS = (THREADS_VAR, "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def thread_env(n: int, lessons: bool = True) -> dict[str, str]:
    """The environment that starts a process with ``n`` math threads, OpenMP waiting passively
    (``lessons=False`` leaves ``LESSONS_THREADS``, the frameworks' threads, to the process)."""
    names = THREAD_VARS if lessons else THREAD_VARS[1:]
    return {**dict.fromkeys(names, str(max(1, int(n)))), "OMP_WAIT_POLICY": "PASSIVE"}


def threads_per_job(jobs: int) -> int | None:
    """Math threads for each of ``jobs`` processes run at once, None for a single one (it keeps its
    own): several kernels that each spin a thread per core crawl."""
    return max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else None


#: The course's thread setting, set at import (unless already set): one math thread.
THREAD_ENV = {THREADS_VAR: "1", "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"}
for _key, _value in THREAD_ENV.items():
    os.environ.setdefault(_key, _value)


def _env_int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"environment variable {name} must be a whole number; got {raw!r}.") from None
    if value < minimum:
        raise ValueError(f"environment variable {name} must be >= {minimum}; got {value}.")
    return value


def seed_offset() -> int:
    """The offset added to every seed (``LESSONS_SEED_OFFSET``, 0 unless a sweep sets it)."""
    return _env_int(SEED_OFFSET_VAR, 0, 0)


def thread_count() -> int:
    """Math threads per framework (``LESSONS_THREADS``, default 1)."""
    return _env_int(THREADS_VAR, 1, 1)


def set_seed(seed: int = 42, frameworks: Iterable[str] | None = None) -> None:
    """Seed Python, NumPy and the installed frameworks; switch on cheap determinism; set threads.

    ``frameworks`` defaults to every installed one of ``torch`` and ``tensorflow`` (importing
    them); pass e.g. ``("torch",)`` to skip TensorFlow's import time in a PyTorch-only lesson.
    ``seeded_frameworks()`` says which were seeded. Returns nothing, so a bare call in a
    notebook cell prints nothing.
    """
    if isinstance(seed, bool | np.bool_) or not isinstance(seed, int | np.integer):
        raise TypeError(
            f"seed must be a non-negative integer such as 42; got {seed!r:.40} ({type(seed).__name__})."
        )
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be a non-negative integer such as 42, below 2**32; got {seed}.")
    if isinstance(frameworks, str | bytes) or not (frameworks is None or isinstance(frameworks, Iterable)):
        raise TypeError(f"frameworks must be a list of names such as ('torch',); got {frameworks!r:.40}.")
    names = None if frameworks is None else list(frameworks)
    if names is not None and not all(isinstance(f, str) for f in names):
        raise TypeError(f"frameworks must hold names (strings) such as 'torch'; got {names!r:.60}.")
    seed = int(seed) + seed_offset()
    if seed >= 2**32:
        raise ValueError(f"seed + {SEED_OFFSET_VAR} = {seed} must stay below 2**32; use a smaller seed.")
    wanted = FRAMEWORKS if names is None else tuple(ALIASES.get(f, f) for f in names)
    unknown = set(wanted) - set(FRAMEWORKS)
    if unknown:
        raise ValueError(f"frameworks may hold {FRAMEWORKS} (or 'keras'); got {sorted(unknown)}.")
    os.environ["PYTHONHASHSEED"] = str(seed)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)
    np.random.seed(seed)
    for name in wanted:
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            continue
        _SEEDERS[name](seed)
        _seeded.add(name)


def seeded_frameworks() -> list[str]:
    """The frameworks ``set_seed`` has seeded in this process, in a fixed order."""
    return [name for name in FRAMEWORKS if name in _seeded]


_seeded: set[str] = set()


def _seed_torch(seed: int) -> None:
    import torch

    torch.manual_seed(seed)  # also seeds every CUDA device
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    n = thread_count()
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    try:
        torch.set_num_interop_threads(n)
    except RuntimeError:  # only allowed before the first parallel work; later calls keep it
        pass


def _seed_tensorflow(seed: int) -> None:
    from ._tf_quiet import quiet_native_stderr

    with quiet_native_stderr():  # TensorFlow's start-up lines would show as a red stderr box
        import keras
        import tensorflow as tf

    n = thread_count()
    try:  # only possible before TensorFlow starts its runtime; later calls keep the first setting
        tf.config.threading.set_intra_op_parallelism_threads(n)
        tf.config.threading.set_inter_op_parallelism_threads(n)
    except RuntimeError:
        pass
    keras.utils.set_random_seed(seed)  # Python, NumPy and the backend
    try:
        tf.config.experimental.enable_op_determinism()
    except (AttributeError, RuntimeError):  # older TF, or already-initialised context
        pass


_SEEDERS = {"torch": _seed_torch, "tensorflow": _seed_tensorflow}
