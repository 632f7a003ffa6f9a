"""Lesson 06's slow backtests, computed once and shipped: `python -m tools.refits06`.

FPP3's time-series cross-validation refits at every origin. For seasonal ARIMA that is 121
maximum-likelihood fits, for the LSTMs one training per yearly refit and seed: minutes on 2
cores, too slow for a lesson that CI runs ten times. This tool computes them with the PyTorch
backend (seeds 0-2, the lesson's recipe) and writes ``lessons_lib/_co2_refits.py``, which
``lessons_lib.datasets.co2_refits()`` reads. ``tests/test_datasets.py`` checks that the file was
made by the code now in this tool and in ``lessons_lib/backtest.py``.

``--job levels|differences|fixed|arima`` computes one part into build/refits06/ (run them in
parallel; ``fixed``: seeds 1-2 of the fixed-parameter protocol alone, for when the yearly refits
of every seed take too long); ``--pack`` joins what is there into the module. With no argument:
every part, then pack.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
from pathlib import Path

import numpy as np

from tools import BUILD, ROOT

SOURCES = ("tools/refits06.py", "lessons_lib/backtest.py")
OUT = ROOT / "lessons_lib" / "_co2_refits.py"
PARTS = BUILD / "refits06"
W, H, P, SEEDS, EVERY = 24, 12, 12, (0, 1, 2), 12


def source_hash() -> str:
    """SHA-256 of the code that produces the shipped refits."""
    digest = hashlib.sha256()
    for name in SOURCES:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def _setup() -> tuple[np.ndarray, np.ndarray]:
    from lessons_lib.datasets import co2_monthly

    y = co2_monthly().values.astype(np.float64)
    n_train = int(0.75 * len(y))
    return y, np.arange(n_train, len(y) - H + 1)


def _lstm(X: np.ndarray, Y: np.ndarray, X_in: np.ndarray, seed: int) -> np.ndarray:
    """Lesson 06's recipe: min-max scaling on the training windows, LSTM(32), 200 epochs full batch."""
    import lessons_lib as ll

    backend = ll.load_backend("torch")
    scaler = ll.Scaler().fit(X)
    ll.set_seed(seed, frameworks=(backend.NAME,))
    model = backend.build(X.shape[1], horizon=Y.shape[1], hidden=32)
    backend.fit(model, scaler.transform(X), scaler.transform(Y), epochs=200, lr=1e-2, print_every=0)
    pred = scaler.inverse_transform(backend.predict(model, scaler.transform(X_in)))
    return np.asarray(pred, dtype=np.float64)


def lstm_backtest(y: np.ndarray, origins: np.ndarray, seed: int, diff: bool, every: int) -> np.ndarray:
    """The LSTM on levels (``diff=False``) or on first differences, refitted every ``every`` origins."""
    import lessons_lib as ll
    from lessons_lib.backtest import refit_backtest

    d = np.diff(y)

    def forecast(fit_end: int, block: np.ndarray) -> np.ndarray:
        if not diff:
            X, Y = ll.sliding_windows(y[:fit_end], W, H)
            return _lstm(X, Y, np.stack([y[o - W:o] for o in block])[:, :, None], seed)
        X, Y = ll.sliding_windows(d[:fit_end - 1], W, H)
        steps = _lstm(X, Y, np.stack([d[o - 1 - W:o - 1] for o in block])[:, :, None], seed)
        return y[block - 1][:, None] + np.cumsum(steps, axis=1)

    return refit_backtest(forecast, len(y), origins, H, every=every)


