"""Speed of the sknumpynet estimators against scikit-learn's and against the BLAS bound.

What is measured
----------------
* ``mlp``: time per epoch of ``MLPClassifierNP`` and scikit-learn's
  ``MLPClassifier`` (one hidden layer of 100 ReLU units) on generated
  MNIST-sized data (``make_mnist_like``, 60,000 x 784) in float32 and float64,
  mini-batches of 200 (sgd and adam) and 32, the full batch, and per-sample
  SGD (batch 1) on the standardized digits.
* ``regressor``: the same rows for ``MLPRegressorNP`` and ``MLPRegressor`` on
  ``make_regression`` (60,000 x 784, standardized target), with per-sample
  SGD on the standardized diabetes set in place of digits.
* ``softmax``: ``SoftmaxClassifier`` (sgd, batch 200) against
  ``SGDClassifier(loss="log_loss")``, per epoch (not the same model: the
  scores are shown, not compared).
* ``predict``: ``predict_proba`` of a fitted MLP on 200,000 x 784 float32
  rows, and the peak memory it allocates at two sizes.
* ``scaling``: ``MLPClassifierNP`` on 6k, 60k and 600k rows, each in a fresh
  process: time per sample and peak memory relative to the data size.

Method
------
The BLAS bound of an epoch is the time of its matrix products alone: for one
hidden layer, per batch, ``X @ W1``, ``H @ W2`` (forward), ``H.T @ D2``,
``D2 @ W2.T`` and ``X.T @ D1`` (backward), on preallocated arrays (for
prediction, ``X @ W1`` and ``H @ W2``). Everything else a training loop does
(activations, loss, gathering shuffled rows, optimizer steps, Python) is
overhead on top of it, so ``time / bound`` says how close to the hardware an
implementation is.

Each row (setting) first runs one warm-up of each side (a one-epoch fit, or
one prediction), then ``--repeats`` rounds; a round runs the bound, ours and
scikit-learn's back to back, and alternates which of ours and scikit-learn's
goes first (A B, B A, ...). The ratios (ours / bound, scikit-learn / bound,
speedup = scikit-learn / ours) are computed within each round, so that a slow
moment of a shared machine falls on both sides of a ratio; the tables give
their median and, in brackets, their lowest and highest value over the rounds.
Times in ms are medians. A time per epoch is the time of a fit that runs
exactly ``max_iter`` epochs (``tol=0``, ``n_iter_no_change > max_iter``)
divided by ``n_iter_``, the same measure for both sides (our ``epoch_times_``,
the loop alone, is in the JSON output). The scaling table runs each size in a
fresh process, so that its peak memory is the fit's, with ``min(repeats, 3)``
rounds of bound and fit.

The two MLPs are designed to reach the same model from the same parameters
and seed, so for every MLP row the test scores (accuracy, or R^2 for the
regressors) of the last round must agree within 0.005: a row that does not
prints a FAIL line and the script exits with status 1 (after all tables).

On a busy machine the BLAS threads wait for each other and every time grows,
the bound included; the header gives the number of runnable threads of other
processes at the start (and the last line at the end), and warns when it is
not about zero. Run it on an idle machine.

Running it
----------
::

    python benchmarks/bench_speed.py                 # all tables, 7 repeats
    python benchmarks/bench_speed.py --quick         # 10k rows, fewer epochs, 5 repeats
    python benchmarks/bench_speed.py --only mlp,predict --json out.json

``--only`` takes a comma-separated subset of ``mlp``, ``regressor``,
``softmax``, ``predict`` and ``scaling``; ``--json PATH`` writes the machine,
every row (with the seconds of each round) and the failed checks. On an idle
2-core machine the full run takes about 10 minutes (mlp about 5, regressor
and softmax about 2 each, predict and scaling about 1 each) and ``--quick``
about 2 minutes. The output is Markdown, ready to paste into docs/user_guide/performance.rst.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
import warnings
from functools import cache

import numpy as np
import sklearn
from sklearn.datasets import load_diabetes, load_digits, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from sknumpynet import MLPClassifierNP, MLPRegressorNP, SoftmaxClassifier
from sknumpynet.datasets import make_mnist_like

HIDDEN = 100
SCORE_TOL = 0.005  # largest |score ours - score scikit-learn| of an MLP row
N_TEST = 5_000
TABLES = ("mlp", "regressor", "softmax", "predict", "scaling")
# Data sizes and epochs of each mode: n rows to train on (mnist-like and regression),
# epochs of the mini-batch rows, of the full-batch row, of the batch-1 digits rows
# and of the softmax rows, rows to predict, sizes of the scaling table.
MODES = {
    "full": dict(
        n=60_000,
        epochs=3,
        full_epochs=10,
        digits_epochs=3,
        softmax_epochs=10,
        predict=200_000,
        scaling=(6_000, 60_000, 600_000),
    ),
    "quick": dict(
        n=10_000,
        epochs=2,
        full_epochs=8,
        digits_epochs=2,
        softmax_epochs=5,
        predict=50_000,
        scaling=(6_000, 60_000),
    ),
}


# ------------------------------------------------------------------ machine
def machine_info():
    """The machine and software the numbers come from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            models = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        if models:
            cpu = f"{models[0]} ({platform.machine()})"
    except OSError:
        pass
    blas = []
    try:
        from threadpoolctl import threadpool_info

        for lib in threadpool_info():
            if lib.get("user_api") != "blas":
                continue
            owner = os.path.basename(os.path.dirname(lib["filepath"])).replace(".libs", "")
            blas.append(
                f"{lib['internal_api']} {lib.get('version')} ({owner}, "
                f"{lib['num_threads']} threads, {lib.get('architecture')})"
            )
    except ImportError:
        pass
    if not blas:
        try:
            config = np.show_config(mode="dicts")
            dep = config["Build Dependencies"]["blas"]
            blas.append(f"{dep.get('name')} {dep.get('version')} (numpy)")
        except Exception:  # older numpy: no dicts mode
            blas.append("unknown")
    return dict(
        date=datetime.datetime.now().isoformat(timespec="seconds"),
        cpu=cpu,
        cpu_count=os.cpu_count(),
        platform=platform.platform(),
        python=platform.python_version(),
        numpy=np.__version__,
        sklearn=sklearn.__version__,
        blas="; ".join(blas),
    )


