"""The course's checker as a web service: ``grader.check`` asks it, the answers never leave it.

``python -m tools.grading.serve --local`` (started by a learner's first check, self-study) or
``--hub`` (a JupyterHub service: ``hub/jupyterhub_config.py``, or its own deployment on Kubernetes).
A learner's kernel sends one question's answers as data (``lessons_lib.instant_check``); the
service runs that question's public checks in the lesson's trusted checker (``checker``, the same
code ``make grade`` uses, against the master's values) and sends back each check's verdict and
message, never an expected value. It never runs learner code. Routes, under the service prefix:

- ``GET api/plan/<lesson>/<q>``: the inputs on which the kernel runs q's function answers (a zip);
- ``POST api/check/<lesson>/<q>``: a zip of answers.json + a<N>.npy (``payload``) -> the verdicts;
- ``GET api/records``: the caller's own checks;
- ``GET class`` and ``class.json``: the live class view, for instructors only (``class_view``).

Who is asking: locally, the bearer of the secret in ``build/checker/server.json`` (mode 0600);
on a hub, the owner of the JupyterHub token (the kernel's own) or OAuth cookie, through
``jupyterhub.services.auth``. Each learner has a rate limit.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import hmac
import json
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from tools import BUILD, ROOT
from tools.grading import class_view, payload, records, results
from tools.grading.checker_client import Checker

STATE = "server.json"
CLASS_SCOPE = "custom:forecasting-failures:class-view"


class RateLimit:
    """A token bucket per learner: ``burst`` checks at once, then ``per_second``."""

    def __init__(self, burst: float = 30, per_second: float = 2.0) -> None:
        self.burst, self.rate, self.buckets, self.lock = burst, per_second, {}, threading.Lock()

    def allow(self, who: str) -> bool:
        """Take one token from ``who``'s bucket; False when it is empty."""
        now = time.monotonic()
        with self.lock:
            tokens, then = self.buckets.get(who, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens < 1:
                self.buckets[who] = (tokens, now)
                return False
            self.buckets[who] = (tokens - 1, now)
            return True


class Lessons:
    """One trusted checker per lesson, started on first use (or all at once: ``warm``)."""

    def __init__(self, notebooks: Path, build: Path, work: Path) -> None:
        self.notebooks, self.build, self.work = notebooks, build, work
        self.zips = results.autograders(build)
        self.checkers: dict[str, Checker] = {}
        self.lock = threading.Lock()

    def get(self, lesson: str) -> Checker:
        """The lesson's checker (started now if it is not yet); KeyError for an unknown lesson."""
        if lesson not in self.zips:
            raise KeyError(lesson)
        with self.lock:
            if lesson not in self.checkers:
                self.checkers[lesson] = Checker(
                    lesson, self.zips[lesson], self.notebooks / f"{lesson}.ipynb",
                    self.build / "fresh" / f"{lesson}.ipynb", self.work / lesson)
            return self.checkers[lesson]

    def info(self, lesson: str) -> dict:
        """The lesson's checker's ready line (waits for its master to run)."""
        checker = self.get(lesson)
        checker.ready.wait()
        if not checker.info.get("ready"):
            raise RuntimeError(f"the checker for {lesson} could not start: {checker.info.get('error')}")
        return checker.info

    def close(self) -> None:
        """End every lesson's checker."""
        for checker in self.checkers.values():
            checker.close()


def public_plan(info: dict, question: str, out: Path) -> Path:
    """The plan entries of ``question``'s public cases, with the arrays they name, in ``out``."""
    public = {name for name, hidden, _ in info["cases"].get(question, []) if not hidden}
    plan_dir = Path(info["plan"])
    plan = json.loads((plan_dir / "plan.json").read_text())
    keep = {k: v for k, v in plan.items() if k.split("|")[0] == question and k.split("|")[1] in public}
    out.mkdir(parents=True, exist_ok=True)
    (out / "plan.json").write_text(json.dumps(keep))
    for name in _arrays(keep):
        shutil.copy(plan_dir / name, out / name)
    return out


def _arrays(tree: object) -> set[str]:
    """The ``a<N>.npy`` names an encoded tree refers to."""
    if isinstance(tree, dict):
        found = set()
        for kind, val in tree.items():
            if kind in ("npy", "npscalar", "torch") and isinstance(val, str):
                found.add(val)
            else:
                found |= _arrays(val)
        return found
    if isinstance(tree, list):
        return set().union(*(_arrays(x) for x in tree)) if tree else set()
    return set()


class Base(web.RequestHandler):
    """Who is asking (``current_user``: {"name", "instructor"}), JSON errors, the shared state."""

    @property
    def app(self) -> dict:
        return self.settings["course"]

    def prepare(self) -> None:
        self.app["last"] = time.time()

    def get_current_user(self):
        """Local mode: the bearer of the server's secret (header, or ``?token=`` once, then a cookie)."""
        sent = self.request.headers.get("Authorization", "")
        token = sent.split(" ", 1)[1].strip() if " " in sent else self.get_argument("token", "")
        if not token:
            token = (self.get_secure_cookie("checker-token") or b"").decode()
        if token and hmac.compare_digest(token, self.app["secret"]):
            if self.get_argument("token", ""):
                self.set_secure_cookie("checker-token", token, httponly=True, samesite="Strict")
            return {"name": getpass.getuser(), "instructor": True}
        return None

    def who(self) -> dict:
        """The caller, or a 403 that says how to authenticate."""
        user = self.current_user
        if not user:
            raise web.HTTPError(403, "no valid token: grader.check sends your own; ask your instructor")
        if "instructor" not in user:  # a hub's user model
            scopes = set(user.get("scopes") or [])
            user = {"name": user["name"], "instructor": bool(user.get("admin")) or CLASS_SCOPE in scopes}
        return user

    def write_error(self, status_code: int, **kwargs) -> None:
        self.finish({"error": self.why(kwargs)})

    def why(self, error: dict) -> str:
        """What a failed request is told: the HTTPError's message, else the status's reason."""
        exc = error.get("exc_info", (None, None))[1]
        return getattr(exc, "log_message", None) or self._reason

    def _request_summary(self) -> str:
        """What tornado logs of a request: its path, never its query (a ``?token=``)."""
        return f"{self.request.method} {self.request.path} ({self.request.remote_ip})"


class NotFound(Base):
    """Any other path: a JSON 404, logged without its query like the rest."""

    def prepare(self) -> None:
        raise web.HTTPError(404, "no such route on the course's checker")


class Ping(Base):
    def get(self) -> None:
        self.finish({"ok": True, "learner": self.who()["name"]})


class Plan(Base):
    async def get(self, lesson: str, question: str) -> None:
        self.who()
        body = await self.app["run"](self._plan, lesson, question)
        self.set_header("Content-Type", "application/zip")
        self.finish(body)

    def _plan(self, lesson: str, question: str) -> bytes:
        info = _lesson_info(self.app["lessons"], lesson, question)
        with tempfile.TemporaryDirectory() as tmp:
            return payload.pack(public_plan(info, question, Path(tmp) / "plan"))


def _lesson_info(lessons: Lessons, lesson: str, question: str) -> dict:
    try:
        info = lessons.info(lesson)
    except KeyError as exc:
        raise web.HTTPError(404, f"no lesson {lesson!r} with checks here") from exc
    if question not in info["cases"]:
        raise web.HTTPError(404, f"no question {question!r} in {lesson}")
    return info


class Check(Base):
    async def post(self, lesson: str, question: str) -> None:
        user = self.who()
        if not self.app["limit"].allow(user["name"]):
            raise web.HTTPError(429, "too many checks at once: wait a few seconds and run the check again")
        cases = await self.app["run"](self._check, lesson, question, self.request.body)
        self.app["records"].add(user["name"], lesson, question, cases)
        self.finish({"cases": cases})

    def _check(self, lesson: str, question: str, body: bytes) -> dict:
        _lesson_info(self.app["lessons"], lesson, question)
        with tempfile.TemporaryDirectory() as tmp:
            try:
                payload.unpack(body, Path(tmp) / "answers")
            except payload.PayloadError as exc:
                raise web.HTTPError(400, f"answers refused: {exc}") from exc
            reply = self.app["lessons"].get(lesson).check(Path(tmp) / "answers", question=question)
        if "cases" not in reply:
            raise web.HTTPError(500, f"the checker failed on this answer: {reply.get('error', '?')[:200]}")
        return reply["cases"]


class Records(Base):
    def get(self) -> None:
        me = self.who()["name"]
        asked = self.get_argument("learner", me)
        if asked != me:
            raise web.HTTPError(403, "a learner reads their own records only")
        self.finish({"records": self.app["records"].of(me)})


class ClassView(Base):
    def write_error(self, status_code: int, **kwargs) -> None:
        """A browser asking for the page gets a page; ``class.json`` gets JSON, as every route."""
        if self.request.path.endswith(".json"):
            return super().write_error(status_code, **kwargs)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(class_view.refused(status_code, self.why(kwargs)))

    def get(self, fmt: str = "") -> None:
        if self.current_user is None and self.settings.get("hub") and fmt != ".json":
            self.redirect(self.get_login_url())  # a browser: the hub's login (OAuth), then back here
            return
        if not self.who()["instructor"]:
            raise web.HTTPError(403, "the class view is for instructors")
        summary = class_view.summary(self.app["records"].latest(), self.app["roster"]())
        if fmt == ".json":
            self.finish(summary)
        else:
            self.finish(class_view.page(summary))


def make_app(lessons: Lessons, work: Path, prefix: str, hub: bool, secret: str) -> web.Application:
    """The tornado application: routes under ``prefix``, hub or local authentication."""
    executor = ThreadPoolExecutor(max_workers=16)
    loop_run = lambda f, *a: asyncio.get_running_loop().run_in_executor(executor, f, *a)  # noqa: E731
    state = {"lessons": lessons, "records": records.Records(work / "records.sqlite"),
             "limit": RateLimit(), "secret": secret, "run": loop_run, "roster": lambda: [],
             "last": time.time()}
    handlers = [(r"api/ping", Ping), (r"api/plan/([\w-]+)/([\w-]+)", Plan),
                (r"api/check/([\w-]+)/([\w-]+)", Check), (r"api/records", Records),
                (r"class(\.json)?", ClassView)]
    if hub:
        from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated

        handlers = [(pattern, type(cls.__name__, (HubOAuthenticated, cls), {})) for pattern, cls in handlers]
        handlers.append((r"oauth_callback", HubOAuthCallbackHandler))
        state["roster"] = class_view.hub_roster
    routes = [(prefix + pattern, cls) for pattern, cls in handlers]
    return web.Application(routes, course=state, cookie_secret=secrets.token_bytes(32),
                           xsrf_cookies=False, default_handler_class=NotFound, hub=hub)


def state_file(build: Path) -> Path:
    """Where a local checker says where it listens (and its secret): ``build/checker/server.json``."""
    return build / "checker" / STATE


def _write_state(path: Path, url: str, secret: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"url": url, "token": secret, "pid": os.getpid()}, fh)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    """Serve the checks: ``--local`` (a secret in build/checker) or ``--hub`` (JupyterHub's env)."""
    ap = argparse.ArgumentParser(prog="python -m tools.grading.serve", description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--local", action="store_true", help="self-study: 127.0.0.1, a secret in build/checker")
    mode.add_argument("--hub", action="store_true", help="a JupyterHub service (reads JUPYTERHUB_* env)")
    mode.add_argument("--stop", action="store_true", help="stop the local checker, if one runs")
    ap.add_argument("--course", type=Path, default=ROOT,
                    help="the instructor's checkout (masters, build/otter)")
    ap.add_argument("--build", type=Path, default=None, help="its build folder (default: COURSE/build)")
    ap.add_argument("--notebooks", type=Path, default=None, help="its masters (default: COURSE/notebooks)")
    ap.add_argument("--warm", nargs="*", default=None, help="start these lessons' checkers now (none: all)")
    ap.add_argument("--idle-exit", type=float, default=3 * 3600,
                    help="local: exit after this many idle seconds")
    args = ap.parse_args(argv)
    course = args.course.resolve()
    build = (args.build or course / BUILD).resolve()
    if args.stop:
        return stop(build)
    work = build / "checker"
    if args.hub:
        from urllib.parse import urlparse

        url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://0.0.0.0:10101"))
        prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/checker/")
        work = Path(os.environ.get("CHECKER_STATE", work))
        host, port, secret = url.hostname or "0.0.0.0", url.port or 10101, secrets.token_urlsafe(32)
    else:
        host, port, prefix, secret = "127.0.0.1", 0, "/", secrets.token_urlsafe(32)
    app = make_app(Lessons((args.notebooks or course / "notebooks").resolve(), build, work),
                   work, prefix, args.hub, secret)
    lessons = app.settings["course"]["lessons"]
    if args.hub:
        app.settings["course"]["limit"] = RateLimit(float(os.environ.get("CHECKER_BURST", 30)),
                                                    float(os.environ.get("CHECKER_RATE", 2)))
    for lesson in (lessons.zips if args.warm == [] else args.warm or []):
        lessons.get(lesson)
    try:
        idle = None if args.hub else args.idle_exit
        asyncio.run(_serve(app, host, port, build, secret, prefix, idle=idle))
    finally:
        lessons.close()
    return 0


async def _serve(app: web.Application, host: str, port: int, build: Path, secret: str, prefix: str,
                 idle: float | None) -> None:
    """Listen (inside the running loop), say where, and serve until idle (local) or forever (hub)."""
    sockets = bind_sockets(port, host)
    HTTPServer(app, max_body_size=payload.MAX_BODY + 1024).add_sockets(sockets)
    bound = sockets[0].getsockname()[1]
    if idle is not None:
        _write_state(state_file(build), f"http://127.0.0.1:{bound}/", secret)
    lessons = sorted(app.settings["course"]["lessons"].zips)
    print(f"checker: serving {lessons} on {host}:{bound}{prefix}", flush=True)
    await _serve_until_idle(app, idle)


async def _serve_until_idle(app: web.Application, idle: float | None) -> None:
    """Serve forever (hub) or until no request came for ``idle`` seconds (local)."""
    state = app.settings["course"]
    while True:
        await asyncio.sleep(30)
        if idle is not None and time.time() - state["last"] > idle:
            return


def stop(build: Path) -> int:
    """End the local checker whose state file is in the ``build`` folder, if one runs."""
    path = state_file(build)
    if not path.exists():
        return 0
    import signal

    try:
        os.kill(int(json.loads(path.read_text())["pid"]), signal.SIGTERM)
    except (ProcessLookupError, ValueError, KeyError, PermissionError):
        pass
    path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
