"""``grader.check`` in a student copy: one question's answers go, as data, to the course's checker.

A student copy's tests are stubs that call ``case``; the real checks and the expected values stay
with the checker (``tools.grading.serve``): nothing in this kernel can read them. The answers
travel as ``lessons_lib.answer_data`` writes them (JSON + ``.npy``, never pickle); a function
answer is run here, on the checker's public inputs, and only its outputs travel. Where:

- ``COURSE_CHECKER_URL`` (set on a hub): that service, with ``JUPYTERHUB_API_TOKEN`` (this
  server's own) or ``COURSE_CHECKER_TOKEN``;
- else, in the course's repository: the local checker (started by the first check) for the
  build that ``make student`` wrote (``COURSE_BUILD_DIR``, default ``build/``) and its masters
  (``COURSE_NOTEBOOKS_DIR``, default ``notebooks/``);
- else (a hand-out alone): form checks only, which say so and never say "passed".
"""

from __future__ import annotations

import dis
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import types
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

from .answer_data import Encoder, export_answers
from .exercises import CheckFailed, NotAnswered

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 900  # a lesson's first check runs its master
_VERDICTS: dict[tuple[str, str], Any] = {}
_ANNOUNCED: set[str] = set()


class FormOnly(CheckFailed):
    """No checker is reachable: the answer's form was checked, its value is graded after hand-in."""


class CheckerUnavailable(CheckFailed):
    """The checker did not answer."""


def case(env: dict, lesson: str, question: str, case_name: str, names: list[str],
         first: bool = False) -> None:
    """One public case of ``question``: the first case asks the checker, the others read its reply."""
    if first or (lesson, question) not in _VERDICTS:
        try:
            _VERDICTS[(lesson, question)] = _ask(env, lesson, question, names)
        except CheckFailed as exc:
            _VERDICTS[(lesson, question)] = exc
    verdict = _VERDICTS[(lesson, question)]
    if isinstance(verdict, CheckFailed):
        raise verdict
    missing = {"passed": False, "message": f"{question}: the checker has no {case_name}"}
    got = verdict.get(case_name) or missing
    if not got["passed"]:
        raise CheckFailed(got["message"])


def returns_only_none(value: object) -> bool:
    """Whether ``value`` is a function whose every ``return`` gives None: a copy's untouched
    ``return None  # your code``, or a body not written yet (read from its bytecode, not run)."""
    if not isinstance(value, types.FunctionType):
        return False
    code = list(dis.get_instructions(value))
    for i, ins in enumerate(code):
        if ins.opname == "RETURN_CONST" and ins.argval is not None:  # Python 3.12+
            return False
        if ins.opname == "RETURN_VALUE" and not (
            i and code[i - 1].opname == "LOAD_CONST" and code[i - 1].argval is None
        ):
            return False
    return True


def _unanswered(env: dict, names: list[str]) -> list[str]:
    """The answer names still as the copy gave them: None, ``...``, or a function returning None."""
    return [n for n in names if env.get(n) is None or env.get(n) is ... or returns_only_none(env.get(n))]


def _not_answered(env: dict, question: str, unset: list[str]) -> str:
    values = [n for n in unset if not callable(env.get(n))]
    bodies = [n for n in unset if callable(env.get(n))]
    todo = ([f"set {', '.join(values)} to your answer"] if values else []) + (
        [f"write the body of {', '.join(bodies)} (it still returns None)"] if bodies else [])
    return f"{question}: not answered yet: {' and '.join(todo)} and run that cell again."


def _ask(env: dict, lesson: str, question: str, names: list[str]) -> dict:
    unset = _unanswered(env, names)
    if len(unset) == len(names):  # untouched: said here, without asking anyone
        raise NotAnswered(_not_answered(env, question, unset))
    where = endpoint(lesson)
    if where is None:
        raise FormOnly(_form_only(env, question, names, unset))
    url, token = where
    with tempfile.TemporaryDirectory() as tmp:
        plan_dir, out_dir = Path(tmp) / "plan", Path(tmp) / "answers"
        out_dir.mkdir()
        unzip_into(_request(url + f"api/plan/{lesson}/{question}", token, question), plan_dir)
        export_answers(names, str(plan_dir), str(out_dir), env)
        reply = _request(url + f"api/check/{lesson}/{question}", token, question, zip_folder(out_dir))
    return json.loads(reply)["cases"]


