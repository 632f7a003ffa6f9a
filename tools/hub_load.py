"""A load test through a real JupyterHub: N learners log in, pull the course, and run lessons.

``python -m tools.hub_load --users 4`` (``make hub-test``):

1. builds the learner repo (student copies only, ``tools.handout``) as a local git repository;
2. starts JupyterHub on 127.0.0.1 with the course's own ``hub/jupyterhub_config.py``, overridden
   only where a test must differ (a test authenticator, ``SimpleLocalProcessSpawner`` with homes in a
   temporary folder, the repo's local path);
3. names N learners as the class (HUB_ALLOWED_USERS) and, through the hub's REST API, starts their
   servers at once;
4. in every server pulls the course with nbgitpuller and runs each lesson's student copy cell by
   cell through the kernel API (REST + websocket), as JupyterLab would;
5. samples each learner's memory (server + kernel) while it runs;
6. the course's checker service, started by the hub from the course's config (``--checker-lessons``
   warmed, a free port, its state in the temporary folder); the test waits until it has run those
   lessons' masters before step 3, so that they do not slow the lessons; one check from a learner's
   kernel with its server's token (``grader.check``'s path); then ``--checker-users`` learners (hub
   users created through the API, each with their own API token) check every question of each lesson
   at once, after one learner alone (latency p50/p95 per lesson, against ``CHECKER_GOAL_S``); no token and a
   made-up token refused, through the proxy and on the service's port; a learner's ``api/records``
   holds their own checks only; the class view refused to a learner, open to an admin and to a
   member of the instructors' group, with every check and who has not started; and in a browser
   (Chromium, as the browser test), the admin and a learner log in on the hub's page and open the
   class view through the hub's OAuth: the admin reads it, the learner gets 403;
7. stops every server and the hub, checks that nothing it started is left running, and writes
   ``build/hub_load.json`` and the tables.
It exits non-zero if a server does not start, a cell fails, a checker request is answered wrongly,
or a process outlives the test; a latency goal missed too with ``--enforce-goals``.

The answers checked under load are wrong but well-formed (``wrong_answers``): the reference answers
would need each lesson's filled copy run (minutes); a wrong answer stops at a question's first failed
check, so a right one can cost the checker more than what is measured here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import nbformat
import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

from tools import BUILD, ROOT
from tools.browser import CHROMIUM, launch
from tools.hub_sizing import sizing
from tools.hub_sizing import table as sizing_table
from tools.kernel import KERNEL_NAME

HUB_BUILD = (ROOT / BUILD).resolve()  # absolute: the hub runs elsewhere
DEFAULT_LESSONS = ("00_start_here", "01_failing_setup")
TARGET = "forecasting-failures"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_proxy() -> str:
    """configurable-http-proxy from PATH or from ``build/hub/npm`` (``make hub-test`` installs it)."""
    local = HUB_BUILD / "hub" / "npm" / "node_modules" / ".bin" / "configurable-http-proxy"
    found = shutil.which("configurable-http-proxy") or (str(local) if local.exists() else None)
    if not found:
        raise SystemExit(
            "configurable-http-proxy not found: `npm install --prefix build/hub/npm "
            "configurable-http-proxy` (make hub-test does this), or install it globally."
        )
    return found


def write_config(tmp: Path, repo: Path, port: int, token: str, checker_port: int = 10101,
                 warm: tuple[str, ...] = ()) -> Path:
    """The test's config: the course's hub config first, then only what a local test changes."""
    bin_dir = Path(sys.executable).parent
    cfg = tmp / "jupyterhub_config.py"
    cfg.write_text(
        f"""
