"""lessons_lib: the helpers every lesson of forecasting-failures imports.

NumPy only: importing it never imports TensorFlow or PyTorch. Framework code lives in
``lessons_lib.torch_models`` and ``lessons_lib.keras_models``; plots in ``lessons_lib.plots``.
"""

from . import _tf_quiet  # noqa: F401  (first: TensorFlow reads its log level at import)
from ._checks import NotFittedError
from .baselines import LinearAR, mean_forecast, naive_forecast, seasonal_naive
from .diagnose import Report, diagnose
from .environment import environment_report
from .forecasting import rolling_forecast
from .metrics import flatness, mae, mase, mse
from .recording import record, recorded
from .scaling import Scaler
from .seeding import seeded_frameworks, set_seed
from .series import Series, sine, two_waves
from .windows import Fold, WindowedData, rolling_origin_folds, sliding_windows, time_split

__all__ = [
    "Fold",
    "LinearAR",
    "NotFittedError",
    "Report",
    "Scaler",
    "Series",
    "WindowedData",
    "diagnose",
    "environment_report",
    "flatness",
    "mae",
    "mase",
    "mean_forecast",
    "mse",
    "naive_forecast",
    "record",
    "recorded",
    "rolling_forecast",
    "rolling_origin_folds",
    "seasonal_naive",
    "seeded_frameworks",
    "set_seed",
    "sine",
    "sliding_windows",
    "time_split",
    "two_waves",
]
