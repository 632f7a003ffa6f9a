"""Every number the lesson text quotes must be backed by a code cell.

``python -m tools.quoted_numbers NOTEBOOK...`` checks executed notebooks (for example
``build/executed/*__baseline.ipynb`` from ``python -m tools.robust``); a notebook without outputs is
executed first (fresh kernel, with ``ll.record`` collecting its values). Exit status 1 when a
number is unbacked.

The rule
--------
A number quoted in a markdown cell is *backed* when it appears

- in the text output of a code cell: stdout/stderr streams and ``text/plain`` results or displays
  (error tracebacks do not count, nor a figure's text, its description: lessons_lib.alt_text),
  or among the values the notebook ``ll.record``-ed (stored by the sweep in the executed
  notebook's metadata under ``lessons_recorded``), or
- as a number literal in the source of a code cell (``epochs=30`` backs "30 epochs").

A measured number must come from the quote's own *section*: the outputs of the code cells from
the heading above the quote to the next heading (any level; a heading inside a markdown cell
splits it), so a number cannot be backed by an unrelated value printed elsewhere in the lesson. A
recorded value backs the section of the code cell that calls ``record("name", ...)`` with its
name. A section without code (a summary, the key takeaways) has no outputs: print its numbers in a
cell of that section, or leave them to the section that measures them. Number literals in code
are the lesson's settings (``window=16``) and back a quote anywhere in the notebook.

Matching honours the quoted precision: rounding a printed value to the decimals (or, for
``2.0e-06``, the significant digits) that the text writes must give the quoted number. So
"0.00165" is backed by a printed ``0.001653`` but not by ``0.0017``, and "318" by ``318.4``. A
percentage is backed by the same number printed as a percentage or as a fraction ("86%" by
``86.1%`` or ``0.861``). Signs are ignored (the text says "a drop of 0.3" where a cell prints
``-0.3``); a unicode minus counts as a minus.

What counts as a quoted number: decimals (``1.89``, ``0.00165``), scientific forms (``1e-6``,
``2.0e-06``, ``10^6``, ``10^{-6}``, ``10**8``, ``10⁶``, ``1.3 × 10^-8``), percentages (``86%``),
multipliers (``0.96×``, ``2×``, ``2x``; not a design such as ``2×2``) and integers >= 10
(``1,000`` is 1000). Integers below 10 are ignored (counts of things, "two", "step 3").
Numbers written in words are not detected.

Ignored:

- headings (lines starting with ``#``) and list numbering (``1.`` / ``2)`` at a line's start);
- numbers inside URLs, link targets and HTML tags (a link's visible text is checked);
- names: a number glued to letters or ``_`` (``q1``, ``00_start_here``, ``float32``, ``3rd``, ``2D``)
  and a number after *lesson, question, exercise, part, cause, cell, section, chapter, figure,
  issue, Python, TensorFlow, Keras, PyTorch, torch, NumPy, version* ("Lesson 03", "cell 19",
  "Python 3.11");
- durations: a number followed by a time unit (``~30 s``, ``40 minutes``, ``2 h``, ``15 ms``).
  Wall-clock time depends on the machine and its load, the lessons never assert it (speed is the
  benchmark's job, ``python -m tools.bench``), and "about 40 minutes" is reading guidance;
- numbers listed in an HTML comment of the same cell, ``<!-- cited: 1997, 2015 -->``: external
  facts with a source (the comment also hides its own numbers from the check). Put the source in
  the visible text.
"""

from __future__ import annotations

import argparse
import bisect
import io
import json
import math
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.execute import ANSI

RECORDED_KEY = "lessons_recorded"

_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_NUM = r"\d{1,3}(?:,\d{3})+(?![\d])|\d+(?:\.\d+)?"
_EXP = r"[-−+]?\d+"
_SUPEXP = r"⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+"


