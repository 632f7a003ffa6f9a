"""A figure in words: alt text composed from its titles, axis labels, legend and data.

A learner who cannot see a plot should still learn what it shows: the axes, the curves (with the
range each spans, so a flat forecast reads as flat) and, through its title, the point it makes.
``describe(fig)`` writes that text; ``register()`` (or ``%load_ext lessons_lib.alt_text``)
makes it the ``text/plain`` of every figure a notebook shows (IPython's documented
``for_type_by_name``, as ``check_display`` does), so the text travels with the figure's output:
the book runs each lesson with it and uses the text as the image's alt text
(``tools/book_alt.py``). Registered by name, so importing this module imports neither matplotlib
nor IPython.
"""

from __future__ import annotations

import sys
from typing import Any

_FIGURE = ("matplotlib.figure", "Figure")
_MAX_CURVES = 8  # more than this are counted, not listed one by one


def _num(value: float) -> str:
    return f"{value:.3g}".replace("e+0", "e+").replace("e-0", "e-")


def _axis_value(axis: Any, value: float) -> str:
    """A value as the axis shows it: dates as dates, numbers to three significant digits."""
    from matplotlib import dates

    if isinstance(axis.get_major_formatter(), (dates.AutoDateFormatter, dates.ConciseDateFormatter,
                                               dates.DateFormatter)):
        return dates.num2date(value).strftime("%Y-%m")
    return _num(value)


def _axis(ax: Any, which: str, bars: str = "") -> str:
    """``x axis: step, 0 to 99`` (the data's extent; ``log scale`` when it is one).

    ``bars``: "names" for the axis a bar chart names its bars along, "lengths" for the other.
    """
    import numpy as np

    axis = ax.xaxis if which == "x" else ax.yaxis
    label = axis.get_label_text().strip() or "unlabelled"
    scale = ", log scale" if axis.get_scale() == "log" else ""
    if bars:
        return f"{which} axis: {label}, " + ("one bar per name" if bars == "names" else f"bar lengths{scale}")
    low, high = sorted(ax.dataLim.intervalx if which == "x" else ax.dataLim.intervaly)
    if not (np.isfinite(low) and np.isfinite(high)):
        low, high = sorted(ax.get_xlim() if which == "x" else ax.get_ylim())
    return f"{which} axis: {label}, {_axis_value(axis, low)} to {_axis_value(axis, high)}{scale}"


def _label(artist: Any) -> str:
    label = str(artist.get_label() or "")
    return "" if label.startswith("_") else label


def _reference_line(ax: Any, line: Any) -> str | None:
    """``a horizontal line at y = 0.9 (noise floor)`` for axhline/axvline, else None."""
    x, y = line.get_xdata(orig=False), line.get_ydata(orig=False)
    if len(x) != 2 or len(y) != 2:
        return None
    named = f" ({_label(line)})" if _label(line) else ""
    if y[0] == y[1] and line.get_transform().contains_branch_seperately(ax.transData) == (False, True):
        return f"a horizontal line at y = {_axis_value(ax.yaxis, float(y[0]))}{named}"
    if x[0] == x[1] and line.get_transform().contains_branch_seperately(ax.transData) == (True, False):
        return f"a vertical line at x = {_axis_value(ax.xaxis, float(x[0]))}{named}"
    return None


def _curve(ax: Any, line: Any) -> str:
    """``truth, 100 points, y from -19.9 to 19.9`` (dashed or points-only said)."""
    import numpy as np

    y = np.asarray(line.get_ydata(orig=False), dtype=float)
    y = y[np.isfinite(y)]
    name = _label(line) or "a curve"
    style = {"--": ", dashed", ":": ", dotted", "-.": ", dash-dotted"}.get(line.get_linestyle(), "")
    if line.get_linestyle() in ("None", "", " "):
        style = ", points only"
    if not y.size:
        return f"{name}{style}, no finite values"
    low, high = _axis_value(ax.yaxis, y.min()), _axis_value(ax.yaxis, y.max())
    span = f"y constant at {low}" if low == high else f"y from {low} to {high}"
    return f"{name}{style}, {y.size} points, {span}"


