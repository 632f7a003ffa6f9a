"""What a self-study learner gets: the student copies in build/student, run as a learner runs them.

- every student copy, untouched, runs top to bottom under the course kernel with no error, no
  stderr output and no value echoed by a bare record/set_seed call (marker ``learner``: it
  runs every lesson again, so it lives with the slow tests; the browser test in ``make test``
  runs 00 and the quickest graded lesson untouched);
- no student copy holds an instructor cell, "(Answer:" text or a hidden test (``make test``);
- marker ``learner`` (``make test-learner``, slow): each copy filled with the reference answers
  (the master's solution cells without prompts and ``# SOLUTION`` markers) passes every check and
  gets full marks from otter; each wrong answer in tests/wrong_answers/NN_<stem>.py fails its
  public check with its message and scores below full; a wrong choice (``graded_later``) passes
  its public check as "a valid choice" and scores below full: choices are graded after hand-in.

``LESSONS_NOTEBOOKS=dir`` and ``LESSONS_WRONG_ANSWERS=dir`` point the tests at other masters and
wrong answers (to try the harness on a draft).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import runpy
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from notebook_helpers import master_answers, stray_output

from tools import kernel
from tools.grading import copies, results, selfcheck

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = Path(os.environ.get("LESSONS_NOTEBOOKS", ROOT / "notebooks"))
WRONG_DIR = Path(os.environ.get("LESSONS_WRONG_ANSWERS", Path(__file__).parent / "wrong_answers"))
MASTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
GRADED = [p for p in MASTERS if copies.has_exercises(p)]
JOBS = 2
PROBE_MARK = "@@LEARNER-PROBE@@"


# ---------------------------------------------------------------- helpers


@contextlib.contextmanager
def _kernel_env():
    """The kernel sees what a learner's kernel sees: no PYTEST_CURRENT_TEST, one math thread."""
    saved = os.environ.pop("PYTEST_CURRENT_TEST", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["PYTEST_CURRENT_TEST"] = saved


def course_client(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 600) -> NotebookClient:
    """A client that runs ``nb`` in ``cwd`` under the course kernel and raises on the first error."""
    return NotebookClient(
        nb,
        kernel_name=kernel.KERNEL_NAME,
        timeout=timeout,
        resources={"metadata": {"path": str(cwd)}},
        allow_errors=False,
        shutdown_kernel="immediate",  # the outputs are in; no wait for TensorFlow to exit
    )


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Execute ``nb`` in ``cwd`` under the course kernel; raises on the first error."""
    with _kernel_env():
        course_client(nb, cwd, timeout).execute()
    return nb


def stray_outputs(nb: nbformat.NotebookNode) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            found += [f"cell {i}: {p}" for p in stray_output(cell.source, cell.outputs)]
    return found


def answer_slots(student: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [
        c
        for c in student.cells
        if c.cell_type == "code" and "otter_answer_cell" in c.metadata.get("tags", [])
    ]


def filled(student_path: Path, master_path: Path, replace: dict[int, str] | None = None):
    """The student copy with every answer slot holding the reference answer (slot i: replace[i])."""
    nb = nbformat.read(student_path, as_version=4)
    answers = master_answers(nbformat.read(master_path, as_version=4))
    slots = answer_slots(nb)
    assert len(slots) == len(answers), (
        f"{master_path.name}: {len(slots)} answer cells in the student copy, {len(answers)} "
        "solution cells in the master"
    )
    for i, (slot, (_, answer)) in enumerate(zip(slots, answers, strict=True)):
        slot.source = (replace or {}).get(i, answer)
    return nb


def _probe_cell(tests_dir: Path, question: str = "*") -> nbformat.NotebookNode:
    """A cell that checks the question (every question with "*") as the learner's ``grader.check``
    does, through the student copy's own tests (they ask the course's checker: ``stub_dir``), and
    runs the autograder's tests (hidden too) on the learner's globals for the score; it prints, per
    question, whether the check passed, what it showed (lessons_lib.check_display) and the score."""
    return nbformat.v4.new_code_cell(
        "import glob as _g, json as _j\n"
        "from otter.test_files import create_test_file as _ctf\n"
        "from lessons_lib.check_display import summary as _shown\n"
        "_res = {}\n"
        f"for _p in sorted(_g.glob({str(tests_dir / (question + '.py'))!r})):\n"
        "    _tf = _ctf(_p, None)\n"
        "    _tf.run(globals())\n"
        f"    _st = _ctf({str(stub_dir(tests_dir))!r} + '/' + _tf.name + '.py', None)\n"
        "    _st.run(globals())\n"
        "    _res[_tf.name] = {'public_passed': all(r.passed for r in _st.test_case_results),\n"
        "        'public_messages': _shown(_st),\n"
        "        'score': _tf.score, 'possible': _tf.possible}\n"
        f"print({PROBE_MARK!r} + _j.dumps(_res))"
    )


def stub_dir(tests_dir: Path) -> Path:
    """Where ``_tests_dir`` puts the student copy's tests (``grader.check``'s, which ask the checker)."""
    return tests_dir.parent / "student_tests"


def _probe_result(cell) -> dict:
    text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
    line = next(ln for ln in text.splitlines() if ln.startswith(PROBE_MARK))
    return json.loads(line[len(PROBE_MARK) :])


# ---------------------------------------------------------------- fixtures


def _student(built: Path, master: Path) -> Path:
    return built / "student" / master.name


# ---------------------------------------------------------------- (d) nothing instructor-only


@pytest.mark.parametrize("master_path", MASTERS, ids=lambda p: p.stem)
def test_student_copy_has_no_instructor_material(built, master_path):
    master = nbformat.read(master_path, as_version=4)
    student = nbformat.read(_student(built, master_path), as_version=4)
    problems = copies.leaks(student, master)
    text = "\n".join(c.source for c in student.cells)
    for cell in master.cells:
        if "instructor" in cell.metadata.get("tags", []) and cell.source.strip():
            if cell.source.strip() in text:
                problems.append(f"instructor cell text kept: {cell.source.strip()[:60]!r}")
    assert not problems, f"{master_path.name}: " + "; ".join(problems)
    assert student.metadata["kernelspec"]["name"] == kernel.KERNEL_NAME


# ---------------------------------------------------------------- (a) untouched copies run clean


def _run_untouched(built: Path, master: Path, work: Path) -> tuple[list[str], str]:
    """One untouched copy executed in its own folder: its stray outputs and all it showed."""
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(_student(built, master), work / master.name)
    nb = execute(nbformat.read(work / master.name, as_version=4), work)
    shown = "".join(
        str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", ""))
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    return stray_outputs(nb), shown


def two_at_a_time(run, masters: list[Path]) -> dict[Path, object]:
    """``run(master)`` for every lesson, JOBS at a time: {master: its result, or what it raised}
    (each lesson's test reports its own error, not the fixture)."""

    def one(master: Path):
        try:
            return master, run(master)
        except Exception as exc:
            return master, exc

    with ThreadPoolExecutor(JOBS) as pool:
        return dict(pool.map(one, masters))


@pytest.fixture(scope="session")
def untouched_runs(built, tmp_path_factory):
    """Every untouched copy executed, two at a time: {stem: (stray outputs, shown) or the error}."""
    tmp = tmp_path_factory.mktemp("untouched")
    runs = two_at_a_time(lambda m: _run_untouched(built, m, tmp / m.stem), MASTERS)
    return {master.stem: run for master, run in runs.items()}


@pytest.mark.learner
@pytest.mark.parametrize("master_path", MASTERS, ids=lambda p: p.stem)
def test_untouched_student_copy_runs_clean(untouched_runs, master_path):
    name, run = master_path.name, untouched_runs[master_path.stem]
    if isinstance(run, Exception):
        pytest.fail(f"{name}, untouched: {type(run).__name__}: {str(run)[-2000:]}", pytrace=False)
    problems, shown = run
    assert not problems, f"{name}, untouched: " + "; ".join(problems)
    if copies.has_exercises(master_path):
        assert "not answered yet" in shown, f"{name}: no check said 'not answered yet' on the stubs"


# ---------------------------------------------------------------- (b) reference answers: full marks


def _tests_dir(built: Path, lesson: str, tmp: Path) -> Path:
    """The autograder's tests (tests/) and, beside them, the student copy's (student_tests/)."""
    dest = tmp / f"tests_{lesson}"
    if not dest.exists():
        with zipfile.ZipFile(results.autograder_zip(lesson, built)) as zf:
            for member in zf.namelist():
                if member.startswith("tests/"):
                    zf.extract(member, dest)
        stubs = stub_dir(dest / "tests")
        stubs.mkdir()
        student = nbformat.read(built / "fresh" / f"{lesson}.ipynb", as_version=4)
        for q, source in student.metadata["otter"]["tests"].items():
            (stubs / f"{q}.py").write_text(source)
    return dest / "tests"


@pytest.fixture(scope="session")
def reference_runs(filled_runs, built, tmp_path_factory):
    """Every graded lesson filled with the reference answers: the probe's results and stray outputs
    from the filled run (filled_runs), and otter's grades of the clean filled copies, each graded
    in its own sandboxed kernel as an instructor grades it."""
    tmp = tmp_path_factory.mktemp("reference")
    subs = tmp / "submissions"
    subs.mkdir()
    for master in GRADED:
        nbformat.write(filled(_student(built, master), master), subs / master.name)
    rows = selfcheck.grade_files(  # make score: the checker behind grader.check, hidden tests too
        sorted(subs.glob("*.ipynb")), None, built, GRADED[0].parent, timeout=600, jobs=JOBS
    )
    return filled_runs["reference"], rows


@pytest.mark.learner
@pytest.mark.parametrize("master_path", GRADED, ids=lambda p: p.stem)
def test_reference_answers_pass_every_check_and_get_full_marks(reference_runs, master_path):
    runs, rows = reference_runs
    run = runs[master_path.stem]
    assert "error" not in run, f"{master_path.name}, reference answers: {run.get('error')}"
    probe, problems = run["probe"], run["problems"]
    assert not problems, f"{master_path.name}, reference answers: " + "; ".join(problems)
    failing = {q: r["public_messages"] for q, r in probe.items() if not r["public_passed"]}
    assert not failing, f"{master_path.name}: public checks fail on the reference answers: {failing}"
    short = {q: f"{r['score']}/{r['possible']}" for q, r in probe.items() if r["score"] < r["possible"]}
    assert not short, f"{master_path.name}: hidden tests fail on the reference answers: {short}"
    mine = [r for r in rows if r.lesson == master_path.stem]
    assert mine, f"{master_path.name}: not graded"
    for r in mine:
        assert r.score == r.max_score > 0, f"{r.lesson} {r.question}: {r.score}/{r.max_score} {r.message}"


@pytest.mark.learner
@pytest.mark.parametrize("master_path", GRADED, ids=lambda p: p.stem)
def test_student_copy_and_handout_quote_no_graded_answer(filled_runs, built, master_path):
    """No number written in the student copy (cells and metadata, as the hand-out carries it)
    equals a graded answer's value, to the precision it is written with."""
    run = filled_runs["reference"][master_path.stem]
    assert "error" not in run, run.get("error")
    student = nbformat.read(_student(built, master_path), as_version=4)
    text = json.dumps(student) + "\n".join(c.source for c in student.cells)
    found = quoted_answers(text, run["answers"])
    assert not found, f"{master_path.name}: the student copy quotes graded answers: {found}"


def test_quoted_answers_finds_a_value_written_to_its_precision():
    answers = {"mean_mse": [199.99914], "ratio": [0.0123456]}
    assert quoted_answers("the MSE is 199.999 here", answers) == ["199.999 (= mean_mse)"]
    assert quoted_answers("about 1.23e-2 of it", answers) == ["1.23e-2 (= ratio)"]
    assert not quoted_answers("199.9 and 201.0 and 1.24e-2 and 16.0 and 200", answers)
    assert not quoted_answers("0.5168", {"curve": [0.9, 0.7, 0.5168, 0.4]}), "one element of a curve"


# ---------------------------------------------------------------- (c) wrong answers fail


def _wrong_answers() -> list:
    cases = []
    for master in GRADED:
        path = WRONG_DIR / f"{master.stem}.py"
        if not path.exists():
            continue
        wrong = runpy.run_path(str(path))["WRONG"]
        for question, answers in wrong.items():
            for k, answer in enumerate(answers):
                cases.append(pytest.param(master, question, k, answer, id=f"{master.stem}-{question}-{k}"))
    return cases


WRONG_CASES = _wrong_answers()


def _filled_run(built: Path, master: Path, cases: list, work: Path) -> tuple[dict, dict]:
    """One kernel per lesson: the copy runs with the reference answers; at each answer cell, each
    recorded wrong answer for that question runs first in its place and the question's tests
    (public and hidden) run on the globals it leaves; then the reference answer runs and the
    lesson goes on; at the end every question's tests run on the reference answers. Returns
    ({case id: probe result}, {"probe": the end's results, "problems": stray outputs}). Answers
    define their variables afresh (CONVENTIONS.md), and reference_runs grades each clean filled
    copy in a kernel of its own, so a wrong answer's leftovers cannot lend the reference a mark."""
    work.mkdir(parents=True, exist_ok=True)
    tests_dir = _tests_dir(built, master.stem, work)
    nb = filled(_student(built, master), master)
    nbformat.write(nb, work / master.name)  # otter.Notebook reads the file it names
    questions = [q for q, _ in master_answers(nbformat.read(master, as_version=4))]
    slots = iter(questions)
    by_question: dict[str, list] = {}
    for case in cases:
        by_question.setdefault(case.values[1], []).append(case)
    results: dict[str, dict] = {}
    client = course_client(nb, work)
    with _kernel_env(), client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if "otter_answer_cell" in cell.metadata.get("tags", []):
                question = next(slots)
                for case in by_question.pop(question, []):
                    results[case.id] = _try_wrong(client, case.values[3]["code"], tests_dir, question, index)
            client.execute_cell(cell, index)
        probe = _probe_cell(tests_dir)
        nb.cells.append(probe)  # nbclient stores an executed cell at its index
        client.execute_cell(probe, len(nb.cells) - 1)
        values = _values_cell(sorted({n for ns in copies.question_names(nb).values() for n in ns}))
        nb.cells.append(values)
        client.execute_cell(values, len(nb.cells) - 1)
    for question, left in by_question.items():
        for case in left:
            results[case.id] = {"error": f"no answer cell for {question} in the student copy"}
    return results, {"probe": _probe_result(probe), "problems": stray_outputs(nb),
                     "answers": _probe_result(values)}


def _values_cell(names: list[str]) -> nbformat.NotebookNode:
    """A cell that prints the reference answers' numbers (up to 200 per name; functions skipped)."""
    return nbformat.v4.new_code_cell(
        "import json as _j, numpy as _np\n_vals = {}\n"
        f"for _n in {names!r}:\n"
        "    try:\n"
        "        _a = _np.asarray(globals().get(_n), dtype=float).ravel()[:200]\n"
        "        _vals[_n] = [float(x) for x in _a if _np.isfinite(x)]\n"
        "    except (TypeError, ValueError):\n"
        "        pass\n"
        f"print({PROBE_MARK!r} + _j.dumps(_vals))"
    )


_NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?:[eE][-+]?\d+)?|(?<![\w.])-?\d(?:\.\d+)?[eE][-+]?\d+")


