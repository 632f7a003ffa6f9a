"""Notebooks are committed clean: no outputs, no execution counts, no personal metadata."""

import json
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
ALLOWED_NB_METADATA = {"kernelspec", "language_info"}
ALLOWED_CELL_METADATA = {"tags"}


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb files"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cell_ids_are_unique(path):
    """nbformat renames a repeated id when it reads the file, so the file itself is read here."""
    ids = [cell.get("id") for cell in json.loads(path.read_text())["cells"]]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    assert not repeated, f"{path.name}: cell ids {repeated} are repeated; give each cell its own"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    extra = set(nb.metadata) - ALLOWED_NB_METADATA
    assert not extra, f"{path.name}: notebook metadata {sorted(extra)}; strip it"
    for i, cell in enumerate(nb.cells):
        assert set(cell.metadata) <= ALLOWED_CELL_METADATA, (
            f"{path.name} cell {i}: metadata {dict(cell.metadata)}"
        )
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs; clear them before committing"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_calls_set_seed(path):
    source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    assert "set_seed(" in source, f"{path.name} never calls set_seed"


MAX_LINE = 100  # also ruff's line-length for notebooks (notebooks/ruff.toml)
MAX_CELL_LINES = 25


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_are_short_and_lines_narrow(path):
    problems = []
    for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "code":
            continue
        lines = cell.source.splitlines()
        if len(lines) > MAX_CELL_LINES:
            problems.append(f"cell {i} ({cell.get('id')}) has {len(lines)} lines (max {MAX_CELL_LINES})")
        problems += [
            f"cell {i} ({cell.get('id')}) line {k + 1} has {len(line)} characters (max {MAX_LINE})"
            for k, line in enumerate(lines)
            if len(line) > MAX_LINE
        ]
    assert not problems, f"{path.name}: " + "; ".join(problems)
