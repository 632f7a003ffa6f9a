"""The instructor's grading of untrusted submissions: ``python -m tools.grading grade DIR``.

Each file is graded on its own and always gets rows: a notebook runs in its own bubblewrap
sandbox (tools/grading/bwrap.py); what comes out is plain data (answers.json + .npy); the
trusted checker (tools/grading/checker.py, one process per lesson) runs the public and hidden
tests against the master's values overlaid with the learner's answers only. Unreadable, empty,
non-notebook, unknown-lesson files get a row with 0 and a one-line reason; the CSV is rewritten
atomically after every submission; lesson names come only from the course's list
(build/otter/autograders.json, made by ``make student``). At the end the run's JSON (flags,
seconds) and the class report (tools/grading/report.py) are written beside the CSV.
"""

from __future__ import annotations

import itertools
import os
import queue
import re
import shutil
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from lessons_lib.seeding import threads_per_job
from tools import BUILD, kernel
from tools.grading import answers as A
from tools.grading import bwrap as S
from tools.grading import report
from tools.grading.checker_client import Checker
from tools.grading.inside import LIMIT_WORDS
from tools.grading.results import GRADES, INDEX, Row, autograders, write_csv, write_info

MAX_NOTEBOOK_BYTES = 50 << 20
MAX_ZIP_MEMBERS = 20


class GradingError(Exception):
    """A problem with the whole run (no submissions, no build): one clear sentence."""


@dataclass
class Submission:
    """One submitted file: its CSV name, the notebook to run, its lesson, why it got 0 or no answers."""

    name: str  # as shown in the CSV
    path: Path | None  # the notebook to run (None: not gradable)
    lesson: str = ""
    problem: str = ""  # why it gets 0 without running
    flags: list[str] = field(default_factory=list)
    seconds: float | None = None  # its sandboxed run, start to end
    note: str = ""  # why its run gave no answers (a limit, a crash)


def course_lessons(out: Path) -> dict[str, Path]:
    """Lesson -> autograder zip (``results.autograders``); a GradingError when there is none."""
    index = out / INDEX
    if not index.is_file():
        raise GradingError(f"no autograders in {out / 'otter'}: run `make student` first.")
    found = autograders(out)
    if not found:
        raise GradingError(f"the autograder index {index} names no usable autograder: run `make student`.")
    return found


def _lesson_in_name(filename: str, lessons: list[str]) -> str | None:
    for lesson in sorted(lessons, key=len, reverse=True):
        if lesson in filename:
            return lesson
    m = re.search(r"(?<!\d)(\d\d)_", filename)
    if m:
        same = [le for le in lessons if le.startswith(m.group(1) + "_")]
        if len(same) == 1:
            return same[0]
    return None