def _running_elsewhere():
    """Runnable threads of other processes now (Linux ``/proc``), or None."""
    me, count = str(os.getpid()), 0
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit() and p != me]
    except OSError:
        return None
    for pid in pids:
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/stat") as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            count += state == "R"
    return count


def other_running(samples=10, interval=0.1):
    """Mean number of runnable threads of other processes, over a second.

    The benchmark's numbers are only meaningful when this is about zero: on a
    busy machine the BLAS threads wait for each other and every time grows.
    """
    counts = []
    for _ in range(samples):
        count = _running_elsewhere()
        if count is None:
            return None
        counts.append(count)
        time.sleep(interval)
    return float(np.mean(counts))


# -------------------------------------------------------------- the bounds
def blas_bound(X, n_outputs, batch_size, hidden=HIDDEN):
    """Seconds for the matrix products of one epoch, on preallocated buffers.

    ``hidden=None`` gives the bound of a linear model (``X @ W``, ``X.T @ D``).
    """
    n, d = X.shape
    rng = np.random.default_rng(0)
    m_max = min(batch_size, n)
    if hidden is None:
        W = rng.standard_normal((d, n_outputs)).astype(X.dtype)
        G = np.empty_like(W)
        Z = np.empty((m_max, n_outputs), X.dtype)
        start_time = time.perf_counter()
        for start in range(0, n, batch_size):
            Xb = X[start : start + batch_size]
            z = Z[: Xb.shape[0]]
            np.matmul(Xb, W, out=z)
            np.matmul(Xb.T, z, out=G)
        return time.perf_counter() - start_time
    W1 = rng.standard_normal((d, hidden)).astype(X.dtype)
    W2 = rng.standard_normal((hidden, n_outputs)).astype(X.dtype)
    G1, G2 = np.empty_like(W1), np.empty_like(W2)
    H = np.empty((m_max, hidden), X.dtype)
    D1 = np.empty_like(H)
    Z = np.empty((m_max, n_outputs), X.dtype)
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


