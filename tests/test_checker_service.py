"""The course's checker as a server (``tools.grading.serve``): what it refuses, who may ask, how
often, that it never runs a learner's code, and that nothing a learner's kernel holds or sends
holds an expected value.

One ``python -m tools.grading.serve --local`` runs for the whole module, on a temporary course that
holds lesson 01 only (its student copy and autograder built here, its master run once by the
lesson's checker), so its ``build/checker/server.json`` and records are the test's own. One kernel
(nbclient, the course kernel) runs lesson 01's student copy with a spy on ``lessons_lib``.
"""

from __future__ import annotations

import functools
import io
import json
import marshal
import math
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

import lessons_lib as ll
from lessons_lib.answer_data import export_answers
from tools import kernel
from tools.grading import answers as A
from tools.grading import class_view, copies, payload, records, results, selfcheck, serve

ROOT = Path(__file__).resolve().parent.parent
LESSON = "01_failing_setup"
CHECK = f"api/check/{LESSON}/q1"
WRONG = 50.0  # q1's wrong answer (no named mistake): the check fails with the general hint


# ---------------------------------------------------------------- the expected value, from the master


def _master_data() -> dict:
    """The master's data cells (x, y, the windows, the split, y_fit) run here: the q1 inputs."""
    x = np.arange(0, 2000, 0.5, dtype=np.float32)
    y = 20 * np.sin(x)
    data = np.stack([x, y], axis=1)
    X, Y = ll.sliding_windows(data, window=100, horizon=100, inputs=[0], target_col=1)
    X_train, X_val, y_train, y_val = ll.time_split(X, Y, train_frac=0.8)
    return {"y_val": y_val, "y_fit": y_train[::8]}


def _master_cells_match() -> bool:
    """The data cells above are the master's (so the expected value computed here is the checker's)."""
    nb = nbformat.read(ROOT / "notebooks" / f"{LESSON}.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return all(s in text for s in ("np.arange(0, 2000, 0.5, dtype=np.float32)", "y = 20 * np.sin(x)",
                                   "window=100, horizon=100, inputs=[0], target_col=1",
                                   "train_frac=0.8", "X_train[::8], y_train[::8]",
                                   "mean_mse = float(np.mean((y_val - y_fit.mean()) ** 2))"))


@pytest.fixture(scope="module")
def expected() -> float:
    assert _master_cells_match(), "lesson 01's data cells changed: update _master_data"
    d = _master_data()
    return float(np.mean((d["y_val"] - d["y_fit"].mean()) ** 2))


NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w])")


def near(values, target: float, rtol: float = 1e-3) -> list[float]:
    """The values within ``rtol`` of ``target`` (q1's public tolerance: a copy of one passes)."""
    return [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)
            and abs(v - target) <= rtol * abs(target)]


def leaks(numbers: list[float], texts: list[str], target: float) -> list:
    """Numbers, and numbers written in texts, that would pass as the expected value."""
    found = near(numbers, target)
    for t in texts:
        found += [(m, t[:200]) for m in NUMBER.findall(t) if near([float(m)], target)]
    return found


# ---------------------------------------------------------------- the service, for the whole module


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course of lesson 01 alone, its student copy and autograder built afresh. Its master keeps
    the cells q1 and q2 need (imports, data, split) and the exercises; the model-training cells
    between them go, so that the checker's run of the master takes seconds, not a minute."""
    course = tmp_path_factory.mktemp("course")
    (course / "notebooks").mkdir()
    nb = nbformat.read(ROOT / "notebooks" / f"{LESSON}.ipynb", as_version=4)
    data_end = next(i for i, c in enumerate(nb.cells)
                    if c.cell_type == "code" and "X_fit, y_fit = " in c.source)
    exercises = next(i for i, c in enumerate(nb.cells) if c.source.startswith("# BEGIN QUESTION"))
    nb.cells = [c for i, c in enumerate(nb.cells) if c.cell_type != "code" or i <= data_end or i >= exercises]
    nbformat.write(nb, course / "notebooks" / f"{LESSON}.ipynb")
    copies.build(course / "notebooks", course / "build")
    return course


