"""Training beyond memory: streaming throughput, distributed L-BFGS, peak memory, accuracy.

Prints four tables:

1. **Throughput.** Rows per second of mini-batch epochs on data that fits in
   memory: the in-memory fit, the same array streamed (``stream(X)``, 4 MiB
   blocks, a buffer of 8) and a memory map streamed, interleaved in each of
   ``--repeats`` rounds with their order rotated; medians and ranges, and the
   per-round ratio to the in-memory fit.
2. **Distributed L-BFGS.** Seconds per evaluation of the full objective (loss
   and gradient): in memory, and on a 2-worker ``LocalCluster`` (processes,
   one thread each) with the weights scattered once per evaluation and the
   block sums reduced on the workers; interleaved rounds, and the bytes that
   travel per evaluation.
3. **Memory.** A child process trains one epoch from a memory map several
   times larger than the memory it may use (``--budget-mib``) and reports
   its peak resident memory (``resource.getrusage`` in the child), beside
   the map's size and the child's memory right after its imports.
4. **Accuracy** (with ``--million``). A generated 1-million-row
   classification problem, trained from a memory map (streamed) and in
   memory with the same parameters: the test accuracies and their difference.

    python benchmarks/bench_streaming.py [--repeats 7] [--map-gib 1.5] [--million]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sknumpynet import MLPClassifierNP, MLPRegressorNP, stream


def _span(values) -> str:
    values = np.asarray(values)
    return f"{np.median(values):.3g} [{values.min():.3g}-{values.max():.3g}]"


def _data(n, d, seed=0, dtype=np.float32):
    X, y = make_classification(
        n, d, n_informative=d // 2, n_classes=4, n_clusters_per_class=2, random_state=seed
    )
    return X.astype(dtype), y


def throughput(repeats: int, tmp: Path) -> None:
    n, d, epochs = 200_000, 32, 2
    X, y = _data(n, d)
    np.save(tmp / "throughput.npy", X)
    mapped = np.load(tmp / "throughput.npy", mmap_mode="r")
    est = MLPClassifierNP((64,), batch_size=200, max_iter=epochs, tol=0, random_state=0)
    cases = {
        "in memory": lambda: X,
        "stream(X)": lambda: stream(X),
        "stream(memory map)": lambda: stream(mapped),
    }
    times = {name: [] for name in cases}
    for r in range(repeats):
        names = list(cases)
        names = names[r % len(names) :] + names[: r % len(names)]
        for name in names:
            start = time.perf_counter()
            est.fit(cases[name](), y)
            times[name].append(time.perf_counter() - start)
    print(
        f"\n1. Throughput: {n} x {d} float32, 64 units, batch 200, {epochs} epochs, "
        f"{repeats} interleaved rounds"
    )
    print(f"{'source':<22}{'rows/s (median [range])':>30}{'time / in memory':>24}")
    base = np.asarray(times["in memory"])
    for name, t in times.items():
        t = np.asarray(t)
        print(f"{name:<22}{_span(n * epochs / t):>30}{_span(t / base):>24}")


def lbfgs(repeats: int) -> None:
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    from sknumpynet import _distributed

    n, d, hidden, n_blocks = 200_000, 32, 64, 8
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, d))
    y = X[:, 0] - np.sin(X[:, 1]) + 0.1 * rng.normal(size=n)
    est = MLPRegressorNP(hidden_layer_sizes=(hidden,), solver="lbfgs", random_state=0)
    problem = est._build_problem(
        X, y, None, None, incremental=False, first=True, random_state=rng
    )[0]
    net = problem.net
    theta = net.params.astype(np.float64)
    net.allocate(n)

    def memory():
        net.params[...] = theta
        net.loss_grad(problem.X, problem.Y, None, problem.alpha)
        return net.grads.astype(np.float64)

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        Xd = da.from_array(X, chunks=(n // n_blocks, d))
        streamed = est._build_problem(
            Xd, y, None, None, incremental=False, first=True, random_state=np.random.RandomState(0)
        )[0]
        streamed.net.params[...] = theta
        spread = _distributed.distributed_objective(client, streamed)
        spread(theta)  # persists the blocks on the workers
        times = {"in memory (1 process)": [], "2 workers": []}
        for r in range(repeats):
            for name in list(times) if r % 2 == 0 else list(times)[::-1]:
                start = time.perf_counter()
                grad = memory() if name.startswith("in") else spread(theta)[1]
                times[name].append(time.perf_counter() - start)
        difference = np.abs(spread(theta)[1] - memory()).max()
    p = net.params.shape[0]
    print(
        f"\n2. L-BFGS evaluation: {n} x {d} float64, {hidden} units ({p} weights), "
        f"{n_blocks} blocks, {repeats} interleaved rounds"
    )
    print(f"{'where':<24}{'s / evaluation (median [range])':>34}")
    for name, t in times.items():
        print(f"{name:<24}{_span(t):>34}")
    ratio = np.asarray(times["2 workers"]) / np.asarray(times["in memory (1 process)"])
    print(f"2 workers / in memory: {_span(ratio)}; largest gradient difference {difference:.2e}")
    print(
        f"bytes per evaluation: weights out {8 * p} x 2 workers, "
        f"{n_blocks} block sums of {8 * (p + 1)} reduced on the workers, "
        f"one {8 * (p + 1)} back; the data stays put ({X.nbytes / 2**20:.0f} MiB)"
    )
    del grad


CHILD = """
import resource, sys, time, warnings
import numpy as np
from sknumpynet import MLPClassifierNP
def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def hwm_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")
path, y_path = sys.argv[1], sys.argv[2]
if sys.argv[3] == "keep":  # the map's pages are not given back after each block
    from sknumpynet import _streaming
    _streaming.BlockStream._drop_pages = lambda self, start, stop: None