load_subconfig({str(ROOT / "hub" / "jupyterhub_config.py")!r})
from urllib.parse import urlencode
c = get_config()
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {_free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{_free_port()}"
c.ConfigurableHTTPProxy.command = [{find_proxy()!r}]
c.JupyterHub.db_url = "sqlite:///{tmp / "hub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(tmp / "cookie_secret")!r}
c.JupyterHub.pid_file = {str(tmp / "hub.pid")!r}
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(tmp / "home" / "{username}")!r}
c.Spawner.cmd = [{str(bin_dir / "jupyterhub-singleuser")!r}]
c.Spawner.args = ["--allow-root"] if {os.geteuid() == 0} else []
c.Spawner.default_url = "/git-pull?" + urlencode(
    {{"repo": {str(repo)!r}, "branch": "main", "targetpath": {TARGET!r}, "urlpath": "lab"}}
)
c.Spawner.environment.update({{"PATH": {str(bin_dir)!r} + ":" + __import__("os").environ["PATH"]}})
# the checker service as the course's config declares it; a free port, the test's state folder, and
# only the lessons the test checks warmed
checker = next(s for s in c.JupyterHub.services if s["name"] == "checker")
checker["url"] = "http://127.0.0.1:{checker_port}"
cmd, warm = checker["command"], {list(warm)!r}
i = cmd.index("--warm")
checker["command"] = cmd[:i + 1] + warm + cmd[i + 1:] if warm else cmd[:i] + cmd[i + 1:]
checker["environment"]["CHECKER_STATE"] = {str(tmp / "checker")!r}
c.Spawner.environment["COURSE_CHECKER_URL"] = "http://127.0.0.1:{checker_port}/services/checker/"
c.JupyterHub.services.append({{"name": "load-test", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{
    "name": "load-test",
    "scopes": ["admin:users", "admin:servers", "access:servers", "read:users", "tokens", "admin:groups"],
    "services": ["load-test"],
}})
"""
    )
    return cfg


class Hub:
    """Talks to a running hub and to its learners' servers through the proxy."""

    def __init__(self, port: int, token: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.token = token
        self.http = AsyncHTTPClient(max_clients=64)

    async def call(self, method: str, path: str, body: object = None, timeout: float = 300) -> dict:
        req = HTTPRequest(
            self.base + path,
            method=method,
            headers={"Authorization": f"token {self.token}"},
            body=None if body is None and method == "GET" else json.dumps(body or {}),
            request_timeout=timeout,
            allow_nonstandard_methods=True,
        )
        resp = await self.http.fetch(req, raise_error=False)
        if resp.code >= 400:
            raise RuntimeError(f"{method} {path}: HTTP {resp.code} {resp.body[:300]!r}")
        return json.loads(resp.body) if resp.body else {}

    async def wait_up(self, proc: subprocess.Popen, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if proc.poll() is not None:
                raise RuntimeError(f"the hub exited with status {proc.returncode} before answering")
            try:
                await self.call("GET", "/hub/api/", timeout=5)
                return
            except Exception:  # not listening yet
                await asyncio.sleep(0.5)
        raise RuntimeError(f"the hub did not answer within {timeout:.0f} s")


async def start_server(hub: Hub, user: str, timeout: float = 300) -> float:
    """Start ``user``'s server, return the seconds until it is ready.

    The hub created the learner at start-up: the course's config lets in only the users it names
    (HUB_ALLOWED_USERS), and JupyterHub adds those to its database.
    """
    t0 = time.perf_counter()
    await hub.call("POST", f"/hub/api/users/{user}/server")
    while time.perf_counter() - t0 < timeout:
        model = await hub.call("GET", f"/hub/api/users/{user}")
        server = model.get("servers", {}).get("", {})
        if server.get("ready"):
            return time.perf_counter() - t0
        await asyncio.sleep(0.5)
    raise RuntimeError(f"{user}: server not ready after {timeout:.0f} s")


async def git_pull(hub: Hub, user: str, repo: Path) -> None:
    """What a learner's first login does: nbgitpuller clones the learner repo into their home."""
    query = urlencode({"repo": str(repo), "branch": "main", "targetpath": TARGET})
    req = HTTPRequest(
        f"{hub.base}/user/{user}/git-pull/api?{query}",
        headers={"Authorization": f"token {hub.token}"},
        request_timeout=120,
    )
    resp = await hub.http.fetch(req, raise_error=False)
    text = resp.body.decode(errors="replace")
    if resp.code != 200 or '"phase": "finished"' not in text:
        raise RuntimeError(f"{user}: nbgitpuller failed (HTTP {resp.code}): {text[-300:]}")


async def run_notebook(hub: Hub, user: str, path: str, timeout: float) -> float:
    """Run every code cell of ``path`` (in the user's home) in a new course kernel; seconds taken."""
    model = await hub.call("GET", f"/user/{user}/api/contents/{quote(path)}?content=1")
    nb = nbformat.from_dict(model["content"])
    cells = [cell.source for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()]
    return await run_code(hub, user, path, cells, timeout)


async def run_code(hub: Hub, user: str, path: str, cells: list[str], timeout: float) -> float:
    """Run ``cells`` one by one in a new course kernel opened for notebook ``path``; seconds taken."""
    api = f"/user/{user}/api"
    # A session, as JupyterLab opens one: the kernel starts in the notebook's folder.
    session = await hub.call(
        "POST", f"{api}/sessions", {"path": path, "type": "notebook", "kernel": {"name": KERNEL_NAME}}
    )
    kernel = session["kernel"]
    url = f"ws://127.0.0.1:{hub.base.rsplit(':', 1)[1]}{api}/kernels/{kernel['id']}/channels"
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {hub.token}"}))
    t0 = time.perf_counter()
    try:
        for i, source in enumerate(cells):
            msg_id = secrets.token_hex(8)
            ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user,
                           "session": kernel["id"], "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell",
                "content": {"code": source, "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
            }))
            while True:
                raw = await asyncio.wait_for(ws.read_message(), timeout)
                if raw is None:
                    raise RuntimeError(f"{user} {path}: kernel connection closed at cell {i}")
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "execute_reply":
                    content = msg["content"]
                    if content["status"] != "ok":
                        raise RuntimeError(
                            f"{user} {path} cell {i}: {content.get('ename')}: {content.get('evalue')}"
                        )
                    break
        return time.perf_counter() - t0
    finally:
        ws.close()
        await hub.call("DELETE", f"{api}/sessions/{session['id']}")


# ------------------------------------------------------------------ the checker service, as learners use it

CHECKER_GOAL_S = {"05_sliding_window_lab": 5.0}  # p95 once warm; every other lesson: 1 s
CHECKER_USERS = 30
INSTRUCTOR_GROUP = "instructors"  # hub/jupyterhub_config.py's default (HUB_INSTRUCTOR_GROUP)
INSTRUCTOR, TA, IDLE, PROBE, SOLO = "teach", "ta1", "idle-learner", "probe-learner", "solo-learner"


def graded_lessons() -> list[str]:
    """The lessons with checks: those ``make otter`` built an autograder for."""
    from tools.grading.results import autograders

    return sorted(autograders(HUB_BUILD))


def lesson_questions(lesson: str) -> dict[str, list[str]]:
    """Question -> the names its answer cells assign, read from the built student copy (build/fresh)."""
    from tools.grading.answers import question_answer_names

    return question_answer_names(nbformat.read(HUB_BUILD / "fresh" / f"{lesson}.ipynb", as_version=4))


def wrong_answers(names: list[str], plan_dir: Path, value: float) -> dict:
    """Well-formed wrong answers: ``value`` for every name; a function answer (a name the plan calls)
    returns ``value`` whatever its inputs. Each learner sends its own ``value``, so the checker runs the
    checks for every request (it caches verdicts per identical payload); wrong answers fail early in a
    question's checks, so a correct answer's check can take longer than what this measures."""
    plan = json.loads((plan_dir / "plan.json").read_text()) if (plan_dir / "plan.json").exists() else {}
    functions = {fname for fname, _args, _kwargs in plan.values()}
    return {n: (lambda *a, _v=value, **k: _v) if n in functions else value for n in names}


class Checker:
    """The checker service, asked over HTTP as a learner's kernel asks it (``lessons_lib.instant_check``)."""

    def __init__(self, http: AsyncHTTPClient, base: str) -> None:
        self.http, self.base = http, base.rstrip("/") + "/"

    async def ask(self, method: str, path: str, token: str | None, body: bytes | None = None,
                  timeout: float = 900) -> tuple[int, bytes, float]:
        """(status, body, seconds) of one request; ``token`` None sends no Authorization header."""
        headers = {"Authorization": f"token {token}"} if token is not None else {}
        req = HTTPRequest(self.base + path, method=method, headers=headers, body=body,
                          request_timeout=timeout, follow_redirects=False)
        t0 = time.perf_counter()
        resp = await self.http.fetch(req, raise_error=False)
        return resp.code, resp.body or b"", time.perf_counter() - t0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def checker_warm(hub: Hub, service: Checker, lessons: list[str], users: int, workdir: Path) -> dict:
    """The class as hub users, each with their own API token; then wait until the service has run
    every lesson's master (it started them when the hub started it): nothing else runs meanwhile."""
    from lessons_lib.instant_check import unzip_into

    names = [f"checker{i + 1}" for i in range(users)]
    await hub.call("POST", "/hub/api/users", {"usernames": [*names, TA, IDLE, PROBE, SOLO]})
    await hub.call("POST", f"/hub/api/groups/{quote(INSTRUCTOR_GROUP)}/users", {"users": [TA]})
    tokens = {}
    for user in [*names, INSTRUCTOR, TA, PROBE, SOLO]:
        reply = await hub.call("POST", f"/hub/api/users/{user}/tokens",
                               {"note": "hub_load", "expires_in": 7200})
        tokens[user] = reply["token"]

    # warm: each lesson's plan, asked once per question, waits for the lesson's master to have run
    t0 = time.perf_counter()
    plans: dict[tuple[str, str], Path] = {}
    questions = {lesson: lesson_questions(lesson) for lesson in lessons}
    for lesson in lessons:
        for q in questions[lesson]:
            code, body, _ = await service.ask("GET", f"api/plan/{lesson}/{q}", tokens[names[0]])
            if code != 200:
                raise RuntimeError(f"checker: plan {lesson} {q}: HTTP {code} {body[:300]!r}")
            plans[(lesson, q)] = workdir / "plans" / lesson / q
            unzip_into(body, plans[(lesson, q)])
    return {"names": names, "tokens": tokens, "questions": questions, "plans": plans,
            "warm_s": round(time.perf_counter() - t0, 1)}


def _payloads(ready: dict, workdir: Path) -> dict[tuple[str, str, str], bytes]:
    """Every learner's payload for every question (wrong, well-formed, distinct per learner), made
    before the clock runs."""
    from lessons_lib.answer_data import export_answers
    from lessons_lib.instant_check import zip_folder

    payloads: dict[tuple[str, str, str], bytes] = {}
    for i, user in enumerate([*ready["names"], PROBE, SOLO]):
        for (lesson, q), plan_dir in ready["plans"].items():
            out = workdir / "answers" / user / lesson / q
            out.mkdir(parents=True)
            env = wrong_answers(ready["questions"][lesson][q], plan_dir, 0.5 + i)
            export_answers(ready["questions"][lesson][q], str(plan_dir), str(out), env)
            payloads[(user, lesson, q)] = zip_folder(out)
    return payloads


async def _timed(service: Checker, ready: dict, lessons: list[str], payloads: dict,
                 failures: list[str]) -> dict:
    """Per lesson: one learner's checks alone, then every learner's at once; the latencies."""
    names, tokens, questions = ready["names"], ready["tokens"], ready["questions"]

    async def one_learner(user: str, lesson: str) -> list[float]:
        took = []
        for q in questions[lesson]:
            code, body, seconds = await service.ask("POST", f"api/check/{lesson}/{q}", tokens[user],
                                                    payloads[(user, lesson, q)])
            took.append(seconds)
            if code != 200 or "cases" not in json.loads(body or b"{}"):
                failures.append(f"{user} check {lesson} {q}: HTTP {code} {body[:200]!r}")
        return took

    per_lesson = {}
    for lesson in lessons:
        alone = await one_learner(SOLO, lesson)  # one learner alone: what one check costs
        t1 = time.perf_counter()
        took = [s for row in await asyncio.gather(*(one_learner(u, lesson) for u in names)) for s in row]
        goal = CHECKER_GOAL_S.get(lesson, 1.0)
        p95 = round(_percentile(took, 0.95), 3)
        per_lesson[lesson] = {"alone_max_s": round(max(alone), 3), "checks": len(took),
                              "p50_s": round(_percentile(took, 0.5), 3), "p95_s": p95,
                              "max_s": round(max(took), 3), "wall_s": round(time.perf_counter() - t1, 1),
                              "goal_p95_s": goal, "goal_met": p95 <= goal}
    return per_lesson


class _Expect:
    """GET a route as someone and record its status; a status not expected is a failure."""

    def __init__(self, failures: list[str]) -> None:
        self.failures, self.access = failures, {}

    async def __call__(self, label: str, checker: Checker, path: str, token: str | None,
                       codes: set[int]) -> bytes:
        code, body, _ = await checker.ask("GET", path, token, timeout=60)
        self.access[label] = code
        if code not in codes:
            self.failures.append(f"{label}: HTTP {code}, expected {sorted(codes)}: {body[:200]!r}")
        return body


async def _refusals(expect: _Expect, service: Checker, proxied: Checker, learner_token: str) -> None:
    """No token, a made-up one, a learner asking for another's records or the class view: 403,
    through the hub's proxy (the public route) and on the service's port."""
    for where, checker in (("proxy", proxied), ("direct", service)):
        await expect(f"{where}: no token, api/ping", checker, "api/ping", None, {403})
        await expect(f"{where}: made-up token, api/ping", checker, "api/ping", secrets.token_hex(16), {403})
        await expect(f"{where}: made-up token, api/records", checker, "api/records",
                     "x" + secrets.token_hex(15), {403})
        await expect(f"{where}: learner, another's api/records", checker, f"api/records?learner={IDLE}",
                     learner_token, {403})
        await expect(f"{where}: learner, class", checker, "class", learner_token, {403})
        await expect(f"{where}: learner, class.json", checker, "class.json", learner_token, {403})


async def _records(expect: _Expect, service: Checker, proxied: Checker, ready: dict, lessons: list[str],
                   payloads: dict) -> tuple[str, str]:
    """A probe learner's one check, then each learner's api/records holds their own checks only."""
    names, tokens, questions, failures = ready["names"], ready["tokens"], ready["questions"], expect.failures
    first = lessons[0]
    q = next(iter(questions[first]))
    code, body, _ = await service.ask("POST", f"api/check/{first}/{q}", tokens[PROBE],
                                      payloads[(PROBE, first, q)])
    if code != 200:
        failures.append(f"{PROBE}: check {first} {q}: HTTP {code} {body[:200]!r}")
    own = json.loads(await expect("probe: own api/records", proxied, "api/records", tokens[PROBE], {200}))
    sent = sum(len(questions[x]) for x in lessons)
    mine = json.loads(await expect("learner: own api/records", proxied, "api/records", tokens[names[0]],
                                   {200}))
    expect.access["records"] = {"probe": len(own.get("records", [])), names[0]: len(mine.get("records", [])),
                                f"{names[0]}_sent": sent}
    if [(r["lesson"], r["question"]) for r in own.get("records", [])] != [(first, q)]:
        failures.append(f"{PROBE}'s api/records is not their one check: {own}")
    if len(mine.get("records", [])) != sent:
        failures.append(f"{names[0]}'s api/records holds {len(mine.get('records', []))} checks, sent {sent}")
    return first, q


async def _class_views(expect: _Expect, proxied: Checker, ready: dict, lessons: list[str],
                       probed: tuple[str, str], earlier: dict[tuple[str, str], int]) -> None:
    """The instructors (an admin, a member of the instructors' group) read the class view: every
    check counted, the idle learner not started."""
    names, tokens, questions = ready["names"], ready["tokens"], ready["questions"]
    for who in (INSTRUCTOR, TA):
        view = json.loads(await expect(f"{who}: class.json", proxied, "class.json", tokens[who], {200})
                          or b"{}")
        await expect(f"{who}: class page", proxied, "class", tokens[who], {200})
        if not view:
            continue
        counts = {(x["lesson"], x["question"]): x["checked"] for x in view["questions"]}
        want = {(lesson, qq): len(names) + 1 for lesson in lessons for qq in questions[lesson]}  # + SOLO
        want[probed] += 1  # the probe
        for key, n in earlier.items():
            want[key] = want.get(key, 0) + n
        if counts != want:
            expect.failures.append(f"{who}'s class view counts {counts}, expected {want}")
        if IDLE not in view["not_started"] or any(n in view["not_started"] for n in names):
            expect.failures.append(f"{who}'s class view: not started {view['not_started']}")
        expect.access[f"{who}: not_started"] = view["not_started"]


def browser_logins(base: str, people: list[str]) -> dict[str, str]:
    """Each person logs in on the hub's login page in a browser of their own and opens the class view
    (``/services/checker/class``): the service sends them through the hub's OAuth and back. The page
    each ends on: its status, then its first heading or its text."""
    from playwright.sync_api import sync_playwright

    seen = {}
    with sync_playwright() as pw:
        browser = launch(pw)
        for who in people:
            page = browser.new_context().new_page()
            statuses: list[int] = []
            page.on("response", lambda r, s=statuses: s.append(r.status)
                    if r.url.split("?")[0].endswith("/services/checker/class") else None)
            page.goto(f"{base}/hub/login?next={quote('/services/checker/class')}")
            page.fill("#username_input", who)
            page.fill("#password_input", "any")
            page.click("#login_submit")
            page.wait_for_load_state("load")
            heading = page.locator("h1")
            text = heading.first.inner_text() if heading.count() else page.inner_text("body")[:120]
            seen[who] = f"{statuses[-1] if statuses else '?'} {' '.join(text.split())}"
        browser.close()
    return seen


async def _browser_class_view(expect: _Expect, hub: Hub, learner: str) -> None:
    """The class view as people open it: the instructor (an admin) logs in and reads it; a learner
    who logs in gets 403. Skipped, and said so, without Chromium or Playwright."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        expect.access["browser"] = "skipped: no Playwright"
        return
    if not CHROMIUM.exists():
        expect.access["browser"] = f"skipped: no {CHROMIUM}"
        return
    seen = await asyncio.to_thread(browser_logins, hub.base, [INSTRUCTOR, learner])
    expect.access["browser"] = seen
    if not seen[INSTRUCTOR].startswith("200 The class, live"):
        expect.failures.append(f"browser: the instructor's class view ends on {seen[INSTRUCTOR]!r}")
    if not seen[learner].startswith("403"):
        expect.failures.append(f"browser: a learner's class view ends on {seen[learner]!r}, not 403")


async def checker_phase(hub: Hub, service: Checker, proxied: Checker, lessons: list[str], workdir: Path,
                        ready: dict, earlier: dict[tuple[str, str], int]) -> dict:
    """The learners ``checker_warm`` made check ``lessons`` through the service at once, one lesson after
    another; then who may see what, through the hub's proxy and on the service's port.
    ``earlier``: the checks other learners made before (lesson, question -> learners)."""
    failures: list[str] = []
    payloads = _payloads(ready, workdir)
    per_lesson = await _timed(service, ready, lessons, payloads, failures)
    service_mb = sum(p.memory_info().rss for p in _service_processes("checker")) / 2**20
    expect = _Expect(failures)
    await _refusals(expect, service, proxied, ready["tokens"][ready["names"][0]])
    probed = await _records(expect, service, proxied, ready, lessons, payloads)
    await _class_views(expect, proxied, ready, lessons, probed, earlier)
    await _browser_class_view(expect, hub, ready["names"][0])
    return {"users": len(ready["names"]), "lessons": lessons, "warm_s": ready["warm_s"],
            "per_lesson": per_lesson, "service_rss_mb": round(service_mb), "access": expect.access,
            "failures": failures}


async def kernel_check(hub: Hub, user: str, lesson: str, question: str, names: list[str],
                       timeout: float) -> None:
    """In ``user``'s own kernel, the student copy's own ``grader.check`` on a wrong answer: the
    server's token reaches the checker service, whose failing verdict the notebook shows."""
    code = (
        "import otter\nfrom lessons_lib.check_display import summary\n"
        f"grader = otter.Notebook({lesson + '.ipynb'!r})\n"
        + "".join(f"{n} = 0.25\n" for n in names)
        + f"shown = summary(grader.check({question!r}))\n"
        "assert shown.startswith('❌ ') and not any(w in shown for w in "
        "('passed', 'form only', 'did not answer', 'refused', 'Traceback')), shown\n"
    )
    await run_code(hub, user, f"{TARGET}/{lesson}.ipynb", [code], timeout)


def _processes_with(var: str, value: str) -> list[psutil.Process]:
    """The processes whose environment sets ``var`` to ``value``: JUPYTERHUB_USER marks a learner's
    server and kernels, JUPYTERHUB_SERVICE_NAME a hub-managed service and its children."""
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.environ().get(var) == value:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _service_processes(name: str) -> list[psutil.Process]:
    """A hub-managed service's processes."""
    return _processes_with("JUPYTERHUB_SERVICE_NAME", name)


def _user_processes(user: str) -> list[psutil.Process]:
    """A learner's server and its kernels."""
    return _processes_with("JUPYTERHUB_USER", user)


async def sample_memory(users: list[str], peaks: dict[str, float], stop: asyncio.Event) -> None:
    """Peak resident memory (MB) per learner: their server plus its kernels, sampled twice a second."""
    while not stop.is_set():
        for user in users:
            total = 0
            for proc in _user_processes(user):
                try:
                    total += proc.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            peaks[user] = max(peaks.get(user, 0.0), total / 2**20)
        await asyncio.sleep(0.5)


async def learner(hub: Hub, user: str, repo: Path, lessons: list[str], timeout: float) -> dict:
    """One learner: start their server, pull the course, run each lesson; seconds to ready and per lesson."""
    row: dict = {"user": user}
    row["ready_s"] = round(await start_server(hub, user), 1)
    await git_pull(hub, user, repo)
    for lesson in lessons:
        row[lesson] = round(await run_notebook(hub, user, f"{TARGET}/{lesson}.ipynb", timeout), 1)
    return row


async def load_test(users: int, lessons: list[str], timeout: float, workdir: Path,
                    checker_lessons: list[str] = (), checker_users: int = CHECKER_USERS) -> dict:
    """The whole test: learner repo, hub, ``users`` learners at once, memory peaks, what was left running;
    then ``checker_users`` learners check ``checker_lessons`` through the checker service."""
    from tools.handout import make_handout

    repo = workdir / "learner-repo"
    make_handout(HUB_BUILD / "fresh", repo, git=True)  # what make handout-repo ships
    port, token, checker_port = _free_port(), secrets.token_hex(16), _free_port()
    cfg = write_config(workdir, repo, port, token, checker_port, tuple(checker_lessons))
    log = open(workdir / "hub.log", "wb")
    names = [f"learner{i + 1}" for i in range(users)]
    # the course's config allows no one by default: the test names its learners, as an instructor would
    env = {**os.environ, "HUB_SPAWNER": "simple", "HUB_ALLOWED_USERS": ",".join(names),
           "COURSE_REPO": str(repo), "HUB_ADMINS": INSTRUCTOR, "HUB_INSTRUCTOR_GROUP": INSTRUCTOR_GROUP,
           "CHECKER_COURSE": str(ROOT)}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(cfg)],
        cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env,
    )
    peaks: dict[str, float] = {}
    result: dict = {"users": users, "lessons": lessons, "cpu_count": os.cpu_count()}
    hub = Hub(port, token)
    service = Checker(hub.http, f"http://127.0.0.1:{checker_port}/services/checker/")
    try:
        await hub.wait_up(proc)
        if checker_lessons:  # the masters' runs would slow the learners' lessons below
            ready = await checker_warm(hub, service, list(checker_lessons), checker_users, workdir)
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(names, peaks, stop))
        t0 = time.perf_counter()
        rows = await asyncio.gather(*(learner(hub, u, repo, lessons, timeout) for u in names))
        result["wall_s"] = round(time.perf_counter() - t0, 1)
        stop.set()
        await sampler
        for row in rows:
            row["peak_mb"] = round(peaks.get(row["user"], 0.0))
        result["rows"] = rows
        earlier: dict[tuple[str, str], int] = {}
        if checker_lessons:
            # grader.check's own path: a learner's kernel, with its server's token, asks the service
            first = checker_lessons[0]
            q, q_names = next(iter(lesson_questions(first).items()))
            t1 = time.perf_counter()
            await kernel_check(hub, names[0], first, q, q_names, timeout)
            result["kernel_check_s"] = round(time.perf_counter() - t1, 1)
            earlier[(first, q)] = 1
        for user in names:
            await hub.call("DELETE", f"/hub/api/users/{user}/server")
        if checker_lessons:
            proxied = Checker(hub.http, f"{hub.base}/services/checker/")
            result["checker"] = await checker_phase(hub, service, proxied, list(checker_lessons), workdir,
                                                    ready, earlier)
    finally:
        _stop(proc)
        log.close()
    result["left_running"] = left_running(names, proc.pid, workdir)
    return result


