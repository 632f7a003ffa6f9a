"""The checker's image for a class on Kubernetes, as a repo2docker build folder: every answer in it.

``python -m tools.checker_image`` (``make checker-image``, after ``make student``) writes
``build/hub/checker-image/``: the course's package and tools, the masters (``notebooks/``), the
autograders and fresh student copies that ``make student`` built (``build/otter``,
``build/fresh``), and a ``binder/`` that installs the course with its ``[hub]`` extra on the
learners' image's Python (their ``binder/runtime.txt``, copied: a function input travels from the
checker to a learner's kernel as marshalled code, which only the same Python reads). The
Deployment in ``hub/checker-k8s.yaml`` runs it from ``/srv/course``::

    jupyter-repo2docker --no-run --target-repo-dir /srv/course --user-id 1000 --user-name jovyan \\
        --image-name <private registry>/forecasting-failures-checker:<tag> build/hub/checker-image

It is the instructor's image: push it only to a registry that learners cannot pull from.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from tools import BUILD, ROOT, lesson_notebooks
from tools.grading import copies, results
from tools.hub_image import copy

#: From the repository: what ``tools.grading.serve`` imports and the masters it runs.
SHIPPED = ("pyproject.toml", "README.md", "lessons_lib", "tools", "notebooks", "binder/runtime.txt")
#: From ``make student``'s build: the autograders (with their index) and the fresh student copies.
BUILT = ("otter", "fresh")
REQUIREMENTS = """# The course's checker (tools/checker_image.py): the course, with [hub] for the hub's OAuth
.[hub]
"""


def write(out: Path = BUILD / "hub" / "checker-image", root: Path = ROOT, build: Path = BUILD) -> Path:
    """Write the checker image's build folder into ``out`` (replacing it); refuse an unbuilt course."""
    lessons = results.autograders(build)
    graded = [p.stem for p in lesson_notebooks(root / "notebooks") if copies.has_exercises(p)]
    missing = [m for m in graded if m not in lessons or not (build / "fresh" / f"{m}.ipynb").exists()]
    if not lessons or missing:
        raise SystemExit(f"no autograder for {missing or 'any lesson'} in {build}: run `make student` first.")
    if out.exists():
        shutil.rmtree(out)
    for rel in SHIPPED:
        copy(root / rel, out / rel)
    for rel in BUILT:
        copy(build / rel, out / "build" / rel)
    # the index names each zip as the checker finds it from /srv/course, its working directory
    otter = (build / "otter").resolve()
    index = {lesson: (Path("build/otter") / zp.resolve().relative_to(otter)).as_posix()
             for lesson, zp in lessons.items()}
    results.write_index(out / "build", index)
    (out / "binder" / "requirements.txt").write_text(REQUIREMENTS)
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the folder and say how to build the image from it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILD / "hub" / "checker-image")
    out = write(parser.parse_args(argv).out)
    print(f"checker image folder: {out}/ (masters and autograders: a private registry only). Build it:\n"
          "  jupyter-repo2docker --no-run --target-repo-dir /srv/course --user-id 1000 --user-name jovyan "
          f"--image-name <private registry>/forecasting-failures-checker:<tag> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
