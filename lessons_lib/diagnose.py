"""Name what went wrong after training: each finding with the number that shows it and a fix to try.

``diagnose`` looks only at what a learner already has (the loss per epoch, predictions,
targets, and optionally the inputs, the raw output shape and gradient norms), so it works the
same for Keras, PyTorch or plain NumPy. Thresholds are deliberately loose: a healthy run, or a
slow one that is really learning, must not raise an alarm.

Every finding is one small function in ``CHECKS`` (in report order). A check gets the ``Run``
and returns ``SKIP`` when what it needs was not given, ``None`` when the run is healthy on that
count, or a ``Finding``. ``CODES``, the report's "checked" line and the README's table all come
from ``CHECKS``; a new failure code is one function added there (plus a triggering and a
healthy case in ``tests/test_diagnose.py``).

A flat or squeezed forecast is reported only when ``flat_forecast_fails``: it loses to the mean or
the naive forecast, or its residuals are autocorrelated (Ljung-Box). "A baseline beats it" in the
codes table means that. For white noise the constant mean is the best forecast (FPP3), so it is
not a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ._checks import check_array, check_same_length, check_shape

#: Loss never fell below this share of its first value: nothing was learned.
FLAT_LOSS_RATIO = 0.9
#: Prediction spread below this share of the target's spread: a constant.
CONSTANT_FLATNESS = 0.1
#: Prediction spread below this share of the target's: squeezed toward the mean.
SQUEEZED_FLATNESS = 0.5
#: Final loss above this multiple of the best loss: training diverged.
DIVERGED_FACTOR = 3.0
#: A constant within this many target standard deviations of the target mean: the mean.
MEAN_TOLERANCE = 0.25
#: Inputs explain less than this share of the targets' variance (adjusted R², linear).
UNINFORMATIVE_R2 = 0.05
#: Typical magnitude (99th percentile of |value|) above which data counts as unscaled.
UNSCALED_MAGNITUDE = 5.0
#: A gradient norm this many times the median norm, or above the absolute cap, is exploding.
EXPLODING_FACTOR = 100.0
EXPLODING_CAP = 1e3
#: Targets this far beyond the training targets' range (share of its span) count as outside it.
OUTSIDE_MARGIN = 0.05
#: The share of targets outside the training range from which it is checked at all.
OUTSIDE_SHARE = 0.1
#: Predictions covering less than this share (median) of the way to those targets stop short.
COVERED_SHARE = 0.5
#: Ljung-Box p-value below which residuals (or targets) count as autocorrelated: something to learn.
LJUNG_BOX_P = 0.01
#: The Ljung-Box test looks at lags 1..this many (fewer on short series: a fifth of the rows).
LJUNG_BOX_LAGS = 10
#: A forecast loses to a baseline when its MSE is higher by more than this many paired SEs.
BASELINE_Z = 2.0


@dataclass(frozen=True)
class Finding:
    """One failure: its code, the number that shows it, and what to try."""

    code: str
    evidence: str
    fix: str


@dataclass(frozen=True)
class Run:
    """What a check may look at: validated arrays, None where not given."""

    loss: np.ndarray | None = None
    pred: np.ndarray | None = None
    target: np.ndarray | None = None
    inputs: np.ndarray | None = None
    output_shape: tuple[int, ...] | None = None
    grad_norms: np.ndarray | None = None
    train_target: np.ndarray | None = None

    def flatness(self) -> float | None:
        """std(pred) / std(target) when both are given, finite and the target varies."""
        if self.pred is None or self.target is None or self.target.size < 2:
            return None
        if not np.all(np.isfinite(self.pred)) or self.target.std() == 0:
            return None
        return float(self.pred.std() / self.target.std())

    def finite_loss(self) -> np.ndarray | None:
        """The loss curve when it has at least 3 finite values."""
        ok = self.loss is not None and self.loss.size >= 3 and np.all(np.isfinite(self.loss))
        return self.loss if ok else None


#: Returned by a check whose inputs were not given: it is left off the "checked" line.
SKIP = object()

Check = Callable[[Run], "Finding | None | object"]


def non_finite(run: Run):
    """NaN or infinity in the losses, predictions, gradient norms or inputs (reported first)."""
    for name, arr in (("losses", run.loss), ("predictions", run.pred), ("grad_norms", run.grad_norms),
                      ("inputs", run.inputs)):
        if arr is not None and not np.all(np.isfinite(arr)):
            first = int(np.flatnonzero(~np.isfinite(arr.ravel()))[0])
            fix = ("remove or fill missing values before windowing." if name == "inputs" else
                   "lower the learning rate, clip gradients, and check the data for NaN before training.")
            return Finding("non_finite", f"{name} contain NaN or infinity (first at index {first}).", fix)
    return None


def shape_mismatch(run: Run):
    """The model's output shape differs from the targets': the loss broadcasts them."""
    if run.target is None or (run.output_shape is None and run.pred is None):
        return SKIP
    got = run.output_shape if run.output_shape is not None else run.pred.shape
    if tuple(got) == run.target.shape:
        return None
    return Finding(
        "shape_mismatch",
        f"the model outputs shape {tuple(got)} but the targets have shape {run.target.shape}; "
        "the loss broadcasts one against the other.",
        "make the model output one value per target (batch, horizon), e.g. read the "
        "recurrent layer's last step and use a Dense/Linear head of size horizon.",
    )


def flat_loss(run: Run):
    """The loss never fell below 90% of its first value."""
    loss = run.finite_loss()
    if loss is None:
        return SKIP
    ratio = float(loss.min() / loss[0]) if loss[0] > 0 else 1.0
    if ratio < FLAT_LOSS_RATIO:
        return None
    at_var = ""
    if run.target is not None and run.target.size > 1 and run.target.var() > 0:
        at_var = f"; final loss / target variance = {loss[-1] / run.target.var():.2f}"
    return Finding(
        "flat_loss",
        f"the loss never fell below {ratio:.0%} of its first value over {loss.size} epochs{at_var}.",
        "check that the inputs carry the target's history and are scaled; then try a "
        "higher learning rate or more epochs.",
    )


def diverged_loss(run: Run):
    """The final loss is more than 3 times the best one."""
    loss = run.finite_loss()
    if loss is None:
        return SKIP
    best = float(loss.min())
    if not (best > 0 and loss[-1] > DIVERGED_FACTOR * best):
        return None
    return Finding(
        "diverged_loss",
        f"the final loss is {loss[-1] / best:.3g}× the best one, reached at epoch {int(loss.argmin()) + 1}.",
        "lower the learning rate (by 10×) and clip the gradient norm.",
    )


def constant_output(run: Run):
    """Predictions barely move (spread under 10% of the targets'), and a baseline beats them."""
    flat = run.flatness()
    if flat is None:
        return SKIP
    if flat >= CONSTANT_FLATNESS or (why := flat_forecast_fails(run)) is None:
        return None
    return Finding(
        "constant_output",
        f"predictions barely move: their spread is {flat:.1%} of the targets' (flatness {flat:.3f}), "
        f"and {why}.",
        "look at the other findings for the cause: an input without information, "
        "unscaled data, a shape bug, too little training, or predictions fed back (a roll-out).",
    )


def mean_predictor(run: Run):
    """The constant output is the targets' mean (within 0.25 SD), and a baseline beats it."""
    flat = run.flatness()
    if flat is None:
        return SKIP
    offset = float(abs(run.pred.mean() - run.target.mean()) / run.target.std())
    if flat >= CONSTANT_FLATNESS or offset >= MEAN_TOLERANCE:
        return None
    if (why := flat_forecast_fails(run)) is None:
        return None
    return Finding(
        "mean_predictor",
        f"the constant is the targets' mean (off by {offset:.2f} standard deviations), and {why}: "
        "the model learned only what an input without information allows.",
        "give the model the target's own history as input, and check output and target shapes.",
    )


def squeezed_output(run: Run):
    """Predictions move under half as much as the targets (not constant), and a baseline beats them."""
    flat = run.flatness()
    if flat is None:
        return SKIP
    if not CONSTANT_FLATNESS <= flat < SQUEEZED_FLATNESS or (why := flat_forecast_fails(run)) is None:
        return None
    return Finding(
        "squeezed_output",
        f"predictions move, but only {flat:.0%} as much as the targets (flatness {flat:.2f}), and {why}.",
        "train longer, or standardise inputs that vary over a tiny range; then compare again.",
    )


def uninformative_input(run: Run):
    """A linear model on the inputs explains under 5% of the variance of targets that are autocorrelated."""
    x, target = run.inputs, run.target
    if x is None or target is None or not np.all(np.isfinite(x)):
        return SKIP
    r2 = _adjusted_r2(x.reshape(len(x), -1), target.reshape(len(target), -1))
    if r2 is None:
        return SKIP
    if r2 >= UNINFORMATIVE_R2:
        return None
    p = ljung_box_p(target.reshape(len(target), -1)[:, 0])
    if p is not None and p >= LJUNG_BOX_P:  # white-noise targets: no input of this kind can help
        return None
    return Finding(
        "uninformative_input",
        f"a linear model on the inputs explains {max(r2, 0.0):.1%} of the targets' variance, "
        f"though the targets are autocorrelated (Ljung-Box p = {p if p is not None else float('nan'):.2g}).",
        "the inputs carry no linear information about the target: a raw time index does not, "
        "for example. Feed the target's recent values (a sliding window of its history), or "
        "encode time as Fourier terms sin(2 pi k t / m), cos(2 pi k t / m) for a season of m "
        "steps (harmonic regression, FPP3 7.4).",
    )


def unscaled_data(run: Run):
    """Inputs or targets reach beyond 5 in magnitude (99th percentile)."""
    arrays = [(n, a) for n, a in (("inputs", run.inputs), ("targets", run.target)) if a is not None]
    if not arrays:
        return SKIP
    for name, arr in arrays:
        finite = arr[np.isfinite(arr)]
        if finite.size and (mag := float(np.percentile(np.abs(finite), 99))) > UNSCALED_MAGNITUDE:
            return Finding(
                "unscaled_data",
                f"{name} reach {mag:.3g} in magnitude (99th percentile); the LSTM's tanh units "
                "(candidate and cell output) saturate beyond a few units.",
                "scale to about [-1, 1] with ll.Scaler fit on the training data only, and "
                "map predictions back with inverse_transform.",
            )
    return None


def exploding_gradients(run: Run):
    """The largest gradient norm is over 1000, or 100 times the median norm."""
    grads = run.grad_norms
    if grads is None or not grads.size or not np.all(np.isfinite(grads)):
        return SKIP
    peak, median = float(grads.max()), float(np.median(grads))
    if not (peak > EXPLODING_CAP or (median > 0 and peak > EXPLODING_FACTOR * median)):
        return None
    times = peak / median if median > 0 else np.inf
    return Finding(
        "exploding_gradients",
        f"the largest gradient norm is {peak:.3g}, {times:.3g}× the median.",
        "lower the learning rate and clip the gradient norm (clip=1.0 / clipnorm=1.0).",
    )


def beyond_training_range(run: Run):
    """Predictions stop short of targets that lie beyond the training targets' range."""
    if run.pred is None or run.target is None or run.train_target is None:
        return SKIP
    if run.pred.shape != run.target.shape or not np.all(np.isfinite(run.pred)):
        return SKIP
    known = run.train_target[np.isfinite(run.train_target)]
    if known.size < 2 or known.max() == known.min():
        return SKIP
    lo, hi = float(known.min()), float(known.max())
    margin = OUTSIDE_MARGIN * (hi - lo)
    pred, target = run.pred.ravel(), run.target.ravel()
    above, below = target > hi + margin, target < lo - margin
    outside = above | below
    if outside.mean() < OUTSIDE_SHARE:
        return None
    edge = np.where(above, hi, lo)[outside]
    covered = float(np.median((pred[outside] - edge) / (target[outside] - edge)))
    if covered >= COVERED_SHARE:
        return None
    return Finding(
        "beyond_training_range",
        f"{outside.mean():.0%} of the targets lie beyond the training targets' range "
        f"[{lo:.4g}, {hi:.4g}]; the predictions cover a median {covered:.0%} of the way there.",
        "model what stays in range: the changes (first differences) instead of the levels, "
        "adding them back to the last value; or add a trend the model can extrapolate.",
    )


#: Every check, in report order. A new failure code: one function above, listed here.
CHECKS: tuple[Check, ...] = (
    non_finite,
    shape_mismatch,
    flat_loss,
    diverged_loss,
    constant_output,
    mean_predictor,
    squeezed_output,
    uninformative_input,
    unscaled_data,
    exploding_gradients,
    beyond_training_range,
)
#: The finding codes, one per check (a check's code is its function name).
CODES = tuple(check.__name__ for check in CHECKS)


@dataclass
class Report:
    """What ``diagnose`` found; prints as a table, ``.codes`` lists the finding codes."""

    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        """The finding codes, in the order they were found."""
        return [f.code for f in self.findings]

    @property
    def healthy(self) -> bool:
        """True when no failure was found."""
        return not self.findings

    def __contains__(self, code: str) -> bool:
        return code in self.codes

    def __repr__(self) -> str:
        if self.healthy:
            return f"diagnose: no failure found (checked: {', '.join(self.checked)})"
        lines = [f"diagnose: {len(self.findings)} finding(s)"]
        for f in self.findings:
            lines += [f"  [{f.code}] {f.evidence}", f"      try: {f.fix}"]
        return "\n".join(lines)


def _array(value: object, name: str, expected: str, *, allow_nan: bool = True) -> np.ndarray | None:
    """``value`` as a float array (None stays None); NaN is allowed where diagnose reports it.

    Finite values beyond float32's range (about 3.4e38) are refused: no float32 model produces
    them, and statistics of them overflow, so they would pass as healthy.
    """
    if value is None:
        return None
    ndim = 1 if name in ("losses", "grad_norms") else (1, 2, 3)
    return check_array(value, name, ndim=ndim, allow_nan=allow_nan, float32=True, expected=expected)


def diagnose(
    losses: Sequence[float] | None = None,
    pred: np.ndarray | None = None,
    target: np.ndarray | None = None,
    *,
    inputs: np.ndarray | None = None,
    output_shape: Sequence[int] | None = None,
    grad_norms: Sequence[float] | None = None,
    train_target: np.ndarray | None = None,
) -> Report:
    """Check a finished training run for the usual ways a forecaster gets stuck.

    Parameters are all optional; each check in ``CHECKS`` runs when what it needs is given:
    ``losses`` (training loss per epoch, an error such as the MSE: never negative), ``pred`` and
    ``target`` (predictions and targets for the same steps), ``inputs`` (the windows,
    ``(n, window[, features])``), ``output_shape`` (the model's raw output shape, before any
    reshaping) and ``grad_norms`` (one norm per step or epoch, e.g. ``hist.grad_norms``) and
    ``train_target`` (the training targets, whose range the model saw).
    """
    run = _run(losses, pred, target, inputs, output_shape, grad_norms, train_target)
    report = Report()
    for check in CHECKS:
        result = check(run)
        if result is SKIP:
            continue
        report.checked.append(check.__name__)
        if result is not None:
            report.findings.append(result)
    return report


def _run(losses, pred, target, inputs, output_shape, grad_norms, train_target=None) -> Run:
    """Validate ``diagnose``'s arguments into a ``Run``."""
    given = (losses, pred, target, inputs, output_shape, grad_norms)
    if all(v is None for v in given):
        raise ValueError(
            "diagnose needs something to check: pass losses (one per epoch, e.g. hist.train), "
            "pred and target, and optionally inputs=, output_shape= or grad_norms=."
        )
    run = Run(
        loss=_array(losses, "losses", "one training loss per epoch, such as hist.train"),
        pred=_array(pred, "pred", "one row per target, such as (n, horizon)"),
        target=_array(target, "target", "such as (n, horizon)", allow_nan=False),
        inputs=_array(inputs, "inputs", "the windows, (n, window[, features])"),
        output_shape=None if output_shape is None else check_shape(output_shape, "output_shape"),
        grad_norms=_array(grad_norms, "grad_norms", "one norm per step or epoch, such as hist.grad_norms"),
        train_target=_array(train_target, "train_target", "the training targets, such as y_train"),
    )
    if run.pred is not None and run.target is None:
        raise ValueError("pred needs a target to compare with; pass target=... as well.")
    if run.train_target is not None and run.target is None:
        raise ValueError("train_target needs a target to compare with; pass target=... as well.")
    if run.output_shape is not None and run.target is None:
        raise ValueError("output_shape needs a target to compare with; pass target=... as well.")
    if run.inputs is not None and run.target is not None:
        check_same_length(run.inputs, run.target, "inputs", "target")
    loss = run.loss
    if loss is not None and np.any(loss < 0):
        raise ValueError(
            f"losses holds negative values (first: {float(loss[loss < 0][0]):.3g} at epoch "
            f"{int(np.flatnonzero(loss < 0)[0]) + 1}); a mean squared or absolute error is >= 0. "
            "Pass the training loss per epoch, e.g. hist.train."
        )
    grads = run.grad_norms
    if grads is not None and np.any(grads < 0):
        raise ValueError(
            f"grad_norms holds negative values (first: {float(grads[grads < 0][0]):.3g}); "
            "a norm is >= 0. Pass the gradient norms, e.g. hist.grad_norms."
        )
    return run


def codes_table() -> str:
    """The Markdown table of every code and what triggers it (the README shows this table)."""
    rows = ["| code | reported when |", "|---|---|"]
    rows += [f"| `{check.__name__}` | {check.__doc__.splitlines()[0]} |" for check in CHECKS]
    return "\n".join(rows)


def ljung_box_p(x: np.ndarray) -> float | None:
    """Ljung-Box p-value of ``x`` (time order) to ``LJUNG_BOX_LAGS`` lags; None if too short or constant."""
    x = np.asarray(x, dtype=float).ravel()
    lags = min(LJUNG_BOX_LAGS, len(x) // 5)
    if lags < 1 or not np.all(np.isfinite(x)) or x.std() == 0:
        return None
    from statsmodels.stats.diagnostic import acorr_ljungbox  # lazily: import lessons_lib stays NumPy-only

    return float(acorr_ljungbox(x, lags=[lags])["lb_pvalue"].iloc[0])


def flat_forecast_fails(run: Run) -> str | None:
    """Why a flat or squeezed forecast is a failure, or None when it is as good as it gets.

    A constant is the best forecast of white noise (FPP3): it is a failure only when it loses to
    the mean or the naive forecast (the previous target; rows in time order) by more than
    ``BASELINE_Z`` paired SEs, or when its one-step residuals are autocorrelated (Ljung-Box).
    """
    from .stats import compare_forecasts

    pred, target = run.pred.reshape(len(run.pred), -1), run.target.reshape(len(run.target), -1)
    if pred.shape != target.shape:
        return "its shape differs from the targets'"
    if len(target) < 10:
        return "there are too few targets to test it against a baseline"
    known = run.train_target if run.train_target is not None else run.target
    mean = np.full_like(target, float(np.mean(known)))
    baselines = (("mean", mean, slice(None)), ("naive (previous target)", target[:-1], slice(1, None)))
    for name, base, rows in baselines:
        diff = compare_forecasts(pred[rows], base, target[rows])
        if diff.mean > 0 and diff.apart(BASELINE_Z):
            return f"it loses to the {name} forecast (MSE higher by {diff})"
    p = ljung_box_p(target[:, 0] - pred[:, 0])
    if p is not None and p < LJUNG_BOX_P:
        return f"its residuals are autocorrelated (Ljung-Box p = {p:.2g}): there is something left to learn"
    return None


def _adjusted_r2(A: np.ndarray, y: np.ndarray) -> float | None:
    """Adjusted R² of least squares of y on A (with intercept); None when there are too few rows."""
    n, p = A.shape
    if n < p + 3 or y.var() == 0:
        return None
    design = np.hstack([A, np.ones((n, 1))])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    r2 = 1.0 - float((resid**2).sum() / ((y - y.mean(axis=0)) ** 2).sum())
    return 1.0 - (1.0 - r2) * (n - 1) / (n - p - 1)
