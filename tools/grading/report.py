"""The instructor's class report: ``build/grades.html`` from the grades CSV and the run's JSON beside it.

Per lesson and question: the score distribution (a plot), the pass rate and the most frequent
failure messages, grouped once each submission's own values are masked, and counted by kind (a
named mistake, a generic "not right", not answered, the run stopped); per submission: total,
flags and seconds; files that could not be graded, with their reason. One self-contained file:
plots are inline PNG, the style is inline, no script, no link. Everything a submission controls
(file names, messages) is escaped by the template (Jinja2 autoescape).
``python -m tools.grading report build/grades.csv`` rebuilds it without grading again.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from lessons_lib.exercises import GENERIC_VERDICT
from tools.grading.results import HEADER, info_path

TEMPLATE = Path(__file__).with_name("report_template.html")
TOP_MESSAGES = 6  # failure messages shown per question
NAMES_SHOWN = 4  # submissions named beside each message
# A failure message matching exercises.GENERIC_VERDICT says only that the value is not right (with
# the question's general hint); any other names what is wrong (a mistake, a shape, a type, a range).
NOT_ANSWERED = re.compile(r"\bnot answered\b", re.IGNORECASE)
KIND_LABELS = {
    "named": "named mistake",
    "generic": "not right",
    "unanswered": "not answered",
    "stopped": "run stopped",
}
# the submission's own values in a message: quoted strings and numbers (not digits inside names)
_VALUE = re.compile(
    r"""(?<![\w'"])'[^'\n]{0,80}'(?!\w)|(?<![\w'"])"[^"\n]{0,80}"(?!\w)"""
    r"|(?<![\w.])[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?(?!\w|\.\d)|\b-?(?:nan|inf)\b"
)
MASK = "…"


@dataclass
class Sub:
    """One submitted file as the report shows it."""

    name: str
    lesson: str = ""
    score: float = 0.0
    max_score: float = 0.0
    message: str = ""  # the TOTAL row's message
    flags: list[str] = field(default_factory=list)
    seconds: float | None = None
    stopped: str = ""  # why its run gave no answers (a limit, a crash); "" when it ran
    questions: dict[str, tuple[float, float, str]] = field(default_factory=dict)

    @property
    def gradable(self) -> bool:
        return bool(self.questions)


def load(csv_path: Path) -> tuple[list[Sub], dict]:
    """Submissions from the grades CSV, with flags/seconds from the run's JSON when it is there."""
    subs: dict[str, Sub] = {}
    with open(csv_path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in HEADER if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(
                f"{csv_path} is not a grades CSV: it lacks the column(s) {', '.join(missing)}; "
                "pass the CSV that `make grade` wrote (build/grades.csv)."
            )
        for n, row in enumerate(reader, start=2):
            sub = subs.setdefault(row["submission"], Sub(row["submission"]))
            sub.lesson = sub.lesson or row["lesson"]
            try:
                score, max_score = float(row["score"] or 0), float(row["max_score"] or 0)
            except ValueError:
                raise ValueError(
                    f"{csv_path}, line {n}: score {row['score']!r} / max_score {row['max_score']!r} "
                    "is not a number; pass the CSV that `make grade` wrote, unedited."
                ) from None
            if row["question"] == "TOTAL":
                sub.score, sub.max_score, sub.message = score, max_score, row["message"]
            else:
                sub.questions[row["question"]] = (score, max_score, row["message"])
    info = info_path(csv_path)
    if not info.is_file():
        for sub in subs.values():
            sub.stopped = _stopped_from_csv(sub)
        return list(subs.values()), {}
    try:
        data = json.loads(info.read_text(encoding="utf-8"))
        for item in data.get("submissions", []):
            sub = subs.get(item.get("name"))
            if sub is not None:
                sub.flags = [str(f) for f in item.get("flags", [])]
                sub.seconds = None if item.get("seconds") is None else float(item["seconds"])
                sub.stopped = str(item.get("note", ""))
        run = dict(data.get("run", {}))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValueError(
            f"{info} is not the grading run's JSON ({type(exc).__name__}: {exc}); "
            "delete it to build the report from the CSV alone."
        ) from None
    return list(subs.values()), run


def _stopped_from_csv(sub: Sub) -> str:
    """Without the JSON: a run that stopped gave every question the same 0-point message, the TOTAL's."""
    scores = [s for s, _, _ in sub.questions.values()]
    messages = {m for _, _, m in sub.questions.values()}
    if len(messages) == 1 and not any(scores):
        note = messages.pop()
        return note if note and sub.message.startswith(note) else ""
    return ""


def mask(message: str, question: str) -> tuple[str, list[str]]:
    """The message without its question prefix, values masked (the grouping key), and those values."""
    text = " ".join(message.split())
    text = text.removeprefix(f"{question}: ")
    return _VALUE.sub(MASK, text), _VALUE.findall(text)


def kind(message: str, stopped: bool) -> str:
    """Which kind of failure a message reports (keys of KIND_LABELS)."""
    if stopped:
        return "stopped"
    if NOT_ANSWERED.search(message):
        return "unanswered"
    if GENERIC_VERDICT.search(message) or not message.strip():
        return "generic"
    return "named"


def _shown(key: str, values: list[list[str]]) -> str:
    """The grouped message with each value kept where every submission had the same one."""
    parts = key.split(MASK)
    out = [parts[0]]
    for i, part in enumerate(parts[1:]):
        same = {v[i] for v in values if i < len(v)}
        out.append((same.pop() if len(same) == 1 else MASK) + part)
    return "".join(out) or "(no message)"


def failures(subs: list[Sub], question: str) -> list[dict]:
    """The question's failure messages grouped and counted, most frequent first; runs that
    stopped make one group, named by their reasons (each is in the submissions table)."""
    groups: dict[tuple[str, str], dict] = {}
    for sub in subs:
        score, max_score, message = sub.questions[question]
        if score >= max_score:
            continue
        k = kind(message, bool(sub.stopped))
        key, values = mask(message, question) if k != "stopped" else ("", [_reason(sub.stopped)])
        g = groups.setdefault((k, key), {"kind": k, "label": KIND_LABELS[k], "names": [], "values": []})
        g["names"].append(sub.name)
        g["values"].append(values)
    out = []
    for (k, key), g in groups.items():
        if k == "stopped":
            text = ", ".join(sorted({v[0] for v in g["values"]}))
        else:
            text = _shown(key, g["values"])
        out.append({**g, "count": len(g["names"]), "text": text})
    return sorted(out, key=lambda g: (g["kind"] == "stopped", -g["count"], g["kind"] != "named", g["text"]))


def _reason(note: str) -> str:
    """A stopped run's reason without its details: "memory limit: 6 GiB ..." -> "memory limit"."""
    return note.split(":")[0].split(" (")[0].strip() or "stopped"


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


COLOURS = {"full": "#2e7d32", "partial": "#f9a825", "zero": "#c62828", "stopped": "#9e9e9e"}


def score_plot(scores: list[float], stops: list[bool], max_score: float, what: str = "score") -> str:
    """Bars: how many submissions got each score (those whose run stopped in grey)."""
    from matplotlib.figure import Figure

    ran = Counter(s for s, stop in zip(scores, stops, strict=True) if not stop)
    stopped = Counter(s for s, stop in zip(scores, stops, strict=True) if stop)
    values = sorted({0.0, max_score, *ran, *stopped})
    fig = Figure(figsize=(3.4, 1.9))
    fig.subplots_adjust(left=0.16, right=0.97, bottom=0.24, top=0.86)  # fixed: a layout engine draws twice
    ax = fig.add_subplot()
    step = min((b - a for a, b in pairwise(values)), default=1.0)  # bars on a true axis
    colour = [COLOURS["full" if v >= max_score else "zero" if v <= 0 else "partial"] for v in values]
    ax.bar(values, [ran[v] for v in values], color=colour, width=0.6 * step)
    if stopped:
        ax.bar(
            values,
            [stopped[v] for v in values],
            bottom=[ran[v] for v in values],
            width=0.6 * step,
            color=COLOURS["stopped"],
            label="run stopped",
        )
        ax.legend(fontsize=7, frameon=False, loc="lower right", bbox_to_anchor=(1, 0.98), borderaxespad=0)
    if len(values) <= 12:
        ax.set_xticks(values, [f"{v:g}" for v in values])
    ax.set_xlabel(f"{what} (of {max_score:g})", fontsize=8)
    ax.set_ylabel("submissions", fontsize=8)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def lesson_plot(questions: list[dict]) -> str:
    """Horizontal bars: the share of the class with full marks on each question, worst first."""
    from matplotlib.figure import Figure

    rows = sorted(questions, key=lambda q: q["pass_rate"])
    height = 0.75 + 0.3 * len(rows)
    fig = Figure(figsize=(5.2, height))
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.5 / height, top=1 - 0.15 / height)
    ax = fig.add_subplot()
    rates = [100 * q["pass_rate"] for q in rows]
    colour = [COLOURS["full" if r >= 80 else "partial" if r >= 50 else "zero"] for r in rates]
    ax.barh([q["name"] for q in rows], rates, color=colour, height=0.6)
    for y, r in enumerate(rates):
        ax.text(min(r + 1.5, 88), y, f"{r:.0f}%", va="center", fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("full marks (% of graded submissions)", fontsize=8)
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _question(subs: list[Sub], name: str) -> dict:
    scores = [sub.questions[name] for sub in subs]
    max_score = max(m for _, m, _ in scores)
    groups = failures(subs, name)
    named = [g for g in groups if g["kind"] == "named"]
    for g in groups:
        g["more"] = max(0, g["count"] - NAMES_SHOWN)
        g["names"] = g["names"][:NAMES_SHOWN]
    return {
        "name": name,
        "max_score": max_score,
        "graded": len(scores),
        "full": sum(s >= m for s, m, _ in scores),
        "pass_rate": sum(s >= m for s, m, _ in scores) / len(scores),
        "mean": statistics.fmean(s for s, _, _ in scores),
        "failed": sum(g["count"] for g in groups),
        "named": sum(g["count"] for g in named),
        "distinct_named": len(named),
        "named_groups": named,  # all of them, for the class's misconceptions
        "messages": groups[:TOP_MESSAGES],
        "hidden_messages": max(0, len(groups) - TOP_MESSAGES),
        "plot": score_plot([s for s, _, _ in scores], [bool(s.stopped) for s in subs], max_score),
    }


def _lesson(lesson: str, subs: list[Sub]) -> dict:
    names = sorted({q for sub in subs for q in sub.questions}, key=_natural)
    subs = [s for s in subs if all(q in s.questions for q in names)]
    totals = [s.score for s in subs]
    max_total = max(s.max_score for s in subs)
    questions = [_question(subs, q) for q in names]
    seconds = [s.seconds for s in subs if s.seconds is not None]
    return {
        "name": lesson,
        "graded": len(subs),
        "max_total": max_total,
        "mean": statistics.fmean(totals),
        "median": statistics.median(totals),
        "full": sum(t >= max_total for t in totals),
        "stopped": sum(bool(s.stopped) for s in subs),
        "flagged": sum(bool(s.flags) for s in subs),
        "median_seconds": statistics.median(seconds) if seconds else None,
        "questions": questions,
        "plot": lesson_plot(questions),
        "totals_plot": score_plot(totals, [bool(s.stopped) for s in subs], max_total, "total"),
    }


def _natural(text: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _misconceptions(lessons: list[dict]) -> list[dict]:
    """Every named mistake of the class, most frequent first."""
    found = [
        {
            "lesson": le["name"],
            "question": q["name"],
            "count": g["count"],
            "share": g["count"] / q["graded"],
            "text": g["text"],
        }
        for le in lessons
        for q in le["questions"]
        for g in q["named_groups"]
    ]
    return sorted(found, key=lambda m: (-m["count"], m["lesson"], _natural(m["question"])))


def render(csv_path: Path) -> str:
    """The report's HTML for the grades in ``csv_path`` (and the run's JSON beside it)."""
    import jinja2

    subs, run = load(csv_path)
    graded = [s for s in subs if s.gradable]
    by_lesson: dict[str, list[Sub]] = {}
    for sub in graded:
        by_lesson.setdefault(sub.lesson, []).append(sub)
    lessons = [_lesson(le, by_lesson[le]) for le in sorted(by_lesson)]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(TEMPLATE.name).render(
        source=csv_path.name,
        made=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        run=run,
        files=len(subs),
        lessons=lessons,
        misconceptions=_misconceptions(lessons),
        graded=sorted(graded, key=lambda s: (s.lesson, _natural(s.name))),
        ungradable=sorted((s for s in subs if not s.gradable), key=lambda s: _natural(s.name)),
        kind_labels=KIND_LABELS,
    )


def write(csv_path: Path, out: Path | None = None) -> Path:
    """Write the report for ``csv_path`` to ``out`` (default: beside it, as .html); its path."""
    csv_path = Path(csv_path)
    if not csv_path.is_file():
        raise FileNotFoundError(
            f"no grades at {csv_path}: run `make grade SUBMISSIONS=dir` first, or pass the CSV it wrote."
        )
    out = Path(out) if out is not None else csv_path.with_suffix(".html")
    html = render(csv_path)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out
