"""Training on a Dask cluster of worker processes: L-BFGS evaluated where the blocks
live, streamed mini-batches, lazy predictions, and a worker killed mid-fit."""

import logging
import os
import signal
import threading
import time

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sknumpynet import MLPClassifierNP, MLPRegressorNP, stream

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

pytestmark = pytest.mark.slow

RNG = np.random.RandomState(0)
X = RNG.normal(size=(3000, 8))
Y3 = np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5])
Y_REG = X[:, 0] - 2 * np.sin(X[:, 2]) + 0.1 * RNG.normal(size=3000)
W = RNG.uniform(0.2, 2.0, size=3000)


@pytest.fixture(scope="module")
def client():
    """2 worker processes with 1 thread each, closed after the tests."""
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = distributed.Client(cluster, timeout=60)
    try:
        client.wait_for_workers(2, timeout=60)
        yield client
    finally:
        client.close(timeout=30)
        cluster.close(timeout=30)


def _max_difference(a, b):
    return max(
        np.abs(p - q).max() for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_)
    )


@pytest.mark.parametrize(
    "est, y, weighted",
    [
        (MLPRegressorNP(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=20), Y_REG, False),
        (MLPClassifierNP((12,), solver="lbfgs", max_iter=20, alpha=1e-3), Y3, True),
    ],
    ids=["regressor", "classifier-weighted"],
)
def test_distributed_lbfgs_equals_lbfgs_in_memory(client, est, y, weighted):
    est = est.set_params(random_state=0)
    w = W if weighted else None
    Xd = da.from_array(X, chunks=(450, 8))  # 7 blocks, the last one short
    with pytest.warns(ConvergenceWarning):
        memory = clone(est).fit(X, y, sample_weight=w)
    with distributed.get_task_stream(client) as tasks, pytest.warns(ConvergenceWarning):
        spread = clone(est).fit(Xd, y, sample_weight=w)
    assert spread.n_iter_ == memory.n_iter_ == 20
    assert _max_difference(spread, memory) < 1e-8
    assert abs(spread.loss_ - memory.loss_) < 1e-10
    # every evaluation ran one task per block on the workers
    names = [t["key"][0] if isinstance(t["key"], tuple) else t["key"] for t in tasks.data]
    n_block_tasks = sum("_block_task" in str(name) for name in names)
    assert n_block_tasks >= 7 * 21 and n_block_tasks % 7 == 0
    workers = {t["worker"] for t in tasks.data if "_block_task" in str(t["key"])}
    assert len(workers) == 2


def test_streamed_mini_batches_on_the_cluster_equal_the_local_stream(client):
    est = MLPClassifierNP((10,), max_iter=3, random_state=0)
    Xd = da.from_array(X, chunks=(500, 4))
    with pytest.warns(ConvergenceWarning):
        on_cluster = clone(est).fit(Xd, Y3)
    with pytest.warns(ConvergenceWarning):
        local = clone(est).fit(stream(X, block_rows=500), Y3)
    assert _max_difference(on_cluster, local) == 0
    proba = on_cluster.predict_proba(Xd)
    assert isinstance(proba, da.Array)
    np.testing.assert_array_equal(proba.compute(), on_cluster.predict_proba(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_worker_killed_mid_fit_gives_a_whole_model_or_a_clear_error(client):
    """The fit completes (Dask recomputes the lost blocks) or raises a clear
    error; the estimator is then exactly as it was."""
    big = np.tile(X, (4, 1))
    y = np.tile(Y_REG, 4)
    est = MLPRegressorNP(hidden_layer_sizes=(32,), solver="lbfgs", max_iter=60, tol=0.0)
    est.set_params(random_state=0)
    est.fit(X[:200], Y_REG[:200])
    before = dict(est.__dict__)
    Xd = da.from_array(big, chunks=(1000, 8))
    outcome = {}

    def fit():
        try:
            est.fit(Xd, y)
            outcome["ok"] = True
        except Exception as exc:  # the outcome is checked below
            outcome["error"] = exc

    pids = list(client.run(os.getpid).values())
    thread = threading.Thread(target=fit)
    thread.start()
    time.sleep(1.5)
    assert thread.is_alive(), "the fit ended before a worker could be killed"
    os.kill(pids[0], signal.SIGKILL)
    thread.join(timeout=240)
    assert not thread.is_alive()
    if "ok" in outcome:
        assert est.coefs_[0] is not before["coefs_"][0]
        assert est.n_iter_ >= 1 and np.isfinite(est.loss_)
        assert est.score(big, y) > 0.9
    else:
        error = outcome["error"]
        assert "Dask cluster" in str(error) or "worker" in str(error).lower(), error
        assert all(est.__dict__[k] is v for k, v in before.items())
    client.wait_for_workers(2, timeout=60)


def _failing_block():
    raise OSError("the disk holding this block is gone")


def test_a_block_that_fails_on_the_cluster_leaves_the_estimator_as_it_was(client):
    from dask import delayed

    est = MLPRegressorNP(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=5, random_state=0)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, Y_REG)
    before = dict(est.__dict__)
    bad = da.concatenate(
        [
            da.from_array(X[:1500], chunks=500),
            da.from_delayed(delayed(_failing_block)(), (1500, 8), X.dtype),
        ]
    )
    with pytest.raises(RuntimeError, match="L-BFGS evaluation on the Dask cluster failed"):
        est.fit(bad, Y_REG)
    assert all(est.__dict__[k] is v for k, v in before.items())
