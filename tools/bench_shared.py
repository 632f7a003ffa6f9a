"""Benchmark under sharing: each notebook alone and beside busy processes, for two thread settings.

``python -m tools.bench_shared [notebooks...]`` (``make bench-shared``) runs every notebook
in a fresh kernel three times per setting: alone, beside one CPU-bound process and beside two
(what another learner's notebook, a browser or a video call does to a laptop or a hub node), for

- ``framework``: what PyTorch and TensorFlow do unless told otherwise, one math thread per core and
  OpenMP's default spin-waiting (``LESSONS_THREADS`` = the core count);
- ``course``: the course's setting (``lessons_lib.seeding.THREAD_ENV``), one math thread per
  framework and passive OpenMP waiting (``LESSONS_THREADS=1``, ``OMP_NUM_THREADS=1``,
  ``OMP_WAIT_POLICY=PASSIVE``).

It writes ``build/bench_shared.json`` (per notebook and setting: ``seconds_alone``,
``seconds_shared`` beside one busy process, ``seconds_shared2`` beside two) after every row, so an
interrupted run keeps what it measured and a later run for other notebooks adds to the file.
A shared run is stopped once it has taken ``--cap-ratio`` times its notebook's time alone (or
``--cap`` seconds); it is recorded as that many seconds, a lower bound, and listed in ``stopped``.
``kernel_peak_mb`` is the kernel's peak resident memory in the run alone, for sizing a hub.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from lessons_lib.seeding import THREAD_ENV, THREAD_VARS, thread_env
from tools import BUILD, lesson_notebooks
from tools.execute import execute_notebook

CORES = os.cpu_count() or 1
SETTINGS = {
    # What the frameworks do by themselves: a thread per core, and an empty OMP_WAIT_POLICY, which
    # is OpenMP's default (spin, then sleep). Every variable is given, so the course's defaults
    # (lessons_lib.seeding.THREAD_ENV, set where a variable is missing) do not apply.
    "framework": {**thread_env(CORES), "OMP_WAIT_POLICY": ""},
    "course": dict(THREAD_ENV),
}
# Variables a setting may set; cleared first so the caller's environment does not leak in.
CLEARED = (*THREAD_VARS, "OMP_WAIT_POLICY")
BUSY = [sys.executable, "-c", "while True: pass"]
RUNS = (("seconds_alone", 0), ("seconds_shared", 1), ("seconds_shared2", 2))


def _kernels() -> list:
    """This process's kernel processes (psutil), each started by nbclient for one notebook."""
    import psutil

    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:  # it ended meanwhile
            pass
    return found


def _kill_kernels() -> None:
    """Kill this process's kernels: nbclient then stops with a dead-kernel error."""
    for kernel in _kernels():
        kernel.kill()


