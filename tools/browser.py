"""The headless browser the course's checks drive: Debian's Chromium through Playwright.

Playwright's own browser download is not reachable from these machines, so both the browser test
(``tests/test_browser.py``) and the hub test's logins (``tools/hub_load.py``) launch the system's
Chromium (``LESSONS_CHROMIUM``, default ``/usr/bin/chromium``) with the same arguments.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

#: The Chromium binary (Debian's ``apt-get install -y chromium``).
CHROMIUM = Path(os.environ.get("LESSONS_CHROMIUM", "/usr/bin/chromium"))
#: No sandbox (root in CI), no GPU, and nothing that reaches the internet on its own.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(pw: Any) -> Any:
    """A headless Chromium from a started ``sync_playwright()``."""
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
