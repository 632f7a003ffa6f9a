"""The course as a book: ``make book`` builds a static website into ``build/book/``.

``python -m tools.book`` assembles the Sphinx source in ``build/book-src/``: the hand-written
pages of ``docs/``, the learner's copy of every lesson (``build/fresh/``, made by ``make student``:
stubs, no solution, no hidden test, no ``instructor`` cell) with a lesson card in front, and the
pages generated from the notebooks and the code (lesson table, per-lesson instructor notes, the
``lessons_lib`` API, the ``ll.diagnose`` codes), so none of them can drift. Then it runs Sphinx
with myst-nb, which reads each lesson's outputs from jupyter-cache (``build/book-cache/``); the
lessons the cache lacks are executed first, one per core: a rebuild after a text edit executes
nothing.
"""

from __future__ import annotations

import argparse
import ast
import filecmp
import inspect
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tools import BUILD, ROOT, lesson_notebooks, npm_assets
from tools.grading import copies

DOCS = ROOT / "docs"
# Where a class's links point; a course publishing the book sets these (docs/instructors.md,
# "The book's links"). Unset, the lesson card says how to run a lesson without a link to follow.
HUB_URL = os.environ.get("BOOK_HUB_URL", "")  # e.g. https://hub.example.edu
LEARNER_REPO = os.environ.get("BOOK_LEARNER_REPO", "")  # e.g. https://github.com/you/ff-learner
BINDER_REPO = os.environ.get("BOOK_BINDER_REPO", "")  # e.g. you/forecasting-failures
EXECUTION_TIMEOUT = 900  # seconds a lesson's cell may take (docs/conf.py reads BOOK_TIMEOUT)
SKIP_TAG = "skip-execution"  # nbclient leaves such cells unexecuted
HIDE_TAG = "remove-cell"  # myst-nb runs such cells and leaves them off the page
DESCRIBE_FIGURES = "%load_ext lessons_lib.alt_text"  # the hidden first cell of every lesson page


@dataclass
class Lesson:
    """What the book says about one lesson, read from its master and its student copy."""

    stem: str
    title: str
    minutes: int | None
    learn: list[str]
    asserts: list[str]
    exercises: list[tuple[str, float, str]] = field(default_factory=list)  # name, points, prompt
    notes: str = ""  # the master's "## For instructors" cell, heading dropped


def _title(nb: nbformat.NotebookNode) -> str:
    for cell in nb.cells:
        m = re.search(r"^# (.+)$", cell.source, re.MULTILINE) if cell.cell_type == "markdown" else None
        if m:
            return m.group(1).strip()
    return ""


def _intro(nb: nbformat.NotebookNode) -> str:
    return next((c.source for c in nb.cells if c.cell_type == "markdown" and "**Time:**" in c.source), "")


def _learn(intro: str) -> list[str]:
    """The "You will learn to" bullets of a lesson's intro cell, each joined onto one line."""
    block = intro.split("**You will learn to**", 1)[1] if "**You will learn to**" in intro else ""
    items: list[str] = []
    for line in block.splitlines():
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif line.startswith("  ") and items:
            items[-1] += " " + line.strip()
        elif items and not line.strip():
            break
    return items


def _map_minutes(start_here: nbformat.NotebookNode | None) -> dict[str, int]:
    """Minutes per lesson from the lesson map in 00_start_here (for lessons without a Time line)."""
    found: dict[str, int] = {}
    for cell in start_here.cells if start_here is not None else []:
        for m in re.finditer(r"^\| `(\d\d_\w+)` \|.*\| (\d+) min \|$", cell.source, re.MULTILINE):
            found[m.group(1)] = int(m.group(2))
    return found