def identify(sub: Submission, lessons: list[str]) -> Submission:
    """Read the file as a notebook and decide its lesson; set ``problem`` when it cannot be graded."""
    import nbformat

    path = sub.path
    try:
        size = path.stat().st_size
        if not path.is_file():
            sub.problem = "not a regular file"
            return sub
        if size == 0:
            sub.problem = "empty file"
            return sub
        if size > MAX_NOTEBOOK_BYTES:
            sub.problem = f"file over {MAX_NOTEBOOK_BYTES >> 20} MB"
            return sub
        text = path.read_bytes().decode("utf-8")
        nb = nbformat.reads(text, as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("no cells")
    except UnicodeDecodeError:
        sub.problem = "not a notebook (not UTF-8 text)"
        return sub
    except Exception as exc:  # noqa: BLE001 - whatever is wrong with it, it is one row
        sub.problem = (
            f"not a notebook ({type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''})"
        )
        return sub
    meta = nb.get("metadata", {}).get("otter", {})
    meta_name = meta.get("assignment_name") if isinstance(meta, dict) else None
    by_name = _lesson_in_name(sub.name, lessons)
    if isinstance(meta_name, str) and meta_name in lessons:
        sub.lesson = meta_name
        named = re.search(r"(?<!\d)(\d\d)_[A-Za-z]", sub.name)
        if named and not meta_name.startswith(named.group(1) + "_"):
            sub.flags.append(
                f"file name says lesson {named.group(1)} but the notebook is {meta_name}: "
                f"graded as {meta_name}"
            )
    else:
        if meta_name:
            sub.flags.append(
                f"metadata lesson {str(meta_name)[:60]!r} is not a lesson of this course: ignored"
            )
        if by_name:
            sub.lesson = by_name
        else:
            sub.problem = "not a notebook of a graded lesson of this course (" + ", ".join(lessons) + ")"
    return sub


def collect(folder: Path, unpack_to: Path) -> list[Submission]:
    """Every file in ``folder`` (not recursive): notebooks, .zip archives unpacked, the rest reported."""
    if not folder.exists():
        raise GradingError(f"the submissions folder {folder} does not exist.")
    if not folder.is_dir():
        raise GradingError(f"{folder} is not a folder: pass the folder that holds the submitted notebooks.")
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    if not entries:
        raise GradingError(f"the submissions folder {folder} is empty: nothing to grade.")
    subs: list[Submission] = []
    for p in entries:
        if p.is_dir() or p.is_symlink():
            subs.append(Submission(p.name, None, problem="a folder or link, not a notebook: not graded"))
        elif p.suffix.lower() == ".zip":
            subs += _unzip(p, unpack_to)
        elif p.suffix.lower() == ".ipynb":
            subs.append(Submission(p.name, p))
        else:
            subs.append(Submission(p.name, None, problem=f"not a notebook ({p.suffix or 'no'} extension)"))
    return subs


def _unzip(p: Path, unpack_to: Path) -> list[Submission]:
    try:
        with zipfile.ZipFile(p) as zf:
            members = [
                m
                for m in zf.infolist()
                if m.filename.lower().endswith(".ipynb")
                and not m.is_dir()
                and "__MACOSX" not in m.filename
                and not Path(m.filename).name.startswith(".")
            ]
            if not members:
                return [Submission(p.name, None, problem="zip archive without a notebook")]
            out = []
            for i, m in enumerate(members[:MAX_ZIP_MEMBERS]):
                if m.file_size > MAX_NOTEBOOK_BYTES:
                    out.append(
                        Submission(f"{p.name}:{m.filename}", None, problem="notebook in the zip is too big")
                    )
                    continue
                target = unpack_to / f"{p.stem}-{i}" / Path(m.filename).name  # no paths from the zip
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(m))
                out.append(Submission(f"{p.name}:{Path(m.filename).name}", target))
            if len(members) > MAX_ZIP_MEMBERS:
                out.append(Submission(p.name, None, problem=f"zip holds over {MAX_ZIP_MEMBERS} notebooks"))
            return out
    except (zipfile.BadZipFile, OSError) as exc:
        return [Submission(p.name, None, problem=f"unreadable zip archive ({exc})")]


class CsvWriter:
    """The grades CSV, rewritten atomically as each submission's rows come in (from any thread)."""

    def __init__(self, path: Path | None):
        self.path, self.rows, self.lock = path, [], threading.Lock()
        if path is not None:
            write_csv(path, [])

    def add(self, rows: list[Row]) -> None:
        """Append one submission's ``rows``; rewrite the CSV (when there is one) with all rows so far."""
        with self.lock:
            self.rows += rows
            if self.path is not None:
                write_csv(self.path, self.rows)


