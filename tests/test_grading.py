"""Student copies leak nothing; reference answers get full marks; bad submissions are graded, not fatal."""

import csv
import json
import os
import re
import sys
import zipfile
from pathlib import Path

import nbformat
import notebook_helpers
import pytest

from lessons_lib import answer_data
from tools import ROOT, kernel
from tools.grading import answers as A
from tools.grading import bwrap, copies, grade, results, selfcheck

NOTEBOOKS = Path(os.environ.get("LESSONS_NOTEBOOKS", Path(__file__).parent.parent / "notebooks"))
LESSONS = [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if copies.has_exercises(p)]


def _cells_between(nb, begin: str, end: str):
    inside, found = False, []
    for cell in nb.cells:
        if cell.cell_type == "raw" and cell.source.strip() == begin:
            inside = True
        elif cell.cell_type == "raw" and cell.source.strip() == end:
            inside = False
        elif inside and cell.cell_type == "code":
            found.append(cell)
    return found


def _solution_lines(master):
    lines = []
    for cell in _cells_between(master, "# BEGIN SOLUTION", "# END SOLUTION"):
        for line in cell.source.splitlines():
            code = line.split("# SOLUTION")[0].strip()
            if "# SOLUTION" in line and code:
                lines.append(code)
    return lines


def _hidden_test_lines(master):
    lines = []
    for cell in _cells_between(master, "# BEGIN TESTS", "# END TESTS"):
        src = cell.source.splitlines()
        if src and src[0].strip().lower().startswith("# hidden"):
            lines += [ln.strip() for ln in src[1:] if ln.strip()]
    return lines


def test_every_lesson_with_exercises_has_an_autograder(built):
    assert LESSONS, "no lesson notebook carries exercises"
    for master in LESSONS:
        assert notebook_helpers.questions(master.stem, built), f"{master.name}: no graded questions"


@pytest.mark.parametrize("master_path", LESSONS, ids=lambda p: p.stem)
def test_student_copy_holds_no_solution_and_no_hidden_test(built, master_path):
    master = nbformat.read(master_path, as_version=4)
    student = nbformat.read(built / "student" / master_path.name, as_version=4)
    student_text = "\n".join(cell.source for cell in student.cells)
    solutions, hidden = _solution_lines(master), _hidden_test_lines(master)
    assert solutions and hidden, f"{master_path.name}: expected solutions and hidden tests in the master"
    in_solution = {id(c) for c in _cells_between(master, "# BEGIN SOLUTION", "# END SOLUTION")}
    public = "\n".join(c.source for c in master.cells if id(c) not in in_solution)
    for line in solutions + hidden:
        if line in public:  # also written out in the lesson's own code, so not a leak
            continue
        assert line not in student_text, f"{master_path.name}: student copy leaks {line!r}"
    assert "grader.check(" in student_text


# The reference answers' full marks and the wrong answers' failures are tested on the real
# lessons in tests/test_student_copies.py (marker learner, make test-learner).


# ---- a tiny lesson in the same format, to exercise every kind of submission quickly ----