def asserts(nb: nbformat.NotebookNode) -> list[str]:
    """Every ``assert`` condition in the notebook's code cells, in order, as ``assert <test>``."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                test = ast.get_source_segment(cell.source, node.test) or ast.unparse(node.test)
                found.append("assert " + " ".join(test.split()))
    return found


def exercises(master: nbformat.NotebookNode) -> list[tuple[str, float, str]]:
    """(question, points, prompt) for every graded question: the prompt learners read too."""
    found = []
    for i, cell in enumerate(master.cells):
        config = copies.question(cell)
        if config:
            nxt = master.cells[i + 1] if i + 1 < len(master.cells) else None
            prompt = nxt.source if nxt is not None and nxt.cell_type == "markdown" else ""
            found.append((*config, prompt))
    return found


def instructor_notes(master: nbformat.NotebookNode) -> str:
    """The master's "## For instructors" cell (timing, common mistakes, questions for the room).

    Only that cell: the other ``instructor`` cells hold model answers, which stay in the masters.
    """
    for cell in master.cells:
        src = cell.source.strip()
        if copies.is_instructor(cell) and src.startswith("## For instructors"):
            return src.split("\n", 1)[1].strip() if "\n" in src else ""
    return ""


def read_lessons(masters: Path, students: Path) -> list[Lesson]:
    """One Lesson per master notebook that has a student copy."""
    start = next(iter(sorted(masters.glob("00_*.ipynb"))), None)
    minutes = _map_minutes(nbformat.read(start, as_version=4) if start else None)
    found = []
    for path in lesson_notebooks(masters):
        copy = students / path.name
        if not copy.exists():
            raise SystemExit(f"no student copy of {path.name} in {students}: run `make student` first.")
        master, student = nbformat.read(path, as_version=4), nbformat.read(copy, as_version=4)
        intro = _intro(master)
        m = re.search(r"\*\*Time:\*\* about (\d+) minutes", intro)
        found.append(Lesson(
            stem=path.stem,
            title=_title(master),
            minutes=int(m.group(1)) if m else minutes.get(path.stem),
            learn=_learn(intro),
            asserts=asserts(student),
            exercises=exercises(master),
            notes=instructor_notes(master),
        ))
    return found


def _links(stem: str) -> str:
    """How to run a lesson: locally, on the class hub (nbgitpuller), on Binder (from binder/).

    The hub and Binder links only where BOOK_HUB_URL and BOOK_LEARNER_REPO, and BOOK_BINDER_REPO,
    are set: a placeholder address would be a dead link.
    """
    serving = "[serving a class](../instructors.md#serving-the-course-to-a-class)"
    lines = [f"- on your machine: `make lab`, then open `{stem}.ipynb` ([set-up](../learners.md#set-up));"]
    if HUB_URL and LEARNER_REPO:
        pull = (f"{HUB_URL.rstrip('/')}/hub/user-redirect/git-pull?repo={LEARNER_REPO}"
                f"&urlpath=lab/tree/{LEARNER_REPO.rstrip('/').rsplit('/', 1)[-1]}/{stem}.ipynb")
        lines.append(f"- on your class's hub: [open it through nbgitpuller]({pull}) (your instructor's "
                     f"link pulls the lessons into your home; {serving});")
    else:
        lines.append(f"- on your class's hub, if your course has one: through the link your instructor "
                     f"gives you ({serving});")
    if BINDER_REPO:
        binder = f"https://mybinder.org/v2/gh/{BINDER_REPO}/HEAD?urlpath=lab/tree/build/student/{stem}.ipynb"
        lines.append(f"- on Binder, temporary, nothing kept: [launch it]({binder}).")
    return "\n".join(lines) + "\n"


def lesson_card(lesson: Lesson, intro_says: bool = False) -> str:
    """The admonition each lesson page opens with: time, what it teaches, its asserts, how to run.

    ``intro_says``: the lesson's own intro cell already states its time and what it teaches.
    """
    lines = ["```{admonition} This lesson", ":class: tip", ""]
    if lesson.minutes and not intro_says:
        lines.append(f"**Time:** about {lesson.minutes} minutes.")
    if lesson.exercises:
        pts = sum(p for _, p, _ in lesson.exercises)
        lines.append(f"**Graded exercises:** {len(lesson.exercises)} ({pts:g} points).")
    lines.append("")
    if lesson.learn and not intro_says:
        lines += ["**It teaches you to**", ""] + [f"- {item}" for item in lesson.learn] + [""]
    lines += ["**How to run it**", "", _links(lesson.stem), "```", ""]
    if lesson.asserts:
        lines += [
            "```{admonition} What it proves: the lesson's asserts",
            ":class: note",
            "",
            f"Each line is an `assert` on a number the lesson measures ({len(lesson.asserts)} in all); "
            "if one stopped holding, the notebook would stop there. Listed from the notebook itself.",
            "",
            "````python",
            *lesson.asserts,
            "````",
            "```",
        ]
    return "\n".join(lines)


def _is_export(cell) -> bool:
    return cell.cell_type == "code" and ".export(" in cell.source


def is_otter_setup(cell) -> bool:
    """otter's set-up cell (``grader = otter.Notebook(...)``): run, but left off the page."""
    return cell.cell_type == "code" and "otter.Notebook(" in cell.source


