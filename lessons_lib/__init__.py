"""lessons_lib: the helpers every lesson of forecasting-failures imports.

NumPy only: importing it never imports TensorFlow or PyTorch. Framework code lives in the
backends ``lessons_lib.torch_models`` and ``lessons_lib.keras_models``: ``ll.load_backend(name)``
returns one, and both follow the contract in ``lessons_lib.backends``. Plots: ``lessons_lib.plots``;
a figure in words: ``lessons_lib.alt_text``.

"""

from . import _tf_quiet  # noqa: F401  (first: TensorFlow reads its log level at import)
from ._checks import NotFittedError, check_same_shape
from ._load_order import guard as _guard
from .backends import load_backend
from .backtest import refit_backtest, sarimax_backtest
from .baselines import (
    LinearAR,
    Mean,
    Naive,
    SeasonalNaive,
    drift_forecast,
    mean_forecast,
    naive_forecast,
    seasonal_naive,
)
from .diagnose import Report, diagnose
from .environment import environment_report
from .forecasting import rolling_forecast
from .metrics import coverage, flatness, mae, mase, mse, winkler_score
from .recording import record, recorded
from .scaling import Scaler
from .seeding import seeded_frameworks, set_seed
from .series import Series, sine, two_waves
from .stats import (
    Paired,
    Spread,
    compare_forecasts,
    conformal_width,
    over_seeds,
    paired_difference,
    sines_acov,
    spread,
    window_floor,
    window_weights,
)
from .tables import table
from .windows import Fold, WindowedData, rolling_origin_folds, sliding_windows, time_split

# Nothing above loads a framework; from here on TensorFlow and PyTorch's triton load in any order.
_guard()

__all__ = [
    "Fold",
    "LinearAR",
    "Mean",
    "Naive",
    "NotFittedError",
    "Paired",
    "Report",
    "Scaler",
    "SeasonalNaive",
    "Series",
    "Spread",
    "WindowedData",
    "check_same_shape",
    "compare_forecasts",
    "conformal_width",
    "coverage",
    "diagnose",
    "drift_forecast",
    "environment_report",
    "flatness",
    "load_backend",
    "mae",
    "mase",
    "mean_forecast",
    "mse",
    "naive_forecast",
    "over_seeds",
    "paired_difference",
    "record",
    "refit_backtest",
    "recorded",
    "rolling_forecast",
    "rolling_origin_folds",
    "sarimax_backtest",
    "seasonal_naive",
    "seeded_frameworks",
    "set_seed",
    "sine",
    "sines_acov",
    "sliding_windows",
    "spread",
    "table",
    "time_split",
    "two_waves",
    "window_floor",
    "window_weights",
    "winkler_score",
]
