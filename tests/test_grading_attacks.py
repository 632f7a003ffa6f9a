"""Crafted attacks on the grader (issue 15), graded in ONE sandboxed run beside honest submissions.

Every attack must score no more than the untouched student copy, with a message; the honest
submissions keep full marks; two copies holding the recorded wrong answers (tests/wrong_answers)
lose the points of each; the run finishes within its budget; afterwards no process of the run is
alive, and build/, the other submissions and the CSV are as the grader left them. The class
report the run wrote beside the CSV shows every file, escaped, with the class's named mistakes.
Slow (the lesson runs once per submission): ``make test-grading`` (marker ``grading``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import runpy
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from notebook_helpers import master_answers
from report_helpers import assert_self_contained, page_text

from tools.grading import answers as A
from tools.grading import bwrap, grade, report, results

pytestmark = [
    pytest.mark.grading,
    pytest.mark.skipif(bwrap.bwrap_path() is None, reason="bubblewrap (bwrap) is not installed"),
]

LESSON = os.environ.get("ATTACK_LESSON", "05_sliding_window_lab")  # the fastest graded lesson
NOTEBOOKS = Path(__file__).parent.parent / "notebooks"
MARK = "attack4242"  # in the command line of every process an attack leaves behind
BUDGET_S = float(os.environ.get("ATTACK_BUDGET_S", 900))
JOBS = int(os.environ.get("ATTACK_JOBS", 2))
WRONG_DIR = Path(__file__).parent / "wrong_answers"
MISTAKES = 2  # copies holding the 1st, 2nd ... recorded wrong answer of every question


def _attacks(build: Path, subs: Path, csv_path: Path) -> dict[str, tuple[str, str]]:
    """name -> (attack cell source, a word the message must contain; "" = any message)."""
    ag = build / "otter" / LESSON / "autograder"
    return {
        "patched_checks": (
            "import otter.test_files.ok_test as _m\n"
            "_m.run_doctest = lambda n, s, g: (True, '')\n"
            "import otter.test_files.exception_test as _e\n"
            "_e.test_case.call_func = lambda self, env: None\n"
            "from lessons_lib import exercises as _x\n"
            "for _n in dir(_x):\n"
            "    if _n.startswith('check_'):\n"
            "        setattr(_x, _n, lambda *a, **k: None)",
            "",
        ),
        "rewritten_results": (
            "import json, os\n"
            "def _rig(result=None):\n"
            "    for p in ['/tmp/out/answers.json', '/tmp/out/results.json', 'results.json']:\n"
            "        try:\n"
            "            open(p, 'w').write(json.dumps({'tests': [{'name': 'q1', 'score': 200}],\n"
            "                                            'values': {'ar_cv_mse': 200}}))\n"
            "        except OSError:\n"
            "            pass\n"
            "    open('/tmp/out/status.json', 'w').write('{\"finished\": true, \"violation\": null}')\n"
            "get_ipython().events.register('post_run_cell', _rig)",
            "",
        ),
        "redefined_data": (
            "import numpy as np\n"
            "y = y_val = y_train = y_fit = np.zeros(10)\n"
            "X_train = X_val = np.zeros((10, 16, 1))\n"
            "ar_cv_mse = 0.0\n"
            "Xs_val = np.zeros((10, 16, 1))",
            "",
        ),
        "reads_hidden_tests": (
            "import glob\n"
            "found = []\n"
            f"for pat in ['tests/*.py', '/tmp/**/*.py', '/grader/**', '{ag}/*', '{build}/**/*.zip',\n"
            "            '/work/**/*autograder*.zip', '/root/**/*autograder*.zip', '/home/**/*.zip']:\n"
            "    found += glob.glob(pat, recursive=True)\n"
            "hidden = [open(p, errors='replace').read()[:100] for p in found if p.endswith('.py')]\n"
            "print(len(found), 'files found')",
            "",
        ),
        "writes_build": (
            "import os\n"
            f"for p in ['{ag}/{LESSON}-autograder_9999_rigged.zip', '{build}/otter/autograders.json',\n"
            f"          '{build}/student/{LESSON}.ipynb']:\n"
            "    try:\n"
            "        os.makedirs(os.path.dirname(p), exist_ok=True)\n"
            "        open(p, 'w').write('rigged')\n"
            "    except OSError as exc:\n"
            "        print('refused:', exc)",
            "",
        ),
        "sibling_submission": (
            "import os, glob\n"
            "for pid in os.listdir('/proc'):\n"
            "    try:\n"
            "        print(open(f'/proc/{pid}/cmdline').read()[:200])\n"
            "    except OSError:\n"
            "        pass\n"
            f"for p in ['{subs}/honest_a.ipynb', *glob.glob('{subs}/*')]:\n"
            "    try:\n"
            "        open(p, 'w').write('{}')\n"
            "        os.remove(p)\n"
            "    except OSError as exc:\n"
            "        print('refused:', exc)",
            "",
        ),
        "detached_process": (
            "import subprocess, sys\n"
            "code = ('import time, os\\ntime.sleep(4)\\n'\n"
            f'        \'open("{csv_path}", "w").write("all zeros")\\n\'\n'
            f"        'time.sleep(600)  # {MARK}')\n"
            "subprocess.Popen(['setsid', sys.executable, '-c', code], start_new_session=True,\n"
            "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
            f"subprocess.Popen(['setsid', 'sh', '-c', 'sleep 600 # {MARK}'])",
            "",
        ),
        "fork_loop": (
            "import os, time\n"
            "for _ in range(100000):\n"
            "    if os.fork() == 0:\n"
            "        time.sleep(600)\n"
            "        os._exit(0)",
            "process limit",
        ),
        "large_allocation": ("import numpy as np\nbig = np.ones(2**30)  # 8 GiB", "memory limit"),
        "output_flood": ("for _ in range(10**6):\n    print('x' * 200)", "output size limit"),
        "c_loop": ("sum(range(10**13))", "limit"),
        "kills_parent": (
            "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(1, signal.SIGKILL)",
            "",
        ),
    }


def _tree_hash(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _leftover_processes() -> list[str]:
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            uid = int(
                next(ln for ln in (d / "status").read_text().splitlines() if ln.startswith("Uid:")).split()[1]
            )
        except (OSError, StopIteration, ValueError):
            continue
        if MARK in cmd or bwrap.UID_BASE <= uid < bwrap.UID_BASE + 64:
            found.append(f"{d.name} uid {uid}: {cmd[:120]}")
    return found


def _filled(student: nbformat.NotebookNode, master: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(json.loads(json.dumps(student)))
    slots = [
        c for c in nb.cells if c.cell_type == "code" and "otter_answer_cell" in c.metadata.get("tags", [])
    ]
    for slot, (_, answer) in zip(slots, master_answers(master), strict=True):
        slot.source = answer
    return nb


def _with_mistakes(honest: nbformat.NotebookNode, master: nbformat.NotebookNode, k: int) -> tuple:
    """The honest copy with the k-th recorded wrong answer of every question that has one; the questions."""
    wrong = runpy.run_path(str(WRONG_DIR / f"{LESSON}.py"))["WRONG"]
    nb = nbformat.from_dict(json.loads(json.dumps(honest)))
    slots = [
        c for c in nb.cells if c.cell_type == "code" and "otter_answer_cell" in c.metadata.get("tags", [])
    ]
    changed = []
    for slot, (q, _) in zip(slots, master_answers(master), strict=True):
        if k < len(wrong.get(q, [])):
            slot.source = wrong[q][k]["code"]
            changed.append(q)
    return nb, changed


def _with_cell(nb: nbformat.NotebookNode, source: str, at: int = 2) -> nbformat.NotebookNode:
    """A copy of ``nb`` with the attack's cell at ``at``: by default after the imports (it runs early)."""
    out = nbformat.from_dict(json.loads(json.dumps(nb)))
    out.cells.insert(at if at >= 0 else len(out.cells), nbformat.v4.new_code_cell(source))
    return out


