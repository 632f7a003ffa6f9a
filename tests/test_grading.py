"""Student copies leak nothing; reference answers get full marks; bad submissions are graded, not fatal."""

import csv
import re
from pathlib import Path

import nbformat
import pytest

from lessons_lib import grading

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"
LESSONS = [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if grading.has_exercises(p)]


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


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    grading.build(NOTEBOOKS, out)
    return out


def test_every_lesson_with_exercises_has_an_autograder(built):
    assert LESSONS, "no lesson notebook carries exercises"
    for master in LESSONS:
        assert grading.questions(master.stem, built), f"{master.name}: no graded questions"


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


def _fill(student: Path, solution_nb: Path, dest: Path) -> None:
    """The student copy with each answer cell replaced by the reference solution cell."""
    nb = nbformat.read(student, as_version=4)
    answers = [
        c
        for c in nbformat.read(solution_nb, as_version=4).cells
        if "otter_assign_solution_cell" in c.metadata.get("tags", [])
    ]
    slots = [c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert len(answers) == len(slots)
    for slot, answer in zip(slots, answers, strict=True):
        slot.source = re.sub(r"\s*# SOLUTION", "", answer.source)
    nbformat.write(nb, dest)


def test_reference_solutions_get_full_marks(built, tmp_path):
    for master in LESSONS:
        _fill(
            built / "student" / master.name,
            built / "otter" / master.stem / "autograder" / master.name,
            tmp_path / master.name,
        )
    rows = grading.grade(tmp_path, tmp_path / "grades.csv", out=built, timeout=300, jobs=2)
    for row in rows:
        assert row.score == row.max_score > 0, (
            f"{row.submission} {row.question}: {row.score}/{row.max_score} {row.message}"
        )
    assert {r.lesson for r in rows} == {m.stem for m in LESSONS}


# ---- a tiny lesson in the same format, to exercise every kind of submission quickly ----


def _mini_master() -> nbformat.NotebookNode:
    raw, md, code = nbformat.v4.new_raw_cell, nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [
        raw(
            "# ASSIGNMENT CONFIG\nname: 90_mini\ninit_cell: true\ncheck_all_cell: false\n"
            "export_cell: false\nrun_tests: false\ntests:\n  files: false"
        ),
        code("import numpy as np\nfrom lessons_lib import exercises as ex\nseries = np.arange(10.0)"),
        raw("# BEGIN QUESTION\nname: q1\npoints: 2"),
        md("**q1.** The mean of `series`, in `avg`."),
        raw("# BEGIN SOLUTION"),
        code("avg = series.mean()  # SOLUTION"),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code('ex.check_defined("q1", avg, "avg")'),
        code('# HIDDEN\nex.check_close("q1", avg, 4.5, "avg")'),
        raw("# END TESTS"),
        raw("# END QUESTION"),
        raw("# BEGIN QUESTION\nname: q2\npoints: 1"),
        md("**q2.** The last value of `series`, in `last`."),
        raw("# BEGIN SOLUTION"),
        code("last = series[-1]  # SOLUTION"),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code('# HIDDEN\nex.check_close("q2", last, 9.0, "last")'),
        raw("# END TESTS"),
        raw("# END QUESTION"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    return nb


def test_every_kind_of_submission_is_graded(tmp_path):
    masters, out, subs = tmp_path / "masters", tmp_path / "build", tmp_path / "subs"
    masters.mkdir()
    subs.mkdir()
    nbformat.write(_mini_master(), masters / "90_mini.ipynb")
    grading.build(masters, out)
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
    rows = grading.grade(subs, tmp_path / "grades.csv", out=out, timeout=30, jobs=2)
    got = {(r.submission.removesuffix(".ipynb"), r.question): r for r in rows}
    assert got["good", "TOTAL"].score == got["good", "TOTAL"].max_score == 3
    assert got["untouched", "TOTAL"].score == 0
    assert got["raises", "q1"].score == 2 and got["raises", "q2"].score == 0 and got["raises", "q2"].message
    # otter shares a question's points among its test cases: the public "is it defined" case
    # passes, the hidden value check does not
    assert got["wrong", "TOTAL"].score < got["wrong", "TOTAL"].max_score
    assert got["wrong", "q1"].score < 2 and got["wrong", "q2"].score == 0
    assert "expected 4.5" in got["wrong", "q1"].message and "you returned 5" in got["wrong", "q1"].message
    assert got["hangs", "TOTAL"].score == 0 and "time limit" in got["hangs", "q1"].message
    with open(tmp_path / "grades.csv") as fh:
        header = next(csv.reader(fh))
    assert header == ["submission", "lesson", "question", "score", "max_score", "message"]