def _form_only(env: dict, question: str, names: list[str], unset: list[str]) -> str:
    if unset:
        return _not_answered(env, question, unset)
    with tempfile.TemporaryDirectory() as tmp:
        enc = Encoder(tmp)
        for n in names:
            if "unsupported" in json.dumps(enc.enc(env.get(n)) if not callable(env.get(n)) else {}):
                return f"{question}: {n} is not a value the grader can read (numbers, arrays, lists, text)."
    return (f"{question}: form only: values are graded after hand-in (no course checker is reachable "
            "here; your answers are filled in and readable).")


def endpoint(lesson: str) -> tuple[str, str] | None:
    """(base URL, token) of the checker to ask, or None when there is none (a hand-out alone)."""
    if os.environ.get("COURSE_CHECKER", "") == "off":
        return None
    url = os.environ.get("COURSE_CHECKER_URL")
    if url:
        token = os.environ.get("COURSE_CHECKER_TOKEN") or os.environ.get("JUPYTERHUB_API_TOKEN", "")
        return url.rstrip("/") + "/", token
    build = Path(os.environ.get("COURSE_BUILD_DIR") or ROOT / "build")
    notebooks = Path(os.environ.get("COURSE_NOTEBOOKS_DIR") or ROOT / "notebooks")
    needed = (ROOT / "tools" / "grading" / "serve.py", notebooks / f"{lesson}.ipynb")
    if not all(path.is_file() for path in needed) or not (build / "otter").is_dir():
        return None
    return _local(lesson, build, notebooks)


def _local(lesson: str, build: Path, notebooks: Path) -> tuple[str, str] | None:
    """The local checker (started if none answers): self-study with the course's repository."""
    state = build / "checker" / "server.json"
    if lesson not in _ANNOUNCED:
        _ANNOUNCED.add(lesson)
        print(f"Checking with the course's checker on this machine. The first check of {lesson} runs "
              "the lesson's master notebook once (a minute or so); later checks take well under a second.")
    found = _alive(state)
    if found:
        return found
    state.parent.mkdir(parents=True, exist_ok=True)
    with open(state.parent / "serve.log", "a") as log:
        cmd = [sys.executable, "-m", "tools.grading.serve", "--local", "--build", str(build),
               "--notebooks", str(notebooks)]
        subprocess.Popen(cmd, cwd=ROOT, stdout=log,
                         stderr=subprocess.STDOUT, start_new_session=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.25)
        found = _alive(state)
        if found:
            return found
    return None


def _alive(state: Path) -> tuple[str, str] | None:
    try:
        info = json.loads(state.read_text())
        _request(info["url"] + "api/ping", info["token"], "ping", timeout=3)
        return info["url"], info["token"]
    except (OSError, ValueError, KeyError, CheckFailed):
        return None


def _request(url: str, token: str, question: str, body: bytes | None = None,
             timeout: float = TIMEOUT_S) -> bytes:
    headers = {"Authorization": f"token {token}"}
    if body is not None:
        headers["Content-Type"] = "application/zip"
    method = "POST" if body is not None else "GET"
    req = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - the course's checker
            return resp.read()
    except urllib.error.HTTPError as exc:
        try:
            why = json.loads(exc.read()).get("error") or exc.reason
        except ValueError:
            why = exc.reason
        raise CheckerUnavailable(
            f"{question}: the course's checker refused this check ({exc.code}): {why}") from None
    except (OSError, ValueError) as exc:
        raise CheckerUnavailable(f"{question}: the course's checker did not answer ({type(exc).__name__}: "
                                 f"{exc}); run the check again, and tell your instructor if it persists."
                                 ) from None


def unzip_into(body: bytes, dest: Path) -> None:
    """Write a zip's top-level members into ``dest`` (a plan from the checker)."""
    dest.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        for name in zf.namelist():
            if "/" in name or name.startswith("."):
                continue
            (dest / name).write_bytes(zf.read(name))


def zip_folder(folder: Path) -> bytes:
    """The zip of ``folder``'s files: what a check sends, and what the checker's plan route returns."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                zf.write(path, path.name)
    return buf.getvalue()
