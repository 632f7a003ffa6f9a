"""The trusted checker: runs a lesson's public and hidden tests against trusted values.

One checker process per lesson and grading run (``python -m tools.grading.checker SPEC.json``). It
never executes a learner's code: it executes the lesson's MASTER notebook once (the grader's own
code: data such as ``y``, ``y_val`` and the reference state), then for each submission builds the
tests' namespace from those trusted values overlaid with ONLY the question's answer names, read
back as plain data from the sandbox (answers.json, .npy). A function answer is replaced by a
stand-in that returns the learner's outputs on the inputs the grader recorded beforehand (the plan,
made here by running the tests against the reference functions with the same seeds).

Protocol: prints one JSON line ``{"ready": ...}`` on the response pipe after the master ran, then
answers each request line ``{"id": ..., "answers": DIR}`` with ``{"id": ..., "questions": {...}}``
(every test, for grading), and ``{"id": ..., "answers": DIR, "question": Q}`` with ``{"id": ...,
"cases": {case: {"passed": ..., "message": ...}}}`` (Q's public cases only, as ``grader.check``
runs them; the learner's messages only). Public verdicts are cached by the answers' bytes: a second
learner with the same answer costs nothing (05's checks train models).
"""

from __future__ import annotations

import hashlib
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

from lessons_lib.answer_data import Encoder
from tools.execute import RAISES_TAG
from tools.grading import answers as A

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
    may name the expected value. ``learner_messages`` are the same failures as a learner reads them
    (``make score``: never the expected value), and ``public_messages`` those of the public cases,
    what the learner's ``grader.check`` shows for the same answer.
    """
    score, possible, messages, learners, public = 0.0, 0.0, [], [], []
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
            learners.append(learner[:300])
            if not tc.hidden:
                public.append(learner[:300])
    return {
        "score": min(score, possible),
        "possible": possible,
        "messages": messages,
        "learner_messages": learners,
        "public_messages": public,
    }


def run_public(tf: Any, ns: dict) -> dict:
    """One question's public cases against ``ns``: each case's verdict and the learner's message,
    by the case's function name (what the student copy's stub names)."""
    cases = {}
    for tc in tf.test_cases:
        if tc.hidden:
            continue
        name = getattr(getattr(tc.body, "test_func", None), "__name__", tc.name)
        CURRENT["key"], CURRENT["counts"] = f"{tf.name}|{tc.name}", {}
        seed_everything()
        try:
            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                tc.body.call_func(ns)
            cases[name] = {"passed": True, "message": ""}
        except AssertionError as exc:  # a course check: its message names the mistake, never the value
            cases[name] = {"passed": False, "message": (str(exc).strip() or tf.name + ": not right")[:300]}
        except Exception as exc:  # noqa: BLE001 - as grader.check shows an error inside a check
            text = f"{tf.name}: checking your answer raised {type(exc).__name__}: {str(exc).strip()}"
            cases[name] = {"passed": False, "message": text[:300]}
    return cases


def folder_digest(folder: Path) -> str:
    """A hash of every file in an answers folder (name and bytes): equal answers, equal digest."""
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def case_table(tests: list) -> dict:
    """Question -> its cases as [name, hidden, success message]: what a student copy's stub mirrors."""
    return {tf.name: [[tc.name, bool(tc.hidden), tc.success_message or ""] for tc in tf.test_cases]
            for tf in tests}


