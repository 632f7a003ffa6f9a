"""grader.check's side in the learner's kernel (lessons_lib.instant_check), without a kernel:
what it says when nothing is answered, when no checker is reachable (a hand-out alone), when the
checker is down or refuses, and how the notebook shows each (lessons_lib.check_display)."""

import http.server
import threading
from types import SimpleNamespace

import pytest

from lessons_lib import check_display, instant_check
from lessons_lib.exercises import CheckFailed, NotAnswered


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(instant_check, "_VERDICTS", {})
    for var in ("COURSE_CHECKER", "COURSE_CHECKER_URL", "COURSE_CHECKER_TOKEN", "JUPYTERHUB_API_TOKEN"):
        monkeypatch.delenv(var, raising=False)


def _raised(env, names=("mean_mse",)) -> CheckFailed:
    with pytest.raises(CheckFailed) as info:
        instant_check.case(env, "01_failing_setup", "q1", "test_q1_value", list(names), first=True)
    return info.value


def test_a_stub_still_in_place_is_not_answered_yet_without_asking_anyone(monkeypatch):
    monkeypatch.setattr(instant_check, "endpoint", lambda lesson: pytest.fail("asked a checker"))
    exc = _raised({"mean_mse": None})
    assert type(exc) is NotAnswered
    assert str(exc) == "q1: not answered yet: set mean_mse to your answer and run that cell again."


def _stub(d, fraction):
    return None  # your code: the smallest whole k with d**k <= fraction


def _written(d, fraction):
    return int(fraction < d)


def test_a_function_still_returning_none_is_not_answered_yet_without_asking_anyone(monkeypatch):
    """An untouched function answer (``return None  # your code``) is told so here, with a checker
    or without one (a book page, a hand-out): no checker is started to run its master for it."""
    monkeypatch.setattr(instant_check, "endpoint", lambda lesson: pytest.fail("asked a checker"))
    exc = _raised({"lags_until": _stub}, names=("lags_until",))
    assert type(exc) is NotAnswered, exc
    assert str(exc) == ("q1: not answered yet: write the body of lags_until (it still returns None) "
                        "and run that cell again.")
    both = _raised({"lags_until": _stub, "k": None}, names=("lags_until", "k"))
    assert "set k to your answer and write the body of lags_until" in str(both)
    assert [instant_check.returns_only_none(f) for f in (_stub, _written, lambda x: None, len, 3)] == [
        True, False, True, False, False]


def test_with_no_checker_a_written_function_is_form_only(monkeypatch):
    monkeypatch.setenv("COURSE_CHECKER", "off")
    exc = _raised({"lags_until": _written}, names=("lags_until",))
    assert isinstance(exc, instant_check.FormOnly) and "form only" in str(exc)


def test_with_no_checker_a_check_says_form_only_and_never_passed(monkeypatch):
    monkeypatch.setenv("COURSE_CHECKER", "off")
    exc = _raised({"mean_mse": 0.5})
    assert isinstance(exc, instant_check.FormOnly)
    assert "form only: values are graded after hand-in" in str(exc)
    partly = _raised({"X_hist": 1.5, "Y_hist": None}, names=("X_hist", "Y_hist"))
    assert "not answered yet: set Y_hist" in str(partly)


def _shown(exc: Exception) -> str:
    message = f"❌ Test case failed\nError at line 3 in test q1:\n  case(...)\n{type(exc).__name__}: {exc}"
    result = SimpleNamespace(passed=False, message=message, test_case=SimpleNamespace(hidden=False))
    return check_display.summary(SimpleNamespace(name="q1", test_case_results=[result, result]))


def test_the_notebook_shows_form_only_as_a_note_once_not_as_a_pass_or_a_failure(monkeypatch):
    monkeypatch.setenv("COURSE_CHECKER", "off")
    shown = _shown(_raised({"mean_mse": 0.5}))
    assert shown.startswith("ℹ q1: form only") and "passed" not in shown and "❌" not in shown
    assert shown.count("form only") == 1, shown


def test_a_checker_that_does_not_answer_gets_one_clear_line(monkeypatch):
    monkeypatch.setenv("COURSE_CHECKER_URL", "http://127.0.0.1:9/")
    exc = _raised({"mean_mse": 0.5})
    assert isinstance(exc, instant_check.CheckerUnavailable)
    assert "q1: the course's checker did not answer" in str(exc)
    assert "Traceback" not in _shown(exc)


class _Refuse(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the standard library's name
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error": "no valid token"}')

    def log_message(self, *args):
        pass


def test_a_refused_check_says_why_in_the_checkers_words(monkeypatch):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("COURSE_CHECKER_URL", f"http://127.0.0.1:{server.server_port}/")
        exc = _raised({"mean_mse": 0.5})
    finally:
        server.shutdown()
    assert str(exc) == "q1: the course's checker refused this check (403): no valid token"


def test_later_cases_of_a_question_read_the_first_cases_verdict(monkeypatch):
    calls = []
    monkeypatch.setattr(instant_check, "_ask", lambda *a: calls.append(a) or {
        "one": {"passed": True, "message": ""}, "two": {"passed": False, "message": "q1: x is not right."}})
    instant_check.case({}, "L", "q1", "one", ["x"], first=True)
    with pytest.raises(CheckFailed, match="x is not right"):
        instant_check.case({}, "L", "q1", "two", ["x"])
    assert len(calls) == 1