def run_job(job: str) -> None:
    """Compute one part (levels, differences: both protocols, every seed; arima: refit at every origin)."""
    import torch

    from lessons_lib.backtest import sarimax_backtest

    torch.set_num_threads(1)
    y, origins = _setup()
    out: dict[str, np.ndarray] = {}
    if job == "arima":
        mean, bands = sarimax_backtest(y, origins, H, (0, 1, 1), (0, 1, 1, P), refit=True)
        out = {"arima_refit": mean, **{f"arima_refit_{k}_{int(a * 100)}": b[i] for a, b in bands.items()
                                        for i, k in enumerate(("lo", "hi"))}}
    PARTS.mkdir(parents=True, exist_ok=True)
    if job == "fixed":  # the cheap protocol for more seeds: one training per model and seed
        for seed in SEEDS:
            for model in ("levels", "differences"):
                out[f"{model}_fixed_{seed}"] = lstm_backtest(y, origins, seed, model == "differences",
                                                             len(origins))
                np.savez(PARTS / f"{job}.npz", **out)
    elif job != "arima":  # one seed at a time, saved as it comes: a stopped run keeps its seeds
        for seed in SEEDS:
            for name, every in (("fixed", len(origins)), ("yearly", EVERY)):
                out[f"{job}_{name}_{seed}"] = lstm_backtest(y, origins, seed, job == "differences", every)
            np.savez(PARTS / f"{job}.npz", **out)
            print(job, "seed", seed, "done", flush=True)
    np.savez(PARTS / f"{job}.npz", **out)


def run_slice(job: str, seed: int, part: int, parts: int) -> None:
    """The yearly refits of one model and seed for every ``parts``-th year (``part`` of them)."""
    import torch

    torch.set_num_threads(1)
    y, origins = _setup()
    years = np.arange(0, len(origins), EVERY)[part::parts]
    rows = np.concatenate([np.arange(k, min(k + EVERY, len(origins))) for k in years])
    pred = lstm_backtest(y, origins[rows], seed, job == "differences", EVERY)
    PARTS.mkdir(parents=True, exist_ok=True)
    np.savez(PARTS / f"slice_{job}_{seed}_{part}.npz", rows=rows, pred=pred)


def _join_slices(arrays: dict[str, np.ndarray], n: int) -> None:
    """Put the rows of every slice file into ``{job}_yearly_{seed}`` when the slices cover all."""
    found: dict[str, list[Path]] = {}
    for path in sorted(PARTS.glob("slice_*.npz")):
        _, job, seed, _ = path.stem.split("_")
        found.setdefault(f"{job}_yearly_{seed}", []).append(path)
    for key, paths in found.items():
        full, seen = np.zeros((n, H)), np.zeros(n, bool)
        for path in paths:
            with np.load(path) as part:
                full[part["rows"]], seen[part["rows"]] = part["pred"], True
        if seen.all():
            arrays[key] = full.astype(np.float32)


def pack() -> None:
    """Join the parts into lessons_lib/_co2_refits.py (float32, compressed, base64)."""
    arrays: dict[str, np.ndarray] = {}
    for job in ("levels", "differences", "fixed", "arima"):  # a part may hold fewer seeds
        if (PARTS / f"{job}.npz").exists():
            with np.load(PARTS / f"{job}.npz") as part:
                arrays.update({k: part[k].astype(np.float32) for k in part.files})
    _join_slices(arrays, len(arrays["arima_refit"]))
    seeds = tuple(sorted({int(k.rsplit("_", 1)[1]) for k in arrays if not k.startswith("arima")}))
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    text = base64.b64encode(buf.getvalue()).decode()
    lines = [text[i:i + 96] for i in range(0, len(text), 96)]
    OUT.write_text(
        '"""Generated by `python -m tools.refits06` (do not edit): lesson 06\'s refitted backtests."""\n\n'
        f'SOURCE_HASH = "{source_hash()}"\n'
        f"SEEDS = {seeds}\n"
        "DATA = (\n" + "".join(f'    "{line}"\n' for line in lines) + ")\n"
    )
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KiB)")


def main(argv: list[str] | None = None) -> None:
    """Command line: --job NAME computes one part, --pack joins them, nothing does both."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--job", choices=("levels", "differences", "fixed", "arima"))
    parser.add_argument("--pack", action="store_true")
    parser.add_argument("--slice", nargs=3, type=int, metavar=("SEED", "PART", "PARTS"),
                        help="with --job levels|differences: only every PARTS-th year's refit")
    args = parser.parse_args(argv)
    if args.job and args.slice:
        run_slice(args.job, *args.slice)
    elif args.job:
        run_job(args.job)
    if args.pack:
        pack()
    if not args.job and not args.pack:
        for job in ("arima", "levels", "differences"):
            run_job(job)
        pack()


if __name__ == "__main__":
    main()
