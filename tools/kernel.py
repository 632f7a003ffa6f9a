"""The course kernel: ``python -m tools.kernel`` (``make kernel``) installs "Python
(forecasting-failures)" into the running environment, with its IPython config (quiet C-level
output, the course's thread setting) and JupyterLab's settings overrides (no news pop-up)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lessons_lib._tf_quiet import QUIET_ENV
from lessons_lib.seeding import THREAD_ENV

KERNEL_NAME = "forecasting-failures"
KERNEL_DISPLAY = "Python (forecasting-failures)"
KERNELSPEC = {"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY, "language": "python"}
# ipykernel copies what C code writes to file descriptor 2 into the cell output: TensorFlow's absl
# preamble and CUDA probing would show as red boxes. Python-level warnings still show.
KERNEL_CONFIG = """# Written by `make kernel` (python -m tools.kernel).
# Keep C-level output (TensorFlow/absl/CUDA log lines written straight to file descriptor 2)
# in the kernel's terminal instead of the notebook; Python warnings and errors still show.
c.IPKernelApp.capture_fd_output = False
# The course's thread setting (lessons_lib.seeding.THREAD_ENV), set before the first import of
# NumPy or PyTorch reads it; a variable already set (LESSONS_THREADS=4 make lab) wins.
import os

for key, value in {thread_env!r}.items():
    os.environ.setdefault(key, value)
# Before any cell can import TensorFlow: PyTorch's triton may then load after it without crashing
# the kernel (lessons_lib/_load_order.py), whatever order a learner imports them in.
try:
    from lessons_lib._load_order import guard
except ImportError:  # a kernel of this environment without the course installed
    pass
else:
    guard()
"""

# JupyterLab settings for this environment (<prefix>/share/jupyter/lab/settings/overrides.json):
# no "get notified about Jupyter news?" pop-up over the first cell, no update check over the network.
LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


def install_kernel(prefix: str | Path | None = None) -> Path:
    """Install the course kernelspec and its IPython kernel config into ``prefix`` (the venv).

    The kernelspec runs this Python with TF_CPP_MIN_LOG_LEVEL=3; the config
    (``<prefix>/etc/ipython/ipython_kernel_config.py``, read by IPython through sys.prefix) keeps
    file-descriptor-level stderr out of cell outputs and sets the course's thread setting before
    anything is imported. The config applies to every IPython kernel of this environment.
    Also writes JupyterLab's settings overrides (``LAB_OVERRIDES``: no news pop-up).
    Returns the kernelspec folder.
    """
    prefix = Path(prefix or sys.prefix)
    kdir = prefix / "share" / "jupyter" / "kernels" / KERNEL_NAME
    kdir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": KERNEL_DISPLAY,
        "language": "python",
        "env": dict(QUIET_ENV),
        "metadata": {"debugger": True},
    }
    (kdir / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n")
    cfg = prefix / "etc" / "ipython"
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "ipython_kernel_config.py").write_text(KERNEL_CONFIG.format(thread_env=THREAD_ENV))
    lab = prefix / "share" / "jupyter" / "lab" / "settings"
    lab.mkdir(parents=True, exist_ok=True)
    (lab / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=1) + "\n")
    return kdir


def main() -> int:
    """Install the kernel; say where."""
    kdir = install_kernel()
    print(f"kernel {KERNEL_DISPLAY!r} installed in {kdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
