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
process with a limit after the fits are done.
"""

from __future__ import annotations

import contextlib
import sys
import threading

from threadpoolctl import ThreadpoolController

# Multiply-adds of the largest layer product of one batch (batch rows x fan-in
# x fan-out) below which training uses one BLAS thread: 2**26, about 6.7e7,
# covers 200-row batches of a 100-unit layer on up to 3,000 features.
SMALL_PRODUCT = 2**26

_lock = threading.Lock()
_users = 0
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


def _acquire() -> None:
    global _users, _limiter
    with _lock:
        if _users == 0:
            _limiter = _blas_controller().limit(limits=1, user_api="blas")
        _users += 1


def _release() -> None:
    global _users, _limiter
    with _lock:
        _users -= 1
        if _users == 0:
            _limiter.restore_original_limits()
            _limiter = None


@contextlib.contextmanager
def blas_threads_for(layer_units: list[int], batch_rows: int):
    """One BLAS thread inside the block when the products are small, else no change."""
    if largest_product(layer_units, batch_rows) >= SMALL_PRODUCT:
        yield
        return
    _acquire()
    try:
        yield
    finally:
        _release()
