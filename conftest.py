"""Every executed notebook cell under nbval must be clean: no stderr output (TensorFlow/absl log
lines, warnings) and no value echoed by a bare ``ll.record(...)``/``ll.set_seed(...)`` call.

ipykernel stops forwarding file-descriptor output when PYTEST_CURRENT_TEST is in the kernel's
environment; nbval starts its kernel during a test, so that variable is removed from the kernel's
environment here and the kernel shows what it would show a learner.
"""

import os

import pytest

try:
    import nbval.kernel as _nbval_kernel
except ImportError:  # nbval not installed: nothing to patch
    _nbval_kernel = None

if _nbval_kernel is not None:
    _start = _nbval_kernel.RunningKernel.__init__

    def _start_without_pytest_env(self, *args, **kwargs):
        saved = os.environ.pop("PYTEST_CURRENT_TEST", None)
        try:
            _start(self, *args, **kwargs)
        finally:
            if saved is not None:
                os.environ["PYTEST_CURRENT_TEST"] = saved

    _nbval_kernel.RunningKernel.__init__ = _start_without_pytest_env


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    if type(item).__name__ == "IPyNbCell" and getattr(item, "test_outputs", None) is not None:
        from tests.notebook_helpers import stray_output

        problems = stray_output(item.cell.source, item.test_outputs)
        if problems:
            pytest.fail(f"{item.name}: " + "; ".join(problems), pytrace=False)
    return result
