"""Plots the lessons share: a series, forecasts against the truth, loss curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def plot_series(t: np.ndarray, values: np.ndarray, *, title: str = "", ax=None, **kwargs):
    """One series against time."""
    ax = ax or plt.subplots(figsize=(9, 3))[1]
    ax.plot(t, values, **kwargs)
    ax.set(xlabel="t", ylabel="value", title=title)
    ax.grid(True, alpha=0.3)
    return ax


def plot_forecasts(truth: np.ndarray, preds: Mapping[str, np.ndarray], *, title: str = "", ax=None):
    """Truth against one or more forecasts of the same steps."""
    ax = ax or plt.subplots(figsize=(9, 3))[1]
    ax.plot(np.ravel(truth), color="black", lw=2, label="truth")
    for name, pred in preds.items():
        ax.plot(np.ravel(pred), lw=1.5, label=name)
    ax.set(xlabel="step", ylabel="value", title=title)
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(True, alpha=0.3)
    return ax


def plot_losses(histories: Mapping[str, Sequence[float]], *, log: bool = True, title: str = "", ax=None):
    """Loss per epoch for one or more runs."""
    ax = ax or plt.subplots(figsize=(6, 3))[1]
    for name, losses in histories.items():
        ax.plot(np.arange(1, len(losses) + 1), losses, marker=".", label=name)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel="loss", title=title)
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return ax