def _pow(e: str, p: str, s: str) -> str:
    """10^6, 10^{-6}, 10**8 or 10⁶, with named groups for the exponent."""
    return rf"10\s*(?:\^\s*\{{?\s*(?P<{e}>{_EXP})\s*\}}?|\*\*\s*(?P<{p}>{_EXP})|(?P<{s}>{_SUPEXP}))"


_QUOTE_RE = re.compile(
    r"(?<![A-Za-z_0-9.,])(?:"
    # 1.3 × 10^-8, 2 x 10**6, 5·10⁶
    rf"(?P<xm>{_NUM})\s*[×x*·]\s*"
    + _pow("xe", "xp", "xs")
    + "|"
    # 10^6, 10^{-6}, 10**8, 10⁶
    + _pow("pe", "pp", "ps")
    + "|"
    # 1e-6, 2.0e-06
    r"(?P<em>\d+(?:\.\d+)?)[eE](?P<ee>[-−+]?\d+)(?![A-Za-z_0-9])|"
    # plain, with an optional % or × / x
    rf"(?P<n>{_NUM})(?:(?P<pct>\s?%)|(?P<mul>\s?×(?!\s?\d)|x(?![A-Za-z_0-9]))|(?![A-Za-z_0-9%]))"
    ")"
)
_NAME_WORDS = re.compile(
    r"(?:\b(?:lessons?|questions?|exercises?|parts?|causes?|cells?|sections?|chapters?|figures?|fig\.|"
    r"issues?|python|tensorflow|keras|pytorch|torch|numpy|version|v)\s*(?:and\s+|,\s*)?)$",
    re.IGNORECASE,
)
_TIME_UNIT = re.compile(
    r"\s*(?:s|sec|secs|seconds?|min|mins|minutes?|h|hr|hrs|hours?|ms|milliseconds?)(?![A-Za-z])"
)
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_CITED = re.compile(r"^\s*cited\s*:(.*)$", re.DOTALL | re.IGNORECASE)
_BLANK_PATTERNS = [
    re.compile(r"\]\([^)]*\)"),  # link / image target: [text](target)
    re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE),  # reference-style link definitions
    re.compile(r"<[a-zA-Z/][^>]*>"),  # HTML tags and autolinks
    re.compile(r"https?://\S+|www\.\S+"),  # bare URLs
    re.compile(r"^\s{0,3}#.*$", re.MULTILINE),  # headings
    re.compile(r"^\s*\d+[.)](?=\s)", re.MULTILINE),  # list numbering
]
# printed numbers: permissive, no name rules
_OUT_RE = re.compile(r"(?<![0-9.])(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)(\s?%)?")


@dataclass(frozen=True)
class Quote:
    """A number quoted in markdown: its text, magnitude and the half-width its precision allows."""

    text: str
    value: float
    tolerance: float
    percent: bool
    start: int
    end: int


@dataclass(frozen=True)
class Unbacked:
    """A quoted number that no code cell prints, records or writes."""

    cell: int
    number: str
    sentence: str

    def as_dict(self) -> dict[str, Any]:
        return {"cell": self.cell, "number": self.number, "sentence": self.sentence}


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _plain(text: str) -> float:
    return float(text.replace(",", ""))


def _exp(text: str) -> int:
    return int(text.translate(_SUP).replace("−", "-"))


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + "".join("\n" if c == "\n" else " " for c in text[start:end]) + text[end:]


def _prose(source: str) -> tuple[str, set[float]]:
    """The markdown with ignored regions blanked (offsets kept) and the cited numbers."""
    cited: set[float] = set()
    text = source
    for m in _COMMENT.finditer(source):
        c = _CITED.match(m.group(1))
        if c:
            cited.update(abs(q.value) for q in _scan(c.group(1), names=False))
        text = _blank(text, m.start(), m.end())
    for pattern in _BLANK_PATTERNS:
        for m in pattern.finditer(text):
            text = _blank(text, m.start(), m.end())
    return text, cited


