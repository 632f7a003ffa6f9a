"""The learner's page in a real browser: `make lab` on freshly built student copies, driven by
headless Chromium (Playwright for Python, Debian's /usr/bin/chromium as the browser).

Checks: 00 and one graded lesson Run All with no error box and no stderr output, and no "Jupyter
news?" pop-up; a wrong answer typed into one question shows the check's failure message; the right
answer shows it passed. The book (build/book/, `make book`): the landing page, a lesson page, the
instructors' guide and a search, served from 127.0.0.1 with every other host refused.
Accessibility (axe-core, WCAG 2 A and AA; tests/axe_scan.py): every page of the book with its math
typeset and the class report, 0 violations; the JupyterLab page after Run All, 0 serious or
critical ones in what the course put there (JupyterLab's own are printed, not failed).
Screenshots go to build/screenshots/. Without /usr/bin/chromium (or Playwright) the test is
skipped with one loud line naming the install command.
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import axe_scan
import nbformat
import pytest
from notebook_helpers import master_answers

from tools import kernel
from tools.browser import CHROMIUM, launch
from tools.grading import copies, serve

ROOT = Path(__file__).resolve().parent.parent
SKIP_LINE = "SKIPPED browser test: install chromium (apt-get install -y chromium) to run it"
NOTEBOOKS = Path(os.environ.get("LESSONS_NOTEBOOKS", ROOT / "notebooks"))
WRONG_DIR = Path(os.environ.get("LESSONS_WRONG_ANSWERS", Path(__file__).parent / "wrong_answers"))
SCREENSHOTS = ROOT / "build" / "screenshots"
RUN_ALL_TIMEOUT = 600  # seconds for one notebook's Run All on 2 shared cores


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graded_lesson() -> Path:
    """The quickest graded lesson (05 when present; LESSONS_BROWSER_LESSON=stem picks another)."""
    graded = [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if copies.has_exercises(p)]
    if not graded:
        pytest.fail(f"no graded lesson in {NOTEBOOKS}")
    wanted = os.environ.get("LESSONS_BROWSER_LESSON", "05_sliding_window_lab")
    return next((p for p in graded if p.stem == wanted), graded[0])


@pytest.fixture(scope="module")
def browser(request):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not CHROMIUM.exists():
        # tests/conftest.py prints this reason as one loud line at the end of the run
        pytest.skip(SKIP_LINE + ("" if sync_playwright else " (and pip install 'playwright>=1.40')"))
    with sync_playwright() as pw:
        chromium = launch(pw)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory, course_kernel):
    """`make lab` exactly as a learner runs it, on a fresh build, headless on a free port."""
    build_dir = tmp_path_factory.mktemp("labbuild")
    port, token = _free_port(), uuid.uuid4().hex
    lab_args = (
        f"--no-browser --ip=127.0.0.1 --port={port} --IdentityProvider.token={token} "
        "--LabApp.expose_app_in_browser=True --ServerApp.open_browser=False"
    )
    make = shutil.which("make")
    if make and (ROOT / ".venv" / "bin" / "jupyter").exists():
        cmd = [
            make,
            "-s",
            "lab",
            f"BUILD_DIR={build_dir}",
            f"NOTEBOOKS_DIR={NOTEBOOKS}",
            f"LAB_ARGS={lab_args}",
        ]
    else:  # no make or no .venv here: the same command line make would run, in this environment
        copies.build(NOTEBOOKS, build_dir)
        root = ["--allow-root"] if os.geteuid() == 0 else []
        cmd = [str(Path(sys.executable).parent / "jupyter"), "lab", str(build_dir / "student"), *root]
        cmd += lab_args.split()
    log = (build_dir / "lab.log").open("w")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 900  # the build (otter assign per lesson) comes first
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"`{' '.join(cmd)}` exited {proc.returncode}:\n"
                    + (build_dir / "lab.log").read_text()[-3000:]
                )
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if time.time() > deadline:
                    pytest.fail("JupyterLab did not answer within 900 s")
                time.sleep(2)
        yield base, token, build_dir
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        serve.stop(build_dir)  # the local checker the lab's first check started
        log.close()


# ---------------------------------------------------------------- page helpers

_CELLS_DONE = """() => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return false;
  const status = panel.sessionContext.session?.kernel?.status;
  const prompts = [...panel.content.node.querySelectorAll('.jp-InputPrompt')].map(p => p.textContent);
  return status === 'idle' && !prompts.some(t => t.includes('*'));
}"""

NEWS_POPUP = "get notified about official Jupyter news"  # JupyterLab's first-start question
_STDERR_SELECTOR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


def _open(page, base: str, token: str, name: str) -> None:
    page.goto(f"{base}/lab/tree/{name}?token={token}", wait_until="domcontentloaded")
    page.wait_for_function(
        """(name) => { const app = window.jupyterapp; const w = app && app.shell.currentWidget;
           return !!(w && w.context && w.context.path.endsWith(name) && w.sessionContext
                     && w.sessionContext.session && w.sessionContext.session.kernel
                     && w.sessionContext.session.kernel.status === 'idle'); }""",
        arg=name,
        timeout=180_000,
    )


def _run_all(page) -> float:
    start = time.time()
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_timeout(1000)
    page.wait_for_function(_CELLS_DONE, timeout=RUN_ALL_TIMEOUT * 1000, polling=1000)
    return time.time() - start


def _kernel_name(page) -> str:
    return page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.name")


def _stderr_texts(page) -> list[str]:
    return [el.inner_text()[:300] for el in page.query_selector_all(_STDERR_SELECTOR)]


def _cell_index(page, predicate_js: str, arg) -> int:
    return page.evaluate(
        f"""(arg) => {{ const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
            for (let i = 0; i < cells.length; i++) {{ const c = cells.get(i);
              const tags = c.getMetadata('tags') || []; const src = c.sharedModel.getSource();
              if ({predicate_js}) return i; }} return -1; }}""",
        arg,
    )


def _type_and_run(page, index: int, code: str, check_index: int) -> str:
    """Type ``code`` into cell ``index`` (replacing it), run it, run the check cell; its output text."""
    page.evaluate(
        """(i) => { const nb = window.jupyterapp.shell.currentWidget.content;
               nb.activeCellIndex = i; nb.mode = 'edit'; nb.widgets[i].node.scrollIntoView();
               nb.widgets[i].editor.focus(); }""",
        index,
    )
    page.wait_for_timeout(300)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)  # as a paste: no auto-indent or auto-closing brackets
    typed = page.evaluate(
        "(i) => window.jupyterapp.shell.currentWidget.content.widgets[i].model.sharedModel.getSource()", index
    )
    assert typed.strip() == code.strip(), f"typing into the answer cell gave {typed!r}"
    for i in (index, check_index):
        page.evaluate(
            """(i) => { const nb = window.jupyterapp.shell.currentWidget.content; nb.activeCellIndex = i;
                   return window.jupyterapp.commands.execute('notebook:run-cell'); }""",
            i,
        )
        page.wait_for_timeout(500)
        page.wait_for_function(_CELLS_DONE, timeout=120_000, polling=500)
    return page.evaluate(
        """(i) => { const w = window.jupyterapp.shell.currentWidget.content.widgets[i];
               w.node.scrollIntoView(); return w.outputArea.node.innerText; }""",
        check_index,
    )


def _scan_lab(page, name: str) -> None:
    """axe on the notebook after Run All: JupyterLab's own violations printed, the course's failed."""
    start = time.time()
    found = axe_scan.scan(page, axe_scan.COURSE_PARTS)
    ours = axe_scan.serious_in_course(found)
    print(axe_scan.line(f"JupyterLab {name} (all, JupyterLab's own included)", found))
    print(axe_scan.line(f"JupyterLab {name}, serious or critical in the course's outputs", ours)
          + f" ({time.time() - start:.1f} s)")
    assert not ours, f"{name}: the course's outputs fail axe:\n" + axe_scan.details(ours)


# ---------------------------------------------------------------- the test


def test_learner_page_in_a_real_browser(browser, lab):
    base, token, build_dir = lab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    graded = _graded_lesson()
    start_here = next(
        (p.name for p in sorted(NOTEBOOKS.glob("00_*.ipynb"))), sorted(NOTEBOOKS.glob("*.ipynb"))[0].name
    )
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    timings = {}
    try:
        for name in (start_here, graded.name):
            _open(page, base, token, name)
            assert _kernel_name(page) == kernel.KERNEL_NAME, f"{name}: runs on kernel {_kernel_name(page)!r}"
            timings[name] = _run_all(page)
            page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}_run_all.png"), full_page=True)
            errors = _stderr_texts(page)
            assert not errors, f"{name}: error box or stderr output after Run All: {errors}"
            assert page.get_by_text(NEWS_POPUP).count() == 0, (
                f"{name}: JupyterLab asks about Jupyter news (the course's overrides.json is not read)"
            )
            _scan_lab(page, name)

        # a wrong answer, then the right one, typed into the graded lesson's first recorded question
        master = nbformat.read(graded, as_version=4)
        answers = master_answers(master)
        wrong_file = WRONG_DIR / f"{graded.stem}.py"
        assert wrong_file.exists(), f"no wrong answers recorded for {graded.stem} in {WRONG_DIR}"
        wrong = runpy.run_path(str(wrong_file))["WRONG"]
        # a question whose wrong answer fails its check (a wrong choice passes as "a valid choice")
        question = next(q for q, _ in answers if q in wrong and not wrong[q][0].get("graded_later"))
        slot = [q for q, _ in answers].index(question)
        right = answers[slot][1]
        bad = wrong[question][0]
        answer_cell = _cell_index(page, "tags.includes('otter_answer_cell') && (arg.n-- === 0)", {"n": slot})
        check_cell = _cell_index(page, "src.includes('grader.check(' + JSON.stringify(arg) + ')')", question)
        if check_cell < 0:
            check_cell = _cell_index(page, 'src.includes("grader.check(\'" + arg + "\')")', question)
        assert answer_cell >= 0 and check_cell > answer_cell, f"{graded.name}: cells for {question} not found"

        shown = _type_and_run(page, answer_cell, bad["code"], check_cell)
        page.screenshot(path=str(SCREENSHOTS / f"{graded.stem}_{question}_wrong.png"))
        assert bad["message"] in shown, (
            f"{graded.name} {question}, wrong answer ({bad['why']}): expected {bad['message']!r} in the "
            f"check's output; the page shows {shown[:500]!r}"
        )
        for otter_extra in ("Error at line", "Traceback", "ex.check"):
            assert otter_extra not in shown, f"{graded.name} {question}: the check shows {shown[:500]!r}"

        shown = _type_and_run(page, answer_cell, right, check_cell)
        page.screenshot(path=str(SCREENSHOTS / f"{graded.stem}_{question}_right.png"))
        assert "passed" in shown.lower() or "format is right" in shown, (
            f"{graded.name} {question}, reference answer: the page shows {shown[:500]!r}"
        )
        assert bad["message"] not in shown
        assert not _stderr_texts(page), f"{graded.name}: stderr output: {_stderr_texts(page)}"
        _class_view(browser, build_dir, graded.stem, question, bad["message"])
    finally:
        page.close()
        print(f"browser Run All seconds: {timings}")


def _class_view(browser, build_dir: Path, lesson: str, question: str, mistake: str) -> None:
    """The local checker's live class view after those checks (in self-study the learner is their
    own instructor): the question's latest verdict and the wrong answer's named mistake, its tables
    updated in place (a button pauses them), no request outside, no axe violation; its screenshot
    goes to build/screenshots/class_view.png."""
    state = json.loads((build_dir / "checker" / "server.json").read_text())
    page = browser.new_page()  # its own tab: JupyterLab's tab keeps saving its workspace meanwhile
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{state['url']}class?token={state['token']}", wait_until="load")
    page.screenshot(path=str(SCREENSHOTS / "class_view.png"), full_page=True)
    text = page.inner_text("main")
    assert page.get_by_role("heading", name="The class, live").is_visible()
    assert f"{lesson}\t{question}\t1 of 1\t100%" in text, f"class view: {text[:800]!r}"
    # Run All sent the untouched questions' empty slots too (05 q6 gives ar_folds): no attempt, no failure
    assert "0 of 1" not in text, f"class view counts an empty slot as a failure: {text[:800]!r}"
    flat = " ".join(text.split())
    assert " ".join(mistake.split()) in flat, f"class view lacks the mistake: {text[:800]!r}"
    assert page.evaluate("() => document.scripts.length") == 1  # its own updater, inline
    page.get_by_role("button", name="Pause updates").click()
    assert page.get_by_role("button", name="Resume updates").is_visible()
    violations = axe_scan.scan(page)
    assert not violations, "the class view fails axe:\n" + axe_scan.details(violations)
    outside = [u for u in requests if not u.startswith(state["url"])]
    page.close()
    assert not outside, f"the class view asked for {outside}"


def test_class_report_in_a_real_browser(browser, synthetic_class):
    """The instructor's class report (a synthetic class) opens offline, shows its plots, runs no
    script; its screenshot goes to build/screenshots/class_report.png."""
    from tools.grading import report

    page_file = report.write(synthetic_class)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests, dialogs = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(page_file.as_uri(), wait_until="load")
        images = page.evaluate(
            "() => [...document.images].map(i => [i.alt, i.complete && i.naturalWidth > 0])"
        )
        page.screenshot(path=str(SCREENSHOTS / "class_report.png"), full_page=True)
        assert page.evaluate("() => document.scripts.length") == 0
        assert page.get_by_role("heading", name="The class's misconceptions").is_visible()
        assert page.get_by_text("05_sliding_window_lab", exact=True).first.is_visible()
        start = time.time()
        violations = axe_scan.scan(page)  # injected after the check that the report runs no script
        print(axe_scan.line("class report", violations) + f" ({time.time() - start:.1f} s)")
    finally:
        page.close()
    assert not violations, "the class report fails axe:\n" + axe_scan.details(violations)
    assert len(images) == 13 and all(ok for _, ok in images), images
    assert not dialogs, f"the report ran a submission's script: {dialogs}"
    outside = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert not outside, f"the report asked the network for {outside}"


# ---------------------------------------------------------------- the book


@pytest.fixture(scope="module")
def book_site():
    """build/book served on 127.0.0.1 (as any static host would); skipped before `make book`."""
    import functools
    import http.server
    import threading

    site = ROOT / "build" / "book"
    if not (site / "index.html").exists():
        pytest.skip("no book in build/book: run `make book` first")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # one line per request would bury the test's output
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _offline_page(browser, site: str, elsewhere: list[str]):
    """A page that may fetch from ``site`` only: any other request is refused and recorded."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})

    def only_local(route):
        if route.request.url.startswith(site):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    return page


