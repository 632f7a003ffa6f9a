"""The install has every framework's bytecode, as a learner's ``pip install`` writes it.

Without the ``.pyc`` files each new kernel compiles TensorFlow's and PyTorch's Python from source
(measured here: 22 s to import both, against 7 to 10 s with them), and where
``PYTHONDONTWRITEBYTECODE`` is set it does so in every kernel. pip writes them at install; uv only
with ``--compile-bytecode`` (``tools/learner_env.py``). ``make test`` checks the developer's
install; ``make test-pypi`` checks the learner's, built from PyPI.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

PACKAGES = ["numpy", "matplotlib", "torch", "tensorflow", "keras", "statsmodels", "lessons_lib"]


@pytest.mark.parametrize("name", PACKAGES)
def test_each_framework_has_its_bytecode(name):
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin, f"{name} is not installed"
    if "site-packages" not in spec.origin:
        pytest.skip(f"{name} is imported from the checkout (an editable install, or the tests' "
                    "root on sys.path), not from the install")
    cached = Path(importlib.util.cache_from_source(spec.origin))
    assert cached.exists(), (
        f"{name} has no bytecode ({cached.name} missing next to {spec.origin}): every kernel would "
        "compile it from source. Install with pip, or with uv pip install --compile-bytecode."
    )
