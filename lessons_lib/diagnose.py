"""Name what went wrong after training: each finding with the number that shows it and a fix to try.

``diagnose`` looks only at what a learner already has (the loss per epoch, predictions,
targets, and optionally the inputs, the raw output shape and gradient norms), so it works the
same for Keras, PyTorch or plain NumPy. Thresholds are deliberately loose: a healthy run, or a
slow one that is really learning, must not raise an alarm.
"""

from __future__ import annotations

from collections.abc import Sequence
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

CODES = (
    "non_finite",
    "shape_mismatch",
    "flat_loss",
    "diverged_loss",
    "constant_output",
    "squeezed_output",
    "mean_predictor",
    "uninformative_input",
    "unscaled_data",
    "exploding_gradients",
)


@dataclass(frozen=True)
class Finding:
    """One failure: its code, the number that shows it, and what to try."""

    code: str
    evidence: str
    fix: str


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
    """``value`` as a float array (None stays None); NaN is allowed where diagnose reports it."""
    if value is None:
        return None
    ndim = 1 if name in ("losses", "grad_norms") else (1, 2, 3)
    return check_array(value, name, ndim=ndim, allow_nan=allow_nan, expected=expected)


def diagnose(
    losses: Sequence[float] | None = None,
    predictions: np.ndarray | None = None,
    targets: np.ndarray | None = None,
    *,
    inputs: np.ndarray | None = None,
    output_shape: Sequence[int] | None = None,
    grad_norms: Sequence[float] | None = None,
) -> Report:
    """Check a finished training run for the usual ways a forecaster gets stuck.

    Parameters are all optional; each check runs when what it needs is given:
    ``losses`` (training loss per epoch), ``predictions`` and ``targets`` (same steps),
    ``inputs`` (the windows, ``(n, window[, features])``), ``output_shape`` (the model's raw
    output shape, before any reshaping) and ``grad_norms`` (one norm per step or epoch).
    """
    given = (losses, predictions, targets, inputs, output_shape, grad_norms)
    if all(v is None for v in given):
        raise ValueError(
            "diagnose needs something to check: pass losses (one per epoch, e.g. hist.train), "
            "predictions and targets, and optionally inputs=, output_shape= or grad_norms=."
        )
    loss = _array(losses, "losses", "one training loss per epoch, such as hist.train")
    pred = _array(predictions, "predictions", "one row per target, such as (n, horizon)")
    target = _array(targets, "targets", "such as (n, horizon)", allow_nan=False)
    x = _array(inputs, "inputs", "the windows, (n, window[, features])")
    grads = _array(grad_norms, "grad_norms", "one norm per step or epoch, such as hist.grad_norms")
    shape = None if output_shape is None else check_shape(output_shape, "output_shape")
    if pred is not None and target is None:
        raise ValueError("predictions need targets to compare with; pass targets=... as well.")
    if shape is not None and target is None:
        raise ValueError("output_shape needs targets to compare with; pass targets=... as well.")
    if x is not None and target is not None:
        check_same_length(x, target, "inputs", "targets")
    if grads is not None and np.any(grads < 0):
        raise ValueError(
            f"grad_norms holds negative values (first: {float(grads[grads < 0][0]):.3g}); a norm is >= 0. "
            "Pass the gradient norms, e.g. hist.grad_norms."
        )
    report = Report()
    add = report.findings.append

    # 1. Non-finite numbers poison everything else, so report them first.
    report.checked.append("non_finite")
    for name, arr in (("losses", loss), ("predictions", pred), ("grad_norms", grads), ("inputs", x)):
        if arr is not None and not np.all(np.isfinite(arr)):
            first = int(np.flatnonzero(~np.isfinite(arr.ravel()))[0])
            add(
                Finding(
                    "non_finite",
                    f"{name} contain NaN or infinity (first at index {first}).",
                    "lower the learning rate, clip gradients, and check the data for NaN before training."
                    if name != "inputs"
                    else "remove or fill missing values before windowing.",
                )
            )
            break

    # 2. Output shape against target shape: the silent broadcasting bug.
    if target is not None and (output_shape is not None or pred is not None):
        report.checked.append("shape_mismatch")
        got = shape if shape is not None else pred.shape
        if tuple(got) != target.shape:
            add(
                Finding(
                    "shape_mismatch",
                    f"the model outputs shape {tuple(got)} but the targets have shape {target.shape}; "
                    "the loss broadcasts one against the other.",
                    "make the model output one value per target (batch, horizon), e.g. read the "
                    "recurrent layer's last step and use a Dense/Linear head of size horizon.",
                )
            )

    # 3. The loss curve.
    if loss is not None and loss.size >= 3 and np.all(np.isfinite(loss)):
        report.checked.append("flat_loss")
        ratio = float(loss.min() / loss[0]) if loss[0] > 0 else 1.0
        if ratio >= FLAT_LOSS_RATIO:
            at_var = ""
            if target is not None and target.size > 1 and target.var() > 0:
                at_var = f"; final loss / target variance = {loss[-1] / target.var():.2f}"
            add(
                Finding(
                    "flat_loss",
                    f"the loss never fell below {ratio:.0%} of its first value "
                    f"over {loss.size} epochs{at_var}.",
                    "check that the inputs carry the target's history and are scaled; then try a "
                    "higher learning rate or more epochs.",
                )
            )
        report.checked.append("diverged_loss")
        best = float(loss.min())
        if best > 0 and loss[-1] > DIVERGED_FACTOR * best:
            add(
                Finding(
                    "diverged_loss",
                    f"the final loss is {loss[-1] / best:.3g}× the best one, "
                    f"reached at epoch {int(loss.argmin()) + 1}.",
                    "lower the learning rate (by 10×) and clip the gradient norm.",
                )
            )

    # 4. Predictions against targets.
    if pred is not None and target is not None and np.all(np.isfinite(pred)) and target.size > 1:
        report.checked += ["constant_output", "mean_predictor", "squeezed_output"]
        t_std = float(target.std())
        flat = float(pred.std() / t_std) if t_std > 0 else float("nan")
        if t_std > 0 and flat < CONSTANT_FLATNESS:
            offset = float(abs(pred.mean() - target.mean()) / t_std)
            add(
                Finding(
                    "constant_output",
                    f"predictions barely move: their spread is {flat:.1%} of the targets' "
                    f"(flatness {flat:.3f}).",
                    "look at the other findings for the cause: an input without information, "
                    "unscaled data, a shape bug or too little training.",
                )
            )
            if offset < MEAN_TOLERANCE:
                add(
                    Finding(
                        "mean_predictor",
                        f"the constant is the targets' mean (off by {offset:.2f} standard deviations): "
                        "the best a model can do when its input tells it nothing.",
                        "give the model the target's own history as input, and check output "
                        "and target shapes.",
                    )
                )
        elif t_std > 0 and flat < SQUEEZED_FLATNESS:
            add(
                Finding(
                    "squeezed_output",
                    f"predictions move, but only {flat:.0%} as much as the targets (flatness {flat:.2f}).",
                    "train longer, or standardise inputs that vary over a tiny range; then compare again.",
                )
            )

    # 5. Do the inputs carry any (linear) information about the targets?
    if x is not None and target is not None and np.all(np.isfinite(x)):
        r2 = _adjusted_r2(x.reshape(len(x), -1), target.reshape(len(target), -1))
        if r2 is not None:
            report.checked.append("uninformative_input")
            if r2 < UNINFORMATIVE_R2:
                add(
                    Finding(
                        "uninformative_input",
                        f"a linear model on the inputs explains {max(r2, 0.0):.1%} of the targets' variance.",
                        "feed the target's recent values (a sliding window of its history), not a "
                        "time index or an unrelated column.",
                    )
                )

    # 6. Scale of inputs and targets.
    scaled_checks = [(n, a) for n, a in (("inputs", x), ("targets", target)) if a is not None]
    if scaled_checks:
        report.checked.append("unscaled_data")
        for name, arr in scaled_checks:
            finite = arr[np.isfinite(arr)]
            if finite.size and (mag := float(np.percentile(np.abs(finite), 99))) > UNSCALED_MAGNITUDE:
                add(
                    Finding(
                        "unscaled_data",
                        f"{name} reach {mag:.3g} in magnitude (99th percentile); tanh and sigmoid "
                        "gates saturate beyond a few units.",
                        "scale to about [-1, 1] with ll.Scaler fit on the training data only, and "
                        "map predictions back with inverse_transform.",
                    )
                )
                break

    # 7. Gradient norms.
    if grads is not None and grads.size and np.all(np.isfinite(grads)):
        report.checked.append("exploding_gradients")
        peak, median = float(grads.max()), float(np.median(grads))
        times = peak / median if median > 0 else np.inf
        if peak > EXPLODING_CAP or (median > 0 and peak > EXPLODING_FACTOR * median):
            add(
                Finding(
                    "exploding_gradients",
                    f"the largest gradient norm is {peak:.3g}, {times:.3g}× the median.",
                    "lower the learning rate and clip the gradient norm (clip=1.0 / clipnorm=1.0).",
                )
            )
    return report


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
