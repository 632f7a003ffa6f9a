"""The real series loader: where the data comes from, how gaps are filled, and no eager imports."""

import subprocess
import sys

import numpy as np

from lessons_lib.datasets import CO2_FILL, CO2_SOURCE, RealSeries, co2_monthly


def test_co2_monthly_shape_dates_and_values():
    s = co2_monthly()
    assert isinstance(s, RealSeries)
    assert len(s) == len(s.values) == len(s.dates) == len(s.filled) == 526
    assert s.values.dtype == np.float32 and np.all(np.isfinite(s.values))
    assert str(s.dates[0]) == "1958-03" and str(s.dates[-1]) == "2001-12"
    assert np.all(np.diff(s.dates).astype(int) == 1), "one value per calendar month, no gaps"
    assert s.period == 12 and s.units == "ppmv"
    assert 310 < s.values.min() < 320 and 365 < s.values.max() < 375


def test_co2_monthly_is_the_mean_of_the_weekly_values():
    from statsmodels.datasets import co2

    weekly = co2.load_pandas().data["co2"]
    march_1990 = weekly["1990-03-01":"1990-03-31"].dropna().to_numpy()
    i = int(np.flatnonzero(co2_monthly().dates == np.datetime64("1990-03"))[0])
    np.testing.assert_allclose(co2_monthly().values[i], march_1990.mean(), rtol=1e-6)


def test_co2_monthly_says_which_values_were_filled_and_how():
    s = co2_monthly()
    assert s.raw_missing == 59 and s.n_filled == 5
    assert [str(d) for d in s.dates[s.filled]] == ["1958-06", "1958-10", "1964-02", "1964-03", "1964-04"]
    for i in np.flatnonzero(s.filled):  # linear interpolation: between the neighbouring months
        lo, hi = i - 1, i + 1
        while s.filled[lo]:
            lo -= 1
        while s.filled[hi]:
            hi += 1
        expected = s.values[lo] + (s.values[hi] - s.values[lo]) * (i - lo) / (hi - lo)
        np.testing.assert_allclose(s.values[i], expected, rtol=1e-5)
    text = repr(s)
    assert "statsmodels.datasets.co2" in text and "linear interpolation" in text and "5 value(s)" in text
    assert s.source == CO2_SOURCE and s.fill == CO2_FILL


def test_importing_lessons_lib_does_not_import_statsmodels_or_pandas():
    code = (
        "import sys, lessons_lib, lessons_lib.datasets; "
        "print([m for m in ('statsmodels', 'pandas') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
