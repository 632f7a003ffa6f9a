"""Keep TensorFlow's C++ and absl start-up lines out of notebook outputs.

``TF_CPP_MIN_LOG_LEVEL=3`` hides the C++ runtime's later INFO/WARNING lines, but the lines
written while TensorFlow loads (absl's "All log messages before absl::InitializeLog()", the
oneDNN notice, "Could not find cuda drivers" on a machine without a GPU) bypass it and go
straight to file descriptor 2, which Jupyter shows as a red stderr box. ``quiet_native_stderr``
sends fd 2 to a temporary file while TensorFlow is imported, then replays every line that is
not one of those known notices, so a real error still shows.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator

#: The environment that keeps TensorFlow's C++ log quiet: the one place the course sets it
#: (importing lessons_lib applies it; tools.robust passes it to every kernel it starts).
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3"}
for _key, _value in QUIET_ENV.items():
    os.environ.setdefault(_key, _value)

NOISE = re.compile(
    r"absl::InitializeLog|oneDNN custom operations|cuda drivers|cuInit|cudart_stub|cuda_|"
    r"cpu_feature_guard|rebuild TensorFlow with the appropriate compiler flags|"
    r"This TensorFlow binary is optimized|TF-TRT|Unable to register cu|computation placer|"
    r"use_unbounded_threadpool|^\s*$"
)


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Silence TensorFlow's known start-up lines on fd 2; replay anything else."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (an unusual host): nothing to silence
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            kept = [
                line
                for line in sink.read().decode("utf-8", "replace").splitlines()
                if not NOISE.search(line)
            ]
            if kept:
                print("\n".join(kept), file=sys.stderr)
