"""The public checks teach without handing out answers (issue 23).

Fast (``make test``): the checks' messages never hold the expected value; the attack of
tests/answer_leaks.py finds an old-style leak and none in the course's checks; ``grader.check``
shows the check's message only (no test source, no traceback) in text and HTML output.

Slow (marker ``grading``, ``make test-grading``): for every graded lesson, the master runs once and,
for every question and answer name, a wrong value of the right type goes in; every number and
quoted string the public checks show (as is, negated, inverted, scaled into the wrong value, put
into an indexed element, returned by a function) is put in as the answer and graded with the hidden
tests: no copy may score more than the wrong answer did, and no message may hold the expected
value. The recorded wrong answers (tests/wrong_answers) run the same way, in-process.
"""

from __future__ import annotations

import inspect
import json
import os
import runpy
import subprocess
import sys
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import answer_leaks as leaks
import nbformat
import numpy as np
import pytest
from otter.test_files import GradingResults
from otter.test_files.exception_test import ExceptionTestFile

from lessons_lib import check_display
from lessons_lib import exercises as ex
from lessons_lib.seeding import thread_env
from tools import kernel
from tools.grading import copies

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = Path(os.environ.get("LESSONS_NOTEBOOKS", ROOT / "notebooks"))
WRONG_DIR = Path(os.environ.get("LESSONS_WRONG_ANSWERS", Path(__file__).parent / "wrong_answers"))
GRADED = [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if copies.has_exercises(p)]

TEST_FILE = '''
OK_FORMAT = False
name = "q1"
points = 1
from otter.test_files import test_case

@test_case(points=None, hidden=False)
def test_q1_public(ex, answer):
    CHECK

@test_case(points=None, hidden=True)
def test_q1_hidden(ex, answer):
    ex.check_close("q1", answer, 4.5, "answer", rtol=1e-9)
'''


def _test_file(check: str):
    return ExceptionTestFile.from_string(TEST_FILE.replace("CHECK", check), path="q1.py")


def test_the_attack_finds_an_old_style_leak_and_none_in_the_course_checks():
    leaky = _test_file('assert abs(answer - 4.5) < 1e-9, f"q1: expected {4.5}, you returned {answer}"')
    got = leaks.attack(leaky, {"ex": ex}, "answer", 1.0)
    assert got["best_score"] > got["wrong_score"], got
    scaled = _test_file('assert abs(answer - 4.5) < 1e-9, f"q1: {4.5 / answer:.6g} times too small"')
    got = leaks.attack(scaled, {"ex": ex}, "answer", 1.5)
    assert got["best_score"] > got["wrong_score"], got
    course = _test_file('ex.check_close("q1", answer, 4.5, "answer", mistakes={"halved?": 2.25})')
    for wrong in (1.0, 2.25, -4.5, 45.0, np.float32(4.4)):
        got = leaks.attack(course, {"ex": ex}, "answer", wrong)
        assert got["best_score"] == got["wrong_score"] == 0, got
        assert not leaks.holds_expected(got["shown"], 4.5), got["shown"]


def test_the_attack_tells_apart_copies_that_differ_only_far_into_a_long_answer():
    """A copy into the last element is its own attack, not a repeat of the answer it started from."""
    check = 'assert answer.x[0] == 0 and answer.x[39] == 4.5, "q1: element (39,) must be 4.5"'
    source = TEST_FILE.replace("CHECK", check).replace(
        'ex.check_close("q1", answer, 4.5, "answer", rtol=1e-9)', check)
    leaky = ExceptionTestFile.from_string(source, path="q1.py")
    got = leaks.attack(leaky, {"ex": ex}, "answer", types.SimpleNamespace(x=[0.0] * 40))
    assert got["best_score"] > got["wrong_score"], got


