"""Shared fixtures: the course kernel (installed into this environment when missing) and one
fresh build of the student copies for the whole run."""

import os
from pathlib import Path

import pytest

from tools import kernel
from tools.grading import copies, serve


@pytest.fixture(scope="session")
def course_kernel() -> Path:
    """The kernelspec `make kernel` installs; tests execute student copies under it."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        return Path(KernelSpecManager().get_kernel_spec(kernel.KERNEL_NAME).resource_dir)
    except NoSuchKernel:
        return kernel.install_kernel()


@pytest.fixture(scope="session")
def built(tmp_path_factory, course_kernel) -> Path:
    """Student copies and autograders built afresh (as `make student` builds them) from
    notebooks/ (or LESSONS_NOTEBOOKS=dir), into a temporary build folder."""
    notebooks = Path(os.environ.get("LESSONS_NOTEBOOKS", Path(__file__).parent.parent / "notebooks"))
    out = tmp_path_factory.mktemp("build")
    copies.build(notebooks, out)
    # the kernels these tests start check through a local checker of this build and these masters
    saved = {k: os.environ.get(k) for k in ("COURSE_BUILD_DIR", "COURSE_NOTEBOOKS_DIR")}
    os.environ["COURSE_BUILD_DIR"], os.environ["COURSE_NOTEBOOKS_DIR"] = str(out), str(notebooks.resolve())
    yield out
    serve.stop(out)
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def pytest_terminal_summary(terminalreporter):
    """The browser test's skip, as one loud line at the end of the run (not only with -rs)."""
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if "SKIPPED browser test" in reason:
            line = reason[reason.index("SKIPPED browser test") :]
            terminalreporter.write_line(line, red=True, bold=True)
            return



@pytest.fixture
def synthetic_class(tmp_path) -> Path:
    """The CSV of a synthetic graded class (tests/report_helpers.py), its JSON beside it."""
    from report_helpers import write_synthetic_class

    return write_synthetic_class(tmp_path / "grades")
