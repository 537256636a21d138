"""Warnings that point at the caller's line, not at the package's internals."""

from __future__ import annotations

import os
import sys
import warnings

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# Modules that stand between the caller and the package's methods: the
# scikit-learn tools that call ``fit`` (Pipeline, GridSearchCV,
# cross_validate, the callback wrappers, ...), joblib, which runs their jobs,
# and the standard library's threads, processes and executors under joblib.
_PASS_THROUGH = ("sklearn", "joblib", "threading", "concurrent", "multiprocessing")


def _in_package(frame) -> bool:
    return frame.f_code.co_filename.startswith(_PACKAGE_DIR)


def _passes_through(frame) -> bool:
    name = frame.f_globals.get("__name__") or ""
    return name.partition(".")[0] in _PASS_THROUGH


def caller_frame(frame):
    """The first frame, from ``frame`` outwards, of the code that used the package.

    Frames of the package itself and of the modules in ``_PASS_THROUGH`` are
    passed over. Where nothing else is left (a fit run in a worker thread or
    process), the first frame outside the package is the answer.
    """
    while frame is not None and _in_package(frame):
        frame = frame.f_back
    first_outside = frame
    while frame is not None and (_in_package(frame) or _passes_through(frame)):
        frame = frame.f_back
    return first_outside if frame is None else frame


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` attributed to the code that used the package.

    A ``ConvergenceWarning`` then names the line of the script that called
    ``fit``, also when ``fit`` was called by a scikit-learn pipeline, search
    or cross-validation, wherever in the package it was raised. The warning
    goes through :func:`warnings.warn_explicit` with what ``warnings.warn``
    would pass for that frame, so that filters and the once-per-location
    registry behave as for any warning. (Python 3.12's
    ``skip_file_prefixes`` would skip files, not modules, and is not in 3.10.)
    """
    frame = caller_frame(sys._getframe(1))
    if frame is None:  # no Python caller at all
        warnings.warn(message, category, stacklevel=2)
        return
    caller_globals = frame.f_globals
    # (no module_globals: warn_explicit would ask the module's loader for its
    # source, which fails for a script read from stdin; the source line is
    # read from the file, as warnings.warn reads it)
    warnings.warn_explicit(
        message,
        category,
        frame.f_code.co_filename,
        frame.f_lineno,
        module=caller_globals.get("__name__", "<string>"),
        registry=caller_globals.setdefault("__warningregistry__", {}),
    )