def quoted_answers(text: str, answers: dict[str, list[float]]) -> list[str]:
    """Numbers in ``text`` written with 3+ significant digits that equal a graded answer's value
    to the precision written (a whole number is part of a question, never counted). Answers of
    one to three numbers count; a longer array (a curve, a forecast) covers its range so densely
    that a quoted number matches one of its elements by chance, and one element gives nothing away."""
    answers = {name: vals for name, vals in answers.items() if len(vals) <= 3}
    found = []
    for m in _NUMBER.finditer(text):
        literal = m.group().lower()
        mantissa = literal.split("e")[0].lstrip("-")
        digits = len(mantissa.replace(".", "").lstrip("0"))
        if digits < 3:
            continue
        value = float(literal)
        exponent = int(literal.split("e")[1]) if "e" in literal else 0
        half = 0.5 * 10.0 ** (exponent - len(mantissa.split(".")[1])) if "." in mantissa else 0.5
        for name, vals in answers.items():
            if any(v != round(v) and abs(v - value) <= half * 1.0001 for v in vals):
                found.append(f"{literal} (= {name})")
    return found


def _try_wrong(client: NotebookClient, code: str, tests_dir: Path, question: str, index: int) -> dict:
    """Run one wrong answer in the kernel, then its question's tests: the probe's result."""
    trial = nbformat.v4.new_code_cell(code)
    client.allow_errors = True
    client.execute_cell(trial, index)
    client.allow_errors = False
    errors = [o for o in trial.outputs if o.get("output_type") == "error"]
    if errors:
        return {"error": f"{errors[0].ename}: {errors[0].evalue}"}
    probe = _probe_cell(tests_dir, question)
    client.execute_cell(probe, index)
    return _probe_result(probe)


