"""Answers as plain data: the encoding shared by the learner's kernel and the course's checker.

Values travel as a JSON tree plus ``a<N>.npy`` files (never pickle). ``Encoder`` writes them;
``decode_plan`` rebuilds the checker's inputs for a function answer in the learner's kernel;
``export_answers`` writes one submission's answers (the values, and a function answer's outputs
on the checker's inputs). Used by ``grader.check`` (``lessons_lib.instant_check``) and pasted as
the grader's last cell into a sandboxed submission, so it stays self-contained (numpy only,
torch when present). Values coming back are decoded by ``tools.grading.answers.decode``.
"""

import marshal
import math
import os
import sys
import types

import numpy as np


class Encoder:
    """Writes values as a JSON tree plus ``a<N>.npy`` files in ``out_dir`` (the grader's: functions too)."""

    def __init__(self, out_dir: "str | os.PathLike[str]", functions: bool = False) -> None:
        self.out_dir = str(out_dir)
        self.functions = functions  # only the grader encodes functions and models (its own inputs)
        self.count = 0

    def _arr(self, a, kind):
        self.count += 1
        name = f"a{self.count}.npy"
        np.save(os.path.join(self.out_dir, name), np.asarray(a), allow_pickle=False)
        return {kind: name}

    def enc(self, v: object, depth: int = 0) -> object:
        if depth > 10:
            return {"unsupported": "nested too deep"}
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, int):
            return v if abs(v) < 2**62 else {"unsupported": "huge int"}
        if isinstance(v, float):
            return v if math.isfinite(v) else {"float": repr(v)}
        if isinstance(v, np.ndarray):
            if v.dtype == object:
                return {"list": [self.enc(x, depth + 1) for x in v.tolist()]}
            return self._arr(v, "npy")
        if isinstance(v, np.generic):
            return self._arr(v, "npscalar")
        mod = type(v).__module__ or ""
        if mod.startswith("torch") and type(v).__name__ in ("Tensor", "Parameter"):
            return self._arr(v.detach().cpu().numpy(), "torch")
        if isinstance(v, tuple):
            return {"tuple": [self.enc(x, depth + 1) for x in v]}
        if isinstance(v, list):
            return {"list": [self.enc(x, depth + 1) for x in v]}
        if isinstance(v, dict):
            return {"dict": [[self.enc(k, depth + 1), self.enc(x, depth + 1)] for k, x in v.items()]}
        if self.functions:
            if isinstance(v, types.FunctionType) and not v.__closure__:
                return {"function": [marshal.dumps(v.__code__).hex(), v.__name__, _python()]}
            if isinstance(v, types.MethodType):
                return {"method": [self.enc(v.__self__, depth + 1), v.__func__.__name__]}
            if hasattr(v, "state_dict") and hasattr(v, "load_state_dict") and mod == "__main__":
                state = {k: t.detach().cpu().numpy() for k, t in v.state_dict().items()}
                return {"module": [type(v).__name__, self.enc(state, depth + 1)]}
        if mod.startswith("lessons_lib.") and hasattr(v, "__dict__"):
            state = [[k, self.enc(x, depth + 1)] for k, x in vars(v).items()]
            return {"object": {"class": mod + "." + type(v).__qualname__, "state": {"dict": state}}}
        return {"unsupported": f"{mod}.{type(v).__qualname__}"}


def _python() -> str:
    """This interpreter's version, as marshalled code is tied to it: "3.11"."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def decode_plan(obj: object, folder: str, g: dict) -> object:
    """Rebuild the grader's inputs inside the sandbox (``g``: the notebook's globals)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [decode_plan(x, folder, g) for x in obj]
    kind, val = next(iter(obj.items()))
    if kind == "float":
        return float(val)
    if kind in ("tuple", "list"):
        seq = [decode_plan(x, folder, g) for x in val]
        return tuple(seq) if kind == "tuple" else seq
    if kind == "dict":
        return {decode_plan(k, folder, g): decode_plan(x, folder, g) for k, x in val}
    if kind in ("npy", "npscalar", "torch"):
        a = np.load(os.path.join(folder, val), allow_pickle=False)
        if kind == "npscalar":
            return a[()]
        if kind == "torch":
            import torch

            return torch.from_numpy(np.array(a))
        return a
    if kind == "function":
        made_by = val[2] if len(val) > 2 else "unknown"
        if made_by != _python():  # marshal's format is one Python version's own
            raise RuntimeError(
                f"the course's checker runs Python {made_by} and this kernel Python {_python()}: a "
                "function input cannot travel between them. Ask your instructor to run the checker "
                "on the learners' Python (binder/runtime.txt)."
            )
        return types.FunctionType(marshal.loads(bytes.fromhex(val[0])), g, val[1])
    if kind == "method":
        return getattr(decode_plan(val[0], folder, g), val[1])
    if kind == "module":
        import torch

        model = g[val[0]]()
        state = decode_plan(val[1], folder, g)
        model.load_state_dict({k: torch.from_numpy(np.array(x)) for k, x in state.items()})
        return model
    if kind == "object":
        import importlib

        module, _, name = val["class"].rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        o = cls.__new__(cls)
        for k, x in decode_plan(val["state"], folder, g).items():
            object.__setattr__(o, k, x)
        return o
    raise ValueError(f"the grader could not prepare this input ({kind})")


def export_answers(names: list[str], plan_dir: str, out_dir: str, g: dict) -> None:
    """The answer values, and the function answers' outputs on the checker's inputs (every entry
    of ``plan_dir``'s plan.json), as answers.json + a<N>.npy in ``out_dir``."""
    import json

    e = Encoder(out_dir)
    values, errors, calls = {}, {}, {}
    for name in names:
        if name not in g:
            continue
        try:
            v = g[name]
            values[name] = {"unsupported": "function"} if isinstance(v, types.FunctionType) else e.enc(v)
        except Exception as exc:  # noqa: BLE001
            errors[name] = f"{type(exc).__name__}: {exc}"
    plan_file = os.path.join(str(plan_dir), "plan.json")
    if os.path.exists(plan_file):
        with open(plan_file) as fh:
            plan = json.load(fh)
        for key, (fname, args, kwargs) in plan.items():
            try:
                if args is None:
                    raise RuntimeError("the grader could not prepare this input")
                a = decode_plan(args, plan_dir, g)
                kw = decode_plan(kwargs, plan_dir, g)
                calls[key] = e.enc(g.get(fname)(*a, **kw))
            except Exception as exc:  # noqa: BLE001
                calls[key] = {"error": f"{type(exc).__name__}: {exc}"}
    with open(os.path.join(str(out_dir), "answers.json"), "w") as fh:
        json.dump({"values": values, "calls": calls, "errors": errors}, fh)
