"""In-place array helpers shared by the engine (a leaf module: imports numpy only)."""

from __future__ import annotations

import numpy as np


def axpy(x: np.ndarray, y: np.ndarray, a: float, buf: np.ndarray) -> None:
    """``y += a * x`` in place, with ``buf`` (shaped like ``x``) as scratch.

    Plain numpy on purpose: scipy's BLAS ``axpy`` is a second OpenBLAS with
    its own thread pool, and alternating calls between two pools that spin
    while waiting slows every matrix product down many times on a small machine.
    """
    np.multiply(x, a, out=buf)
    y += buf
