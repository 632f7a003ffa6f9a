"""The checker's record of every check: who, which question, the verdict, the mistake it named.

One SQLite file (the standard library's ``sqlite3``), written by the service, read by the class view
and by ``api/records`` (a learner gets their own rows only). A record holds the check's message,
which names a mistake and never a value.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path


class Records:
    """Append checks; read one learner's, or every learner's latest verdict per question."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.lock = threading.Lock()
        with self.lock:
            self.db.execute("CREATE TABLE IF NOT EXISTS checks (t REAL, learner TEXT, lesson TEXT, "
                            "question TEXT, passed INTEGER, mistake TEXT)")
            self.db.commit()

    def add(self, learner: str, lesson: str, question: str, cases: dict) -> None:
        """Record one check: passed when every public case passed; else each failed case's message,
        one per line."""
        failed = [" ".join(str(c["message"]).split()) for c in cases.values() if not c.get("passed")]
        with self.lock:
            self.db.execute("INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?)",
                            (time.time(), learner, lesson, question, int(not failed),
                             "\n".join(dict.fromkeys(failed))))
            self.db.commit()

    def of(self, learner: str) -> list[dict]:
        """``learner``'s own checks, oldest first."""
        with self.lock:
            rows = self.db.execute("SELECT t, lesson, question, passed, mistake FROM checks "
                                   "WHERE learner = ? ORDER BY t", (learner,)).fetchall()
        return [{"time": t, "lesson": le, "question": q, "passed": bool(p), "mistake": m}
                for t, le, q, p, m in rows]

    def latest(self) -> list[dict]:
        """Each learner's latest check of each question, and every failed check's mistake."""
        with self.lock:
            rows = self.db.execute("SELECT t, learner, lesson, question, passed, mistake FROM checks "
                                   "ORDER BY t").fetchall()
        return [{"time": t, "learner": who, "lesson": le, "question": q, "passed": bool(p), "mistake": m}
                for t, who, le, q, p, m in rows]
