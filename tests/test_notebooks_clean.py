"""Notebooks are committed clean: no outputs, no execution counts, no personal metadata."""

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
ALLOWED_NB_METADATA = {"kernelspec", "language_info"}
ALLOWED_CELL_METADATA = {"tags"}


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb files"


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