def _tag(cell, tag: str) -> None:
    tags = cell.metadata.setdefault("tags", [])
    if tag not in tags:
        tags.append(tag)


def lesson_page(lesson: Lesson, student: Path) -> nbformat.NotebookNode:
    """The student copy with its lesson card after the title cell; its export cell left unrun;
    otter's set-up cell, and a first cell that makes each figure's text its description, run but
    not shown."""
    nb = nbformat.read(student, as_version=4)
    problems = copies.leaks(nb)
    if problems:
        raise SystemExit(f"{student} is not fit for the book: " + "; ".join(problems))
    intro = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "**Time:**" in c.source),
                 None)
    at = intro if intro is not None else next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown")
    nb.cells.insert(at + 1, nbformat.v4.new_markdown_cell(lesson_card(lesson, intro is not None)))
    for cell in nb.cells:
        if _is_export(cell):  # it would write a zip and link to it: the book hands nothing in
            _tag(cell, SKIP_TAG)
        if is_otter_setup(cell):
            _tag(cell, HIDE_TAG)
    # each figure's text/plain becomes its description: tools/book_alt.py makes it the alt text
    nb.cells.insert(0, nbformat.v4.new_code_cell(DESCRIBE_FIGURES, metadata={"tags": [HIDE_TAG]}))
    for cell in nb.cells:
        if "id" in cell:
            del cell["id"]
    nb.nbformat_minor = 4
    return nb


def lesson_table(lessons: list[Lesson], prefix: str = "lessons/") -> str:
    """The lesson table of the landing page: title, time, exercises, asserts."""
    rows = ["| lesson | time | graded exercises | asserts |", "|---|---|---|---|"]
    for le in lessons:
        mins = f"{le.minutes} min" if le.minutes else ""
        ex = f"{len(le.exercises)}" if le.exercises else "none"
        rows.append(f"| [{le.title}]({prefix}{le.stem}.ipynb) | {mins} | {ex} | {len(le.asserts)} |")
    return "\n".join(rows) + "\n"


def instructor_lessons(lessons: list[Lesson]) -> str:
    """Per lesson, for instructors: timing, what it teaches, notes from the master, the exercises."""
    out = []
    for le in lessons:
        out += [f"### {le.title}", ""]
        if le.minutes:
            out.append(f"**Timing:** about {le.minutes} minutes in class. [The lesson page]"
                       f"(lessons/{le.stem}.ipynb) lists its {len(le.asserts)} asserts.")
            out.append("")
        if le.learn:
            out += ["**Teaches:** " + "; ".join(item.rstrip(";.") for item in le.learn) + ".", ""]
        if le.notes:
            out += ["**From the master's notes for instructors** (where classes get stuck):", "",
                    le.notes, ""]
        if le.exercises:
            out += ["**The exercises**, as learners read them:", ""]
        for _, points, prompt in le.exercises:
            out += [f"- ({points:g} point{'s' if points != 1 else ''}) " + " ".join(prompt.split())]
        if le.exercises:
            out += ["", "Model answers and hidden tests stay in the master notebook "
                    "(`make lab-instructor`).", ""]
    return "\n".join(out) + "\n"


def api_page() -> str:
    """autodoc entries for every public name of ``lessons_lib`` and every contract name of each backend."""
    import importlib

    import lessons_lib
    from lessons_lib import backends

    out = ["## `lessons_lib`", "", "```{eval-rst}", ".. py:module:: lessons_lib", ""]
    for name in lessons_lib.__all__:
        out += [_autodoc(getattr(lessons_lib, name), name), ""]
    out += ["```", ""]
    for key, modname in backends.BACKENDS.items():
        module = importlib.import_module(modname)
        out += [f"## `{modname}` (`load_backend(\"{key}\")`)", "", "```{eval-rst}",
                f".. py:module:: {modname}", ""]
        for name in backends.CONTRACT:
            out += [_autodoc(getattr(module, name), name), ""]
        out += ["```", ""]
    return "\n".join(out)


