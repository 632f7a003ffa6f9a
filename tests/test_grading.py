"""Student copies leak nothing; reference answers get full marks; bad submissions are graded, not fatal."""

import csv
import json
import os
import re
from pathlib import Path

import nbformat
import pytest

from tools import grading

NOTEBOOKS = Path(os.environ.get("LESSONS_NOTEBOOKS", Path(__file__).parent.parent / "notebooks"))
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


def test_build_strips_instructor_cells_and_indexes_autograders(tmp_path):
    masters, out = tmp_path / "masters", tmp_path / "build"
    masters.mkdir()
    nbformat.write(_mini_master(), masters / "90_mini.ipynb")
    grading.build(masters, out)
    student = nbformat.read(out / "student" / "90_mini.ipynb", as_version=4)
    text = json.dumps(student)
    assert "(Answer:" not in text and "instructor" not in text and "test_q1_value" not in text
    assert student.metadata["kernelspec"]["name"] == grading.KERNEL_NAME
    index = json.loads((out / "otter" / "autograders.json").read_text())
    assert Path(index["90_mini"]).is_file() and Path(index["90_mini"]).suffix == ".zip"
    assert grading.autograder_zip("90_mini", out) == Path(index["90_mini"])
    assert grading.questions("90_mini", out) == {"q1": 2.0, "q2": 1.0}
    versions = json.loads((out / "student" / ".versions.json").read_text())
    assert set(versions) == {"90_mini.ipynb"}


def test_build_fails_when_a_student_copy_would_show_an_answer(tmp_path):
    masters = tmp_path / "masters"
    masters.mkdir()
    nb = _mini_master()
    nb.cells[12].metadata["tags"] = []  # the model answer, not tagged instructor
    nbformat.write(nb, masters / "90_mini.ipynb")
    with pytest.raises(RuntimeError, match=r"\(Answer:"):
        grading.build(masters, tmp_path / "build")


def test_refresh_keeps_the_learners_copy(tmp_path):
    masters, out = tmp_path / "masters", tmp_path / "build"
    masters.mkdir()
    nbformat.write(_mini_master(), masters / "90_mini.ipynb")
    grading.build(masters, out)
    mine = out / "student" / "90_mini.ipynb"
    typed = nbformat.read(mine, as_version=4)
    typed.cells.append(nbformat.v4.new_code_cell("my_work = 42"))
    nbformat.write(typed, mine)
    assert grading.stale(masters, out) == []
    nbformat.write(_mini_master("(Answer: 4.5, now explained better.)"), masters / "90_mini.ipynb")
    assert grading.stale(masters, out) == ["90_mini.ipynb"]
    grading.build(masters, out)  # a rebuild never touches the learner's copy
    assert "my_work = 42" in mine.read_text()
    moved = grading.refresh(masters, out)
    assert len(moved) == 1
    kept, new = moved[0]
    assert new == mine and "my_work = 42" not in mine.read_text()
    assert "my_work = 42" in kept.read_text()
    assert re.fullmatch(r"90_mini\.\d{4}-\d\d-\d\dT\d{4}\.ipynb", kept.name)
    assert grading.stale(masters, out) == []
    assert grading.learner_copies(out) == [mine]


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
    rows = grading.grade(subs, tmp_path / "grades.csv", out=out, timeout=120, jobs=2)  # 2 shared cores
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
