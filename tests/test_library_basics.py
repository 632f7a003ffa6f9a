import json
import subprocess
import sys

import numpy as np
import pytest

import lessons_lib
from lessons_lib import recording, set_seed, sine, two_waves
from tools import bench


def test_import_does_not_pull_frameworks():
    code = "import sys, lessons_lib; print([m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_two_waves_matches_the_seed_recipe():
    np.random.seed(42)
    noise = np.random.randn(220) * 0.04
    t = np.arange(220)
    expected = (np.sin(t * 0.12) + 0.25 * np.sin(t * 0.03) + noise).astype(np.float32)
    s = two_waves()
    np.testing.assert_array_equal(s.values, expected)
    np.testing.assert_allclose(s.values - s.clean, noise, atol=1e-6)


def test_sine_amplitude_and_step():
    s = sine(n=100, amplitude=20, step=0.5)
    np.testing.assert_allclose(s.values, 20 * np.sin(0.5 * np.arange(100)), atol=1e-4)
    with pytest.raises(ValueError, match="step must be > 0"):
        sine(step=0)


def test_set_seed_makes_numpy_reproducible_and_validates():
    set_seed(3, frameworks=())
    a = np.random.rand(3)
    set_seed(3, frameworks=())
    np.testing.assert_array_equal(a, np.random.rand(3))
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        set_seed(-1)
    with pytest.raises(ValueError, match="frameworks may hold"):
        set_seed(1, frameworks=("jax",))


def test_set_seed_makes_torch_reproducible():
    torch = pytest.importorskip("torch")
    set_seed(5, frameworks=("torch",))
    a = torch.randn(3)
    set_seed(5, frameworks=("torch",))
    assert torch.equal(a, torch.randn(3))


def test_record_writes_the_bench_file(tmp_path, monkeypatch):
    target = tmp_path / "m.json"
    monkeypatch.setenv(recording.ENV_VAR, str(target))
    assert lessons_lib.record("val_mse", np.float32(0.5)) is None, "a bare call prints nothing"
    lessons_lib.record("codes", ["flat_loss"])
    data = json.loads(target.read_text())
    assert data["val_mse"] == 0.5 and data["codes"] == ["flat_loss"]
    with pytest.raises(ValueError, match="identifier-like"):
        lessons_lib.record("val mse", 1.0)
    with pytest.raises(TypeError, match="takes numbers"):
        lessons_lib.record("x", object())


def test_bench_table_format():
    rows = [{"name": "01_a.ipynb", "seconds": 1.5, "metrics": {"m": 0.25}}]
    table = bench.format_table(rows)
    assert "01_a.ipynb" in table and "0.25" in table and "total" in table


def test_exercise_checks_are_silent_when_right_and_explain_when_wrong():
    from lessons_lib import exercises as ex

    assert ex.check_close("q1", [1.0, 2.0], [1.0, 2.0], "pred") is None
    with pytest.raises(AssertionError, match=r"^q1: pred is not right\.$") as info:
        ex.check_close("q1", [1.0, 3.0], [1.0, 2.0], "pred")
    assert "expected 2 at index (1,), got 3" in info.value.for_instructor  # grades.csv only
    with pytest.raises(AssertionError, match="q2: not answered yet"):
        ex.check_close("q2", ..., 1.0, "answer")
    with pytest.raises(AssertionError, match=r"should have shape \(3,\); yours has shape \(2,\)"):
        ex.check_shape("q3", np.zeros(2), (3,), "X")


def test_a_checks_reference_is_computed_once_per_key_and_handed_out_as_a_copy():
    from lessons_lib import exercises as ex

    calls = []

    def profile():
        calls.append(1)
        return np.arange(3.0)

    first = ex.once(("test profile", 1), profile)
    first[0] = 99.0  # a check that changes its copy changes no later check's
    again = ex.once(("test profile", 1), profile)
    other = ex.once(("test profile", 2), profile)
    assert len(calls) == 2 and again.tolist() == [0.0, 1.0, 2.0] and other.tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(TypeError, match="key must be a non-empty tuple"):
        ex.once("test profile", profile)


