"""Student copies: ``python -m tools.grading build`` (``make student``), ``status``, ``refresh``.

``build`` runs ``otter assign`` on every lesson with exercises and writes, under ``build/``: the
autograders (``otter/<lesson>/``, indexed in ``otter/autograders.json``), the fresh student copies
(``fresh/``) and the learner's copies (``student/``, never overwriting a learner's work); a copy
that still holds anything instructor-only (``leaks``) stops the build. ``status`` says which copies
are older than their master, ``refresh`` brings the new ones in and keeps the old ones beside them.
"""

from __future__ import annotations

import ast
import datetime
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from tools import BUILD, kernel, lesson_notebooks
from tools.grading import results

CONFIG_MARK = "# ASSIGNMENT CONFIG"
VERSIONS = ".versions.json"
INSTRUCTOR_TAG = "instructor"


def question(cell: nbformat.NotebookNode) -> tuple[str, float] | None:
    """(name, points) of otter's ``# BEGIN QUESTION`` cell in a master; None for any other cell."""
    src = cell.source.strip()
    if cell.cell_type != "raw" or not src.startswith("# BEGIN QUESTION"):
        return None
    name = re.search(r"^name:\s*(\S+)", src, re.MULTILINE)
    points = re.search(r"^points:\s*([\d.]+)", src, re.MULTILINE)
    return (name.group(1) if name else "?"), (float(points.group(1)) if points else 1.0)


def has_exercises(notebook: Path) -> bool:
    """True when the master notebook carries otter's assignment config cell."""
    nb = nbformat.read(notebook, as_version=4)
    return any(c.cell_type == "raw" and c.source.lstrip().startswith(CONFIG_MARK) for c in nb.cells)


#: Bumped when a student copy's form changes though no master did (2: tests that ask the checker),
#: so that ``status`` and ``refresh`` offer the new copies.
COPY_FORMAT = b"copy-format-2"


def _sha(path: Path) -> str:
    return hashlib.sha256(COPY_FORMAT + path.read_bytes()).hexdigest()


def is_instructor(cell: nbformat.NotebookNode) -> bool:
    """True when ``cell`` is tagged ``instructor``: such a cell never reaches a learner."""
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
        if is_instructor(cell):
            found.append(f"cell {i} is tagged {INSTRUCTOR_TAG!r}")
        if "(Answer:" in cell.source:
            found.append(f"cell {i} contains '(Answer:'")
        if cell.source.lstrip().lower().startswith("# hidden"):
            found.append(f"cell {i} is a hidden test")
    tests = student.get("metadata", {}).get("otter", {}).get("tests") or {}
    found += [f"test {q} in the metadata checks in the learner's kernel (not a stub that asks the checker)"
              for q, source in tests.items() if not is_stub(str(source))]
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
        if is_instructor(cell) and (notes or not cell.source.strip().startswith("## For instructors")):
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


STUB = '''from otter.test_files import test_case

OK_FORMAT = False

name = {question!r}
points = {points!r}
{cases}'''
STUB_CASE = '''
@test_case(points=0, hidden=False, success_message={message!r})
def {case}(env):
    from lessons_lib.instant_check import case
    case(env, {lesson!r}, {question!r}, {case!r}, {names!r}, first={first!r})
'''


def stub_test(source: str, lesson: str, names: list[str]) -> str:
    """A public test file as the student copy carries it: each case asks the course's checker
    (``lessons_lib.instant_check``) and holds no check, no expected value, no solution."""
    tree = ast.parse(source)
    consts = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
              for t in n.targets if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant)}
    cases = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or not node.decorator_list:
            continue
        deco = node.decorator_list[0]
        kw = {k.arg: ast.literal_eval(k.value) for k in getattr(deco, "keywords", [])}
        if kw.get("hidden"):
            continue
        cases.append(STUB_CASE.format(message=kw.get("success_message"), case=node.name, lesson=lesson,
                                      question=consts["name"], names=names, first=not cases))
    return STUB.format(question=consts["name"], points=consts.get("points"), cases="".join(cases))


