"""For the class report's tests (tests/test_report.py, the browser and grading tests): a synthetic
graded class (grades.csv and grades.json as `make grade` writes them, without grading anything),
and the page read back: its tags, its visible text, whether it is self-contained."""

from __future__ import annotations

import base64
import re
import runpy
from html.parser import HTMLParser
from pathlib import Path

from tools.grading import results

ATTACK_NAME = '<script>alert("name")</script>_05_sliding_window_lab.ipynb'
ATTACK_TEXT = "<img src=x onerror=alert(1)>"


def write_synthetic_class(folder: Path) -> Path:
    """grades.csv and grades.json as `make grade` writes them, for 25 files: reference answers,
    the recorded wrong answers (tests/wrong_answers), answers left out, attacks (limits hit, HTML in
    names and messages) and files that cannot be graded. Returns the CSV's path."""
    wrong_dir = Path(__file__).parent / "wrong_answers"
    lessons = {"01_failing_setup": ["q1", "q2"], "05_sliding_window_lab": [f"q{i}" for i in range(1, 8)]}
    rows, info = [], []

    def add(name, lesson, wrong=None, note="", flags=(), seconds=40.0, problem=""):
        wrong = wrong or {}
        if problem:
            rows.append([name, lesson, "TOTAL", 0, 0, problem])
            info.append({"name": name, "lesson": lesson, "flags": list(flags), "seconds": None, "note": ""})
            return
        total = 0.0
        for q in lessons[lesson]:
            msg = wrong.get(q, "")  # a check's message starts with its question; a stopped run's does not
            msg = note or (msg if not msg or msg.startswith(q) else f"{q}: {msg}")
            score = 0.0 if (note or q in wrong) else 1.0
            rows.append([name, lesson, q, score, 1.0, msg])
            total += score
        rows.append(
            [name, lesson, "TOTAL", total, len(lessons[lesson]), "; ".join([note, *flags]).strip("; ")]
        )
        info.append({"name": name, "lesson": lesson, "flags": list(flags), "seconds": seconds, "note": note})

    for i in range(4):
        add(f"reference_{i}_05_sliding_window_lab.ipynb", "05_sliding_window_lab", seconds=38.0 + i)
    for i in range(2):
        add(f"reference_{i}_01_failing_setup.ipynb", "01_failing_setup", seconds=21.0 + i)
    for lesson in lessons:
        recorded = runpy.run_path(str(wrong_dir / f"{lesson}.py"))["WRONG"]
        for k in range(3):
            wrong = {q: answers[k]["message"] for q, answers in recorded.items() if k < len(answers)}
            add(f"wrong_{k}_{lesson}.ipynb", lesson, wrong, seconds=30.0 + 5 * k)
    for value in (0, 14.1421, 12.5):  # the same generic message with each submission's own value
        add(
            f"generic_{value}_01_failing_setup.ipynb",
            "01_failing_setup",
            {"q1": f"q1: mean_mse is not right. Average the squared errors. [expected 199.999, got {value}]"},
        )
    add(
        "blank_05_sliding_window_lab.ipynb",
        "05_sliding_window_lab",
        {
            q: f"{q}: not answered yet: set the answer and run that cell again."
            for q in lessons["05_sliding_window_lab"]
        },
    )
    add(
        ATTACK_NAME,
        "05_sliding_window_lab",
        {"q4": f"q4: X2 should have shape (204, 16, 2); yours is {ATTACK_TEXT}"},
    )
    add("fork_loop.ipynb", "05_sliding_window_lab", note="process limit: 256 processes", seconds=3.2)
    add("large_allocation.ipynb", "05_sliding_window_lab", note="memory limit: 6.0 GiB", seconds=5.9)
    add("c_loop.ipynb", "05_sliding_window_lab", note="CPU time limit: 90 s", seconds=91.0)
    add(
        "wrong_lesson_01_failing_setup.ipynb",
        "05_sliding_window_lab",
        seconds=41.0,
        flags=[
            "file name says lesson 01 but the notebook is 05_sliding_window_lab: "
            "graded as 05_sliding_window_lab"
        ],
    )
    add("empty.ipynb", "", problem="empty file")
    add("notes.txt", "", problem="not a notebook (.txt extension)")
    add('"><svg onload=alert(2)>.ipynb', "", problem=f"not a notebook (JSONDecodeError: {ATTACK_TEXT})")
    add("bundle.zip", "", problem="zip archive without a notebook")
    grades = folder / "grades.csv"
    results.write_csv(grades, [results.Row(*row) for row in rows])
    run = {"submissions": len(info), "seconds": 412.0, "jobs": 2, "per_minute": 3.8}
    results.write_info(grades, run, info)
    return grades


BLOCKS = {"div", "p", "td", "th", "tr", "li", "h1", "h2", "h3", "table", "span"}


class _Page(HTMLParser):
    """Every start tag with its attributes, and the visible text."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in BLOCKS:
            self.text.append(" ")

    def handle_data(self, data):
        if self.lasttag not in ("style", "title"):
            self.text.append(data)


def parse(page: str) -> _Page:
    """The page's tags and text, as a browser's parser splits them."""
    p = _Page()
    p.feed(page)
    return p


def assert_self_contained(page: str) -> None:
    """No script, no link, no frame, no url() or @import, every image inline as a PNG."""
    tags = parse(page).tags
    names = {t for t, _ in tags}
    assert not names & {"script", "link", "iframe", "object", "embed", "base", "svg", "form"}, names
    for tag, attrs in tags:
        assert not [a for a in attrs if a.startswith("on")], f"<{tag}> has an event handler: {attrs}"
        if tag == "a":
            assert attrs.get("href", "").startswith("#"), attrs
    assert not re.search(r"url\(|@import", page)
    images = [a["src"] for t, a in tags if t == "img"]
    assert images
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"


def page_text(page: str) -> str:
    """The visible text, whitespace collapsed: what a reader sees, in order."""
    return " ".join("".join(parse(page).text).split())