def _die_with_parent() -> None:
    """Linux: end this checker when the grader ends (SIGTERM on the parent's death)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - other systems: the closed stdin ends it after the master ran
        pass


def _plan_values(tree: object, folder: Path) -> list:
    """Every float and array an encoded plan entry holds (what a learner's kernel receives)."""
    import numpy as np

    if isinstance(tree, float):
        return [tree]
    if isinstance(tree, list):
        return [v for x in tree for v in _plan_values(x, folder)]
    if isinstance(tree, dict):
        kind, val = next(iter(tree.items())) if tree else (None, None)
        if kind in ("npy", "torch", "npscalar"):
            return [np.load(folder / val, allow_pickle=False)]
        return [v for x in tree.values() for v in _plan_values(x, folder)]
    return []


def plan_leaks(plan: dict, folder: Path, ref: dict, names: list[str]) -> list[str]:
    """Answers that a public input would hand over: a plan float or array equal to an answer value
    (integers are left out: a window of 8 is part of the question, not its answer)."""
    import numpy as np

    def numeric(v):
        try:
            a = np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            return None
        return a if a.size and not np.allclose(a, np.round(a)) else None

    answers = {n: numeric(ref.get(n)) for n in names}
    found = []
    for key, entry in plan.items():
        for v in _plan_values(entry[1:], folder):
            a = numeric(v)
            for n, want in answers.items():
                if a is not None and want is not None and a.shape == want.shape and np.allclose(a, want):
                    found.append(f"{key} sends {n}'s value")
    return found


def prepare(spec: dict) -> tuple[list, dict, dict]:
    """Run the master and make the plan: (tests, the master's namespace, the ready line's info)."""
    tests = load_tests(Path(spec["autograder"]))
    student = nbformat.read(spec["student"], as_version=4)
    per_q = A.question_answer_names(student)
    # every answer cell's names, a hidden-only question's too: one left out would read the master's value
    names = A.all_answer_names(student)
    ref = run_master(Path(spec["master"]), Path(spec["workdir"]) / "master")
    functions = [n for n in names if isinstance(ref.get(n), types.FunctionType)]
    plan: dict = {}
    plan_dir = Path(spec["workdir"]) / "plan"
    plan_dir.mkdir(parents=True, exist_ok=True)
    enc = Encoder(plan_dir, functions=True)
    ns = dict(ref)
    for f in functions:
        ns[f] = Recorder(f, ref[f], plan, enc)
    reference = {tf.name: run_file(tf, ns) for tf in tests}
    leaks = plan_leaks(plan, plan_dir, ref, names)
    if leaks:
        raise RuntimeError("a public input equals a graded answer: " + "; ".join(leaks[:5]))
    (plan_dir / "plan.json").write_text(json.dumps(plan))
    info = {"ready": True, "names": names, "per_question": per_q, "functions": functions,
            "plan": str(plan_dir), "reference": reference, "cases": case_table(tests)}
    return tests, ref, info


def answer(req: dict, tests: list, ref: dict, info: dict, verdicts: dict) -> dict:
    """One request's reply: every test (grading) or one question's public cases (a learner's check)."""
    by_name = {tf.name: tf for tf in tests}
    question = req.get("question")
    if question is not None and question not in by_name:
        raise KeyError(f"no question {question!r} in this lesson")
    digest = f"{question}|{folder_digest(Path(req['answers']))}" if question else None
    if digest in verdicts:
        return {"id": req["id"], "cases": verdicts[digest]}
    got = A.load_answers(Path(req["answers"]))
    ns = dict(ref)
    for n in info["names"]:
        ns[n] = Replayer(n, got["calls"]) if n in info["functions"] else got["values"].get(n)
    if question:
        verdicts[digest] = run_public(by_name[question], ns)
        return {"id": req["id"], "cases": verdicts[digest]}
    result = {tf.name: run_file(tf, ns) for tf in tests}
    return {"id": req["id"], "questions": result, "errors": got["errors"]}


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
        tests, ref, info = prepare(spec)
        respond.write(json.dumps(info) + "\n")
    except Exception as exc:  # noqa: BLE001
        respond.write(json.dumps({"ready": False, "error": f"{type(exc).__name__}: {exc}"}) + "\n")
        return 1
    verdicts: dict[str, dict] = {}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            reply = answer(req, tests, ref, info, verdicts)
        except Exception as exc:  # noqa: BLE001
            reply = {"id": req["id"], "error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        respond.write(json.dumps(reply) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