def _mini_master(answer_note: str = "(Answer: 4.5, the middle of 0..9.)") -> nbformat.NotebookNode:
    raw, md, code = nbformat.v4.new_raw_cell, nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    note = md(answer_note)
    note.metadata["tags"] = ["instructor"]
    cells = [
        raw(
            "# ASSIGNMENT CONFIG\nname: 90_mini\ninit_cell: true\ncheck_all_cell: true\n"
            "export_cell:\n  pdf: false\n  run_tests: false\n  force_save: false\n"
            "run_tests: false\ntests:\n  files: false\n  ok_format: false"
        ),
        code("import numpy as np\nfrom lessons_lib import exercises as ex\nseries = np.arange(10.0)"),
        raw("# BEGIN QUESTION\nname: q1\npoints: 2"),
        md("**q1.** The mean of `series`, in `avg`."),
        raw("# BEGIN SOLUTION"),
        code(
            '""" # BEGIN PROMPT\navg = None  # your code\n"""  # END PROMPT\n'
            "avg = series.mean()  # SOLUTION NO PROMPT"
        ),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code('def test_q1_format(ex, avg):\n    ex.check_answered("q1", avg, "avg")'),
        code('# HIDDEN\ndef test_q1_value(ex, avg):\n    ex.check_close("q1", avg, 4.5, "avg")'),
        raw("# END TESTS"),
        raw("# END QUESTION"),
        note,
        raw("# BEGIN QUESTION\nname: q2\npoints: 1"),
        md("**q2.** The last value of `series`, in `last`."),
        raw("# BEGIN SOLUTION"),
        code(
            '""" # BEGIN PROMPT\nlast = None  # your code\n"""  # END PROMPT\n'
            "last = series[-1]  # SOLUTION NO PROMPT"
        ),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code('# HIDDEN\ndef test_q2_value(ex, last):\n    ex.check_close("q2", last, 9.0, "last")'),
        raw("# END TESTS"),
        raw("# END QUESTION"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    return nb


def test_course_kernel_sets_the_thread_setting_unless_the_learner_chose(tmp_path, monkeypatch):
    from traitlets.config import Config

    from lessons_lib.seeding import THREAD_ENV

    kernel.install_kernel(tmp_path)
    source = (tmp_path / "etc" / "ipython" / "ipython_kernel_config.py").read_text()
    for key in THREAD_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LESSONS_THREADS", "4")  # LESSONS_THREADS=4 make lab
    c = Config()
    exec(compile(source, "ipython_kernel_config.py", "exec"), {"c": c})
    assert c.IPKernelApp.capture_fd_output is False
    assert os.environ["LESSONS_THREADS"] == "4", "a setting the learner made wins"
    assert {k: os.environ[k] for k in THREAD_ENV if k != "LESSONS_THREADS"} == {
        k: v for k, v in THREAD_ENV.items() if k != "LESSONS_THREADS"
    }


def test_build_strips_instructor_cells_and_indexes_autograders(tmp_path):
    masters, out = tmp_path / "masters", tmp_path / "build"
    masters.mkdir()
    nbformat.write(_mini_master(), masters / "90_mini.ipynb")
    copies.build(masters, out)
    student = nbformat.read(out / "student" / "90_mini.ipynb", as_version=4)
    text = json.dumps(student)
    assert "(Answer:" not in text and "instructor" not in text and "test_q1_value" not in text
    assert student.metadata["kernelspec"]["name"] == kernel.KERNEL_NAME
    index = json.loads((out / "otter" / "autograders.json").read_text())
    assert Path(index["90_mini"]).is_file() and Path(index["90_mini"]).suffix == ".zip"
    assert results.autograder_zip("90_mini", out) == Path(index["90_mini"])
    assert notebook_helpers.questions("90_mini", out) == {"q1": 2.0, "q2": 1.0}
    versions = json.loads((out / "student" / ".versions.json").read_text())
    assert set(versions) == {"90_mini.ipynb"}


def test_build_fails_when_a_student_copy_would_show_an_answer(tmp_path):
    masters = tmp_path / "masters"
    masters.mkdir()
    nb = _mini_master()
    nb.cells[12].metadata["tags"] = []  # the model answer, not tagged instructor
    nbformat.write(nb, masters / "90_mini.ipynb")
    with pytest.raises(RuntimeError, match=r"\(Answer:"):
        copies.build(masters, tmp_path / "build")


def test_build_names_the_lesson_otter_assign_failed_on(tmp_path):
    masters = tmp_path / "masters"
    masters.mkdir()
    nbformat.write(_mini_master(), masters / "90_mini.ipynb")
    broken = _mini_master()
    begin = next(c for c in broken.cells if c.source.startswith("# BEGIN QUESTION"))
    begin.source = begin.source.replace("name:", "name: [")  # not YAML
    nbformat.write(broken, masters / "91_broken.ipynb")
    with pytest.raises(RuntimeError, match=r"otter assign failed for 91_broken\.ipynb"):
        copies.build(masters, tmp_path / "build")


def test_refresh_keeps_the_learners_copy(tmp_path):
    masters, out = tmp_path / "masters", tmp_path / "build"
    masters.mkdir()
    nbformat.write(_mini_master(), masters / "90_mini.ipynb")
    copies.build(masters, out)
    mine = out / "student" / "90_mini.ipynb"
    typed = nbformat.read(mine, as_version=4)
    typed.cells.append(nbformat.v4.new_code_cell("my_work = 42"))
    nbformat.write(typed, mine)
    assert copies.stale(masters, out) == []
    nbformat.write(_mini_master("(Answer: 4.5, now explained better.)"), masters / "90_mini.ipynb")
    assert copies.stale(masters, out) == ["90_mini.ipynb"]
    copies.build(masters, out)  # a rebuild never touches the learner's copy
    assert "my_work = 42" in mine.read_text()
    moved = copies.refresh(masters, out)
    assert len(moved) == 1
    kept, new = moved[0]
    assert new == mine and "my_work = 42" not in mine.read_text()
    assert "my_work = 42" in kept.read_text()
    assert re.fullmatch(r"90_mini\.\d{4}-\d\d-\d\dT\d{4}\.ipynb", kept.name)
    assert copies.stale(masters, out) == []
    assert selfcheck.learner_copies(out) == [mine]


def test_every_kind_of_submission_is_graded(tmp_path):
    masters, out, subs = tmp_path / "masters", tmp_path / "build", tmp_path / "subs"
    masters.mkdir()
    subs.mkdir()
    nbformat.write(_mini_master(), masters / "90_mini.ipynb")
    copies.build(masters, out)
    student = nbformat.read(out / "student" / "90_mini.ipynb", as_version=4)
    slots = [c for c in student.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    variants = {
        "untouched": None,
        "good": ("avg = series.mean()", "last = series[-1]"),
        "raises": ("avg = series.mean()", "raise RuntimeError('oops')"),
        "wrong": ("avg = series.sum() / 9", "last = series[-2]"),
        "hangs": ("avg = series.mean()", "while True:\n    pass"),
    }
    for name, answers in variants.items():
        nb = nbformat.from_dict(student)
        if answers:
            for slot, answer in zip(
                [c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])],
                answers,
                strict=True,
            ):
                slot.source = answer
        nbformat.write(nb, subs / f"{name}.ipynb")
    assert len(slots) == 2
    # the mini lesson runs in seconds; the hanging submission waits out the whole limit
    rows = notebook_helpers.grade(subs, tmp_path / "grades.csv", out=out, timeout=40, jobs=2,  # 2 cores
                                  notebooks=masters)
    got = {(r.submission.removesuffix(".ipynb"), r.question): r for r in rows}
    assert got["good", "TOTAL"].score == got["good", "TOTAL"].max_score == 3
    assert got["untouched", "TOTAL"].score == 0
    assert got["raises", "q1"].score == 2 and got["raises", "q2"].score == 0 and got["raises", "q2"].message
    # otter shares a question's points among its test cases: the public "is it defined" case
    # passes, the hidden value check does not
    assert got["wrong", "TOTAL"].score < got["wrong", "TOTAL"].max_score
    assert got["wrong", "q1"].score < 2 and got["wrong", "q2"].score == 0
    # the learner's own self-check (make score): its messages never name the value
    assert "avg is not right" in got["wrong", "q1"].message and "4.5" not in got["wrong", "q1"].message
    assert got["hangs", "TOTAL"].score == 0 and "wall-clock limit" in got["hangs", "q1"].message
    with open(tmp_path / "grades.csv") as fh:
        header = next(csv.reader(fh))
    assert header == ["submission", "lesson", "question", "score", "max_score", "message"]


# ---- the sandboxed grader (tools/grading/grade.py): fast tests of its pieces ----



@pytest.mark.parametrize("master_path", LESSONS, ids=lambda p: p.stem)
def test_every_graded_question_has_answer_names_its_tests_read(built, master_path):
    """The names exported from the sandbox are the answer cells' names (from the built copy); each
    question's tests must read at least one of them, or the learner's work would never be graded."""
    import zipfile

    from otter.test_files.exception_test import ExceptionTestFile

    per_q = A.question_answer_names(nbformat.read(built / "fresh" / master_path.name, as_version=4))
    points = notebook_helpers.questions(master_path.stem, built)
    with zipfile.ZipFile(results.autograder_zip(master_path.stem, built)) as zf:
        for q in points:
            assert per_q.get(q), f"{master_path.stem} {q}: no answer names found in its answer cells"
            tf = ExceptionTestFile.from_string(zf.read(f"tests/{q}.py").decode(), path=q)
            for tc in tf.test_cases:
                params = set(tc.body._get_func_params())
                assert params & set(per_q[q]), (
                    f"{master_path.stem} {q}/{tc.name} reads none of the answer names {per_q[q]}"
                )


def test_answer_cell_names():
    src = 'a, (b, c) = 1, (2, 3)\ndef f(x):\n    y = 1\n    return y\nclass K: pass\nd: int = 4\nprint(a)'
    assert A.answer_cell_names(src) == ["a", "b", "c", "f", "K", "d"]
    assert A.answer_cell_names("this is ( not python") == []


def test_values_round_trip_as_data_and_nothing_else_comes_back(tmp_path):
    import numpy as np

    from lessons_lib import Scaler

    scaler = Scaler("minmax").fit(np.arange(10.0))
    values = {"x": 1.5, "n": np.int64(3), "arr": np.arange(6.0).reshape(2, 3), "s": "a",
              "t": (1, [2, None]), "d": {"k": float("nan")}, "scaler": scaler, "f": lambda z: z}
    enc = answer_data.Encoder(tmp_path)
    tree = {k: enc.enc(v) for k, v in values.items()}
    back = {k: A.decode(json.loads(json.dumps(v)), tmp_path) for k, v in tree.items()}
    assert back["x"] == 1.5 and back["n"] == 3 and back["s"] == "a" and back["t"] == (1, [2, None])
    assert np.array_equal(back["arr"], values["arr"]) and np.isnan(back["d"]["k"])
    assert isinstance(back["scaler"], Scaler) and back["scaler"].scale_ == scaler.scale_
    assert isinstance(back["f"], A.Unreadable)
    # what a rigged sandbox might send back
    np.save(tmp_path / "a99.npy", np.array([object()], dtype=object), allow_pickle=True)
    assert isinstance(A.decode({"npy": "a99.npy"}, tmp_path), A.Unreadable)  # no pickle
    assert isinstance(A.decode({"npy": "../../etc/passwd"}, tmp_path), A.Unreadable)
    for cls in ("os.system", "subprocess.Popen"):
        rigged = {"object": {"class": cls, "state": {"dict": []}}}
        assert isinstance(A.decode(rigged, tmp_path), A.Unreadable)


@pytest.fixture(scope="module")
def _mini_course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mini_course")
    masters, out = root / "masters", root / "build"
    masters.mkdir()
    nbformat.write(_mini_master(), masters / "90_mini.ipynb")
    copies.build(masters, out)
    return root


def _course_build(tmp_path, mini_course: Path) -> Path:
    """A private copy of the mini course (built once per module): masters and build in tmp_path."""
    import shutil

    shutil.copytree(mini_course / "masters", tmp_path / "masters")
    shutil.copytree(mini_course / "build", tmp_path / "build")
    index = tmp_path / "build" / "otter" / "autograders.json"
    index.write_text(index.read_text().replace(str(mini_course), str(tmp_path)))
    return tmp_path / "build"


def test_files_that_are_not_notebooks_of_the_course_get_a_reason(tmp_path, _mini_course):
    out = _course_build(tmp_path, _mini_course)
    lessons = sorted(grade.course_lessons(out))
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "empty.ipynb").write_bytes(b"")
    (subs / "alice.ipynb").write_text("not json {")
    (subs / "notes.txt").write_text("hello")
    student = nbformat.read(out / "fresh" / "90_mini.ipynb", as_version=4)
    student.metadata["otter"]["assignment_name"] = "/etc/../../rigged"
    nbformat.write(student, subs / "path_90_mini.ipynb")
    other = nbformat.read(out / "fresh" / "90_mini.ipynb", as_version=4)
    nbformat.write(other, subs / "bob_01_failing_setup.ipynb")
    with zipfile.ZipFile(subs / "bundle.zip", "w") as zf:
        zf.writestr("../../../escape.ipynb", json.dumps(other))
    (subs / "broken.zip").write_text("not a zip")
    found = {s.name: s for s in grade.collect(subs, tmp_path / "unzipped")}
    for s in found.values():
        if s.path is not None and not s.problem:
            grade.identify(s, lessons)
    assert found["empty.ipynb"].problem == "empty file"
    assert found["alice.ipynb"].problem.startswith("not a notebook")
    assert found["notes.txt"].problem.startswith("not a notebook")
    path_trick = found["path_90_mini.ipynb"]
    assert path_trick.lesson == "90_mini" and "ignored" in path_trick.flags[0]
    assert found["bob_01_failing_setup.ipynb"].lesson == "90_mini"  # metadata wins, flagged
    assert "file name says" in found["bob_01_failing_setup.ipynb"].flags[0]
    unzipped = found["bundle.zip:escape.ipynb"]
    assert unzipped.lesson == "90_mini" and (tmp_path / "unzipped") in unzipped.path.parents
    assert "unreadable zip" in found["broken.zip"].problem


