"""Time per epoch of MLPClassifierNP and scikit-learn's MLPClassifier against the BLAS bound.

The BLAS bound of an epoch is the time of its matrix products alone: for one
hidden layer, per batch, ``X @ W1``, ``H @ W2`` (forward), ``H.T @ D2``,
``D2 @ W2.T`` and ``X.T @ D1`` (backward), on preallocated arrays. Everything
else a training loop does (activations, loss, gathering shuffled rows,
optimizer steps, Python) is overhead on top of it, so ``epoch / bound`` says
how close to the hardware an implementation is.

Run ``python benchmarks/bench_speed.py`` (about ten minutes on two cores) or
``python benchmarks/bench_speed.py --quick`` (about a minute). Every number is
the median of several repeats; ratios are taken within a repeat, so that a
slow moment of a shared machine affects both sides of the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sknumpynet import MLPClassifierNP, SoftmaxClassifier
from sknumpynet.datasets import make_mnist_like

HIDDEN = 100


def blas_bound(X, n_classes, batch_size, hidden=HIDDEN):
    """Seconds for the matrix products of one epoch, on preallocated buffers."""
    n, d = X.shape
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((d, hidden)).astype(X.dtype)
    W2 = rng.standard_normal((hidden, n_classes)).astype(X.dtype)
    G1, G2 = np.empty_like(W1), np.empty_like(W2)
    H = np.empty((batch_size, hidden), X.dtype)
    D1 = np.empty_like(H)
    Z = np.empty((batch_size, n_classes), X.dtype)
    start_time = time.perf_counter()
    for start in range(0, n, batch_size):
        Xb = X[start : start + batch_size]
        m = Xb.shape[0]
        h, d1, z = H[:m], D1[:m], Z[:m]
        np.matmul(Xb, W1, out=h)
        np.matmul(h, W2, out=z)
        np.matmul(h.T, z, out=G2)
        np.matmul(z, W2.T, out=d1)
        np.matmul(Xb.T, d1, out=G1)
    return time.perf_counter() - start_time


def _quiet_fit(clf, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        clf.fit(X, y)
        return time.perf_counter() - start


def epoch_time(clf, X, y):
    """Seconds per epoch of a fit that runs exactly ``max_iter`` epochs."""
    seconds = _quiet_fit(clf, X, y)
    return seconds / clf.n_iter_


def mlp_params(solver, batch_size, max_iter, seed=0):
    """Parameters that mean the same for both MLPs; never stops early."""
    lr = 0.01 if solver == "sgd" else 0.001
    return dict(
        hidden_layer_sizes=(HIDDEN,),
        solver=solver,
        batch_size=batch_size,
        learning_rate_init=lr if batch_size > 1 else lr / 10,
        momentum=0.9,
        max_iter=max_iter,
        tol=0.0,
        n_iter_no_change=max_iter + 1,
        random_state=seed,
    )


def load_settings(quick):
    """(name, X_train, y_train, X_test, y_test, batch sizes, epochs) per data set."""
    n = 10_000 if quick else 60_000
    X, y = make_mnist_like(n + 5_000, random_state=0)
    Xd, yd = load_digits(return_X_y=True)
    Xd = StandardScaler().fit_transform(Xd)
    rng = np.random.RandomState(0)
    perm = rng.permutation(len(yd))
    Xd, yd = Xd[perm], yd[perm]
    return [
        (f"mnist-like {n // 1000}k", X[:n], y[:n], X[n:], y[n:], [32, 200, n], 3 if quick else 4),
        ("digits", Xd[:1400], yd[:1400], Xd[1400:], yd[1400:], [1], 2 if quick else 4),
    ]


def speed_table(quick, repeats):
    rows = []
    for name, X, y, X_test, y_test, batches, epochs in load_settings(quick):
        n_classes = len(np.unique(y))
        for dtype in (np.float32, np.float64):
            Xt, Xv = X.astype(dtype), X_test.astype(dtype)
            for batch in batches:
                solvers = ["sgd", "adam"] if batch == 200 else ["sgd"]
                for solver in solvers:
                    full = batch == len(y)
                    n_epochs = epochs * 5 if full else epochs
                    params = mlp_params(solver, batch, n_epochs)
                    bounds, ours, theirs, acc = [], [], [], {}
                    for _ in range(repeats):
                        bounds.append(blas_bound(Xt, n_classes, batch))
                        ours_clf = MLPClassifierNP(**params)
                        ours.append(epoch_time(ours_clf, Xt, y))
                        sk_clf = MLPClassifier(**params)
                        theirs.append(epoch_time(sk_clf, Xt, y))
                    acc = (ours_clf.score(Xv, y_test), sk_clf.score(Xv, y_test))
                    bounds, ours, theirs = map(np.array, (bounds, ours, theirs))
                    row = dict(
                        data=name,
                        dtype=np.dtype(dtype).name,
                        batch="full" if full else batch,
                        solver=solver,
                        bound_ms=1e3 * np.median(bounds),
                        ours_ms=1e3 * np.median(ours),
                        sklearn_ms=1e3 * np.median(theirs),
                        ours_ratio=np.median(ours / bounds),
                        sklearn_ratio=np.median(theirs / bounds),
                        speedup=np.median(theirs / ours),
                        ours_acc=acc[0],
                        sklearn_acc=acc[1],
                    )
                    rows.append(row)
                    print_row(row)
    return rows


def softmax_table(quick, repeats):
    """SoftmaxClassifier (mini-batch 200) against SGDClassifier(log_loss), per epoch."""
    rows = []
    for name, X, y, X_test, y_test, _, _ in load_settings(quick):
        epochs = 10 if quick else 20
        ours, theirs = [], []
        for _ in range(repeats):
            ours_clf = SoftmaxClassifier(
                max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1, random_state=0
            )
            ours.append(epoch_time(ours_clf, X, y))
            sk_clf = SGDClassifier(loss="log_loss", max_iter=epochs, tol=None, random_state=0)
            theirs.append(epoch_time(sk_clf, X, y))
        row = dict(
            data=name,
            ours_ms=1e3 * np.median(ours),
            sklearn_ms=1e3 * np.median(theirs),
            speedup=np.median(np.array(theirs) / np.array(ours)),
            ours_acc=ours_clf.score(X_test, y_test),
            sklearn_acc=sk_clf.score(X_test, y_test),
        )
        rows.append(row)
        print(
            f"{name:<16} {row['ours_ms']:>10.1f} {row['sklearn_ms']:>12.1f} "
            f"{row['speedup']:>8.1f}x {row['ours_acc']:>9.3f} {row['sklearn_acc']:>8.3f}",
            flush=True,
        )
    return rows


HEADER = (
    f"{'data':<16} {'dtype':<8} {'batch':>6} {'solver':<6} {'bound ms':>9} {'ours ms':>9} "
    f"{'sklearn ms':>10} {'ours/bd':>8} {'skl/bd':>7} {'speedup':>8} {'acc ours':>8} "
    f"{'acc skl':>7}"
)


def print_row(r):
    print(
        f"{r['data']:<16} {r['dtype']:<8} {r['batch']!s:>6} {r['solver']:<6} "
        f"{r['bound_ms']:>9.2f} {r['ours_ms']:>9.2f} {r['sklearn_ms']:>10.2f} "
        f"{r['ours_ratio']:>7.2f}x {r['sklearn_ratio']:>6.2f}x {r['speedup']:>7.2f}x "
        f"{r['ours_acc']:>8.3f} {r['sklearn_acc']:>7.3f}",
        flush=True,
    )


# ----------------------------------------------------------------- scaling
def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _scaling_worker(n_samples, epochs):
    """Run in a fresh process: time and peak memory of one float32 fit.

    The peak RSS is reset (Linux ``clear_refs``) after the data is generated,
    so that it measures the fit alone; ``tracemalloc`` separately measures the
    peak of what the fit allocates through numpy.
    """
    import tracemalloc

    X, y = make_mnist_like(n_samples, dtype=np.float32, random_state=0)
    data_mb = X.nbytes / 2**20
    params = mlp_params("sgd", 200, 1)
    _quiet_fit(MLPClassifierNP(**params), X[:1000], y[:1000])  # warm up imports and BLAS buffers
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak RSS to the current RSS
    except OSError:
        pass
    rss_before = _rss_mb()
    clf = MLPClassifierNP(**mlp_params("sgd", 200, epochs))
    per_epoch = epoch_time(clf, X, y)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    with open("/proc/self/status") as f:
        hwm = [line for line in f if line.startswith("VmHWM")]
    if hwm:
        peak_rss = int(hwm[0].split()[1]) / 2**10
    tracemalloc.start()
    _quiet_fit(MLPClassifierNP(**mlp_params("sgd", 200, 1)), X, y)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    bound = np.median([blas_bound(X, 10, 200) for _ in range(3)])
    print(
        json.dumps(
            dict(
                n_samples=n_samples,
                epochs=epochs,
                ms_per_epoch=1e3 * per_epoch,
                bound_ms=1e3 * bound,
                data_mb=data_mb,
                rss_before_mb=rss_before,
                peak_rss_mb=peak_rss,
                fit_alloc_peak_mb=traced_peak / 2**20,
            )
        )
    )


def scaling_table(quick):
    sizes = [6_000, 60_000] if quick else [6_000, 60_000, 600_000]
    rows = []
    for n in sizes:
        epochs = max(2, 120_000 // n)
        out = subprocess.run(
            [sys.executable, __file__, "--scaling-worker", str(n), "--epochs", str(epochs)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        r["us_per_sample"] = 1e3 * r["ms_per_epoch"] / n
        rows.append(r)
        growth = r["peak_rss_mb"] - r["rss_before_mb"]
        print(
            f"{n:>9} {r['ms_per_epoch']:>10.1f} {r['us_per_sample']:>10.2f} "
            f"{r['ms_per_epoch'] / r['bound_ms']:>7.2f}x {r['data_mb']:>9.1f} "
            f"{r['rss_before_mb']:>11.1f} {r['peak_rss_mb']:>11.1f} "
            f"{r['peak_rss_mb'] / r['data_mb']:>8.2f}x {growth / r['data_mb']:>8.3f}x "
            f"{r['fit_alloc_peak_mb'] / r['data_mb']:>8.3f}x",
            flush=True,
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, fewer repeats")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per measurement")
    parser.add_argument("--json", metavar="PATH", help="also write all tables as JSON")
    parser.add_argument("--scaling-worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scaling_worker:
        _scaling_worker(args.scaling_worker, epochs=args.epochs)
        return
    repeats = args.repeats or (3 if args.quick else 5)
    print(f"One hidden layer of {HIDDEN} ReLU units; median of {repeats} repeats; ms per epoch.")
    print("ours/bd, skl/bd: epoch time over the BLAS bound; speedup: sklearn time / ours.\n")
    print(HEADER)
    results = {"mlp": speed_table(args.quick, repeats)}
    print("\nSoftmaxClassifier (sgd, batch 200) vs SGDClassifier(loss='log_loss'), float64")
    print(
        f"{'data':<16} {'ours ms':>10} {'sklearn ms':>12} {'speedup':>9} {'acc ours':>9} "
        f"{'acc skl':>8}"
    )
    results["softmax"] = softmax_table(args.quick, repeats)
    print("\nScaling: MLPClassifierNP, float32, sgd, batch 200, one fresh process per size")
    print(
        "RSS before/peak: process memory before the fit (data included) and at its peak;\n"
        "fit/data: (peak - before) / data size; alloc/data: numpy allocations of the fit "
        "(tracemalloc) / data size"
    )
    print(
        f"{'n_samples':>9} {'ms/epoch':>10} {'us/sample':>10} {'/bound':>8} {'data MiB':>9} "
        f"{'RSS before':>11} {'RSS peak':>11} {'peak/data':>9} {'fit/data':>9} "
        f"{'alloc/data':>9}"
    )
    results["scaling"] = scaling_table(args.quick)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2, default=float)


if __name__ == "__main__":
    main()
