"""How many threads the BLAS may use while a network trains.

A training step multiplies small matrices, many times: on a machine with few
cores, and above all one shared with other work, a multi-threaded BLAS spends
more time waking and synchronizing its threads than multiplying. Measured on
2 cores with another process running, one thread trained a 100-unit network on
digits 2x faster and on MNIST-sized data 9x faster than the BLAS's default,
and a run of the same fit could take 30 times as long as the one before it.
Fits whose largest product per batch is below :data:`SMALL_PRODUCT`
multiply-adds therefore run with one BLAS thread; larger ones keep the BLAS's
own setting, where threads pay for themselves. ``threadpoolctl`` (which
scikit-learn depends on) sets the limit, and a user's own
``threadpool_limits`` around a fit still applies: the limit here only lowers.

The BLAS's thread count is one setting for the whole process. Fits that run
at the same time in several threads (a search with a threading backend) share
one limit: the first to start sets it and the last to end restores the
setting it found, so that no interleaving of starts and ends leaves the
process with a limit after the fits are done. A Ctrl-C that lands inside
this bookkeeping can leave the limit in place (fits then run with one BLAS
thread, as small ones do anyway); it never leaves a fit waiting.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import weakref

from threadpoolctl import ThreadpoolController

# Multiply-adds of the largest layer product of one batch (batch rows x fan-in
# x fan-out) below which training uses one BLAS thread: 2**26, about 6.7e7,
# covers 200-row batches of a 100-unit layer on up to 3,000 features.
SMALL_PRODUCT = 2**26

LOCK_TIMEOUT = 0.1  # seconds

_lock = threading.RLock()
# One token per fit that holds the limit. The set holds them weakly: the token
# of a fit whose bookkeeping an interrupt cut short goes with the fit's frame,
# so it cannot keep the limit held forever.
_holders: weakref.WeakSet = weakref.WeakSet()
_limiter = None
_controller = None
_modules_seen = 0


def largest_product(layer_units: list[int], batch_rows: int) -> int:
    """Multiply-adds of the largest matrix product of a forward pass over ``batch_rows``."""
    return batch_rows * max(a * b for a, b in zip(layer_units[:-1], layer_units[1:]))


def _blas_controller() -> ThreadpoolController:
    """threadpoolctl's view of the loaded BLAS libraries, found anew after new imports.

    Finding the libraries takes about a millisecond; a library is loaded by
    importing an extension module (scipy's own OpenBLAS, say), so the view is
    kept while the set of imported modules stays the same size.
    """
    global _controller, _modules_seen
    if _controller is None or len(sys.modules) != _modules_seen:
        _controller = ThreadpoolController()
        _modules_seen = len(sys.modules)
    return _controller


def _acquire(token: object) -> None:
    """Limit the BLAS if no fit holds the limit yet; ``token`` joins the holders."""
    global _limiter
    # A KeyboardInterrupt can land between any two lines, also between taking
    # the lock and the try that gives it back. Such a lock must hang no later
    # fit: it is reentrant (the interrupted thread, which goes on fitting,
    # takes it again at once) and other threads give up after a timeout and
    # fit with the BLAS as it is.
    if not _lock.acquire(timeout=LOCK_TIMEOUT):
        return
    try:
        if not _holders:
            if _limiter is None:
                _limiter = _blas_controller().limit(limits=1, user_api="blas")
            else:  # left by an interrupted fit: it keeps the setting to restore
                _blas_controller().limit(limits=1, user_api="blas")
        _holders.add(token)
    finally:
        _lock.release()


def _release(token: object) -> None:
    """``token`` leaves the holders; the last one out restores the BLAS's setting."""
    global _limiter
    if not _lock.acquire(timeout=LOCK_TIMEOUT):
        return
    try:
        _holders.discard(token)
        if not _holders and _limiter is not None:
            limiter, _limiter = _limiter, None
            limiter.restore_original_limits()
    finally:
        _lock.release()


class _Token:
    """A fit's claim on the limit (weakly referenced: see ``_holders``)."""


@contextlib.contextmanager
def blas_threads_for(layer_units: list[int], batch_rows: int):
    """One BLAS thread inside the block when the products are small, else no change."""
    if largest_product(layer_units, batch_rows) >= SMALL_PRODUCT:
        yield
        return
    token = _Token()
    try:
        _acquire(token)
        yield
    finally:
        _release(token)
