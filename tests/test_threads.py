"""Training uses one BLAS thread when its matrix products are small, and puts
the BLAS's setting back afterwards, whatever the interleaving of fits."""

import sys
import threading
import types
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import ThreadpoolController, threadpool_limits

from sknumpynet import MLPClassifierNP, MLPRegressorNP, _threads, _training

X = np.random.RandomState(0).randn(300, 8)
y = (X[:, 0] + X[:, 1] > 0).astype(int)


def blas_threads() -> int:
    blas = ThreadpoolController().select(user_api="blas").lib_controllers
    return max((lib.num_threads for lib in blas), default=0)


@pytest.fixture
def two_threads():
    """The BLAS at two threads (skipped where it cannot have two)."""
    with threadpool_limits(limits=2, user_api="blas"):
        if blas_threads() < 2:  # or threadpoolctl does not know this BLAS
            pytest.skip("the BLAS cannot run two threads here")
        yield


@pytest.fixture
def record_threads(monkeypatch):
    """The BLAS thread count that each solver run sees, in order."""
    seen = []
    for name in ("run_epochs", "run_lbfgs"):
        original = getattr(_training, name)

        def recording(*args, _original=original, **kwargs):
            seen.append(blas_threads())
            return _original(*args, **kwargs)

        monkeypatch.setattr(_training, name, recording)
    return seen


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_small_fits_train_with_one_blas_thread_and_restore_it(two_threads, record_threads, solver):
    clf = MLPClassifierNP((16,), solver=solver, max_iter=5, tol=0, random_state=0)
    with pytest.warns(ConvergenceWarning):  # five epochs only: it has not converged
        clf.fit(X, y)
    assert record_threads == [1]
    assert blas_threads() == 2


def test_large_products_keep_the_blas_setting(two_threads, record_threads, monkeypatch):
    monkeypatch.setattr(_threads, "SMALL_PRODUCT", 16 * 8 * 16)  # this fit's product: 16*8*16
    reg = MLPRegressorNP(hidden_layer_sizes=(16,), batch_size=16, max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, X[:, 0])
    assert record_threads == [2]


def test_a_failed_fit_restores_the_setting(two_threads):
    with pytest.raises(ValueError):
        MLPClassifierNP((16,), max_iter=2).fit(X, np.zeros(300))  # one class
    with pytest.raises(TypeError, match="dropout"):
        MLPClassifierNP((16,), dropout=[[0.1]]).fit(X, y)
    assert blas_threads() == 2


def test_overlapping_fits_share_one_limit_and_the_last_restores_it(two_threads):
    small = ([8, 16, 2], 10)
    first, second = _threads.blas_threads_for(*small), _threads.blas_threads_for(*small)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first to end is not the last
    assert blas_threads() == 1
    second.__exit__(None, None, None)
    assert blas_threads() == 2


def test_concurrent_fits_in_threads_leave_the_setting_as_it_was(two_threads):
    errors = []

    def fit(seed):
        try:
            for _ in range(3):
                MLPClassifierNP((8,), max_iter=3, tol=0, random_state=seed).fit(X, y)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        workers = [threading.Thread(target=fit, args=(seed,)) for seed in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert not errors
    assert blas_threads() == 2
    assert not _threads._holders


def test_the_blas_libraries_are_found_anew_after_new_imports(monkeypatch):
    """A BLAS loaded after the first fit (scipy's own, say) is limited too."""
    first = _threads._blas_controller()
    assert _threads._blas_controller() is first  # nothing imported since
    monkeypatch.setitem(sys.modules, "sknumpynet_test_new_module", types.ModuleType("new"))
    assert _threads._blas_controller() is not first


def test_a_lock_left_held_by_an_interrupt_hangs_no_fit():
    """A Ctrl-C between taking the lock and the try that returns it leaves it
    held: the same thread takes it again, other threads fit after a timeout."""
    assert _threads._lock.acquire(timeout=1)  # as an interrupted fit would leave it
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            MLPClassifierNP((8,), max_iter=2, random_state=0).fit(X, y)
            done = []
            worker = threading.Thread(
                target=lambda: done.append(MLPClassifierNP((8,), max_iter=2).fit(X, y))
            )
            worker.start()
            worker.join(timeout=30)
        assert done and not worker.is_alive()
    finally:
        _threads._lock.release()
    assert not _threads._holders


def test_a_claim_left_by_an_interrupted_fit_does_not_keep_the_limit(two_threads, record_threads):
    """An interrupt between a fit's claim and the try that gives it back: the
    claim goes with the fit, and later fits limit and restore as usual."""
    token = _threads._Token()
    _threads._acquire(token)  # and never released: the fit was interrupted
    assert blas_threads() == 1
    del token  # the interrupted fit's frame is gone
    assert not _threads._holders
    clf = MLPClassifierNP((16,), max_iter=5, tol=0, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert record_threads == [1]
    assert blas_threads() == 2  # the setting found before the interrupted fit
