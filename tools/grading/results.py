"""What grading produces and reads: the grades CSV's row and writer, the run's JSON beside it,
the autograder index."""

from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import astuple, dataclass
from pathlib import Path

from tools import BUILD

#: Where ``make grade`` writes the class's grades (the class report and the run's JSON go beside it).
GRADES = BUILD / "grades.csv"
HEADER = ("submission", "lesson", "question", "score", "max_score", "message")
INDEX = Path("otter") / "autograders.json"  # lesson -> autograder zip, written by ``build``


@dataclass
class Row:
    """One line of the grades CSV."""

    submission: str
    lesson: str
    question: str
    score: float
    max_score: float
    message: str = ""


def write_csv(path: Path, rows: list[Row]) -> None:
    """Write the grades CSV atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    with tmp.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(astuple(r) for r in rows)
    os.replace(tmp, path)


def info_path(csv_path: Path) -> Path:
    """The run's per-submission JSON (flags, seconds, why a run stopped), beside the CSV."""
    return csv_path.with_suffix(".json")


def write_info(csv_path: Path, run: dict, submissions: list[dict]) -> Path:
    """Write the run's JSON beside the CSV, atomically: the run's numbers and one dict per submission
    (``name``, ``lesson``, ``flags``, ``seconds``, ``note``)."""
    path = info_path(csv_path)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"run": run, "submissions": submissions}, indent=1) + "\n")
    os.replace(tmp, path)
    return path


def write_index(out: Path, zips: dict[str, str]) -> None:
    """The autograder index: lesson -> its autograder zip, read back by ``autograders``."""
    (out / INDEX).parent.mkdir(parents=True, exist_ok=True)
    (out / INDEX).write_text(json.dumps(zips, indent=1) + "\n")


def autograders(out: Path) -> dict[str, Path]:
    """Lesson -> autograder zip, from the index ``build`` wrote (exact paths, no globbing).

    Only entries with a lesson-like name and a regular file in ``out/otter/<lesson>/autograder``
    count; an empty dict when there is no index.
    """
    index = out / INDEX
    if not index.is_file():
        return {}
    found = {}
    for lesson, path in json.loads(index.read_text()).items():
        p = Path(path)
        expected_dir = (out / "otter" / lesson / "autograder").resolve()
        if (
            re.fullmatch(r"\d\d_[A-Za-z0-9_]+", lesson)
            and p.is_file()
            and not p.is_symlink()
            and p.resolve().parent == expected_dir
        ):
            found[lesson] = p
    return found


def autograder_zip(lesson: str, out: Path) -> Path:
    """The autograder zip ``otter assign`` made for ``lesson`` (named in the index)."""
    found = autograders(out).get(lesson)
    if found is None:
        raise FileNotFoundError(
            f"no autograder for lesson {lesson!r} in {out / 'otter'}; run `make student` "
            "(python -m tools.grading build) first."
        )
    return found
