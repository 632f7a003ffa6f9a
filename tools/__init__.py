"""Course tooling, not the learner's ``lessons_lib``: run it from the repository root with ``python -m``.

- ``python -m tools.kernel``: install the course kernel into this environment (``make kernel``).
- ``python -m tools.grading``: student copies, the learner's self-check, sandboxed grading.
- ``python -m tools.robust``: the robustness sweep (every notebook under seed, thread and oneDNN
  perturbations), writing ``build/robust.json``.
- ``python -m tools.bench``: run every notebook once, time it, collect what it ``record``-ed
  into ``build/bench.json`` (``make bench``).
- ``python -m tools.bench_shared``: notebooks timed alone and beside busy processes (``make bench-shared``).
- ``python -m tools.quoted_numbers``: every number the markdown quotes is printed, recorded or
  written in a code cell.
- ``python -m tools.book``: the course as a static website in ``build/book/`` (``make book``).
- ``python -m tools.handout``: the learners' hand-out: student copies only, folder and zip (``make handout``).
- ``python -m tools.hub_image``: the learners' hub image, a repo2docker folder (``make hub-image``).
- ``python -m tools.checker_image``: the checker service's image for Kubernetes, a repo2docker folder
  (``make checker-image``).
- ``python -m tools.hub_load``: a load test through a real JupyterHub, N learners at once (``make hub-test``).
"""

import os
from pathlib import Path

#: The repository's root (the course's code, notebooks and docs).
ROOT = Path(__file__).resolve().parent.parent
#: The build folder (``make`` passes its BUILD_DIR as LESSONS_BUILD).
BUILD = Path(os.environ.get("LESSONS_BUILD", "build"))


def lesson_notebooks(folder: Path | str) -> list[Path]:
    """The lesson notebooks in ``folder`` (``NN_name.ipynb``), in course order."""
    return sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))