def _rows(
    sub: Submission, points: dict[str, float], scores: dict[str, tuple[float, str]], note: str = ""
) -> list:
    rows, total, maxi = [], 0.0, 0.0
    flags = "; ".join(sub.flags)
    sub.note = note
    for q, p in points.items():
        s, msg = scores.get(q, (0.0, note or "no result"))
        if s > p:
            msg = f"score {s:g} above the maximum {p:g}: capped. {msg}".strip()
            s = p
        rows.append(Row(sub.name, sub.lesson, q, s, p, msg))
        total, maxi = total + s, maxi + p
    rows.append(
        Row(sub.name, sub.lesson, "TOTAL", total, maxi, "; ".join(x for x in (note, flags) if x))
    )
    return rows


@dataclass
class _Run:
    """One grading run's shared state: its private folder, the job slots, the checkers, the CSV."""

    work: Path
    limits: S.Limits
    jobs: int
    unsandboxed: bool
    quiet: bool
    writer: CsvWriter
    learner: bool = False
    checkers: dict[str, Checker] = field(default_factory=dict)
    slots: queue.Queue = field(default_factory=queue.Queue)
    counter: itertools.count = field(default_factory=itertools.count)

    @property
    def threads(self) -> int | None:
        """Math threads per sandbox: several kernels at once each spinning a thread per core crawl."""
        return threads_per_job(self.jobs)

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)


def grade_folder(
    folder: Path,
    out_csv: Path | None = GRADES,
    out: Path = BUILD,
    notebooks: Path = Path("notebooks"),
    jobs: int | None = None,
    limits: S.Limits | None = None,
    unsandboxed: bool = False,
    quiet: bool = False,
    learner: bool = False,
) -> list[Row]:
    """Grade every file in ``folder``; rows (with a TOTAL per submission) also written to ``out_csv``,
    with the run's JSON and the class report beside it. ``learner``: each message as the learner's
    check words it, never the expected value (``make score``); else the instructor's."""
    jobs = jobs or os.cpu_count() or 1
    if not unsandboxed and S.bwrap_path() is None:
        raise GradingError(S.INSTALL_HINT)
    if unsandboxed and not quiet:
        print(
            "WARNING: --unsandboxed runs the notebooks with your own rights, no limits, no isolation: "
            "use it only to self-check notebooks you trust.",
            flush=True,
        )
    lessons = course_lessons(out)
    start = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="grading-"))
    os.chmod(work, 0o711)  # bubblewrap (dropped to the job's uid) must reach its job folders
    run = _Run(work, limits or S.Limits(), jobs, unsandboxed, quiet, CsvWriter(out_csv), learner)
    try:
        subs = collect(folder, work / "unzipped")
        for sub in subs:
            if sub.path is not None and not sub.problem:
                identify(sub, sorted(lessons))
        for lesson in sorted({s.lesson for s in subs if s.lesson and not s.problem}):
            run.checkers[lesson] = Checker(
                lesson,
                lessons[lesson],
                (notebooks / f"{lesson}.ipynb").resolve(),
                (out / "fresh" / f"{lesson}.ipynb").resolve(),
                work / "checkers" / lesson,
            )
        run.say(f"grading {len(subs)} submissions, {jobs} at a time, each in its own sandbox ...")
        for i in range(jobs):
            run.slots.put(i)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            rows = [r for got in pool.map(lambda s: _grade_one(run, s), subs) for r in got]
    finally:
        for c in run.checkers.values():
            c.close()
        shutil.rmtree(work, ignore_errors=True)
    _finish(run, out_csv, subs, rows, time.monotonic() - start)
    return rows