class PeakMemory(threading.Thread):
    """Samples the resident memory of this process's kernels (with their children) until stopped."""

    def __init__(self, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.every, self.peak_mb, self._stop_event = every, 0.0, threading.Event()

    def run(self) -> None:
        import psutil

        while not self._stop_event.wait(self.every):
            total = 0
            for kernel in _kernels():
                try:
                    procs = [kernel, *kernel.children(recursive=True)]
                    total += sum(p.memory_info().rss for p in procs)
                except psutil.Error:
                    pass
            self.peak_mb = max(self.peak_mb, total / 2**20)

    def stop(self) -> float:
        """Stop sampling; the peak in MB."""
        self._stop_event.set()
        self.join()
        return round(self.peak_mb)


def run_beside(path: Path, env: dict[str, str], busy: int, cap: float) -> tuple[float, bool, float]:
    """Execute ``path`` beside ``busy`` CPU-bound processes: seconds, stopped or not, peak MB.

    A run still going after ``cap`` seconds is stopped and reported as ``cap`` seconds. The peak
    is the kernel's resident memory, sampled five times a second.
    """
    # each in its own session, like another learner's kernel: Linux's autogroup scheduler shares
    # the cores between sessions, so busy processes in one session would barely count
    hogs = [subprocess.Popen(BUSY, start_new_session=True) for _ in range(busy)]
    watchdog = threading.Timer(cap, _kill_kernels)
    memory = PeakMemory()
    try:
        time.sleep(0.5 if busy else 0)
        watchdog.start()
        memory.start()
        try:
            _, seconds = execute_notebook(path, env=env, timeout=int(cap) + 1)
        except Exception as exc:  # the watchdog killed the kernel, or a cell ran past the cap
            timed_out = "timed out" in str(exc).lower() or "Timeout" in type(exc).__name__
            if not (watchdog.finished.is_set() or timed_out):
                raise
            return round(float(cap), 1), True, memory.stop()
        return round(seconds, 1), False, memory.stop()
    finally:
        watchdog.cancel()
        if memory.is_alive():
            memory.stop()
        for hog in hogs:
            hog.kill()
            hog.wait()


def measure_row(path: Path, setting: str, cap: float, cap_ratio: float) -> dict:
    """One notebook under one setting: alone, beside one busy process, beside two."""
    env = {**SETTINGS[setting]}
    row: dict = {"name": path.name, "setting": setting, "stopped": []}
    for key, busy in RUNS:
        limit = cap if busy == 0 else min(cap, cap_ratio * row["seconds_alone"])
        print(f"{path.name} {setting} beside {busy} busy (stop at {limit:.0f} s) ...", flush=True)
        row[key], stopped, peak_mb = run_beside(path, env, busy, limit)
        if busy == 0:
            row["kernel_peak_mb"] = peak_mb
        if stopped:
            row["stopped"].append(key)
    row["shared_over_alone"] = round(row["seconds_shared"] / row["seconds_alone"], 2)
    row["shared2_over_alone"] = round(row["seconds_shared2"] / row["seconds_alone"], 2)
    return row


def save(out: Path, rows: list[dict]) -> None:
    """Merge ``rows`` into ``out`` (one row per notebook and setting), in notebook order."""
    old = json.loads(out.read_text())["rows"] if out.exists() else []
    merged = {(r["name"], r["setting"]): r for r in old + rows}
    ordered = sorted(merged.values(), key=lambda r: (r["name"], list(SETTINGS).index(r["setting"])))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"cores": CORES, "rows": ordered}, indent=2) + "\n")


def format_table(rows: list[dict]) -> str:
    """The rows as a markdown table; a stopped run shows as ``>= seconds``."""
    head = (
        "| notebook | setting | alone s | 1 busy s | 2 busy s | 1 busy/alone | 2 busy/alone "
        "| kernel peak MB |"
    )
    lines = [head, "|" + "---|" * 8]
    for r in rows:
        ge = {key: ">=" if key in r.get("stopped", []) else "" for key, _ in RUNS}
        lines.append(
            f"| {r['name']} | {r['setting']} | {ge['seconds_alone']}{r['seconds_alone']} | "
            f"{ge['seconds_shared']}{r['seconds_shared']} | "
            f"{ge['seconds_shared2']}{r['seconds_shared2']} | "
            f"{ge['seconds_shared']}{r['shared_over_alone']}x | "
            f"{ge['seconds_shared2']}{r['shared2_over_alone']}x | {r.get('kernel_peak_mb', '')} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure every notebook in every setting, saving --out after each row; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--settings", default="framework,course")
    parser.add_argument("--cap", type=float, default=600, help="seconds per run at most")
    parser.add_argument(
        "--cap-ratio",
        type=float,
        default=4.0,
        help="stop a shared run after this many times the notebook's time alone",
    )
    parser.add_argument("--out", type=Path, default=BUILD / "bench_shared.json")
    args = parser.parse_args(argv)
    settings = [s for s in args.settings.split(",") if s]
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        parser.error(f"--settings may hold {sorted(SETTINGS)}; got {unknown}")
    if args.cap <= 0 or args.cap_ratio <= 1:
        parser.error("--cap must be > 0 and --cap-ratio > 1")
    paths = args.notebooks or lesson_notebooks("notebooks")
    for key in CLEARED:  # the caller's settings must not leak into either setting
        os.environ.pop(key, None)
    rows = []
    for path in paths:
        for setting in settings:
            rows.append(measure_row(path, setting, args.cap, args.cap_ratio))
            save(args.out, rows)
    print(format_table(json.loads(args.out.read_text())["rows"]))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