def _scan(text: str, names: bool = True) -> list[Quote]:
    quotes = []
    for m in _QUOTE_RE.finditer(text):
        g = m.groupdict()
        percent = False
        if g["xm"] is not None:
            e = _exp(g["xe"] or g["xp"] or g["xs"])
            value = _plain(g["xm"]) * 10.0**e
            tol = 0.5 * 10.0 ** (e - _decimals(g["xm"]))
        elif g["n"] is None and g["em"] is None:
            e = _exp(g["pe"] or g["pp"] or g["ps"])
            value, tol = 10.0**e, 0.5 * 10.0**e
        elif g["em"] is not None:
            e = _exp(g["ee"])
            value = float(g["em"]) * 10.0**e
            tol = 0.5 * 10.0 ** (e - _decimals(g["em"]))
        else:
            value = _plain(g["n"])
            tol = 0.5 * 10.0 ** -_decimals(g["n"])
            percent = g["pct"] is not None
            special = percent or g["mul"] is not None
            if names:
                if not special and "." not in g["n"] and value < 10:
                    continue
                if not special and _TIME_UNIT.match(text, m.end()):
                    continue
                if _NAME_WORDS.search(text[max(0, m.start() - 30) : m.start()]):
                    continue
        quotes.append(Quote(m.group(0).strip(), abs(value), tol, percent, m.start(), m.end()))
    return quotes


def quoted_numbers(markdown: str) -> list[Quote]:
    """The numbers a markdown cell quotes, ignoring what the module docstring lists (cited ones included)."""
    text, cited = _prose(markdown)
    return [q for q in _scan(text) if not any(math.isclose(q.value, c, rel_tol=1e-9) for c in cited)]


def _sentence(text: str, start: int, end: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    if line.startswith("|"):  # a table row: the row is the context
        return " ".join(line.split())[:240]
    left = max(text.rfind(". ", 0, start), text.rfind("\n\n", 0, start), text.rfind(".\n", 0, start))
    left = 0 if left < 0 else left + 2
    rights = [i for i in (text.find(". ", end), text.find("\n\n", end), text.find(".\n", end)) if i >= 0]
    right = min(rights) + 1 if rights else len(text)
    sentence = " ".join(text[left:right].split())
    return sentence if len(sentence) <= 240 else sentence[:237] + "..."


def _numbers_in_output(text: str) -> list[float]:
    values = []
    for m in _OUT_RE.finditer(ANSI.sub("", text)):
        v = float(m.group(1))
        values.append(v)
        if m.group(2):
            values.append(v / 100)
    return values


def _code_literals(source: str) -> list[float]:
    """Number literals in a code cell (tokenised; falls back to a regex for IPython magics)."""
    values = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.NUMBER:
                try:
                    values.append(abs(float(tok.string.replace("_", "").rstrip("jJ"))))
                except ValueError:
                    values.append(float(int(tok.string.replace("_", ""), 0)))
    except (tokenize.TokenError, SyntaxError, IndentationError, ValueError):
        values = [float(m.group(1)) for m in _OUT_RE.finditer(source)]
    return values


def _flatten(value: Any) -> list[float]:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float):
        return [abs(float(value))] if math.isfinite(value) else []
    if isinstance(value, str):
        return _numbers_in_output(value)
    if isinstance(value, list | tuple):
        return [v for item in value for v in _flatten(item)]
    if isinstance(value, dict):
        return [v for item in value.values() for v in _flatten(item)]
    return []


_HEADING = re.compile(r"^\s{0,3}#", re.MULTILINE)
_RECORD_CALL = re.compile(r"record\(\s*[\"'](\w+)[\"']")


def _cell_values(cell: Any, recorded: dict[str, Any]) -> list[float]:
    """What one code cell backs in its section: its text outputs and the values it records by name."""
    values: list[float] = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            values += _numbers_in_output(out.get("text", ""))
        elif out.get("output_type") in ("execute_result", "display_data") and \
                "image/png" not in out.get("data", {}):  # a figure's text is its alt text, not printed
            plain = out.get("data", {}).get("text/plain", "")
            values += _numbers_in_output("".join(plain) if isinstance(plain, list) else plain)
    for name in _RECORD_CALL.findall(cell.source):
        values += _flatten(recorded.get(name))
    return values


