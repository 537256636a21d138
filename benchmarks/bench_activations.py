"""Time per epoch of MLPClassifierNP for each hidden activation, and with dropout.

Three settings, all with Adam: digits (1,797 x 64, float64, 100 hidden
units) in mini-batches of 200 and of 1 (where the Python work per batch
shows), and an MNIST-sized set (60,000 x 784 by default, float32, 256 hidden
units) in mini-batches of 200.

To compare versions of the package, pass the directories that hold each
one's ``sknumpynet/`` (e.g. an older commit's, unpacked with
``git archive HEAD sknumpynet | tar -x -C /tmp/base``)::

    python benchmarks/bench_activations.py --trees /tmp/base .

Each version is imported into this one process under a name of its own, and
the fits alternate between them (in alternating order) repeat after repeat,
so that a slow moment of a shared machine falls on all of them alike. The
table gives the median over repeats, the spread (lowest to highest) and the
median of the per-repeat ratios to the first tree. ``--quick`` is a short
run: 10,000 MNIST-sized rows, 3 repeats.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

REPO = Path(__file__).resolve().parents[1]


def load_package(tree: Path, name: str):
    """Import ``tree/sknumpynet`` as the package ``name``."""
    init = tree / "sknumpynet" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[str(init.parent)]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


def settings(n_large: int, make_mnist_like):
    """(name, X, y, hidden units, batch size, epochs) of each setting."""
    Xd, yd = load_digits(return_X_y=True)
    Xd = StandardScaler().fit_transform(Xd)
    Xm, ym = make_mnist_like(n_large, random_state=0)
    return [
        ("digits f64 b200", Xd, yd, 100, 200, 50),
        ("digits f64 b1", Xd, yd, 100, 1, 1),
        (f"mnist-like {n_large // 1000}k f32 b200", Xm.astype(np.float32), ym, 256, 200, 1),
    ]


def variants(package) -> list:
    """(label, parameters) of every activation the package offers, and dropout."""
    names = list(importlib.import_module(f"{package.__name__}._activations").ACTIVATIONS)
    out = [(name, {"activation": name}) for name in names]
    if "dropout" in package.MLPClassifierNP().get_params():
        out.append(("relu, dropout 0.5", {"activation": "relu", "dropout": 0.5}))
        out.append(("gelu, dropout 0.5", {"activation": "gelu", "dropout": 0.5}))
    return out


def epoch_seconds(package, X, y, batch_size: int, epochs: int, **params) -> float:
    """Seconds per epoch of a fit that runs exactly ``epochs`` epochs."""
    clf = package.MLPClassifierNP(
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


def measure(packages: list, n_large: int, repeats: int) -> dict:
    """``{(setting, variant): [seconds per epoch per repeat, one list per package]}``."""
    datasets = importlib.import_module(f"{packages[0].__name__}.datasets")
    results = {}
    labels = {label: params for p in packages for label, params in variants(p)}
    for data, X, y, hidden, batch_size, epochs in settings(n_large, datasets.make_mnist_like):
        for label, params in labels.items():
            times = [[] for _ in packages]
            offered = [label in dict(variants(p)) for p in packages]
            for repeat in range(repeats):
                order = list(range(len(packages)))
                if repeat % 2:
                    order.reverse()
                for i in order:
                    if offered[i]:
                        times[i].append(
                            epoch_seconds(
                                packages[i],
                                X,
                                y,
                                batch_size,
                                epochs,
                                hidden_layer_sizes=(hidden,),
                                **params,
                            )
                        )
            results[data, label] = times
            print(f"  {data}  {label}", file=sys.stderr, flush=True)
    return results


def table(trees: list[Path], results: dict) -> str:
    """Median ms per epoch [lowest-highest] per tree, and ratios to the first tree."""
    width = max(len(f"{data}  {label}") for data, label in results)
    header = f"{'data  activation':<{width}}"
    for i, tree in enumerate(trees):
        header += f"  {str(tree)[-26:]:>26}"
        if i:
            header += f"  {'ratio':>6}"
    lines = [header]
    for (data, label), times in results.items():
        row = f"{f'{data}  {label}':<{width}}"
        base = np.array(times[0]) * 1e3
        for i, t in enumerate(times):
            t = np.array(t) * 1e3
            if not t.size:
                row += f"  {'-':>26}" + (f"  {'-':>6}" if i else "")
                continue
            row += f"  {np.median(t):>9.2f} [{t.min():7.2f}-{t.max():7.2f}]"
            if i:
                ratio = np.median(t / base) if base.size else np.nan
                row += f"  {ratio:>6.3f}" if np.isfinite(ratio) else f"  {'-':>6}"
        lines.append(row)
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trees", nargs="+", type=Path, default=[REPO])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--n-large", type=int, default=60_000)
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_large, args.repeats = 10_000, 3
    trees = [t.resolve() for t in args.trees]
    packages = [load_package(t, f"_sknumpynet_{i}") for i, t in enumerate(trees)]
    with threadpool_limits(limits=args.threads):
        results = measure(packages, args.n_large, args.repeats)
    print(
        f"ms per epoch: median [lowest-highest] of {args.repeats} interleaved repeats; "
        f"ratio: median of per-repeat ratios to {trees[0]}; BLAS threads: "
        f"{args.threads or 'default'}"
    )
    print(table(trees, results))


if __name__ == "__main__":
    main()
