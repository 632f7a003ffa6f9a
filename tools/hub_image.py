"""The learners' single-user image for a class hub, as a repo2docker build folder that holds no answer.

``python -m tools.hub_image`` (``make hub-image``) writes ``build/hub/image/``: the course's package
(``pyproject.toml``, ``lessons_lib/``), the kernel installer (``tools/kernel.py``) and a ``binder/``
whose ``postBuild`` installs the course kernel and nothing else. Built from the repository itself,
the image would carry the masters, the autograders and the hidden tests in its home's layer; a
learner's volume hides that folder at run time, but the layer stays in the image. The student copies
reach each learner's home from the learner repo (``make handout-repo``) through nbgitpuller, and the
checks from the checker service, so the image needs neither. The folder is refused if anything
outside the list below, or any line of a master's solution, slipped in.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from tools import BUILD, ROOT, lesson_notebooks
from tools.handout import MARKERS

#: What the image is built from: the package, its kernel installer, its dependency list.
SHIPPED = ("pyproject.toml", "README.md", "lessons_lib", "tools/__init__.py", "tools/kernel.py",
           "binder/requirements.txt", "binder/runtime.txt")
POSTBUILD = """#!/bin/bash
# The learners' hub image (tools/hub_image.py): the course kernel, in the environment's prefix, outside
# the home that each learner's volume hides. No student copies here: nbgitpuller brings them.
set -euo pipefail
python -m tools.kernel
"""


def solution_lines(notebooks: Path = ROOT / "notebooks", shortest: int = 30) -> set[str]:
    """The masters' solution lines (inside ``# BEGIN SOLUTION`` blocks or marked ``# SOLUTION``) of at
    least ``shortest`` characters: text that only a master holds."""
    import nbformat

    found = set()
    for master in lesson_notebooks(notebooks):
        for cell in nbformat.read(master, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                text = line.split("# SOLUTION")[0].strip()
                if "# BEGIN SOLUTION" in line or "# END SOLUTION" in line:
                    inside = "# BEGIN SOLUTION" in line
                elif (inside or "# SOLUTION" in line) and len(text) >= shortest:
                    found.add(text)
    return found


def leaks(folder: Path, notebooks: Path = ROOT / "notebooks") -> list[str]:
    """Everything in ``folder`` an image for learners must not hold, one line each."""
    allowed = {Path(p) for p in (*SHIPPED, "binder/postBuild")}
    solutions = solution_lines(notebooks)
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if not any(rel == a or a in rel.parents for a in allowed):
            found.append(f"{rel}: not part of the image (only {', '.join(SHIPPED)})")
            continue
        text = path.read_text(errors="replace")
        marker = next((m for m in MARKERS if m in text), None)
        solution = next((s for s in (line.strip() for line in text.splitlines()) if s in solutions), None)
        if marker or solution:
            found.append(f"{rel}: holds {marker or solution!r}, which only the masters hold")
    return found


def copy(src: Path, dst: Path) -> None:
    """Copy a file or a folder into an image's build folder, without bytecode or checkpoints."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
    else:
        shutil.copy2(src, dst)


def write(out: Path = BUILD / "hub" / "image", root: Path = ROOT) -> Path:
    """Write the image's build folder into ``out`` (replacing it) and refuse it if it leaks."""
    if out.exists():
        shutil.rmtree(out)
    for rel in SHIPPED:
        copy(root / rel, out / rel)
    (out / "binder" / "postBuild").write_text(POSTBUILD)
    (out / "binder" / "postBuild").chmod(0o755)
    problems = leaks(out, root / "notebooks")
    if problems:
        shutil.rmtree(out)
        raise SystemExit("hub image refused, it would give away answers:\n  " + "\n  ".join(problems))
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the folder and say how to build the image from it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILD / "hub" / "image")
    out = write(parser.parse_args(argv).out)
    print(f"hub image folder: {out}/ (the package and its kernel; no notebook, no test). Build it with\n"
          f"  jupyter-repo2docker --no-run --push --image-name <registry>/forecasting-failures:<tag> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