@pytest.fixture(scope="module")
def service(course):
    """``serve --local`` on that course, lesson 01's checker started at once (its master runs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_", "LESSONS_"))}
    env["PYTHONPATH"] = str(ROOT)
    log = open(course / "serve.log", "w")  # noqa: SIM115 - closed at teardown
    cmd = [sys.executable, "-m", "tools.grading.serve", "--local", "--course", str(course),
           "--build", str(course / "build"), "--notebooks", str(course / "notebooks"), "--warm", LESSON]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    state = serve.state_file(course / "build")
    try:
        for _ in range(200):
            if state.is_file() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert state.is_file(), (course / "serve.log").read_text()
        info = json.loads(state.read_text())
        yield {**info, "course": course, "state": state, "proc": proc}
    finally:
        proc.send_signal(signal.SIGTERM)  # its lesson checker ends with it (PR_SET_PDEATHSIG)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def call(svc: dict, path: str, body: bytes | None = None, token: str | None = "",
         headers: dict | None = None, method: str | None = None) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request; ``token=""``: the server's own, None: no header."""
    hdrs = dict(headers or {})
    if token is not None:
        hdrs["Authorization"] = f"token {token or svc['token']}"
    req = urllib.request.Request(svc["url"] + path, data=body, headers=hdrs,
                                 method=method or ("POST" if body is not None else "GET"))
    try:
        with urllib.request.urlopen(req, timeout=300) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def error_of(body: bytes) -> str:
    return json.loads(body)["error"]


def answers_zip(values: dict) -> bytes:
    """What ``grader.check`` sends for these answer values (``lessons_lib.answer_data``)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "plan").mkdir()
        (Path(tmp) / "out").mkdir()
        export_answers(list(values), str(Path(tmp) / "plan"), str(Path(tmp) / "out"), values)
        return payload.pack(Path(tmp) / "out")


def raw_zip(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": on purpose
        with zipfile.ZipFile(buf, "w", method) as zf:
            for name, data in members:
                zf.writestr(name, data)
    return buf.getvalue()


def npy(arr: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def npy_header(shape: tuple, descr: str = "<f8") -> bytes:
    """A version-1 ``.npy`` header that declares ``shape`` (and no data after it)."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


ANSWERS = json.dumps({"values": {"mean_mse": 1.0}, "calls": {}, "errors": {}}).encode()


@functools.lru_cache(maxsize=1)
def lying_bomb() -> bytes:
    """A zip whose a1.npy says 100 bytes uncompressed and inflates to 256 MB (headers patched)."""
    big = npy_header((256 << 17,)) + bytes(256 << 20)
    body = bytearray(raw_zip([("answers.json", ANSWERS), ("a1.npy", big)]))
    local, central = body.index(b"a1.npy") - 30, body.rindex(b"a1.npy") - 46
    assert body[local:local + 4] == b"PK\x03\x04" and body[central:central + 4] == b"PK\x01\x02"
    body[local + 22:local + 26] = (100).to_bytes(4, "little")  # uncompressed size, local header
    body[central + 24:central + 28] = (100).to_bytes(4, "little")  # and in the central directory
    return bytes(body)


# Each: a payload, and what its refusal must name.
BAD_PAYLOADS = {
    "not a zip": (lambda: b"these are not the answers you are looking for", "not a zip file"),
    "empty body": (lambda: b"", "not a zip file"),
    "over the size limit": (lambda: b"\0" * (payload.MAX_BODY + 1),
                            f"over the {payload.MAX_BODY >> 20} MB limit"),
    "member ../x": (lambda: raw_zip([("answers.json", ANSWERS), ("../x", b"x")]), "'../x' is not allowed"),
    "member dir/a1.npy": (lambda: raw_zip([("answers.json", ANSWERS), ("dir/a1.npy", npy(np.ones(2)))]),
                          "'dir/a1.npy' is not allowed"),
    "member evil.py": (lambda: raw_zip([("answers.json", ANSWERS), ("evil.py", b"import os")]),
                       "'evil.py' is not allowed"),
    "two answers.json": (lambda: raw_zip([("answers.json", ANSWERS), ("answers.json", ANSWERS)]),
                         "exactly one answers.json"),
    "no answers.json": (lambda: raw_zip([("a1.npy", npy(np.ones(2)))]), "exactly one answers.json"),
    "object dtype (a pickle)": (lambda: raw_zip([("answers.json", ANSWERS),
                                                 ("a1.npy", npy(np.array([{"a": 1}], dtype=object), True))]),
                                "a1.npy holds Python objects"),
    "huge shape": (lambda: raw_zip([("answers.json", ANSWERS), ("a1.npy", npy_header((10**9, 10**9)))]),
                   "a1.npy declares shape"),
    "shape whose size overflows int64": (
        lambda: raw_zip([("answers.json", ANSWERS), ("a1.npy", npy_header((2**32, 2**32)))]),
        "a1.npy declares shape"),
    "bad magic": (lambda: raw_zip([("answers.json", ANSWERS), ("a1.npy", b"\x93NUMPZ\x01\x00" + b"x" * 120)]),
                  "a1.npy is not a valid .npy file"),
    "answers.json a list": (lambda: raw_zip([("answers.json", b"[1, 2, 3]")]),
                            "answers.json is not a JSON object"),
    "answers.json not JSON": (lambda: raw_zip([("answers.json", b"{'values': 1}")]),
                              "answers.json is not JSON"),
    "answers.json nested 100000 deep": (lambda: raw_zip([("answers.json", b"[" * 100_000)]),
                                        "answers.json is not JSON"),
    "answers.json with a 5000-digit number": (
        lambda: raw_zip([("answers.json", b'{"values": {"mean_mse": ' + b"7" * 5000 + b"}}")]),
        "answers.json is not JSON"),
    "zip bomb": (lambda: raw_zip([("answers.json", ANSWERS), ("a1.npy", bytes(payload.MAX_UNPACKED + 1))]),
                 f"unpacks to over {payload.MAX_UNPACKED >> 20} MB"),
    "zip bomb with lying sizes": (lying_bomb, "a1.npy could not be read"),
}


