"""Per-epoch cost of each training-recipe option against the default, on digits.

MLPClassifierNP with Adam and 100 hidden units on digits (1,797 x 64,
standardized), in float64 mini-batches of 200 and 32 and float32 batches of
200; batches of 32 show the Python work per step. Each option (decoupled
weight decay, a schedule with warm-up, clipping, label smoothing, SELU,
Mish, and all of RealMLP's at once) is fitted alternately with the default,
repeat after repeat, so that a slow moment of a shared machine falls on
both; the table gives the median milliseconds per epoch, the spread (lowest
to highest) and the median of the per-repeat ratios to the default fitted
next to it. The first row of each setting is the time of the epoch's matrix
products alone (forward and backward, no loss, no activation, no step): the
BLAS bound of the setting.

    python benchmarks/bench_recipe.py [--repeats 7] [--threads 1]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sknumpynet import MLPClassifierNP

HIDDEN = 100

OPTIONS = [
    ("weight_decay=1e-2", {"weight_decay": 1e-2}),
    ("lr_schedule=cosine", {"lr_schedule": "cosine"}),
    ("coslog4 + warmup 0.1", {"lr_schedule": "coslog4", "warmup_fraction": 0.1}),
    ("max_grad_norm=1", {"max_grad_norm": 1.0}),
    ("label_smoothing=0.1", {"label_smoothing": 0.1}),
    ("activation=selu", {"activation": "selu"}),
    ("activation=mish", {"activation": "mish"}),
    ("activation=gelu (reference)", {"activation": "gelu"}),
    (
        "all (mish, coslog4, wd, ls, clip)",
        {
            "activation": "mish",
            "lr_schedule": "coslog4",
            "weight_decay": 1e-2,
            "label_smoothing": 0.1,
            "max_grad_norm": 1.0,
        },
    ),
]


def settings():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return [
        ("f64 b200", X, y, 200, 20),
        ("f64 b32", X, y, 32, 4),
        ("f32 b200", X.astype(np.float32), y, 200, 20),
    ]


def epoch_seconds(X, y, batch_size: int, epochs: int, **params) -> float:
    clf = MLPClassifierNP(
        hidden_layer_sizes=(HIDDEN,),
        batch_size=batch_size,
        max_iter=epochs,
        n_iter_no_change=np.inf,
        random_state=0,
        **params,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        clf.fit(X, y)
        seconds = time.perf_counter() - start
    assert clf.n_iter_ == epochs
    return seconds / epochs


def blas_seconds(X, batch_size: int, repeats: int = 3) -> float:
    """An epoch's matrix products alone: the floor of any option's epoch."""
    rng = np.random.RandomState(0)
    W1 = rng.randn(X.shape[1], HIDDEN).astype(X.dtype)
    W2 = rng.randn(HIDDEN, 10).astype(X.dtype)
    H = np.empty((batch_size, HIDDEN), dtype=X.dtype)
    Z = np.empty((batch_size, 10), dtype=X.dtype)
    G1, G2 = np.empty_like(W1), np.empty_like(W2)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for s in range(0, X.shape[0] - batch_size + 1, batch_size):
            Xb = X[s : s + batch_size]
            np.matmul(Xb, W1, out=H)
            np.matmul(H, W2, out=Z)
            np.matmul(H.T, Z, out=G2)
            np.matmul(Z, W2.T, out=H)
            np.matmul(Xb.T, H, out=G1)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    args = parser.parse_args(argv)
    rows = []
    with threadpool_limits(limits=args.threads):
        for name, X, y, batch_size, epochs in settings():
            rows.append((name, "BLAS bound (matmuls only)", [blas_seconds(X, batch_size)], None))
            for label, params in OPTIONS:
                base, timed = [], []
                for repeat in range(args.repeats):
                    pair = [({}, base), (params, timed)]
                    for p, out in pair if repeat % 2 == 0 else pair[::-1]:
                        out.append(epoch_seconds(X, y, batch_size, epochs, **p))
                rows.append((name, label, timed, base))
    print(
        f"ms per epoch, MLPClassifierNP((100,)) Adam on digits; median [lowest-highest] of "
        f"{args.repeats} repeats interleaved with the default; ratio: median of the "
        f"per-repeat ratios; BLAS threads: {args.threads}"
    )
    print(f"{'setting':9} {'option':34} {'ms/epoch':>9} {'spread':>17} {'ratio':>6}")
    for name, label, timed, base in rows:
        t = np.array(timed) * 1e3
        ratio = "" if base is None else f"{np.median(np.array(timed) / np.array(base)):6.3f}"
        spread = f"[{t.min():6.2f}-{t.max():6.2f}]"
        print(f"{name:9} {label:34} {np.median(t):9.2f} {spread:>17} {ratio:>6}")


if __name__ == "__main__":
    main()