@pytest.mark.parametrize(
    "check,expected",
    [
        (lambda v: ex.check_close("q1", v, [0.125, 3.75, -2.5], "x"), [0.125, 3.75, -2.5]),
        (lambda v: ex.check_close("q1", v, [0.125, 3.75, -2.5], "x", mistakes={"off?": [1.125, 4.75, -1.5]}),
         [0.125, 3.75, -2.5]),
        (lambda v: ex.check_equal("q1", v, "lstm_forget1", "x"), ["lstm_forget1"]),
        (lambda v: ex.check_equal("q1", v, 0.375, "x", hint="Recompute it."), [0.375]),
        (lambda v: ex.check_choice("q1", v, ["rnn", "lstm_forget1"], "x"), ["rnn", "lstm_forget1"]),
    ],
)
def test_no_check_message_holds_the_expected_value(check, expected):
    for wrong in (0.5, [0.125, 3.75, -2.0], [1.125, 4.75, -1.5], "rnx", "RN ", np.arange(3.0), [7, 7]):
        try:
            check(wrong)
        except AssertionError as err:
            text = str(err)
            assert text.startswith("q1: ")
            for value in expected:
                assert not leaks.holds_expected(text, value), text
            assert "expected" not in text.lower()


def test_the_instructor_message_names_the_expected_value():
    with pytest.raises(ex.CheckFailed) as info:
        ex.check_equal("q4", "lstm_forget1", "rnn", "gru64_closer_to")
    assert str(info.value) == "q4: gru64_closer_to is not right."
    assert "expected 'rnn'" in info.value.for_instructor


def test_check_true_refuses_truthiness_and_check_equal_accepts_a_right_nan():
    for condition in ("False", [False], 0, None, np.array([True, True])):
        with pytest.raises(TypeError, match="condition"):
            ex.check_true("q1", condition, "m")
    ex.check_true("q1", np.bool_(True), "m")
    ex.check_true("q1", np.array([True]), "m")
    with pytest.raises(AssertionError, match="^q1: m$"):
        ex.check_true("q1", False, "m")
    ex.check_equal("q1", float("nan"), np.nan, "x")
    ex.check_equal("q1", [1.0, np.nan], np.array([1.0, np.nan]), "x")
    with pytest.raises(AssertionError):
        ex.check_equal("q1", 1.0, np.nan, "x")


def test_grader_check_shows_the_message_only():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    assert check_display.register(shell)
    tf = _test_file('ex.check_close("q1", answer, 4.5, "answer", mistakes={"halved?": 2.25})')
    tf.run({"ex": ex, "answer": 2.25})
    assert "Error at line" in tf.test_case_results[0].message  # otter's own text keeps the source
    data, _ = shell.display_formatter.format(tf)
    for mime in ("text/plain", "text/html"):
        assert "q1: answer is not right: halved?" in data[mime]
        assert "Error at line" not in data[mime] and "check_close" not in data[mime], data[mime]
    data, _ = shell.display_formatter.format(GradingResults([tf]))
    assert data["text/plain"] == "❌ q1: answer is not right: halved?"
    tf.run({"ex": ex, "answer": 4.5})
    assert shell.display_formatter.format(tf)[0]["text/plain"].startswith("q1 passed.")
    raised = _test_file("answer()")
    raised.run({"ex": ex, "answer": lambda: 1 / 0})
    text = shell.display_formatter.format(raised)[0]["text/plain"]
    assert text == "❌ q1: checking your answer raised ZeroDivisionError: division by zero"


def test_grader_check_in_a_kernel_shows_the_message_only(course_kernel, tmp_path):
    """The same through nbclient: otter's grader in the course kernel, check and check_all."""
    from nbclient import NotebookClient

    (tmp_path / "tests").mkdir()
    check = 'ex.check_close("q1", answer, 4.5, "answer", mistakes={"halved?": 2.25})'
    (tmp_path / "tests" / "q1.py").write_text(TEST_FILE.replace("CHECK", check))
    cells = ["import otter\ngrader = otter.Notebook(tests_dir='tests')",
             "from lessons_lib import exercises as ex\nanswer = 2.25", 'grader.check("q1")',
             "grader.check_all()"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, tmp_path / "check.ipynb")
    NotebookClient(nb, kernel_name=kernel.KERNEL_NAME, timeout=120,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    for cell in nb.cells[2:]:
        data = [o["data"] for o in cell.outputs if o.get("output_type") == "execute_result"][0]
        for mime, text in data.items():
            assert "q1: answer is not right: halved?" in text, (mime, text)
            assert "Error at line" not in text and "check_close" not in text, (mime, text)


# ---------------------------------------------------------------- every lesson, every answer


@pytest.fixture(scope="module")
def leak_reports(built, tmp_path_factory):
    """tests/answer_leaks.py run on every graded lesson (a subprocess each, two at a time)."""
    tmp = tmp_path_factory.mktemp("leaks")
    index = json.loads((built / "otter" / "autograders.json").read_text())
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "MPLBACKEND": "Agg", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": path,
           **thread_env(1)}

    def one(master: Path) -> tuple[str, subprocess.CompletedProcess, Path]:
        out = tmp / f"{master.stem}.json"
        cmd = [sys.executable, str(Path(__file__).with_name("answer_leaks.py")), master.stem,
               "--autograder", index[master.stem],
               "--student", str(built / "student" / master.name), "--master", str(master),
               "--wrong", str(WRONG_DIR / f"{master.stem}.py"), "--workdir", str(tmp / master.stem),
               "--out", str(out)]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200, env=env)
        return master.stem, proc, out

    reports = {}
    with ThreadPoolExecutor(2) as pool:  # one math thread each
        for stem, proc, out in pool.map(one, GRADED):
            assert proc.returncode == 0, f"{stem}: {proc.stderr[-2000:]}"
            reports[stem] = json.loads(out.read_text())
    return reports


