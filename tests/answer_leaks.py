"""Do the public checks hand out answers? Copy numbers and strings out of their messages and grade.

``PYTHONPATH=. python tests/answer_leaks.py LESSON --autograder ZIP --student NB --master NB
--workdir DIR --out OUT.json [--wrong PY]`` (test-only: tests/test_answer_leaks.py runs it)
runs the lesson's master once (trusted values, as the checker does), then, in-process, for every
question and every answer name: a wrong value of the right type replaces the reference answer,
the public checks run, and every number and quoted string in what the learner would see (in
several forms: as is, negated, inverted, scaled into the wrong value, put into the element an
index names, as a function's return value) goes in as the answer, for a few rounds. Each copy is
graded with the public and hidden tests; OUT.json lists any copy that scores more than the wrong
answer, and any message holding the expected value. Recorded wrong answers
(tests/wrong_answers/<lesson>.py, ``--wrong``) are run the same way. tests/test_answer_leaks.py
reads OUT.json.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import math
import re
import runpy
import types
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import nbformat
import numpy as np

from tools.grading import answers as A
from tools.grading import checker

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
QUOTED = re.compile(r"'([^'\n]{1,60})'|\"([^\"\n]{1,60})\"")
INDEX = re.compile(r"\((\d+(?:,\s*\d+)*),?\)")
ROUNDS = 2
MAX_CANDIDATES = 120


class CachedFits:
    """A backend module whose ``fit`` is memoised on (initial weights, data, settings).

    The hidden tests retrain the same trusted model for every copied value the attack tries;
    training is deterministic, so the second time the cached weights and History come back.
    """

    def __init__(self, backend: types.ModuleType) -> None:
        self._backend = backend
        self._cache: dict[str, tuple[list, Any]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    def fit(self, model: Any, *args: Any, **kwargs: Any) -> Any:
        key = _fit_key([type(model).__name__, _weights(model), args, kwargs])
        if key not in self._cache:
            history = self._backend.fit(model, *args, **kwargs)
            self._cache[key] = ([w.copy() for w in _weights(model)], copy.deepcopy(history))
        weights, history = self._cache[key]
        _set_weights(model, weights)
        return copy.deepcopy(history)


def _fit_key(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array{value.shape}{value.dtype}:{hashlib.sha256(value.tobytes()).hexdigest()}"
    if isinstance(value, dict):
        return repr({k: _fit_key(v) for k, v in sorted(value.items())})
    if isinstance(value, list | tuple):
        return repr([_fit_key(v) for v in value])
    return repr(value)


def _weights(model: Any) -> list[np.ndarray]:
    if hasattr(model, "state_dict"):  # torch
        return [t.detach().cpu().numpy().copy() for t in model.state_dict().values()]
    return [np.asarray(w).copy() for w in model.get_weights()]  # keras


def _set_weights(model: Any, weights: list[np.ndarray]) -> None:
    if hasattr(model, "state_dict"):
        import torch

        state = model.state_dict()
        model.load_state_dict({k: torch.as_tensor(w) for k, w in zip(state, weights, strict=True)})
    else:
        model.set_weights(weights)


def with_cached_fits(ns: dict) -> dict:
    """``ns`` with every lessons_lib backend module in it replaced by a ``CachedFits``."""
    backends = ("lessons_lib.torch_models", "lessons_lib.keras_models")
    return {k: CachedFits(v) if getattr(v, "__name__", None) in backends else v for k, v in ns.items()}


def shown(tf: Any, ns: dict) -> dict:
    """Run one question's cases on ``ns``: what the learner sees (public), and the grade (all)."""
    score = possible = 0.0
    lines: list[str] = []
    for tc in tf.test_cases:
        possible += float(tc.points or 0)
        checker.seed_everything()
        try:
            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                tc.body.call_func(ns)
            score += float(tc.points or 0)
            if not tc.hidden and tc.success_message:
                lines.append(str(tc.success_message))
        except Exception as exc:  # noqa: BLE001 - a failed case: its learner-facing message
            if not tc.hidden:
                kind = type(exc).__name__
                text = str(exc).strip()
                raised = f"{tf.name}: checking your answer raised {kind}: {text}"  # as check_display
                lines.append(text if isinstance(exc, AssertionError) else raised)
    return {"score": score, "possible": possible, "text": "\n".join(lines)}


