"""Benchmark: run every notebook once, time it, collect what it ``record``-ed.

``python -m tools.bench [notebooks...] [--out build/bench.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lessons_lib.recording import ENV_VAR


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


def run_notebook(path: Path, timeout: int = 900) -> dict[str, Any]:
    """Execute one notebook in a fresh kernel; return its name, seconds and metrics."""
    with tempfile.TemporaryDirectory() as tmp:
        metrics_file = Path(tmp) / "metrics.json"
        start = time.perf_counter()
        error = None
        try:
            _, seconds = execute_notebook(path, env={ENV_VAR: str(metrics_file)}, timeout=timeout)
        except Exception as exc:  # report it in the table, keep benchmarking the rest
            seconds = time.perf_counter() - start
            error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200]}"
        metrics = json.loads(metrics_file.read_text()) if metrics_file.exists() else {}
    row: dict[str, Any] = {"name": path.name, "seconds": round(seconds, 2), "metrics": metrics}
    if error:
        row["error"] = error
    return row


def format_table(rows: list[dict[str, Any]]) -> str:
    """The benchmark as a plain-text table: one line per notebook, then its metrics."""
    lines = [f"{'notebook':<34} {'seconds':>8}  status"]
    for row in rows:
        status = "ERROR " + row["error"] if "error" in row else "ok"
        lines.append(f"{row['name']:<34} {row['seconds']:>8.1f}  {status}")
        for key, value in row["metrics"].items():
            shown = f"{value:.4g}" if isinstance(value, float) else str(value)
            lines.append(f"    {key:<40} {shown}")
    lines.append(f"{'total':<34} {sum(r['seconds'] for r in rows):>8.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the notebooks once each, write --out, print the table; exit 1 if one failed, 2 if none found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, default=Path("build/bench.json"))
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(Path("notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        print("no notebooks found; pass paths or run from the repository root", file=sys.stderr)
        return 2
    rows = []
    for path in paths:
        print(f"running {path} ...", flush=True)
        rows.append(run_notebook(path))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"notebooks": rows}, indent=2) + "\n")
    print(format_table(rows))
    print(f"\nwritten to {args.out}")
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
