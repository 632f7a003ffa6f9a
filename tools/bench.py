"""Benchmark: run every notebook once, time it, collect what it ``record``-ed.

``python -m tools.bench [notebooks...] [--out build/bench.json] [--cells N]``

``--cells N`` also prints each notebook's N slowest cells and writes every cell's seconds to
``build/bench-cells.json`` (from nbclient's execution timestamps; bench.json keeps its format).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tools import BUILD, lesson_notebooks
from tools.execute import execute_notebook_recorded


def cell_seconds(nb: Any) -> list[dict[str, Any]]:
    """Each executed code cell's index, seconds (nbclient's timestamps) and first source line."""
    cells = []
    for index, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        begin, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if cell.cell_type != "code" or not (begin and end):
            continue
        seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(begin)).total_seconds()
        first = next((line for line in cell.source.splitlines() if line.strip()), "")
        cells.append({"cell": index, "seconds": round(seconds, 2), "source": first[:70]})
    return cells


def run_notebook(path: Path, timeout: int = 900) -> dict[str, Any]:
    """Execute one notebook in a fresh kernel; return its name, seconds, metrics and cell times."""
    start = time.perf_counter()
    error, cells = None, []
    try:
        nb, seconds, metrics = execute_notebook_recorded(path, timeout=timeout)
        cells = cell_seconds(nb)
    except Exception as exc:  # report it in the table, keep benchmarking the rest
        seconds, metrics = time.perf_counter() - start, {}
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200]}"
    row: dict[str, Any] = {"name": path.name, "seconds": round(seconds, 2), "metrics": metrics}
    if error:
        row["error"] = error
    return row | {"cells": cells}


def format_slowest(rows: list[dict[str, Any]], n: int) -> str:
    """Each notebook's ``n`` slowest cells, slowest first."""
    lines = [f"{'notebook':<34} {'cell':>5} {'seconds':>8}  first line"]
    for row in rows:
        for c in sorted(row["cells"], key=lambda c: -c["seconds"])[:n]:
            lines.append(f"{row['name']:<34} {c['cell']:>5} {c['seconds']:>8.1f}  {c['source']}")
    return "\n".join(lines)


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
    parser.add_argument("--out", type=Path, default=BUILD / "bench.json")
    parser.add_argument("--cells", type=int, default=0, help="print the N slowest cells per notebook")
    args = parser.parse_args(argv)
    paths = args.notebooks or lesson_notebooks("notebooks")
    if not paths:
        print("no notebooks found; pass paths or run from the repository root", file=sys.stderr)
        return 2
    rows = []
    for path in paths:
        print(f"running {path} ...", flush=True)
        rows.append(run_notebook(path))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cells = {r["name"]: r.pop("cells") for r in rows}
    args.out.write_text(json.dumps({"notebooks": rows}, indent=2) + "\n")
    print(format_table(rows))
    if args.cells > 0:
        (args.out.parent / "bench-cells.json").write_text(json.dumps(cells, indent=1) + "\n")
        print("\n" + format_slowest([r | {"cells": cells[r["name"]]} for r in rows], args.cells))
    print(f"\nwritten to {args.out}")
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
