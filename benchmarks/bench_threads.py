"""One BLAS thread for small training products: what it costs and saves.

Fits ``MLPClassifierNP`` as it trains by default (one BLAS thread when the
largest product of a batch is small, see ``sknumpynet/_threads.py``), the
same fit with the BLAS's own thread count, and scikit-learn's
``MLPClassifier`` (which leaves the BLAS as it is), interleaved in each of
``--repeats`` rounds with their order rotated; prints the median fit time of
each, the median of the per-round ratios and their range.

``--load`` runs the rounds beside a busy process (a loop of matrix products
with its own BLAS threads), as on a machine shared with other work.

    python benchmarks/bench_threads.py [--repeats 7] [--load]
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info

from sknumpynet import MLPClassifierNP, _threads, make_mnist_like


def _busy(stop) -> None:
    a = np.random.RandomState(0).randn(600, 600)
    while not stop.is_set():
        a @ a


def cases():
    X, y = load_digits(return_X_y=True)
    yield "digits 1797x64, 100 units, batch 200, 30 epochs", X / 16, y, (100,), 200, 30
    X, y = make_mnist_like(n_samples=10000, random_state=0)
    X = X.astype(np.float32)
    yield "mnist-like 10000x784 f32, 100 units, batch 200, 3 epochs", X, y, (100,), 200, 3
    yield "mnist-like 10000x784 f32, 1024 units, batch 512, 2 epochs", X, y, (1024,), 512, 2


def fit_time(estimator, X, y) -> float:
    start = time.perf_counter()
    estimator.fit(X, y)
    return time.perf_counter() - start


def _ratio(other: np.ndarray, ours: np.ndarray) -> str:
    q = other / ours
    return f"{np.median(q):.2f} [{q.min():.2f}-{q.max():.2f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--load", action="store_true", help="beside a busy process")
    args = parser.parse_args()
    libraries = ", ".join(
        "{} {} ({} threads)".format(b["internal_api"], b["version"], b["num_threads"])
        for b in threadpool_info()
        if b["user_api"] == "blas"
    )
    load = "beside a busy process" if args.load else "no other load started"
    print(
        f"{platform.machine()}, {multiprocessing.cpu_count()} cores, numpy {np.__version__}, "
        f"BLAS {libraries}; {load}\n"
    )
    stop = multiprocessing.Event()
    busy = multiprocessing.Process(target=_busy, args=(stop,)) if args.load else None
    if busy is not None:
        busy.start()
        time.sleep(1.0)
    print(
        "| case | ours (1 thread when small) s | ours, BLAS threads s | ratio "
        "| MLPClassifier s | ratio |"
    )
    print("|---|---|---|---|---|---|")
    small = _threads.SMALL_PRODUCT
    try:
        for name, X, y, hidden, batch, epochs in cases():
            params = dict(
                hidden_layer_sizes=hidden, batch_size=batch, max_iter=epochs, random_state=0
            )
            runs = {"ours": MLPClassifierNP, "threads": MLPClassifierNP, "sklearn": MLPClassifier}
            times = {key: [] for key in runs}
            order = list(runs)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                for r in range(args.repeats):
                    for key in order[r % 3 :] + order[: r % 3]:
                        _threads.SMALL_PRODUCT = 0 if key == "threads" else small
                        times[key].append(fit_time(runs[key](**params), X, y))
            _threads.SMALL_PRODUCT = small
            t = {k: np.array(v) for k, v in times.items()}
            print(
                f"| {name} | {np.median(t['ours']):.3f} | {np.median(t['threads']):.3f} "
                f"| {_ratio(t['threads'], t['ours'])} | {np.median(t['sklearn']):.3f} "
                f"| {_ratio(t['sklearn'], t['ours'])} |"
            )
    finally:
        _threads.SMALL_PRODUCT = small
        if busy is not None:
            stop.set()
            busy.join()
    print("\nratio: the other's fit time over ours, per round: median [min-max].")


if __name__ == "__main__":
    main()