def left_running(users: list[str], hub_pid: int, workdir: Path) -> list[str]:
    """What outlived the hub, one "pid command" each: the learners' servers and kernels, the checker
    service and its children, and anything else started in ``workdir`` (the proxy)."""
    found = [p for u in users for p in _user_processes(u)] + _service_processes("checker")
    alive = {p.pid: p for p in found + _children_alive(hub_pid, workdir)}  # found twice: once
    rows = []
    for pid, p in alive.items():
        try:
            rows.append(f"{pid} {' '.join(p.cmdline()[:3])}")
        except psutil.NoSuchProcess:  # it ended while we looked
            continue
    return rows


def _children_alive(pid: int, workdir: Path) -> list[psutil.Process]:
    alive = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            cmd = " ".join(proc.info["cmdline"] or [])
        except psutil.NoSuchProcess:
            continue
        if str(workdir) in cmd and proc.pid != os.getpid():
            alive.append(proc)
    return alive


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the hub (it stops the proxy and the servers it knows), then kill what is left."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def table(result: dict) -> str:
    """The learners' rows as a markdown table: seconds to ready, seconds per lesson, peak memory."""
    lessons = result["lessons"]
    head = ["learner", "ready s", *[f"{name[:2]} s" for name in lessons], "peak MB"]
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in result["rows"]:
        cells = [r["user"], r["ready_s"], *[r[x] for x in lessons], r["peak_mb"]]
        lines.append(" | ".join(str(v) for v in cells))
    return "\n".join("| " + line + " |" for line in lines)