def _autodoc(obj, name: str) -> str:
    if inspect.isclass(obj):
        return f".. autoclass:: {name}\n   :members:"
    if callable(obj):
        return f".. autofunction:: {name}"
    return f".. autodata:: {name}\n   :annotation: = {obj!r}"


def _write(path: Path, text: str) -> None:
    """Write only when the text changed, so Sphinx rebuilds only what changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def assemble(src: Path, masters: Path, students: Path) -> list[Lesson]:
    """Fill ``src`` with docs/ and the generated pages; files whose content is the same are kept."""
    for path in sorted(DOCS.rglob("*")):
        target = src / path.relative_to(DOCS)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif not target.exists() or not filecmp.cmp(path, target, shallow=False):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    npm_assets.copy_mathjax(src / "_static")
    lessons = read_lessons(masters, students)
    for le in lessons:
        _write(src / "lessons" / f"{le.stem}.ipynb",
               nbformat.writes(lesson_page(le, students / f"{le.stem}.ipynb")) + "\n")
    for name, make in GENERATED.items():
        _write(src / "_generated" / name, make(lessons))
    return lessons


def _codes_page(lessons: list[Lesson]) -> str:
    from lessons_lib.diagnose import codes_table

    return codes_table() + "\n"


# The pages made from the notebooks and the code, by file name (the guides include them).
GENERATED = {
    "lesson_table.md": lesson_table,
    "instructor_lessons.md": instructor_lessons,
    "api.md": lambda lessons: api_page(),
    "diagnose_codes.md": _codes_page,
}


def execute_lessons(lessons: Path, cache_path: Path, timeout: int = EXECUTION_TIMEOUT) -> None:
    """Execute the lesson pages that the cache has no outputs for, one per core, into the cache.

    myst-nb then finds every lesson's outputs there; by itself it executes them one after another.
    A lesson that fails here is left out of the cache, and myst-nb runs it again to report it.
    """
    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(cache_path))
    uris = [str(p.resolve()) for p in sorted(lessons.glob("*.ipynb"))]
    for uri in uris:
        cache.add_nb_to_project(uri)
    todo = [r.uri for r in cache.list_unexecuted(filter_uris=uris)]
    if todo:
        started = time.time()
        result = load_executor("local-parallel", cache=cache).run_and_cache(
            filter_uris=todo, timeout=timeout, allow_errors=False
        )
        print(f"book: executed {len(result.succeeded)} of {len(todo)} lessons in "
              f"{time.time() - started:.0f} s, {os.cpu_count()} at a time", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Assemble build/book-src, then build the website into --out; Sphinx's exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    parser.add_argument("--out", type=Path, default=BUILD / "book")
    parser.add_argument("--jobs", default="1", help="Sphinx processes (lessons execute in them)")
    args = parser.parse_args(argv)
    from sphinx.cmd.build import build_main

    src, cache = BUILD / "book-src", BUILD / "book-cache"
    start = time.time()
    lessons = assemble(src, args.notebooks, BUILD / "fresh")
    os.environ["BOOK_CACHE"] = str((cache / "jupyter").resolve())
    os.environ["BOOK_TIMEOUT"] = str(EXECUTION_TIMEOUT)
    # A published page has no checker behind it (a hand-out's setting): its checks say what a reader
    # of the page would get, and no build starts a local checker that runs the masters and outlives it.
    os.environ["COURSE_CHECKER"] = "off"
    execute_lessons(src / "lessons", cache / "jupyter")
    code = build_main(["-b", "html", "-q", "-j", args.jobs, "-d", str(cache / "doctrees"),
                       str(src), str(args.out)])
    if code == 0:
        print(f"book: {len(lessons)} lessons, {args.out}/index.html ({time.time() - start:.0f} s)")
    return code


if __name__ == "__main__":
    sys.exit(main())