def test_missing_or_empty_folder_is_one_sentence(tmp_path, _mini_course):
    out = _course_build(tmp_path, _mini_course)
    with pytest.raises(grade.GradingError, match="does not exist"):
        grade.grade_folder(tmp_path / "nope", None, out, tmp_path / "masters", jobs=1)
    (tmp_path / "empty").mkdir()
    with pytest.raises(grade.GradingError, match="is empty"):
        grade.grade_folder(tmp_path / "empty", None, out, tmp_path / "masters", jobs=1)


def test_autograder_found_by_exact_name_not_by_sorting(tmp_path, _mini_course):
    out = _course_build(tmp_path, _mini_course)
    real = grade.course_lessons(out)["90_mini"]
    rigged = real.with_name("90_mini-autograder_9999_rigged.zip")
    rigged.write_bytes(b"rigged")
    assert grade.course_lessons(out)["90_mini"] == real
    index = out / "otter" / "autograders.json"
    index.write_text(json.dumps({"90_mini": str(tmp_path / "elsewhere.zip"), "../x": str(real)}))
    with pytest.raises(grade.GradingError, match="no usable autograder"):
        grade.course_lessons(out)


def test_grading_refuses_without_bubblewrap(tmp_path, monkeypatch, _mini_course):
    out = _course_build(tmp_path, _mini_course)
    monkeypatch.setattr(bwrap, "bwrap_path", lambda: None)
    (tmp_path / "subs").mkdir()
    with pytest.raises(grade.GradingError, match="apt-get install bubblewrap"):
        grade.grade_folder(tmp_path / "subs", None, out, tmp_path / "masters", jobs=1)


