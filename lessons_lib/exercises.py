"""Checks used by the graded exercises: silent when right; when wrong, they teach without telling.

Each check returns ``None`` on success and raises ``CheckFailed`` (an ``AssertionError``) whose
message starts with the question name and says what KIND of thing is wrong: the shape, the type,
the range, or a mistake the test names (``mistakes=``). It never contains the expected value, a
ratio or a signed difference to it: a learner who copies numbers out of a message gets nothing.
The exception's ``for_instructor`` adds the expected value; only the grader's checker
(tools/grading/checker.py, outside the learner's kernel) puts that in ``grades.csv``.
An answer slot still holding its stub (``None`` or ``...``) gets "not answered yet".
Importing this module in a notebook also makes ``grader.check`` show only these messages
(lessons_lib.check_display).
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

import numpy as np

from . import check_display
from ._checks import check_array, check_number, check_str
from ._checks import check_shape as _check_shape_spec

#: Named mistakes: the hint shown (it names the mistake, never the value) -> the wrong value that
#: mistake gives, or a predicate on the learner's answer (as floats) that recognises it.
Mistakes = Mapping[str, Any]


#: The verdict on a value that is wrong in a way no named mistake recognises ("x is not right."
#: and the question's general hint); a named mistake reads "x is not right: <the mistake>".
#: tools/grading/report.py counts the first as "not right" and the second as a named mistake.
GENERIC_VERDICT = re.compile(r"\bis not right\.(?:\s|$)")


class CheckFailed(AssertionError):
    """A check failed. ``str()`` is what the learner sees; ``for_instructor`` may name the expected value."""

    def __init__(self, message: str, for_instructor: str = "") -> None:
        super().__init__(message)
        self.for_instructor = for_instructor or message


class NotAnswered(CheckFailed):
    """The answer slot still holds its stub."""


def _fail(question: str, message: str, detail: str = "") -> NoReturn:
    text = f"{question}: {message}"
    raise CheckFailed(text, f"{text} [{detail}]" if detail else text)


def _check_labels(question: Any, name: Any) -> None:
    """The author's arguments: the question and the answer's name are strings."""
    check_str(question, "question")
    check_str(name, "name")


def _check_mistakes(mistakes: Any) -> dict[str, Any]:
    """The author's ``mistakes``: a mapping from hint text to a wrong value or a predicate."""
    if mistakes is None:
        return {}
    if not isinstance(mistakes, Mapping):
        raise TypeError(
            "mistakes must be a dict {hint naming the mistake: the wrong value it gives, or a "
            f"function of the answer returning True/False}}; got {type(mistakes).__name__}."
        )
    for hint in mistakes:
        check_str(hint, "a key of mistakes")
    return dict(mistakes)


def check_answered(question: str, value: Any, name: str) -> None:
    """The answer slot was filled in (not ``...`` or ``None``)."""
    _check_labels(question, name)
    if value is ... or value is None:
        raise NotAnswered(f"{question}: not answered yet: set {name} to your answer and run that cell again.")


check_defined = check_answered  # the older name, kept for notebooks that use it


def check_shape(question: str, value: Any, expected: tuple[int, ...], name: str) -> None:
    """``value`` is array-like with the expected shape (a shape is a kind, not the answer)."""
    want = _check_shape_spec(expected, "expected")
    check_answered(question, value, name)
    try:
        shape = tuple(np.shape(value))
    except ValueError:
        _fail(question, f"{name} should have shape {want}; yours is ragged (rows of different lengths).")
    if shape != tuple(expected):
        _fail(question, f"{name} should have shape {want}; yours has shape {shape}.")


def check_close(
    question: str,
    value: Any,
    expected: Any,
    name: str,
    *,
    rtol: float = 1e-4,
    atol: float = 1e-8,
    mistakes: Mistakes | None = None,
    hint: str = "",
) -> None:
    """``value`` equals ``expected`` within tolerance; if not, name the mistake, never the value.

    ``mistakes`` maps a hint to the wrong value a known mistake gives (compared with the same
    tolerance) or to a predicate on the answer; the first match is the message. Anything else
    gets "is not right" and ``hint``, the question's general advice.
    """
    rtol = check_number(rtol, "rtol", minimum=0.0)
    atol = check_number(atol, "atol", minimum=0.0)
    want = check_array(expected, "expected", allow_empty=True)
    named = _check_mistakes(mistakes)
    check_str(hint, "hint")
    check_answered(question, value, name)
    got = _learner_numbers(question, value, name)
    if got.shape != want.shape:
        _fail(question, f"{name} should have shape {want.shape}; yours has shape {got.shape}.")
    if not np.all(np.isfinite(got)):
        _fail(question, f"{name} contains NaN or infinite values: look for a division by zero or a "
                        "step that overflowed.")
    if np.allclose(got, want, rtol=rtol, atol=atol):
        return
    found = next((text for text, mistake in named.items() if _matches(got, mistake, rtol, atol)), None)
    _not_right(question, name, found, hint, _instructor_detail(got, want))


def _not_right(question: str, name: str, mistake: str | None, hint: str, detail: str) -> NoReturn:
    """A wrong value's verdict: the named mistake if one matched, else the general hint."""
    if mistake is not None:
        _fail(question, f"{name} is not right: {mistake}", detail)
    _fail(question, f"{name} is not right." + (f" {hint}" if hint else ""), detail)


