"""TensorFlow and PyTorch in one kernel, in every order a lesson or a learner's cell may use.

With PyTorch's Linux wheels from PyPI (CUDA builds, with triton), loading triton after
TensorFlow segfaults the process (lessons_lib/_load_order.py). Each order runs in its own Python
process, so a crash is a failed test with the signal named, not a dead pytest. In an environment
without triton (these machines' CPU wheel) the same orders must run too; `make test-pypi` runs
this file where PyTorch is the build learners get.
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import types
import warnings
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
from nbclient import NotebookClient

from lessons_lib import _load_order
from tools import kernel

HAS_TRITON = importlib.util.find_spec("triton") is not None
ALIVE = "@@ALIVE@@"
# Both backends in one process: a PyTorch optimiser step (the first optimiser loads triton where it
# is installed) and a Keras model's forward pass.
BOTH_BACKENDS = f"""
import numpy as np
import lessons_lib as ll
X, y = np.zeros((8, 4, 1), "float32"), np.zeros((8, 1), "float32")
torch_be, keras_be = ll.load_backend("torch"), ll.load_backend("keras")
torch_be.fit(torch_be.build(4, hidden=4), X, y, epochs=1, print_every=0)
keras_be.predict(keras_be.build(4, hidden=4), X)
import sys
print("{ALIVE}", "triton:", sys.modules.get("triton", "not loaded"))
"""
ORDERS = {
    "keras_models then set_seed (lessons 01-03)": (
        "import lessons_lib as ll\nfrom lessons_lib import keras_models\nll.set_seed(0)"
    ),
    "set_seed before the backends": (
        "import lessons_lib as ll\nll.set_seed(0)\nfrom lessons_lib import keras_models, torch_models"
    ),
    "environment_report first": "import lessons_lib as ll\nll.environment_report()\nll.set_seed(0)",
    "PyTorch's pieces first": (
        "import torch\ntorch.use_deterministic_algorithms(True)\nimport tensorflow\n"
        "import lessons_lib as ll\nll.set_seed(0)"
    ),
    "lessons_lib, then TensorFlow and a PyTorch optimiser by hand": (
        "import lessons_lib\nimport tensorflow\nimport torch\n"
        "torch.optim.Adam([torch.zeros(1, requires_grad=True)])"
    ),
    "TensorFlow before lessons_lib": "import tensorflow\nimport lessons_lib as ll\nll.set_seed(0)",
}


def run_python(code: str) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter of this environment (a crash stays in that process)."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=False
    )


def died(result: subprocess.CompletedProcess) -> str:
    """Why the process did not finish: its signal or exit status, and the end of its stderr."""
    if result.returncode < 0:
        how = f"killed by {signal.Signals(-result.returncode).name}"
    else:
        how = f"exit status {result.returncode}"
    return f"{how}; stderr ends:\n{result.stderr[-1500:]}"


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess]:
    """Every order, each in its own process, two at a time (importing both frameworks is slow)."""
    with ThreadPoolExecutor(2) as pool:
        results = pool.map(lambda code: run_python(code + BOTH_BACKENDS), ORDERS.values())
        return dict(zip(ORDERS, results, strict=True))


@pytest.mark.parametrize("order", ORDERS, ids=list(ORDERS))
def test_no_import_order_brings_the_process_down(runs, order):
    result = runs[order]
    assert result.returncode == 0 and ALIVE in result.stdout, f"{order}: {died(result)}"
    switched_off = _load_order.TritonSwitchedOff.__name__ in result.stderr
    tf_first = order == "TensorFlow before lessons_lib"
    assert switched_off == (tf_first and HAS_TRITON), (
        f"{order}: the triton warning {'is missing' if not switched_off else 'shows needlessly'}"
    )


def test_course_kernel_lets_a_cell_import_tensorflow_before_pytorch(course_kernel, tmp_path):
    """A learner's first cell may import TensorFlow itself: the course kernel guards at start."""
    cell = (
        "import tensorflow\nimport torch\n"
        "torch.optim.Adam([torch.zeros(1, requires_grad=True)])\n"
        "torch.use_deterministic_algorithms(True)\nprint('alive')"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    resources = {"metadata": {"path": str(tmp_path)}}
    NotebookClient(nb, kernel_name=kernel.KERNEL_NAME, timeout=600, resources=resources).execute()
    shown = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert "alive" in shown and _load_order.TritonSwitchedOff.__name__ not in shown, shown


@pytest.fixture
def fresh_modules(monkeypatch):
    """sys.modules as guard() sees it, restored afterwards; triton and TensorFlow 'installed'."""
    for name in (_load_order.TRITON, _load_order.TF_GLOBAL_FLAGS, "tensorflow"):
        monkeypatch.setitem(sys.modules, name, None)  # records what to restore, even absence
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(_load_order, "_installed", lambda name: True)
    return monkeypatch


def test_guard_makes_tensorflow_load_locally_when_it_comes_first(fresh_modules):
    assert _load_order.guard() == "tensorflow local"
    assert sys.modules[_load_order.TF_GLOBAL_FLAGS] is None  # TensorFlow's RTLD_LOCAL branch
    assert _load_order.TRITON not in sys.modules


def test_guard_switches_triton_off_with_a_warning_after_a_global_tensorflow(fresh_modules):
    fresh_modules.setitem(sys.modules, "tensorflow", types.ModuleType("tensorflow"))
    flags = types.ModuleType(_load_order.TF_GLOBAL_FLAGS)
    fresh_modules.setitem(sys.modules, _load_order.TF_GLOBAL_FLAGS, flags)
    with pytest.warns(_load_order.TritonSwitchedOff, match="restart the kernel"):
        assert _load_order.guard() == "triton off"
    assert sys.modules[_load_order.TRITON] is None
    assert importlib.util.find_spec(_load_order.TRITON) is None  # what PyTorch asks
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _load_order.guard() == "triton off"  # said once


def test_guard_leaves_an_environment_without_triton_alone(monkeypatch):
    monkeypatch.setattr(_load_order, "_installed", lambda name: name != _load_order.TRITON)
    monkeypatch.setitem(sys.modules, _load_order.TRITON, None)
    monkeypatch.delitem(sys.modules, _load_order.TRITON)
    before = dict(sys.modules)
    assert _load_order.guard() == "not needed"
    assert dict(sys.modules) == before