# ------------------------------------------------------------- measurement
def _quiet_fit(est, X, y):
    """Seconds of ``est.fit(X, y)``, without convergence warnings."""
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        est.fit(X, y)
        return time.perf_counter() - start


def fitter(make, X, y, max_iter):
    """A timed fit: ``run()`` gives (seconds per epoch, fitted estimator).

    ``run(warmup=True)`` fits one epoch, untimed in effect (a warm-up).
    """

    def run(warmup=False):
        est = make(max_iter=1 if warmup else max_iter)
        seconds = _quiet_fit(est, X, y)
        return seconds / est.n_iter_, est

    return run


def interleave(repeats, bound, ours, theirs):
    """Warm up, then ``repeats`` rounds of bound, ours and theirs in alternating order.

    ``bound()`` returns seconds; ``ours(warmup=...)`` and ``theirs(warmup=...)``
    return ``(seconds, result)``. Returns the seconds of each side per round
    (arrays), the side that went first in each round and the last results.
    """
    bound()
    ours(warmup=True)
    theirs(warmup=True)
    times = {"bound": [], "ours": [], "sklearn": []}
    first, last = [], {}
    for i in range(repeats):
        times["bound"].append(bound())
        order = [("ours", ours), ("sklearn", theirs)]
        if i % 2:
            order.reverse()
        first.append(order[0][0])
        for name, run in order:
            seconds, last[name] = run()
            times[name].append(seconds)
    return {k: np.array(v) for k, v in times.items()}, first, last


def spread(values):
    values = np.asarray(values, dtype=float)
    return dict(median=float(np.median(values)), min=float(values.min()), max=float(values.max()))


def summarize(times):
    """Median times (ms) and the within-round ratios (median, min, max)."""
    bound, ours, theirs = times["bound"], times["ours"], times["sklearn"]
    return dict(
        bound_ms=1e3 * float(np.median(bound)),
        ours_ms=1e3 * float(np.median(ours)),
        sklearn_ms=1e3 * float(np.median(theirs)),
        ours_bound=spread(ours / bound),
        sklearn_bound=spread(theirs / bound),
        speedup=spread(theirs / ours),
        raw_seconds={k: v.tolist() for k, v in times.items()},
    )


def fmt_ratio(s):
    return f"{s['median']:.2f}x [{s['min']:.2f}–{s['max']:.2f}]"


def fmt_ms(ms):
    return f"{ms:.3g}" if ms < 1 else f"{ms:.1f}" if ms < 1000 else f"{ms:.0f}"


class Table:
    """A Markdown table, printed row by row as the rows are measured."""

    def __init__(self, title, explanation, columns):
        self.names = [c.lstrip(">") for c in columns]
        align = ["---:" if c.startswith(">") else "---" for c in columns]
        print(f"\n### {title}\n\n{explanation}\n", flush=True)
        print("| " + " | ".join(self.names) + " |")
        print("|" + "|".join(align) + "|", flush=True)

    def row(self, cells):
        print("| " + " | ".join(str(c) for c in cells) + " |", flush=True)


def check_scores(label, ours, theirs, failures, tol=SCORE_TOL):
    """Record a failure when the two test scores of an MLP row differ by more than tol."""
    ok = abs(ours - theirs) <= tol
    if not ok:
        failures.append(
            f"FAIL {label}: test score ours {ours:.4f} != scikit-learn {theirs:.4f} "
            f"(|diff| {abs(ours - theirs):.4f} > {tol})"
        )
    return ok


def print_failures(failures, start):
    for message in failures[start:]:
        print(f"\n{message}", flush=True)


# -------------------------------------------------------------------- data
@cache
def mnist(n, dtype):
    X, y = make_mnist_like(n + N_TEST, dtype=dtype, random_state=0)
    return X[:n], y[:n], X[n:], y[n:]