#: The spy who fills in what it finds, as the last cell of an untouched copy: it wraps every function
#: of lessons_lib, exercises and instant_check, runs every question's check, gathers every number the
#: checks passed around and every number in the files within its reach (its folder, home, the
#: package, /tmp), and then uses grader.check as an oracle: each answer takes, in turn, the numbers
#: found (files first) for 2 s, and keeps the first that passes. Where no checker answers (the grading
#: sandbox), none can; with the local checker and the answer in a file beside the notebook, it finds it.
SPY_AND_GUESS = r'''
import functools, glob, os, re, time, types
import numpy as np
import lessons_lib, lessons_lib.exercises, lessons_lib.instant_check
QUESTIONS = __QUESTIONS__
_seen, _nums = [], {}  # every number found, in the order found
def _wrap(owner, name, f):
    @functools.wraps(f)
    def spy(*a, **k):
        _seen.append((a, k))
        out = f(*a, **k)
        _seen.append(out)
        return out
    setattr(owner, name, spy)
for _m in (lessons_lib, lessons_lib.exercises, lessons_lib.instant_check):
    for _n, _f in list(vars(_m).items()):
        if isinstance(_f, types.FunctionType):
            _wrap(_m, _n, _f)
def _gather(v, depth=0):
    if depth > 6:
        return
    if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
        _nums.setdefault(float(v))
    elif isinstance(v, np.ndarray) and v.dtype.kind in "fi" and v.size <= 64:
        _nums.update(dict.fromkeys(v.astype(float).ravel().tolist()))
    elif isinstance(v, str):
        _nums.update(dict.fromkeys(float(t) for t in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", v)))
    elif isinstance(v, (list, tuple, set, dict)):
        for x in (v.items() if isinstance(v, dict) else v):
            _gather(x, depth + 1)
    elif isinstance(v, BaseException):
        _gather(str(v), depth + 1)
def _passes(q):
    try:
        return bool(grader.check(q).passed_all_public)
    except Exception:
        return False
for _q in QUESTIONS:
    _passes(_q)
_roots = [os.getcwd(), os.path.expanduser("~"), os.path.dirname(lessons_lib.__file__), "/tmp"]
for _p in [f for r in _roots for f in glob.glob(os.path.join(r, "**", "*"), recursive=True)][:3000]:
    try:
        if os.path.isfile(_p) and os.path.getsize(_p) < 2_000_000:
            _gather(np.load(_p) if _p.endswith(".npy") else open(_p, errors="replace").read())
    except Exception:
        pass
_gather(_seen)  # after the files: what the checks passed around
_found = list(_nums)
print(len(_found), "numbers found")
for _q, _names in QUESTIONS.items():
    for _name in _names:
        _until = time.monotonic() + 2  # 2 s of guessing per answer
        for _x in _found:
            globals()[_name] = _x
            if time.monotonic() > _until or _passes(_q):
                break
        else:
            globals()[_name] = None
'''