def _numbers(text: str) -> list[float]:
    found = []
    for m in NUMBER.finditer(text):
        try:
            x = float(m.group())
        except ValueError:
            continue
        if math.isfinite(x) and x not in found:
            found.append(x)
    return found


def _strings(text: str) -> list[str]:
    return sorted({a or b for a, b in QUOTED.findall(text)})


def _indices(text: str) -> list[tuple[int, ...]]:
    return [tuple(int(i) for i in m.split(",")) for m in INDEX.findall(text)]


def _perturb(value: Any) -> Any:
    """A wrong value of the same type as ``value`` (None when there is none to make)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | np.integer):
        return type(value)(value + 1)
    if isinstance(value, float | np.floating):
        return type(value)(value * 1.37 + 0.11)
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return (value * 1.37 + 0.11).astype(value.dtype) if value.dtype.kind == "f" else value + 1
    if isinstance(value, list) and value and all(isinstance(v, int | float) for v in value):
        return [_perturb(v) for v in value]
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        return value * 1.37 + 0.11
    if isinstance(value, types.FunctionType):
        return lambda *a, **k: _perturb(value(*a, **k))
    if hasattr(value, "__dict__"):
        wrong = copy.deepcopy(value)
        changed = False
        for key, attr in vars(wrong).items():
            new = _perturb(attr) if not callable(attr) else None
            if new is not None and not isinstance(attr, str):
                setattr(wrong, key, new)
                changed = True
        for key, attr in vars(wrong).items():
            if not changed and isinstance(attr, list) and attr:
                setattr(wrong, key, attr[:-1])
                changed = True
        return wrong if changed else None
    return None


def question_texts(student: nbformat.NotebookNode) -> dict[str, str]:
    """Question -> the markdown a learner reads before its check cell (where the options are)."""
    found: dict[str, str] = {}
    text: list[str] = []
    for cell in student.cells:
        if cell.cell_type == "markdown":
            text = [cell.source] if re.search(r"\*\*q\d+", cell.source) else [*text, cell.source]
        m = re.search(r"""grader\.check\(\s*["']([^"']+)["']\s*\)""", cell.source)
        if cell.cell_type == "code" and m:
            found[m.group(1)] = "\n".join(text)
            text = []
    return found


def _other_options(value: Any, prompt: str) -> list[Any]:
    """The wrong choices a learner could make: the question's other quoted strings or whole numbers."""
    if isinstance(value, str):
        return [s for s in _strings(prompt) if " ".join(s.lower().split()) != value.lower()][:6]
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        numbers = [int(x) for x in _numbers(prompt) if float(x).is_integer() and int(x) != value]
        return list(dict.fromkeys(numbers))[:6]
    return []


