"""tools.robust on a tiny synthetic notebook folder: one notebook always passes, one depends on the seed."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools import robust


def _write(path, cells):
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_sweep_reports_seed_dependent_asserts(tmp_path, capsys):
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    expected = new_code_cell("raise ValueError('shown on purpose')")
    expected.metadata["tags"] = ["raises-exception"]
    _write(
        nbdir / "a_passes.ipynb",
        [
            new_code_cell("value = 0.125\nprint(f'value {value:.3f}')"),
            new_markdown_cell("The value is 0.125."),
            expected,
        ],
    )
    _write(
        nbdir / "b_seeded.ipynb",
        [
            new_code_cell("import os\noffset = int(os.environ.get('LESSONS_SEED_OFFSET', '0'))"),
            new_code_cell("assert offset != 2, 'seed-dependent claim'"),
            new_code_cell("limit = 1\nassert offset < limit"),
            new_code_cell("print('later cells still run')"),
            new_markdown_cell("It takes ~30 s and 12.5 units."),
        ],
    )
    out = tmp_path / "build" / "robust.json"
    code = robust.main(
        [
            "--jobs",
            "2",
            "--notebooks",
            str(nbdir),
            "--perturbations",
            "baseline",
            "seed+2",
            "threads2",
            "--out",
            str(out),
            "--timeout",
            "60",
        ]
    )
    assert code == 1
    results = json.loads(out.read_text())
    assert set(results) == {"a_passes.ipynb", "b_seeded.ipynb"}
    a, b = results["a_passes.ipynb"], results["b_seeded.ipynb"]
    assert a["baseline"]["failures"] == [] and a["seed+2"]["failures"] == []
    assert a["baseline"]["unbacked_numbers"] == [] and "unbacked_numbers" not in a["seed+2"]
    assert b["baseline"]["failures"] == [] and b["threads2"]["failures"] == []
    assert list(b) == ["baseline", "seed+2", "threads2"]
    failures = b["seed+2"]["failures"]
    assert [(f["cell"], f["error"]) for f in failures] == [(1, "AssertionError"), (2, "AssertionError")]
    assert "seed-dependent claim" in failures[0]["message"]
    assert "offset < limit" in failures[1]["message"] and "offset = 2" in failures[1]["message"]
    assert [u["number"] for u in b["baseline"]["unbacked_numbers"]] == ["12.5"]
    executed = nbformat.read(tmp_path / "build" / "executed" / "b_seeded__seed+2.ipynb", as_version=4)
    assert "later cells still run" in executed.cells[3].outputs[0]["text"]
    table = capsys.readouterr().out
    assert "unbacked numbers" in table and "b_seeded.ipynb" in table


def test_threads2_takes_two_slots():
    assert robust.run_threads("threads2") == 2 and robust.run_threads("seed+1") == 1
    assert robust.run_env("onednn_off")["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert robust.run_env("keras")["LESSONS_BACKEND"] == "keras"
    assert robust.run_env("baseline")["TF_CPP_MIN_LOG_LEVEL"] == "3"


def test_a_combined_run_has_every_factor_and_a_misspelt_one_is_named():
    env = robust.run_env("seed+2/threads2")
    assert env["LESSONS_SEED_OFFSET"] == "2" and robust.run_threads("seed+2/threads2") == 2
    met = {f for name in robust.DEFAULT_SWEEP for f in robust.factors(name)}
    assert met == set(robust.PERTURBATIONS), "the default sweep leaves a perturbation out"
    with pytest.raises(ValueError, match="'seed\\+9/threads2': seed\\+9 is not one of"):
        robust.factors("seed+9/threads2")
    with pytest.raises(SystemExit):
        robust.main(["--perturbations", "threads3"])


def test_a_perturbation_that_cannot_change_a_notebook_is_not_run(tmp_path):
    plain = tmp_path / "plain.ipynb"
    _write(plain, [new_code_cell("import numpy as np"), new_markdown_cell("Keras is not used here.")])
    keras = tmp_path / "keras.ipynb"
    _write(keras, [new_code_cell("import lessons_lib as ll\nbackend = ll.load_backend()")])
    assert not robust.applies(plain, "keras") and not robust.applies(plain, "onednn_off")
    assert robust.applies(plain, "seed+1") and robust.applies(plain, "threads2")
    assert robust.applies(keras, "keras") and robust.applies(keras, "onednn_off")
    assert robust.applies(plain, "seed+3/keras") and not robust.applies(plain, "keras/onednn_off")