@pytest.mark.skipif(bwrap.bwrap_path() is None, reason="bubblewrap (bwrap) is not installed")
def test_sandbox_command_isolates(tmp_path):
    cmd = bwrap.command(tmp_path / "job", 0, None)
    for flag in ("--unshare-pid", "--unshare-net", "--die-with-parent", "--new-session", "--clearenv"):
        assert flag in cmd or (flag.startswith("--unshare") and "--unshare-all" in cmd)
    sources = {cmd[i + 1] for i, a in enumerate(cmd) if a in ("--ro-bind", "--bind")}
    for hidden in (ROOT, ROOT / "build", ROOT / "notebooks", ROOT / "tests"):
        assert str(hidden) not in sources, f"{hidden} is mounted in the sandbox"
    writable = [cmd[i + 1 : i + 3] for i, a in enumerate(cmd) if a == "--bind"]
    assert writable == [[str(tmp_path / "job" / "scratch"), "/tmp"]]  # the only writable place


def test_csv_is_rewritten_atomically_as_rows_come(tmp_path):
    w = grade.CsvWriter(tmp_path / "g.csv")
    assert (tmp_path / "g.csv").read_text().startswith("submission,lesson")
    w.add([results.Row("a.ipynb", "90_mini", "TOTAL", 1.0, 3.0, "")])
    assert "a.ipynb" in (tmp_path / "g.csv").read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["g.csv"]


