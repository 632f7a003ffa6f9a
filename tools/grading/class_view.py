"""The instructor's live view of the room: the class report's twin, from the checker's records.

``summary`` turns the records (``records.Records.latest``) and the class list into the pass rate
per question (each learner's latest check counts), the most frequent named mistakes, and who has
not started; ``page`` renders it as a page whose tables update themselves every few seconds.
"""

from __future__ import annotations

import html
import json
import os
import re
import time
import urllib.request
from collections import Counter

REFRESH_S = 5
_PREFIX = re.compile(r"^q\w*: ")
_NOT_YET = "not answered yet"  # lessons_lib.exercises.check_answered's words


def is_empty(row: dict) -> bool:
    """Whether a check failed only because an answer slot is still empty (a Run All of an untouched
    question that the copy half fills, such as 05 q6's given ``ar_folds``): no attempt, no mistake."""
    said = [m for m in row["mistake"].splitlines() if m.strip()]
    return not row["passed"] and bool(said) and all(_NOT_YET in m for m in said)


def summary(rows: list[dict], roster: list[str]) -> dict:
    """Pass rate per question over the learners who answered it (an empty slot is counted apart),
    the ten most frequent mistakes, who has not started."""
    latest: dict[tuple, dict] = {}
    mistakes: Counter = Counter()
    for row in rows:
        latest[(row["lesson"], row["question"], row["learner"])] = row
        for mistake in row["mistake"].splitlines() if not row["passed"] else []:
            if _NOT_YET not in mistake:  # a slot still empty is not a mistake
                mistakes[(row["lesson"], _PREFIX.sub("", mistake))] += 1
    questions: dict[tuple, list] = {}
    for (lesson, question, _), row in sorted(latest.items()):
        questions.setdefault((lesson, question), []).append(None if is_empty(row) else row["passed"])
    started = {row["learner"] for row in rows}
    return {
        "updated": time.strftime("%H:%M:%S"),
        "learners": sorted(started | set(roster)),
        "questions": [_rate(lesson, q, v) for (lesson, q), v in questions.items()],
        "mistakes": [{"lesson": lesson, "mistake": m, "count": n}
                     for (lesson, m), n in mistakes.most_common(10)],
        "not_started": sorted(set(roster) - started),
    }


def _rate(lesson: str, question: str, verdicts: list) -> dict:
    """One question's row: learners whose latest check answered it, how many pass, and empty slots."""
    answered = [v for v in verdicts if v is not None]
    rate = round(sum(answered) / len(answered), 3) if answered else None
    return {"lesson": lesson, "question": question, "checked": len(answered), "passing": sum(answered),
            "pass_rate": rate, "empty": len(verdicts) - len(answered)}


def _percent(rate: float | None) -> str:
    """A pass rate as the page shows it: a percentage, or a dash when nobody has answered yet."""
    return "–" if rate is None else f"{rate:.0%}"


#: The page's one script: every REFRESH_S seconds it fetches the page again and swaps in its tables
#: (no reload, so focus and scroll stay); the button pauses and resumes it (WCAG 2.2.2). A timed
#: <meta> refresh would reload the page under the reader (axe: meta-refresh).
_UPDATE = """<script>
(() => {
  const button = document.getElementById("pause");
  let timer = null;
  const update = async () => {
    const reply = await fetch(location.href, {credentials: "same-origin"});
    if (!reply.ok) return;
    const fresh = new DOMParser().parseFromString(await reply.text(), "text/html");
    document.getElementById("live").replaceWith(fresh.getElementById("live"));
  };
  const start = () => { timer = setInterval(update, @MS@); button.textContent = "Pause updates"; };
  button.addEventListener("click", () => {
    if (timer === null) { start(); } else { clearInterval(timer); timer = null;
      button.textContent = "Resume updates"; }
  });
  start();
})();
</script>""".replace("@MS@", str(REFRESH_S * 1000))


def page(s: dict) -> str:
    """The class view as HTML (no outside asset; its one script updates the tables in place)."""
    e = html.escape
    rows = "".join(f"<tr><td>{e(q['lesson'])}</td><td>{e(q['question'])}</td><td>{q['passing']} of "
                   f"{q['checked']}</td><td>{_percent(q['pass_rate'])}</td><td>{q['empty']}</td></tr>"
                   for q in s["questions"])
    mist = "".join(f"<tr><td>{e(m['lesson'])}</td><td>{e(m['mistake'])}</td><td>{m['count']}</td></tr>"
                   for m in s["mistakes"])
    waiting = ", ".join(e(n) for n in s["not_started"]) or "everyone has started"
    count = f"{len(s['learners'])} learner" + ("" if len(s["learners"]) == 1 else "s")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The class, live</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin-bottom:2em}}
td,th{{border:1px solid #888;padding:.3em .6em;text-align:left}}</style></head><body>
<main><h1>The class, live</h1>
<p><button type="button" id="pause">Pause updates</button> The tables update every {REFRESH_S} s.</p>
<div id="live"><p>Updated {e(s['updated'])}; {count}.</p>
<h2>Pass rate per question</h2><p>Each learner's latest check of the question. A check of an
answer slot still empty (a Run All) is no attempt: it is counted under "Empty", not in the rate.</p>
<table><thead><tr><th scope="col">Lesson</th><th scope="col">Question</th><th scope="col">Passing</th>
<th scope="col">Rate</th><th scope="col">Empty</th></tr></thead><tbody>{rows}</tbody></table>
<h2>Most frequent named mistakes</h2>
<table><thead><tr><th scope="col">Lesson</th><th scope="col">Mistake</th><th scope="col">Checks</th></tr>
</thead><tbody>{mist}</tbody></table>
<h2>Not started</h2><p>{waiting}</p></div></main>{_UPDATE}</body></html>"""


def refused(status: int, why: str) -> str:
    """The page a browser gets when the class view is not for it (no script, no outside asset)."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not for you: {status}</title>
<style>body{{font-family:sans-serif;margin:2em}}</style></head><body><main><h1>{status}: not for you</h1>
<p>{html.escape(why)}.</p></main></body></html>"""


def hub_roster() -> list[str]:
    """The hub's users who are neither admins nor in the instructors' group (HUB_INSTRUCTOR_GROUP):
    the class, read with the service's own token."""
    api = os.environ.get("JUPYTERHUB_API_URL", "").rstrip("/")
    token = os.environ.get("JUPYTERHUB_API_TOKEN", "")
    if not api or not token:
        return []
    req = urllib.request.Request(api + "/users", headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - the hub's own API
            users = json.load(resp)
    except (OSError, ValueError):
        return []
    teachers = os.environ.get("HUB_INSTRUCTOR_GROUP", "instructors")
    return sorted(u["name"] for u in users if isinstance(u, dict) and not u.get("admin")
                  and teachers not in (u.get("groups") or []))
