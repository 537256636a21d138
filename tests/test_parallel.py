"""Scaling out: joblib processes, a real Dask cluster, a lost worker, pickles, threads.

The grid searches run the same fits in other processes; every fit is seeded,
so the cross-validation scores must equal the sequential ones exactly.
"""

import logging
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknumpynet import MLPClassifierNP, SoftmaxClassifier

try:
    import distributed
except ImportError:  # pragma: no cover - the test extra installs it
    distributed = None

needs_dask = pytest.mark.skipif(
    distributed is None,
    reason="dask.distributed is not installed (pip install 'dask[distributed]')",
)
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SEARCHES = {
    "softmax": (
        SoftmaxClassifier(max_iter=30, random_state=0),
        {"alpha": [1e-4, 1e-1], "learning_rate_init": [0.01, 0.1]},
    ),
    "mlp": (
        MLPClassifierNP(max_iter=30, random_state=0),
        {"hidden_layer_sizes": [(5,), (10,)], "alpha": [1e-4, 1e-1]},
    ),
}
SEARCH_TIMEOUT = 120  # seconds; a search of a few seconds never gets near it


def make_data():
    return make_classification(150, 6, n_informative=4, n_redundant=0, n_classes=3, random_state=0)


def search(name, n_jobs, scoring="accuracy"):
    estimator, grid = SEARCHES[name]
    X, y = make_data()
    return GridSearchCV(
        estimator, grid, cv=3, n_jobs=n_jobs, scoring=scoring, error_score="raise"
    ).fit(X, y)


def scores(gs):
    """The parts of cv_results_ that depend on the fits (not on timings)."""
    keys = [k for k in gs.cv_results_ if k.startswith(("split", "mean_test", "rank_"))]
    return {k: np.asarray(gs.cv_results_[k]).tolist() for k in keys}, gs.best_params_


def with_timeout(fn, timeout=SEARCH_TIMEOUT):
    """Run ``fn()`` in a thread; fail instead of hanging if it takes too long."""
    executor = ThreadPoolExecutor(1)
    try:
        return executor.submit(fn).result(timeout=timeout)
    finally:
        executor.shutdown(wait=False)


@pytest.fixture(scope="module")
def sequential():
    return {name: scores(search(name, n_jobs=1)) for name in SEARCHES}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SEARCHES))
def test_grid_search_with_joblib_processes_equals_sequential(name, sequential):
    with joblib.parallel_backend("loky"):
        gs = with_timeout(lambda: search(name, n_jobs=2))
    assert scores(gs) == sequential[name]


# ------------------------------------------------------------------------ Dask
@pytest.fixture(scope="module")
def dask_client():
    """A real cluster: 2 worker processes with 1 thread each, closed after the tests."""
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


def dask_search(name, scoring="accuracy"):
    def run():
        with joblib.parallel_backend("dask"):
            return search(name, n_jobs=-1, scoring=scoring)

    return with_timeout(run)


def worker_pids(client):
    return set(client.run(os.getpid).values())


@pytest.mark.slow
@needs_dask
@pytest.mark.parametrize("name", list(SEARCHES))
def test_grid_search_on_dask_cluster_equals_sequential(name, sequential, dask_client):
    pids = worker_pids(dask_client)
    gs = dask_search(name)
    assert scores(gs) == sequential[name]
    # The fits ran on the workers, not in this process.
    assert os.getpid() not in pids and len(pids) == 2


