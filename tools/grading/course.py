"""Graded exercises with otter-grader: build student copies and autograders, grade submissions.

``python -m tools.grading build`` writes, for every lesson with exercises, the student copy
and otter's autograder zip under ``build/otter/<lesson>/``, and copies the student notebooks to
``build/student/`` (never overwriting a learner's work).
``python -m tools.grading grade SUBMISSIONS/ [--out build/grades.csv]`` grades every file in a
folder, each submission in its own bubblewrap sandbox (tools/grading/sandboxed.py), and writes
the class report beside the CSV; ``report [build/grades.csv]`` rebuilds that report alone.
``python -m tools.grading score`` grades the learner's own copies in ``build/student``: a
self-check with ``otter run`` and no sandbox (``grade_files``/``grade`` here: trusted notebooks only).
``python -m tools.grading kernel`` installs the course kernel ("Python (forecasting-failures)")
into the running environment; ``status`` says which copies are older than their master and
``refresh`` brings the new copies in, keeping the learner's old ones beside them.
"""

from __future__ import annotations

import argparse
import ast
import csv
import datetime
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from lessons_lib._tf_quiet import QUIET_ENV
from lessons_lib.seeding import THREAD_ENV

BUILD = Path(os.environ.get("LESSONS_BUILD", "build"))  # make passes BUILD_DIR here
CONFIG_MARK = "# ASSIGNMENT CONFIG"
KERNEL_NAME = "forecasting-failures"
KERNEL_DISPLAY = "Python (forecasting-failures)"
KERNELSPEC = {"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY, "language": "python"}
VERSIONS = ".versions.json"
INSTRUCTOR_TAG = "instructor"
# ipykernel copies what C code writes to file descriptor 2 into the cell output: TensorFlow's absl
# preamble and CUDA probing would show as red boxes. Python-level warnings still show.
KERNEL_CONFIG = """# Written by `make kernel` (python -m tools.grading kernel).
# Keep C-level output (TensorFlow/absl/CUDA log lines written straight to file descriptor 2)
# in the kernel's terminal instead of the notebook; Python warnings and errors still show.
c.IPKernelApp.capture_fd_output = False
# The course's thread setting (lessons_lib.seeding.THREAD_ENV), set before the first import of
# NumPy or PyTorch reads it; a variable already set (LESSONS_THREADS=4 make lab) wins.
import os

for key, value in {thread_env!r}.items():
    os.environ.setdefault(key, value)
# Before any cell can import TensorFlow: PyTorch's triton may then load after it without crashing
# the kernel (lessons_lib/_load_order.py), whatever order a learner imports them in.
try:
    from lessons_lib._load_order import guard
except ImportError:  # a kernel of this environment without the course installed
    pass
else:
    guard()
"""

# JupyterLab settings for this environment (<prefix>/share/jupyter/lab/settings/overrides.json):
# no "get notified about Jupyter news?" pop-up over the first cell, no update check over the network.
LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


def install_kernel(prefix: str | Path | None = None) -> Path:
    """Install the course kernelspec and its IPython kernel config into ``prefix`` (the venv).

    The kernelspec runs this Python with TF_CPP_MIN_LOG_LEVEL=3; the config
    (``<prefix>/etc/ipython/ipython_kernel_config.py``, read by IPython through sys.prefix) keeps
    file-descriptor-level stderr out of cell outputs and sets the course's thread setting before
    anything is imported. The config applies to every IPython kernel of this environment.
    Also writes JupyterLab's settings overrides (``LAB_OVERRIDES``: no news pop-up).
    Returns the kernelspec folder.
    """
    prefix = Path(prefix or sys.prefix)
    kdir = prefix / "share" / "jupyter" / "kernels" / KERNEL_NAME
    kdir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": KERNEL_DISPLAY,
        "language": "python",
        "env": dict(QUIET_ENV),
        "metadata": {"debugger": True},
    }
    (kdir / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n")
    cfg = prefix / "etc" / "ipython"
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "ipython_kernel_config.py").write_text(KERNEL_CONFIG.format(thread_env=THREAD_ENV))
    lab = prefix / "share" / "jupyter" / "lab" / "settings"
    lab.mkdir(parents=True, exist_ok=True)
    (lab / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=1) + "\n")
    return kdir


