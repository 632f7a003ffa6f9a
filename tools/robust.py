"""Robustness sweep: run every notebook under perturbations; every assert must hold in every run.

``python -m tools.robust [--jobs 2] [--notebooks PATH...] [--perturbations NAME...]``

Each run is a fresh kernel with its own environment (this process's environment is not changed):

===============  =================================================================================
``baseline``     nothing changed
``seed+1..3``    ``LESSONS_SEED_OFFSET=1/2/3``: every seed passed to ``ll.set_seed`` moves; data
                 seeds (``ll.two_waves(seed=...)``) stay
``threads2``     two math threads in every library (``lessons_lib.seeding.thread_env(2)``), OpenMP
                 threads spinning while they wait (the run has its two cores to itself)
``onednn_off``   ``TF_ENABLE_ONEDNN_OPTS=0``: TensorFlow without oneDNN kernels
``keras``        ``LESSONS_BACKEND=keras``: lessons that train through ``ll.load_backend()`` use
                 the Keras backend instead of PyTorch (their asserts must hold in both)
===============  =================================================================================

A run may combine perturbations, joined by ``/`` (``seed+2/threads2``): its environment is theirs
together. The default sweep (``DEFAULT_SWEEP``, what ``make robust`` and CI run) pairs each seed
offset with one of the other changes, so every perturbation is met in 4 runs per notebook instead
of 7: an assert that breaks under one factor breaks in the run that holds it, and the run's name
says which factors to try one at a time (``--perturbations seed+2 threads2``).

Every run sets ``TF_CPP_MIN_LOG_LEVEL=3`` and one math thread per library unless the perturbation
says otherwise. Cells run on after an error, so one failed cell does not hide later ones; every
cell that raised is recorded with its exception and, for an ``assert``, the assert's source and
the values of its operands. A cell tagged ``raises-exception`` is expected to raise. Cells are
numbered from 0 over all cells (markdown and raw ones included), as nbformat lists them.

The baseline run of each notebook is also given to ``tools.quoted_numbers``: a number its text
quotes that no cell prints, records or writes counts as a failure ("unbacked numbers").

Writes ``build/robust.json`` (``{notebook: {perturbation: {"seconds", "failures": [{cell, error,
message}]}}}``, the baseline with ``unbacked_numbers`` too), the executed notebooks as
``build/executed/<stem>__<perturbation>.ipynb`` with each kernel's stderr beside it (``.log``),
prints a table notebook x perturbation -> failed cells, and exits 1 when anything failed.

``--jobs N`` runs N notebooks at once. Runs share the cores: each uses one math thread, and a
``threads2`` run takes two of the slots (the slots are ``max(jobs, cores)``), so on two cores it
runs alone instead of oversubscribing them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from lessons_lib._tf_quiet import QUIET_ENV
from lessons_lib.backends import ENV_VAR as BACKEND_VAR
from lessons_lib.seeding import SEED_OFFSET_VAR, THREADS_VAR, thread_env
from tools import BUILD
from tools.execute import ANSI, RAISES_TAG

PERTURBATIONS: dict[str, dict[str, str]] = {
    "baseline": {},
    "seed+1": {SEED_OFFSET_VAR: "1"},
    "seed+2": {SEED_OFFSET_VAR: "2"},
    "seed+3": {SEED_OFFSET_VAR: "3"},
    # OpenMP threads spin while they wait (ACTIVE): a threads2 run takes two core slots (see --jobs),
    # so nothing shares its cores. Waiting passively woke a sleeping thread at every one of the
    # small models' parallel regions: lesson 02 took 95 s instead of 24 s on the 2-core machine.
    "threads2": {**thread_env(2), "OMP_WAIT_POLICY": "ACTIVE"},
    "onednn_off": {"TF_ENABLE_ONEDNN_OPTS": "0"},
    "keras": {BACKEND_VAR: "keras"},
}
# A perturbation that changes nothing a notebook runs repeats its baseline: it is left out for a
# notebook whose code cells hold none of these (Keras only reaches a lesson through load_backend;
# oneDNN only matters once TensorFlow is imported).
NEEDS: dict[str, tuple[str, ...]] = {
    "keras": ("load_backend(",),
    "onednn_off": ("tensorflow", "keras", "load_backend("),
}
#: The sweep ``make robust`` and CI run: the baseline, then each seed offset with one other change.
DEFAULT_SWEEP = ["baseline", "seed+1/onednn_off", "seed+2/threads2", "seed+3/keras"]
BASE_ENV = {
    **QUIET_ENV,
    BACKEND_VAR: "torch",
    SEED_OFFSET_VAR: "0",
    **thread_env(1),
}

# Run in the kernel before the notebook (as a cell that is removed again): a failed assert's
# message gets the assert's source and the values of its operands, e.g.
# "assert ratio > 1e6 * base  [ratio = 3.2e+04; 1e6 * base = 1.1e+05]".
PREAMBLE = r"""
def _robust_assert_values(shell, etype, value, tb, tb_offset=None):
    import ast
    import linecache

    def operands(node):
        if isinstance(node, ast.BoolOp):
            return [o for v in node.values for o in operands(v)]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return operands(node.operand)
        if isinstance(node, ast.Compare):
            return [n for n in [node.left, *node.comparators] if not isinstance(n, ast.Constant)]
        return [node]

    def short(v):
        if isinstance(v, float):
            return f"{v:.4g}"
        text = repr(v)
        return text if len(text) <= 120 else text[:117] + "..."

    try:
        last = tb
        while last.tb_next is not None:
            last = last.tb_next
        frame, lineno = last.tb_frame, last.tb_lineno
        source = "".join(linecache.getlines(frame.f_code.co_filename))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Assert) and node.lineno <= lineno <= node.end_lineno:
                parts = []
                for sub in operands(node.test)[:8]:
                    try:
                        got = short(eval(compile(ast.Expression(sub), "<assert>", "eval"),
                                         frame.f_globals, frame.f_locals))
                    except Exception as exc:
                        got = f"<{type(exc).__name__}>"
                    parts.append(f"{ast.get_source_segment(source, sub)} = {got}")
                text = " ".join(ast.get_source_segment(source, node.test).split())
                note = f"assert {text}  [{'; '.join(parts)}]"
                value.args = (f"{value.args[0]}  <- {note}" if value.args else note,)
                break
    except Exception:
        pass
    stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    shell._showtraceback(etype, value, stb)  # IPython does not show what a custom handler returns
    return stb