def first_call_hangs_scorer(marker_dir):
    """Accuracy, except that its first call anywhere writes its pid and hangs.

    A closure, so that it travels to the workers by value.
    """
    marker_dir = Path(marker_dir)

    def scorer(estimator, X, y):
        try:
            fd = os.open(marker_dir / "claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass
        else:
            os.close(fd)
            (marker_dir / "pid.tmp").write_text(str(os.getpid()))
            os.replace(marker_dir / "pid.tmp", marker_dir / "pid")
            time.sleep(60)  # killed during this sleep
        return accuracy_score(y, estimator.predict(X))

    return scorer


@pytest.mark.slow
@needs_dask
def test_grid_search_survives_a_killed_dask_worker(sequential, dask_client, tmp_path):
    """SIGKILL the worker in the middle of a search: Dask reruns its tasks elsewhere.

    distributed occasionally cancels a batch that joblib had already
    collected when its worker dies ("already forgotten", a scheduler race,
    not a lost result); one retry with a new marker covers that race.
    """
    from distributed.client import FutureCancelledError

    try:
        _killed_worker_search(sequential, dask_client, tmp_path / "first")
    except FutureCancelledError:
        _killed_worker_search(sequential, dask_client, tmp_path / "retry")


def _killed_worker_search(sequential, dask_client, tmp_path):
    tmp_path.mkdir()
    before = worker_pids(dask_client)
    killed = {}

    def kill_when_hanging():
        deadline = time.monotonic() + 60
        pid_file = tmp_path / "pid"
        while not pid_file.exists():
            if time.monotonic() > deadline:
                return
            time.sleep(0.05)
        pid = int(pid_file.read_text())
        assert pid in before, "the task ran outside the cluster's workers"
        os.kill(pid, signal.SIGKILL)
        killed["pid"] = pid

    with ThreadPoolExecutor(1) as killer:
        kill = killer.submit(kill_when_hanging)
        gs = dask_search("mlp", scoring=first_call_hangs_scorer(tmp_path))
        kill.result(timeout=10)

    assert "pid" in killed, "no task reached the scorer"
    # Same results as the sequential search, the lost task included ...
    assert scores(gs) == sequential["mlp"]
    # ... computed after the killed worker died: the nanny replaced it.
    dask_client.wait_for_workers(2, timeout=60)
    after = worker_pids(dask_client)
    assert killed["pid"] not in after and len(after) == 2


# ------------------------------------------------------------- pickles, threads
FRESH_PROCESS = textwrap.dedent(
    """
    import pickle, sys
    import joblib, numpy as np
    folder = sys.argv[1]
    X = np.load(folder + "/X.npy")
    for name in ("softmax", "mlp", "pipeline"):
        expected = np.load(folder + f"/{name}_proba.npy")
        with open(folder + f"/{name}.pkl", "rb") as f:
            from_pickle = pickle.load(f)
        from_joblib = joblib.load(folder + f"/{name}.joblib")
        for model in (from_pickle, from_joblib):
            np.testing.assert_array_equal(model.predict_proba(X), expected)
            np.testing.assert_array_equal(
                model.predict(X), np.load(folder + f"/{name}_predict.npy")
            )
    print("identical")
    """
)


@pytest.mark.slow
def test_pickled_models_predict_identically_in_a_fresh_process(tmp_path):
    X, y = make_data()
    models = {
        "softmax": SoftmaxClassifier(max_iter=30, random_state=0),
        "mlp": MLPClassifierNP((8,), max_iter=30, random_state=0),
        "pipeline": make_pipeline(StandardScaler(), MLPClassifierNP((8,), random_state=0)),
    }
    np.save(tmp_path / "X.npy", X)
    for name, model in models.items():
        model.fit(X, y)
        np.save(tmp_path / f"{name}_proba.npy", model.predict_proba(X))
        np.save(tmp_path / f"{name}_predict.npy", model.predict(X))
        with open(tmp_path / f"{name}.pkl", "wb") as f:
            pickle.dump(model, f)
        joblib.dump(model, tmp_path / f"{name}.joblib")
    result = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "identical"


@pytest.mark.parametrize(
    "model",
    [SoftmaxClassifier(max_iter=30, random_state=0), MLPClassifierNP((8,), random_state=0)],
    ids=["softmax", "mlp"],
)
def test_predict_from_many_threads_at_once(model):
    X, y = make_data()
    model.fit(X, y)
    chunks = [X[i::7] for i in range(7)] * 20
    expected = [(model.predict(c), model.predict_proba(c)) for c in chunks]
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda c: (model.predict(c), model.predict_proba(c)), chunks))
    for (p, q), (p2, q2) in zip(expected, got):
        np.testing.assert_array_equal(p, p2)
        np.testing.assert_array_equal(q, q2)