@dataclass
class Row:
    """One line of the grades CSV."""

    submission: str
    lesson: str
    question: str
    score: float
    max_score: float
    message: str = ""


_BARE_QUIET_CALL = re.compile(r"^\s*(?:\w+\.)?(?:record|set_seed)\(.*\)\s*$", re.DOTALL)


def stray_output(source: str, outputs: list) -> list[str]:
    """What an executed cell must not show: stderr text, or a value echoed by a bare
    ``record(...)``/``set_seed(...)`` call on the cell's last line. Empty list when clean."""
    found = []
    for out in outputs:
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            text = "".join(out.get("text", ""))
            found.append(f"stderr output: {text.strip()[:300]!r}")
    last = _last_statement(source)
    if last and _BARE_QUIET_CALL.match(last):
        if any(o.get("output_type") == "execute_result" for o in outputs):
            found.append(f"the bare call {last.strip()[:80]!r} shows a return value (Out[])")
    return found


def _last_statement(source: str) -> str:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return ""
    return ast.get_source_segment(source, tree.body[-1]) or ""


def reference_answer(source: str) -> str:
    """The master's solution cell as a learner would type it: prompts and markers dropped."""
    kept, in_prompt = [], False
    for line in source.splitlines():
        stripped = line.rstrip()
        if stripped.endswith("# BEGIN PROMPT"):
            in_prompt = True
            continue
        if in_prompt:
            if stripped.endswith("# END PROMPT"):
                in_prompt = False
            continue
        if stripped.endswith("# SOLUTION NO PROMPT"):
            line = stripped[: -len("# SOLUTION NO PROMPT")].rstrip()
        elif re.search(r"#\s*SOLUTION\s*$", stripped):
            line = re.sub(r"\s*#\s*SOLUTION\s*$", "", stripped)
        kept.append(line)
    return "\n".join(kept).strip("\n")