get_ipython().set_custom_exc((AssertionError,), _robust_assert_values)
del _robust_assert_values
"""


def cores() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def factors(perturbation: str) -> list[str]:
    """The single perturbations a run combines (``seed+2/threads2`` -> seed+2, threads2); checked."""
    parts = perturbation.split("/")
    unknown = [f for f in parts if f not in PERTURBATIONS]
    if unknown:
        raise ValueError(
            f"perturbation {perturbation!r}: {', '.join(unknown)} is not one of "
            f"{', '.join(PERTURBATIONS)}; join several with '/', each once"
        )
    if len(set(parts)) != len(parts):
        raise ValueError(f"perturbation {perturbation!r} names one change twice: name each once")
    return parts


def applies(path: Path, perturbation: str) -> bool:
    """Whether ``perturbation`` can change what ``path`` runs (``NEEDS``): one of its factors can."""
    import nbformat

    code = None
    for factor in factors(perturbation):
        needs = NEEDS.get(factor)
        if not needs:
            return True
        if code is None:
            cells = nbformat.read(path, as_version=4).cells
            code = "\n".join(c.source for c in cells if c.cell_type == "code")
        if any(word in code for word in needs):
            return True
    return False


def run_env(perturbation: str) -> dict[str, str]:
    """The kernel environment of one run: the base settings, then each factor's."""
    env = dict(BASE_ENV)
    for factor in factors(perturbation):
        env.update(PERTURBATIONS[factor])
    return env


def run_threads(perturbation: str) -> int:
    """The math threads a run of ``perturbation`` uses: its weight against the sweep's core budget."""
    return int(run_env(perturbation)[THREADS_VAR])


def _error_line(traceback: list[str]) -> str:
    """The source line IPython marks with an arrow in a traceback (the last one: where it raised)."""
    found = ""
    for chunk in traceback:
        for line in ANSI.sub("", chunk).splitlines():
            m = re.match(r"\s*-+>\s*\d+\s+(.*)", line)
            if m:
                found = m.group(1).strip()
    return found


