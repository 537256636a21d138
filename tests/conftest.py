"""The test run on several cores (pytest-xdist's ``-n auto``, as the README runs it).

Each worker process runs its share of the tests with BLAS and OpenMP
limited to its share of the cores: two workers on two cores, each with
BLAS's two threads, would run four threads on two cores, where the tests'
small matrix products lose more to the contention than they gain.
``-n auto`` starts one worker per core this process may use, at most eight:
the tests are many and small, and more workers would only add their
start-up and memory.
"""

from __future__ import annotations

import os

import pytest

MAX_WORKERS = 8
_BLAS_LIMIT = pytest.StashKey[object]()


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    return max(1, min(MAX_WORKERS, _usable_cores()))


def pytest_configure(config: pytest.Config) -> None:
    n_workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if n_workers is None:  # one process: BLAS keeps its own setting
        return
    from threadpoolctl import threadpool_limits

    per_worker = max(1, _usable_cores() // int(n_workers))
    # kept on the config for the whole session; the worker ends with it
    config.stash[_BLAS_LIMIT] = threadpool_limits(limits=per_worker)