def master_answers(master: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """(question, reference answer) for every code solution cell of the master, in order."""
    found, question, inside = [], None, False
    for cell in master.cells:
        src = cell.source.strip()
        if cell.cell_type == "raw" and src.startswith("# BEGIN QUESTION"):
            m = re.search(r"^name:\s*(\S+)", src, re.MULTILINE)
            question = m.group(1) if m else None
        elif cell.cell_type == "raw" and src == "# BEGIN SOLUTION":
            inside = True
        elif cell.cell_type == "raw" and src == "# END SOLUTION":
            inside = False
        elif inside and cell.cell_type == "code":
            found.append((question, reference_answer(cell.source)))
    return found


def has_exercises(notebook: Path) -> bool:
    """True when the master notebook carries otter's assignment config cell."""
    nb = nbformat.read(notebook, as_version=4)
    return any(c.cell_type == "raw" and c.source.lstrip().startswith(CONFIG_MARK) for c in nb.cells)


def _otter() -> list[str]:
    return [sys.executable, "-m", "otter"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_instructor(cell) -> bool:
    return INSTRUCTOR_TAG in (cell.get("metadata", {}).get("tags") or [])


def _hidden_test_names(master: nbformat.NotebookNode) -> list[str]:
    """Names of the hidden test functions (cells whose first line is ``# HIDDEN``)."""
    names = []
    for cell in master.cells:
        lines = cell.source.strip().splitlines() if cell.cell_type == "code" else []
        if lines and lines[0].strip().lower().startswith("# hidden"):
            for node in ast.parse("\n".join(lines)).body if _parses(lines) else []:
                if isinstance(node, ast.FunctionDef):
                    names.append(node.name)
    return names


def _parses(lines: list[str]) -> bool:
    try:
        ast.parse("\n".join(lines))
    except SyntaxError:
        return False
    return True


def leaks(student: nbformat.NotebookNode, master: nbformat.NotebookNode | None = None) -> list[str]:
    """What a student copy must not carry: instructor cells, "(Answer:" text, hidden tests
    (and, given the master, its solution lines and instructor text: ``text_leaks``)."""
    found = []
    for i, cell in enumerate(student.cells):
        if _is_instructor(cell):
            found.append(f"cell {i} is tagged {INSTRUCTOR_TAG!r}")
        if "(Answer:" in cell.source:
            found.append(f"cell {i} contains '(Answer:'")
        if cell.source.lstrip().lower().startswith("# hidden"):
            found.append(f"cell {i} is a hidden test")
    # cells and metadata (otter keeps tests in the metadata), and the cells as typed
    text = json.dumps(student) + "\n" + "\n".join(c.source for c in student.cells)
    return found + text_leaks(text, master, where="the notebook")


def text_leaks(
    text: str, master: nbformat.NotebookNode | None = None, where: str = "the text", notes: bool = True
) -> list[str]:
    """What any text a learner reads (a student copy, a page of the book) must not hold: "(Answer:"
    text, a hidden test or its name; given the master, a solution line or an instructor cell's
    sentence (``withheld_lines``; ``notes=False`` lets its "For instructors" notes through)."""
    found = []
    if "(Answer:" in text:
        found.append(f"'(Answer:' is in {where}")
    if "# HIDDEN" in text:
        found.append(f"a hidden test ('# HIDDEN') is in {where}")
    if master is None:
        return found
    for name in _hidden_test_names(master):
        if re.search(rf"\b{re.escape(name)}\b", text):
            found.append(f"hidden test {name} is in {where}")
    flat = " ".join(text.split())
    found += [f"withheld text is in {where}: {line[:80]!r}" for line in withheld_lines(master, notes)
              if line in flat]
    return found


_SOLUTION_MARK = re.compile(r"\s*#\s*SOLUTION(?: NO PROMPT)?\s*$")


def withheld_lines(master: nbformat.NotebookNode, notes: bool = True) -> list[str]:
    """Text only the master holds, whitespace-normalised: each solution line (marked ``# SOLUTION``,
    20+ characters, not part of an unmarked line) and each sentence (40+ characters, markdown
    marks dropped) of an ``instructor`` cell; with ``notes=False`` not those of its "## For
    instructors" notes. A solution line ``name = <constant>`` (an answer value) counts at any length."""
    public = " ".join(" ".join(ln.split()) for c in master.cells for ln in c.source.splitlines()
                      if not _SOLUTION_MARK.search(ln))
    found: list[str] = []
    for cell in master.cells:
        for line in cell.source.splitlines() if cell.cell_type == "code" else []:
            if _SOLUTION_MARK.search(line):
                flat = " ".join(_SOLUTION_MARK.sub("", line).split())
                if (len(flat) >= 20 or _is_literal_answer(flat)) and flat not in public:
                    found.append(flat)
        if _is_instructor(cell) and (notes or not cell.source.strip().startswith("## For instructors")):
            plain = " ".join(re.sub(r"[*`#]", "", cell.source).split())
            found += [s.strip() for s in re.split(r"(?<=[.:;!?])\s", plain) if len(s.strip()) >= 40]
    return list(dict.fromkeys(found))


def _is_literal_answer(line: str) -> bool:
    """``name = <constant>``: a solution line that is an answer value (``first_fix = "a"``)."""
    try:
        node = ast.parse(line).body
    except SyntaxError:
        return False
    return (len(node) == 1 and isinstance(node[0], ast.Assign)
            and isinstance(node[0].value, ast.Constant) and node[0].value.value is not None)


def clean_student_copy(path: Path, master: nbformat.NotebookNode) -> None:
    """Strip instructor cells, set the course kernel; raise if anything instructor-only is left."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if not (c.cell_type == "markdown" and _is_instructor(c))]
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    problems = leaks(nb, master)
    if problems:
        raise RuntimeError(f"student copy {path} is not fit for learners: " + "; ".join(problems))
    nbformat.write(nb, path)


def build(notebooks: Path = Path("notebooks"), out: Path = BUILD) -> list[Path]:
    """Run ``otter assign`` on every lesson with exercises; copy student notebooks to out/student.

    Student copies lose the markdown cells tagged ``instructor`` and use the course kernel; the
    build fails if a copy still holds "(Answer:" text, an instructor cell or a hidden test.
    Notebooks without exercises are copied likewise. Existing files in out/student are kept: they
    may hold a learner's answers (``refresh`` replaces them, keeping the old copy). Writes
    ``out/otter/autograders.json`` (lesson -> autograder zip) and records each master's hash in
    ``out/student/.versions.json``. Returns the student notebooks written.
    """
    student_dir = out / "student"
    student_dir.mkdir(parents=True, exist_ok=True)
    fresh_dir = out / "fresh"
    fresh_dir.mkdir(parents=True, exist_ok=True)
    versions = _read_versions(out)
    autograders: dict[str, str] = {}
    written = []
    for master in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
        target = student_dir / master.name
        master_nb = nbformat.read(master, as_version=4)
        fresh = fresh_dir / master.name
        if has_exercises(master):
            lesson_dir = out / "otter" / master.stem
            shutil.rmtree(lesson_dir, ignore_errors=True)
            result = subprocess.run(
                [*_otter(), "assign", "--no-pdfs", str(master), str(lesson_dir)],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise RuntimeError(
                    f"otter assign failed for {master.name}:\n{result.stdout}\n{result.stderr}"
                )
            shutil.copy(lesson_dir / "student" / master.name, fresh)
            autograders[master.stem] = str(_find_zip(lesson_dir))
        else:
            shutil.copy(master, fresh)
        clean_student_copy(fresh, master_nb)
        if not target.exists():
            shutil.copy(fresh, target)
            versions[master.name] = _sha(master)
            written.append(target)
    (out / "otter").mkdir(parents=True, exist_ok=True)
    (out / "otter" / "autograders.json").write_text(json.dumps(autograders, indent=1) + "\n")
    _write_versions(out, versions)
    return written


def _read_versions(out: Path) -> dict[str, str]:
    path = out / "student" / VERSIONS
    return json.loads(path.read_text()) if path.exists() else {}


def _write_versions(out: Path, versions: dict[str, str]) -> None:
    (out / "student" / VERSIONS).write_text(json.dumps(versions, indent=1, sort_keys=True) + "\n")


def stale(notebooks: Path = Path("notebooks"), out: Path = BUILD) -> list[str]:
    """Lesson files whose master changed since the learner's copy was made."""
    versions = _read_versions(out)
    found = []
    for master in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
        copy = out / "student" / master.name
        if not copy.exists():
            continue
        recorded = versions.get(master.name)
        if recorded is None:
            newer = master.stat().st_mtime > copy.stat().st_mtime
        else:
            newer = recorded != _sha(master)
        if newer:
            found.append(master.name)
    return found


def status(notebooks: Path = Path("notebooks"), out: Path = BUILD) -> int:
    """Print which learner copies are older than their master, and the command that refreshes."""
    names = stale(notebooks, out)
    for name in names:
        print(
            f"NOTE: {notebooks / name} is newer than your copy {out / 'student' / name}.",
            flush=True,
        )
    if names:
        print(
            "      Run `make refresh` to bring in the new copies; yours are kept beside them "
            "as <name>.YYYY-MM-DDTHHMM.ipynb (nothing you typed is deleted).",
            flush=True,
        )
    return len(names)


def refresh(notebooks: Path = Path("notebooks"), out: Path = BUILD) -> list[tuple[Path, Path]]:
    """Replace each stale learner copy by the new one; the old one is kept, timestamped.

    Returns (kept old copy, new copy) pairs. Never deletes a file.
    """
    names = stale(notebooks, out)
    build(notebooks, out)
    versions = _read_versions(out)
    moved = []
    stamp = datetime.datetime.now().strftime("%Y-%m-%dT%H%M")
    for name in names:
        copy = out / "student" / name
        stem = Path(name).stem
        kept = copy.with_name(f"{stem}.{stamp}.ipynb")
        n = 2
        while kept.exists():
            kept = copy.with_name(f"{stem}.{stamp}-{n}.ipynb")
            n += 1
        copy.rename(kept)
        shutil.copy(out / "fresh" / name, copy)
        versions[name] = _sha(notebooks / name)
        moved.append((kept, copy))
    _write_versions(out, versions)
    return moved


def _find_zip(lesson_dir: Path) -> Path:
    zips = sorted((lesson_dir / "autograder").glob("*-autograder_*.zip"))
    if not zips:
        raise FileNotFoundError(f"otter assign made no autograder zip in {lesson_dir / 'autograder'}")
    return zips[-1]


def autograder_zip(lesson: str, out: Path = BUILD) -> Path:
    """The autograder zip ``otter assign`` made for ``lesson`` (named in autograders.json)."""
    index = out / "otter" / "autograders.json"
    if index.exists():
        recorded = json.loads(index.read_text()).get(lesson)
        if recorded and Path(recorded).exists():
            return Path(recorded)
    zips = sorted((out / "otter" / lesson / "autograder").glob("*-autograder_*.zip"))
    if not zips:
        raise FileNotFoundError(
            f"no autograder for lesson {lesson!r} in {out / 'otter'}; run `make student` "
            "(python -m tools.grading build) first."
        )
    return zips[-1]


def questions(lesson: str, out: Path = BUILD) -> dict[str, float]:
    """Question name -> points, read from the autograder's test files."""
    found: dict[str, float] = {}
    with zipfile.ZipFile(autograder_zip(lesson, out)) as zf:
        for name in sorted(zf.namelist()):
            if name.startswith("tests/") and name.endswith(".py"):
                tree = ast.parse(zf.read(name).decode())
                simple: dict[str, object] = {}
                cases = 0
                for node in tree.body:
                    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                        target = node.targets[0].id
                        if target == "test":  # doctest (OK) format: one dict
                            spec = ast.literal_eval(node.value)
                            found[spec["name"]] = float(spec.get("points") or 1)
                        elif target in ("name", "points"):
                            simple[target] = ast.literal_eval(node.value)
                    elif isinstance(node, ast.FunctionDef):
                        cases += 1
                if "name" in simple:  # exception-based format: module-level name and points
                    pts = simple.get("points")
                    found[str(simple["name"])] = float(pts if pts is not None else max(cases, 1))
    return found


def lesson_of(submission: Path) -> str:
    """The lesson a submitted notebook belongs to: otter's metadata, else the file name."""
    try:
        nb = nbformat.read(submission, as_version=4)
        name = nb.metadata.get("otter", {}).get("assignment_name")
        if name:
            return str(name)
    except Exception:  # unreadable: fall back to the name, grading will report it
        pass
    return submission.stem


def grade_one(
    submission: Path, out: Path = BUILD, timeout: float = 180.0, threads: int | None = None
) -> list[Row]:
    """Grade one notebook with ``otter run``; a crash or a time-out gives 0 with a message.

    ``threads`` caps the math libraries' threads in the grading kernel: several gradings at
    once, each spinning one thread per core, slow each other down many times over.
    """
    lesson = lesson_of(submission)
    points = questions(lesson, out)
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [
                *_otter(),
                "run",
                "--no-logo",
                "-a",
                str(autograder_zip(lesson, out).resolve()),
                "-o",
                tmp,
                str(submission.resolve()),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            cwd=tmp,
            env={**os.environ, **QUIET_ENV, **_thread_env(threads)},
        )
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the kernel too
            proc.communicate()
            return _zeros(submission, lesson, points, f"grading stopped after {timeout:.0f} s (time limit)")
        results_file = Path(tmp) / "results.json"
        if not results_file.exists():
            tail = " ".join(log.strip().splitlines()[-3:])[:300]
            return _zeros(submission, lesson, points, f"otter could not grade it: {tail}")
        results = json.loads(results_file.read_text())
    by_name = {t["name"]: t for t in results.get("tests", [])}
    rows = []
    for q, max_points in points.items():
        test = by_name.get(q, {})
        score = float(test.get("score") or 0.0)
        message = "" if score >= max_points else _first_failure(test.get("output", "no result"))
        rows.append(
            Row(submission.name, lesson, q, score, float(test.get("max_score") or max_points), message)
        )
    return rows


def _thread_env(threads: int | None) -> dict[str, str]:
    if threads is None:
        return {}
    n = str(max(1, int(threads)))
    return {"OMP_NUM_THREADS": n, "MKL_NUM_THREADS": n, "OPENBLAS_NUM_THREADS": n}


_FAILURE_LINE = re.compile(r"^(?:[A-Za-z_.]*(?:Error|Exception|NotAnswered|CheckFailed)): (.+)$")


def _first_failure(output: str) -> str:
    """The one line a learner can act on: the first exception's message (ours start with "qN:")."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for ln in lines:
        m = _FAILURE_LINE.match(ln)
        if m:
            return m.group(1)[:300]
    for ln in lines:
        if "Error:" in ln:
            return ln[:300]
    return " ".join(lines)[:300]


def _zeros(submission: Path, lesson: str, points: dict[str, float], message: str) -> list[Row]:
    return [Row(submission.name, lesson, q, 0.0, p, message) for q, p in points.items()]


def grade(
    submissions: Path,
    out_csv: Path = BUILD / "grades.csv",
    out: Path = BUILD,
    timeout: float = 180.0,
    jobs: int = 1,
) -> list[Row]:
    """Grade every .ipynb in ``submissions`` (``jobs`` at a time); write one CSV with a TOTAL row each."""
    files = sorted(submissions.glob("*.ipynb"))
    if not files:
        raise FileNotFoundError(f"no .ipynb files in {submissions}")
    return grade_files(files, out_csv, out, timeout, jobs)


def grade_files(
    files: list[Path],
    out_csv: Path | None = BUILD / "grades.csv",
    out: Path = BUILD,
    timeout: float = 180.0,
    jobs: int = 1,
    quiet: bool = False,
) -> list[Row]:
    """Grade the given notebooks (``jobs`` at a time); rows with a TOTAL row each; CSV if asked."""
    from concurrent.futures import ThreadPoolExecutor

    if jobs < 1:
        raise ValueError(f"jobs must be >= 1; got {jobs}.")
    if not quiet:
        print(f"grading {len(files)} notebooks, {jobs} at a time ...", flush=True)
    threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else None
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        graded_all = list(pool.map(lambda p: grade_one(p, out, timeout, threads), files))
    rows: list[Row] = []
    for path, graded in zip(files, graded_all, strict=True):
        rows += graded
        rows.append(
            Row(
                path.name,
                graded[0].lesson if graded else lesson_of(path),
                "TOTAL",
                sum(r.score for r in graded),
                sum(r.max_score for r in graded),
            )
        )
    if out_csv is not None:
        out_csv.parent.mkdir(parents=True, exist_ok=True)
        with out_csv.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["submission", "lesson", "question", "score", "max_score", "message"])
            for r in rows:
                writer.writerow([r.submission, r.lesson, r.question, r.score, r.max_score, r.message])
    return rows


def learner_copies(out: Path = BUILD) -> list[Path]:
    """The learner's graded copies in out/student (not the timestamped old ones)."""
    index = out / "otter" / "autograders.json"
    lessons = json.loads(index.read_text()) if index.exists() else {}
    return [
        out / "student" / f"{lesson}.ipynb"
        for lesson in sorted(lessons)
        if (out / "student" / f"{lesson}.ipynb").exists()
    ]


def score(out: Path = BUILD, timeout: float = 300.0, jobs: int = 2) -> list[Row]:
    """Grade the learner's own copies in out/student; print per-question and total scores."""
    files = learner_copies(out)
    if not files:
        raise FileNotFoundError(f"no graded lessons in {out / 'student'}: run `make student` first.")
    print(f"grading your copies in {out / 'student'} ({len(files)} lessons, about 40 s each) ...", flush=True)
    rows = grade_files(files, out / "score.csv", out, timeout, jobs, quiet=True)
    total = maxi = 0.0
    for r in rows:
        if r.question == "TOTAL":
            print(f"  {'total':<10} {r.score:g} / {r.max_score:g}\n")
            total, maxi = total + r.score, maxi + r.max_score
            continue
        if r.question == next(x.question for x in rows if x.lesson == r.lesson):
            print(r.lesson)
        note = f"  {r.message}" if r.message else ""
        print(f"  {r.question:<10} {r.score:g} / {r.max_score:g}{note}")
    print(f"all lessons: {total:g} / {maxi:g}   (per question in {out / 'score.csv'})")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Student copies and local grading with otter-grader.")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="student copies and autograders into build/")
    b.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    g = sub.add_parser("grade", help="grade a folder of submissions, each in its own sandbox, into one CSV")
    g.add_argument("submissions", type=Path)
    g.add_argument("--out", type=Path, default=BUILD / "grades.csv")
    g.add_argument("--notebooks", type=Path, default=Path("notebooks"), help="the masters (trusted values)")
    g.add_argument("--timeout", type=float, default=900.0, help="wall-clock seconds per submission")
    g.add_argument("--jobs", type=int, default=None, help="submissions graded at once (default: cores)")
    g.add_argument("--memory-gb", type=float, default=6.0, help="memory per process in the sandbox")
    g.add_argument("--cpu-seconds", type=int, default=600, help="CPU seconds per process")
    g.add_argument("--processes", type=int, default=256, help="processes and threads per sandbox")
    g.add_argument(
        "--unsandboxed",
        action="store_true",
        help="no sandbox (a self-check of notebooks you trust; never for submissions)",
    )
    rp = sub.add_parser("report", help="the class report (HTML) from a grades CSV, without grading again")
    rp.add_argument("grades", type=Path, nargs="?", default=BUILD / "grades.csv")
    rp.add_argument("--out", type=Path, default=None, help="default: beside the CSV, as .html")
    sc = sub.add_parser("score", help="grade your own copies in build/student")
    sc.add_argument("--jobs", type=int, default=2)
    sub.add_parser("kernel", help="install the course kernel into this environment")
    for name, text in (
        ("status", "say which of your copies are older than their master"),
        ("refresh", "bring in new copies; keep your old ones beside them"),
    ):
        sp = sub.add_parser(name, help=text)
        sp.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    args = parser.parse_args(argv)
    if args.command == "kernel":
        kdir = install_kernel()
        print(f"kernel {KERNEL_DISPLAY!r} installed in {kdir}")
        return 0
    if args.command == "build":
        written = build(args.notebooks)
        print(f"student copies in {BUILD / 'student'} ({len(written)} new); autograders in {BUILD / 'otter'}")
        return 0
    if args.command == "status":
        status(args.notebooks)
        return 0
    if args.command == "refresh":
        moved = refresh(args.notebooks)
        for kept, new in moved:
            print(f"{new}: new copy; your old one is kept as {kept}")
        if not moved:
            print("your copies are up to date")
        return 0
    if args.command == "report":
        from tools.grading import report

        try:
            print(f"class report: {report.write(args.grades, args.out)}")
        except (FileNotFoundError, ValueError) as exc:
            print(exc, file=sys.stderr)
            return 2
        return 0
    if args.command == "score":
        score(jobs=args.jobs)
        return 0
    from tools.grading import sandbox, sandboxed

    limits = sandbox.Limits(
        memory_bytes=int(args.memory_gb * (1 << 30)),
        cpu_seconds=args.cpu_seconds,
        processes=args.processes,
        wall_seconds=args.timeout,
    )
    try:
        sandboxed.grade_folder(
            args.submissions, args.out, BUILD, args.notebooks, args.jobs, limits, unsandboxed=args.unsandboxed
        )
    except sandboxed.GradingError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
