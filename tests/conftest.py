"""Shared fixtures: the course kernel (installed into this environment when missing)."""

from pathlib import Path

import pytest

from lessons_lib import grading


@pytest.fixture(scope="session")
def course_kernel() -> Path:
    """The kernelspec `make kernel` installs; tests execute student copies under it."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        return Path(KernelSpecManager().get_kernel_spec(grading.KERNEL_NAME).resource_dir)
    except NoSuchKernel:
        return grading.install_kernel()
