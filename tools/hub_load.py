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
6. stops every server and the hub, checks that nothing it started is left running, and writes
   ``build/hub_load.json`` and a table.
It exits non-zero if a server does not start, a cell fails, or a process outlives the test.
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


def write_config(tmp: Path, repo: Path, port: int, token: str) -> Path:
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
c.JupyterHub.services = [{{"name": "load-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{
    "name": "load-test",
    "scopes": ["admin:users", "admin:servers", "access:servers", "read:users"],
    "services": ["load-test"],
}}]
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
    api = f"/user/{user}/api"
    model = await hub.call("GET", f"{api}/contents/{quote(path)}?content=1")
    nb = nbformat.from_dict(model["content"])
    # A session, as JupyterLab opens one: the kernel starts in the notebook's folder.
    session = await hub.call(
        "POST", f"{api}/sessions", {"path": path, "type": "notebook", "kernel": {"name": KERNEL_NAME}}
    )
    kernel = session["kernel"]
    url = f"ws://127.0.0.1:{hub.base.rsplit(':', 1)[1]}{api}/kernels/{kernel['id']}/channels"
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {hub.token}"}))
    t0 = time.perf_counter()
    try:
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            msg_id = secrets.token_hex(8)
            ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user,
                           "session": kernel["id"], "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell",
                "content": {"code": cell.source, "silent": False, "store_history": True,
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


def _user_processes(user: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.environ().get("JUPYTERHUB_USER") == user:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


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


async def load_test(users: int, lessons: list[str], timeout: float, workdir: Path) -> dict:
    """The whole test: learner repo, hub, ``users`` learners at once, memory peaks, what was left running."""
    from tools.handout import make_handout

    repo = workdir / "learner-repo"
    make_handout(HUB_BUILD / "student", repo, git=True)
    port, token = _free_port(), secrets.token_hex(16)
    cfg = write_config(workdir, repo, port, token)
    log = open(workdir / "hub.log", "wb")
    names = [f"learner{i + 1}" for i in range(users)]
    # the course's config allows no one by default: the test names its learners, as an instructor would
    env = {**os.environ, "HUB_SPAWNER": "simple", "HUB_ALLOWED_USERS": ",".join(names),
           "COURSE_REPO": str(repo)}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(cfg)],
        cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env,
    )
    peaks: dict[str, float] = {}
    result: dict = {"users": users, "lessons": lessons, "cpu_count": os.cpu_count()}
    hub = Hub(port, token)
    try:
        await hub.wait_up(proc)
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
        for user in names:
            await hub.call("DELETE", f"/hub/api/users/{user}/server")
    finally:
        _stop(proc)
        log.close()
    left = [p for u in names for p in _user_processes(u)] + _children_alive(proc.pid, workdir)
    result["left_running"] = [f"{p.pid} {' '.join(p.cmdline()[:3])}" for p in left if p.is_running()]
    return result


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


def main(argv: list[str] | None = None) -> int:
    """Run the load test, write --out with the sizing, print the table; exit 1 if a process outlived it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--lessons", default=",".join(DEFAULT_LESSONS))
    parser.add_argument("--timeout", type=float, default=600, help="seconds per cell at most")
    parser.add_argument("--out", type=Path, default=HUB_BUILD / "hub_load.json")
    args = parser.parse_args(argv)
    if args.users < 1:
        parser.error("--users must be at least 1")
    lessons = [x.strip() for x in args.lessons.split(",") if x.strip()]
    missing = [x for x in lessons if not (HUB_BUILD / "student" / f"{x}.ipynb").exists()]
    if missing:
        parser.error(f"no student copy for {missing} in {HUB_BUILD / 'student'}: run `make student` first")
    with tempfile.TemporaryDirectory(prefix="hub-load-") as tmp:
        try:
            result = asyncio.run(load_test(args.users, lessons, args.timeout, Path(tmp)))
        except Exception:
            print("--- end of the hub's log ---\n" + (Path(tmp) / "hub.log").read_text()[-4000:])
            raise
    result["sizing"] = sizing(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(table(result))
    print(f"all {args.users} learners together: {result['wall_s']} s on {result['cpu_count']} cores")
    print(sizing_table(result["sizing"]))
    if result["left_running"]:
        print("left running:", result["left_running"])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