def _bars(ax: Any) -> list[str]:
    """One entry per bar of each bar container: its name (tick label or legend) and its length."""
    from matplotlib.container import BarContainer

    found = []
    for container in (c for c in ax.containers if isinstance(c, BarContainer)):
        horizontal = container.orientation == "horizontal"
        ticks = {round(t, 6): lab.get_text() for t, lab in zip(
            ax.get_yticks() if horizontal else ax.get_xticks(),
            ax.get_yticklabels() if horizontal else ax.get_xticklabels(), strict=False)}
        for patch in container.patches:
            x, y, width, height = patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height()
            where, size = (y + height / 2, width) if horizontal else (x + width / 2, height)
            name = ticks.get(round(where, 6)) or _label(container) or "a bar"
            axis = ax.xaxis if horizontal else ax.yaxis
            found.append(f"{name} {_axis_value(axis, size)}")
    return found


def _panel(ax: Any) -> str:
    """One panel in words: kind, title, both axes, then its curves, reference lines and bars."""
    bars = _bars(ax)
    kind = "Bar chart" if bars else "Line chart"
    title = " ".join(t for t in (ax.get_title("left"), ax.get_title(), ax.get_title("right")) if t)
    horizontal = any(getattr(c, "orientation", "") == "horizontal" for c in ax.containers)
    along_x, along_y = ("lengths", "names") if horizontal else ("names", "lengths")
    parts = [f"{kind}" + (f" titled \u201c{title}\u201d" if title else ", untitled"),
             _axis(ax, "x", along_x if bars else ""), _axis(ax, "y", along_y if bars else "")]
    lines = ax.get_lines()
    references = [r for r in (_reference_line(ax, line) for line in lines) if r]
    curves = [_curve(ax, line) for line in lines if _reference_line(ax, line) is None]
    if curves:
        shown = curves[:_MAX_CURVES]
        more = f"; and {len(curves) - len(shown)} more" if len(curves) > len(shown) else ""
        count = f"{len(curves)} curve{'s' if len(curves) != 1 else ''}"
        parts.append(f"{count}: " + "; ".join(shown) + more)
    if bars:
        parts.append(f"{len(bars)} bar{'s' if len(bars) != 1 else ''}: " + "; ".join(bars))
    if references:
        parts.append("; ".join(references))
    return ". ".join(p[:1].upper() + p[1:] for p in parts) + "."


def describe(fig: Any) -> str:
    """Alt text for a matplotlib figure: each panel's title, axes, curves (with their ranges) and bars."""
    panels = [ax for ax in getattr(fig, "axes", []) if ax.get_visible() and ax.has_data()]
    if not panels:
        return "An empty figure: nothing is plotted in it."
    suptitle = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    head = f"Figure titled \u201c{suptitle}\u201d. " if suptitle else ""
    if len(panels) == 1:
        return head + _panel(panels[0])
    said = " ".join(f"Panel {i}: {_panel(ax)}" for i, ax in enumerate(panels, 1))
    return f"{head}{len(panels)} panels, left to right and top to bottom. {said}"


def _plain(fig: Any, printer: Any, cycle: bool) -> None:
    printer.text(describe(fig))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext lessons_lib.alt_text``: inline figures, each with its description as its text
    and as the ``alt`` of its PNG's metadata.

    The inline backend first: switching it on clears every printer of ``Figure`` (IPython's
    ``select_figure_formats``), so one registered before would be lost. ``alt`` in an image's
    output metadata is where ``IPython.display.Image(alt=...)`` puts it and nbconvert reads it
    (JupyterLab 4 does not yet). The book's lesson pages start with this line (a hidden cell).
    """
    from matplotlib.figure import Figure

    ipython.run_line_magic("matplotlib", "inline")
    register(ipython)
    png = ipython.display_formatter.formatters["image/png"]
    draw = png.lookup_by_type(Figure)
    png.for_type(Figure, lambda fig: (draw(fig), {"alt": describe(fig)}))


def register(shell: Any = None) -> bool:
    """Make ``describe(fig)`` the text of every figure this IPython shell shows; False outside IPython.

    Call it once matplotlib's inline backend is on (``load_ipython_extension`` does both).
    """
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    shell.display_formatter.formatters["text/plain"].for_type_by_name(*_FIGURE, _plain)
    return True