@cache
def digits(dtype):
    Xd, yd = load_digits(return_X_y=True)
    Xd = StandardScaler().fit_transform(Xd).astype(dtype)
    perm = np.random.RandomState(0).permutation(len(yd))
    Xd, yd = Xd[perm], yd[perm]
    return Xd[:1400], yd[:1400], Xd[1400:], yd[1400:]


@cache
def regression(n, dtype):
    X, y = make_regression(
        n_samples=n + N_TEST, n_features=784, n_informative=50, noise=10.0, random_state=0
    )
    y = (y - y[:n].mean()) / y[:n].std()
    # The target in the dtype of X, as a float32 pipeline would have it: scikit-learn
    # keeps a float64 target as it is and mixes it into its float32 products.
    X, y = X.astype(dtype), y.astype(dtype)
    return X[:n], y[:n], X[n:], y[n:]


@cache
def diabetes(dtype):
    """scikit-learn's diabetes set, features and target standardized: the
    regressor's counterpart of the per-sample digits rows."""
    Xd, yd = load_diabetes(return_X_y=True)
    perm = np.random.RandomState(0).permutation(len(yd))
    Xd, yd = Xd[perm], yd[perm]
    Xd = StandardScaler().fit_transform(Xd).astype(dtype)
    yd = ((yd - yd[:340].mean()) / yd[:340].std()).astype(dtype)
    return Xd[:340], yd[:340], Xd[340:], yd[340:]


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


# ------------------------------------------------------------ mlp tables
MLP_COLUMNS = [
    "data",
    "dtype",
    ">batch",
    "solver",
    ">epochs",
    ">bound ms",
    ">ours ms",
    ">sklearn ms",
    ">ours/bound",
    ">sklearn/bound",
    ">speedup",
    ">score ours",
    ">score sklearn",
]


def mlp_settings(mode):
    n, epochs = mode["n"], mode["epochs"]
    full_epochs, digits_epochs = mode["full_epochs"], mode["digits_epochs"]
    f32, f64 = np.float32, np.float64
    mn = f"mnist-like {n // 1000}k"
    return [
        (mn, mnist, n, f32, 200, "sgd", epochs),
        (mn, mnist, n, f32, 200, "adam", epochs),
        (mn, mnist, n, f32, 32, "sgd", epochs),
        (mn, mnist, n, f64, 200, "sgd", epochs),
        (mn, mnist, n, f64, 200, "adam", epochs),
        (mn, mnist, n, f32, n, "sgd", full_epochs),
        ("digits 1.4k", digits, None, f32, 1, "sgd", digits_epochs),
        ("digits 1.4k", digits, None, f64, 1, "sgd", digits_epochs),
    ]


def regressor_settings(mode):
    n, epochs = mode["n"], mode["epochs"]
    full_epochs, digits_epochs = mode["full_epochs"], mode["digits_epochs"]
    name = f"regression {n // 1000}k"
    f32, f64 = np.float32, np.float64
    # the rows of the classifier's table, per-sample SGD on diabetes for digits
    return [
        (name, regression, n, f32, 200, "sgd", epochs),
        (name, regression, n, f32, 200, "adam", epochs),
        (name, regression, n, f32, 32, "sgd", epochs),
        (name, regression, n, f64, 200, "sgd", epochs),
        (name, regression, n, f64, 200, "adam", epochs),
        (name, regression, n, f32, n, "sgd", full_epochs),
        ("diabetes 340", diabetes, None, f32, 1, "sgd", 4 * digits_epochs),
        ("diabetes 340", diabetes, None, f64, 1, "sgd", 4 * digits_epochs),
    ]


