"""What the book ships from npm, and what its browser test loads: MathJax 3 and axe-core.

Both are pinned, with their integrity hashes, in ``tools/npm/package-lock.json``; ``make book``
installs them with ``npm ci`` into ``build/npm/`` (npm's registry, never a CDN). The book serves
MathJax from its own ``_static/mathjax/`` (``copy_mathjax``), with MathJax's licence and
``package.json`` beside it, so a reader's browser asks no other host for anything. axe-core is
only read by the tests (``tests/test_browser.py``), never put in the book.
"""

from __future__ import annotations

import filecmp
import json
import shutil
from pathlib import Path

from tools import BUILD, ROOT

LOCK = ROOT / "tools" / "npm" / "package-lock.json"
MODULES = BUILD / "npm" / "node_modules"
INSTALL = "make book (it runs `npm ci --prefix build/npm` with tools/npm/package-lock.json)"
# MathJax's TeX-to-HTML component and what it loads on demand: fonts, TeX extensions, the menu's
# accessibility tools (speech, the explorer). Its other combined components are left out.
MATHJAX_ENTRY = "tex-chtml.js"
MATHJAX_PARTS = (MATHJAX_ENTRY, "a11y", "adaptors", "input", "output", "sre", "ui")


def pinned(name: str) -> str:
    """The version of ``name`` that the lock file pins."""
    packages = json.loads(LOCK.read_text())["packages"]
    try:
        return packages[f"node_modules/{name}"]["version"]
    except KeyError:
        raise ValueError(f"{name!r} is not pinned in {LOCK}; add it to tools/npm/package.json") from None


def package_dir(name: str) -> Path:
    """The installed package ``name`` in build/npm, checked to be the pinned version."""
    folder = MODULES / name
    manifest = folder / "package.json"
    if not manifest.exists():
        raise SystemExit(f"{name} is not installed in {MODULES}: run {INSTALL}.")
    found, wanted = json.loads(manifest.read_text())["version"], pinned(name)
    if found != wanted:
        raise SystemExit(f"{MODULES / name} is version {found}, the lock pins {wanted}: run {INSTALL}.")
    return folder


def axe_script() -> Path:
    """axe-core's browser script (``axe.min.js``), for the accessibility scan."""
    return package_dir("axe-core") / "axe.min.js"


def _copy_tree(source: Path, target: Path) -> None:
    """Copy files that differ only, so Sphinx sees no change when nothing changed."""
    for path in [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file()):
        dest = target / path.relative_to(source.parent)
        if not dest.exists() or not filecmp.cmp(path, dest, shallow=False):
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)


def mathjax_path() -> str:
    """The script a page loads MathJax from, relative to the book's _static (Sphinx's mathjax_path)."""
    return f"mathjax/{MATHJAX_ENTRY}"


def copy_mathjax(static: Path) -> Path:
    """MathJax into ``static``/mathjax, its licence and package.json (name, version) beside it."""
    source = package_dir("mathjax")
    target = static / "mathjax"
    for part in MATHJAX_PARTS:
        _copy_tree(source / "es5" / part, target)
    for name in ("LICENSE", "package.json"):
        _copy_tree(source / name, target)
    return target
