# ruff: noqa: E501  (the bad-call table keeps one call per line)
"""Bad input to what shows and holds results: tables, plots, shapes, History, series, devices.

The same rule as ``test_bad_inputs.py`` (the data pipeline's table) and
``test_bad_inputs_models.py`` (both backends): each call raises ``ValueError`` or ``TypeError``
with one line that names the argument, what it got and what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from bad_calls import assert_clear_error, ids_unique

import lessons_lib as ll
from lessons_lib import devices, plots, training

S = np.sin(0.3 * np.arange(60)).astype(np.float32)
X2 = np.random.RandomState(0).randn(20, 5)
Y2 = np.random.RandomState(1).randn(20, 1)
COLS = np.stack([S, np.cos(0.3 * np.arange(60))], axis=1)
NAN1 = np.array([1.0, np.nan, 2.0])
LOSSES = [1.0, 0.5, 0.25]
ROWS = [{"a": 1.0, "b": 2}]


def _real(**overrides: Any) -> Any:
    from lessons_lib.datasets import RealSeries

    fields = dict(name="toy", values=np.arange(24.0), dates=np.arange(24).astype("M8[M]"), filled=np.zeros(24, bool), units="u", period=12, source="made up", fill="none")
    return RealSeries(**{**fields, **overrides})


Case = tuple[str, Callable[[], Any], type[BaseException], str]

CASES: list[Case] = [
    # ---- table ---------------------------------------------------------------------------------
    ("table-columns-set", lambda: ll.table([(1, 2)], {"a", "b"}), TypeError, r"columns must be a list or tuple.*a set has no order"),
    ("table-columns-frozenset", lambda: ll.table({"x": 1.0}, frozenset({"k", "v"})), TypeError, r"columns must be a list or tuple.*no order"),
    ("table-columns-str", lambda: ll.table([(1, 2)], "ab"), TypeError, r"columns must be a list or tuple"),
    ("table-columns-dict", lambda: ll.table([(1, 2)], {"a": 1, "b": 2}), TypeError, r"columns must be a list or tuple"),
    ("table-columns-int", lambda: ll.table([(1, 2)], 2), TypeError, r"columns must be a list or tuple"),
    ("table-columns-too-few", lambda: ll.table([(1, 2, 3)], ["a", "b"]), ValueError, r"a row has 3 cells but there are 2 columns"),
    ("table-columns-dict-rows-too-few", lambda: ll.table({"r": {"a": 1, "b": 2}}, ["only"]), ValueError, r"a row has 3 cells but there are 1 columns"),
    ("table-floatfmt-code", lambda: ll.table({"x": 1.0}, floatfmt="q"), ValueError, r"floatfmt is 'q', not a format for floats"),
    ("table-floatfmt-int-code", lambda: ll.table({"x": 1.0}, floatfmt="d"), ValueError, r"floatfmt is 'd', not a format"),
    ("table-floatfmt-braces", lambda: ll.table({"x": 1.0}, floatfmt="{:.2f}"), ValueError, r"floatfmt is '\{:\.2f\}', not a format"),
    ("table-floatfmt-number", lambda: ll.table({"x": 1.0}, floatfmt=4), TypeError, r"floatfmt must be a format for floats"),
    ("table-floatfmt-None", lambda: ll.table({"x": 1.0}, floatfmt=None), TypeError, r"floatfmt must be a format"),
    ("table-floatfmt-dict-value", lambda: ll.table(ROWS, floatfmt={"a": "zz"}), ValueError, r"floatfmt\['a'\] is 'zz', not a format"),
    ("table-floatfmt-dict-type", lambda: ll.table(ROWS, floatfmt={"a": 3}), TypeError, r"floatfmt\['a'\] must be a format"),
    ("table-floatfmt-dict-unknown", lambda: ll.table(ROWS, floatfmt={"c": ".2f"}), ValueError, r"floatfmt names \['c'\], not columns"),
    ("table-title-int", lambda: ll.table(ROWS, title=3), TypeError, r"title must be a string or None; got 3 \(int\)"),
    ("table-title-list", lambda: ll.table(ROWS, title=["t"]), TypeError, r"title must be a string"),
    ("table-title-bytes", lambda: ll.table(ROWS, title=b"t"), TypeError, r"title must be a string"),
    ("table-rows-None", lambda: ll.table(None), TypeError, r"rows must be a dict or a list"),
    ("table-rows-str", lambda: ll.table("a,b"), TypeError, r"rows must be a dict or a list"),
    ("table-rows-int", lambda: ll.table(5), TypeError, r"rows must be a dict or a list"),
    ("table-rows-set", lambda: ll.table({1, 2}), TypeError, r"rows must be a dict or a list"),
    ("table-rows-numbers", lambda: ll.table([1, 2], ["a"]), TypeError, r"rows must hold tuples or lists of cells"),
    ("table-rows-strings", lambda: ll.table(["ab", "cd"], ["a", "b"]), TypeError, r"rows must hold tuples or lists"),
    ("table-rows-tuples-no-columns", lambda: ll.table([(1, 2)]), ValueError, r"columns is required"),
    ("table-rows-empty-no-columns", lambda: ll.table([]), ValueError, r"columns is required"),
    # ---- check_same_shape: a tuple is a shape, a list is an array ---------------------------
    ("same-shape-tuple-floats", lambda: ll.check_same_shape((1.0, 2.0), np.zeros(2), "pred", "y"), TypeError, r"pred must be a shape such as \(32, 1\)"),
    ("same-shape-tuple-negative", lambda: ll.check_same_shape((-1, 1), (1, 1), "out", "y"), TypeError, r"out must be a shape"),
    ("same-shape-tuple-None", lambda: ll.check_same_shape((None, 1), (1, 1), "out", "y"), TypeError, r"out must be a shape"),
    ("same-shape-list-is-data", lambda: ll.check_same_shape([5, 1], np.zeros((5, 1)), "pred", "y"), ValueError, r"pred has shape \(2,\) but y has shape \(5, 1\)"),
    ("same-shape-lists-differ", lambda: ll.check_same_shape([1.0, 2.0, 3.0], [1.0, 2.0], "pred", "y"), ValueError, r"pred has shape \(3,\) but y has shape \(2,\)"),
    ("same-shape-name-int", lambda: ll.check_same_shape(Y2, Y2, 1, "y"), TypeError, r"name_a must be a string"),
    ("same-shape-where-None", lambda: ll.check_same_shape(Y2, Y2, "a", "b", None), TypeError, r"where must be a string"),
    ("same-shape-where", lambda: ll.check_same_shape(Y2, X2, "pred", "y", "q3"), ValueError, r"q3: pred has shape \(20, 1\) but y has shape \(20, 5\)"),
    # ---- plots ---------------------------------------------------------------------------------
    ("plot-series-length", lambda: plots.plot_series(np.arange(5), S), ValueError, r"values has 60 rows but t has 5"),
    ("plot-series-t-strings", lambda: plots.plot_series(["a", "b"], S[:2]), TypeError, r"t holds strings"),
    ("plot-series-title-int", lambda: plots.plot_series(np.arange(60), S, title=1), TypeError, r"title must be a string"),
    ("plot-forecasts-length", lambda: plots.plot_forecasts(S, {"lstm": S[:40]}), ValueError, r"preds\['lstm'\] has 40 values but truth has 60"),
    ("plot-forecasts-array", lambda: plots.plot_forecasts(S, S), TypeError, r"preds must be a dict of labelled curves"),
    ("plot-forecasts-strings", lambda: plots.plot_forecasts(S, {"x": ["a"] * 60}), TypeError, r"preds\['x'\] holds strings"),
    ("plot-forecasts-truth-nan", lambda: plots.plot_forecasts(NAN1, {"x": NAN1}), ValueError, r"truth contains 1 NaN"),
    ("plot-losses-list", lambda: plots.plot_losses(LOSSES), TypeError, r"histories must be a dict"),
    ("plot-losses-2d", lambda: plots.plot_losses({"a": [[1.0]]}), ValueError, r"histories\['a'\] must be 1-D"),
    ("plot-losses-log-str", lambda: plots.plot_losses({"a": LOSSES}, log="yes"), TypeError, r"log must be True or False"),
    # ---- History, Series and real series ----------------------------------------------------------
    ("history-final-empty", lambda: training.History().final, ValueError, r"History.final: this History has no epochs yet"),
    ("history-ratio-empty", lambda: training.History().ratio_last_first, ValueError, r"History.ratio_last_first: this History has no epochs"),
    ("history-train-number", lambda: training.History(train=0.5), ValueError, r"train must be 1-D"),
    ("history-val-strings", lambda: training.History(val=["a"]), TypeError, r"val holds strings"),
    ("history-grad_norms-dict", lambda: training.History(grad_norms={"a": 1}), TypeError, r"grad_norms is a dict"),
    ("history-seconds-negative", lambda: training.History(seconds=-1.0), ValueError, r"seconds must be >= 0"),
    ("table-columns-array-one-line", lambda: ll.table([(1, 2)], np.zeros((3, 2))), TypeError, r"columns must be a list or tuple.*got array\(\[\[0\., 0\.\], \[0\., 0\.\]"),
    ("windows-inputs-array-one-line", lambda: ll.sliding_windows(COLS, 3, inputs=np.zeros((3, 1)), target_col=0), TypeError, r"inputs must hold integer column indices"),
    ("series-t-length", lambda: ll.Series(np.arange(3), np.zeros(4), np.zeros(4)), ValueError, r"values has 4 rows but t has 3"),
    ("series-noise-length", lambda: ll.Series(np.arange(4), np.zeros(4), np.zeros(1)), ValueError, r"values has 4 rows but noise has 1"),
    ("series-values-2d", lambda: ll.Series(np.arange(4), np.zeros((4, 1)), np.zeros(4)), ValueError, r"values must be 1-D"),
    ("series-values-strings", lambda: ll.Series(np.arange(2), ["a", "b"], np.zeros(2)), TypeError, r"values holds strings"),
    ("series-values-None", lambda: ll.Series(np.arange(2), None, np.zeros(2)), TypeError, r"values is None"),
    ("series-t-nan", lambda: ll.Series(np.r_[0.0, np.nan], np.zeros(2), np.zeros(2)), ValueError, r"t contains 1 NaN"),
    ("real-dates-length", lambda: _real(dates=np.arange(23).astype("M8[M]")), ValueError, r"values has 24 rows but dates has 23"),
    ("real-filled-length", lambda: _real(filled=np.zeros(30, bool)), ValueError, r"values has 24 rows but filled has 30"),
    ("real-dates-numbers", lambda: _real(dates=np.arange(24)), TypeError, r"dates must be datetime64"),
    ("real-dates-2d", lambda: _real(dates=np.arange(24).astype("M8[M]").reshape(2, 12)), ValueError, r"dates must be 1-D"),
    ("real-filled-numbers", lambda: _real(filled=np.zeros(24)), TypeError, r"filled must hold booleans"),
    ("real-values-nan", lambda: _real(values=np.r_[np.nan, np.arange(23.0)]), ValueError, r"values contains 1 NaN"),
    ("real-values-2d", lambda: _real(values=np.zeros((24, 1))), ValueError, r"values must be 1-D"),
    ("real-period-zero", lambda: _real(period=0), ValueError, r"period must be >= 1"),
    ("real-period-float", lambda: _real(period=12.0), TypeError, r"period must be an integer"),
    ("real-period-too-long", lambda: _real(period=48), ValueError, r"period must be <= 24"),
    ("real-name-None", lambda: _real(name=None), TypeError, r"name must be a string"),
    ("real-raw_missing-negative", lambda: _real(raw_missing=-1), ValueError, r"raw_missing must be >= 0"),
    # ---- the device rule, without a framework --------------------------------------------------
    ("device-rule-absent", lambda: devices.choose_device("cuda", ["cpu"]), ValueError, r"device='cuda' is not present on this machine; the devices present are \['cpu'\]"),
    ("device-rule-second-gpu", lambda: devices.choose_device("gpu:1", ["cpu", "gpu:0"]), ValueError, r"device='gpu:1' is not present.*\['cpu', 'gpu:0'\]"),
    ("device-rule-unknown", lambda: devices.choose_device("xla", ["cpu"]), ValueError, r"device='xla' is not a device name"),
    ("device-rule-negative-index", lambda: devices.choose_device("cuda:-1", ["cpu"]), ValueError, r"device='cuda:-1' is not a device name"),
    ("device-rule-bytes", lambda: devices.choose_device(b"cpu", ["cpu"]), TypeError, r"device must be a device name"),
    ("device-rule-float", lambda: devices.choose_device(0.0, ["cpu"]), TypeError, r"device must be a device name"),
    ("history-ratio-zero-first", lambda: training.History(train=[0.0, 1.0]).ratio_last_first, ValueError, r"ratio_last_first is undefined"),
]


def test_the_table_ids_are_unique():
    assert len(CASES) >= 70, len(CASES)
    assert not ids_unique([c[0] for c in CASES])


@pytest.mark.parametrize(("call", "error", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_call_raises_a_clear_error(call: Callable[[], Any], error: type[BaseException], pattern: str):
    assert_clear_error(call, error, pattern)


def test_valid_edge_inputs_still_work():
    """The checks refuse garbage, not unusual but valid input."""
    text = ll.table([{"a": 1.0}, {"b": 2.5, "a": 3.0}], floatfmt={"b": ".2f"})  # keys need not match
    assert text.splitlines()[0].split() == ["a", "b"] and "2.50" in text
    assert "ab" in ll.table([(1, 2)], ("ab", "cd"), title="")
    ll.check_same_shape((20, 1), Y2, "out", "y")  # a tuple of integers is a shape
    ll.check_same_shape([[1.0], [2.0]], np.zeros((2, 1)), "pred", "y")  # a list is an array
    assert repr(training.History()) == "History(0 epochs)"
    t, values, noise = ll.two_waves(n=10)  # still a named tuple
    assert len(t) == len(values) == len(noise) == 10
    assert devices.choose_device(None, ["cpu", "gpu:0"]) == "gpu:0"  # None: the GPU when present
    assert devices.choose_device(None, ["cpu"]) == "cpu"
    for name in ("CUDA", "cuda:0", "gpu", "/GPU:0", "/device:GPU:0", " gpu:0 "):
        assert devices.choose_device(name, ["cpu", "gpu:0"]) == "gpu:0", name