def test_torch_fit_refuses_a_model_whose_output_does_not_match_the_targets():
    pytest.importorskip("torch")
    from lessons_lib import torch_models as tm

    X = np.zeros((8, 5, 1), dtype=np.float32)
    model = tm.RecurrentForecaster(1, 4, horizon=1)
    message = r"y has 3 target value\(s\) per window; this model was built for horizon=1"
    with pytest.raises(ValueError, match=message):
        tm.fit(model, X, np.zeros((8, 3)), epochs=1)
    with pytest.raises(ValueError, match="X must be 3-D"):
        tm.fit(model, X[..., 0], np.zeros((8, 1)), epochs=1)
    with pytest.raises(ValueError, match="NaN"):
        tm.fit(model, np.full((8, 5, 1), np.nan), np.zeros((8, 1)), epochs=1)


def test_epoch_printer_reports_first_every_and_last_and_can_be_silenced(capsys):
    from lessons_lib.training import EpochPrinter

    loud, quiet = EpochPrinter(120, print_every=30), EpochPrinter(120, print_every=0)
    for epoch in range(1, 121):
        loud(epoch, 1.0, None, 0.0)
        quiet(epoch, 1.0, None, 0.0)
    lines = capsys.readouterr().out.splitlines()
    assert [int(line.split()[1].split("/")[0]) for line in lines] == [1, 30, 60, 90, 120]


def test_seed_offset_and_threads_come_from_the_environment(monkeypatch):
    import numpy as np
    import torch

    from lessons_lib import seeding

    monkeypatch.setenv("LESSONS_SEED_OFFSET", "2")
    set_seed(3, frameworks=("torch",))
    offset = np.random.rand()
    monkeypatch.delenv("LESSONS_SEED_OFFSET")
    set_seed(5, frameworks=("torch",))
    assert np.random.rand() == offset, "seed 3 with offset 2 is seed 5"
    assert torch.get_num_threads() == 1, "one math thread by default"
    monkeypatch.setenv("LESSONS_THREADS", "2")
    set_seed(5, frameworks=("torch",))
    assert torch.get_num_threads() == 2
    monkeypatch.setenv("LESSONS_THREADS", "two")
    with pytest.raises(ValueError, match="LESSONS_THREADS must be a whole number"):
        seeding.thread_count()
    assert set_seed(1, frameworks=()) is None, "a bare call prints nothing in a notebook"


def test_table_aligns_numbers_and_shows_without_quotes():
    import lessons_lib as ll

    t = ll.table({"naive": 0.5, "linear AR(10)": 1.234567e-3})
    assert repr(t) == str(t) and isinstance(t, str)
    lines = t.splitlines()
    assert lines[0].split() == ["value"] and set(lines[1]) <= {"-", " "}
    assert lines[2].endswith("0.5") and lines[3].endswith("0.001235")
    rows = ll.table([{"model": "lstm", "mse": 0.1, "epochs": 20}], title="results")
    assert rows.splitlines()[0] == "results" and "epochs" in rows
    nested = ll.table({"torch": {"mse": 1.0, "seconds": 2}, "keras": {"mse": 3.0, "seconds": 4}})
    assert nested.splitlines()[0].split() == ["mse", "seconds"]
    assert ll.table([("a", 1)], columns=["name", "n"]).splitlines()[2].split() == ["a", "1"]
    with pytest.raises(ValueError, match="columns is required"):
        ll.table([("a", 1)])
    with pytest.raises(ValueError, match="a row has 1 cells but there are 2 columns"):
        ll.table([("a", 1), ("b",)], columns=["name", "n"])


def test_table_formats_per_column():
    import lessons_lib as ll

    t = ll.table({"a": {"ratio": 1.234e-20, "decay": 0.6123}}, floatfmt={"ratio": ".1e"})
    assert t.splitlines()[2].split() == ["a", "1.2e-20", "0.6123"]