def test_the_book_in_a_real_browser(browser, book_site):
    elsewhere: list[str] = []
    page = _offline_page(browser, book_site, elsewhere)
    lesson = _graded_lesson().stem
    try:
        page.goto(f"{book_site}/index.html", wait_until="networkidle")
        assert page.locator("table a[href*='lessons/']").count() >= 1, "the landing page has no lesson table"
        page.screenshot(path=str(SCREENSHOTS / "book_landing.png"))

        page.goto(f"{book_site}/lessons/{lesson}.html", wait_until="networkidle")
        assert page.get_by_text("How to run it").count() >= 1
        images = page.locator("img")
        loaded = "img => img.complete && img.naturalWidth > 0"
        assert images.count() >= 1 and all(
            images.nth(i).evaluate(loaded) for i in range(images.count())
        ), f"{lesson}: a figure did not load"
        page.screenshot(path=str(SCREENSHOTS / "book_lesson.png"))
        images.first.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "book_lesson_figure.png"))

        page.goto(f"{book_site}/instructors.html", wait_until="networkidle")
        page.screenshot(path=str(SCREENSHOTS / "book_instructors.png"))
        page.locator("#the-lessons-one-by-one").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "book_instructors_lessons.png"))

        page.goto(f"{book_site}/search.html", wait_until="networkidle")
        box = page.locator("input[name='q']:visible").first  # the search page's own box
        box.fill("gradient")
        box.press("Enter")
        results = page.locator("#search-results ul.search li")
        results.first.wait_for(timeout=60_000)
        assert results.count() >= 1, "search found nothing for 'gradient'"
        page.screenshot(path=str(SCREENSHOTS / "book_search.png"))
    finally:
        page.close()
    assert not elsewhere, f"the book asked other hosts for: {elsewhere[:10]}"


