"""Where the time of one training batch goes, phase by phase.

Runs epochs of MLPClassifierNP's own training loop pieces (the network and
optimizer it fits with) on the benchmark's generated 60k x 784 set, with a
clock around each phase of every batch:

- gather: the shuffled rows (and targets) into the batch buffers;
- forward: the hidden and output layers;
- loss: the fused loss and its gradient with respect to the logits;
- backward: the matrix products and derivatives down to the first layer;
- penalty: the L2 term (its loss and its gradient);
- step: the optimizer's update of the parameters;
- python: the rest of an epoch (loop, slicing, clock reads).

The BLAS bound (the five matrix products of the batch, alone, on the same
rows) is measured in the same run, between the epochs. Each figure is the
median over epochs, in microseconds per batch and as a fraction of the bound.

    python benchmarks/profile_batch.py [--dtype float32] [--batch-size 200] [--epochs 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from sknumpynet._network import Network
from sknumpynet._optimizers import AdamOptimizer, SGDOptimizer
from sknumpynet.datasets import make_mnist_like

PHASES = ("gather", "forward", "loss", "backward", "penalty", "step", "python")


def profile_epoch(net, optimizer, X, Y, order, batch_size, alpha):
    """Seconds per phase for one epoch, and the epoch's total."""
    clock = time.perf_counter
    totals = dict.fromkeys(PHASES, 0.0)
    n, d = X.shape
    X_buf = np.empty((batch_size, d), X.dtype)
    Y_buf = np.empty((batch_size, Y.shape[1]), Y.dtype)
    epoch_start = clock()
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        m = idx.shape[0]
        t0 = clock()
        Xb = np.take(X, idx, axis=0, out=X_buf[:m], mode="clip")
        Yb = np.take(Y, idx, axis=0, out=Y_buf[:m], mode="clip")
        t1 = clock()
        views = net._buffers(m)
        Z = net.forward(Xb, views)
        t2 = clock()
        net._loss(Z, Yb, None, optimizer.grad_scale)
        t3 = clock()
        net.backward(Xb, Z, views)
        t4 = clock()
        if alpha:
            net.add_penalty(alpha, m, optimizer.grad_scale)
        t5 = clock()
        optimizer.step(net.params, net.grads)
        t6 = clock()
        for phase, seconds in zip(PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)):
            totals[phase] += seconds
    total = clock() - epoch_start
    totals["python"] = total - sum(totals[p] for p in PHASES[:-1])
    return totals, total


def blas_bound(X, order, W1, W2, batch_size):
    """Seconds of the five matrix products of an epoch on gathered rows (gather not timed)."""
    hidden, n_out = W2.shape
    H = np.empty((batch_size, hidden), X.dtype)
    D = np.empty_like(H)
    Z = np.empty((batch_size, n_out), X.dtype)
    G1, G2 = np.empty_like(W1), np.empty_like(W2)
    Xb = np.empty((batch_size, X.shape[1]), X.dtype)
    seconds = 0.0
    for start in range(0, X.shape[0], batch_size):
        idx = order[start : start + batch_size]
        m = idx.shape[0]
        xb = np.take(X, idx, axis=0, out=Xb[:m], mode="clip")
        h, d, z = H[:m], D[:m], Z[:m]
        t0 = time.perf_counter()
        np.matmul(xb, W1, out=h)
        np.matmul(h, W2, out=z)
        np.matmul(h.T, z, out=G2)
        np.matmul(z, W2.T, out=d)
        np.matmul(xb.T, d, out=G1)
        seconds += time.perf_counter() - t0
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--n-samples", type=int, default=60_000)
    parser.add_argument("--alpha", type=float, default=1e-4)
    args = parser.parse_args(argv)
    dtype = np.dtype(args.dtype)
    X, y = make_mnist_like(args.n_samples, dtype=dtype, random_state=0)
    Y = np.eye(10, dtype=dtype)[y]
    n_batches = -(-X.shape[0] // args.batch_size)
    print(
        f"{X.shape[0]} x {X.shape[1]} {dtype.name}, batch {args.batch_size}, one hidden layer "
        f"of 100 ReLU, alpha {args.alpha}; median of {args.epochs} epochs, us per batch "
        "(fraction of the BLAS bound)"
    )
    for solver in ("sgd", "adam"):
        rng = np.random.RandomState(0)
        net = Network([X.shape[1], 100, 10], "relu", "softmax", dtype)
        net.initialize(rng)
        net.allocate(args.batch_size)
        if solver == "sgd":
            optimizer = SGDOptimizer(net.params.size, dtype, learning_rate_init=0.01)
        else:
            optimizer = AdamOptimizer(net.params.size, dtype, learning_rate_init=0.001)
        order = np.arange(X.shape[0])
        phases, bounds, totals = [], [], []
        for _ in range(args.epochs):
            rng.shuffle(order)
            bounds.append(blas_bound(X, order, net.coefs[0], net.coefs[1], args.batch_size))
            per_phase, total = profile_epoch(
                net, optimizer, X, Y, order, args.batch_size, args.alpha
            )
            phases.append(per_phase)
            totals.append(total)
        bound = np.median(bounds) / n_batches * 1e6
        cells = []
        for phase in PHASES:
            us = np.median([p[phase] for p in phases]) / n_batches * 1e6
            cells.append(f"{phase} {us:.0f} ({us / bound:.2f})")
        total = np.median(totals) / n_batches * 1e6
        print(
            f"{solver:<5} bound {bound:.0f}  total {total:.0f} ({total / bound:.2f})  "
            + ", ".join(cells)
        )


if __name__ == "__main__":
    main()
