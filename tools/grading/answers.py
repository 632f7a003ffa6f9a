"""Answers as plain data: which names a question asks for, and how their values leave the sandbox.

What leaves a sandbox is ``answers.json`` plus ``a<N>.npy`` files (loaded with
``allow_pickle=False``): numbers, strings, lists, dicts, arrays, tensors (as arrays), and objects of
the course's own classes (``lessons_lib.*``, rebuilt field by field, never unpickled). A function
answer leaves as its outputs on the inputs the grader chose (``plan.json`` and its ``a<N>.npy``, written
by the checker, read only inside the sandbox). Nothing here imports or runs the learner's code.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from pathlib import Path
from typing import Any

import nbformat

ANSWERS = "answers.json"
MAX_ANSWERS_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 12
_NPY = re.compile(r"^a\d{1,6}\.npy$")
ALLOWED_MODULES = ("lessons_lib.",)


def answer_cell_names(source: str) -> list[str]:
    """Names a cell assigns at top level (``x = ...``, ``a, b = ...``, ``def f``, ``class C``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []

    def targets(node):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, (ast.Tuple, ast.List)):
            for elt in node.elts:
                yield from targets(elt)
        elif isinstance(node, ast.Starred):
            yield from targets(node.value)

    for node in tree.body:
        found: list[str] = []
        if isinstance(node, ast.Assign):
            for t in node.targets:
                found += list(targets(t))
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            found += list(targets(node.target))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append(node.name)
        for n in found:
            if n not in names:
                names.append(n)
    return names


def question_answer_names(student: nbformat.NotebookNode) -> dict[str, list[str]]:
    """Question -> the names its answer cells assign, read from the BUILT student copy.

    otter tags each answer cell ``otter_answer_cell``; the question is the last ``**qN.**`` or
    ``grader.check("qN")`` seen... we use the check cell that follows the answer cell (otter writes
    one ``grader.check("qN")`` cell after each question's answer cells).
    """
    found: dict[str, list[str]] = {}
    pending: list[str] = []
    for cell in student.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.get("metadata", {}).get("tags") or []
        if "otter_answer_cell" in tags:
            pending += [n for n in answer_cell_names(cell.source) if n not in pending]
            continue
        m = re.search(r"""grader\.check\(\s*["']([^"']+)["']\s*\)""", cell.source)
        if m and pending:
            names = found.setdefault(m.group(1), [])
            names += [n for n in pending if n not in names]
            pending = []
    return found


def all_answer_names(student: nbformat.NotebookNode) -> list[str]:
    """Every name an answer cell of the BUILT student copy assigns, checked question or not: a
    question with hidden tests only has no ``grader.check`` cell, yet its answer is graded."""
    cells = [c for c in student.cells if c.cell_type == "code"
             and "otter_answer_cell" in (c.get("metadata", {}).get("tags") or [])]
    return sorted({n for c in cells for n in answer_cell_names(c.source)})


# ---------------------------------------------------------------- decoding (outside, trusted)


class Unreadable:
    """Stands for an answer value the grader could not read back (its type, or why)."""

    def __init__(self, why: str):
        self.why = why

    def __repr__(self) -> str:
        return f"<value the grader cannot read: {self.why}>"

    __str__ = __repr__


class CallFailed(Exception):
    """The learner's function raised on an input the grader chose (re-raised in the check)."""


