"""The grader's side of the trusted checker (``tools.grading.checker``): one process per lesson,
started here, asked one submission's answers at a time over its stdin/stdout (one JSON line each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from lessons_lib._tf_quiet import QUIET_ENV
from tools import ROOT


class Checker:
    """One trusted checker process for a lesson; requests are served one at a time."""

    def __init__(self, lesson: str, autograder: Path, master: Path, student: Path, workdir: Path):
        self.lesson = lesson
        workdir.mkdir(parents=True, exist_ok=True)
        spec = {
            "autograder": str(autograder),
            "master": str(master),
            "student": str(student),
            "workdir": str(workdir),
            "log": str(workdir / "checker.log"),
        }
        (workdir / "spec.json").write_text(json.dumps(spec))
        env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", **QUIET_ENV}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tools.grading.checker", str(workdir / "spec.json")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.info: dict = {}
        self.n = 0
        threading.Thread(target=self._start, daemon=True).start()

    def _start(self):
        line = self.proc.stdout.readline()
        try:
            self.info = json.loads(line) if line else {"ready": False, "error": "the checker stopped"}
        except json.JSONDecodeError:
            self.info = {"ready": False, "error": line[:200]}
        self.ready.set()

    def check(self, answers_dir: Path, question: str | None = None) -> dict:
        """The checker's reply for one submission's answers folder (``{"error": ...}`` when it failed);
        with ``question``, that question's public cases only (``{"cases": ...}``, a learner's check)."""
        self.ready.wait()
        if not self.info.get("ready"):
            return {"error": f"the checker for {self.lesson} could not start: {self.info.get('error')}"}
        with self.lock:
            self.n += 1
            try:
                req = {"id": self.n, "answers": str(answers_dir)}
                if question is not None:
                    req["question"] = question
                self.proc.stdin.write(json.dumps(req) + "\n")
                self.proc.stdin.flush()
                line = self.proc.stdout.readline()
                return json.loads(line) if line else {"error": "the checker stopped"}
            except (OSError, json.JSONDecodeError) as exc:
                return {"error": f"the checker failed: {exc}"}

    def close(self) -> None:
        """End the checker: close its stdin, wait up to 30 s, else kill it."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except Exception:  # noqa: BLE001
            self.proc.kill()
