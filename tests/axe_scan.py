"""axe-core's WCAG 2 A and AA rules in a Playwright page: the accessibility scan the browser test
runs on every page of the book, the class report and the learner's JupyterLab page (issue 35).

axe-core comes from npm, pinned in tools/npm/package-lock.json and installed by ``make book``
into build/npm (tools/npm_assets.py); it is injected into the page under test, never fetched.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tools import npm_assets

# WCAG 2 (2.0), levels A and AA, as issue 35 asks. WCAG 2.1's rules (wcag21a, wcag21aa) find one
# thing more on every page: label-content-name-mismatch on pydata-sphinx-theme's search button
# (aria-label "Search", visible text "Search Ctrl+K"), the theme's own template.
TAGS = ["wcag2a", "wcag2aa"]
# JupyterLab: what the course put on the page (cell outputs, rendered markdown); the rest is
# JupyterLab's own interface
COURSE_PARTS = ".jp-OutputArea-output, .jp-RenderedMarkdown"
# ... less one thing JupyterLab does to outputs: its image renderer (rendermime's renderImage) makes
# an <img> with no alt whatever the output carries (an `alt` in the output's metadata, as
# IPython.display.Image(alt=...) and lessons_lib.alt_text write it, is not read yet: Jupyter
# enhancement-proposals pre-proposal 120). Listed as JupyterLab's own.
LAB_RENDERED = {"image-alt": ".jp-RenderedImage > img"}
SERIOUS = ("serious", "critical")

_RUN = """async ([tags, course, labs]) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  const where = (rule, t) => { const el = typeof t[0] === 'string' ? document.querySelector(t[0]) : null;
    return !!(course && el && el.closest(course) && !(labs[rule] && el.matches(labs[rule]))); };
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                              course: where(v.id, n.target), summary: n.failureSummary}))}));
}"""


def _axe_source() -> str:
    try:
        return npm_assets.axe_script().read_text()
    except SystemExit as missing:  # npm_assets says what to run
        pytest.fail(str(missing))


def scan(page, course_parts: str = "") -> list[dict]:
    """The page's axe-core violations; each node says whether it lies in ``course_parts``."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    return page.evaluate(_RUN, [TAGS, course_parts, LAB_RENDERED if course_parts else {}])


def counts(violations: list[dict]) -> Counter:
    """How many elements fail each rule, by ``rule (impact)``."""
    return Counter({f"{v['id']} ({v['impact']})": len(v["nodes"]) for v in violations if v["nodes"]})


def serious_in_course(violations: list[dict]) -> list[dict]:
    """The serious and critical violations, each cut down to its elements in the course's parts."""
    serious = [v for v in violations if v["impact"] in SERIOUS]
    cut = [{**v, "nodes": [n for n in v["nodes"] if n["course"]]} for v in serious]
    return [v for v in cut if v["nodes"]]


def line(name: str, violations: list[dict]) -> str:
    """``name: 0 violations`` or ``name: color-contrast (serious) 10, ...``, for the test's output."""
    by_rule = counts(violations)
    said = ", ".join(f"{rule} {n}" for rule, n in sorted(by_rule.items())) or "0 violations"
    return f"axe {name}: {said}"


def details(violations: list[dict], limit: int = 12) -> str:
    """The failing elements, a few per rule, for a failed test's message."""
    out = []
    for v in violations:
        out.append(f"{v['id']} ({v['impact']}): {v['help']}")
        out += [f"    {n['target']}: {n['html'][:120]}" for n in v["nodes"][:limit]]
    return "\n".join(out)
