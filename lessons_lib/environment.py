"""What the learner's machine has: versions and the device each framework will use."""

from __future__ import annotations

import importlib.metadata
import os
import platform


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def environment_report() -> dict[str, str]:
    """Versions of Python and the course's libraries, and the device each framework sees.

    Imports PyTorch and TensorFlow (when installed) to ask them for their devices.
    """
    report = {"python": platform.python_version(), "platform": platform.platform(terse=True)}
    for package in ("numpy", "matplotlib", "torch", "tensorflow", "keras", "otter-grader"):
        report[package] = _version(package)
    report["cpu_cores"] = str(os.cpu_count())
    report["torch_device"] = torch_device_name()
    report["tensorflow_device"] = tensorflow_device_name()
    return report


def torch_device_name() -> str:
    """'cuda' when PyTorch sees a GPU, else 'cpu' (or 'not installed')."""
    try:
        import torch
    except ImportError:
        return "not installed"
    return "cuda" if torch.cuda.is_available() else "cpu"


def tensorflow_device_name() -> str:
    """'gpu' when TensorFlow sees a GPU, else 'cpu' (or 'not installed')."""
    from ._tf_quiet import quiet_native_stderr

    try:
        with quiet_native_stderr():
            import tensorflow as tf
    except ImportError:
        return "not installed"
    return "gpu" if tf.config.list_physical_devices("GPU") else "cpu"
