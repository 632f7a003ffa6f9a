"""``table``: the one way lessons show a small table of numbers as text."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

from ._checks import _describe


class Table(str):
    """A plain-text table. A ``str``, so ``print(t)`` and ``t in text`` work; ``repr`` is the
    table itself, so a table left as a cell's last expression shows without quotes."""

    def __repr__(self) -> str:
        return str(self)


def _cell(value: Any, floatfmt: str) -> tuple[str, bool]:
    """The text of one cell and whether it is a number (numbers are right-aligned)."""
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, numbers.Integral):
        return str(value), True
    if isinstance(value, numbers.Real):
        return format(float(value), floatfmt), True
    return ("" if value is None else str(value)), False


def _keys(rows: list[Mapping[str, Any]]) -> list[Any]:
    """Every key of ``rows``, in the order first seen (rows need not share their keys)."""
    return list(dict.fromkeys(k for r in rows for k in r))


def _check_options(columns: Any, floatfmt: Any, title: Any) -> None:
    """``columns`` an ordered list, ``floatfmt`` a float format (or a dict of them), ``title`` text."""
    if columns is not None and (
        isinstance(columns, str | bytes | Mapping) or not isinstance(columns, Sequence)
    ):
        raise TypeError(
            f"columns must be a list or tuple of column names, in order; got {_describe(columns)}"
            + (" (a set has no order)." if isinstance(columns, set | frozenset) else ".")
        )
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None; got {_describe(title)}.")
    formats = floatfmt.items() if isinstance(floatfmt, Mapping) else [("floatfmt", floatfmt)]
    for key, fmt in formats:
        label = "floatfmt" if key == "floatfmt" else f"floatfmt[{key!r}]"
        if not isinstance(fmt, str):
            raise TypeError(
                f"{label} must be a format for floats such as '.4g' or '.3f'; got {type(fmt).__name__}."
            )
        try:
            format(1.5, fmt)
        except ValueError as err:
            raise ValueError(
                f"{label} is {fmt!r}, not a format for floats ({err}); use e.g. '.4g', '.3f' or '.1%'."
            ) from None


def _head_and_body(rows: Any, columns: Sequence[str] | None) -> tuple[list[Any], list[list[Any]]]:
    """The header and the rows of cells of ``table``, from any of the layouts it accepts."""
    if isinstance(rows, Mapping):
        values = list(rows.values())
        if values and all(isinstance(v, Mapping) for v in values):
            keys = _keys(values)
            head = list(columns) if columns is not None else ["", *keys]
            body = [[label, *(v.get(k) for k in keys)] for label, v in rows.items()]
        else:
            head = list(columns) if columns is not None else ["", "value"]
            body = [[label, *(v if isinstance(v, tuple | list) else (v,))] for label, v in rows.items()]
    elif isinstance(rows, Sequence) and not isinstance(rows, str | bytes):
        rows = list(rows)
        if rows and all(isinstance(r, Mapping) for r in rows):
            keys = _keys(rows)
            head = list(columns) if columns is not None else keys
            body = [[r.get(k) for k in keys] for r in rows]
        else:
            if columns is None:
                raise ValueError("columns is required for rows given as tuples: name each column.")
            bad = next((r for r in rows if isinstance(r, str | bytes) or not isinstance(r, Sequence)), None)
            if bad is not None:
                raise TypeError(
                    f"rows must hold tuples or lists of cells (or dicts); a row is {_describe(bad)}."
                )
            head, body = list(columns), [list(r) for r in rows]
    else:
        raise TypeError(
            f"rows must be a dict or a list of dicts or tuples; got {type(rows).__name__}."
        )
    return head, body


def table(
    rows: Mapping[str, Any] | Sequence[Mapping[str, Any]] | Sequence[Sequence[Any]],
    columns: Sequence[str] | None = None,
    *,
    floatfmt: str | Mapping[str, str] = ".4g",
    title: str | None = None,
) -> Table:
    """Format ``rows`` as an aligned plain-text table and return it (a ``Table``, a ``str``).

    ``rows`` may be a dict ``{label: value}`` (two columns), a dict ``{label: {column: value}}``
    (one row per label), a list of dicts, or a list of tuples with ``columns`` naming them.
    Rows given as dicts need not share their keys: the table has every key, in the order first
    seen, and a row without one leaves its cell blank. ``columns`` (a list or tuple, not a set:
    a set has no order) relabels the header. Floats use ``floatfmt`` (default ``.4g``; a dict
    ``{column: format}`` sets it per column, others keep ``.4g``); numbers are right-aligned,
    text left-aligned. Show it by leaving it last in a cell, or ``print`` it.
    """
    _check_options(columns, floatfmt, title)
    head, body = _head_and_body(rows, columns)
    width = len(head)
    for r in body:
        if len(r) != width:
            raise ValueError(
                f"a row has {len(r)} cells but there are {width} columns ({head}); {r!r:.60}. "
                "Give columns one name per cell."
            )
    if isinstance(floatfmt, Mapping) and (unknown := [k for k in floatfmt if k not in map(str, head)]):
        raise ValueError(f"floatfmt names {unknown}, not columns of this table ({head}).")
    fmts = [floatfmt.get(str(h), ".4g") if isinstance(floatfmt, Mapping) else floatfmt for h in head]
    cells = [[_cell(v, f) for v, f in zip(r, fmts, strict=True)] for r in body]
    widths = [max([len(str(head[c]))] + [len(row[c][0]) for row in cells]) for c in range(width)]
    numeric = [bool(cells) and all(row[c][1] or not row[c][0] for row in cells) for c in range(width)]

    def line(texts: list[str]) -> str:
        parts = [t.rjust(w) if num else t.ljust(w) for t, w, num in zip(texts, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    lines = [title] if title else []
    lines += [line([str(h) for h in head]), line(["-" * w for w in widths])]
    lines += [line([text for text, _ in row]) for row in cells]
    return Table("\n".join(lines))