# ---------------------------------------------------------------- the service's state file, auth


def test_server_json_is_the_owners_only(service):
    assert stat.S_IMODE(service["state"].stat().st_mode) == 0o600
    assert service["url"].startswith("http://127.0.0.1:") and service["pid"] == service["proc"].pid
    assert len(service["token"]) >= 32


def test_no_token_or_a_wrong_one_is_refused_with_403(service):
    for token in (None, "not-the-secret", service["token"][:-1]):
        status, _, body = call(service, "api/ping", token=token)
        assert status == 403 and "no valid token" in error_of(body), (token, status, body)
        status, _, body = call(service, CHECK, answers_zip({"mean_mse": WRONG}), token=token)
        assert status == 403, (token, status, body)
        status, _, body = call(service, f"api/plan/{LESSON}/q1", token=token)
        assert status == 403, (token, status, body)
        assert call(service, "api/records", token=token)[0] == 403
        assert call(service, "class.json", token=token)[0] == 403
        status, headers, body = call(service, "class", token=token)  # a browser: a page that says why
        assert status == 403 and headers["Content-Type"].startswith("text/html"), (status, headers)
        assert "<h1>403: not for you</h1>" in body.decode() and "no valid token" in body.decode()
    status, _, body = call(service, "api/ping")
    assert status == 200 and json.loads(body)["ok"] is True


def test_a_token_in_the_query_works_once_then_as_a_cookie_as_documented(service):
    """serve.py: "the bearer of the server's secret (header, or ``?token=`` once, then a cookie)"."""
    status, _, body = call(service, "api/ping?token=wrong", token=None)
    assert status == 403
    status, headers, body = call(service, f"api/ping?token={service['token']}", token=None)
    assert status == 200, body
    cookie = headers.get("Set-Cookie", "")
    assert cookie.startswith("checker-token=") and "httponly" in cookie.lower() and "samesite=strict" in \
        cookie.lower(), cookie
    jar = cookie.split(";", 1)[0]
    assert call(service, "api/records", token=None, headers={"Cookie": jar})[0] == 200
    assert call(service, "class", token=None, headers={"Cookie": jar})[0] == 200
    # a cookie that is not the server's own signature is nobody's
    forged = "checker-token=" + service["token"]
    assert call(service, "api/ping", token=None, headers={"Cookie": forged})[0] == 403
    # a wrong header wins over a good cookie (no fall-through), and a header token sets no cookie
    assert call(service, "api/ping", token="wrong", headers={"Cookie": jar})[0] == 403
    assert "Set-Cookie" not in call(service, "api/ping")[1]


