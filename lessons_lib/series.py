"""The course's synthetic series: the noisy two-wave signal and plain sines."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import check_array, check_int, check_number, check_same_length, check_seed

#: The largest amplitude or noise level: float32 values stay finite well below it.
MAX_SCALE = 1e30


class _Fields(NamedTuple):
    t: np.ndarray
    values: np.ndarray
    noise: np.ndarray


class Series(_Fields):
    """A synthetic series: time index ``t``, observed ``values`` and the ``noise`` added to them.

    A named tuple (``t, values, noise = ll.two_waves()`` works); the three are 1-D arrays of
    real numbers of one length, checked when it is made.
    """

    __slots__ = ()

    def __new__(cls, t: np.ndarray, values: np.ndarray, noise: np.ndarray) -> Series:
        given = {"t": t, "values": values, "noise": noise}
        arrays = {name: check_array(v, name, ndim=1, float32=True) for name, v in given.items()}
        check_same_length(arrays["values"], arrays["t"], "values", "t")
        check_same_length(arrays["values"], arrays["noise"], "values", "noise")
        return super().__new__(cls, *(np.asarray(v) for v in given.values()))

    @property
    def clean(self) -> np.ndarray:
        """The signal without its noise."""
        return self.values - self.noise


def two_waves(n: int = 220, noise: float = 0.04, seed: int = 42) -> Series:
    """``sin(0.12 t) + 0.25 sin(0.03 t) + noise``, drawn as ``np.random.seed(seed); randn(n) * noise``.

    ``RandomState(seed).randn`` gives the same numbers as the seeded global generator, so the
    lab reproduces published results without touching NumPy's global state.
    """
    n = check_int(n, "n", minimum=2)
    check_number(noise, "noise", minimum=0.0, maximum=MAX_SCALE)
    seed = check_seed(seed)
    t = np.arange(n)
    eps = np.random.RandomState(seed).randn(n) * noise
    values = (np.sin(t * 0.12) + 0.25 * np.sin(t * 0.03) + eps).astype(np.float32)
    return Series(t=t, values=values, noise=eps.astype(np.float32))


def sine(
    n: int = 4000,
    amplitude: float = 1.0,
    step: float = 0.5,
    start: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
) -> Series:
    """``amplitude * sin(x)`` sampled at ``x = start + step * k``; ``t`` holds x itself."""
    n = check_int(n, "n", minimum=2)
    check_number(amplitude, "amplitude", minimum=-MAX_SCALE, maximum=MAX_SCALE)
    check_number(step, "step", minimum=0.0, strict=True)
    check_number(start, "start")
    check_number(noise, "noise", minimum=0.0, maximum=MAX_SCALE)
    seed = check_seed(seed)
    last = start + step * (n - 1)
    if max(abs(start), abs(last)) > 1e15:
        raise ValueError(
            f"x runs from start={start:.3g} to {last:.3g}: beyond about 1e15 sin(x) is rounding noise. "
            "Use a smaller start or step."
        )
    x = start + step * np.arange(n)
    eps = np.random.RandomState(seed).randn(n) * noise if noise else np.zeros(n)
    values = (amplitude * np.sin(x) + eps).astype(np.float32)
    return Series(t=x.astype(np.float32), values=values, noise=eps.astype(np.float32))

