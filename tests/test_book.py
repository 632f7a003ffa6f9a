"""The built book (`make book`, build/book/): no answer leaks, every figure and table (each figure
described in its alt text), math typeset (no raw `$...$`), pages that start with the lesson,
working links, the whole API, nothing loaded from the internet and no CDN named. Skipped, with the
command to run, before a build.
"""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from tools import book, npm_assets
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
    """(source, html) for each code cell shown on the lesson page, in order (otter's set-up cell,
    tagged to be left off the page, is not)."""
    nb = nbformat.read(SRC / "lessons" / f"{stem}.ipynb", as_version=4)
    sources = [c.source for c in nb.cells
               if c.cell_type == "code" and book.HIDE_TAG not in c.metadata.get("tags", [])]
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
            # a page has no checker behind it: the build never asks one (nor starts one that outlives it)
            assert "course's checker" not in shown, f"{master.stem} {m.group(1)}: the build asked a checker"
            questions.remove(m.group(1))
        assert "passed!" not in chunk, f"{master.stem}: a check passed on the page: {source[:80]!r}"
    assert not questions, f"{master.stem}: no check cell on the page for {questions}"


# the addresses the card used before a course set its own (issue 35): dead links
PLACEHOLDER_HOSTS = ("https://hub.example.org", "https://github.com/you/", "/gh/you/")


def test_the_card_links_the_hub_and_binder_only_when_a_course_set_them(monkeypatch):
    for name in ("HUB_URL", "LEARNER_REPO", "BINDER_REPO"):
        monkeypatch.setattr(book, name, "")
    unset = book._links("02_the_fix")
    assert "](http" not in unset and "the link your instructor gives you" in unset
    monkeypatch.setattr(book, "HUB_URL", "https://hub.uni.edu/")
    monkeypatch.setattr(book, "LEARNER_REPO", "https://github.com/uni/ff-learner")
    monkeypatch.setattr(book, "BINDER_REPO", "uni/forecasting-failures")
    card = book._links("02_the_fix")
    assert ("(https://hub.uni.edu/hub/user-redirect/git-pull?repo=https://github.com/uni/ff-learner"
            "&urlpath=lab/tree/ff-learner/02_the_fix.ipynb)") in card
    assert "(https://mybinder.org/v2/gh/uni/forecasting-failures/HEAD?urlpath=lab/tree/build/student/" \
           "02_the_fix.ipynb)" in card


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
    page = page_html(lesson_page(master.stem))
    hub = re.search(r'href="(https://[^"/]+)/hub/user-redirect/git-pull\?repo=', page)
    assert hub or "the link your instructor gives you" in text, f"{master.stem}: the card names no hub"
    assert not hub or hub.group(1) not in PLACEHOLDER_HOSTS, f"{master.stem}: a placeholder hub link"
    assert not re.search(r'href="[^"]*(?:' + "|".join(map(re.escape, PLACEHOLDER_HOSTS)) + ")", page), \
        f"{master.stem}: the card links to a placeholder address (set BOOK_HUB_URL, docs/instructors.md)"
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


# ---------------------------------------------------------------- read as learners read it (issue 35)


@needs_book
@pytest.mark.parametrize("master", MASTERS, ids=lambda p: p.stem)
def test_the_page_starts_with_the_lesson(master):
    """otter's set-up cell runs but is not shown: the lesson's title comes before any code."""
    page = page_html(lesson_page(master.stem))
    assert "otter.Notebook(" not in page_text(lesson_page(master.stem)), f"{master.stem} shows otter's set-up"
    first_cell = page.find('<div class="cell')
    assert 0 <= page.find("<h1") < (first_cell if first_cell >= 0 else len(page)), \
        f"{master.stem}: code comes before the lesson's title"


def test_the_course_map_lists_every_lesson():
    start = nbformat.read(next(iter(sorted(NOTEBOOKS.glob("00_*.ipynb")))), as_version=4)
    rows = "\n".join(c.source for c in start.cells if c.cell_type == "markdown")
    missing = [m.stem for m in MASTERS if not re.search(rf"^\| `{m.stem}` \|", rows, re.MULTILINE)]
    assert not missing, f"00's course map has no row for {missing}"


def is_description(alt: str) -> bool:
    """Alt text a reader can use: at least a sentence (six words, a full stop), not a file name."""
    alt = " ".join(alt.split())
    file_name = re.fullmatch(r"\S*\.(?:png|jpe?g|gif|svg|webp)", alt, re.IGNORECASE) or "_images/" in alt
    return not file_name and len(alt.split()) >= 6 and alt.endswith((".", "!", "?"))


def test_the_alt_text_check_rejects_what_describes_nothing():
    for alt in ("", "../_images/b99db16f.png", "plot.png", "A plot.", "Line chart of the loss"):
        assert not is_description(alt), alt
    assert is_description("Line chart titled “Training loss”. X axis: epoch, 1 to 40. 2 curves.")


def test_a_figures_alt_text_is_what_its_output_says_it_shows():
    """tools.book_alt: the PNG's ``alt`` metadata first, else the output's text; matplotlib's
    ``<Figure size ...>`` says nothing; keyed by the SHA-256 that myst-nb names the file by."""
    import base64
    import hashlib

    from tools import book_alt

    pngs = [base64.b64encode(bytes([i]) * 20).decode() for i in range(3)]
    outputs = [
        nbformat.v4.new_output("display_data", {"image/png": pngs[0], "text/plain": "Line chart of y."},
                               metadata={"image/png": {"alt": "Bar chart titled “Scores”. 2 bars."}}),
        nbformat.v4.new_output("display_data", {"image/png": pngs[1], "text/plain": "Line chart of y."}),
        nbformat.v4.new_output("display_data", {"image/png": pngs[2], "text/plain": "<Figure size 9x3>"}),
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("plot()", outputs=outputs)])
    key = [hashlib.sha256(base64.b64decode(p)).hexdigest() for p in pngs]
    assert book_alt.descriptions(nb) == {key[0]: "Bar chart titled “Scores”. 2 bars.",
                                         key[1]: "Line chart of y."}


