"""Warnings that point at the caller's line, not at the package's internals."""

from __future__ import annotations

import os
import sys
import warnings

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# Wrappers that stand between the caller and the package's methods.
_PASS_THROUGH = {"sklearn.callback._callback_support"}


def _internal(frame) -> bool:
    return (
        frame.f_code.co_filename.startswith(_PACKAGE_DIR)
        or frame.f_globals.get("__name__") in _PASS_THROUGH
    )


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` attributed to the first frame outside this package.

    A ``ConvergenceWarning`` then names the line of the script that called
    ``fit`` (or the scikit-learn helper that did, in a pipeline or a search),
    wherever in the package it was raised.
    """
    frame = sys._getframe(0)  # stacklevel=1 is this function
    level = 1
    while frame is not None and _internal(frame):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
