"""The learners' hand-out: student copies only, as a folder, a zip and (optionally) a git repo.

``python -m tools.handout`` copies ``build/fresh/*.ipynb`` (made by ``make student``) and a short
README into ``build/handout/``, zips it to ``build/handout.zip`` and refuses to finish if anything
an instructor keeps back slipped in: a master notebook, an autograder, a solution or hidden-test
marker, an ``instructor`` cell. ``--git`` also makes the folder a git repository with one commit, the
"learner repo" that nbgitpuller pulls into every learner's home on a JupyterHub.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat

from tools import BUILD, lesson_notebooks
from tools.grading.copies import is_stub

# What only masters and autograders hold; any of these in a hand-out is a leak.
MARKERS = ("# BEGIN SOLUTION", "# END SOLUTION", "# SOLUTION", "# HIDDEN", "# BEGIN TESTS",
           "(Answer:", "# ASSIGNMENT CONFIG", "BEGIN QUESTION")
README = """# forecasting-failures: your copies

These are the student copies of the course notebooks. Open them in JupyterLab with the kernel
"Python (forecasting-failures)" and work top to bottom. `grader.check("q1")` checks an answer;
the last cells of a graded lesson export your submission. Your work stays yours: when the
instructor publishes a new version, pulling it again merges it in without overwriting your edits.
"""


def leaks(folder: Path) -> list[str]:
    """Everything in ``folder`` a learner must not receive, one line each."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_dir():
            if path.name in {"tests", "autograder", "otter", ".otter"}:
                found.append(f"{rel}: a folder of tests or autograders")
            continue
        if path.suffix == ".zip":
            found.append(f"{rel}: an archive (autograders are zips)")
        if path.suffix != ".ipynb":
            continue
        nb = nbformat.read(path, as_version=4)
        tests = nb.metadata.get("otter", {}).get("tests") or {}
        found += [f"{rel}: test {q} in its metadata checks in the kernel (not a stub that asks the checker)"
                  for q, source in tests.items() if not is_stub(str(source))]
        for i, cell in enumerate(nb.cells):
            if "instructor" in cell.get("metadata", {}).get("tags", []):
                found.append(f"{rel} cell {i}: an instructor cell")
            hits = [m for m in MARKERS if m in cell.source]
            if hits:
                found.append(f"{rel} cell {i}: holds {hits[0]!r}")
    return found


def make_handout(student: Path, out: Path, git: bool = False) -> Path:
    """Copy the student notebooks into ``out``, check for leaks, zip it; returns the zip's path."""
    notebooks = lesson_notebooks(student)
    if not notebooks:
        raise SystemExit(f"no student copies in {student}: run `make student` first.")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for nb in notebooks:
        shutil.copy2(nb, out / nb.name)
    (out / "README.md").write_text(README)
    problems = leaks(out)
    if problems:
        shutil.rmtree(out)
        raise SystemExit("hand-out refused, it would give away answers:\n  " + "\n  ".join(problems))
    archive = out.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(out.rglob("*")):
            zf.write(path, Path(out.name) / path.relative_to(out))
    if git:
        env = {**os.environ, "GIT_AUTHOR_NAME": "course", "GIT_AUTHOR_EMAIL": "course@localhost",
               "GIT_COMMITTER_NAME": "course", "GIT_COMMITTER_EMAIL": "course@localhost"}
        for cmd in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "student copies"]):
            subprocess.run(["git", *cmd], cwd=out, check=True, env=env)
    return archive


def main(argv: list[str] | None = None) -> int:
    """Make the hand-out (with --git, also its repository) and say what it holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--student", type=Path, default=BUILD / "fresh",
                        help="the student copies to hand out (default: the fresh ones make student built)")
    parser.add_argument("--out", type=Path, default=BUILD / "handout")
    parser.add_argument("--git", action="store_true", help="also make the folder a git repository")
    args = parser.parse_args(argv)
    archive = make_handout(args.student, args.out, git=args.git)
    names = sorted(p.name for p in args.out.glob("*.ipynb"))
    print(f"hand-out: {len(names)} notebooks in {args.out}/ and {archive} (no masters, no autograders)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