def test_a_token_in_the_query_never_reaches_the_log(service):
    """tornado logs every refused request with its URL: not its ``?token=`` (serve.log is 0644)."""
    secret = service["token"]
    assert call(service, f"api/plan/99_no_such_lesson/q1?token={secret}", token=None)[0] == 404
    assert call(service, f"api/check/{LESSON}/q1?token={secret}", b"not a zip", token=None)[0] == 400
    status, _, body = call(service, f"no/such/route?token={secret}", token=None)
    assert status == 404 and "error" in json.loads(body)
    time.sleep(0.2)
    log = (service["course"] / "serve.log").read_text()
    assert "/api/plan/99_no_such_lesson/q1" in log and "no/such/route" in log  # they were logged
    assert secret not in log


# ---------------------------------------------------------------- unknown lessons and questions


def test_an_unknown_lesson_or_question_is_a_404_that_says_so(service):
    for path, method in (("api/plan/99_no_such_lesson/q1", "GET"), ("api/check/99_no_such_lesson/q1", "POST"),
                         (f"api/plan/{LESSON}/q99", "GET"), (f"api/check/{LESSON}/q99", "POST")):
        body = answers_zip({"mean_mse": WRONG}) if method == "POST" else None
        status, _, got = call(service, path, body)
        assert status == 404, (path, status, got)
        why = error_of(got)
        says = "no lesson '99_no_such_lesson'" if "99_" in path else f"no question 'q99' in {LESSON}"
        assert says in why, (path, why)


# ---------------------------------------------------------------- payloads


def test_an_honest_check_gets_the_verdict_and_the_message_only(service, expected):
    status, _, body = call(service, f"api/plan/{LESSON}/q1")
    assert status == 200
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        assert zf.namelist() == ["plan.json"] and json.loads(zf.read("plan.json")) == {}  # no function answer
    status, _, body = call(service, CHECK, answers_zip({"mean_mse": WRONG}))
    assert status == 200, body
    case = json.loads(body)["cases"]["test_q1_value"]
    assert case["passed"] is False and case["message"].startswith("q1: mean_mse is not right. "), case
    assert not leaks([], [body.decode()], expected)
    status, _, body = call(service, CHECK, answers_zip({"mean_mse": expected}))
    assert status == 200 and json.loads(body)["cases"]["test_q1_value"] == {"passed": True, "message": ""}


def test_make_score_reports_what_the_check_showed(service, expected, tmp_path):
    """``make score`` (tools.grading.selfcheck) grades through the same checker: a wrong answer's
    message is the check's own, word for word, and a right one gets the check's pass and full marks."""
    course = service["course"]
    student = nbformat.read(course / "build" / "student" / f"{LESSON}.ipynb", as_version=4)
    slot = next(c for c in student.cells if "otter_answer_cell" in c.metadata.get("tags", []))
    shown, graded = {}, {}
    for name, value in (("wrong", WRONG), ("right", expected)):
        slot.source = f"mean_mse = {value!r}"
        nbformat.write(student, tmp_path / f"{name}.ipynb")
        status, _, body = call(service, CHECK, answers_zip({"mean_mse": value}))
        assert status == 200, body
        shown[name] = json.loads(body)["cases"]["test_q1_value"]
    rows = selfcheck.grade_files(sorted(tmp_path.glob("*.ipynb")), None, course / "build",
                                 course / "notebooks", timeout=300, jobs=1)
    for r in rows:
        if r.question == "q1":
            graded[r.submission.removesuffix(".ipynb")] = r
    assert not shown["wrong"]["passed"] and graded["wrong"].score < graded["wrong"].max_score, graded
    assert graded["wrong"].message == shown["wrong"]["message"], (graded["wrong"].message, shown["wrong"])
    assert shown["right"]["passed"] and graded["right"].score == graded["right"].max_score > 0, graded


@pytest.mark.parametrize("what", list(BAD_PAYLOADS))
def test_a_bad_payload_is_refused_with_a_400_that_names_the_problem(service, what):
    make, says = BAD_PAYLOADS[what]
    status, _, body = call(service, CHECK, make())
    assert status == 400, (what, status, body[:300])
    why = error_of(body)
    assert why.startswith("answers refused: ") and says in why, (what, why)
    assert call(service, "api/ping")[0] == 200  # and it still answers (GETs: the checks' bucket is
    assert call(service, f"api/plan/{LESSON}/q1")[0] == 200  # 30; the next test sends good checks)


def test_after_the_bad_payloads_good_checks_still_get_their_verdicts(service, expected):
    for value, passed in ((WRONG, False), (expected, True), (WRONG + 1, False)):
        status, _, body = call(service, CHECK, answers_zip({"mean_mse": value}))
        assert status == 200 and json.loads(body)["cases"]["test_q1_value"]["passed"] is passed, body


