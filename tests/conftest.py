"""The test run on several cores (pytest-xdist's ``-n auto``, as the README runs it).

Each worker process runs its share of the tests with BLAS and OpenMP
limited to its share of the cores: two workers on two cores, each with
BLAS's two threads, would run four threads on two cores, where the tests'
small matrix products lose more to the contention than they gain.
``-n auto`` starts one worker per CPU this process may use, at most eight:
the tests are many and small, and more workers would only add their
start-up and memory. ``PYTEST_XDIST_AUTO_NUM_WORKERS`` and ``-n logical``
keep their meaning.
"""

from __future__ import annotations

import os

import pytest

MAX_WORKERS = 8
_BLAS_LIMIT = pytest.StashKey[object]()


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or config.option.numprocesses == "logical":
        return None  # pytest-xdist's own hook decides
    return max(1, min(MAX_WORKERS, _usable_cpus()))


def pytest_configure(config: pytest.Config) -> None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:  # one process: BLAS keeps its own setting
        return
    # threadpoolctl limits the libraries loaded so far: load them first
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401
    import sklearn.utils  # noqa: F401
    from threadpoolctl import threadpool_limits

    per_worker = max(1, _usable_cpus() // int(workerinput["workercount"]))
    # kept on the config for the whole session; the worker ends with it
    config.stash[_BLAS_LIMIT] = threadpool_limits(limits=per_worker)
