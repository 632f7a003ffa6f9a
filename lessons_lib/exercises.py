"""Checks used by the graded exercises: silent when right, one line a learner can act on when not.

Each check returns ``None`` on success and raises ``AssertionError`` whose message starts with
the question name and says what was expected and what came back. Otter shows that message
under the question's ``grader.check`` cell. An answer slot still holding its stub (``None`` or
``...``) gets "not answered yet" rather than a confusing comparison.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

import numpy as np

from ._checks import check_array, check_number, check_str
from ._checks import check_shape as _check_shape_spec


class NotAnswered(AssertionError):
    """The answer slot still holds its stub."""


def _fail(question: str, message: str) -> NoReturn:
    raise AssertionError(f"{question}: {message}")


def _check_labels(question: Any, name: Any) -> None:
    """The author's arguments: the question and the answer's name are strings."""
    check_str(question, "question")
    check_str(name, "name")


def check_answered(question: str, value: Any, name: str) -> None:
    """The answer slot was filled in (not ``...`` or ``None``)."""
    _check_labels(question, name)
    if value is ... or value is None:
        raise NotAnswered(f"{question}: not answered yet: set {name} to your answer and run that cell again.")


check_defined = check_answered  # the older name, kept for notebooks that use it


def check_shape(question: str, value: Any, expected: tuple[int, ...], name: str) -> None:
    """``value`` is array-like with the expected shape."""
    want = _check_shape_spec(expected, "expected")
    check_answered(question, value, name)
    try:
        shape = tuple(np.shape(value))
    except ValueError:
        _fail(question, f"{name} should have shape {want}; yours is ragged (rows of different lengths).")
    if shape != tuple(expected):
        _fail(question, f"{name} should have shape {want}; yours has shape {shape}.")


def check_close(
    question: str, value: Any, expected: Any, name: str, *, rtol: float = 1e-4, atol: float = 1e-8
) -> None:
    """``value`` equals ``expected`` within tolerance (shapes must match)."""
    rtol = check_number(rtol, "rtol", minimum=0.0)
    atol = check_number(atol, "atol", minimum=0.0)
    want = check_array(expected, "expected", allow_empty=True)
    check_answered(question, value, name)
    got = _learner_numbers(question, value, name)
    if got.shape != want.shape:
        _fail(question, f"{name} should have shape {want.shape}; yours has shape {got.shape}.")
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        worst = np.unravel_index(np.argmax(np.abs(got - want)), got.shape) if got.ndim else ()
        _fail(
            question,
            f"{name} is not right: expected {want[worst]:.6g}"
            + (f" at index {tuple(int(i) for i in worst)}" if worst else "")
            + f", you returned {got[worst]:.6g}.",
        )


def _learner_numbers(question: str, value: Any, name: str) -> np.ndarray:
    """The learner's answer as floats; anything that is not plainly numbers fails the check."""
    try:
        raw = np.asarray(value)
        if raw.dtype.kind not in "iuf":
            raise TypeError(raw.dtype)
        return raw.astype(float)
    except (TypeError, ValueError, RuntimeError):
        kind = type(value).__name__
        _fail(question, f"{name} should be a number or an array of numbers; yours is {kind} ({value!r:.40}).")


def check_choice(question: str, value: Any, choices: Iterable[Any], name: str) -> None:
    """``value`` is one of the allowed ``choices`` (strings compare without case or spaces)."""
    if isinstance(choices, str | bytes) or not isinstance(choices, Iterable):
        raise TypeError(f"choices must be a list of allowed answers such as ['a', 'b']; got {choices!r:.40}.")
    allowed = list(choices)
    if not allowed:
        raise ValueError("choices is empty; list the allowed answers.")
    check_answered(question, value, name)
    if not any(_same(value, c) for c in allowed):
        _fail(question, f"{name} should be one of {allowed}; you wrote {value!r}.")


def check_equal(question: str, value: Any, expected: Any, name: str, *, hint: str = "") -> None:
    """``value`` equals ``expected`` (strings compare without case or surrounding spaces)."""
    check_str(hint, "hint")
    check_answered(question, value, name)
    if not _same(value, expected):
        extra = f" {hint}" if hint else ""
        _fail(question, f"{name} is not right: expected {expected!r}, you wrote {value!r}.{extra}")


def check_true(question: str, condition: bool, message: str) -> None:
    """A property of the answer holds; ``message`` says what should be true."""
    check_str(question, "question")
    check_str(message, "message")
    if isinstance(condition, np.ndarray) and condition.size != 1:
        raise TypeError(
            f"condition must be one True/False; got an array of shape {condition.shape}. "
            "Use np.all(...) or np.any(...) to say which you mean."
        )
    if not bool(condition):
        _fail(question, message)


def _norm(value: Any) -> Any:
    """A comparable form: strings without case or extra spaces, arrays and NumPy scalars as Python data."""
    if isinstance(value, str):
        return " ".join(value.lower().split())
    if isinstance(value, np.ndarray):
        return _norm(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return type(value)(_norm(v) for v in value)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def _same(value: Any, expected: Any) -> bool:
    """``value`` equals ``expected`` after ``_norm``; values that cannot be compared are not equal."""
    try:
        return bool(_norm(value) == _norm(expected))
    except (ValueError, TypeError, RuntimeError):
        return False