def _hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's peak memory in /proc")
def test_a_zip_bomb_with_lying_sizes_is_not_inflated(service):
    """Its members are read up to the size their header declares: 256 MB never reach memory."""
    before = _hwm_kb(service["pid"])
    status, _, body = call(service, CHECK, lying_bomb())
    assert status == 400, body
    assert _hwm_kb(service["pid"]) - before < 64 << 10, "the server inflated the bomb"


def test_a_body_beyond_the_http_limit_is_cut_off_and_the_service_still_answers(service):
    """Over MAX_BODY + 1 KB, tornado itself refuses (a bare 400, or the connection closes)."""
    try:
        status = call(service, CHECK, b"\0" * (payload.MAX_BODY + 4096))[0]
    except (ConnectionError, urllib.error.URLError):
        status = 400
    assert status == 400
    assert call(service, "api/ping")[0] == 200


# ---------------------------------------------------------------- the service never runs learner code


def test_a_function_or_a_foreign_object_in_the_answers_is_never_run(service, tmp_path):
    """answers.json may name a "function" (marshal'd code) or an "object" of any class: the checker
    reads both as unreadable values, and the code, which would leave a file, never runs."""
    marker = tmp_path / "the learner's code ran"

    def evil(*args, **kwargs):
        open(marker, "w").write("ran")  # noqa: SIM115
        return 199.9991455078125

    code = [marshal.dumps(evil.__code__).hex(), "evil"]
    entries = {
        "function": {"function": code},
        "method": {"method": [{"function": code}, "__call__"]},
        "foreign object": {"object": {"class": "subprocess.Popen",
                                      "state": {"dict": [["args", {"list": ["touch", str(marker)]}]]}}},
        "prefix trick": {"object": {"class": "lessons_libx.os.system", "state": {"dict": []}}},
        "module path": {"object": {"class": "lessons_lib.instant_check.subprocess.Popen",
                                   "state": {"dict": []}}},
        "not a class": {"object": {"class": "lessons_lib.instant_check._local", "state": {"dict": []}}},
    }
    for what, entry in entries.items():
        assert isinstance(A.decode(entry, tmp_path), A.Unreadable), what
        doc = {"values": {"mean_mse": entry}, "calls": {"q1|test_q1_value|mean_mse|0": entry}, "errors": {}}
        status, _, body = call(service, CHECK, raw_zip([("answers.json", json.dumps(doc).encode())]))
        assert status == 200, (what, body)
        case = json.loads(body)["cases"]["test_q1_value"]
        assert case["passed"] is False, (what, case)
        assert "cannot read" in case["message"] or "not a value" in case["message"] or "raised" in \
            case["message"], (what, case)
    time.sleep(0.2)
    assert not marker.exists(), "the checker ran code a learner sent"
    evil()  # the same code, run here, does leave the file: the test would have seen it
    assert marker.exists()


# ---------------------------------------------------------------- records and the class view


def test_records_of_one_learner_are_theirs_alone(tmp_path):
    recs = records.Records(tmp_path / "records.sqlite")
    recs.add("ada", LESSON, "q1",
             {"test_q1_value": {"passed": False, "message": "q1: mean_mse is not right."}})
    recs.add("bob", LESSON, "q1", {"test_q1_value": {"passed": True, "message": ""}})
    recs.add("ada", LESSON, "q1", {"test_q1_value": {"passed": True, "message": ""}})
    recs.add("bob", LESSON, "q2",
             {"a": {"passed": True, "message": ""}, "b": {"passed": False, "message": "q2: X"}})
    ada, bob = recs.of("ada"), recs.of("bob")
    assert [(r["question"], r["passed"], r["mistake"]) for r in ada] == [
        ("q1", False, "q1: mean_mse is not right."), ("q1", True, "")]
    assert [(r["question"], r["passed"], r["mistake"]) for r in bob] == [
        ("q1", True, ""), ("q2", False, "q2: X")]
    assert recs.of("carol") == [] and recs.of("ada' OR '1'='1") == []
    assert all("learner" not in r for r in ada + bob)
    again = records.Records(tmp_path / "records.sqlite")  # the file keeps them
    assert again.of("ada") == ada


