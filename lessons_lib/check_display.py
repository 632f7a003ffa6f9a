"""What a learner sees under ``grader.check`` and ``grader.check_all()``: the checks' messages only.

otter-grader 7 writes each failed test case as "Error at line N in test qK:", the test's source
line, then the exception; it offers no setting to leave the first two out (otter-grader issue
419), and a test's ``failure_message`` is shown in addition, not instead. So the course registers
display printers with IPython (its documented ``for_type_by_name`` API, no patch of otter):
the result objects keep otter's text, the notebook shows each failed check's message alone.
Registered by name, so importing this module imports neither otter nor IPython.
"""

from __future__ import annotations

import html
import re
import sys
from typing import Any

_TEST_FILE = ("otter.test_files.abstract_test", "TestFile")
_RESULTS = ("otter.test_files", "GradingResults")
# otter 7's failed-case text (ExceptionTestFile.run and _generate_error_message)
_OTTER_FAILURE = re.compile(
    r"\A\s*❌ Test case failed\nError at line \d+ in test [^\n]*:\n[^\n]*\n(?P<kind>\w+): (?P<text>.*)\Z",
    re.DOTALL,
)
_CHECK_KINDS = {"CheckFailed", "NotAnswered", "AssertionError", "FormOnly", "CheckerUnavailable"}
#: lessons_lib.instant_check's verdict when no checker is reachable: neither passed nor failed.
_FORM_ONLY = "FormOnly"


def failure_text(question: str, otter_message: str) -> str:
    """One failed case's message as the learner should see it: no source line, no traceback."""
    m = _OTTER_FAILURE.match(otter_message or "")
    if m is None:  # not otter 7's layout: keep only its last line, the exception's
        last = (otter_message or "").strip().splitlines()[-1:] or ["the check failed"]
        return last[0]
    kind, text = m.group("kind"), m.group("text").strip()
    if kind in _CHECK_KINDS:
        return text
    return f"{question}: checking your answer raised {kind}: {text}"


def summary(test_file: Any) -> str:
    """A question's result: passed (with any success messages), or each failed check's message."""
    results = [r for r in test_file.test_case_results if not r.test_case.hidden]
    notes = [r.test_case.success_message for r in results if r.passed and r.test_case.success_message]
    failed = list(dict.fromkeys(failure_text(test_file.name, r.message) for r in results if not r.passed))
    if not failed:
        return "\n".join([f"{test_file.name} passed.", *notes])
    if all(f"{_FORM_ONLY}: " in (r.message or "") for r in results if not r.passed):
        return "\n".join(["ℹ " + failed[0], *failed[1:]])
    return "\n".join(["❌ " + failed[0], *failed[1:], *notes])


def _plain(obj: Any, printer: Any, cycle: bool) -> None:
    printer.text(summary(obj))


def _html(obj: Any) -> str:
    colour = "inherit" if obj.passed_all_public else "#b00020"
    return f"<pre style='white-space: pre-wrap; color: {colour};'>{html.escape(summary(obj))}</pre>"


def _plain_results(obj: Any, printer: Any, cycle: bool) -> None:
    printer.text("\n\n".join(summary(tf) for tf in obj.results.values()))


def register(shell: Any = None) -> bool:
    """Show otter's check results as messages only in this IPython shell; False outside IPython."""
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    formatters = shell.display_formatter.formatters
    formatters["text/plain"].for_type_by_name(*_TEST_FILE, _plain)
    formatters["text/html"].for_type_by_name(*_TEST_FILE, _html)
    formatters["text/plain"].for_type_by_name(*_RESULTS, _plain_results)
    return True
