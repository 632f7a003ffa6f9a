"""Helpers only the tests use: notebook hygiene (``stray_output``, also for nbval in the root
conftest.py), the masters' reference answers, and grading a folder of trusted notebooks."""

from __future__ import annotations

import ast
import re
import zipfile
from pathlib import Path

import nbformat

from tools import BUILD
from tools.grading import copies, results, selfcheck

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
        if copies.question(cell):
            question = copies.question(cell)[0]
        elif cell.cell_type == "raw" and src == "# BEGIN SOLUTION":
            inside = True
        elif cell.cell_type == "raw" and src == "# END SOLUTION":
            inside = False
        elif inside and cell.cell_type == "code":
            found.append((question, reference_answer(cell.source)))
    return found


def grade(
    submissions: Path,
    out_csv: Path = results.GRADES,
    out: Path = BUILD,
    timeout: float = 180.0,
    jobs: int = 1,
    notebooks: Path = Path("notebooks"),
) -> list[results.Row]:
    """Grade every .ipynb in ``submissions`` as ``make score`` does (``jobs`` at a time; the masters
    in ``notebooks``); write one CSV with a TOTAL row each."""
    files = sorted(submissions.glob("*.ipynb"))
    if not files:
        raise FileNotFoundError(f"no .ipynb files in {submissions}")
    return selfcheck.grade_files(files, out_csv, out, notebooks, timeout, jobs)


def questions(lesson: str, out: Path = BUILD) -> dict[str, float]:
    """Question name -> points, read statically from the autograder's test files (no master run; the
    checker's own count, ``possible``, comes from running them)."""
    found: dict[str, float] = {}
    with zipfile.ZipFile(results.autograder_zip(lesson, out)) as zf:
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