@needs_book
def test_every_figure_is_described():
    """Every image on every page has alt text that says what it shows (lessons_lib.alt_text)."""
    bad, seen = [], 0
    for path in pages():
        for tag in re.findall(r"<img\b[^>]*>", page_html(path)):
            if 'src="_static/' in tag:  # Sphinx's own widgets (the module index's hidden toggler)
                continue
            seen += 1
            alt = html.unescape((re.search(r'\balt="([^"]*)"', tag) or re.match("", "")).group(1) or "")
            if not is_description(alt):
                bad.append(f"{path.relative_to(OUT)}: {tag[:160]}")
    assert seen >= len(MASTERS), f"only {seen} images in the book"
    assert not bad, "images without a description:\n" + "\n".join(bad)


def _prose(path: Path) -> str:
    """The page's text without code (blocks, inline, outputs), scripts and styles."""
    raw = re.sub(r"<(script|style|pre)\b.*?</\1>", " ", page_html(path), flags=re.DOTALL)
    raw = re.sub(r"<code\b.*?</code>", " ", raw, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


RAW_MATH = re.compile(r"(?<![\\\w$])\$\$?[^\s$][^$\n]*?\$")


@needs_book
def test_no_page_shows_raw_math():
    """`$...$` in the lessons and guides becomes MathJax input (`\\(...\\)` in a math span)."""
    raw = [f"{p.relative_to(OUT)}: {m.group()}" for p in pages() for m in RAW_MATH.finditer(_prose(p))]
    assert not raw, "TeX shown as typed:\n" + "\n".join(raw[:20])
    assert RAW_MATH.search("the series $x_t = \\sin(t)$ is") and not RAW_MATH.search("costs $ 5 or $ 6")


@needs_book
def test_the_formulas_reach_mathjax_whole():
    """Each lesson's `$...$` is a math span with its TeX intact (`\\,` is a thin space, not a comma)."""
    for master in MASTERS:
        nb = nbformat.read(master, as_version=4)
        prose = "\n".join(c.source for c in nb.cells
                          if c.cell_type == "markdown" and not copies.is_instructor(c))
        formulas = re.findall(r"(?<![\\$])\$([^$\n]+(?:\n[^$\n]+)?)\$", prose)
        spans = [html.unescape(s) for s in re.findall(r'<span class="math[^"]*">(.*?)</span>',
                                                      page_html(lesson_page(master.stem)), re.DOTALL)]
        for tex in formulas:
            assert any(" ".join(tex.split()) in " ".join(s.split()) for s in spans), \
                f"{master.stem}: ${tex}$ is not a math span on the page"
    assert any(r"\sin(0.12\,t)" in s for s in re.findall(r'class="math[^"]*">(.*?)</span>',
                                                         page_html(lesson_page("00_start_here"))))


@needs_book
def test_mathjax_is_the_books_own_pinned_copy():
    """The pages load MathJax from _static; its package.json (version) and licence are beside it."""
    served = OUT / "_static" / "mathjax"
    meta = json.loads((served / "package.json").read_text())
    assert (meta["name"], meta["version"]) == ("mathjax", npm_assets.pinned("mathjax"))
    assert meta["version"].startswith("3.") and (served / "LICENSE").exists()
    with_math = [p for p in pages() if 'class="math' in page_html(p)]
    assert with_math, "no page has math"
    for path in with_math:
        src = re.search(r'<script defer="defer" src="([^"]*mathjax[^"]*)"', page_html(path))
        assert src and (path.parent / src.group(1).split("?")[0]).resolve() == \
            (served / npm_assets.MATHJAX_ENTRY).resolve(), f"{path.relative_to(OUT)} loads {src}"


# Hosts that serve scripts, styles and fonts to pages (Sphinx's MathJax default, pydata's fonts...)
CDN = re.compile(r"(?:https?:)?//(?:[\w-]+\.)*(?:[\w-]*cdn[\w-]*\.[\w.]+|unpkg\.com|jsdelivr\.\w+|"
                 r"googleapis\.com|gstatic\.com|bootstrapcdn\.com|code\.jquery\.com|statically\.io)",
                 re.IGNORECASE)
# MathJax's speech engine (SRE) falls back to these only in Internet Explorer or a browser with no
# XPath; MathJax's own config points it at _static/mathjax/sre. The browser test records every
# request a page makes and refuses other hosts, so a fetch of these would fail it too.
SRE_FALLBACKS = (
    "https://cdn.jsdelivr.net/npm/sre-mathmaps-ie@",
    "https://cdn.jsdelivr.net/npm/speech-rule-engine@",
    "https://cdn.jsdelivr.net/npm/wicked-good-xpath@1.3.0/dist/wgxpath.install.js",
)


@needs_book
def test_no_built_file_names_a_cdn():
    named = []
    built = (".html", ".js", ".css", ".json")
    for path in sorted(p for p in OUT.rglob("*") if p.is_file() and p.suffix in built):
        text = path.read_text(errors="replace")
        if path.is_relative_to(OUT / "_static" / "mathjax"):
            for url in SRE_FALLBACKS:
                text = text.replace(url, "")
        named += [f"{path.relative_to(OUT)}: {m.group()}" for m in CDN.finditer(text)]
    assert not named, "built files name a CDN:\n" + "\n".join(named[:20])
    assert CDN.search('src="https://cdn.jsdelivr.net/npm/mathjax@4/tex-mml-chtml.js"')