def test_the_class_view_summary_pass_rate_mistakes_and_who_has_not_started():
    checks = [("ada", "q1", False, "q1: did you square them?"), ("ada", "q1", True, ""),
              ("bob", "q1", False, "q1: did you square them?"), ("bob", "q2", False, "q2: wrong inputs"),
              ("eve", "q1", False, "q1: RMSE")]
    rows = [{"learner": who, "lesson": LESSON, "question": q, "passed": ok, "mistake": m}
            for who, q, ok, m in checks]
    s = class_view.summary(rows, roster=["ada", "bob", "carol", "dan"])
    by_q = {q["question"]: q for q in s["questions"]}
    assert by_q["q1"] == {"lesson": LESSON, "question": "q1", "checked": 3, "passing": 1, "pass_rate": 0.333,
                          "empty": 0}
    assert by_q["q2"]["pass_rate"] == 0.0 and by_q["q2"]["checked"] == 1
    assert s["mistakes"][0] == {"lesson": LESSON, "mistake": "did you square them?", "count": 2}
    assert {m["mistake"] for m in s["mistakes"]} == {"did you square them?", "wrong inputs", "RMSE"}
    assert s["not_started"] == ["carol", "dan"] and s["learners"] == ["ada", "bob", "carol", "dan", "eve"]
    empty = {**rows[0], "passed": False, "mistake": "q1: not answered yet: set mean_mse to your answer"}
    assert class_view.summary(rows + [empty], [])["mistakes"] == s["mistakes"], "an empty slot is no mistake"
    # nor an attempt: ada's latest q1 is an empty slot (a Run All), so q1's rate is bob's and eve's
    q1 = {q["question"]: q for q in class_view.summary(rows + [empty], [])["questions"]}["q1"]
    assert (q1["checked"], q1["passing"], q1["pass_rate"], q1["empty"]) == (2, 0, 0.0, 1), q1
    only_empty = class_view.summary([{**empty, "question": "q7"}], [])
    assert only_empty["questions"][0]["pass_rate"] is None and only_empty["questions"][0]["empty"] == 1
    assert "<td>q7</td><td>0 of 0</td><td>–</td><td>1</td>" in class_view.page(only_empty)
    both = {**empty, "mistake": "q1: not answered yet: set a\nq1: a should be positive"}
    assert not class_view.is_empty(both), "a named mistake beside an empty slot is an attempt"
    html = class_view.page(class_view.summary(rows + [{**rows[0], "mistake": "q1: <script>x</script>"}], []))
    assert "<script>x" not in html and "&lt;script&gt;x" in html


def test_api_records_returns_the_callers_checks_only(service):
    other = records.Records(service["course"] / "build" / "checker" / "records.sqlite")
    other.add("someone-else", "06_real_series", "q9", {"c": {"passed": False, "message": "q9: theirs"}})
    status, _, body = call(service, "api/records")
    assert status == 200
    mine = json.loads(body)["records"]
    assert mine and all(r["lesson"] == LESSON for r in mine), mine
    assert not any("theirs" in r["mistake"] for r in mine)
    assert any(r["question"] == "q1" and not r["passed"] for r in mine)
    status, _, body = call(service, "api/records?learner=someone-else")
    assert status == 403 and "their own records only" in error_of(body)
    summary = json.loads(call(service, "class.json")[2])  # the instructor (local: the owner) sees the class
    assert "someone-else" in summary["learners"]
    assert any(q["question"] == "q9" and q["pass_rate"] == 0.0 for q in summary["questions"])


# ---------------------------------------------------------------- the spy, end to end, in one kernel

SPY = r'''
import functools, sys, types
import lessons_lib, lessons_lib.exercises, lessons_lib.instant_check, lessons_lib.answer_data
SPIED, CALLS = [], []

def _wrap(owner, name, f, label):
    if getattr(f, "_spy", False):
        return
    @functools.wraps(f)
    def spy(*args, **kwargs):
        try:
            out = f(*args, **kwargs)
        except BaseException as exc:
            CALLS.append(label); SPIED.append((label, args, kwargs, exc))
            raise
        CALLS.append(label); SPIED.append((label, args, kwargs, out))
        return out
    spy._spy = True
    setattr(owner, name, spy)

for mod in (lessons_lib, lessons_lib.exercises, lessons_lib.instant_check, lessons_lib.answer_data):
    for name, obj in list(vars(mod).items()):
        if isinstance(obj, types.FunctionType):
            _wrap(mod, name, obj, f"{mod.__name__}.{name}")
        elif isinstance(obj, type) and obj.__module__.startswith("lessons_lib"):
            for attr, val in list(vars(obj).items()):
                if isinstance(val, types.FunctionType):
                    _wrap(obj, attr, val, f"{obj.__module__}.{obj.__qualname__}.{attr}")
'''