def decode(obj: Any, folder: Path, depth: int = 0) -> Any:
    """Rebuild a value from answers.json's tree; arrays from ``a<N>.npy`` with allow_pickle=False."""
    import numpy as np

    if depth > MAX_DEPTH:
        return Unreadable("nested too deep")
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [decode(x, folder, depth + 1) for x in obj]
    if not isinstance(obj, dict) or len(obj) < 1:
        return Unreadable("malformed entry")
    kind = next(iter(obj))
    val = obj[kind]
    if kind == "float":
        return float(val) if val in ("nan", "inf", "-inf") else Unreadable("bad float")
    if kind == "tuple" and isinstance(val, list):
        return tuple(decode(x, folder, depth + 1) for x in val)
    if kind == "list" and isinstance(val, list):
        return [decode(x, folder, depth + 1) for x in val]
    if kind == "dict" and isinstance(val, list):
        out = {}
        for pair in val:
            if isinstance(pair, list) and len(pair) == 2:
                key = decode(pair[0], folder, depth + 1)
                try:
                    out[key] = decode(pair[1], folder, depth + 1)
                except TypeError:
                    return Unreadable("dict with an unhashable key")
        return out
    if kind in ("npy", "npscalar", "torch"):
        if not isinstance(val, str) or not _NPY.match(val) or not (folder / val).is_file():
            return Unreadable("missing array file")
        try:
            arr = np.load(folder / val, allow_pickle=False)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is the learner's loss
            return Unreadable(f"unreadable array ({type(exc).__name__})")
        if kind == "npscalar":
            return arr[()]
        if kind == "torch":
            try:
                import torch

                return torch.from_numpy(np.array(arr))
            except Exception:  # noqa: BLE001
                return arr
        return arr
    if kind == "object" and isinstance(val, dict):
        return _rebuild_object(val, folder, depth)
    if kind == "unsupported":
        return Unreadable(str(val)[:100])
    if kind == "error":
        return CallFailed(str(val)[:500])
    return Unreadable("unknown entry")


def _rebuild_object(val: dict, folder: Path, depth: int):
    qualname = val.get("class")
    if not isinstance(qualname, str) or not qualname.startswith(ALLOWED_MODULES):
        return Unreadable(f"object of class {str(qualname)[:80]}")
    module_name, _, cls_name = qualname.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), cls_name)
    except Exception:  # noqa: BLE001
        return Unreadable(f"object of unknown class {qualname}")
    if not isinstance(cls, type):
        return Unreadable(f"{qualname} is not a class")
    state = decode(val.get("state"), folder, depth + 1)
    if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
        return Unreadable(f"{qualname} without readable fields")
    obj = cls.__new__(cls)
    for key, value in state.items():
        object.__setattr__(obj, key, value)
    return obj


def load_answers(folder: Path) -> dict:
    """The sandbox's answers.json: {"values": {name: value}, "calls": {...}}, decoded."""
    path = folder / ANSWERS
    if not path.is_file() or path.is_symlink():
        raise FileNotFoundError("the notebook produced no answers (it stopped before the end)")
    if path.stat().st_size > MAX_ANSWERS_BYTES:
        raise ValueError(f"answers.json is over {MAX_ANSWERS_BYTES >> 20} MB")
    raw = json.loads(path.read_text())
    if not isinstance(raw, dict):
        raise ValueError("answers.json is not an object")
    values = raw.get("values") if isinstance(raw.get("values"), dict) else {}
    calls = raw.get("calls") if isinstance(raw.get("calls"), dict) else {}
    return {
        "values": {str(k): decode(v, folder) for k, v in values.items()},
        "calls": {str(k): decode(v, folder) for k, v in calls.items()},
        "errors": {str(k): str(v)[:300] for k, v in (raw.get("errors") or {}).items()}
        if isinstance(raw.get("errors"), dict)
        else {},
    }


# ---------------------------------------------------------------- the cell the grader appends


def extract_cell(names: list[str]) -> str:
    """The grader's last cell: ``lessons_lib.answer_data``'s source, then the export of ``names``
    (the sandbox fills in @@PLAN@@, the grader's read-only inputs, and @@OUT@@, where the answers go)."""
    src = (Path(__file__).resolve().parents[2] / "lessons_lib" / "answer_data.py").read_text()
    return src + f'\n\nexport_answers({names!r}, "@@PLAN@@", "@@OUT@@", globals())\n'
