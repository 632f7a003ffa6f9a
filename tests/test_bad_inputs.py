# ruff: noqa: E501  (the bad-call table keeps one call per line)
"""Bad input never passes silently: every public function refuses it with a clear message.

The table lists bad calls of the NumPy part of ``lessons_lib`` (and the framework-free checks
the PyTorch/Keras wrappers run first): each must raise ``ValueError`` or ``TypeError`` (or
``NotFittedError``, a ``ValueError``) whose message matches a pattern that names the argument
or says what was wrong. The property tests then throw random garbage at the same functions:
each call either works or raises ``ValueError``/``TypeError``, never another exception.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from bad_calls import assert_clear_error, ids_unique
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lessons_lib as ll
from lessons_lib import exercises as ex
from lessons_lib import training

X3 = np.random.RandomState(0).randn(20, 5, 1).astype(np.float32)  # 20 windows of 5 steps, 1 feature
X2 = X3[:, :, 0]  # (20, 5): one feature
Y2 = np.random.RandomState(1).randn(20, 1).astype(np.float32)
S = np.sin(0.3 * np.arange(60)).astype(np.float32)  # a 1-D series
COLS = np.stack([S, np.cos(0.3 * np.arange(60))], axis=1)  # (60, 2)
NAN1 = np.array([1.0, np.nan, 2.0])
INF1 = np.array([1.0, np.inf, 2.0])
LOSSES = [1.0, 0.5, 0.25]


def _fitted_scaler() -> ll.Scaler:
    return ll.Scaler().fit(S)


def _fitted_ar() -> ll.LinearAR:
    return ll.LinearAR().fit(X2, Y2)


def _identity_predict(X: np.ndarray) -> np.ndarray:
    return X[:, -1, :]


Case = tuple[str, Callable[[], Any], type[BaseException], str]

CASES: list[Case] = [
    # ---- two_waves -------------------------------------------------------------------------
    ("two_waves-noise-None", lambda: ll.two_waves(noise=None), TypeError, r"noise is None"),
    ("two_waves-noise-str", lambda: ll.two_waves(noise="0.1"), TypeError, r"noise must be a number"),
    ("two_waves-noise-nan", lambda: ll.two_waves(noise=np.nan), ValueError, r"noise must be a finite"),
    ("two_waves-noise-inf", lambda: ll.two_waves(noise=np.inf), ValueError, r"noise must be a finite"),
    ("two_waves-noise-negative", lambda: ll.two_waves(noise=-0.1), ValueError, r"noise must be >= 0"),
    ("two_waves-noise-complex", lambda: ll.two_waves(noise=0.1j), TypeError, r"noise must be a real number"),
    ("two_waves-noise-bool", lambda: ll.two_waves(noise=True), TypeError, r"noise must be a number; got the boolean"),
    ("two_waves-noise-huge", lambda: ll.two_waves(noise=1e300), ValueError, r"noise must be <="),
    ("two_waves-noise-list", lambda: ll.two_waves(noise=[0.1]), TypeError, r"noise must be a number"),
    ("two_waves-n-zero", lambda: ll.two_waves(n=0), ValueError, r"n must be >= 2"),
    ("two_waves-n-negative", lambda: ll.two_waves(n=-5), ValueError, r"n must be >= 2"),
    ("two_waves-n-float", lambda: ll.two_waves(n=100.0), TypeError, r"n must be an integer.*int\(\.\.\.\)"),
    ("two_waves-n-bool", lambda: ll.two_waves(n=True), TypeError, r"n must be an integer"),
    ("two_waves-n-huge", lambda: ll.two_waves(n=10**12), ValueError, r"n must be <= 10_000_000"),
    ("two_waves-n-str", lambda: ll.two_waves(n="220"), TypeError, r"n must be an integer"),
    ("two_waves-seed-negative", lambda: ll.two_waves(seed=-1), ValueError, r"seed must be a non-negative"),
    ("two_waves-seed-huge", lambda: ll.two_waves(seed=2**40), ValueError, r"seed .*below 2\*\*32"),
    ("two_waves-seed-float", lambda: ll.two_waves(seed=4.2), TypeError, r"seed must be a non-negative integer"),
    ("two_waves-seed-None", lambda: ll.two_waves(seed=None), TypeError, r"seed must be"),
    # ---- sine ------------------------------------------------------------------------------
    ("sine-start-nan", lambda: ll.sine(start=np.nan), ValueError, r"start must be a finite number"),
    ("sine-start-inf", lambda: ll.sine(start=-np.inf), ValueError, r"start must be a finite number"),
    ("sine-start-huge", lambda: ll.sine(start=1e20), ValueError, r"start=1e\+20.*rounding noise"),
    ("sine-start-str", lambda: ll.sine(start="0"), TypeError, r"start must be a number"),
    ("sine-step-zero", lambda: ll.sine(step=0), ValueError, r"step must be > 0"),
    ("sine-step-negative", lambda: ll.sine(step=-0.5), ValueError, r"step must be > 0"),
    ("sine-step-nan", lambda: ll.sine(step=np.nan), ValueError, r"step must be a finite"),
    ("sine-step-bool", lambda: ll.sine(step=True), TypeError, r"step must be a number; got the boolean"),
    ("sine-step-complex", lambda: ll.sine(step=1 + 0j), TypeError, r"step must be a real number"),
    ("sine-amplitude-None", lambda: ll.sine(amplitude=None), TypeError, r"amplitude is None"),
    ("sine-amplitude-inf", lambda: ll.sine(amplitude=np.inf), ValueError, r"amplitude must be a finite"),
    ("sine-amplitude-huge", lambda: ll.sine(amplitude=1e40), ValueError, r"amplitude must be <="),
    ("sine-noise-negative", lambda: ll.sine(noise=-1.0), ValueError, r"noise must be >= 0"),
    ("sine-noise-str", lambda: ll.sine(noise="none"), TypeError, r"noise must be a number"),
    ("sine-n-one", lambda: ll.sine(n=1), ValueError, r"n must be >= 2"),
    ("sine-n-array", lambda: ll.sine(n=np.array([5])), TypeError, r"n must be an integer"),
    ("sine-seed-bool", lambda: ll.sine(seed=False), TypeError, r"seed must be a non-negative integer"),
    ("sine-int-too-large", lambda: ll.sine(start=10**400), ValueError, r"start is too large to be a float"),
    # ---- sliding_windows -------------------------------------------------------------------
    ("windows-series-None", lambda: ll.sliding_windows(None, 5), TypeError, r"series is None"),
    ("windows-series-str", lambda: ll.sliding_windows("1,2,3", 1), TypeError, r"series is a string"),
    ("windows-series-strings", lambda: ll.sliding_windows(["1", "2", "3"], 1), TypeError, r"series holds strings"),
    ("windows-series-complex", lambda: ll.sliding_windows(S + 1j, 5), TypeError, r"series holds complex"),
    ("windows-series-bool", lambda: ll.sliding_windows(S > 0, 5), TypeError, r"series holds booleans"),
    ("windows-series-nan", lambda: ll.sliding_windows(np.r_[S, np.nan], 5), ValueError, r"series contains 1 NaN"),
    ("windows-series-inf", lambda: ll.sliding_windows(np.r_[S, np.inf], 5), ValueError, r"series contains 0 NaN and 1 inf"),
    ("windows-series-empty", lambda: ll.sliding_windows([], 1), ValueError, r"series is empty"),
    ("windows-series-3d", lambda: ll.sliding_windows(X3, 2), ValueError, r"series must be 1-D or 2-D"),
    ("windows-series-0d", lambda: ll.sliding_windows(3.0, 1), ValueError, r"series must be 1-D or 2-D"),
    ("windows-series-ragged", lambda: ll.sliding_windows([[1, 2], [3]], 1), ValueError, r"series is ragged"),
    ("windows-series-dict", lambda: ll.sliding_windows({"a": 1}, 1), TypeError, r"series is a dict"),
    ("windows-series-None-inside", lambda: ll.sliding_windows([1.0, None, 2.0], 1), TypeError, r"series holds None"),
    ("windows-series-float32-overflow", lambda: ll.sliding_windows(np.full(10, 1e300), 2), ValueError, r"beyond float32"),
    ("windows-window-too-long", lambda: ll.sliding_windows(S, 60), ValueError, r"longer than the series"),
    ("windows-window-zero", lambda: ll.sliding_windows(S, 0), ValueError, r"window must be >= 1"),
    ("windows-window-negative", lambda: ll.sliding_windows(S, -3), ValueError, r"window must be >= 1"),
    ("windows-window-float", lambda: ll.sliding_windows(S, 5.0), TypeError, r"window must be an integer"),
    ("windows-window-bool", lambda: ll.sliding_windows(S, True), TypeError, r"window must be an integer"),
    ("windows-window-None", lambda: ll.sliding_windows(S, None), TypeError, r"window must be an integer"),
    ("windows-horizon-zero", lambda: ll.sliding_windows(S, 5, 0), ValueError, r"horizon must be >= 1"),
    ("windows-horizon-huge", lambda: ll.sliding_windows(S, 5, 10**9), ValueError, r"horizon must be <="),
    ("windows-horizon-too-long", lambda: ll.sliding_windows(S, 5, 56), ValueError, r"longer than the series"),
    ("windows-target-missing", lambda: ll.sliding_windows(COLS, 5), ValueError, r"target_col must say which one"),
    ("windows-target-range", lambda: ll.sliding_windows(COLS, 5, target_col=2), ValueError, r"target_col column 2 does not"),
    ("windows-target-bool", lambda: ll.sliding_windows(COLS, 5, target_col=True), TypeError, r"target_col must hold integer"),
    ("windows-target-str", lambda: ll.sliding_windows(COLS, 5, target_col="y"), TypeError, r"target_col must hold integer"),
    ("windows-inputs-int", lambda: ll.sliding_windows(COLS, 5, inputs=0, target_col=0), TypeError, r"inputs must be a list"),
    ("windows-inputs-str", lambda: ll.sliding_windows(COLS, 5, inputs="0", target_col=0), TypeError, r"inputs must be a list"),
    ("windows-inputs-empty", lambda: ll.sliding_windows(COLS, 5, inputs=[], target_col=0), ValueError, r"inputs is empty"),
    ("windows-inputs-range", lambda: ll.sliding_windows(COLS, 5, inputs=[0, 5], target_col=0), ValueError, r"inputs column 5"),
    ("windows-inputs-float", lambda: ll.sliding_windows(COLS, 5, inputs=[0.0], target_col=0), TypeError, r"inputs must hold"),
    # ---- time_split ------------------------------------------------------------------------
    ("split-X-None", lambda: ll.time_split(None, Y2), TypeError, r"X is None"),
    ("split-y-strings", lambda: ll.time_split(X3, [["1"]] * 20), TypeError, r"y holds strings"),
    ("split-X-1d", lambda: ll.time_split(S, S), ValueError, r"X must be 2-D or 3-D"),
    ("split-y-3d", lambda: ll.time_split(X3, X3), ValueError, r"y must be 1-D or 2-D"),
    ("split-length-mismatch", lambda: ll.time_split(X3, Y2[:10]), ValueError, r"X has 20 rows but y has 10"),
    ("split-y-nan", lambda: ll.time_split(X3, np.full((20, 1), np.nan)), ValueError, r"y contains 20 NaN"),
    ("split-frac-one", lambda: ll.time_split(X3, Y2, 1.0), ValueError, r"train_frac must lie strictly between"),
    ("split-frac-zero", lambda: ll.time_split(X3, Y2, 0.0), ValueError, r"train_frac must lie strictly between"),
    ("split-frac-nan", lambda: ll.time_split(X3, Y2, np.nan), ValueError, r"train_frac must lie strictly between"),
    ("split-frac-bool", lambda: ll.time_split(X3, Y2, True), TypeError, r"train_frac must be a number"),
    ("split-frac-str", lambda: ll.time_split(X3, Y2, "0.8"), TypeError, r"train_frac must be a number"),
    ("split-frac-None", lambda: ll.time_split(X3, Y2, None), TypeError, r"train_frac must be a number"),
    ("split-one-window", lambda: ll.time_split(X3[:1], Y2[:1], 0.5), ValueError, r"0 training and 1 validation"),
    ("split-train-empty", lambda: ll.time_split(X3, Y2, 0.01), ValueError, r"0 training"),
    ("split-val_size-too-big", lambda: ll.time_split(X3, Y2, val_size=20), ValueError, r"val_size=20"),
    ("split-val_size-zero", lambda: ll.time_split(X3, Y2, val_size=0), ValueError, r"val_size must be >= 1"),
    ("split-val_size-float", lambda: ll.time_split(X3, Y2, val_size=5.0), TypeError, r"val_size must be an integer"),
    ("split-gap-negative", lambda: ll.time_split(X3, Y2, gap=-1), ValueError, r"gap must be >= 0"),
    ("split-gap-leaks", lambda: ll.time_split(X3, np.zeros((20, 3)), gap=0), ValueError, r"gap=0 would leak the future"),
    ("split-gap-too-big", lambda: ll.time_split(X3, Y2, gap=16), ValueError, r"training and .* validation"),
    # ---- rolling_origin_folds and Fold -----------------------------------------------------
    ("folds-n-one", lambda: ll.rolling_origin_folds(1), ValueError, r"n_windows must be >= 2"),
    ("folds-n-float", lambda: ll.rolling_origin_folds(100.0), TypeError, r"n_windows must be an integer"),
    ("folds-n-huge", lambda: ll.rolling_origin_folds(10**18), ValueError, r"n_windows must be <="),
    ("folds-n_folds-zero", lambda: ll.rolling_origin_folds(100, 0), ValueError, r"n_folds must be >= 1"),
    ("folds-n_folds-too-many", lambda: ll.rolling_origin_folds(10, 10), ValueError, r"n_folds must be <= 9"),
    ("folds-val_size-zero", lambda: ll.rolling_origin_folds(100, 3, 0), ValueError, r"val_size must be >= 1"),
    ("folds-do-not-fit", lambda: ll.rolling_origin_folds(10, 3, 4), ValueError, r"do not fit"),
    ("folds-horizon-gap", lambda: ll.rolling_origin_folds(10, 2, 4, horizon=3), ValueError, r"gap 2"),
    ("folds-horizon-bool", lambda: ll.rolling_origin_folds(10, 2, horizon=True), TypeError, r"horizon must be"),
    ("fold-leak", lambda: ll.Fold(train=np.arange(10), val=np.arange(5, 8)), ValueError, r"leak the future"),
    ("fold-empty", lambda: ll.Fold(train=np.arange(0), val=np.arange(5, 8)), ValueError, r"train must be a non-empty"),
    ("fold-float", lambda: ll.Fold(train=np.arange(3.0), val=np.arange(5, 8)), ValueError, r"train must be .*integers"),
    # ---- WindowedData ----------------------------------------------------------------------
    ("wd-window-too-long", lambda: ll.WindowedData(S, window=100), ValueError, r"longer than the series"),
    ("wd-window-zero", lambda: ll.WindowedData(S, window=0), ValueError, r"window must be >= 1"),
    ("wd-series-None", lambda: ll.WindowedData(None, window=5), TypeError, r"series is None"),
    ("wd-series-nan", lambda: ll.WindowedData(np.r_[S, np.nan], window=5), ValueError, r"series contains 1 NaN"),
    ("wd-frac-bool", lambda: ll.WindowedData(S, window=5, train_frac=True), TypeError, r"train_frac must be a number"),
    ("wd-frac-val-empty", lambda: ll.WindowedData(S[:7], window=5, train_frac=0.3), ValueError, r"0 training"),
    ("wd-target-missing", lambda: ll.WindowedData(COLS, window=5), ValueError, r"target_col must say which one"),
    # ---- Scaler ----------------------------------------------------------------------------
    ("scaler-range-None", lambda: ll.Scaler(feature_range=None), TypeError, r"feature_range must be a pair"),
    ("scaler-range-str", lambda: ll.Scaler(feature_range="01"), TypeError, r"feature_range must be a pair"),
    ("scaler-range-three", lambda: ll.Scaler(feature_range=(0, 1, 2)), ValueError, r"got 3 values"),
    ("scaler-range-reversed", lambda: ll.Scaler(feature_range=(1, 0)), ValueError, r"low < high"),
    ("scaler-range-equal", lambda: ll.Scaler(feature_range=(0, 0)), ValueError, r"low < high"),
    ("scaler-range-nan", lambda: ll.Scaler(feature_range=(np.nan, 1)), ValueError, r"feature_range\[0\].*finite"),
    ("scaler-range-strs", lambda: ll.Scaler(feature_range=("0", "1")), TypeError, r"feature_range\[0\]"),
    ("scaler-range-complex", lambda: ll.Scaler(feature_range=(0, 1j)), TypeError, r"feature_range\[1\].*complex"),
    ("scaler-kind-unknown", lambda: ll.Scaler("robust"), ValueError, r"kind must be one of"),
    ("scaler-kind-None", lambda: ll.Scaler(None), TypeError, r"kind must be one of"),
    ("scaler-kind-list", lambda: ll.Scaler(["minmax"]), TypeError, r"kind must be one of"),
    ("scaler-unfitted-transform", lambda: ll.Scaler().transform(S), ll.NotFittedError, r"not fitted yet"),
    ("scaler-unfitted-inverse", lambda: ll.Scaler().inverse_transform(S), ValueError, r"not fitted yet"),
    ("scaler-fit-constant", lambda: ll.Scaler().fit(np.ones(5)), ValueError, r"constant.*span is 0, too small"),
    ("scaler-fit-constant-std", lambda: ll.Scaler("standard").fit(np.ones(5)), ValueError, r"std is 0, too small"),
    ("scaler-fit-denormal", lambda: ll.Scaler().fit([0.0, 5e-324]), ValueError, r"spread is too small"),
    ("scaler-fit-tiny-relative", lambda: ll.Scaler().fit([1e6, 1e6 + 1e-7]), ValueError, r"spread is too small"),
    ("scaler-fit-overflow", lambda: ll.Scaler().fit([-1e308, 1e308]), ValueError, r"too large to scale"),
    ("scaler-fit-std-overflow", lambda: ll.Scaler("standard").fit([-1e308, 1e308]), ValueError, r"too large"),
    ("scaler-fit-nan", lambda: ll.Scaler().fit(NAN1), ValueError, r"data contains 1 NaN"),
    ("scaler-fit-strings", lambda: ll.Scaler().fit(["1", "2"]), TypeError, r"data holds strings"),
    ("scaler-fit-empty", lambda: ll.Scaler().fit([]), ValueError, r"data is empty"),
    ("scaler-fit-None", lambda: ll.Scaler().fit(None), TypeError, r"data is None"),
    ("scaler-fit-complex", lambda: ll.Scaler().fit(S + 0j), TypeError, r"data holds complex"),
    ("scaler-transform-overflow", lambda: ll.Scaler().fit([0.0, 1.0]).transform([1e308]), ValueError, r"overflow to inf"),
    ("scaler-transform-inf", lambda: _fitted_scaler().transform(INF1), ValueError, r"data contains 0 NaN and 1 inf"),
    ("scaler-inverse-strings", lambda: _fitted_scaler().inverse_transform(["a"]), TypeError, r"data holds strings"),
    # ---- baselines -------------------------------------------------------------------------
    ("naive-target_col-2d", lambda: ll.naive_forecast(X2, target_col=7), ValueError, r"target_col 7 does not exist"),
    ("naive-target_col-3d", lambda: ll.naive_forecast(X3, target_col=1), ValueError, r"target_col 1 does not exist"),
    ("naive-target_col-bool", lambda: ll.naive_forecast(X3, target_col=True), TypeError, r"target_col must be"),
    ("naive-target_col-float", lambda: ll.naive_forecast(X3, target_col=0.0), TypeError, r"target_col must be"),
    ("naive-X-1d", lambda: ll.naive_forecast(S), ValueError, r"X must be 2-D or 3-D"),
    ("naive-X-4d", lambda: ll.naive_forecast(X3[None]), ValueError, r"X must be 2-D or 3-D.*Squeeze"),
    ("naive-X-nan", lambda: ll.naive_forecast(np.full((3, 4), np.nan)), ValueError, r"X contains 12 NaN"),
    ("naive-X-complex", lambda: ll.naive_forecast(X2 * 1j), TypeError, r"X holds complex"),
    ("naive-horizon-zero", lambda: ll.naive_forecast(X3, horizon=0), ValueError, r"horizon must be >= 1"),
    ("naive-horizon-huge", lambda: ll.naive_forecast(X3, horizon=10**10), ValueError, r"horizon must be <="),
    ("seasonal-period-long", lambda: ll.seasonal_naive(X3, period=6), ValueError, r"period 6 is longer"),
    ("seasonal-period-zero", lambda: ll.seasonal_naive(X3, period=0), ValueError, r"period must be >= 1"),
    ("seasonal-period-None", lambda: ll.seasonal_naive(X3, period=None), TypeError, r"period must be an integer"),
    ("seasonal-target_col", lambda: ll.seasonal_naive(X2, 2, target_col=3), ValueError, r"target_col 3"),
    ("mean-X-strings", lambda: ll.mean_forecast([["1", "2"]]), TypeError, r"X holds strings"),
    ("mean-X-overflow", lambda: ll.mean_forecast(np.full((2, 3), 1e308)), ValueError, r"overflowed"),
    ("mean-horizon-bool", lambda: ll.mean_forecast(X3, horizon=True), TypeError, r"horizon must be an integer"),
    ("ar-unfitted", lambda: ll.LinearAR().predict(X2), ll.NotFittedError, r"not fitted yet"),
    ("ar-fit-mismatch", lambda: ll.LinearAR().fit(X2, Y2[:5]), ValueError, r"X has 20 rows but y has 5"),
    ("ar-fit-y-nan", lambda: ll.LinearAR().fit(X2, np.full(20, np.nan)), ValueError, r"y contains 20 NaN"),
    ("ar-fit-y-3d", lambda: ll.LinearAR().fit(X2, X3), ValueError, r"y must be 1-D or 2-D"),
    ("ar-fit-X-None", lambda: ll.LinearAR().fit(None, Y2), TypeError, r"X is None"),
    ("ar-predict-wrong-width", lambda: _fitted_ar().predict(X2[:, :3]), ValueError, r"fitted on window=5"),
    ("ar-predict-strings", lambda: _fitted_ar().predict([["a"] * 5]), TypeError, r"X holds strings"),
    # ---- metrics ---------------------------------------------------------------------------
    ("mse-strings", lambda: ll.mse(["1", "2"], [1, 2]), TypeError, r"pred holds strings.*not numbers"),
    ("mse-target-strings", lambda: ll.mse([1, 2], ["1", "2"]), TypeError, r"target holds strings"),
    ("mse-complex", lambda: ll.mse([1 + 2j, 2], [1, 2]), TypeError, r"pred holds complex.*x\.real"),
    ("mse-bool", lambda: ll.mse([True, False], [1, 0]), TypeError, r"pred holds booleans"),
    ("mse-None", lambda: ll.mse(None, [1]), TypeError, r"pred is None"),
    ("mse-None-inside", lambda: ll.mse([None, 1.0], [1, 2]), TypeError, r"pred holds None"),
    ("mse-nan", lambda: ll.mse(NAN1, [1, 2, 3]), ValueError, r"pred contains 1 NaN"),
    ("mse-target-inf", lambda: ll.mse([1, 2, 3], INF1), ValueError, r"target contains 0 NaN and 1 inf"),
    ("mse-shape", lambda: ll.mse(np.zeros((3, 1)), np.zeros(3)), ValueError, r"pred has shape \(3, 1\) but target"),
    ("mse-empty", lambda: ll.mse([], []), ValueError, r"pred is empty"),
    ("mse-ragged", lambda: ll.mse([[1], [1, 2]], [1, 2]), ValueError, r"pred is ragged"),
    ("mse-overflow", lambda: ll.mse([1e200], [-1e200]), ValueError, r"mse overflowed"),
    ("mse-huge-int", lambda: ll.mse([10**400], [1]), ValueError, r"pred holds an integer too large"),
    ("mse-object", lambda: ll.mse([object()], [1]), TypeError, r"pred holds a object"),
    ("mse-set", lambda: ll.mse({1.0, 2.0}, [1, 2]), TypeError, r"pred is a set"),
    ("mse-datetime", lambda: ll.mse(np.array(["2020-01-01"], "M8[D]"), [1]), TypeError, r"pred holds dates"),
    ("mae-strings", lambda: ll.mae("12", [1, 2]), TypeError, r"pred is a string"),
    ("mae-shape", lambda: ll.mae([1, 2], [1, 2, 3]), ValueError, r"pred has shape \(2,\) but target"),
    ("mae-overflow", lambda: ll.mae([1.7e308], [-1.7e308]), ValueError, r"mae overflowed"),
    ("mase-period-long", lambda: ll.mase([1.0], [1.0], [1.0, 2.0], period=2), ValueError, r"MASE needs more"),
    ("mase-constant", lambda: ll.mase([1.0], [1.0], [2.0, 2.0, 2.0]), ValueError, r"constant at lag"),
    ("mase-series-2d", lambda: ll.mase([1.0], [1.0], np.zeros((3, 2))), ValueError, r"train_series must be 1-D"),
    ("mase-period-bool", lambda: ll.mase([1.0], [1.0], S, period=True), TypeError, r"period must be an integer"),
    ("mase-series-nan", lambda: ll.mase([1.0], [1.0], NAN1), ValueError, r"train_series contains 1 NaN"),
    ("flatness-constant", lambda: ll.flatness([1.0, 2.0], [3.0, 3.0]), ValueError, r"target is constant"),
    ("flatness-complex", lambda: ll.flatness([1.0, 2.0], [1j, 2j]), TypeError, r"target holds complex"),
    ("flatness-overflow", lambda: ll.flatness([1.0, 2.0], [-1e308, 1e308]), ValueError, r"overflowed"),
    # ---- diagnose --------------------------------------------------------------------------
    ("diagnose-nothing", lambda: ll.diagnose(), ValueError, r"diagnose needs something to check"),
    ("diagnose-empty-losses", lambda: ll.diagnose([]), ValueError, r"losses is empty"),
    ("diagnose-losses-2d", lambda: ll.diagnose([[1.0, 2.0], [3.0, 4.0]]), ValueError, r"losses must be 1-D \(one"),
    ("diagnose-losses-str", lambda: ll.diagnose("1 2 3"), TypeError, r"losses is a string"),
    ("diagnose-losses-strings", lambda: ll.diagnose(["a", "b", "c"]), TypeError, r"losses holds strings"),
    ("diagnose-losses-complex", lambda: ll.diagnose([1 + 1j, 1.0, 1.0]), TypeError, r"losses holds complex"),
    ("diagnose-losses-history", lambda: ll.diagnose(training.History()), TypeError, r"losses holds a History"),
    ("diagnose-pred-without-targets", lambda: ll.diagnose(pred=Y2), ValueError, r"pass target="),
    ("diagnose-targets-nan", lambda: ll.diagnose(LOSSES, Y2, np.full((20, 1), np.nan)), ValueError, r"target contains 20 NaN"),
    ("diagnose-targets-inf", lambda: ll.diagnose(pred=[1.0, 2.0], target=[1.0, np.inf]), ValueError, r"target contains"),
    ("diagnose-targets-empty", lambda: ll.diagnose(LOSSES, [], []), ValueError, r"pred is empty"),
    ("diagnose-targets-0d", lambda: ll.diagnose(LOSSES, 1.0, 1.0), ValueError, r"pred must be 1-D"),
    ("diagnose-targets-4d", lambda: ll.diagnose(LOSSES, Y2, np.zeros((1, 1, 1, 1))), ValueError, r"target must be"),
    ("diagnose-inputs-length", lambda: ll.diagnose(LOSSES, Y2, Y2, inputs=X3[:7]), ValueError, r"inputs has 7 rows but target has 20"),
    ("diagnose-inputs-strings", lambda: ll.diagnose(LOSSES, Y2, Y2, inputs=[["x"]]), TypeError, r"inputs holds strings"),
    ("diagnose-output_shape-str", lambda: ll.diagnose(LOSSES, Y2, Y2, output_shape="(20, 1)"), TypeError, r"output_shape must be a shape"),
    ("diagnose-output_shape-int", lambda: ll.diagnose(LOSSES, Y2, Y2, output_shape=20), TypeError, r"output_shape must be a shape"),
    ("diagnose-output_shape-None-dim", lambda: ll.diagnose(LOSSES, Y2, Y2, output_shape=(None, 1)), TypeError, r"output_shape"),
    ("diagnose-output_shape-negative", lambda: ll.diagnose(LOSSES, Y2, Y2, output_shape=(-1, 1)), TypeError, r"non-negative"),
    ("diagnose-output_shape-no-targets", lambda: ll.diagnose(LOSSES, output_shape=(20, 1)), ValueError, r"output_shape needs a target"),
    ("diagnose-grad_norms-negative", lambda: ll.diagnose(LOSSES, grad_norms=[1.0, -2.0]), ValueError, r"grad_norms holds negative"),
    ("diagnose-grad_norms-2d", lambda: ll.diagnose(LOSSES, grad_norms=[[1.0]]), ValueError, r"grad_norms must be 1-D"),
    ("diagnose-grad_norms-str", lambda: ll.diagnose(LOSSES, grad_norms="big"), TypeError, r"grad_norms is a string"),
    # ---- rolling_forecast ------------------------------------------------------------------
    ("roll-steps-huge", lambda: ll.rolling_forecast(_identity_predict, S[:5], 10**8), ValueError, r"steps must be <= 100_000"),
    ("roll-steps-zero", lambda: ll.rolling_forecast(_identity_predict, S[:5], 0), ValueError, r"steps must be >= 1"),
    ("roll-steps-float", lambda: ll.rolling_forecast(_identity_predict, S[:5], 3.0), TypeError, r"steps must be an integer"),
    ("roll-steps-bool", lambda: ll.rolling_forecast(_identity_predict, S[:5], True), TypeError, r"steps must be an integer"),
    ("roll-predict-not-callable", lambda: ll.rolling_forecast(None, S[:5], 3), TypeError, r"predict must be a function"),
    ("roll-predict-array", lambda: ll.rolling_forecast(S, S[:5], 3), TypeError, r"predict must be a function"),
    ("roll-predict-strings", lambda: ll.rolling_forecast(lambda X: [["a"]], S[:5], 3), TypeError, r"predict's output holds strings"),
    ("roll-predict-nan", lambda: ll.rolling_forecast(lambda X: np.full((1, 1), np.nan), S[:5], 3), ValueError, r"predict returned nan at step 1"),
    ("roll-predict-shape", lambda: ll.rolling_forecast(lambda X: np.zeros((2, 1)), S[:5], 3), ValueError, r"must return \(1, 1\)"),
    ("roll-predict-empty", lambda: ll.rolling_forecast(lambda X: np.zeros((0, 1)), S[:5], 3), ValueError, r"must return"),
    ("roll-predict-scalar", lambda: ll.rolling_forecast(lambda X: 1.0, S[:5], 3), ValueError, r"must return"),
    ("roll-window-nan", lambda: ll.rolling_forecast(_identity_predict, NAN1, 3), ValueError, r"window contains 1 NaN"),
    ("roll-window-2-features", lambda: ll.rolling_forecast(_identity_predict, COLS, 3), ValueError, r"univariate"),
    ("roll-window-3d", lambda: ll.rolling_forecast(_identity_predict, X3, 3), ValueError, r"window must be 1-D or 2-D"),
    ("roll-window-empty", lambda: ll.rolling_forecast(_identity_predict, [], 3), ValueError, r"window is empty"),
    # ---- record and set_seed ---------------------------------------------------------------
    ("record-name-int", lambda: ll.record(5, 1.0), TypeError, r"name must be a string"),
    ("record-name-space", lambda: ll.record("val mse", 1.0), ValueError, r"identifier-like"),
    ("record-name-empty", lambda: ll.record("", 1.0), ValueError, r"identifier-like"),
    ("record-value-dict", lambda: ll.record("x", {"a": 1}), TypeError, r"takes numbers, strings or lists"),
    ("record-value-complex", lambda: ll.record("x", 1 + 2j), TypeError, r"got complex"),
    ("record-value-array", lambda: ll.record("x", np.zeros(3)), TypeError, r"arr\.tolist\(\)"),
    ("record-value-deep", lambda: ll.record("x", [[[[[[[[[[[[1]]]]]]]]]]]]), ValueError, r"nests lists more than"),
    ("set_seed-negative", lambda: ll.set_seed(-1, frameworks=()), ValueError, r"seed must be a non-negative"),
    ("set_seed-huge", lambda: ll.set_seed(2**40, frameworks=()), ValueError, r"below 2\*\*32"),
    ("set_seed-float", lambda: ll.set_seed(4.0, frameworks=()), TypeError, r"seed must be a non-negative integer"),
    ("set_seed-bool", lambda: ll.set_seed(True, frameworks=()), TypeError, r"seed must be"),
    ("set_seed-str", lambda: ll.set_seed("42", frameworks=()), TypeError, r"seed must be"),
    ("set_seed-frameworks-str", lambda: ll.set_seed(1, frameworks="torch"), TypeError, r"frameworks must be a list"),
    ("set_seed-frameworks-int", lambda: ll.set_seed(1, frameworks=5), TypeError, r"frameworks must be a list"),
    ("set_seed-frameworks-nonstr", lambda: ll.set_seed(1, frameworks=[["torch"]]), TypeError, r"frameworks must hold names"),
    ("set_seed-frameworks-unknown", lambda: ll.set_seed(1, frameworks=("jax",)), ValueError, r"frameworks may hold"),
    # ---- exercise checks (bad author arguments; a learner's wrong answer is an AssertionError) -
    ("ex-question-int", lambda: ex.check_answered(1, 2.0, "x"), TypeError, r"question must be a string"),
    ("ex-name-None", lambda: ex.check_answered("q1", 2.0, None), TypeError, r"name must be a string"),
    ("ex-shape-expected-str", lambda: ex.check_shape("q1", X3, "20,5", "X"), TypeError, r"expected must be a shape"),
    ("ex-shape-expected-float", lambda: ex.check_shape("q1", X3, (20.0, 5), "X"), TypeError, r"expected must be a shape"),
    ("ex-close-rtol-negative", lambda: ex.check_close("q1", 1.0, 1.0, "x", rtol=-1), ValueError, r"rtol must be >= 0"),
    ("ex-close-atol-nan", lambda: ex.check_close("q1", 1.0, 1.0, "x", atol=np.nan), ValueError, r"atol must be a finite"),
    ("ex-close-expected-str", lambda: ex.check_close("q1", 1.0, "1.0", "x"), TypeError, r"expected is a string"),
    ("ex-close-expected-nan", lambda: ex.check_close("q1", 1.0, np.nan, "x"), ValueError, r"expected contains 1 NaN"),
    ("ex-choice-str", lambda: ex.check_choice("q1", "a", "abc", "x"), TypeError, r"choices must be a list"),
    ("ex-choice-empty", lambda: ex.check_choice("q1", "a", [], "x"), ValueError, r"choices is empty"),
    ("ex-equal-hint", lambda: ex.check_equal("q1", 1, 1, "x", hint=None), TypeError, r"hint must be a string"),
    ("ex-true-array", lambda: ex.check_true("q1", np.array([True, False]), "m"), TypeError, r"np\.all\(\.\.\.\)"),
    ("ex-true-message", lambda: ex.check_true("q1", True, None), TypeError, r"message must be a string"),
    # ---- framework-free checks the PyTorch/Keras wrappers run first --------------------------
    ("train-X-2d", lambda: training.check_training_data(X2, Y2), ValueError, r"X must be 3-D \(windows"),
    ("train-y-1d", lambda: training.check_training_data(X3, S[:20]), ValueError, r"y must be 2-D \(targets"),
    ("train-length", lambda: training.check_training_data(X3, Y2[:3]), ValueError, r"X has 20 rows but y has 3"),
    ("train-X-nan", lambda: training.check_training_data(X3 * np.nan, Y2), ValueError, r"X contains 100 NaN"),
    ("train-y_val-name", lambda: training.check_training_data(X3, Y2[:1], "X_val", "y_val"), ValueError, r"X_val has 20"),
    ("train-y-huge", lambda: training.check_training_data(X3, Y2.astype(float) * 1e300), ValueError, r"beyond float32"),
    ("model-cell-unknown", lambda: training.check_recurrent_args(1, 32, 1, 1, "transformer", ["lstm"]), ValueError, r"cell must be one of"),
    ("model-cell-None", lambda: training.check_recurrent_args(1, 32, 1, 1, None, ["lstm"]), TypeError, r"cell must be one of"),
    ("model-hidden-huge", lambda: training.check_recurrent_args(1, 10**6, 1, 1, "lstm", ["lstm"]), ValueError, r"hidden must be <= 4_096"),
    ("model-hidden-float", lambda: training.check_recurrent_args(1, 32.0, 1, 1, "lstm", ["lstm"]), TypeError, r"hidden must be an integer"),
    ("model-features-zero", lambda: training.check_recurrent_args(0, 32, 1, 1, "lstm", ["lstm"]), ValueError, r"n_features must be >= 1"),
    ("model-horizon-bool", lambda: training.check_recurrent_args(1, 32, True, 1, "lstm", ["lstm"]), TypeError, r"horizon must be"),
    ("model-layers-huge", lambda: training.check_recurrent_args(1, 32, 1, 1000, "lstm", ["lstm"]), ValueError, r"layers must be <="),
    ("fit-epochs-zero", lambda: _fit_options(epochs=0), ValueError, r"epochs must be >= 1"),
    ("fit-epochs-float", lambda: _fit_options(epochs=10.0), TypeError, r"epochs must be an integer"),
    ("fit-epochs-huge", lambda: _fit_options(epochs=10**9), ValueError, r"epochs must be <="),
    ("fit-batch-zero", lambda: _fit_options(batch_size=0), ValueError, r"batch_size must be >= 1"),
    ("fit-shuffle-str", lambda: _fit_options(shuffle="yes"), TypeError, r"shuffle must be True or False"),
    ("fit-print_every-negative", lambda: _fit_options(print_every=-1), ValueError, r"print_every must be >= 0"),
    ("fit-label-int", lambda: _fit_options(label=3), TypeError, r"label must be a string"),
    ("fit-X_val-alone", lambda: _fit_options(X_val=X3), ValueError, r"X_val was given without y_val"),
    ("fit-y_val-alone", lambda: _fit_options(y_val=Y2), ValueError, r"y_val was given without X_val"),
    ("fit-lr-zero", lambda: _fit_options(lr=0.0), ValueError, r"lr must be > 0"),
    ("fit-lr-nan", lambda: _fit_options(lr=np.nan), ValueError, r"lr must be a finite"),
    ("fit-lr-str", lambda: _fit_options(lr="1e-3"), TypeError, r"lr must be a number"),
    ("fit-clip-negative", lambda: _fit_options(clip=-1.0), ValueError, r"clip must be > 0"),
    ("epoch-printer-every", lambda: training.EpochPrinter(10, print_every=1.5), TypeError, r"print_every must be an integer"),
]

# Inputs that look valid (issue 25): negative fold indices, windows of another layout, masked
# arrays, narrow ranges, functions passed in. Tables, plots, History, series and devices are in
# test_bad_inputs_objects.py; both backends' calls in test_bad_inputs_models.py.
X52 = np.random.RandomState(2).randn(20, 5, 2)  # 5 steps, 2 features: 10 values per window
MASKED = np.ma.masked_array(S, mask=S > 0.9)


def _ar52() -> ll.LinearAR:
    return ll.LinearAR().fit(X52, Y2)


def _raise_at(step: int, error: type[Exception]) -> Callable[[np.ndarray], np.ndarray]:
    """A predict function that fails at its ``step``-th call."""
    calls = []

    def predict(X: np.ndarray) -> np.ndarray:
        calls.append(1)
        if len(calls) == step:
            raise error("the model broke")
        return X[:, -1, :]

    return predict


CASES += [
    # ---- Fold: indices that look valid -----------------------------------------------------
    ("fold-train-negative", lambda: ll.Fold(train=np.array([-1, 0, 1]), val=np.arange(5, 8)), ValueError, r"Fold train holds the negative index -1"),
    ("fold-val-negative", lambda: ll.Fold(train=np.arange(3), val=np.array([-2, -1])), ValueError, r"Fold val holds the negative index -2"),
    ("fold-both-negative", lambda: ll.Fold(train=np.array([-9, -8]), val=np.array([-2, -1])), ValueError, r"Fold train holds the negative"),
    ("fold-train-2d", lambda: ll.Fold(train=np.arange(4).reshape(2, 2), val=np.arange(5, 8)), ValueError, r"Fold train must be a non-empty 1-D"),
    ("fold-val-bool", lambda: ll.Fold(train=np.arange(3), val=np.array([True, False])), ValueError, r"Fold val must be .*integers"),
    ("fold-overlap", lambda: ll.Fold(train=np.arange(6), val=np.arange(5, 8)), ValueError, r"Fold would leak the future"),
    ("fold-val-empty", lambda: ll.Fold(train=np.arange(3), val=np.arange(0)), ValueError, r"Fold val must be a non-empty"),
    # ---- LinearAR: windows of the same size but another layout -----------------------------
    ("ar-predict-same-size-longer", lambda: _ar52().predict(np.zeros((3, 10, 1))), ValueError, r"X has windows of 10 steps; this model was fitted on window=5"),
    ("ar-predict-same-size-2d", lambda: _ar52().predict(np.zeros((3, 10))), ValueError, r"X has windows of 10 steps; .*fitted on window=5"),
    ("ar-predict-features", lambda: _ar52().predict(X52[:, :, :1]), ValueError, r"X has 1 feature\(s\) per step; this model was fitted on n_features=2"),
    ("ar-predict-more-features", lambda: _fitted_ar().predict(X52), ValueError, r"X has 2 feature\(s\) per step; .*fitted on n_features=1"),
    ("ar-predict-shorter", lambda: _ar52().predict(X52[:, :4]), ValueError, r"X has windows of 4 steps"),
    ("ar-predict-masked", lambda: _fitted_ar().predict(np.ma.masked_array(X2, X2 > 1)), ValueError, r"X is a masked array"),
    ("ar-fit-masked", lambda: ll.LinearAR().fit(np.ma.masked_array(X2, X2 > 1), Y2), ValueError, r"X is a masked array"),
    ("ar-fit-y-None", lambda: ll.LinearAR().fit(X2), TypeError, r"LinearAR.fit needs targets.*y_train"),
    ("ar-predict-None", lambda: _fitted_ar().predict(None), TypeError, r"X is None"),
    # ---- masked arrays: the values under the mask are never used -------------------------------
    ("masked-mse-pred", lambda: ll.mse(MASKED, S), ValueError, r"pred is a masked array with \d+ masked value"),
    ("masked-mae-target", lambda: ll.mae(S, MASKED), ValueError, r"target is a masked array"),
    ("masked-mase-series", lambda: ll.mase(S, S, MASKED), ValueError, r"train_series is a masked array"),
    ("masked-flatness", lambda: ll.flatness(MASKED, S), ValueError, r"pred is a masked array"),
    ("masked-windows", lambda: ll.sliding_windows(MASKED, 5), ValueError, r"series is a masked array"),
    ("masked-windowed-data", lambda: ll.WindowedData(MASKED, window=5), ValueError, r"series is a masked array"),
    ("masked-split-X", lambda: ll.time_split(np.ma.masked_array(X3, X3 > 1), Y2), ValueError, r"X is a masked array"),
    ("masked-split-y", lambda: ll.time_split(X3, np.ma.masked_array(Y2, Y2 > 1)), ValueError, r"y is a masked array"),
    ("masked-scaler-fit", lambda: ll.Scaler().fit(MASKED), ValueError, r"data is a masked array"),
    ("masked-scaler-transform", lambda: _fitted_scaler().transform(MASKED), ValueError, r"data is a masked array"),
    ("masked-scaler-inverse", lambda: _fitted_scaler().inverse_transform(MASKED), ValueError, r"data is a masked array"),
    ("masked-naive", lambda: ll.naive_forecast(np.ma.masked_array(X3, X3 > 1)), ValueError, r"X is a masked array"),
    ("masked-mean", lambda: ll.Mean().predict(np.ma.masked_array(X3, X3 > 1)), ValueError, r"X is a masked array"),
    ("masked-diagnose-losses", lambda: ll.diagnose(np.ma.masked_array(LOSSES, [0, 1, 0])), ValueError, r"losses is a masked array"),
    ("masked-diagnose-pred", lambda: ll.diagnose(LOSSES, np.ma.masked_array(Y2, Y2 > 1), Y2), ValueError, r"pred is a masked array"),
    ("masked-roll-window", lambda: ll.rolling_forecast(_identity_predict, MASKED[:10], 3), ValueError, r"window is a masked array"),
    ("masked-invalid-scaler", lambda: ll.Scaler().fit(np.ma.masked_invalid(NAN1)), ValueError, r"data is a masked array with 1 masked"),
    # ---- Scaler: a range too narrow to scale into ----------------------------------------------
    ("scaler-range-narrow-large", lambda: ll.Scaler(feature_range=(1e16, 1e16 + 2)), ValueError, r"feature_range \(1e\+16, .*too narrow"),
    ("scaler-range-narrow-relative", lambda: ll.Scaler(feature_range=(1000.0, 1000.0001)), ValueError, r"feature_range .*too narrow"),
    ("scaler-range-narrow-negative", lambda: ll.Scaler(feature_range=(-1e10, -1e10 + 1)), ValueError, r"feature_range .*too narrow"),
    ("scaler-range-denormal", lambda: ll.Scaler(feature_range=(0.0, 1e-320)), ValueError, r"feature_range .*too narrow"),
    ("scaler-range-tiny", lambda: ll.Scaler(feature_range=(0.0, 1e-35)), ValueError, r"feature_range .*too narrow"),
    ("scaler-range-list-narrow", lambda: ll.Scaler("minmax", [5.0, 5.000001]), ValueError, r"feature_range .*too narrow"),
    ("scaler-range-array-reversed", lambda: ll.Scaler(feature_range=np.array([1.0, -1.0])), ValueError, r"feature_range must be .*low < high"),
    ("scaler-range-dict", lambda: ll.Scaler(feature_range={0: -1, 1: 1}), TypeError, r"feature_range must be a pair"),
    ("scaler-range-None-inside", lambda: ll.Scaler(feature_range=(None, 1.0)), TypeError, r"feature_range\[0\]"),
    # ---- rolling_forecast: functions passed in ---------------------------------------------------
    ("roll-predict-several-values", lambda: ll.rolling_forecast(lambda X: np.zeros((1, 3)), S[:5], 3), ValueError, r"predict returned shape \(1, 3\) for one window at step 1 of 3; it must return \(1, 1\)"),
    ("roll-predict-row", lambda: ll.rolling_forecast(lambda X: np.zeros(2), S[:5], 3), ValueError, r"predict returned shape \(2,\)"),
    ("roll-predict-3d", lambda: ll.rolling_forecast(lambda X: np.zeros((1, 1, 2)), S[:5], 3), ValueError, r"predict returned shape \(1, 1, 2\)"),
    ("roll-predict-tuple", lambda: ll.rolling_forecast(lambda X: (X[:, -1, :], None), S[:5], 3), ValueError, r"predict returned a tuple of 2 outputs at step 1"),
    ("roll-predict-list-of-two", lambda: ll.rolling_forecast(lambda X: [[1.0, 2.0]], S[:5], 3), ValueError, r"predict returned shape \(1, 2\)"),
    ("roll-predict-None", lambda: ll.rolling_forecast(lambda X: None, S[:5], 3), TypeError, r"predict's output is None"),
    ("roll-predict-dict", lambda: ll.rolling_forecast(lambda X: {"y": 1.0}, S[:5], 3), TypeError, r"predict's output is a dict"),
    ("roll-predict-two-args", lambda: ll.rolling_forecast(lambda X, model: X, S[:5], 3), TypeError, r"predict must take one argument.*missing a required argument: 'model'"),
    ("roll-predict-no-args", lambda: ll.rolling_forecast(lambda: 1.0, S[:5], 3), TypeError, r"predict must take one argument.*too many positional"),
    ("roll-predict-keyword-only", lambda: ll.rolling_forecast(lambda *, X: X, S[:5], 3), TypeError, r"predict must take one argument"),
    ("roll-predict-class", lambda: ll.rolling_forecast(ll.LinearAR, S[:5], 3), TypeError, r"predict must take one argument"),
    ("roll-predict-unfitted-method", lambda: ll.rolling_forecast(ll.LinearAR().predict, S[:5], 3), ValueError, r"predict failed at step 1 of 3.*NotFittedError: This LinearAR is not fitted"),
    ("roll-predict-raises", lambda: ll.rolling_forecast(_raise_at(1, ZeroDivisionError), S[:5], 3), ValueError, r"predict failed at step 1 of 3, given one window of shape \(1, 5, 1\): ZeroDivisionError: the model broke"),
    ("roll-predict-raises-later", lambda: ll.rolling_forecast(_raise_at(2, RuntimeError), S[:5], 4), ValueError, r"predict failed at step 2 of 4.*RuntimeError"),
    ("roll-predict-raises-type", lambda: ll.rolling_forecast(_raise_at(3, TypeError), S[:5], 4), TypeError, r"predict failed at step 3 of 4.*TypeError: the model broke"),
    ("roll-predict-wrong-window", lambda: ll.rolling_forecast(_fitted_ar().predict, S[:9], 3), ValueError, r"predict failed at step 1.*X has windows of 9 steps; this model was fitted on window=5"),
    ("roll-predict-inf-later", lambda: ll.rolling_forecast(lambda X: X[:, -1, :].astype(float) * 1e300, S[1:6], 3), ValueError, r"predict's output holds values beyond float32"),
    # ---- diagnose: values no training run produces ---------------------------------------------
    ("diagnose-losses-negative", lambda: ll.diagnose([1.0, -0.5, 0.2]), ValueError, r"losses holds negative values \(first: -0.5 at epoch 2\)"),
    ("diagnose-losses-all-negative", lambda: ll.diagnose([-1.0, -2.0, -3.0]), ValueError, r"losses holds negative values"),
    ("diagnose-losses-negative-with-pred", lambda: ll.diagnose([-0.1, 0.1, 0.1], Y2, Y2), ValueError, r"losses holds negative"),
    ("diagnose-pred-huge", lambda: ll.diagnose(LOSSES, np.full((20, 1), 1e308), Y2), ValueError, r"pred holds values beyond float32's range"),
    ("diagnose-pred-huge-both-signs", lambda: ll.diagnose(LOSSES, np.r_[np.full(10, 1e308), np.full(10, -1e308)][:, None], Y2), ValueError, r"pred holds values beyond float32"),
    ("diagnose-target-huge", lambda: ll.diagnose(pred=Y2, target=Y2.astype(float) * 1e300), ValueError, r"target holds values beyond float32"),
    ("diagnose-inputs-huge", lambda: ll.diagnose(LOSSES, Y2, Y2, inputs=X3.astype(float) * 1e300), ValueError, r"inputs holds values beyond float32"),
    ("diagnose-train_target-huge", lambda: ll.diagnose(LOSSES, Y2, Y2, train_target=Y2.astype(float) * 1e300), ValueError, r"train_target holds values beyond float32"),
    ("diagnose-losses-huge", lambda: ll.diagnose([1e300, 1.0, 0.5]), ValueError, r"losses holds values beyond float32"),
    ("diagnose-grad_norms-huge", lambda: ll.diagnose(LOSSES, grad_norms=[1.0, 1e300]), ValueError, r"grad_norms holds values beyond float32"),
    ("diagnose-train_target-alone", lambda: ll.diagnose(LOSSES, train_target=Y2), ValueError, r"train_target needs a target"),
    ("diagnose-inputs-masked", lambda: ll.diagnose(LOSSES, Y2, Y2, inputs=np.ma.masked_array(X3, X3 > 1)), ValueError, r"inputs is a masked array"),
    # ---- other public names ------------------------------------------------------------------------
    ("windows-series-masked-2d", lambda: ll.sliding_windows(np.ma.masked_array(COLS, COLS > 0.9), 5, target_col=0), ValueError, r"series is a masked array"),
    ("folds-val_size-float", lambda: ll.rolling_origin_folds(100, 3, 5.0), TypeError, r"val_size must be an integer"),
    ("folds-horizon-zero", lambda: ll.rolling_origin_folds(100, 3, horizon=0), ValueError, r"horizon must be >= 1"),
    ("seasonal-class-period-float", lambda: ll.SeasonalNaive(12.0), TypeError, r"period must be an integer"),
    ("naive-class-horizon-zero", lambda: ll.Naive(horizon=0), ValueError, r"horizon must be >= 1"),
    ("naive-fit-y-length", lambda: ll.Naive().fit(X3, Y2[:5]), ValueError, r"X has 20 rows but y has 5"),
    ("mean-fit-y-strings", lambda: ll.Mean().fit(X3, [["a"]] * 20), TypeError, r"y holds strings"),
    ("naive-fit-horizon-given", lambda: ll.Naive(horizon=2).fit(X3, Y2), ValueError, r"y has 1 target value\(s\) per window; this model was built for horizon=2"),
    ("seasonal-fit-horizon-given", lambda: ll.SeasonalNaive(2, horizon=3).fit(X3, np.zeros((20, 2))), ValueError, r"y has 2 target value.*horizon=3"),
    ("mean-fit-y-rows", lambda: ll.Mean().fit(X3, Y2[:4]), ValueError, r"X has 20 rows but y has 4"),
    ("windows-inputs-twice", lambda: ll.sliding_windows(COLS, 5, inputs=[0, 0], target_col=1), ValueError, r"inputs lists column 0 more than once"),
    ("windows-inputs-twice-negative", lambda: ll.sliding_windows(COLS, 5, inputs=[1, -1], target_col=0), ValueError, r"inputs lists column 1 more than once"),
    ("wd-inputs-twice", lambda: ll.WindowedData(COLS, window=5, inputs=[0, -2], target_col=0), ValueError, r"inputs lists column 0 more than once"),
    ("load_backend-list", lambda: ll.load_backend(["torch"]), TypeError, r"name must be a backend name"),
    ("record-name-keyword", lambda: ll.record("val mse!", 1.0), ValueError, r"name must be an identifier"),
]


def _fit_options(**overrides: Any) -> int:
    options = dict(
        epochs=10, batch_size=None, shuffle=True, print_every=None, label="", X_val=None, y_val=None, lr=1e-3
    )
    options.update(overrides)
    return training.check_fit_options(**options)


def test_the_table_is_large_and_ids_are_unique():
    ids = [case[0] for case in CASES]
    assert len(ids) >= 350, len(ids)
    assert not ids_unique(ids)


@pytest.mark.parametrize(("call", "error", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_call_raises_a_clear_error(call: Callable[[], Any], error: type[BaseException], pattern: str):
    assert_clear_error(call, error, pattern)


def test_not_fitted_error_is_like_scikit_learns():
    assert issubclass(ll.NotFittedError, ValueError) and issubclass(ll.NotFittedError, AttributeError)
    with pytest.raises(AttributeError):
        ll.Scaler().transform([1.0])


def test_valid_edge_inputs_still_work():
    """The checks refuse garbage, not unusual but valid input."""
    assert ll.mse(np.float32([1, 2]), [1, 2]) == 0.0
    assert ll.mse([1, 2], [1, 2]) == 0.0  # integer lists are numbers
    assert math.isclose(ll.mse(np.array([1, 2], dtype=object), [1.0, 3.0]), 0.5)
    assert ll.diagnose([1.0, np.nan, 3.0]).codes == ["non_finite"]  # NaN losses are reported, not refused
    assert ll.diagnose(LOSSES, np.full((20, 1), np.nan), Y2).codes[0] == "non_finite"
    assert "shape_mismatch" in ll.diagnose(LOSSES, Y2, Y2, output_shape=(20, 5, 1)).codes
    assert ll.diagnose(LOSSES, Y2, Y2, output_shape=np.array([20, 1])).healthy
    X, y = ll.sliding_windows(COLS, 5, inputs=(np.int64(0),), target_col=np.int64(-1))
    assert X.shape == (55, 5, 1) and y.shape == (55, 1)
    ll.time_split(X3, np.zeros((20, 3)), gap=4)  # a larger gap than needed is allowed
    ll.Scaler(feature_range=[0, 1]).fit([0.0, 1e-300])  # a tiny but normal span still scales
    assert ll.rolling_forecast(_identity_predict, S[:5], 3).shape == (3,)
    ll.two_waves(n=np.int64(50), noise=np.float32(0.1), seed=np.uint32(7))
    assert ll.mse(np.ma.masked_array([1.0, 2.0]), [1.0, 2.0]) == 0.0  # nothing masked: plain data
    ar = ll.LinearAR().fit(X2, Y2)  # windows (n, w) and (n, w, 1) are the same layout
    np.testing.assert_allclose(ar.predict(X3), ar.predict(X2))
    assert ll.rolling_forecast(ar.predict, S[:5], 2).shape == (2,)
    naive = ll.Naive()  # a horizon left at None is learned again at every fit
    assert naive.fit(X3, Y2).predict(X3).shape == (20, 1)
    assert naive.fit(X3, np.zeros((20, 3))).predict(X3).shape == (20, 3)
    ll.diagnose([0.0, 0.0, 0.0])  # a loss of exactly 0 is a loss
    ll.Scaler(feature_range=(1e-6, 2e-6)).fit(S)  # a small range, wide for its magnitude
    ex.check_close("q", [1.0, 2.0], np.array([1.0, 2.0]), "x")
    with pytest.raises(AssertionError, match="should be a number"):  # a learner's string answer
        ex.check_close("q", "1.0", 1.0, "x")
    with pytest.raises(AssertionError, match="should be a number"):
        ex.check_close("q", True, 1.0, "x")


# ---- property tests: random garbage works or raises ValueError/TypeError, never anything else --

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([10**400, -(10**400), 2**32, 2**63]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(max_magnitude=1e6),
    st.text(max_size=4),
    st.binary(max_size=3),
)
ARRAYS = st.sampled_from(
    [
        np.array([]),
        np.zeros((0, 3)),
        np.array([np.nan, 1.0]),
        np.array([1.0, np.inf]),
        np.array([1 + 1j, 2.0]),
        np.array(["a", "b"]),
        np.array([True, False]),
        np.array([5e-324, 0.0]),
        np.array([1e308, -1e308]),
        np.array([1, None], dtype=object),
        np.arange(12.0).reshape(2, 3, 2),
        np.arange(24.0).reshape(2, 3, 2, 2),
        S,
        X3,
        X2,
        Y2,
        COLS,
    ]
)
GARBAGE = st.recursive(
    st.one_of(SCALARS, ARRAYS),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(st.text(max_size=2), inner, max_size=2)),
    max_leaves=6,
)

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "two_waves": lambda a, b: ll.two_waves(n=a if isinstance(a, int) and not isinstance(a, bool) and 0 < a < 5000 else 50, noise=b),
    "sine-start": lambda a, b: ll.sine(n=50, start=a, step=b),
    "sine-amplitude": lambda a, b: ll.sine(n=50, amplitude=a, noise=b),
    "sliding_windows": lambda a, b: ll.sliding_windows(a, b if isinstance(b, int) and not isinstance(b, bool) and b < 1000 else 3),
    "sliding_windows-window": lambda a, b: ll.sliding_windows(S, a, b),
    "sliding_windows-cols": lambda a, b: ll.sliding_windows(COLS, 3, inputs=a, target_col=b),
    "time_split": lambda a, b: ll.time_split(a, b),
    "time_split-frac": lambda a, b: ll.time_split(X3, Y2, a, val_size=b if b is None or isinstance(b, int) else None),
    "time_split-gap": lambda a, b: ll.time_split(X3, Y2, gap=a),
    "rolling_origin_folds": lambda a, b: ll.rolling_origin_folds(a, b),
    "rolling_origin_folds-size": lambda a, b: ll.rolling_origin_folds(100, 3, a, horizon=b if b is not None else 1),
    "WindowedData": lambda a, b: ll.WindowedData(a, window=3, train_frac=b if b is not None else 0.8),
    "Scaler": lambda a, b: ll.Scaler(a, b).fit(S),
    "Scaler.fit": lambda a, b: ll.Scaler().fit(a).transform(b),
    "Scaler.standard": lambda a, b: ll.Scaler("standard").fit(a).inverse_transform(b),
    "naive_forecast": lambda a, b: ll.naive_forecast(a, target_col=b if b is not None else 0),
    "seasonal_naive": lambda a, b: ll.seasonal_naive(a, b),
    "mean_forecast": lambda a, b: ll.mean_forecast(a, b if b is not None else 1),
    "LinearAR": lambda a, b: ll.LinearAR().fit(a, b).predict(a),
    "mse": lambda a, b: ll.mse(a, b),
    "mae": lambda a, b: ll.mae(a, b),
    "mase": lambda a, b: ll.mase(a, a, b),
    "flatness": lambda a, b: ll.flatness(a, b),
    "diagnose": lambda a, b: ll.diagnose(a, b, b),
    "diagnose-kw": lambda a, b: ll.diagnose(LOSSES, Y2, Y2, inputs=a, output_shape=b),
    "diagnose-grads": lambda a, b: ll.diagnose(a, grad_norms=b),
    "rolling_forecast": lambda a, b: ll.rolling_forecast(_identity_predict, a, b if b is None or not isinstance(b, int) or b < 50 else 3),
    "rolling_forecast-predict": lambda a, b: ll.rolling_forecast(lambda X: a, S[:4], 2),
    "record": lambda a, b: ll.record(a if isinstance(a, str) else "fuzz_value", b),
    "set_seed": lambda a, b: ll.set_seed(a, frameworks=()),
    "check_fit_options": lambda a, b: _fit_options(epochs=a if isinstance(a, int) and not isinstance(a, bool) and a < 10 else 1, lr=b),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_random_garbage_works_or_raises_value_or_type_error(name: str):
    call = FUNCTIONS[name]

    @settings(max_examples=25, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(a=GARBAGE, b=GARBAGE)
    def run(a: Any, b: Any) -> None:
        start = time.perf_counter()
        try:
            call(a, b)
        except (ValueError, TypeError) as err:
            message = str(err)
            assert message and not re.search(r"ufunc|truth value of an array|cannot unpack", message), message
        assert time.perf_counter() - start < 5.0, "a call took over 5 s: bad input must fail fast"

    run()


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(
    value=GARBAGE,
    expected=st.one_of(st.floats(-10, 10), st.lists(st.floats(-10, 10), max_size=3)),
)
def test_exercise_checks_fail_learners_with_assertion_errors_only(value: Any, expected: Any):
    """A learner's answer, whatever it is, passes or fails with an AssertionError naming the question."""
    for check in (
        lambda: ex.check_close("q9", value, expected, "answer"),
        lambda: ex.check_shape("q9", value, (2,), "answer"),
        lambda: ex.check_choice("q9", value, ["a", "b"], "answer"),
        lambda: ex.check_equal("q9", value, "a", "answer"),
    ):
        try:
            check()
        except AssertionError as err:
            assert str(err).startswith("q9: ")
