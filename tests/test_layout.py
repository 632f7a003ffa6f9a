"""The code's layout holds (issue 24): no import circle, functions of one screen, ideas defined once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lessons_lib", "tools")
MAX_FUNCTION_LINES = 60  # one screen


def _modules() -> dict[str, Path]:
    """Every module of the course's packages, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The course modules ``name`` imports anywhere in its file (inside functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        out |= {t for t in targets if t in known and t != name}
    return out


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle in ``graph`` (a path that comes back to its start), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt, [*path, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_the_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_one_that_imports_it_back():
    modules = _modules()
    known = set(modules)
    # a package's __init__ importing its own submodules is how a package exposes them, not a circle
    graph = {m: {t for t in _imports(m, p, known) if not (p.name == "__init__.py" and t.startswith(m + "."))}
             for m, p in modules.items()}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


@pytest.mark.parametrize("package", PACKAGES)
def test_every_function_fits_on_one_screen(package):
    long = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, f"split these functions (over {MAX_FUNCTION_LINES} lines): {long}"


def _code(path: Path) -> str:
    """A module's code without its docstrings and comments (where an idea may be named, not defined)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            body[0] = ast.Pass()
    return ast.unparse(tree)


@pytest.mark.parametrize("idea, home", [
    ("OMP_NUM_THREADS", "lessons_lib/seeding.py"),  # the thread setting
    ("'LESSONS_BUILD', ", "tools/__init__.py"),  # the build folder and its default
    ("autograders.json", "tools/grading/results.py"),  # the autograder index
    ("csv.writer(", "tools/grading/results.py"),  # the grades CSV
    ("'memory'", "tools/grading/inside.py"),  # the limits' names
    ("wall-clock limit", "tools/grading/inside.py"),  # ... and their words in the CSV
    ("CPU time limit", "tools/grading/inside.py"),
    ("with_suffix('.json')", "tools/grading/results.py"),  # the run's JSON beside the CSV
    ("cpu_count() or 1) //", "lessons_lib/seeding.py"),  # math threads per parallel job
    ("Path(__file__).resolve().parent.parent", "tools/__init__.py"),  # the repository root
    ("[0-9][0-9]_*.ipynb", "tools/__init__.py"),  # what a lesson notebook is called
    ("[0-9;]*[A-Za-z]", "tools/execute.py"),  # terminal colour codes in tracebacks
    ("'raises-exception'", "tools/execute.py"),  # the tag of a cell meant to raise
])
def test_each_idea_is_written_in_one_place(idea, home):
    files = [p for package in (*PACKAGES, "hub") for p in sorted((ROOT / package).rglob("*.py"))]
    where = [str(p.relative_to(ROOT)) for p in files if idea in _code(p)]
    assert where == [home], f"{idea!r} is written in {where}; import it from {home}"
