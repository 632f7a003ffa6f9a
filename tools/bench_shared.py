"""Benchmark under sharing: each notebook alone and beside busy processes, for two thread settings.

``python -m tools.bench_shared [notebooks...]`` (``make bench-shared``) runs every notebook
in a fresh kernel three times per setting: alone, beside one CPU-bound process and beside two
(what another learner's notebook, a browser or a video call does to a laptop or a hub node), for

- ``framework``: what PyTorch and TensorFlow do unless told otherwise, one math thread per core and
  OpenMP's default spin-waiting (``LESSONS_THREADS`` = the core count);
- ``course``: the course's setting, one math thread per framework and passive OpenMP waiting
  (``LESSONS_THREADS=1``, ``OMP_NUM_THREADS=1``, ``OMP_WAIT_POLICY=PASSIVE``).

It writes ``build/bench_shared.json`` (per notebook and setting: ``seconds_alone``,
``seconds_shared`` beside one busy process, ``seconds_shared2`` beside two) and a table. A run
that exceeds ``--cap`` seconds is stopped and recorded as at least the cap.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tools.bench import execute_notebook

CORES = os.cpu_count() or 1
SETTINGS = {
    # An empty OMP_WAIT_POLICY is OpenMP's default (spin, then sleep); lessons_lib keeps it.
    "framework": {"LESSONS_THREADS": str(CORES), "OMP_WAIT_POLICY": ""},
    "course": {"LESSONS_THREADS": "1", "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"},
}
# Variables a setting may set; cleared first so the caller's environment does not leak in.
CLEARED = ("LESSONS_THREADS", "OMP_NUM_THREADS", "OMP_WAIT_POLICY")
BUSY = [sys.executable, "-c", "while True: pass"]


def run_beside(path: Path, env: dict[str, str], busy: int, cap: int) -> float:
    """Seconds to execute ``path`` while ``busy`` CPU-bound processes run beside it."""
    # each in its own session, like another learner's kernel: Linux's autogroup scheduler shares
    # the cores between sessions, so busy processes in one session would barely count
    hogs = [subprocess.Popen(BUSY, start_new_session=True) for _ in range(busy)]
    try:
        time.sleep(0.5 if busy else 0)
        try:
            _, seconds = execute_notebook(path, env=env, timeout=cap)
        except Exception as exc:  # a cell timed out: record the cap as a lower bound
            if "timed out" not in str(exc).lower() and "Timeout" not in type(exc).__name__:
                raise
            seconds = float(cap)
        return round(seconds, 1)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def measure(paths: list[Path], settings: list[str], cap: int) -> list[dict]:
    rows = []
    for key in CLEARED:  # the caller's settings must not leak into either setting
        os.environ.pop(key, None)
    for path in paths:
        for name in settings:
            env = {**SETTINGS[name]}
            row = {"name": path.name, "setting": name}
            for key, busy in (("seconds_alone", 0), ("seconds_shared", 1), ("seconds_shared2", 2)):
                print(f"{path.name} {name} beside {busy} busy ...", flush=True)
                row[key] = run_beside(path, env, busy, cap)
            row["shared_over_alone"] = round(row["seconds_shared"] / row["seconds_alone"], 2)
            row["shared2_over_alone"] = round(row["seconds_shared2"] / row["seconds_alone"], 2)
            rows.append(row)
    return rows


def format_table(rows: list[dict]) -> str:
    head = "| notebook | setting | alone s | 1 busy s | 2 busy s | 1 busy/alone | 2 busy/alone |"
    lines = [head, "|" + "---|" * 7]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['setting']} | {r['seconds_alone']} | {r['seconds_shared']} | "
            f"{r['seconds_shared2']} | {r['shared_over_alone']}x | {r['shared2_over_alone']}x |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--settings", default="framework,course")
    parser.add_argument("--cap", type=int, default=300, help="seconds per cell at most")
    parser.add_argument("--out", type=Path, default=Path("build/bench_shared.json"))
    args = parser.parse_args(argv)
    settings = [s for s in args.settings.split(",") if s]
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        parser.error(f"--settings may hold {sorted(SETTINGS)}; got {unknown}")
    paths = args.notebooks or sorted(Path("notebooks").glob("[0-9][0-9]_*.ipynb"))
    rows = measure(paths, settings, args.cap)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"cores": CORES, "rows": rows}, indent=2) + "\n")
    print(format_table(rows))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