@pytest.mark.skipif(bwrap.bwrap_path() is None, reason="bubblewrap (bwrap) is not installed")
def test_sandboxed_grading_of_the_mini_lesson(tmp_path, course_kernel, _mini_course):
    """Answers leave the sandbox as data; checks run outside on the master's values."""
    out = _course_build(tmp_path, _mini_course)
    subs = tmp_path / "subs"
    subs.mkdir()
    student = nbformat.read(out / "fresh" / "90_mini.ipynb", as_version=4)
    slots = [c for c in student.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    variants = {
        "good": ("avg = series.mean()", "last = series[-1]"),
        "wrong": ("avg = series.sum() / 9", "last = series[-2]"),
        "rigged_data": ("series = np.zeros(10)\navg = 0.0", "last = 0.0"),
        "hangs": ("avg = series.mean()", "while True:\n    pass"),
    }
    for name, code in variants.items():
        nb = nbformat.from_dict(json.loads(json.dumps(student)))
        for slot, src in zip([c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])],
                             code, strict=True):
            slot.source = src
        nbformat.write(nb, subs / f"{name}_90_mini.ipynb")
    assert len(slots) == 2
    limits = bwrap.Limits(wall_seconds=60, cpu_seconds=30)
    rows = grade.grade_folder(subs, tmp_path / "g.csv", out, tmp_path / "masters", jobs=2, limits=limits,
                                  quiet=True)
    got = {(r.submission.removesuffix("_90_mini.ipynb"), r.question): r for r in rows}
    assert got["good", "TOTAL"].score == got["good", "TOTAL"].max_score == 3
    # the instructor's grades.csv may name the expected value (the checker's for_instructor)
    assert got["wrong", "q1"].score < 2 and "expected 4.5" in got["wrong", "q1"].message
    assert got["rigged_data", "TOTAL"].score < 3  # the checks see the master's series, not theirs
    assert got["hangs", "TOTAL"].score == 0 and "limit" in got["hangs", "TOTAL"].message


