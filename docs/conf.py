"""Sphinx configuration of the sknumpynet documentation.

Build it from the repository root with warnings as errors::

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # the package of this checkout, installed or not
sys.path.insert(0, str(DOCS))  # gallery_order

import sknumpynet  # noqa: E402

# The examples run in full (a few seconds each), so that the gallery shows
# what the trained models do. The figures they save go beside the doctrees
# (see setup below), out of the source tree; the gallery shows the figures
# they leave open.
os.environ.setdefault("MPLBACKEND", "Agg")

project = "sknumpynet"
copyright = "sknumpynet developers"
author = "sknumpynet developers"
release = sknumpynet.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
root_doc = "index"
default_role = "literal"

# -- API reference -------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"
# numpydoc lists the methods in the class page itself (from the templates).
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_validation_checks = set()

# -- Gallery -------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # run every script, not only plot_*.py
    "filename_pattern": r".*\.py",
    "ignore_pattern": r"(__init__|conftest)\.py",
    # from a first network to deployment (docs/gallery_order.py)
    "within_subsection_order": "gallery_order.ExampleOrder",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    "min_reported_time": 1e9,  # no "total running time" noise
    # "Examples using X" on each page of the API reference
    "doc_module": ("sknumpynet",),
    "backreferences_dir": "gen_modules/backreferences",
}

# -- HTML ----------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sknumpynet {release}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False


# -- Docstrings inherited from scikit-learn ------------------------------
# Methods such as ``score`` come from scikit-learn's mixins, whose docstrings
# refer to labels and glossary terms of scikit-learn's own documentation.
# The build needs no network (no intersphinx), so those references become
# plain text.
_SKLEARN_REFERENCE = re.compile(r":(?:ref|term):`(?:([^`<]*?)\s*<[^`>]*>|([^`]*))`")


def _unlink_sklearn_references(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if not module.startswith("sklearn"):
        return
    for i, line in enumerate(lines):
        lines[i] = _SKLEARN_REFERENCE.sub(lambda m: f"``{m.group(1) or m.group(2)}``", line)


def _example_output(app):
    """The examples save their figures beside the doctrees of this build."""
    os.environ["SKNUMPYNET_EXAMPLE_OUT"] = os.path.join(app.doctreedir, "example_figures")


def setup(app):
    # before sphinx-gallery runs the examples, also in builder-inited
    app.connect("builder-inited", _example_output, priority=100)
    app.connect("autodoc-process-docstring", _unlink_sklearn_references)