def _matches(got: np.ndarray, mistake: Any, rtol: float, atol: float) -> bool:
    """The answer is what the named mistake gives: equal to its value, or its predicate holds."""
    try:
        if callable(mistake):
            verdict = mistake(got if got.ndim else float(got))
            return bool(np.all(verdict))
        wrong = np.asarray(mistake, dtype=float)
        return wrong.shape == got.shape and bool(np.allclose(got, wrong, rtol=rtol, atol=atol))
    except (TypeError, ValueError, ArithmeticError):
        return False


def _instructor_detail(got: np.ndarray, want: np.ndarray) -> str:
    """Where the answer differs most, with both values: for the grader's report only."""
    worst = np.unravel_index(np.argmax(np.abs(got - want)), got.shape) if got.ndim else ()
    where = f" at index {tuple(int(i) for i in worst)}" if worst else ""
    return f"expected {want[worst]:.6g}{where}, got {got[worst]:.6g}"


def check_is_number(question: str, value: Any, name: str) -> float:
    """``value`` is one finite number (not a string, an array or NaN); returns it as a float."""
    check_answered(question, value, name)
    got = _learner_numbers(question, value, name)
    if got.size != 1:
        _fail(question, f"{name} should be one number; yours has shape {got.shape}.")
    if not np.isfinite(got).all():
        _fail(question, f"{name} is NaN or infinite: look for a division by zero or an overflow.")
    return float(got.reshape(()))


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
    """``value`` is one of the allowed ``choices`` (strings compare without case or spaces).

    It confirms the FORM only: a valid choice passes whether or not it is the right one (a
    hidden test grades it), and a message never lists the choices (the question does).
    """
    if isinstance(choices, str | bytes) or not isinstance(choices, Iterable):
        raise TypeError(f"choices must be a list of allowed answers such as ['a', 'b']; got {choices!r:.40}.")
    allowed = list(choices)
    if not allowed:
        raise ValueError("choices is empty; list the allowed answers.")
    check_answered(question, value, name)
    if not any(_same(value, c) for c in allowed):
        kind = "a string" if all(isinstance(c, str) for c in allowed) else "one of the values"
        _fail(question, f"{name} should be {kind} from the options the question lists; "
                        f"you wrote {value!r:.40}.", f"allowed {allowed}")


def check_equal(
    question: str, value: Any, expected: Any, name: str, *, hint: str = "", mistakes: Mistakes | None = None
) -> None:
    """``value`` equals ``expected`` (strings compare without case or surrounding spaces; NaN equals NaN).

    ``mistakes`` maps a hint to a known wrong value; the message never names ``expected``.
    """
    check_str(hint, "hint")
    named = _check_mistakes(mistakes)
    check_answered(question, value, name)
    if _same(value, expected):
        return
    found = next((text for text, mistake in named.items()
                  if ((mistake(value) is True) if callable(mistake) else _same(value, mistake))), None)
    _not_right(question, name, found, hint, f"expected {expected!r:.80}, got {value!r:.80}")


def check_true(question: str, condition: bool, message: str) -> None:
    """A property of the answer holds; ``message`` says what should be true (never the value)."""
    check_str(question, "question")
    check_str(message, "message")
    if isinstance(condition, np.ndarray):
        if condition.size != 1:
            raise TypeError(
                f"condition must be one True/False; got an array of shape {condition.shape}. "
                "Use np.all(...) or np.any(...) to say which you mean."
            )
        condition = condition.reshape(()).item() if condition.dtype == bool else condition
    if not isinstance(condition, bool | np.bool_):
        raise TypeError(
            f"condition must be True or False (a bool); got {type(condition).__name__} "
            f"{condition!r:.40}. Write the comparison itself (x == y, a < b), or bool(x) if "
            "truthiness is what you mean."
        )
    if not condition:
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


def _equal(a: Any, b: Any) -> bool:
    """Equality of normalised data in which NaN equals NaN (a right NaN answer is right)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        same_length = type(a) is type(b) and len(a) == len(b)
        return same_length and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def _same(value: Any, expected: Any) -> bool:
    """``value`` equals ``expected`` after ``_norm``; values that cannot be compared are not equal."""
    try:
        return _equal(_norm(value), _norm(expected))
    except (ValueError, TypeError, RuntimeError):
        return False


def near_zero(scale: float) -> Callable[[Any], bool]:
    """A predicate for ``mistakes``: the answer is about 0 next to ``scale`` (under 1% of it)."""
    limit = 0.01 * abs(float(scale))
    return lambda got: bool(np.all(np.abs(np.asarray(got, dtype=float)) < limit))


_ONCE: dict[tuple, Any] = {}


def once(key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, run once per process for ``key``: a check's own reference value (a fresh GRU's
    gradient profile, a trained model's predictions) that no answer changes.

    ``key`` names the value and everything it depends on that may change, e.g.
    ``("torch_units", id(torch_model))``. The course's checker answers a room of learners from one
    process, so a reference that takes a tenth of a second is worth keeping; each call gets its
    own copy.
    """
    if not isinstance(key, tuple) or not key:
        raise TypeError(f"key must be a non-empty tuple naming the value, e.g. ('profile', 64); "
                        f"got {key!r:.60}.")
    if key not in _ONCE:
        _ONCE[key] = compute()
    return copy.deepcopy(_ONCE[key])


check_display.register()
