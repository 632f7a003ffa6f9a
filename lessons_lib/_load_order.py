"""Keep TensorFlow and triton from crashing the kernel, in whatever order they are imported.

PyTorch's Linux wheels on PyPI (the CUDA builds) bring triton, PyTorch's GPU compiler, and
import it lazily: ``torch.use_deterministic_algorithms``, the first optimiser, ``torch.compile``.
TensorFlow 2.20 and later, as PyPI ships it for Linux, loads its core library with RTLD_GLOBAL
(``tensorflow/python/pywrap_dlopen_global_flags.py``), which puts its statically linked LLVM into
the process's global symbol table. triton 3.7 carries its own LLVM: loaded after TensorFlow, its
LLVM calls bind to TensorFlow's copy and the process dies with a segmentation fault in
``triton/knobs.py`` (TensorFlow issue 124205, fixed upstream by not shipping that file in these
wheels, pull request 124230; PythonOT/POT issue 816). PyTorch's CPU wheels have no triton.

``guard()``, run when ``lessons_lib`` is imported and by the course kernel before any cell:

- TensorFlow not loaded yet: TensorFlow will load its library with RTLD_LOCAL (that helper module
  is marked absent, so TensorFlow takes the branch it takes on builds without the file, as the
  upstream fix does); triton then loads before or after it alike.
- TensorFlow already loaded with RTLD_GLOBAL, triton not: triton cannot be loaded safely in this
  process any more. It is switched off (marked absent: PyTorch runs as its CPU wheel does, which
  the course needs) and a warning says why and what to do to have it back.

Nothing changes where triton or TensorFlow is not installed. NumPy-free, stdlib only.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings

#: The module that makes TensorFlow load its library with RTLD_GLOBAL.
TF_GLOBAL_FLAGS = "tensorflow.python.pywrap_dlopen_global_flags"
TRITON = "triton"

TRITON_OFF = (
    "TensorFlow was imported before lessons_lib, and it shares its LLVM with every library loaded "
    "after it: loading triton (PyTorch's GPU compiler) now would crash the kernel (TensorFlow issue "
    "124205). lessons_lib switched triton off in this kernel; PyTorch runs without it, as on its "
    "CPU-only build, and every lesson works. To use triton (torch.compile on a GPU): restart the "
    "kernel and run `import lessons_lib` before anything imports tensorflow or keras."
)


class TritonSwitchedOff(RuntimeWarning):
    """triton was switched off because TensorFlow was loaded first with RTLD_GLOBAL."""


def _installed(name: str) -> bool:
    if name in sys.modules:
        return sys.modules[name] is not None
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def guard() -> str:
    """Make TensorFlow and triton safe together in this process; says what it did.

    Returns "not needed" (triton or TensorFlow missing, or triton already loaded), "tensorflow
    local" (TensorFlow will load with RTLD_LOCAL) or "triton off" (TensorFlow was already loaded
    with RTLD_GLOBAL: triton is switched off, with a ``TritonSwitchedOff`` warning).
    """
    if TRITON in sys.modules:
        return "triton off" if sys.modules[TRITON] is None else "not needed"
    if not (_installed(TRITON) and _installed("tensorflow")):
        return "not needed"
    if "tensorflow" not in sys.modules:
        sys.modules.setdefault(TF_GLOBAL_FLAGS, None)
        return "tensorflow local"
    if sys.modules.get(TF_GLOBAL_FLAGS) is None:  # loaded after an earlier guard(): local already
        return "tensorflow local"
    sys.modules[TRITON] = None
    warnings.warn(TRITON_OFF, TritonSwitchedOff, stacklevel=2)
    return "triton off"