def _forms(wrong: Any, xs: list[float], strings: list[str], idx: list[tuple]) -> list[Any]:
    """Every way the attack puts a copied number or string into an answer shaped like ``wrong``."""
    out: list[Any] = [*strings, *xs]
    plain = [x for x in xs] + [-x for x in xs] + [1 / x for x in xs if x]
    if isinstance(wrong, types.FunctionType):
        out += [(lambda c: (lambda *a, **k: c))(x) for x in plain]
        return out
    if isinstance(wrong, float | int | np.floating | np.integer) and not isinstance(wrong, bool):
        w = float(wrong)
        out += plain + [w * x for x in xs] + [w / x for x in xs if x] + [w + x for x in xs]
        out += [w - x for x in xs] + [int(x) for x in xs if float(x).is_integer()]
    elif isinstance(wrong, np.ndarray) and wrong.dtype.kind in "iuf" and wrong.size:
        out += [np.full_like(wrong, x) for x in plain]
        out += [wrong * x for x in xs] + [wrong + x for x in xs] + [wrong - x for x in xs]
        for i in idx:
            if len(i) == wrong.ndim and all(0 <= k < n for k, n in zip(i, wrong.shape, strict=True)):
                for x in plain:
                    filled = wrong.copy()
                    filled[i] = x
                    out.append(filled)
    elif hasattr(wrong, "__dict__") and not isinstance(wrong, type):
        for key, attr in vars(wrong).items():
            was_list = isinstance(attr, list) and attr and all(isinstance(v, int | float) for v in attr)
            if was_list:
                attr = np.asarray(attr, dtype=float)
            if isinstance(attr, float | int | np.ndarray) and not isinstance(attr, bool):
                for form in _forms(attr, xs, [], idx)[len(xs):]:
                    obj = copy.deepcopy(wrong)
                    as_list = was_list and isinstance(form, np.ndarray)
                    setattr(obj, key, np.ravel(form).tolist() if as_list else form)
                    out.append(obj)
    return out


def attack(tf: Any, ns: dict, name: str, wrong: Any) -> dict:
    """Grade ``wrong`` for ``name``, then every copy built from its messages; the best copy."""
    env = dict(ns)
    env[name] = wrong
    base = shown(tf, env)
    best = {"score": base["score"], "value": None, "text": base["text"]}
    texts, seen, tried = [base["text"]], set(), 0
    for _ in range(ROUNDS):
        new_texts = []
        for text in texts:
            for cand in _forms(wrong, _numbers(text), _strings(text), _indices(text)):
                key = _identity(cand)
                if key in seen or tried >= MAX_CANDIDATES:
                    continue
                seen.add(key)
                tried += 1
                env[name] = cand
                got = shown(tf, env)
                new_texts.append(got["text"])
                if got["score"] > best["score"] + 1e-9:
                    best = {"score": got["score"], "value": _key(cand), "text": got["text"]}
        texts = [t for t in new_texts if t not in texts][:5]
    return {"wrong_score": base["score"], "best_score": best["score"], "copied": best["value"],
            "shown": base["text"], "tried": tried}


def _identity(value: Any) -> str:
    """A candidate's whole content (arrays by digest, nothing cut short): equal only for one attack."""
    try:
        if isinstance(value, types.FunctionType):  # a copied constant returned: its code and closure
            cells = [c.cell_contents for c in value.__closure__ or ()]
            return f"function {value.__code__.co_code.hex()}:{_fit_key(cells)}"
        if hasattr(value, "__dict__") and not isinstance(value, type | types.ModuleType):
            return type(value).__name__ + _fit_key(dict(vars(value)))
        return f"{type(value).__name__}:{_fit_key(value)}"
    except Exception:  # noqa: BLE001 - an object whose repr breaks on a copied value
        return f"{type(value).__name__}@{id(value)}"


def _key(value: Any) -> str:
    """A candidate in short, for the report (not an identity: long values are cut at 80 characters)."""
    if isinstance(value, np.ndarray):
        return f"array{value.shape}:{hash(value.tobytes())}"
    if isinstance(value, types.FunctionType):
        return f"function returning {value()!r}" if not value.__code__.co_varnames else repr(value)
    try:
        return f"{type(value).__name__}:{value!r:.80}"
    except Exception:  # noqa: BLE001 - an object whose repr breaks on a copied value
        return f"{type(value).__name__}@{id(value)}"


