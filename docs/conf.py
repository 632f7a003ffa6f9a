"""Sphinx configuration of the course book (`make book`; sources assembled by tools/book.py).

Everything the pages need ships with the installed packages: no intersphinx, no fonts, scripts
or MathJax from a CDN, so the book builds and reads offline.
"""

import os
from pathlib import Path

project = "forecasting-failures"
author = "the forecasting-failures authors"
copyright = "the forecasting-failures authors, MIT licence"
extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "snippets/*", "_generated/*"]
suppress_warnings = ["myst.header"]

# myst: no dollar math, so no page asks for MathJax (which comes from a CDN)
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# Lessons execute once; outputs are cached in jupyter-cache (build/book-cache/jupyter), so a
# rebuild after a text edit executes nothing. A lesson that fails to run fails the build.
nb_execution_mode = "cache"
nb_execution_cache_path = os.environ.get("BOOK_CACHE", str(Path(__file__).parent / "_cache"))
nb_execution_timeout = 900
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

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"undoc-members": False}