def cell_failures(nb: Any) -> list[dict[str, Any]]:
    """Every code cell that raised, except cells tagged ``raises-exception``."""
    failures = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or RAISES_TAG in cell.metadata.get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            message = out.get("evalue", "").strip()
            if "<- assert" not in message and not message.startswith("assert "):
                line = _error_line(out.get("traceback", []))
                if line and line not in message:
                    message = f"{message}  (at: {line})" if message else f"at: {line}"
            failures.append({"cell": index, "error": out.get("ename", "?"), "message": message})
    return failures


def run_one(path: str, perturbation: str, executed_dir: str, timeout: int, check_numbers: bool) -> dict:
    """Execute one notebook under one perturbation (in a worker process); return its result."""
    import nbformat

    from tools.execute import execute_notebook_recorded
    from tools.quoted_numbers import RECORDED_KEY, check_notebook

    nb_path = Path(path)
    result: dict[str, Any] = {"notebook": nb_path.name, "perturbation": perturbation}
    out = Path(executed_dir) / f"{nb_path.stem}__{perturbation.replace('/', '_')}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        with open(out.with_suffix(".log"), "w") as kernel_log:  # the kernel's stderr, off the console
            nb, seconds, recorded = execute_notebook_recorded(
                nb_path,
                env=run_env(perturbation),
                timeout=timeout,
                allow_errors=True,
                preamble=PREAMBLE,
                kernel_stderr=kernel_log,
            )
    except Exception as exc:  # a timeout or a dead kernel: the whole run failed
        message = (str(exc).strip().splitlines() or [""])[-1][:300]
        result.update(
            seconds=round(time.perf_counter() - start, 1),
            failures=[{"cell": None, "error": type(exc).__name__, "message": message}],
        )
        if check_numbers:
            result["unbacked_numbers"] = []
        return result
    nb.metadata[RECORDED_KEY] = recorded
    nbformat.write(nb, out)
    result.update(seconds=round(seconds, 1), failures=cell_failures(nb))
    if check_numbers:
        result["unbacked_numbers"] = [u.as_dict() for u in check_notebook(nb)]
    return result


def sweep(
    paths: list[Path],
    perturbations: list[str],
    jobs: int,
    executed_dir: Path,
    timeout: int,
    out: Path | None = None,
) -> dict[str, dict[str, Any]]:
    """Run every (notebook, perturbation) pair, ``jobs`` at a time within the thread budget.

    With ``out``, the results so far are written there after every run (a stopped sweep keeps them).
    """
    budget = max(jobs, cores())
    # every notebook's baseline first (it carries the quoted-numbers check), then each perturbation;
    # strictly in order, so a two-thread run waits for two free slots instead of being overtaken
    queue = [(p, name) for name in perturbations for p in paths if applies(p, name)]
    results: dict[str, dict[str, Any]] = {p.name: {} for p in paths}
    running: dict[Any, int] = {}
    done, total, t0 = 0, len(queue), time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        while queue or running:
            used = sum(running.values())
            while queue and len(running) < jobs:
                path, name = queue[0]
                weight = min(run_threads(name), budget)
                if running and used + weight > budget:
                    break
                future = pool.submit(run_one, str(path), name, str(executed_dir), timeout, name == "baseline")
                running[future] = weight
                used += weight
                queue.pop(0)
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                del running[future]
                r = future.result()
                done += 1
                entry = {"seconds": r["seconds"], "failures": r["failures"]}
                if "unbacked_numbers" in r:
                    entry["unbacked_numbers"] = r["unbacked_numbers"]
                results[r["notebook"]][r["perturbation"]] = entry
                if out is not None:
                    out.write_text(json.dumps(results, indent=1) + "\n")
                n = len(r["failures"])
                status = "ok" if n == 0 else f"{n} failed cell{'s' if n != 1 else ''}"
                if r.get("unbacked_numbers"):
                    status += f", {len(r['unbacked_numbers'])} unbacked numbers"
                elapsed = time.perf_counter() - t0
                print(
                    f"[{done:>2}/{total}] {elapsed:>6.0f} s  {r['notebook']:<34} {r['perturbation']:<11} "
                    f"{status} ({r['seconds']:.0f} s)",
                    flush=True,
                )
    return {name: {p: runs[p] for p in perturbations if p in runs} for name, runs in results.items()}


