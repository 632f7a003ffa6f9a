"""The trusted checker: runs a lesson's public and hidden tests against trusted values.

One checker process per lesson and grading run (``python -m tools.grading.checker SPEC.json``). It
never executes a learner's code: it executes the lesson's MASTER notebook once (the grader's own
code: data such as ``y``, ``y_val`` and the reference state), then for each submission builds the
tests' namespace from those trusted values overlaid with ONLY the question's answer names, read
back as plain data from the sandbox (answers.json, .npy). A function answer is replaced by a
stand-in that returns the learner's outputs on the inputs the grader recorded beforehand (the plan,
made here by running the tests against the reference functions with the same seeds).

Protocol: prints one JSON line ``{"ready": ...}`` on the response pipe after the master ran, then
answers each request line ``{"id": ..., "answers": DIR}`` with ``{"id": ..., "questions": {...}}``.
"""

from __future__ import annotations

import io
import json
import os
import random
import sys
import types
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import nbformat

from tools.execute import RAISES_TAG
from tools.grading import answers as A
from tools.grading.dataenc import Encoder

CURRENT: dict = {"key": None, "counts": {}}


def seed_everything() -> None:
    """Seed random, NumPy and (if imported) torch with 0: each test case draws the same numbers every run."""
    random.seed(0)
    import numpy as np

    np.random.seed(0)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(0)


def load_tests(autograder: Path) -> list:
    """The autograder zip's ``tests/*.py``, sorted by name, as otter ``ExceptionTestFile`` objects."""
    from otter.test_files.exception_test import ExceptionTestFile

    files = []
    with zipfile.ZipFile(autograder) as zf:
        for name in sorted(zf.namelist()):
            if name.startswith("tests/") and name.endswith(".py"):
                files.append(ExceptionTestFile.from_string(zf.read(name).decode(), path=name))
    return files


def run_master(master: Path, workdir: Path) -> dict:
    """Execute the master notebook's code cells in this process (IPython, so magics work)."""
    from IPython.core.interactiveshell import InteractiveShell

    os.environ.setdefault("MPLBACKEND", "Agg")
    workdir.mkdir(parents=True, exist_ok=True)
    os.chdir(workdir)
    shell = InteractiveShell.instance()
    nb = nbformat.read(master, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        result = shell.run_cell(cell.source, silent=True, store_history=False)
        if not result.success and RAISES_TAG not in (cell.metadata.get("tags") or []):
            err = result.error_in_exec or result.error_before_exec
            raise RuntimeError(f"{master.name} cell {i} failed in the checker: {type(err).__name__}: {err}")
    return shell.user_ns


class Recorder:
    """Stands in for a reference function while the plan is made: logs the grader's inputs."""

    def __init__(self, name, func, plan, enc):
        self.name, self.func, self.plan, self.enc = name, func, plan, enc

    def __call__(self, *args, **kwargs):
        key = _call_key(self.name)
        try:
            entry = [self.name, self.enc.enc(list(args)), self.enc.enc(dict(kwargs))]
            if "unsupported" in json.dumps(entry):
                entry = [self.name, None, None]
        except Exception:  # noqa: BLE001
            entry = [self.name, None, None]
        self.plan[key] = entry
        return self.func(*args, **kwargs)


class Replayer:
    """Stands in for the learner's function: returns its recorded outputs, call by call."""

    def __init__(self, name, outputs):
        self.name, self.outputs = name, outputs

    def __call__(self, *args, **kwargs):
        key = _call_key(self.name)
        if key not in self.outputs:
            raise RuntimeError(f"{self.name} was called on an input the grader did not prepare")
        out = self.outputs[key]
        if isinstance(out, A.CallFailed):
            raise out
        return out

    def __repr__(self):
        return f"<your function {self.name}, replayed from the sandbox>"


def _call_key(fname: str) -> str:
    counts = CURRENT["counts"]
    n = counts.get(fname, 0)
    counts[fname] = n + 1
    return f"{CURRENT['key']}|{fname}|{n}"


def run_file(tf: Any, ns: dict) -> dict:
    """One question's test cases against ``ns``: score, possible, the failure messages.

    ``messages`` are for the instructor (grades.csv): a course check's ``for_instructor``, which
    may name the expected value. ``public_messages`` are what the learner's ``grader.check`` shows
    for the same answer (public cases only, never the expected value).
    """
    score, possible, messages, public = 0.0, 0.0, [], []
    for tc in tf.test_cases:
        possible += float(tc.points or 0)
        CURRENT["key"], CURRENT["counts"] = f"{tf.name}|{tc.name}", {}
        seed_everything()
        try:
            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                tc.body.call_func(ns)
            score += float(tc.points or 0)
        except Exception as exc:  # noqa: BLE001 - a failing check is a lost point, with its message
            learner = str(exc).strip() or type(exc).__name__
            messages.append(str(getattr(exc, "for_instructor", "") or learner)[:300])
            if not tc.hidden:
                public.append(learner[:300])
    return {
        "score": min(score, possible),
        "possible": possible,
        "messages": messages,
        "public_messages": public,
    }


def _die_with_parent() -> None:
    """Linux: end this checker when the grader ends (SIGTERM on the parent's death)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - other systems: the closed stdin ends it after the master ran
        pass


def main() -> int:
    """Run the master and make the plan, then answer requests line by line (the protocol above)."""
    _die_with_parent()
    spec = json.loads(Path(sys.argv[1]).read_text())
    respond = os.fdopen(os.dup(1), "w", buffering=1)
    log = open(spec["log"], "a")  # noqa: SIM115 - the master's prints go to the log
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    sys.stdout = sys.stderr = log
    try:
        tests = load_tests(Path(spec["autograder"]))
        student = nbformat.read(spec["student"], as_version=4)
        per_q = A.question_answer_names(student)
        names = sorted({n for ns in per_q.values() for n in ns})
        ref = run_master(Path(spec["master"]), Path(spec["workdir"]) / "master")
        functions = [n for n in names if isinstance(ref.get(n), types.FunctionType)]
        plan: dict = {}
        plan_dir = Path(spec["workdir"]) / "plan"
        plan_dir.mkdir(parents=True, exist_ok=True)
        enc = Encoder(plan_dir, functions=True)
        reference = {}
        ns = dict(ref)
        for f in functions:
            ns[f] = Recorder(f, ref[f], plan, enc)
        for tf in tests:
            reference[tf.name] = run_file(tf, ns)
        (plan_dir / "plan.json").write_text(json.dumps(plan))
        respond.write(
            json.dumps(
                {
                    "ready": True,
                    "names": names,
                    "per_question": per_q,
                    "functions": functions,
                    "plan": str(plan_dir),
                    "reference": reference,
                }
            )
            + "\n"
        )
    except Exception as exc:  # noqa: BLE001
        respond.write(json.dumps({"ready": False, "error": f"{type(exc).__name__}: {exc}"}) + "\n")
        return 1
    for line in sys.stdin:
        req = json.loads(line)
        try:
            got = A.load_answers(Path(req["answers"]))
            ns = dict(ref)
            for n in names:
                if n in functions:
                    ns[n] = Replayer(n, got["calls"])
                else:
                    ns[n] = got["values"].get(n)
            result = {tf.name: run_file(tf, ns) for tf in tests}
            respond.write(json.dumps({"id": req["id"], "questions": result, "errors": got["errors"]}) + "\n")
        except Exception as exc:  # noqa: BLE001
            respond.write(
                json.dumps({"id": req["id"], "error": f"{type(exc).__name__}: {str(exc)[:300]}"}) + "\n"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