DUMP = r'''
import gc, io, json, os, zipfile
import numpy as np
_nums, _texts, _seen = [], [], set()

def _walk(v, depth=0):
    if depth > 30 or id(v) in _seen or v is globals() or isinstance(v, (types.ModuleType, type)):
        return
    if isinstance(v, bool) or v is None:
        return
    if isinstance(v, (int, float, np.number)):
        _nums.append(float(v)); return
    if isinstance(v, str):
        _texts.append(v); return
    _seen.add(id(v))
    if isinstance(v, (bytes, bytearray)):
        try:
            zf = zipfile.ZipFile(io.BytesIO(bytes(v)))
        except Exception:
            _texts.append(bytes(v).decode("latin-1")); return
        for n in zf.namelist():
            data = zf.read(n)
            if n.endswith(".npy"):
                _walk(np.load(io.BytesIO(data), allow_pickle=False), depth + 1)
            else:
                _walk(data.decode(), depth + 1)
    elif isinstance(v, np.ndarray):
        if v.dtype.kind in "fiub":
            _nums.extend(v.astype(float).ravel().tolist())
        else:
            _walk(v.tolist(), depth + 1)
    elif isinstance(v, dict):
        for k, x in v.items():
            _walk(k, depth + 1); _walk(x, depth + 1)
    elif isinstance(v, (list, tuple, set, frozenset)):
        for x in v:
            _walk(x, depth + 1)
    elif isinstance(v, BaseException):
        _walk(str(v), depth + 1); _walk(v.args, depth + 1)
    elif isinstance(v, types.FunctionType):
        _walk(v.__name__, depth + 1)
    elif type(v).__module__.startswith(("lessons_lib", "otter", "__main__")) and hasattr(v, "__dict__"):
        _walk(vars(v), depth + 1)
    else:
        _texts.append(repr(v)[:2000])

_walk(SPIED)
_walk(lessons_lib.instant_check._VERDICTS)
_spied = {"nums": _nums, "texts": _texts}

# every float the kernel's containers hold, and every float array (no data cell ran here)
_mem = []
for o in gc.get_objects():
    if isinstance(o, np.ndarray) and o.dtype.kind == "f" and o.size < 10**7:
        _mem.extend(o.ravel().astype(float).tolist())
    elif isinstance(o, dict):
        _mem.extend(float(x) for x in list(o.values()) if isinstance(x, (float, np.floating)))
    elif isinstance(o, (list, tuple)):
        _mem.extend(float(x) for x in list(o) if isinstance(x, (float, np.floating)))

with open("spied.json", "w") as fh:
    json.dump({"calls": sorted(set(CALLS)), "spied": _spied, "memory": _mem, "wrong": mean_mse,
               "checked": repr(_check)}, fh)
'''