X = np.load(path, mmap_mode="r")
y = np.load(y_path)
baseline = rss_mib()
warnings.simplefilter("ignore")
start = time.perf_counter()
clf = MLPClassifierNP((32,), batch_size=256, max_iter=1, random_state=0).fit(X, y)
elapsed = time.perf_counter() - start
print(baseline, rss_mib(), elapsed, X.shape[0], hwm_mib())
"""


def peak_memory(map_gib: float, budget_mib: int, tmp: Path) -> None:
    d = 128
    n = int(map_gib * 2**30 / (4 * d))
    path, y_path = tmp / "big.npy", tmp / "big_y.npy"
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, d))
    rng = np.random.default_rng(0)
    w = rng.normal(size=d).astype(np.float32)
    y = np.empty(n, dtype=np.int8)
    step = 1 << 16
    for start in range(0, n, step):
        block = rng.standard_normal((min(step, n - start), d), dtype=np.float32)
        X[start : start + block.shape[0]] = block
        y[start : start + block.shape[0]] = block @ w > 0
    X.flush()
    del X
    np.save(y_path, y)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    # Started through a small launcher: a child started by this process
    # directly would inherit, in its ru_maxrss, the peak of this process's
    # memory (Linux records it across the exec of a vfork'ed child).
    launcher = "import subprocess, sys; subprocess.run(sys.argv[1:], check=True)"
    size = path.stat().st_size / 2**20
    rows = np.load(path, mmap_mode="r").shape[0]
    print(
        f"\n3. Memory: one epoch from a {size:.0f} MiB memory map ({rows} x {d} float32), "
        f"budget {budget_mib} MiB"
    )
    for mode in ("drop", "keep"):
        out = subprocess.run(
            [sys.executable, "-c", launcher, sys.executable, "-c", CHILD]
            + [str(path), str(y_path), mode],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout.split()
        baseline, peak, elapsed, hwm = (float(out[i]) for i in (0, 1, 2, 4))
        what = "pages given back" if mode == "drop" else "pages kept (for comparison)"
        print(
            f"{what}: child peak RSS {peak:.0f} MiB (VmHWM {hwm:.0f}; after imports "
            f"{baseline:.0f} MiB, training adds {peak - baseline:.0f} MiB); map / budget "
            f"{size / budget_mib:.1f}x; peak / map {peak / size:.2f}; {rows / elapsed:.3g} "
            f"rows/s; {'within budget' if peak <= budget_mib else 'OVER BUDGET'}"
        )


def million(tmp: Path) -> None:
    n_train, n_test, d = 1_000_000, 200_000, 20
    X, y = make_classification(
        n_train + n_test,
        d,
        n_informative=12,
        n_classes=3,
        n_clusters_per_class=3,
        flip_y=0.02,
        random_state=0,
    )
    X = X.astype(np.float32)
    X_train, y_train, X_test, y_test = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
    np.save(tmp / "million.npy", X_train)
    mapped = np.load(tmp / "million.npy", mmap_mode="r")
    est = MLPClassifierNP((64,), batch_size=256, max_iter=3, random_state=0)
    start = time.perf_counter()
    memory = est.fit(X_train, y_train).score(X_test, y_test)
    t_memory = time.perf_counter() - start
    start = time.perf_counter()
    streamed = est.fit(stream(mapped), y_train).score(X_test, y_test)
    t_streamed = time.perf_counter() - start
    print(
        f"\n4. Accuracy: {n_train} training rows x {d} float32, 3 classes, 64 units, "
        f"3 epochs, {n_test} test rows"
    )
    print(
        f"in memory {memory:.4f} ({t_memory:.1f} s), streamed from a memory map "
        f"{streamed:.4f} ({t_streamed:.1f} s): difference {abs(memory - streamed):.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--map-gib", type=float, default=1.5)
    parser.add_argument("--budget-mib", type=int, default=400)
    parser.add_argument("--million", action="store_true")
    parser.add_argument("--only", choices=["throughput", "lbfgs", "memory", "million"])
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.only in (None, "throughput"):
            throughput(args.repeats, tmp)
        if args.only in (None, "lbfgs"):
            lbfgs(args.repeats)
        if args.only in (None, "memory"):
            peak_memory(args.map_gib, args.budget_mib, tmp)
        if args.million or args.only == "million":
            million(tmp)
    print(
        textwrap.dedent(f"""
        numpy {np.__version__}, {os.cpu_count()} CPUs; interleaved rounds: ratios hold on a
        busy machine, absolute times do not.""")
    )


if __name__ == "__main__":
    main()
