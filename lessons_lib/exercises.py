"""Checks used by the graded exercises: silent when right, a message a learner can act on when not.

Otter's test cells expect no output from a passing check, so these return ``None`` on success
and raise ``AssertionError`` saying what was expected and what was returned.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _fail(question: str, message: str) -> None:
    raise AssertionError(f"{question}: {message}")


def check_defined(question: str, value: Any, name: str) -> None:
    """The answer slot was filled in (not ``...`` or ``None``)."""
    if value is ... or value is None:
        _fail(question, f"{name} is still {value!r}; replace it with your answer.")


def check_shape(question: str, value: Any, expected: tuple[int, ...], name: str) -> None:
    """``value`` is array-like with the expected shape."""
    check_defined(question, value, name)
    shape = tuple(np.shape(value))
    if shape != tuple(expected):
        _fail(question, f"{name} should have shape {tuple(expected)}; yours has shape {shape}.")


def check_close(
    question: str, value: Any, expected: Any, name: str, *, rtol: float = 1e-4, atol: float = 1e-8
) -> None:
    """``value`` equals ``expected`` within tolerance (shapes must match)."""
    check_defined(question, value, name)
    got = np.asarray(value, dtype=float)
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


def check_true(question: str, condition: bool, message: str) -> None:
    """A property of the answer holds; ``message`` says what should be true."""
    if not bool(condition):
        _fail(question, message)