@pytest.mark.grading
@pytest.mark.parametrize("master_path", GRADED, ids=lambda p: p.stem)
def test_copying_numbers_out_of_the_checks_scores_nothing(leak_reports, master_path):
    report = leak_reports[master_path.stem]
    short = {q: r for q, r in report["reference"].items() if r["score"] < r["possible"]}
    assert not short, f"{master_path.stem}: the reference answers fail: {short}"
    names = {q for q in report["reference"]}
    attacked = {a["question"] for a in report["attacks"] if "skipped" not in a}
    assert attacked == names, f"{master_path.stem}: questions not attacked: {names - attacked}"
    gained = [a for a in report["attacks"] if a.get("best_score", 0) > a.get("wrong_score", 0)]
    assert not gained, f"{master_path.stem}: copied values score more than the wrong answer: {gained}"
    leaked = report["leaks"]
    assert not leaked, f"{master_path.stem}: a public message holds the expected value: {leaked}"


@pytest.mark.grading
@pytest.mark.parametrize("master_path", GRADED, ids=lambda p: p.stem)
def test_recorded_wrong_answers_get_their_named_mistake(leak_reports, master_path):
    wrong = runpy.run_path(str(WRONG_DIR / f"{master_path.stem}.py"))["WRONG"]
    got = {(w["question"], w["k"]): w for w in leak_reports[master_path.stem]["wrong_answers"]}
    for question, answers in wrong.items():
        for k, answer in enumerate(answers):
            result = got[question, k]
            assert answer["message"] in result["text"], f"{question}-{k}: {result['text']!r}"
            named = not ex.GENERIC_VERDICT.search(result["text"]) or answer.get("unrecognisable")
            assert named, f"{question}-{k} ({answer['why']}): not recognised: {result['text']!r}"
            assert result["score"] < result["possible"], f"{question}-{k}: full marks for a wrong answer"


def test_every_graded_question_names_its_answers(built):
    for master in GRADED:
        names = leaks.A.question_answer_names(nbformat.read(built / "student" / master.name, as_version=4))
        assert names and all(names.values()), f"{master.name}: {names}"


def test_public_checks_carry_no_points(built):
    """Every point comes from a hidden test: passing a public check (a range, a shape, a valid
    choice) is worth nothing by itself, so a value copied until a check passes gains nothing; and
    every answer a public check reads, a hidden case grades."""
    index = json.loads((built / "otter" / "autograders.json").read_text())
    for lesson, zip_path in index.items():
        student = nbformat.read(built / "student" / f"{lesson}.ipynb", as_version=4)
        names = leaks.A.question_answer_names(student)
        for tf in leaks.checker.load_tests(Path(zip_path)):
            public = {tc.name: tc.points for tc in tf.test_cases if not tc.hidden}
            hidden = [tc for tc in tf.test_cases if tc.hidden]
            assert not any(public.values()), f"{lesson} {tf.name}: public cases with points {public}"
            assert sum(tc.points for tc in hidden) > 0, f"{lesson} {tf.name}: no hidden case has points"
            publicly = {p for tc in tf.test_cases if not tc.hidden for p in _params(tc)}
            unread = set(names[tf.name]) & publicly - {p for tc in hidden for p in _params(tc)}
            assert not unread, f"{lesson} {tf.name}: a public check reads {sorted(unread)}, no hidden one"


def _params(tc) -> list[str]:
    return list(inspect.signature(tc.body.test_func).parameters)