def mlp_table(settings, ours_cls, sk_cls, repeats, failures, title, score_name):
    start_failures = len(failures)
    table = Table(
        title,
        "Per epoch (fit time / epochs): BLAS bound (matrix products alone), ours, "
        "scikit-learn's, median ms; ratios per round, median [min–max] over the rounds; "
        f"speedup = sklearn / ours; test {score_name} of the last round (must agree "
        f"within {SCORE_TOL}).",
        MLP_COLUMNS,
    )
    rows = []
    for name, load, n, dtype, batch, solver, epochs in settings:
        X, y, X_test, y_test = load(n, dtype) if n is not None else load(dtype)
        n_outputs = len(np.unique(y)) if ours_cls is MLPClassifierNP else 1
        params = mlp_params(solver, batch, epochs)
        full = batch == len(y)
        times, first, last = interleave(
            repeats,
            lambda X=X, b=batch, k=n_outputs: blas_bound(X, k, b),
            fitter(lambda p=params, **kw: ours_cls(**{**p, **kw}), X, y, epochs),
            fitter(lambda p=params, **kw: sk_cls(**{**p, **kw}), X, y, epochs),
        )
        ours_est, sk_est = last["ours"], last["sklearn"]
        score_ours, score_sk = ours_est.score(X_test, y_test), sk_est.score(X_test, y_test)
        label = f"{name} {np.dtype(dtype).name} batch {'full' if full else batch} {solver}"
        ok = check_scores(label, score_ours, score_sk, failures)
        if ours_est.n_iter_ != epochs or sk_est.n_iter_ != epochs:
            failures.append(
                f"FAIL {label}: epochs run ours {ours_est.n_iter_}, scikit-learn "
                f"{sk_est.n_iter_}, expected {epochs}"
            )
        loop = getattr(ours_est, "epoch_times_", None)
        row = dict(
            data=name,
            dtype=np.dtype(dtype).name,
            batch="full" if full else batch,
            solver=solver,
            epochs=epochs,
            n_train=len(y),
            **summarize(times),
            first=first,
            ours_epoch_times_ms=None if not loop else 1e3 * float(np.mean(loop[-epochs:])),
            score_ours=float(score_ours),
            score_sklearn=float(score_sk),
            scores_agree=ok,
        )
        rows.append(row)
        table.row(
            [
                name,
                row["dtype"],
                row["batch"],
                solver,
                epochs,
                fmt_ms(row["bound_ms"]),
                fmt_ms(row["ours_ms"]),
                fmt_ms(row["sklearn_ms"]),
                fmt_ratio(row["ours_bound"]),
                fmt_ratio(row["sklearn_bound"]),
                fmt_ratio(row["speedup"]),
                f"{score_ours:.4f}",
                f"{score_sk:.4f}" + ("" if ok else " **FAIL**"),
            ]
        )
    print_failures(failures, start_failures)
    return rows


def softmax_table(mode, repeats, failures):
    """SoftmaxClassifier (mini-batch 200) against SGDClassifier(log_loss), per epoch."""
    n, epochs = mode["n"], mode["softmax_epochs"]
    table = Table(
        "SoftmaxClassifier (sgd, batch 200) vs SGDClassifier(loss='log_loss'), float64",
        "Per epoch (fit time / epochs), median ms; bound: the matrix products of a linear "
        "model in batches of 200; ratios per round, median [min–max]; the two are not the "
        "same model (SGDClassifier: per-sample, one-vs-rest), so the accuracies differ.",
        [
            "data",
            ">epochs",
            ">bound ms",
            ">ours ms",
            ">sklearn ms",
            ">ours/bound",
            ">sklearn/bound",
            ">speedup",
            ">acc ours",
            ">acc sklearn",
        ],
    )
    rows = []
    for name, (X, y, X_test, y_test) in [
        (f"mnist-like {n // 1000}k", mnist(n, np.float64)),
        ("digits 1.4k", digits(np.float64)),
    ]:
        n_classes = len(np.unique(y))

        def make_ours(max_iter):
            return SoftmaxClassifier(
                max_iter=max_iter, tol=0.0, n_iter_no_change=max_iter + 1, random_state=0
            )

        def make_sk(max_iter):
            return SGDClassifier(loss="log_loss", max_iter=max_iter, tol=None, random_state=0)

        times, first, last = interleave(
            repeats,
            lambda X=X, k=n_classes: blas_bound(X, k, 200, hidden=None),
            fitter(make_ours, X, y, epochs),
            fitter(make_sk, X, y, epochs),
        )
        acc = (last["ours"].score(X_test, y_test), last["sklearn"].score(X_test, y_test))
        row = dict(
            data=name,
            epochs=epochs,
            **summarize(times),
            first=first,
            acc_ours=float(acc[0]),
            acc_sklearn=float(acc[1]),
        )
        rows.append(row)
        table.row(
            [
                name,
                epochs,
                fmt_ms(row["bound_ms"]),
                fmt_ms(row["ours_ms"]),
                fmt_ms(row["sklearn_ms"]),
                fmt_ratio(row["ours_bound"]),
                fmt_ratio(row["sklearn_bound"]),
                fmt_ratio(row["speedup"]),
                f"{acc[0]:.4f}",
                f"{acc[1]:.4f}",
            ]
        )
    return rows


