"""The hub image's environment with the learner's home mounted over it, as Kubernetes mounts it.

Zero to JupyterHub mounts each learner's volume over the image's home, where repo2docker built the
image (the repository's copy, the editable install's source, postBuild's output): all of it is
hidden in the learner's pod. This test takes an environment built from ``binder/`` (BINDER_ENV: its
prefix; ``make test-mounted-home`` builds one), mounts an empty folder over the folder it was built
from (bubblewrap ``--bind``), pulls the learner repo into that empty home with nbgitpuller as the
pod does, and runs the learner's first lesson on the course kernel. An editable install fails here
(``import lessons_lib`` finds nothing); a regular install passes. Skipped when BINDER_ENV is unset.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tools.grading import copies
from tools.handout import make_handout
from tools.kernel import KERNEL_NAME

ROOT = Path(__file__).resolve().parents[1]
FIRST_LESSON = "00_start_here.ipynb"
TARGET = "forecasting-failures"  # where nbgitpuller puts the course in the learner's home
ENV = os.environ.get("BINDER_ENV")

pytestmark = pytest.mark.skipif(not ENV, reason="BINDER_ENV (a binder/ environment's prefix) is not set")


def built_from(env: Path) -> tuple[Path, bool]:
    """The folder the course was installed from into ``env``, and whether the install is editable."""
    found = list((env / "lib").glob("python3.*/site-packages/forecasting_failures-*.dist-info"))
    if not found:
        pytest.fail(f"BINDER_ENV={env}: the course is not installed there (install binder/requirements.txt)")
    direct = json.loads((found[0] / "direct_url.json").read_text())
    source = Path(direct["url"].removeprefix("file://"))
    return source, bool(direct.get("dir_info", {}).get("editable"))


def learner_repo(tmp: Path) -> Path:
    """The learner repo with the first lesson's student copy, as ``make handout-repo`` builds it."""
    masters = tmp / "masters"
    masters.mkdir()
    shutil.copy(ROOT / "notebooks" / FIRST_LESSON, masters)
    copies.build(masters, tmp / "build")
    repo = tmp / "learner-repo"
    make_handout(tmp / "build" / "student", repo, git=True)
    return repo


def in_pod(env: Path, home: Path, empty: Path, script: str) -> subprocess.CompletedProcess:
    """Run ``script`` with ``empty`` mounted over ``home`` and the environment visible, as in a pod."""
    keep = ["--ro-bind", str(env), str(env)] if env.is_relative_to(home) else []
    command = ["bwrap", "--dev-bind", "/", "/", "--bind", str(empty), str(home), *keep,
               "--proc", "/proc", "--chdir", str(home), "bash", "-euo", "pipefail", "-c", script]
    clean = {"PATH": f"{env}/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    return subprocess.run(command, env=clean, capture_output=True, text=True, timeout=600)


def test_the_first_lesson_runs_with_the_home_mounted_over(tmp_path):
    env = Path(ENV).resolve()
    assert shutil.which("bwrap"), "bubblewrap is needed: apt-get install bubblewrap"
    home, editable = built_from(env)
    kernel = env / "share" / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json"
    assert kernel.exists(), f"no course kernel in {env}: run binder/postBuild in that environment"
    repo, empty = learner_repo(tmp_path), tmp_path / "home"
    empty.mkdir()
    script = f"""
        jupyter kernelspec list --json > kernels.json
        gitpuller {repo} main {TARGET}
        jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name={KERNEL_NAME} \
            --ExecutePreprocessor.timeout=600 --output-dir run {TARGET}/{FIRST_LESSON}
    """
    done = in_pod(env, home, empty, script)
    print(f"mounted over {home} (editable install: {editable}); exit {done.returncode}")
    if done.returncode != 0:
        last = re.sub(r"\x1b\[[0-9;]*m", "", done.stderr).strip().splitlines()[-12:]
        pytest.fail(f"the first lesson failed with {home} mounted over:\n" + "\n".join(last), pytrace=False)
    spec = json.loads((empty / "kernels.json").read_text())["kernelspecs"][KERNEL_NAME]
    assert Path(spec["resource_dir"]).is_relative_to(env), spec["resource_dir"]  # not in the home
    assert (empty / "run" / FIRST_LESSON).exists() and (empty / TARGET / FIRST_LESSON).exists()