@pytest.fixture(scope="session")
def filled_runs(built, tmp_path_factory):
    """Every graded lesson's filled run (_filled_run), two at a time: {"wrong": {case id: result},
    "reference": {stem: {"probe", "problems"}}}; a run that raised gives {"error": ...} to every
    test it feeds."""
    tmp = tmp_path_factory.mktemp("filled")

    def cases(master: Path) -> list:
        return [c for c in WRONG_CASES if c.values[0] == master]

    runs = two_at_a_time(lambda m: _filled_run(built, m, cases(m), tmp / m.stem), GRADED)
    out: dict[str, dict] = {"wrong": {}, "reference": {}}
    for master, run in runs.items():
        if isinstance(run, Exception):
            error = {"error": f"{type(run).__name__}: {str(run)[-1500:]}"}
            run = ({c.id: error for c in cases(master)}, error)
        wrong, reference = run
        out["wrong"].update(wrong)
        out["reference"][master.stem] = reference
    return out


@pytest.fixture(scope="session")
def wrong_runs(filled_runs):
    """Every recorded wrong answer's public check result and score."""
    return filled_runs["wrong"]


@pytest.mark.learner
@pytest.mark.parametrize("master_path,question,k,answer", WRONG_CASES)
def test_wrong_answer_fails_its_check_and_scores_below_full(
    wrong_runs, request, master_path, question, k, answer
):
    case_id = request.node.callspec.id
    probe = wrong_runs[case_id]
    assert "error" not in probe, f"{case_id} ({answer['why']}): the notebook raised: {probe.get('error')}"
    result = probe[question]
    assert "Error at line" not in result["public_messages"], f"{case_id}: the check shows test source"
    if answer.get("graded_later"):  # a wrong choice: the check confirms its form only
        assert result["public_passed"], f"{case_id} ({answer['why']}): a valid choice fails its check"
    else:
        assert not result["public_passed"], (
            f"{case_id} ({answer['why']}): the public check of {question} passes this wrong answer"
        )
    assert answer["message"] in result["public_messages"], (
        f"{case_id}: expected {answer['message']!r} in the check's message; got {result['public_messages']!r}"
    )
    assert result["score"] < result["possible"], (
        f"{case_id}: scored {result['score']}/{result['possible']}, full marks for a wrong answer"
    )


def test_wrong_answer_files_name_real_questions():
    for master in GRADED:
        path = WRONG_DIR / f"{master.stem}.py"
        if not path.exists():
            continue
        wrong = runpy.run_path(str(path))["WRONG"]
        questions = {q for q, _ in master_answers(nbformat.read(master, as_version=4))}
        for question, answers in wrong.items():
            assert question in questions, f"{path.name}: {question} is not a question of {master.name}"
            assert len(answers) >= 2, f"{path.name}: {question} needs at least 2 wrong answers"
            for a in answers:
                assert {"why", "code", "message"} <= set(a), f"{path.name}: {question}: keys {set(a)}"
