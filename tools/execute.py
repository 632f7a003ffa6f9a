"""Run a notebook in a fresh kernel, as the course's tools do (bench, robust, quoted_numbers,
bench_shared): the executed notebook, its seconds, and what it ``record``-ed."""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from lessons_lib.recording import ENV_VAR

#: The tag of a cell that is meant to raise (nbval's name; every tool and the checker honour it).
RAISES_TAG = "raises-exception"
#: Terminal colour codes, as IPython writes them into tracebacks.
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def execute_notebook(
    path: Path | str,
    env: dict[str, str] | None = None,
    timeout: int = 900,
    allow_errors: bool = False,
    preamble: str | None = None,
    kernel_stderr: Any = None,
) -> tuple[Any, float]:
    """Execute one notebook in a fresh kernel; return the executed notebook and the seconds it took.

    ``env`` holds extra environment variables for the kernel, on top of this process's (which is
    left unchanged, so several notebooks may run at once). With ``allow_errors`` every cell runs
    and errors stay in the outputs; without it the first error raises nbclient's
    ``CellExecutionError``. ``preamble`` is code run first, in the kernel, as a cell that is removed
    again afterwards (cell indices stay those of the file). ``kernel_stderr`` (an open file)
    receives the kernel process's own stderr (TensorFlow's start-up logging, for example) instead
    of this process's.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    if preamble:
        nb.cells.insert(0, nbformat.v4.new_code_cell(preamble))
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(path.parent)}},
        # Every output is in by then; a kernel holding TensorFlow and PyTorch takes 2-3 s to exit.
        shutdown_kernel="immediate",
    )
    kernel_env = {**os.environ, **(env or {})}
    start = time.perf_counter()
    try:
        if kernel_stderr is None:
            client.execute(env=kernel_env)
        else:
            client.execute(env=kernel_env, stderr=kernel_stderr)
    finally:
        seconds = time.perf_counter() - start
        if preamble:
            nb.cells.pop(0)
    return nb, seconds


def execute_notebook_recorded(
    path: Path | str, env: dict[str, str] | None = None, **kwargs: Any
) -> tuple[Any, float, dict[str, Any]]:
    """``execute_notebook``, plus what the notebook ``record``-ed (``{}`` if nothing)."""
    with tempfile.TemporaryDirectory() as tmp:
        metrics_file = Path(tmp) / "metrics.json"
        nb, seconds = execute_notebook(path, env={**(env or {}), ENV_VAR: str(metrics_file)}, **kwargs)
        metrics = json.loads(metrics_file.read_text()) if metrics_file.exists() else {}
    return nb, seconds, metrics