# ------------------------------------------------------------- prediction
def _alloc_peak_mib(fn):
    """Peak of what ``fn()`` allocates (tracemalloc), above what was allocated before."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - base) / 2**20


def predict_table(mode, repeats, failures):
    n = mode["predict"]
    n_fit = 5_000
    X, y = make_mnist_like(n, dtype=np.float32, random_state=0)
    params = mlp_params("adam", 200, 2)
    ours_est = MLPClassifierNP(**params)
    sk_est = MLPClassifier(**params)
    _quiet_fit(ours_est, X[:n_fit], y[:n_fit])
    _quiet_fit(sk_est, X[:n_fit], y[:n_fit])
    W1, W2 = (w.astype(np.float32) for w in ours_est.coefs_)
    H = np.empty((n, W1.shape[1]), np.float32)
    Z = np.empty((n, W2.shape[1]), np.float32)

    def bound():
        start = time.perf_counter()
        np.matmul(X, W1, out=H)
        np.matmul(H, W2, out=Z)
        return time.perf_counter() - start

    def timed(est):
        def run(warmup=False):
            gc.collect()
            start = time.perf_counter()
            proba = est.predict_proba(X)
            return time.perf_counter() - start, proba

        return run

    table = Table(
        f"predict_proba, {n // 1000}k x 784 float32, one hidden layer of {HIDDEN}",
        "bound: X @ W1 and H @ W2 into preallocated arrays; median ms; ratios per round, "
        "median [min–max]; speedup = sklearn / ours.",
        [
            ">rows",
            ">bound ms",
            ">ours ms",
            ">sklearn ms",
            ">ours/bound",
            ">sklearn/bound",
            ">speedup",
        ],
    )
    times, first, last = interleave(repeats, bound, timed(ours_est), timed(sk_est))
    max_diff = float(np.max(np.abs(last["ours"] - last["sklearn"])))
    del last
    row = dict(n=n, **summarize(times), first=first, max_abs_proba_diff=max_diff)
    table.row(
        [
            n,
            fmt_ms(row["bound_ms"]),
            fmt_ms(row["ours_ms"]),
            fmt_ms(row["sklearn_ms"]),
            fmt_ratio(row["ours_bound"]),
            fmt_ratio(row["sklearn_bound"]),
            fmt_ratio(row["speedup"]),
        ]
    )
    print(f"\nLargest |probability ours - scikit-learn|: {max_diff:.2e}")

    memory = Table(
        "Peak memory of predict_proba",
        "Peak of what one call allocates (tracemalloc peak minus the baseline), MiB; for "
        f"scale, the hidden layer (rows x {HIDDEN} float32) and the output (rows x 10 "
        "float32).",
        [">rows", ">ours MiB", ">sklearn MiB", ">hidden layer MiB", ">output MiB"],
    )
    mem_rows = []
    for m in (n // 4, n):
        Xm = X[:m]
        peaks = [
            _alloc_peak_mib(lambda e=e, Xm=Xm: e.predict_proba(Xm)) for e in (ours_est, sk_est)
        ]
        mem = dict(
            n=m,
            ours_mib=peaks[0],
            sklearn_mib=peaks[1],
            hidden_mib=m * HIDDEN * 4 / 2**20,
            output_mib=m * 10 * 4 / 2**20,
        )
        mem_rows.append(mem)
        memory.row(
            [
                m,
                f"{peaks[0]:.1f}",
                f"{peaks[1]:.1f}",
                f"{mem['hidden_mib']:.1f}",
                f"{mem['output_mib']:.1f}",
            ]
        )
    row["memory"] = mem_rows
    return [row]


# ----------------------------------------------------------------- scaling
def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _scaling_worker(n_samples, epochs, repeats):
    """Run in a fresh process: time and peak memory of float32 fits.

    The peak RSS is reset (Linux ``clear_refs``) after the data is generated,
    so that it measures the fits alone; ``tracemalloc`` separately measures
    the peak of what a fit allocates through numpy (in a last, untimed fit).
    """
    X, y = make_mnist_like(n_samples, dtype=np.float32, random_state=0)
    data_mb = X.nbytes / 2**20
    # warm up imports and BLAS buffers
    _quiet_fit(MLPClassifierNP(**mlp_params("sgd", 200, 1)), X[:1000], y[:1000])
    blas_bound(X[:1000], 10, 200)
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak RSS to the current RSS
    except OSError:
        pass
    rss_before = _rss_mb()
    params = mlp_params("sgd", 200, epochs)
    run = fitter(lambda **kw: MLPClassifierNP(**{**params, **kw}), X, y, epochs)
    bounds, fits = [], []
    for _ in range(repeats):
        bounds.append(blas_bound(X, 10, 200))
        fits.append(run()[0])
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    with open("/proc/self/status") as f:
        hwm = [line for line in f if line.startswith("VmHWM")]
    if hwm:
        peak_rss = int(hwm[0].split()[1]) / 2**10
    traced = _alloc_peak_mib(
        lambda: _quiet_fit(MLPClassifierNP(**mlp_params("sgd", 200, 1)), X, y)
    )
    bounds, fits = np.array(bounds), np.array(fits)
    print(
        json.dumps(
            dict(
                n_samples=n_samples,
                epochs=epochs,
                repeats=repeats,
                ms_per_epoch=1e3 * float(np.median(fits)),
                bound_ms=1e3 * float(np.median(bounds)),
                ours_bound=spread(fits / bounds),
                raw_seconds=dict(bound=bounds.tolist(), ours=fits.tolist()),
                data_mb=data_mb,
                rss_before_mb=rss_before,
                peak_rss_mb=peak_rss,
                fit_alloc_peak_mb=traced,
            )
        )
    )


def scaling_table(mode, repeats, failures):
    sizes = mode["scaling"]
    table = Table(
        "Scaling: MLPClassifierNP, float32, sgd, batch 200, one fresh process per size",
        "ms/epoch: median over rounds; us/sample: per-sample time, and relative to the 60k "
        "row; /bound: epoch over its BLAS bound, median [min–max]; RSS peak/data: the "
        "process's peak RSS during the fits over the data size (data included); fit/data: "
        "that peak minus the RSS before the fits, over the data size; alloc/data: peak of "
        "numpy allocations of one fit (tracemalloc) over the data size.",
        [
            ">n_samples",
            ">epochs",
            ">ms/epoch",
            ">us/sample",
            ">vs 60k",
            ">/bound",
            ">data MiB",
            ">RSS peak/data",
            ">fit/data",
            ">alloc/data",
        ],
    )
    rows = []
    worker_repeats = min(repeats, 3)
    for n in sizes:
        epochs = max(2, 120_000 // n)
        cmd = [sys.executable, os.path.abspath(__file__), "--scaling-worker", str(n)]
        cmd += ["--epochs", str(epochs), "--repeats", str(worker_repeats)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            failures.append(f"FAIL scaling {n}: worker exited {proc.returncode}")
            print(proc.stderr[-2000:], file=sys.stderr)
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        r["us_per_sample"] = 1e3 * r["ms_per_epoch"] / n
        rows.append(r)
    ref = next((r["us_per_sample"] for r in rows if r["n_samples"] == 60_000), None)
    for r in rows:
        r["per_sample_vs_60k"] = None if ref is None else r["us_per_sample"] / ref
        growth = r["peak_rss_mb"] - r["rss_before_mb"]
        table.row(
            [
                r["n_samples"],
                r["epochs"],
                fmt_ms(r["ms_per_epoch"]),
                f"{r['us_per_sample']:.2f}",
                "" if ref is None else f"{r['per_sample_vs_60k']:.2f}",
                fmt_ratio(r["ours_bound"]),
                f"{r['data_mb']:.1f}",
                f"{r['peak_rss_mb'] / r['data_mb']:.2f}",
                f"{growth / r['data_mb']:.3f}",
                f"{r['fit_alloc_peak_mb'] / r['data_mb']:.3f}",
            ]
        )
    return rows


# -------------------------------------------------------------------- main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="10k rows instead of 60k, fewer epochs, 5 repeats"
    )
    parser.add_argument(
        "--repeats", type=int, default=None, help="rounds per row (default 7, 5 with --quick)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write all results as JSON")
    parser.add_argument(
        "--only",
        metavar="TABLES",
        default=",".join(TABLES),
        help=f"comma-separated tables to run, of: {', '.join(TABLES)} (default: all)",
    )
    parser.add_argument("--scaling-worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    repeats = args.repeats or (5 if args.quick else 7)
    if repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.scaling_worker:
        _scaling_worker(args.scaling_worker, epochs=args.epochs, repeats=repeats)
        return 0
    only = [t.strip() for t in args.only.split(",") if t.strip()]
    unknown = sorted(set(only) - set(TABLES))
    if unknown:
        parser.error(f"unknown tables {unknown}; choose from {', '.join(TABLES)}")

    machine = machine_info()
    machine["other_running_before"] = other_running()
    started = time.perf_counter()
    print("## sknumpynet speed benchmark\n")
    print(f"- date: {machine['date']}")
    print(f"- machine: {machine['cpu']}, {machine['cpu_count']} logical CPUs")
    print(
        f"- python {machine['python']}, numpy {machine['numpy']}, "
        f"scikit-learn {machine['sklearn']}"
    )
    print(f"- BLAS: {machine['blas']}")
    busy = machine["other_running_before"]
    if busy is not None:
        print(f"- other runnable threads at the start: {busy:.1f} (mean over a second)")
        if busy >= 0.5:
            print(
                "- **warning**: the machine is busy; other processes slow the BLAS "
                "threads down and make the numbers unreliable"
            )
    print(
        f"- {'quick' if args.quick else 'full'} mode, {repeats} interleaved rounds per row "
        f"after one warm-up; MLPs: one hidden layer of {HIDDEN} ReLU units",
        flush=True,
    )

    failures = []
    mode = MODES["quick" if args.quick else "full"]
    results = {
        "machine": machine,
        "quick": args.quick,
        "repeats": repeats,
        "mode": mode,
        "tables": {},
    }
    tables = results["tables"]
    for name in TABLES:
        if name not in only:
            continue
        if name == "mlp":
            tables[name] = mlp_table(
                mlp_settings(mode),
                MLPClassifierNP,
                MLPClassifier,
                repeats,
                failures,
                "MLPClassifierNP vs MLPClassifier, time per epoch",
                "accuracy",
            )
        elif name == "regressor":
            tables[name] = mlp_table(
                regressor_settings(mode),
                MLPRegressorNP,
                MLPRegressor,
                repeats,
                failures,
                "MLPRegressorNP vs MLPRegressor, time per epoch (make_regression, 784 features)",
                "R^2",
            )
        elif name == "softmax":
            tables[name] = softmax_table(mode, repeats, failures)
        elif name == "predict":
            tables[name] = predict_table(mode, repeats, failures)
        elif name == "scaling":
            tables[name] = scaling_table(mode, repeats, failures)
    results["failures"] = failures
    results["seconds"] = time.perf_counter() - started
    machine["other_running_after"] = busy = other_running()
    end = "" if busy is None else f"; other runnable threads at the end: {busy:.1f}"
    print(f"\n(ran in {results['seconds']:.0f} s{end})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2, default=float)
    if failures:
        print(f"\n{len(failures)} FAILED check(s):")
        for message in failures:
            print(message)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
