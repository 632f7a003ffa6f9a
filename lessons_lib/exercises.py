"""Checks used by the graded exercises: silent when right, one line a learner can act on when not.

Each check returns ``None`` on success and raises ``AssertionError`` whose message starts with
the question name and says what was expected and what came back. Otter shows that message
under the question's ``grader.check`` cell. An answer slot still holding its stub (``None`` or
``...``) gets "not answered yet" rather than a confusing comparison.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np


class NotAnswered(AssertionError):
    """The answer slot still holds its stub."""


def _fail(question: str, message: str) -> None:
    raise AssertionError(f"{question}: {message}")


def check_answered(question: str, value: Any, name: str) -> None:
    """The answer slot was filled in (not ``...`` or ``None``)."""
    if value is ... or value is None:
        raise NotAnswered(f"{question}: not answered yet: set {name} to your answer and run that cell again.")


check_defined = check_answered  # the older name, kept for notebooks that use it


def check_shape(question: str, value: Any, expected: tuple[int, ...], name: str) -> None:
    """``value`` is array-like with the expected shape."""
    check_answered(question, value, name)
    shape = tuple(np.shape(value))
    if shape != tuple(expected):
        _fail(question, f"{name} should have shape {tuple(expected)}; yours has shape {shape}.")


def check_close(
    question: str, value: Any, expected: Any, name: str, *, rtol: float = 1e-4, atol: float = 1e-8
) -> None:
    """``value`` equals ``expected`` within tolerance (shapes must match)."""
    check_answered(question, value, name)
    try:
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        _fail(question, f"{name} should be a number or an array of numbers; yours is {type(value).__name__}.")
    want = np.asarray(expected, dtype=float)
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


def check_choice(question: str, value: Any, choices: Iterable[Any], name: str) -> None:
    """``value`` is one of the allowed ``choices`` (strings compare without case or spaces)."""
    check_answered(question, value, name)
    allowed = list(choices)
    if _norm(value) not in [_norm(c) for c in allowed]:
        _fail(question, f"{name} should be one of {allowed}; you wrote {value!r}.")


def check_equal(question: str, value: Any, expected: Any, name: str, *, hint: str = "") -> None:
    """``value`` equals ``expected`` (strings compare without case or surrounding spaces)."""
    check_answered(question, value, name)
    if _norm(value) != _norm(expected):
        extra = f" {hint}" if hint else ""
        _fail(question, f"{name} is not right: expected {expected!r}, you wrote {value!r}.{extra}")


def check_true(question: str, condition: bool, message: str) -> None:
    """A property of the answer holds; ``message`` says what should be true."""
    if not bool(condition):
        _fail(question, message)


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.lower().split())
    if isinstance(value, np.generic):
        return value.item()
    return value
