"""lessons_lib.alt_text: a figure in words (its title, axes, curves with their ranges, bars,
reference lines), and that text as what IPython shows for a figure, which the book's alt text is."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lessons_lib import alt_text, plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_a_forecast_plot_says_its_title_axes_and_that_a_forecast_is_flat():
    truth = 20 * np.sin(np.arange(100) * 0.5)
    ax = plots.plot_forecasts(truth, {"LSTM": np.full(100, 0.1), "linear": truth * 0.99},
                              title="One window: the truth and a flat forecast")
    text = alt_text.describe(ax.figure)
    assert text.startswith("Line chart titled \u201cOne window: the truth and a flat forecast\u201d.")
    assert "X axis: step, 0 to 99." in text and "Y axis: value, -20 to 20." in text
    assert "3 curves: truth, 100 points, y from -20 to 20; LSTM, 100 points, y constant at 0.1; " \
           "linear, 100 points, y from -19.8 to 19.8." in text


def test_log_scales_bars_and_reference_lines_are_said():
    fig, ax = plt.subplots()
    ax.barh(["naive", "LSTM"], [0.1, 0.003], xerr=[0.01, 0.001])
    ax.axvline(0.002, ls="--", label="noise floor")
    ax.set(xscale="log", xlabel="validation MSE", title="Every model against the noise floor")
    text = alt_text.describe(fig)
    assert text == ("Bar chart titled \u201cEvery model against the noise floor\u201d. X axis: validation "
                    "MSE, bar lengths, log scale. Y axis: unlabelled, one bar per name. 2 bars: naive 0.1; "
                    "LSTM 0.003. A vertical line at x = 0.002 (noise floor).")
    ax = plots.plot_losses({"adam": [1.0, 0.1, 0.01]}, title="Loss")
    assert "Y axis: loss, 0.01 to 1, log scale." in alt_text.describe(ax.figure)


def test_panels_points_and_dates():
    fig, (left, right) = plt.subplots(1, 2)
    left.plot([0, 1, 2], [3, 4, 5], "o", label="samples")
    left.axhline(4.5, label="threshold")
    right.plot(np.array(["2000-01", "2000-02", "2000-03"], dtype="datetime64[M]"), [1.0, 2.0, np.nan])
    text = alt_text.describe(fig)
    assert text.startswith("2 panels, left to right and top to bottom. Panel 1: Line chart, untitled.")
    assert "samples, points only, 3 points, y from 3 to 5. A horizontal line at y = 4.5 (threshold)." in text
    assert "Panel 2: Line chart, untitled. X axis: unlabelled, 2000-01 to 2000-02."  # NaN: not drawn in text
    assert "a curve, 2 points, y from 1 to 2." in text
    assert alt_text.describe(plt.figure()) == "An empty figure: nothing is plotted in it."


def test_a_figure_shown_in_ipython_carries_its_description():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        assert alt_text.register(shell)
        ax = plots.plot_series(np.arange(5.0), np.arange(5.0) ** 2, title="A parabola")
        data, _ = shell.display_formatter.format(ax.figure)
        assert data["text/plain"] == alt_text.describe(ax.figure)
        assert data["text/plain"].startswith("Line chart titled \u201cA parabola\u201d. X axis: t, 0 to 4.")
    finally:
        InteractiveShell.clear_instance()
    assert alt_text.register() is False  # no IPython shell running here


def test_importing_the_library_imports_no_matplotlib():
    code = "import sys, lessons_lib; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
