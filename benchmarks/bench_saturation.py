"""Fit time of a float32 network whose units saturate, against scikit-learn's.

When the pre-activations of logistic (or softplus, GELU, SiLU, Mish) units
pass about -87, their outputs and derivatives fall below
float32's normal range, and a matrix product that reads such subnormal
numbers runs 20 to 170 times slower in OpenBLAS. sknumpynet flushes the
layers' outputs and errors below ``2**-63`` to zero before a product reads
them (see ``sknumpynet._activations.flush_tiny``).

The setting: a logistic network of two layers of 256 units, Adam at
``learning_rate_init``, on 20,000 generated rows of 40 features scaled by
``--scale`` (10 by default, which saturates many units within a few epochs)
in float32. Compared, in alternating order repeat after repeat: scikit-learn's
``MLPClassifier``, ``MLPClassifierNP``, and ``MLPClassifierNP`` with the
flush turned off. The table gives CPU seconds per fit (``time.process_time``,
one BLAS thread): the median, the spread (lowest to highest) and the median
of the per-repeat ratios to scikit-learn's.

    python benchmarks/bench_saturation.py [--repeats 3] [--scale 10] [--epochs 15]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

import sknumpynet._network as network
from sknumpynet import MLPClassifierNP


def _no_flush(a, buf=None) -> None:
    """What the network did before it flushed tiny numbers: nothing."""


def fit_seconds(model, X, y, flush: bool) -> tuple[float, float]:
    """CPU seconds of ``model.fit`` and its training accuracy."""
    real = network.flush_tiny
    network.flush_tiny = real if flush else _no_flush
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.process_time()
            model.fit(X, y)
            seconds = time.process_time() - start
    finally:
        network.flush_tiny = real
    return seconds, model.score(X, y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    args = parser.parse_args()
    X, y = make_classification(20000, 40, n_informative=20, n_classes=5, random_state=0)
    X = (X * args.scale).astype(np.float32)
    params = dict(
        hidden_layer_sizes=(256, 256),
        activation="logistic",
        max_iter=args.epochs,
        learning_rate_init=args.learning_rate,
        random_state=0,
    )
    rows = [
        ("scikit-learn MLPClassifier", MLPClassifier, True),
        ("MLPClassifierNP", MLPClassifierNP, True),
        ("MLPClassifierNP, no flush", MLPClassifierNP, False),
    ]
    seconds = {label: [] for label, _, _ in rows}
    accuracy = {}
    with threadpool_limits(1):
        for repeat in range(args.repeats):
            for label, cls, flush in rows if repeat % 2 == 0 else rows[::-1]:
                s, accuracy[label] = fit_seconds(cls(**params), X, y, flush)
                seconds[label].append(s)
    reference = np.array(seconds[rows[0][0]])
    print(f"float32 logistic (256, 256), 20,000 x 40 scaled by {args.scale:g}, ", end="")
    print(f"{args.epochs} epochs, {args.repeats} repeats")
    print("| model | CPU s per fit (spread) | ratio to scikit-learn | training accuracy |")
    print("|---|---|---|---|")
    for label, _, _ in rows:
        s = np.array(seconds[label])
        print(
            f"| {label} | {np.median(s):.2f} ({s.min():.2f}-{s.max():.2f}) | "
            f"{np.median(s / reference):.2f} | {accuracy[label]:.3f} |"
        )


if __name__ == "__main__":
    main()
