"""Sphinx extension of the book: every figure a lesson draws gets its description as alt text.

A figure's output in the executed notebook carries, beside its PNG, a description that
``lessons_lib.alt_text`` composed from the figure's titles, labels, legend and data: as the
PNG's ``alt`` metadata (where ``IPython.display.Image(alt=...)`` puts it) and as its ``text/plain``. myst-nb
writes the PNG under its SHA-256 and takes alt text only from cell metadata, which is written
before the lesson runs; so once a lesson page is read (and run), this extension gives each
image node whose file is an output's PNG that output's text. An image left without one keeps
no alt text, and tests/test_book.py fails on it.
"""

from __future__ import annotations

import binascii
import hashlib
from pathlib import Path
from typing import Any

import nbformat
from docutils import nodes

# matplotlib's own text for a figure ("<Figure size 900x300 with 1 Axes>") describes nothing
_UNDESCRIBED = "<Figure size"
_IMAGES = ("image/png", "image/jpeg")


def _said(out: dict, mime: str) -> str:
    """The image's ``alt`` from its output metadata, else the output's text, else ""."""
    text = out.get("metadata", {}).get(mime, {}).get("alt") or out.get("data", {}).get("text/plain", "")
    text = " ".join(("".join(text) if isinstance(text, list) else str(text)).split())
    return "" if text.startswith(_UNDESCRIBED) else text


def descriptions(nb: nbformat.NotebookNode) -> dict[str, str]:
    """SHA-256 of each image output (as myst-nb names its file) -> what the output says it shows."""
    found = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            for mime in (m for m in _IMAGES if m in out.get("data", {})):
                text = _said(out, mime)
                if text:
                    digest = hashlib.sha256(binascii.a2b_base64("".join(out["data"][mime]))).hexdigest()
                    found[digest] = text
    return found


def executed(app: Any, docname: str) -> nbformat.NotebookNode | None:
    """The page's notebook with its outputs: from jupyter-cache (the book's "cache" mode), where
    myst-nb takes them, or else myst-nb's written copy; None for a page that is no notebook."""
    source = Path(app.env.doc2path(docname))
    config = getattr(app.env, "mystnb_config", None)
    if source.suffix != ".ipynb" or config is None:
        return None
    if config.execution_mode == "cache":
        from jupyter_cache import get_cache

        cache = get_cache(config.execution_cache_path)
        try:
            return cache.get_cache_bundle(cache.match_cache_file(str(source)).pk).nb
        except KeyError:  # not run (a page excluded from execution): no outputs to describe
            return None
    written = Path(config.output_folder) / f"{docname}.ipynb"
    return nbformat.read(written, as_version=4) if written.exists() else None


def add_alt_text(app: Any, doctree: nodes.document) -> None:
    """Set the alt text of each notebook image of the page just read (Sphinx ``doctree-read``)."""
    nb = executed(app, app.env.docname)
    if nb is None:
        return
    known = descriptions(nb)
    for image in doctree.findall(nodes.image):
        text = known.get(Path(image["uri"]).stem)
        if text and not image.get("alt"):
            image["alt"] = text


def setup(app: Any) -> dict[str, Any]:
    """Register the handler; safe to run in parallel (it reads one page's own files)."""
    app.connect("doctree-read", add_alt_text)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