def test_attacks_score_no_more_than_an_untouched_copy(built, tmp_path):
    subs, csv_path = tmp_path / "submissions", tmp_path / "grades" / "grades.csv"
    subs.mkdir()
    student = nbformat.read(built / "fresh" / f"{LESSON}.ipynb", as_version=4)
    master = nbformat.read(NOTEBOOKS / f"{LESSON}.ipynb", as_version=4)
    honest = _filled(student, master)
    nbformat.write(honest, subs / "honest_a.ipynb")
    nbformat.write(honest, subs / f"honest_b_{LESSON}.ipynb")
    nbformat.write(student, subs / "untouched.ipynb")
    mistaken = {}
    for k in range(MISTAKES):
        nb, mistaken[f"mistakes_{k}.ipynb"] = _with_mistakes(honest, master, k)
        nbformat.write(nb, subs / f"mistakes_{k}.ipynb")
    attacks = _attacks(built, subs, csv_path)
    for name, (source, _) in attacks.items():
        nbformat.write(_with_cell(student, source), subs / f"{name}.ipynb")
    questions = A.question_answer_names(student)
    spy = SPY_AND_GUESS.replace("__QUESTIONS__", repr(questions))
    nbformat.write(_with_cell(student, spy, at=-1), subs / "spy_and_guess.ipynb")
    (subs / "not_json.ipynb").write_text("this is not JSON {")
    (subs / "empty.ipynb").write_bytes(b"")
    meta = nbformat.from_dict(json.loads(json.dumps(student)))
    meta.metadata["otter"]["assignment_name"] = str(built / "otter" / LESSON / ".." / ".." / "rigged")
    nbformat.write(meta, subs / f"metadata_path_{LESSON}.ipynb")
    nbformat.write(student, subs / "wrong_lesson_01_failing_setup.ipynb")
    buf = io.StringIO()
    nbformat.write(student, buf)
    with zipfile.ZipFile(subs / "bundle.zip", "w") as zf:
        zf.writestr(f"../../{LESSON}.ipynb", buf.getvalue())
    expect_words = {name: word for name, (_, word) in attacks.items()}
    expect_words |= {
        "not_json.ipynb": "not a notebook",
        "empty.ipynb": "empty file",
        f"metadata_path_{LESSON}.ipynb": "ignored",
        "wrong_lesson_01_failing_setup.ipynb": "file name says",
    }

    build_before = _tree_hash(built)
    subs_before = _tree_hash(subs)
    limits = bwrap.Limits(cpu_seconds=90, wall_seconds=300, memory_bytes=6 << 30)
    start = time.monotonic()
    rows = grade.grade_folder(subs, csv_path, built, NOTEBOOKS, jobs=JOBS, limits=limits)
    seconds = time.monotonic() - start
    csv_after_run = csv_path.read_text()
    time.sleep(6)  # the detached process would rewrite the CSV 4 s after it started

    totals = {r.submission: r for r in rows if r.question == "TOTAL"}
    by_sub: dict[str, list] = {}
    for r in rows:
        by_sub.setdefault(r.submission, []).append(r)
    table = "\n".join(f"{s}: {r.score:g}/{r.max_score:g} {r.message}" for s, r in totals.items())
    print("\n" + table)
    untouched = totals["untouched.ipynb"].score
    for name in ("honest_a.ipynb", f"honest_b_{LESSON}.ipynb"):
        assert totals[name].score == totals[name].max_score > 0, f"{name}: {totals[name]}\n{table}"
    for sub, r in totals.items():
        if sub.startswith("honest") or sub in mistaken or sub == "untouched.ipynb":
            continue
        assert r.score <= untouched, f"{sub} scores {r.score} > untouched {untouched}\n{table}"
        messages = " ".join(x.message for x in by_sub[sub])
        assert messages.strip(), f"{sub}: no message\n{table}"
        word = expect_words.get(sub.removesuffix(".ipynb"), expect_words.get(sub, ""))
        assert word in messages, f"{sub}: message lacks {word!r}: {messages[:300]}"
    assert any(s.startswith("bundle.zip:") for s in totals), f"the zip was not unpacked\n{table}"
    assert len(by_sub[f"metadata_path_{LESSON}.ipynb"]) > 1, (
        "the metadata-path copy was not graded by its name"
    )
    assert seconds < BUDGET_S, f"the run took {seconds:.0f} s (budget {BUDGET_S:.0f} s)"
    run = json.loads(results.info_path(csv_path).read_text())["run"]
    print(
        f"graded {len(totals)} files in {run['seconds']:.0f} s; with the "
        f"class report {seconds:.0f} s"
    )
    _assert_report(csv_path, rows, mistaken)
    for sub, questions in mistaken.items():
        print(
            "\n".join(
                f"{sub} {r.question}: {r.score:g}/{r.max_score:g} {r.message[:100]}" for r in by_sub[sub]
            )
        )
        lost = [r.question for r in by_sub[sub] if r.question in questions and r.score < r.max_score]
        assert questions and lost == questions, f"{sub}: wrong answers to {questions}, points lost on {lost}"
    assert not _leftover_processes(), f"processes of the run still alive: {_leftover_processes()}"
    assert _tree_hash(built) == build_before, "build/ changed during grading"
    assert _tree_hash(subs) == subs_before, "a submission changed during grading"
    assert csv_path.read_text() == csv_after_run, "the CSV changed after the grader wrote it"
    with open(csv_path) as fh:
        written = list(csv.reader(fh))
    assert len(written) == len(rows) + 1


