"""Sphinx configuration of the course book (`make book`; sources assembled by tools/book.py).

Everything the pages need ships with the installed packages or with the book itself: no
intersphinx, no fonts or scripts from a CDN. MathJax 3 (npm, pinned in tools/npm/package-lock.json)
is served from the book's own _static/mathjax (tools/npm_assets.py), so the book builds and reads
offline, math typeset.
"""

import os
from pathlib import Path

from tools import npm_assets

project = "forecasting-failures"
author = "the forecasting-failures authors"
copyright = "the forecasting-failures authors, MIT licence"
# tools.book_alt: each lesson figure's description (lessons_lib.alt_text) as its alt text
extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.mathjax", "tools.book_alt"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "snippets/*", "_generated/*"]
suppress_warnings = ["myst.header"]

# myst: $...$ and $$...$$ are math, typeset in the reader's browser by the book's own MathJax 3
# (copied into _static/mathjax by tools/book.py; Sphinx's default is MathJax 4 from a CDN)
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath"]
myst_heading_anchors = 3
mathjax_path = npm_assets.mathjax_path()
# MathJax 3's own defaults, stated: a hidden MathML copy of each formula for screen readers
mathjax3_config = {"options": {"menuOptions": {"settings": {"assistiveMml": True}}}}

# Lessons execute once; outputs are cached in jupyter-cache (build/book-cache/jupyter), so a
# rebuild after a text edit executes nothing. A lesson that fails to run fails the build.
nb_execution_mode = "cache"
nb_execution_cache_path = os.environ.get("BOOK_CACHE", str(Path(__file__).parent / "_cache"))
nb_execution_timeout = int(os.environ.get("BOOK_TIMEOUT", 900))  # tools/book.py sets it
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
nb_ipywidgets_js = {}  # no widgets: no require.js or widget manager from a CDN

html_theme = "sphinx_book_theme"
html_title = "forecasting-failures"
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,  # it would link to _sources/, not copied
    "use_fullscreen_button": False,
}
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
html_static_path = ["_static"]  # the book's MathJax (copied in by tools/book.py) and book.css
html_css_files = ["book.css"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"undoc-members": False}