def checker_table(checker: dict) -> str:
    """Each lesson's check latency through the service, all learners at once, once warm."""
    head = ["lesson", "alone: max s", "checks at once", "p50 s", "p95 s", "max s", "goal p95 s", "wall s"]
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for lesson, row in checker["per_lesson"].items():
        goal = f"{row['goal_p95_s']:g}" + ("" if row["goal_met"] else " (missed)")
        cells = [lesson, row["alone_max_s"], row["checks"], row["p50_s"], row["p95_s"], row["max_s"], goal,
                 row["wall_s"]]
        lines.append(" | ".join(str(v) for v in cells))
    return "\n".join("| " + line + " |" for line in lines)


def _checker_lessons(arg: str, parser: argparse.ArgumentParser) -> list[str]:
    """--checker-lessons as a list: 'all' every graded lesson, 'none' none; an unknown one is refused."""
    graded = graded_lessons()
    if arg in ("all", "none"):
        return graded if arg == "all" else []
    chosen = [x.strip() for x in arg.split(",") if x.strip()]
    unknown = [x for x in chosen if x not in graded]
    if unknown:
        parser.error(f"no autograder for {unknown} in {HUB_BUILD / 'otter'} (graded: {graded}): "
                     "run `make student`")
    return chosen


def main(argv: list[str] | None = None) -> int:
    """Run the load test, write --out with the sizing, print the table; exit 1 if a process outlived it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--lessons", default=",".join(DEFAULT_LESSONS))
    parser.add_argument("--timeout", type=float, default=600, help="seconds per cell at most")
    parser.add_argument("--out", type=Path, default=HUB_BUILD / "hub_load.json")
    parser.add_argument("--checker-lessons", default="all",
                        help="lessons the checker service warms and CHECKER_USERS learners check through it "
                             "(comma-separated; 'all': every graded lesson; 'none': no checker phase)")
    parser.add_argument("--checker-users", type=int, default=CHECKER_USERS)
    parser.add_argument("--enforce-goals", action="store_true",
                        help="a lesson's p95 over its goal fails the test (timings depend on the machine)")
    args = parser.parse_args(argv)
    if args.users < 1:
        parser.error("--users must be at least 1")
    lessons = [x.strip() for x in args.lessons.split(",") if x.strip()]
    missing = [x for x in lessons if not (HUB_BUILD / "fresh" / f"{x}.ipynb").exists()]
    if missing:
        parser.error(f"no student copy for {missing} in {HUB_BUILD / 'fresh'}: run `make student` first")
    checker_lessons = _checker_lessons(args.checker_lessons, parser)
    if checker_lessons and args.checker_users < 1:
        parser.error("--checker-users must be at least 1")
    with tempfile.TemporaryDirectory(prefix="hub-load-") as tmp:
        try:
            result = asyncio.run(load_test(args.users, lessons, args.timeout, Path(tmp), checker_lessons,
                                           args.checker_users))
        except Exception:
            print("--- end of the hub's log ---\n" + (Path(tmp) / "hub.log").read_text()[-4000:])
            raise
    result["sizing"] = sizing(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(table(result))
    print(f"all {args.users} learners together: {result['wall_s']} s on {result['cpu_count']} cores")
    print(sizing_table(result["sizing"]))
    failed = False
    if "checker" in result:
        checker = result["checker"]
        print(f"\nthe checker service: {checker['users']} learners at once, each with their own token; "
              f"warm {checker['warm_s']} s after the hub answered (before the lessons above); one check "
              f"from a learner's kernel (a new kernel, its imports included) took "
              f"{result.get('kernel_check_s')} s")
        print(checker_table(checker))
        print(f"the service's memory after the checks: {checker['service_rss_mb']} MB")
        print(f"the class view in a browser, after the hub's login: {checker['access'].get('browser')}")
        missed = [f"checker {lesson}: p95 {row['p95_s']} s over the goal of {row['goal_p95_s']:g} s"
                  for lesson, row in checker["per_lesson"].items() if not row["goal_met"]]
        for line in checker["failures"] + missed:
            print("FAILED:" if line not in missed or args.enforce_goals else "goal missed:", line)
        failed = bool(checker["failures"]) or bool(missed and args.enforce_goals)
    if result["left_running"]:
        print("left running:", result["left_running"])
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