def _assert_report(csv_path: Path, rows: list, mistaken: dict) -> None:
    """The class report the run wrote: every file shown (names escaped), the graded ones with their
    seconds, the ungradable with their reason, runs stopped by a limit told apart, and the recorded
    wrong answers' named mistakes among the class's misconceptions."""
    page = csv_path.with_suffix(".html").read_text()
    assert_self_contained(page)
    text = page_text(page)
    info = {s["name"]: s for s in json.loads(results.info_path(csv_path).read_text())["submissions"]}
    totals = {r.submission: r for r in rows if r.question == "TOTAL"}
    assert len(totals) >= 20 and set(info) == set(totals)
    graded = {r.submission for r in rows if r.question != "TOTAL"}
    for name, total in totals.items():
        if name in graded:
            seconds = info[name]["seconds"]
            assert seconds > 0, name
            assert f"{name} {LESSON} {total.score:g} / {total.max_score:g} {seconds:.0f}" in text, name
        else:
            assert f"{name} {total.lesson or '–'} {' '.join(total.message.split())}" in text, name
    for name in ("large_allocation.ipynb", "fork_loop.ipynb", "output_flood.ipynb"):
        note = " ".join(info[name]["note"].split())
        assert note and f"run stopped {note}" in text, name
    assert "file name says" in info["wrong_lesson_01_failing_setup.ipynb"]["flags"][0]
    named = [
        report.mask(r.message, r.question)[0]
        for r in rows
        if r.submission in mistaken and r.score < r.max_score and report.kind(r.message, False) == "named"
    ]
    assert named, "no wrong answer's message names its mistake"
    for key in named:
        assert all(part in text for part in key.split(report.MASK)), key