def format_table(results: dict[str, dict[str, Any]], perturbations: list[str]) -> str:
    """Notebook x perturbation -> failed cells, the unbacked numbers, then what failed."""
    numbers = "baseline" in perturbations
    cols = perturbations + (["unbacked numbers"] if numbers else [])
    width = max([8] + [len(n) for n in results]) + 2
    lines = [f"{'notebook':<{width}}" + "".join(f"{c:>{max(len(c), 6) + 2}}" for c in cols)]
    for name, runs in results.items():
        row = f"{name:<{width}}"
        for c in perturbations:
            run = runs.get(c)
            count = "-" if run is None else str(len(run["failures"]))
            if run and any(f["cell"] is None for f in run["failures"]):
                count = "ERR"
            row += f"{count:>{max(len(c), 6) + 2}}"
        if numbers:
            unbacked = runs.get("baseline", {}).get("unbacked_numbers", [])
            row += f"{len(unbacked):>{len('unbacked numbers') + 2}}"
        lines.append(row)
    lines.append(
        "(failed cells per run; ERR: the run itself failed, e.g. a timeout; -: not run, the "
        "perturbation cannot change that notebook)"
    )
    details = []
    for name, runs in results.items():
        by_cell: dict[tuple, list[str]] = {}
        for pert, run in runs.items():
            for f in run["failures"]:
                key = (f["cell"], f["error"], f["message"])
                by_cell.setdefault(key, []).append(pert)
        for (cell, error, message), perts in sorted(by_cell.items(), key=lambda kv: kv[0][0] or -1):
            where = "run" if cell is None else f"cell {cell}"
            details.append(f"  {name} {where} [{', '.join(perts)}] {error}: {message}")
        unbacked = runs.get("baseline", {}).get("unbacked_numbers", [])
        for u in unbacked:
            details.append(f"  {name} cell {u['cell']} unbacked {u['number']}: {u['sentence']}")
    if details:
        lines += ["", "what failed:"] + details
    return "\n".join(lines)


def _perturbation_arg(name: str) -> str:
    """--perturbations' type: a name ``factors`` accepts; its message otherwise."""
    try:
        factors(name)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return name


def _notebooks(args: list[Path]) -> list[Path]:
    paths: list[Path] = []
    for arg in args:
        if arg.is_dir():
            paths += sorted(p for p in arg.glob("*.ipynb") if not p.name.startswith("."))
        else:
            paths.append(arg)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Run the sweep, write --out and the executed notebooks, print the table; exit 1 on any failure."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    parser.add_argument(
        "--notebooks", nargs="+", type=Path, default=[Path("notebooks")], help="files or folders"
    )
    parser.add_argument(
        "--perturbations",
        nargs="+",
        default=DEFAULT_SWEEP,
        type=_perturbation_arg,
        metavar="NAME",
        help=f"any of {', '.join(PERTURBATIONS)}, or several joined by '/'; "
        f"default: {' '.join(DEFAULT_SWEEP)}",
    )
    parser.add_argument("--out", type=Path, default=BUILD / "robust.json")
    parser.add_argument("--executed", type=Path, help="default: executed/ next to --out")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    paths = _notebooks(args.notebooks)
    if not paths:
        print("no notebooks found; pass --notebooks or run from the repository root", file=sys.stderr)
        return 2
    executed = args.executed or args.out.parent / "executed"
    total_runs = sum(applies(p, name) for p in paths for name in args.perturbations)
    print(
        f"robustness sweep: {len(paths)} notebooks x {len(args.perturbations)} perturbations: "
        f"{total_runs} runs (those that can change a notebook), {args.jobs} at a time on {cores()} cores",
        flush=True,
    )
    t0 = time.perf_counter()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    results = sweep(paths, args.perturbations, args.jobs, executed, args.timeout, out=args.out)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print()
    print(format_table(results, args.perturbations))
    print(f"\n{total_runs} runs in {time.perf_counter() - t0:.0f} s; written to {args.out} and {executed}/")
    failed = any(
        run["failures"] or run.get("unbacked_numbers") for runs in results.values() for run in runs.values()
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