def test_a_spy_in_the_learners_kernel_finds_no_expected_value(service, expected, tmp_path, course_kernel):
    """Lesson 01's student copy in the course kernel: the learner wraps every function of
    ``lessons_lib`` (and exercises, instant_check, answer_data) to record all arguments and returns,
    puts a wrong q1 answer, and runs ``grader.check("q1")``. Nothing recorded, nothing the check
    sent or received (the plan zip, the answers zip, the reply), and no float anywhere in the
    kernel's memory is (or writes) the expected value. In self-study the learner also owns the
    course's files: build/checker holds the trusted checker's own workspace (below)."""
    from nbclient import NotebookClient

    fresh = nbformat.read(service["course"] / "build" / "fresh" / f"{LESSON}.ipynb", as_version=4)
    code = [c for c in fresh.cells if c.cell_type == "code"]
    init = next(c for c in code if "otter.Notebook(" in c.source)
    answer = next(c for c in code if c.source.startswith("mean_mse = None"))
    check = next(c for c in code if c.source.strip() == 'grader.check("q1")')
    answer.source = answer.source.replace("mean_mse = None", f"mean_mse = {WRONG!r}", 1)
    check.source = '_check = grader.check("q1")\n_check'
    guard = f"import os\nassert os.environ['COURSE_CHECKER_URL'] == {service['url']!r}"  # not ROOT's checker
    fresh.cells = [nbformat.v4.new_code_cell(guard), init, nbformat.v4.new_code_cell(SPY), answer, check,
                   nbformat.v4.new_code_cell(DUMP)]
    nbformat.write(fresh, tmp_path / f"{LESSON}.ipynb")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COURSE_", "LESSONS_"))}
    env.update(COURSE_CHECKER_URL=service["url"], COURSE_CHECKER_TOKEN=service["token"], MPLBACKEND="Agg")
    NotebookClient(fresh, kernel_name=kernel.KERNEL_NAME, timeout=180,
                   resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)

    got = json.loads((tmp_path / "spied.json").read_text())
    shown = "".join(str(o.get("data", {}).get("text/plain", "")) for o in fresh.cells[4].outputs)
    assert "q1: mean_mse is not right. " in shown, shown  # the check reached the service and failed
    for must in ("lessons_lib.instant_check.case", "lessons_lib.instant_check._request",
                 "lessons_lib.instant_check.export_answers", "lessons_lib.answer_data.Encoder.enc"):
        assert must in got["calls"], (must, got["calls"])  # the spy saw the check's every step
    assert WRONG in got["spied"]["nums"] and any("api/check" in t for t in got["spied"]["texts"])
    assert not leaks(got["spied"]["nums"], got["spied"]["texts"], expected)
    assert not near(got["memory"], expected, rtol=1e-6)

    # What else the learner could read: everything under build/checker but server.json's token
    # (the service's records and state, the checker's workspace: the master's run, its log, the
    # plan). None holds the expected value; in self-study the learner owns the repository and its
    # masters anyway, on a hub that folder (CHECKER_STATE) is the service's, out of their reach.
    holding = set()
    for path in sorted((service["course"] / "build" / "checker").rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.name == "server.json":
            data = json.dumps({k: v for k, v in json.loads(data).items() if k != "token"}).encode()
        if path.suffix == ".npy":
            nums = np.load(path, allow_pickle=False).astype(float).ravel().tolist()
            found = near(nums, expected, rtol=1e-6)
        else:
            found = leaks([], [data.decode("latin-1")], expected)
        if found:
            holding.add(str(path.relative_to(service["course"] / "build" / "checker")))
    assert not holding, holding


def test_the_spy_would_have_caught_the_old_in_kernel_check(course, expected):
    """Control: the autograder's own q1 test, run in a kernel as checks used to run, hands the
    expected value to ``ex.check_close``: the same spy and the same search find it."""
    from otter.test_files.exception_test import ExceptionTestFile

    from lessons_lib import exercises as ex

    with zipfile.ZipFile(results.autograder_zip(LESSON, course / "build")) as zf:
        tf = ExceptionTestFile.from_string(zf.read("tests/q1.py").decode(), path="q1.py")
    seen = []

    class Spy:
        def __getattr__(self, name):
            f = getattr(ex, name)
            return (lambda *a, **k: seen.append((a, k)) or f(*a, **k)) if callable(f) else f

    env = {"ex": Spy(), "np": np, "mean_mse": WRONG, **_master_data()}
    with pytest.raises(AssertionError):
        tf.test_cases[0].body.call_func(env)
    nums = [float(x) for a, _ in seen for x in a if isinstance(x, (float, np.floating))]
    assert near(nums, expected, rtol=1e-6)


# ---------------------------------------------------------------- the rate limit (last: empties the bucket)


def test_the_rate_limit_bucket_refills():
    limit = serve.RateLimit(burst=3, per_second=20)
    assert [limit.allow("ada") for _ in range(4)] == [True, True, True, False]
    assert limit.allow("bob")  # a bucket per learner
    time.sleep(0.1)
    assert limit.allow("ada")


def test_a_burst_of_checks_gets_429_with_a_message_then_recovers(service):
    statuses, why = [], ""
    for _ in range(80):
        status, _, body = call(service, "api/check/99_no_such_lesson/q1", b"")
        statuses.append(status)
        if status == 429:
            why = error_of(body)
            break
    assert statuses[-1] == 429 and set(statuses[:-1]) <= {404}, statuses
    assert "too many checks" in why and "wait" in why, why
    assert call(service, "api/ping")[0] == 200  # the rest of the service still answers
    time.sleep(1.0)  # two checks a second refill the bucket
    status, _, body = call(service, CHECK, answers_zip({"mean_mse": WRONG}))
    assert status == 200, body