def is_stub(source: str) -> bool:
    """True when a test file only asks the checker: constants, and cases whose whole body is the
    import of ``instant_check.case`` and one call of it with literal arguments (no check, no value)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "otter.test_files":
            continue
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            continue
        if not (isinstance(node, ast.FunctionDef) and len(node.body) == 2):
            return False
        imp, call = node.body
        if not (isinstance(imp, ast.ImportFrom) and imp.module == "lessons_lib.instant_check"
                and isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
                and getattr(call.value.func, "id", "") == "case"):
            return False
        args = call.value.args[1:] + [k.value for k in call.value.keywords]
        if not all(_literal(a) for a in args):
            return False
    return True


def _literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return True


def stub_tests(nb: nbformat.NotebookNode, lesson: str) -> None:
    """Replace the public tests otter put in ``nb``'s metadata by ``stub_test``s."""
    tests = nb.metadata.get("otter", {}).get("tests") or {}
    per_q = question_names(nb)
    for q, source in tests.items():
        tests[q] = stub_test(source, lesson, per_q.get(q, []))


def question_names(nb: nbformat.NotebookNode) -> dict[str, list[str]]:
    """Question -> the names its answer cells assign (``tools.grading.answers``)."""
    from tools.grading.answers import question_answer_names

    return question_answer_names(nb)


def clean_student_copy(path: Path, master: nbformat.NotebookNode) -> None:
    """Strip instructor cells, set the course kernel, make the tests ask the checker; raise if
    anything instructor-only is left."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if not (c.cell_type == "markdown" and is_instructor(c))]
    stub_tests(nb, path.stem)
    nb.metadata["kernelspec"] = dict(kernel.KERNELSPEC)
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
    masters = lesson_notebooks(notebooks)
    graded = {m: out / "otter" / m.stem for m in masters if has_exercises(m)}  # -> otter's folder
    assign(list(graded.items()))
    for master in masters:
        target = student_dir / master.name
        master_nb = nbformat.read(master, as_version=4)
        fresh = fresh_dir / master.name
        if master in graded:
            lesson_dir = graded[master]
            shutil.copy(lesson_dir / "student" / master.name, fresh)
            autograders[master.stem] = str(_find_zip(lesson_dir))
        else:
            shutil.copy(master, fresh)
        clean_student_copy(fresh, master_nb)
        if not target.exists():
            shutil.copy(fresh, target)
            versions[master.name] = _sha(master)
            written.append(target)
    results.write_index(out, autograders)
    _write_versions(out, versions)
    return written


# One process runs otter assign on every lesson: otter's imports take about 3 s, its work on a
# lesson a tenth of that, so a process per lesson made a build 40 s instead of 6.
ASSIGN = """import sys
from otter.assign import main
for master, result in zip(sys.argv[1::2], sys.argv[2::2]):
    print("ASSIGNING", master, flush=True)
    main(master, result, no_pdfs=True)
"""


def assign(jobs: list[tuple[Path, Path]]) -> None:
    """``otter assign --no-pdfs MASTER RESULT`` for each (master, result folder), in one process;
    each result folder is emptied first. Raises naming the lesson otter failed on."""
    for _, lesson_dir in jobs:
        shutil.rmtree(lesson_dir, ignore_errors=True)
    if not jobs:
        return
    args = [str(p) for job in jobs for p in job]
    result = subprocess.run([sys.executable, "-c", ASSIGN, *args], capture_output=True, text=True)
    if result.returncode != 0:
        started = re.findall(r"^ASSIGNING (.+)$", result.stdout, re.MULTILINE)
        name = Path(started[-1]).name if started else jobs[0][0].name
        raise RuntimeError(f"otter assign failed for {name}:\n{result.stdout}\n{result.stderr}")


def _read_versions(out: Path) -> dict[str, str]:
    path = out / "student" / VERSIONS
    return json.loads(path.read_text()) if path.exists() else {}


def _write_versions(out: Path, versions: dict[str, str]) -> None:
    (out / "student" / VERSIONS).write_text(json.dumps(versions, indent=1, sort_keys=True) + "\n")


def stale(notebooks: Path = Path("notebooks"), out: Path = BUILD) -> list[str]:
    """Lesson files whose master changed since the learner's copy was made."""
    versions = _read_versions(out)
    found = []
    for master in lesson_notebooks(notebooks):
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
        print(f"NOTE: {notebooks / name} is newer than your copy {out / 'student' / name}.", flush=True)
    if names:
        print("      Run `make refresh` to bring in the new copies; yours are kept beside them "
              "as <name>.YYYY-MM-DDTHHMM.ipynb (nothing you typed is deleted).", flush=True)
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

