"""The built book (`make book`, build/book/): no answer leaks, every figure and table, working links,
the whole API, nothing loaded from the internet. Skipped, with the command to run, before a build.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from tools import book
from tools.grading import copies

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "book"
SRC = ROOT / "build" / "book-src"
NOTEBOOKS = ROOT / "notebooks"
MASTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))

needs_book = pytest.mark.skipif(
    not (OUT / "index.html").exists(), reason="no book in build/book: run `make book` first"
)


def pages() -> list[Path]:
    """Every page of the book (Sphinx's own index and search pages are not content)."""
    return [p for p in sorted(OUT.rglob("*.html")) if "_static" not in p.parts]


@lru_cache
def page_html(path: Path) -> str:
    return path.read_text()


def page_text(path: Path) -> str:
    """What a reader sees: tags dropped, entities decoded, scripts and styles removed."""
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html(path), flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


def lesson_page(stem: str) -> Path:
    return OUT / "lessons" / f"{stem}.html"


def code_cells(stem: str) -> list[tuple[str, str]]:
    """(source, html) for each code cell of the lesson page, in order."""
    nb = nbformat.read(SRC / "lessons" / f"{stem}.ipynb", as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    chunks = _cell_divs(page_html(lesson_page(stem)))
    assert len(chunks) == len(sources), f"{stem}: {len(sources)} code cells, {len(chunks)} on the page"
    return list(zip(sources, chunks, strict=True))


@needs_book
def _cell_divs(text: str) -> list[str]:
    """The HTML of each code cell's container (myst-nb: ``<div class="cell ... container">``)."""
    found = []
    for start in re.finditer(r'<div class="cell(?: [^"]*)? docutils container"', text):
        depth = 0
        for tag in re.finditer(r"<div\b|</div>", text[start.start():]):
            depth += 1 if tag.group() == "<div" else -1
            if depth == 0:
                found.append(text[start.start(): start.start() + tag.end()])
                break
    return found


@needs_book
def test_every_lesson_has_its_page():
    assert [lesson_page(m.stem).exists() for m in MASTERS] == [True] * len(MASTERS)


@needs_book
@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_no_page_shows_a_solution_hidden_test_or_instructor_text(master):
    """The student copies' leak scan (tools.grading.copies.text_leaks) over the text of the lesson's page and
    of every other page but the other lessons' (a common line such as `for _ in range(steps):` may
    be a solution line in one lesson and plain code in another, each page checked against its own
    master). Lesson pages hold no instructor sentence at all; the instructors' guide publishes the
    masters' "For instructors" notes (timing, where classes get stuck), never a model answer."""
    nb = nbformat.read(master, as_version=4)
    problems = []
    for path in pages():
        is_lesson = path.parent.name == "lessons"
        if is_lesson and path.stem != master.stem:
            continue
        problems += copies.text_leaks(page_text(path), nb, where=str(path.relative_to(OUT)), notes=is_lesson)
    assert not problems, "\n".join(problems)


def test_the_scan_finds_a_solution_line_when_there_is_one():
    """The scan is not blind: a page made of a master's own text is caught."""
    master = next(m for m in MASTERS if copies.has_exercises(m))
    nb = nbformat.read(master, as_version=4)
    assert copies.text_leaks("\n".join(c.source for c in nb.cells), nb)


@needs_book
@pytest.mark.parametrize("master", [m for m in MASTERS if copies.has_exercises(m)], ids=lambda p: p.stem)
def test_every_check_on_the_page_says_not_answered_yet(master):
    """Pages run the stubs: each question's check shows "not answered yet", none shows "passed"."""
    questions = [name for name, _, _ in book.exercises(nbformat.read(master, as_version=4))]
    for source, chunk in code_cells(master.stem):
        m = re.search(r"grader\.check\([\"'](\w+)[\"']\)", source)
        if m:
            shown = html.unescape(re.sub(r"<[^>]+>", "", chunk.split("cell_output", 1)[-1]))
            assert "not answered yet" in shown, f"{master.stem} {m.group(1)}: the check shows {shown[:300]!r}"
            questions.remove(m.group(1))
        assert "passed!" not in chunk, f"{master.stem}: a check passed on the page: {source[:80]!r}"
    assert not questions, f"{master.stem}: no check cell on the page for {questions}"


PLOTS = re.compile(r"plt\.show\(|plt\.subplots\(|plots\.plot_\w+\(")


@needs_book
@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_every_plotting_cell_shows_its_figure_and_every_table_is_there(master):
    cells = code_cells(master.stem)
    missing = [src[:80] for src, chunk in cells if PLOTS.search(src) and "<img" not in chunk]
    assert not missing, f"{master.stem}: plotting cells without an image: {missing}"
    text = page_html(lesson_page(master.stem))
    nb = nbformat.read(master, as_version=4)
    md_tables = sum(len(re.findall(r"^\|[-| :]+\|$", c.source, re.MULTILINE))
                    for c in nb.cells if c.cell_type == "markdown" and not copies.is_instructor(c))
    assert text.count("<table") >= md_tables, f"{master.stem}: {md_tables} tables in the text, fewer shown"
    for src, chunk in cells:
        if re.search(r"\btable\(", src) and not src.lstrip().startswith("def "):
            assert "cell_output" in chunk, f"{master.stem}: a table cell shows nothing: {src[:80]!r}"


@needs_book
@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_every_lesson_page_says_time_teaching_asserts_and_how_to_run(master):
    text = " ".join(page_text(lesson_page(master.stem)).split())
    for what in ("Time: about", "How to run it", "make lab"):
        assert what in text, f"{master.stem}: the page does not say {what!r}"
    page = page_html(lesson_page(master.stem)).replace('href="' + book.HUB_URL, 'href="')
    for link in ("/hub/user-redirect/git-pull?repo=", "https://mybinder.org/v2/gh/"):
        assert f'href="{link}' in page, f"{master.stem}: no {link} link in the lesson card"
    student = nbformat.read(ROOT / "build" / "fresh" / master.name, as_version=4)
    proved = book.asserts(student)
    if proved:
        assert f"({len(proved)} in all)" in text
        assert all(" ".join(a.split()) in text for a in proved), f"{master.stem}: an assert is not listed"


@needs_book
def test_every_internal_link_resolves():
    broken = []
    for path in pages():
        for link in re.findall(r'(?:href|src)="([^"]+)"', page_html(path)):
            parts = urlsplit(html.unescape(link))
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(OUT)}: {link}")
            elif parts.fragment and target.suffix == ".html" and \
                    f'id="{parts.fragment}"' not in page_html(target):
                broken.append(f"{path.relative_to(OUT)}: {link} (no such anchor)")
    assert not broken, "\n".join(broken)


@needs_book
def test_nothing_is_loaded_from_the_internet():
    """No script, style sheet, font or image from another host: the book reads offline."""
    remote = []
    for path in [*pages(), *sorted((OUT / "_static").rglob("*.css"))]:
        text = path.read_text(errors="replace")
        remote += [f"{path.relative_to(OUT)}: {m}" for m in
                   re.findall(r'<(?:script|link|img|iframe)\b[^>]*(?:src|href)="(?:https?:)?//[^"]+"', text)]
        remote += [f"{path.relative_to(OUT)}: {m}"
                   for m in re.findall(r"url\((?:'|\")?https?://[^)]+\)", text)]
    assert not remote, "\n".join(remote[:20])


@needs_book
def test_the_api_page_lists_every_public_name_and_the_whole_backend_contract():
    import lessons_lib
    from lessons_lib import backends

    api = page_html(OUT / "api.html")
    wanted = [f"lessons_lib.{n}" for n in lessons_lib.__all__]
    wanted += [f"{mod}.{n}" for mod in backends.BACKENDS.values() for n in backends.CONTRACT]
    missing = [name for name in wanted if f'id="{name}"' not in api]
    assert not missing, f"api.html has no entry for {missing}"


def test_the_readme_fits_a_first_screen_and_links_the_guides():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 60
    for guide in ("docs/learners.md", "docs/instructors.md", "docs/developers.md"):
        assert f"({guide})" in readme and (ROOT / guide).exists()
