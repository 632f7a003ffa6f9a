"""A learner's environment as pip resolves it from PyPI alone, each wheel downloaded once.

``python -m tools.learner_env --python python3.12 --env build/learner-3.12 [-r binder/requirements.txt]``

1. ``python -m venv ENV`` with the learner's Python;
2. ``pip download`` into the shared wheelhouse (``WHEELHOUSE``): pip resolves the requirements
   file (the course and its extras, as Binder and a hub image install it) against PyPI exactly as a
   learner's pip does, and downloads only the files the wheelhouse lacks;
3. uv installs exactly the files pip named in step 2 (``--no-deps``, hard links from its cache),
   then the course itself as the file says (editable or not), and writes their bytecode as pip
   does;
4. pip adds the ``[test]`` extra's tools (pytest, nbval...) on top, changing no learner version
   unless pip would.

pip caches nothing from this PyPI (no Cache-Control header) and its ``--dry-run`` downloads whole
wheels, so each env used to download its 3.6 GB again: now the nvidia-* wheels and every
pure-Python wheel download once for all Pythons. pip and uv run with no local configuration
(``PIP_CONFIG_FILE=/dev/null``, ``UV_NO_CONFIG=1``, no other ``PIP_*``/``UV_*`` variable but uv's
cache folder): PyPI alone.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

from packaging.utils import parse_sdist_filename, parse_wheel_filename

from tools import ROOT

#: The shared wheelhouse: kept between runs, like any download cache (``make clean`` leaves it).
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
WHEELHOUSE = CACHE / "forecasting-failures" / "wheels"
#: A requirements line that installs this project: ``.``, ``-e .``, ``.[hub]``, ``-e .[hub,test]``.
PROJECT_LINE = re.compile(r"^(?P<editable>-e\s+)?\.(?P<extras>\[[^\]]*\])?$")


def pypi_only_env() -> dict[str, str]:
    """This process's environment without local pip or uv configuration: PyPI alone."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_")) or k == "UV_CACHE_DIR"}
    return env | {"PIP_CONFIG_FILE": os.devnull, "UV_NO_CONFIG": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def uv_binary() -> str:
    """The ``uv`` next to this Python (the [test] extra installs it), else one on PATH."""
    here = Path(sys.executable).parent / "uv"
    found = str(here) if here.exists() else shutil.which("uv")
    if not found:
        raise SystemExit("uv not found: install the test extra (pip install -e '.[test]') or uv itself.")
    return found


def project_spec(requirements: Path) -> tuple[bool, str, list[str]]:
    """From a requirements file: whether the course is editable, its extras, and the other lines."""
    editable, extras, others = False, "", []
    for raw in requirements.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if match := PROJECT_LINE.match(line):
            editable, extras = bool(match["editable"]), match["extras"] or ""
        else:
            others.append(line)
    return editable, extras, others


def pip(python: Path, args: list[str]) -> None:
    """Run this env's pip with PyPI alone, from the repository root."""
    subprocess.run([str(python), "-m", "pip", *args], check=True, env=pypi_only_env(), cwd=ROOT)


#: How ``pip download`` names each file of its resolution, new or kept from an earlier run.
SAVED = re.compile(r"^\s*(?:Saved|File was already downloaded) (?P<path>\S+)$", re.MULTILINE)


def download(python: Path, requirements: list[str]) -> list[str]:
    """pip's resolution of ``requirements`` on PyPI, its files in the wheelhouse; their paths.

    Exactly the files pip picked for this Python (its pre-release and sdist choices included),
    read from pip's own report of what it saved or found already there; the course's own
    archive is left out (uv installs the course from ROOT).
    """
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    # the course's build backend, for uv to build it offline; not part of the learner's install
    pip(python, ["download", "--quiet", "--no-deps", "--dest", str(WHEELHOUSE), "setuptools>=68"])
    cmd = [str(python), "-m", "pip", "download", "--dest", str(WHEELHOUSE), *requirements]
    done = subprocess.run(cmd, check=True, env=pypi_only_env(), cwd=ROOT, capture_output=True, text=True)
    files = resolved(Path(m["path"]) for m in SAVED.finditer(done.stdout))
    for built in WHEELHOUSE.glob("forecasting*"):
        built.unlink()
    return [str(WHEELHOUSE / f.name) for f in files if not f.name.startswith("forecasting")]


def resolved(named: Iterable[Path]) -> list[Path]:
    """One file per project: the last pip named. While it backtracks, pip fetches every candidate it
    tries (docutils 0.23.1, then 0.22.4 that Sphinx admits) and names each; its resolution is the
    candidate it settled on, the last tried. ``pip check`` on the env then confirms the set."""
    chosen: dict[str, Path] = {}
    for path in named:
        if path.name.endswith(".whl"):
            name = parse_wheel_filename(path.name)[0]
        else:
            name = parse_sdist_filename(path.name)[0]
        chosen.pop(name, None)  # re-inserted last: the order pip settled them in
        chosen[name] = path
    return list(chosen.values())


def uv_install(python: Path, args: list[str]) -> None:
    """``uv pip install --no-deps`` from the wheelhouse alone into the env of ``python``.

    ``--compile-bytecode``: pip writes every module's ``.pyc`` at install, uv does not by default.
    Without them each new kernel compiles TensorFlow's and PyTorch's Python from source (22 s to
    import both here, 7 to 10 s with them), and with ``PYTHONDONTWRITEBYTECODE`` set it does so in
    every kernel; the learner's pip install never does.
    """
    cmd = [uv_binary(), "pip", "install", "--quiet", "--no-deps", "--no-index", "--compile-bytecode",
           "--find-links", str(WHEELHOUSE), "--python", str(python), *args]
    subprocess.run(cmd, check=True, env=pypi_only_env(), cwd=ROOT)


def test_tools() -> list[str]:
    """The requirements of the course's ``[test]`` extra (pyproject.toml)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return list(project["optional-dependencies"]["test"])


def build(python: str, env: Path, requirements: Path) -> Path:
    """Create ``env`` with ``python`` and install the learner's resolution into it; its Python."""
    env = env.absolute()  # uv writes the interpreter's path as given into every script's first line
    shutil.rmtree(env, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(env)], check=True)
    py = env / "bin" / "python"
    editable, extras, others = project_spec(requirements)
    course = ["-e", f".{extras}"] if editable else [f".{extras}"]
    uv_install(py, download(py, [*others, f".{extras}"]))
    uv_install(py, course)
    pip(py, ["check"])  # every installed requirement met: the set is one consistent resolution
    pip(py, ["install", "--quiet", *test_tools()])
    return py


def main(argv: list[str] | None = None) -> int:
    """Build one learner env; exit 1 (naming the failed command) if pip or uv failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="the learner's interpreter, e.g. python3.12")
    parser.add_argument("--env", required=True, type=Path, help="the env's folder (replaced)")
    parser.add_argument("-r", "--requirements", type=Path, default=ROOT / "binder" / "requirements.txt")
    args = parser.parse_args(argv)
    try:
        build(args.python, args.env, args.requirements)
    except subprocess.CalledProcessError as exc:
        shown = " ".join(map(str, exc.cmd[:5]))
        print(f"learner env {args.env}: `{shown} ...` failed ({exc.returncode})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