# MathJax typesets after the page loads: wait for it, then list each formula it left as TeX
_UNTYPESET = """async () => {
  if (window.MathJax && window.MathJax.startup) await window.MathJax.startup.promise;
  return [...document.querySelectorAll('.math')].filter(m => !m.querySelector('mjx-container'))
    .map(m => m.textContent.slice(0, 80));
}"""


def _book_pages() -> list[str]:
    site = ROOT / "build" / "book"
    return [p.relative_to(site).as_posix() for p in sorted(site.rglob("*.html")) if "_static" not in p.parts]


def _formula_screenshot(page, name: str) -> None:
    formula = page.locator("mjx-container").first
    if formula.count():
        formula.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"book_{name}_formula.png"))


def test_every_book_page_passes_the_accessibility_scan(browser, book_site):
    """Every page of the book, one browser page reused: its math typeset by the book's own MathJax,
    then axe-core's WCAG 2 A and AA rules, 0 violations; the count by rule is printed per page."""
    elsewhere: list[str] = []
    page = _offline_page(browser, book_site, elsewhere)
    found, untypeset, start = {}, [], time.time()
    try:
        for name in _book_pages():
            page.goto(f"{book_site}/{name}", wait_until="load")
            untypeset += [f"{name}: {tex}" for tex in page.evaluate(_UNTYPESET)]
            found[name] = axe_scan.scan(page)
            print(axe_scan.line(name, found[name]))
            if name.startswith("lessons/0"):
                _formula_screenshot(page, Path(name).stem[:2])
    finally:
        page.close()
        print(f"axe: {len(found)} book pages scanned in {time.time() - start:.1f} s")
    assert len(found) >= 10, f"only {len(found)} pages in the book"
    assert not elsewhere, f"the book asked other hosts for: {elsewhere[:10]}"
    assert not untypeset, "formulas MathJax did not typeset:\n" + "\n".join(untypeset)
    failing = {name: v for name, v in found.items() if v}
    assert not failing, "\n".join(f"{name}:\n{axe_scan.details(v)}" for name, v in failing.items())