def holds_expected(text: str, expected: Any) -> list[str]:
    """Numbers or quoted strings in ``text`` that ARE the expected value (or one of its elements)."""
    found = []
    if isinstance(expected, str):
        found += [s for s in _strings(text) if " ".join(s.lower().split()) == expected.lower()]
    elif isinstance(expected, bool):
        return []
    elif isinstance(expected, int | float | np.integer | np.floating):
        found += [str(x) for x in _numbers(text) if _close(x, float(expected))]
    elif isinstance(expected, np.ndarray) and expected.dtype.kind == "f" and 0 < expected.size <= 10_000:
        values = expected[np.isfinite(expected)].ravel()
        values = values[values != np.round(values)]  # integers also count shapes and steps
        for x in _numbers(text):
            if values.size and not float(x).is_integer() and np.any(np.isclose(values, x, rtol=1e-3)):
                found.append(str(x))
    return found


def _close(x: float, want: float) -> bool:
    return math.isclose(x, want, rel_tol=1e-3) or (
        want != 0 and not float(want).is_integer() and math.isclose(abs(x), abs(want), rel_tol=1e-3)
    )


def run(lesson: str, autograder: Path, student: Path, master: Path, wrong_file: Path | None,
        workdir: Path) -> dict:
    """The whole probe for one lesson: reference, generic attacks, recorded wrong answers."""
    tests = {tf.name: tf for tf in checker.load_tests(autograder)}
    student_nb = nbformat.read(student, as_version=4)
    per_q = A.question_answer_names(student_nb)
    prompts = question_texts(student_nb)
    ns = with_cached_fits(checker.run_master(master, workdir))
    report: dict = {"lesson": lesson, "reference": {}, "attacks": [], "wrong_answers": [], "leaks": []}
    for q, tf in tests.items():
        report["reference"][q] = shown(tf, dict(ns))
        for name in per_q.get(q, []):
            # a choice the question lists (a letter, "rnn", a window of 8 or 32): the wrong values
            # are the other options; an invalid one is only told "one of the options the question lists"
            options = _other_options(ns.get(name), prompts.get(q, ""))
            wrongs = options or [w for w in [_perturb(ns.get(name))] if w is not None]
            if not wrongs:
                skipped = type(ns.get(name)).__name__
                report["attacks"].append({"question": q, "name": name, "skipped": skipped})
            for wrong in wrongs:
                result = {"question": q, "name": name, "wrong": _key(wrong), **attack(tf, ns, name, wrong)}
                report["attacks"].append(result)
                _note_leak(report, q, name, result["shown"], ns.get(name), prompts.get(q, ""))
    recorded = runpy.run_path(str(wrong_file))["WRONG"] if wrong_file and wrong_file.exists() else {}
    for q, answers in recorded.items():
        for k, answer in enumerate(answers):
            env = dict(ns)
            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                exec(compile(answer["code"], f"<wrong {q}-{k}>", "exec"), env)  # noqa: S102 - our own file
            got = shown(tests[q], env)
            report["wrong_answers"].append({"question": q, "k": k, **got})
            for name in per_q.get(q, []):
                _note_leak(report, q, name, got["text"], ns.get(name), prompts.get(q, ""))
    return report


def _note_leak(report: dict, q: str, name: str, text: str, expected: Any, prompt: str) -> None:
    if isinstance(expected, int | np.integer) and _other_options(expected, prompt):
        return  # a whole-number choice (8 or 32): the question's text names every option
    held = holds_expected(text, expected)
    if held:
        report["leaks"].append({"question": q, "name": name, "values": held, "text": text})


def main(argv: list[str] | None = None) -> int:
    """Probe one lesson and write OUT.json; exit 0 whatever it finds (tests/test_answer_leaks.py judges)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("lesson")
    p.add_argument("--autograder", type=Path, required=True)
    p.add_argument("--student", type=Path, required=True)
    p.add_argument("--master", type=Path, required=True)
    p.add_argument("--wrong", type=Path, default=None)
    p.add_argument("--workdir", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    student, master, wrong = args.student.resolve(), args.master.resolve(), args.wrong
    wrong = wrong.resolve() if wrong else None
    report = run(args.lesson, args.autograder.resolve(), student, master, wrong, args.workdir.resolve())
    args.out.write_text(json.dumps(report, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
