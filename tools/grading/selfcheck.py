"""The learner's self-check: ``python -m tools.grading score`` (``make score``).

Grades the learner's own copies in ``build/student`` through ``make grade``'s pipeline
(``tools.grading.grade``) without its sandbox, as they are the learner's own: the same checker
process (``tools/grading/checker.py``) that answers ``grader.check`` runs the public and hidden
tests against the masters' values, so a question's message here is the one the check showed.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tools import BUILD
from tools.grading import bwrap, grade, results


def grade_files(
    files: list[Path],
    out_csv: Path | None = None,
    out: Path = BUILD,
    notebooks: Path = Path("notebooks"),
    timeout: float = 300.0,
    jobs: int = 1,
) -> list[results.Row]:
    """Grade the learner's own notebooks as ``make grade`` does, without the sandbox (they are
    trusted): each runs once, and the course's checker (the one behind ``grader.check``) runs the
    public and hidden tests against the masters' values. Rows with a TOTAL row each."""
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1; got {jobs}.")
    with tempfile.TemporaryDirectory(prefix="score-") as tmp:
        for path in files:
            shutil.copy(path, Path(tmp) / path.name)
        return grade.grade_folder(
            Path(tmp), out_csv, out, notebooks, jobs, bwrap.Limits(wall_seconds=timeout),
            unsandboxed=True, quiet=True, learner=True,
        )


def learner_copies(out: Path = BUILD) -> list[Path]:
    """The learner's graded copies in out/student (not the timestamped old ones)."""
    lessons = results.autograders(out)
    return [
        out / "student" / f"{lesson}.ipynb"
        for lesson in sorted(lessons)
        if (out / "student" / f"{lesson}.ipynb").exists()
    ]


def score(
    out: Path = BUILD, notebooks: Path = Path("notebooks"), timeout: float = 600.0, jobs: int = 2
) -> list[results.Row]:
    """Grade the learner's own copies in out/student; print per-question and total scores."""
    files = learner_copies(out)
    if not files:
        raise FileNotFoundError(f"no graded lessons in {out / 'student'}: run `make student` first.")
    print(f"grading your copies in {out / 'student'} ({len(files)} lessons): each runs once, and the "
          "course's checker runs each lesson's master once (about a minute each) ...", flush=True)
    rows = grade_files(files, out / "score.csv", out, notebooks, timeout, jobs)
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

