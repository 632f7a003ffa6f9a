"""The learner's self-check: ``python -m tools.grading score`` (``make score``).

Grades the learner's own copies in ``build/student`` with ``otter run`` and no sandbox: trusted
notebooks only (untrusted submissions go through ``tools.grading.grade``).
"""

from __future__ import annotations

import ast
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from lessons_lib._tf_quiet import QUIET_ENV
from lessons_lib.seeding import thread_env, threads_per_job
from tools import BUILD
from tools.grading import results


def questions(lesson: str, out: Path = BUILD) -> dict[str, float]:
    """Question name -> points, read from the autograder's test files."""
    found: dict[str, float] = {}
    with zipfile.ZipFile(results.autograder_zip(lesson, out)) as zf:
        for name in sorted(zf.namelist()):
            if name.startswith("tests/") and name.endswith(".py"):
                tree = ast.parse(zf.read(name).decode())
                simple: dict[str, object] = {}
                cases = 0
                for node in tree.body:
                    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                        target = node.targets[0].id
                        if target == "test":  # doctest (OK) format: one dict
                            spec = ast.literal_eval(node.value)
                            found[spec["name"]] = float(spec.get("points") or 1)
                        elif target in ("name", "points"):
                            simple[target] = ast.literal_eval(node.value)
                    elif isinstance(node, ast.FunctionDef):
                        cases += 1
                if "name" in simple:  # exception-based format: module-level name and points
                    pts = simple.get("points")
                    found[str(simple["name"])] = float(pts if pts is not None else max(cases, 1))
    return found


def lesson_of(submission: Path) -> str:
    """The lesson a submitted notebook belongs to: otter's metadata, else the file name."""
    try:
        nb = nbformat.read(submission, as_version=4)
        name = nb.metadata.get("otter", {}).get("assignment_name")
        if name:
            return str(name)
    except Exception:  # unreadable: fall back to the name, grading will report it
        pass
    return submission.stem


def grade_one(
    submission: Path, out: Path = BUILD, timeout: float = 180.0, threads: int | None = None
) -> list[results.Row]:
    """Grade one notebook with ``otter run``; a crash or a time-out gives 0 with a message.

    ``threads`` caps the math libraries' threads in the grading kernel: several gradings at
    once, each spinning one thread per core, slow each other down many times over.
    """
    lesson = lesson_of(submission)
    points = questions(lesson, out)
    with tempfile.TemporaryDirectory() as tmp:
        autograder = str(results.autograder_zip(lesson, out).resolve())
        proc = subprocess.Popen(
            [sys.executable, "-m", "otter", "run", "--no-logo", "-a", autograder, "-o", tmp,
             str(submission.resolve())],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            cwd=tmp,
            env={**os.environ, **QUIET_ENV, **(thread_env(threads, lessons=False) if threads else {}),
                 "COURSE_CHECKER": "off"},  # the copy's own checks: form only; the autograder grades
        )
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the kernel too
            proc.communicate()
            return _zeros(submission, lesson, points, f"grading stopped after {timeout:.0f} s (time limit)")
        results_file = Path(tmp) / "results.json"
        if not results_file.exists():
            tail = " ".join(log.strip().splitlines()[-3:])[:300]
            return _zeros(submission, lesson, points, f"otter could not grade it: {tail}")
        outcome = json.loads(results_file.read_text())
    by_name = {t["name"]: t for t in outcome.get("tests", [])}
    rows = []
    for q, max_points in points.items():
        test = by_name.get(q, {})
        score = float(test.get("score") or 0.0)
        message = "" if score >= max_points else _first_failure(test.get("output", "no result"))
        maximum = float(test.get("max_score") or max_points)
        rows.append(results.Row(submission.name, lesson, q, score, maximum, message))
    return rows


_FAILURE_LINE = re.compile(r"^(?:[A-Za-z_.]*(?:Error|Exception|NotAnswered|CheckFailed)): (.+)$")


def _first_failure(output: str) -> str:
    """The one line a learner can act on: the first exception's message (ours start with "qN:")."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for ln in lines:
        m = _FAILURE_LINE.match(ln)
        if m:
            return m.group(1)[:300]
    for ln in lines:
        if "Error:" in ln:
            return ln[:300]
    return " ".join(lines)[:300]


def _zeros(submission: Path, lesson: str, points: dict[str, float], message: str) -> list[results.Row]:
    return [results.Row(submission.name, lesson, q, 0.0, p, message) for q, p in points.items()]


def grade_files(
    files: list[Path],
    out_csv: Path | None = None,
    out: Path = BUILD,
    timeout: float = 180.0,
    jobs: int = 1,
    quiet: bool = False,
) -> list[results.Row]:
    """Grade the given notebooks (``jobs`` at a time); rows with a TOTAL row each; CSV if asked."""
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1; got {jobs}.")
    if not quiet:
        print(f"grading {len(files)} notebooks, {jobs} at a time ...", flush=True)
    threads = threads_per_job(jobs)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        graded_all = list(pool.map(lambda p: grade_one(p, out, timeout, threads), files))
    rows: list[results.Row] = []
    for path, graded in zip(files, graded_all, strict=True):
        rows += graded
        rows.append(
            results.Row(
                path.name,
                graded[0].lesson if graded else lesson_of(path),
                "TOTAL",
                sum(r.score for r in graded),
                sum(r.max_score for r in graded),
            )
        )
    if out_csv is not None:
        results.write_csv(out_csv, rows)
    return rows


def learner_copies(out: Path = BUILD) -> list[Path]:
    """The learner's graded copies in out/student (not the timestamped old ones)."""
    lessons = results.autograders(out)
    return [
        out / "student" / f"{lesson}.ipynb"
        for lesson in sorted(lessons)
        if (out / "student" / f"{lesson}.ipynb").exists()
    ]


def score(out: Path = BUILD, timeout: float = 300.0, jobs: int = 2) -> list[results.Row]:
    """Grade the learner's own copies in out/student; print per-question and total scores."""
    files = learner_copies(out)
    if not files:
        raise FileNotFoundError(f"no graded lessons in {out / 'student'}: run `make student` first.")
    print(f"grading your copies in {out / 'student'} ({len(files)} lessons, about 40 s each) ...", flush=True)
    rows = grade_files(files, out / "score.csv", out, timeout, jobs, quiet=True)
    total = maxi = 0.0
    for r in rows:
        if r.question == "TOTAL":
            print(f"  {'total':<10} {r.score:g} / {r.max_score:g}\n")
            total, maxi = total + r.score, maxi + r.max_score
            continue
        if r.question == next(x.question for x in rows if x.lesson == r.lesson):
            print(r.lesson)
        note = f"  {r.message}" if r.message else ""
        print(f"  {r.question:<10} {r.score:g} / {r.max_score:g}{note}")
    print(f"all lessons: {total:g} / {maxi:g}   (per question in {out / 'score.csv'})")
    return rows