def section_starts(source: str) -> list[int]:
    """Offsets of the heading lines of a markdown cell: each one opens a new section."""
    text = _COMMENT.sub(lambda m: " " * len(m.group(0)), source)
    return [m.start() for m in _HEADING.finditer(text)]


def section_values(nb: Any, recorded: dict[str, Any] | None = None) -> list[list[float]]:
    """Per section (section 0 is before the first heading), the sorted numbers its code backs.

    Every section also holds the number literals of every code cell: settings hold lesson-wide.
    """
    if recorded is None:
        recorded = nb.metadata.get(RECORDED_KEY, {})
    recorded = dict(recorded)
    sections: list[list[float]] = [[]]
    literals: list[float] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            sections += [[] for _ in section_starts(cell.source)]
        elif cell.cell_type == "code":
            sections[-1] += _cell_values(cell, recorded)
            literals += _code_literals(cell.source)
    return [sorted(abs(v) for v in values + literals) for values in sections]


def _within(pool: list[float], lo: float, hi: float) -> bool:
    i = bisect.bisect_left(pool, lo)
    return i < len(pool) and pool[i] <= hi


def is_backed(quote: Quote, pool: list[float]) -> bool:
    """True when some value of ``pool`` (sorted) rounds to the quoted number at its precision."""
    slack = 1e-9 * max(quote.value, 1e-300)
    lo, hi = quote.value - quote.tolerance - slack, quote.value + quote.tolerance + slack
    if _within(pool, lo, hi):
        return True
    return quote.percent and _within(pool, lo / 100, hi / 100)


def check_notebook(nb: Any, recorded: dict[str, Any] | None = None) -> list[Unbacked]:
    """Every quoted number of ``nb``'s markdown cells that no code cell of its own section backs."""
    pools = section_values(nb, recorded)
    found, section = [], 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        text, _ = _prose(cell.source)
        starts = section_starts(cell.source)
        for quote in quoted_numbers(cell.source):
            own = section + bisect.bisect_right(starts, quote.start)
            if not is_backed(quote, pools[own]):
                found.append(Unbacked(index, quote.text, _sentence(text, quote.start, quote.end)))
        section += len(starts)
    return found


def format_report(name: str, unbacked: list[Unbacked]) -> str:
    """A readable report: one block per notebook, one line per unbacked number."""
    if not unbacked:
        return f"{name}: every quoted number is backed"
    lines = [f"{name}: {len(unbacked)} unbacked number{'s' if len(unbacked) != 1 else ''}"]
    for u in unbacked:
        lines.append(f"  cell {u.cell:>3}  {u.number:<10} {u.sentence}")
    return "\n".join(lines)


def _executed(nb: Any) -> bool:
    return any(c.cell_type == "code" and (c.get("outputs") or c.get("execution_count")) for c in nb.cells)


def main(argv: list[str] | None = None) -> int:
    """Check every notebook (executing one without outputs first); exit 1 if a number is unbacked."""
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="executed notebooks (others are run first)")
    parser.add_argument("--json", type=Path, help="also write {notebook: [unbacked...]} here")
    args = parser.parse_args(argv)
    report: dict[str, list[dict[str, Any]]] = {}
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        if not _executed(nb):
            from tools.execute import execute_notebook_recorded

            print(f"executing {path} ...", flush=True)
            nb, _, recorded = execute_notebook_recorded(path, allow_errors=True)
            nb.metadata[RECORDED_KEY] = recorded
        unbacked = check_notebook(nb)
        report[path.name] = [u.as_dict() for u in unbacked]
        print(format_report(path.name, unbacked))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return 1 if any(report.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
