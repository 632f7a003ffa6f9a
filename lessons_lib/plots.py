"""Plots the lessons share: a series, forecasts against the truth, loss curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from ._checks import _describe, check_array, check_bool, check_same_length, check_str


def _named_arrays(value: object, name: str, **options: object) -> dict[str, np.ndarray]:
    """A dict {label: 1-D array} (such as {"LSTM": pred}): one curve per label."""
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{name} must be a dict of labelled curves such as {{'LSTM': pred}}; got {_describe(value)}."
        )
    return {str(k): np.ravel(check_array(v, f"{name}[{k!r}]", **options)) for k, v in value.items()}


def plot_series(t: np.ndarray, values: np.ndarray, *, title: str = "", ax=None, **kwargs):
    """One series against time (``t`` and ``values`` of one length)."""
    t_arr = check_array(t, "t", ndim=1)
    check_same_length(check_array(values, "values", ndim=1, allow_nan=True), t_arr, "values", "t")
    check_str(title, "title")
    ax = ax or plt.subplots(figsize=(9, 3))[1]
    ax.plot(t, values, **kwargs)
    ax.set(xlabel="t", ylabel="value", title=title)
    ax.grid(True, alpha=0.3)
    return ax


def plot_forecasts(truth: np.ndarray, preds: Mapping[str, np.ndarray], *, title: str = "", ax=None):
    """Truth against one or more forecasts of the same steps (each as many values as ``truth``)."""
    steps = np.ravel(check_array(truth, "truth"))
    for name, pred in _named_arrays(preds, "preds", allow_nan=True).items():
        if pred.size != steps.size:
            raise ValueError(
                f"preds[{name!r}] has {pred.size} values but truth has {steps.size}; a forecast "
                "must cover the same steps as the truth it is drawn against."
            )
    check_str(title, "title")
    ax = ax or plt.subplots(figsize=(9, 3))[1]
    ax.plot(np.ravel(truth), color="black", lw=2, label="truth")
    for name, pred in preds.items():
        ax.plot(np.ravel(pred), lw=1.5, label=name)
    ax.set(xlabel="step", ylabel="value", title=title)
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(True, alpha=0.3)
    return ax


def plot_losses(histories: Mapping[str, Sequence[float]], *, log: bool = True, title: str = "", ax=None):
    """Loss per epoch for one or more runs: a dict {label: losses}, such as {"adam": hist.train}."""
    _named_arrays(histories, "histories", ndim=1, allow_nan=True)
    check_bool(log, "log")
    check_str(title, "title")
    ax = ax or plt.subplots(figsize=(6, 3))[1]
    for name, losses in histories.items():
        ax.plot(np.arange(1, len(losses) + 1), losses, marker=".", label=name)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel="loss", title=title)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return ax
