"""The class report (tools/grading/report.py) on a synthetic graded class (tests/conftest.py):
what it shows per question and per submission, that it escapes what submissions control, and
that it is one self-contained file (no script, no link, no network; plots inline)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from report_helpers import ATTACK_NAME, ATTACK_TEXT, assert_self_contained, page_text, parse

from tools.grading import report, results
from tools.grading.__main__ import main
from tools.grading.results import Row, write_csv


def test_the_synthetic_class_mixes_every_kind_of_submission(synthetic_class):
    with open(synthetic_class) as fh:
        totals = [r for r in csv.DictReader(fh) if r["question"] == "TOTAL"]
    names = [r["submission"] for r in totals]
    assert len(names) >= 20
    for kind in ("reference_", "wrong_", "fork_loop", "empty.ipynb", ATTACK_NAME):
        assert any(n.startswith(kind) for n in names), kind


def test_report_per_question_and_per_submission(synthetic_class):
    out = report.write(synthetic_class)
    assert out == synthetic_class.with_suffix(".html")
    page = out.read_text()
    text = page_text(page)
    # per question: a plot, the pass rate and the failures by kind
    alts = [a.get("alt", "") for t, a in parse(page).tags if t == "img"]
    for q in ("q1", "q2"):
        assert f"score distribution of 01_failing_setup {q}" in alts
    assert sum(a.startswith("score distribution of 05_sliding_window_lab") for a in alts) == 7
    assert "q1 (1 point) 25% full marks: 2 of 8" in text
    # the same generic message with each submission's own value: one line, counted 3 times
    assert "3 not right mean_mse is not right. Average the squared errors. [expected 199.999, got …]" in text
    assert "got 12.5" not in text
    # the named mistakes from tests/wrong_answers are counted as the class's misconceptions
    assert "1 named mistake X_hist holds the time index" in text
    assert "failed: 3, of which named mistakes 3 (3 distinct)" in text  # 01 q2
    assert "1 named mistake val_mse_w8 (the recipe on windows_for(8), seed 42 just before" in text
    assert "1 named mistake is not right: it was scored on a train_frac=0.8 split of its own" in text
    assert "not answered yet" in text and "blank_05_sliding_window_lab.ipynb" in text
    # runs that stopped: one line per question, their reasons, not counted as mistakes
    assert "3 run stopped CPU time limit, memory limit, process limit" in text
    # per submission: total, seconds, flags; files not graded with their reason
    assert "c_loop.ipynb 05_sliding_window_lab 0 / 7 91 run stopped CPU time limit: 90 s" in text
    assert "wrong_lesson_01_failing_setup.ipynb 05_sliding_window_lab 7 / 7 41 flag file name says" in text
    assert "notes.txt – not a notebook (.txt extension)" in text
    assert "bundle.zip – zip archive without a notebook" in text
    assert "graded in 412 s with 2 jobs" in text
    assert "21 graded submissions" in text and "4 files not graded" in text


def test_report_escapes_what_submissions_control(synthetic_class):
    page = report.write(synthetic_class).read_text()
    assert_self_contained(page)
    for raw in (ATTACK_NAME, ATTACK_TEXT, '"><svg onload=alert(2)>'):
        assert raw not in page
        assert raw in page_text(page)  # shown as text, escaped in the page
    assert "<script" not in page.lower() and "onerror=" not in page.replace("onerror=alert(1)&gt;", "")


def test_report_is_self_contained(synthetic_class):
    page = report.write(synthetic_class).read_text()
    assert_self_contained(page)
    assert not re.search(r"https?://", page)
    images = [a for t, a in parse(page).tags if t == "img"]
    assert len(images) == 2 * 2 + 2 + 7  # per lesson two plots, one per question


def test_report_from_the_csv_alone(synthetic_class):
    """Without the run's JSON: no seconds and no flags, but stopped runs are still told apart."""
    results.info_path(synthetic_class).unlink()
    text = page_text(report.write(synthetic_class).read_text())
    assert "3 run stopped CPU time limit, memory limit, process limit" in text
    assert "c_loop.ipynb 05_sliding_window_lab 0 / 7 – run stopped CPU time limit: 90 s" in text


def test_messages_are_grouped_with_their_values_masked():
    key, values = report.mask("q1: mean_mse is not right: expected 199.999, you returned -1.5e-20.", "q1")
    assert key == "mean_mse is not right: expected …, you returned …."
    assert values == ["199.999", "-1.5e-20"]
    key, values = report.mask("q2: gru64_closer_to is not right: expected 'rnn', you wrote 'lstm'.", "q2")
    assert key == "gru64_closer_to is not right: expected …, you wrote …."
    key, _ = report.mask("q3: X2 should have shape (204, 16, 2); the LSTM's q10 w8 model's run", "q3")
    assert key == "X2 should have shape (…, …, …); the LSTM's q10 w8 model's run"
    assert report.kind("q1: x is not right. [expected 1, got 2]", False) == "generic"
    assert report.kind("q1: x is not right. Square the errors.", False) == "generic"
    assert report.kind("q1: x is not right: did you square them? [expected 1, got 2]", False) == "named"
    assert report.kind("q1: not answered yet: set x", False) == "unanswered"
    assert report.kind("q1: the deviations average to about zero: did you square them?", False) == "named"
    assert report.kind("q1: anything", True) == "stopped"


def test_report_command_rebuilds_and_refuses_bad_input(synthetic_class, tmp_path, capsys):
    out = tmp_path / "elsewhere.html"
    assert main(["report", str(synthetic_class), "--out", str(out)]) == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert main(["report", str(tmp_path / "nothing.csv")]) == 2
    assert "run `make grade" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("name,points\na,1\n")
    assert main(["report", str(bad)]) == 2
    assert "lacks the column(s) submission" in capsys.readouterr().err
    results.info_path(synthetic_class).write_text("[1, 2")
    assert main(["report", str(synthetic_class)]) == 2
    assert "delete it to build the report from the CSV alone" in capsys.readouterr().err


def test_an_empty_class_still_gets_a_page(tmp_path):
    grades = tmp_path / "grades.csv"
    grades.write_text("submission,lesson,question,score,max_score,message\nx.txt,,TOTAL,0,0,not a notebook\n")
    text = page_text(report.write(grades).read_text())
    assert "No submission could be graded." in text and "x.txt – not a notebook" in text
    assert isinstance(Path(report.TEMPLATE), Path)


def test_every_named_mistake_is_counted_not_only_those_shown(tmp_path):
    grades = tmp_path / "grades.csv"
    rows = []
    for i in range(report.TOP_MESSAGES + 3):
        rows.append(Row(f"s{i}.ipynb", "90_mini", "q1", 0, 1, f"q1: mistake number {'I' * (i + 1)}"))
        rows.append(Row(f"s{i}.ipynb", "90_mini", "TOTAL", 0, 1))
    write_csv(grades, rows)
    text = page_text(report.write(grades).read_text())
    assert f"{report.TOP_MESSAGES + 3} named mistakes" in text
    assert "3 rarer messages not shown" in text
    assert f"1 11% 90_mini q1 mistake number {'I' * (report.TOP_MESSAGES + 3)}" in text