def test_course_settings_turn_off_the_jupyter_news_popup(tmp_path):
    """`make kernel` writes JupyterLab's overrides.json: no news pop-up, no update check; both are
    settings JupyterLab's own schema knows (a renamed setting would be ignored silently)."""
    kernel.install_kernel(tmp_path)
    settings = tmp_path / "share" / "jupyter" / "lab" / "settings"
    overrides = json.loads((settings / "overrides.json").read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    schema_file = Path(sys.prefix, "share", "jupyter", "lab", "schemas", "@jupyterlab",
                       "apputils-extension", "notification.json")
    schema = json.loads(schema_file.read_text())["properties"]
    assert "false" in [choice["const"] for choice in schema["fetchNews"]["oneOf"]]
    assert schema["checkForUpdates"]["type"] == "boolean"


# ---------------------------------------------------------------- student copies ask the checker

REAL_TEST = '''from otter.test_files import test_case
OK_FORMAT = False
name = "q1"
points = 1
@test_case(points=0, hidden=False)
def test_q1_value(ex, np, mean_mse, y_val, y_fit):
    ex.check_close("q1", mean_mse, np.mean((y_val - y_fit.mean()) ** 2), "mean_mse")
'''


def test_a_student_copys_tests_only_ask_the_checker():
    stub = copies.stub_test(REAL_TEST, "01_failing_setup", ["mean_mse"])
    assert copies.is_stub(stub) and not copies.is_stub(REAL_TEST)
    assert "np.mean" not in stub and "y_val" not in stub
    computed = stub.replace("['mean_mse']", "[str(np.mean(y_val))]")
    assert not copies.is_stub(computed), "a stub whose arguments compute something is a test"
    extra = stub + "\nimport os\n"
    assert not copies.is_stub(extra)


def test_the_handout_refuses_a_copy_whose_tests_run_in_the_kernel(tmp_path):
    from tools import handout

    nb = nbformat.v4.new_notebook()
    nb.metadata["otter"] = {"tests": {"q1": REAL_TEST}}
    folder = tmp_path / "student"
    folder.mkdir()
    nbformat.write(nb, folder / "01_failing_setup.ipynb")
    problems = handout.leaks(folder)
    assert any("q1" in p and "stub" in p for p in problems), problems


def test_outside_the_sandbox_no_process_cap_is_set(tmp_path):
    """make score and --unsandboxed run as the user, whose every process and thread RLIMIT_NPROC
    counts (a desktop holds thousands): no cap there, the other limits stay; a sandboxed run keeps it."""
    import subprocess

    specs = {}
    for unsandboxed in (True, False):
        job = tmp_path / f"job{unsandboxed}"
        nb = tmp_path / "n.ipynb"
        nbformat.write(nbformat.v4.new_notebook(), nb)
        bwrap._prepare(job, nb, "", bwrap.Limits(), 0, "python3", unsandboxed, None, None)
        specs[unsandboxed] = json.loads((job / "plan" / "spec.json").read_text())["limits"]
    assert specs[True]["processes"] == 0 and specs[False]["processes"] == bwrap.Limits().processes
    probe = ("import json, resource, sys; sys.path.insert(0, 'tools/grading'); import inside; "
             f"inside.set_limits(json.loads({json.dumps(json.dumps(specs[True]))})); "
             "print(resource.getrlimit(resource.RLIMIT_NPROC), resource.getrlimit(resource.RLIMIT_CPU))")
    nproc = "import resource; print(resource.getrlimit(resource.RLIMIT_NPROC))"
    before = subprocess.run([sys.executable, "-c", nproc], capture_output=True, text=True, cwd=ROOT)
    before = before.stdout.strip()
    after = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert after.returncode == 0, after.stderr[-1000:]
    assert after.stdout.startswith(before) and str(bwrap.Limits().cpu_seconds) in after.stdout, after.stdout


def test_a_function_input_travels_only_to_the_same_python(tmp_path):
    """A plan's function input is marshalled code, one Python version's own: the kernel rebuilds it
    when its Python is the checker's, and otherwise says which two versions differ and what to do."""

    def double(z):
        return 2 * z

    tree = json.loads(json.dumps(answer_data.Encoder(tmp_path, functions=True).enc(double)))
    assert answer_data.decode_plan(tree, str(tmp_path), {})(21) == 42
    tree["function"][2] = "2.7"
    with pytest.raises(RuntimeError, match=r"checker runs Python 2\.7 and this kernel Python 3\.\d+"):
        answer_data.decode_plan(tree, str(tmp_path), {})


def test_the_checker_refuses_a_plan_that_would_send_an_answer(tmp_path):
    from tools.grading import checker

    np = pytest.importorskip("numpy")
    np.save(tmp_path / "a1.npy", np.array([0.25, 0.5]))
    plan = {"q1|q1 - 1|f|0": ["f", [{"npy": "a1.npy"}, 8, 1.5], {"dict": []}]}
    ref = {"answer_array": np.array([0.25, 0.5]), "answer_float": 1.5, "window": 8}
    found = checker.plan_leaks(plan, tmp_path, ref, ["answer_array", "answer_float", "window"])
    assert any("answer_array" in f for f in found) and any("answer_float" in f for f in found)
    assert not any("window" in f for f in found), "an integer input is part of the question"
