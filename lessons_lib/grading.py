"""Graded exercises with otter-grader: build student copies and autograders, grade submissions.

``python -m lessons_lib.grading build`` writes, for every lesson with exercises, the student copy
and otter's autograder zip under ``build/otter/<lesson>/``, and copies the student notebooks to
``build/student/`` (never overwriting a learner's work).
``python -m lessons_lib.grading grade SUBMISSIONS/ [--out build/grades.csv]`` grades every
notebook in a folder with ``otter run`` (local, no Docker) and writes one CSV.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

BUILD = Path("build")
CONFIG_MARK = "# ASSIGNMENT CONFIG"


@dataclass
class Row:
    """One line of the grades CSV."""

    submission: str
    lesson: str
    question: str
    score: float
    max_score: float
    message: str = ""


def has_exercises(notebook: Path) -> bool:
    """True when the master notebook carries otter's assignment config cell."""
    nb = nbformat.read(notebook, as_version=4)
    return any(c.cell_type == "raw" and c.source.lstrip().startswith(CONFIG_MARK) for c in nb.cells)


def _otter() -> list[str]:
    return [sys.executable, "-m", "otter"]


def build(notebooks: Path = Path("notebooks"), out: Path = BUILD) -> list[Path]:
    """Run ``otter assign`` on every lesson with exercises; copy student notebooks to out/student.

    Notebooks without exercises are copied as they are. Existing files in out/student are kept:
    they may hold a learner's answers. Returns the student notebooks written.
    """
    student_dir = out / "student"
    student_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for master in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
        target = student_dir / master.name
        if has_exercises(master):
            lesson_dir = out / "otter" / master.stem
            shutil.rmtree(lesson_dir, ignore_errors=True)
            result = subprocess.run(
                [*_otter(), "assign", "--no-pdfs", str(master), str(lesson_dir)],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise RuntimeError(
                    f"otter assign failed for {master.name}:\n{result.stdout}\n{result.stderr}"
                )
            source = lesson_dir / "student" / master.name
        else:
            source = master
        if not target.exists():
            shutil.copy(source, target)
            written.append(target)
    return written


def autograder_zip(lesson: str, out: Path = BUILD) -> Path:
    """The autograder zip ``otter assign`` made for ``lesson``."""
    zips = sorted((out / "otter" / lesson / "autograder").glob("*-autograder_*.zip"))
    if not zips:
        raise FileNotFoundError(
            f"no autograder for lesson {lesson!r} in {out / 'otter'}; run `make student` "
            "(python -m lessons_lib.grading build) first."
        )
    return zips[-1]


def questions(lesson: str, out: Path = BUILD) -> dict[str, float]:
    """Question name -> points, read from the autograder's test files."""
    found: dict[str, float] = {}
    with zipfile.ZipFile(autograder_zip(lesson, out)) as zf:
        for name in sorted(zf.namelist()):
            if name.startswith("tests/") and name.endswith(".py"):
                tree = ast.parse(zf.read(name).decode())
                for node in tree.body:
                    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "test":
                        spec = ast.literal_eval(node.value)
                        found[spec["name"]] = float(spec.get("points") or 1)
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
) -> list[Row]:
    """Grade one notebook with ``otter run``; a crash or a time-out gives 0 with a message.

    ``threads`` caps the math libraries' threads in the grading kernel: several gradings at
    once, each spinning one thread per core, slow each other down many times over.
    """
    lesson = lesson_of(submission)
    points = questions(lesson, out)
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [
                *_otter(),
                "run",
                "--no-logo",
                "-a",
                str(autograder_zip(lesson, out).resolve()),
                "-o",
                tmp,
                str(submission.resolve()),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            cwd=tmp,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **_thread_env(threads)},
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
        results = json.loads(results_file.read_text())
    by_name = {t["name"]: t for t in results.get("tests", [])}
    rows = []
    for q, max_points in points.items():
        test = by_name.get(q, {})
        score = float(test.get("score") or 0.0)
        message = "" if score >= max_points else _first_failure(test.get("output", "no result"))
        rows.append(
            Row(submission.name, lesson, q, score, float(test.get("max_score") or max_points), message)
        )
    return rows


def _thread_env(threads: int | None) -> dict[str, str]:
    if threads is None:
        return {}
    n = str(max(1, int(threads)))
    return {"OMP_NUM_THREADS": n, "MKL_NUM_THREADS": n, "OPENBLAS_NUM_THREADS": n}


def _first_failure(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith(("AssertionError", "NameError", "TypeError", "ValueError")) or "Error:" in ln:
            return ln[:300]
    return " ".join(lines)[:300]


def _zeros(submission: Path, lesson: str, points: dict[str, float], message: str) -> list[Row]:
    return [Row(submission.name, lesson, q, 0.0, p, message) for q, p in points.items()]


def grade(
    submissions: Path,
    out_csv: Path = BUILD / "grades.csv",
    out: Path = BUILD,
    timeout: float = 180.0,
    jobs: int = 1,
) -> list[Row]:
    """Grade every .ipynb in ``submissions`` (``jobs`` at a time); write one CSV with a TOTAL row each."""
    from concurrent.futures import ThreadPoolExecutor

    files = sorted(submissions.glob("*.ipynb"))
    if not files:
        raise FileNotFoundError(f"no .ipynb files in {submissions}")
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1; got {jobs}.")
    print(f"grading {len(files)} submissions, {jobs} at a time ...", flush=True)
    threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else None
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        graded_all = list(pool.map(lambda p: grade_one(p, out, timeout, threads), files))
    rows: list[Row] = []
    for path, graded in zip(files, graded_all, strict=True):
        rows += graded
        rows.append(
            Row(
                path.name,
                graded[0].lesson if graded else lesson_of(path),
                "TOTAL",
                sum(r.score for r in graded),
                sum(r.max_score for r in graded),
            )
        )
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with out_csv.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["submission", "lesson", "question", "score", "max_score", "message"])
        for r in rows:
            writer.writerow([r.submission, r.lesson, r.question, r.score, r.max_score, r.message])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Student copies and local grading with otter-grader.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="student copies and autograders into build/")
    b.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    g = sub.add_parser("grade", help="grade a folder of submitted notebooks into one CSV")
    g.add_argument("submissions", type=Path)
    g.add_argument("--out", type=Path, default=BUILD / "grades.csv")
    g.add_argument("--timeout", type=float, default=180.0, help="seconds per submission")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded at once")
    args = parser.parse_args(argv)
    if args.command == "build":
        written = build(args.notebooks)
        print(f"student copies in {BUILD / 'student'} ({len(written)} new); autograders in {BUILD / 'otter'}")
        return 0
    rows = grade(args.submissions, args.out, timeout=args.timeout, jobs=args.jobs)
    for r in rows:
        if r.question == "TOTAL":
            print(f"{r.submission:<40} {r.lesson:<24} {r.score:g} / {r.max_score:g}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