def _grade_one(run: _Run, sub: Submission) -> list[Row]:
    """One submission's rows, added to the CSV: 0 with a reason, or its sandboxed run judged."""
    if sub.problem or not sub.lesson:
        why = "; ".join([sub.problem or "not graded", *sub.flags])
        rows = [Row(sub.name, sub.lesson, "TOTAL", 0.0, 0.0, why)]
        run.writer.add(rows)
        run.say(f"{sub.name:<44} {'-':<24} 0  {rows[0].message[:80]}")
        return rows
    checker = run.checkers[sub.lesson]
    checker.ready.wait()
    if not checker.info.get("ready"):
        rows = [Row(sub.name, sub.lesson, "TOTAL", 0.0, 0.0, f"not graded: {checker.info.get('error')}")]
        run.writer.add(rows)
        return rows
    points = {q: r["possible"] for q, r in checker.info["reference"].items()}
    job = run.work / "jobs" / f"{next(run.counter):04d}-{os.urandom(4).hex()}"
    slot = run.slots.get()
    try:
        result = S.run(
            job,
            sub.path,
            A.extract_cell(checker.info["names"]),
            run.limits,
            slot,
            kernel.KERNEL_NAME,
            threads=run.threads,
            unsandboxed=run.unsandboxed,
            plan_dir=Path(checker.info["plan"]),
            name=f"{sub.lesson}.ipynb",
        )
    finally:
        run.slots.put(slot)
    sub.seconds = result.seconds
    rows = _judge(sub, points, result, checker, job, run)
    shutil.rmtree(job, ignore_errors=True)
    run.writer.add(rows)
    total = rows[-1]
    run.say(
        f"{sub.name:<44} {sub.lesson:<24} {total.score:g} / {total.max_score:g}"
        f"  ({result.seconds:.0f} s){'  ' + total.message[:80] if total.message else ''}"
    )
    return rows


def _finish(run: _Run, out_csv: Path | None, subs: list[Submission], rows: list[Row], seconds: float) -> None:
    """The run's numbers, its JSON and class report beside the CSV, and one closing line."""
    graded = sum(1 for r in rows if r.question == "TOTAL")
    stats = {"submissions": graded, "seconds": seconds, "per_minute": 60 * graded / max(seconds, 1e-9),
             "jobs": run.jobs}
    if out_csv is not None:
        run.say(f"class report: {write_report(out_csv, subs, stats)}")
    run.say(f"{graded} submissions in {seconds:.0f} s with {run.jobs} jobs: "
            f"{stats['per_minute']:.1f} submissions/minute")


def write_report(out_csv: Path, subs: list[Submission], stats: dict) -> Path:
    """The run's JSON beside the CSV (flags, seconds, why a run stopped), then the class report."""
    write_info(out_csv, stats, [
        {"name": s.name, "lesson": s.lesson, "flags": s.flags, "seconds": s.seconds, "note": s.note}
        for s in subs
    ])
    return report.write(out_csv)


def _judge(sub, points, result: S.SandboxResult, checker: Checker, job: Path, run: _Run) -> list:
    status, limits = result.status, run.limits
    if result.timed_out:
        return _rows(sub, points, {}, f"{LIMIT_WORDS['wall']}: stopped after {limits.wall_seconds:.0f} s")
    violation = status.get("violation") if isinstance(status, dict) else None
    if violation:
        word = LIMIT_WORDS.get(str(violation), "sandbox")
        return _rows(sub, points, {}, f"{word}: {str(status.get('detail', ''))[:200]}")
    answers_dir = job / "scratch" / "out"
    if not (answers_dir / A.ANSWERS).is_file():
        why = "the notebook stopped the grading run before its answers were written"
        if "SIGXCPU" in result.log_tail or "CPU time" in result.log_tail:
            why = LIMIT_WORDS["cpu"]
        tail = [
            ln for ln in result.log_tail.splitlines()
            if ln.strip() and "Kernel is running over TCP" not in ln and "[IPKernelApp]" not in ln
        ][-1:]
        return _rows(sub, points, {}, why + (f" ({tail[0].strip()[:160]})" if tail else ""))
    got = checker.check(answers_dir)
    if "error" in got:
        return _rows(sub, points, {}, f"answers unreadable: {got['error']}")
    scores = {}
    for q, r in got.get("questions", {}).items():
        said = r["learner_messages"] if run.learner else r["messages"]
        msg = said[0] if said else ""
        scores[q] = (float(r["score"]), msg)
    return _rows(sub, points, scores)
