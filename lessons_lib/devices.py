"""One device rule for every backend: which device ``fit`` trains on, and the message when it can't.

Framework-free: each backend lists the devices it sees (``present``, in the
canonical names below) and maps the chosen name to its own object. Canonical names are
``"cpu"`` and ``"gpu:0"``, ``"gpu:1"``, ...; ``choose_device`` also reads ``"gpu"``, ``"cuda"``,
``"cuda:1"``, ``"/GPU:0"``, ``"/device:CPU:0"`` and any capitalisation, so both backends
accept the same names.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._checks import _describe

#: How to ask for a device, for messages.
NAMES_HINT = "None (the GPU when there is one, else the CPU), 'cpu', 'gpu' (also 'cuda'), 'gpu:1'"


def canonical_device(text: str) -> str | None:
    """``"cpu"`` or ``"gpu:<index>"`` for a name in PyTorch's or TensorFlow's spelling; None if unknown."""
    name = text.strip().lower().removeprefix("/device:").removeprefix("/")
    kind, _, index = name.partition(":")
    kind = {"cuda": "gpu"}.get(kind, kind)
    index = index or "0"
    if kind not in ("cpu", "gpu") or not index.isdigit():
        return None
    return "cpu" if (kind, int(index)) == ("cpu", 0) else f"{kind}:{int(index)}"


def choose_device(device: object, present: Sequence[str]) -> str:
    """The device to train on: ``None`` picks the first GPU when present, else the CPU.

    A named device must be one this machine has: an unknown or absent name raises a
    ``ValueError`` listing the devices present (never a silent fallback to the CPU).
    """
    present = list(present)
    if device is None:
        return next((d for d in present if d.startswith("gpu")), "cpu")
    if not isinstance(device, str):
        raise TypeError(
            f"device must be a device name such as 'cpu' or 'gpu', or None; got {_describe(device)}. "
            f"Devices present: {present}."
        )
    name = canonical_device(device)
    if name is None:
        raise ValueError(
            f"device={device!r:.40} is not a device name; use {NAMES_HINT}. "
            f"Devices present on this machine: {present}."
        )
    if name not in present:
        raise ValueError(
            f"device={device!r:.40} is not present on this machine; the devices present are "
            f"{present}. Use device=None (the GPU when there is one, else the CPU) or one of those."
        )
    return name
