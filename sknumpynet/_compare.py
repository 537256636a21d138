"""``sknumpynet compare``: our estimators beside scikit-learn's, on the same data.

For every data set the command fits :class:`SoftmaxClassifier` beside
``LogisticRegression`` and ``SGDClassifier(loss="log_loss")``, and
:class:`MLPClassifierNP` beside ``MLPClassifier`` with identical parameters,
then prints one table of test accuracy, log loss, fit time, time per epoch
and peak memory. Progress goes to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
import tracemalloc
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from ._mlp import MLPClassifierNP
from ._softmax import SoftmaxClassifier
from .datasets import make_mnist_like, make_spiral

BUILT_IN = ("digits", "spiral", "mnist-like")

# Epochs per built-in data set when --max-iter is not given: enough for the
# models to be compared near convergence, few enough that the default run of
# all three data sets takes well under a minute on two cores.
DEFAULT_MAX_ITER = {"digits": 100, "spiral": 1000, "mnist-like": 15, "csv": 200}
# A linear model on the MNIST-shaped set needs more (and cheaper) epochs than
# the network to come near LogisticRegression's exact optimum.
DEFAULT_LINEAR_MAX_ITER = {"mnist-like": 60}


class CommandError(Exception):
    """A problem with the command line or its input: one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit code 2."""

    def error(self, message):
        raise CommandError(message)


@dataclass
class Dataset:
    """A named train/test split, ready for the estimators."""

    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser of ``python -m sknumpynet``."""
    parser = _Parser(
        prog="sknumpynet",
        description="Neural-network classifiers in plain numpy, beside scikit-learn's.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    cmp = commands.add_parser(
        "compare",
        help="fit ours beside scikit-learn's and print one table",
        description=(
            "Fit SoftmaxClassifier beside LogisticRegression and SGDClassifier(log_loss), "
            "and MLPClassifierNP beside MLPClassifier with identical parameters; print test "
            "accuracy, log loss, fit time, time per epoch and peak memory. Built-in data is "
            "shipped with scikit-learn or generated: nothing is downloaded."
        ),
    )
    cmp.add_argument(
        "--dataset",
        action="append",
        choices=[*BUILT_IN, "all"],
        help="built-in data set; repeat for several (default: all, or none with --csv)",
    )
    cmp.add_argument("--csv", metavar="PATH", help="your own data: a CSV file with a header row")
    cmp.add_argument("--target", metavar="COLUMN", help="the CSV column that holds the labels")
    cmp.add_argument(
        "--hidden",
        default="100",
        metavar="SIZES",
        help="hidden layer sizes of both MLPs, comma-separated (default: 100)",
    )
    cmp.add_argument(
        "--solver",
        choices=["sgd", "adam", "lbfgs"],
        help="solver of all three numpy/MLP models (default: each estimator's own default)",
    )
    cmp.add_argument(
        "--max-iter",
        type=_positive_int,
        metavar="N",
        help="epochs (iterations for L-BFGS); default: "
        + ", ".join(f"{k} {v}" for k, v in DEFAULT_MAX_ITER.items()),
    )
    cmp.add_argument(
        "--batch-size",
        type=_batch_size,
        default="auto",
        metavar="N",
        help="mini-batch size, or 'auto' for min(200, n_samples) (default: auto)",
    )
    cmp.add_argument(
        "--alpha", type=_non_negative_float, default=1e-4, help="L2 penalty (default: 1e-4)"
    )
    cmp.add_argument(
        "--dtype",
        choices=["float32", "float64"],
        default="float64",
        help="dtype of the data; float32 trains in float32 (default: float64)",
    )
    cmp.add_argument("--seed", type=int, default=0, help="seed of data, split and models")
    cmp.add_argument(
        "--out",
        metavar="DIR",
        help="write results.json, results.csv, loss curves and decision boundaries (PNG) here",
    )
    cmp.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _batch_size(text):
    return "auto" if text == "auto" else _positive_int(text)


def _non_negative_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0 or not np.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text!r}")
    return value


def parse_hidden(text: str) -> tuple[int, ...]:
    """``"100,50"`` -> ``(100, 50)``; an empty string gives no hidden layer."""
    try:
        sizes = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        raise CommandError(
            f"--hidden must be comma-separated positive integers, e.g. 100,50; got {text!r}"
        ) from None
    if any(size < 1 for size in sizes):
        raise CommandError(f"--hidden sizes must be positive, got {text!r}")
    return sizes


# ------------------------------------------------------------------ data
def read_csv(path: str, target: str) -> tuple[np.ndarray, np.ndarray]:
    """Features (every column but ``target``, as floats) and labels of a CSV file."""
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise CommandError(f"{path} needs a header row and at least one data row")
    header = [name.strip() for name in rows[0]]
    if target not in header:
        raise CommandError(f"{path} has no column {target!r}; its columns are {', '.join(header)}")
    width = len(header)
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            raise CommandError(f"{path}, line {line}: {len(row)} fields, the header has {width}")
    t = header.index(target)
    y = np.array([row[t].strip() for row in rows[1:]])
    features = [j for j in range(width) if j != t]
    if not features:
        raise CommandError(f"{path} has no feature columns besides {target!r}")
    X = np.empty((len(rows) - 1, len(features)))
    for k, j in enumerate(features):
        try:
            X[:, k] = [float(row[j]) if row[j].strip() else np.nan for row in rows[1:]]
        except ValueError:
            raise CommandError(
                f"{path}: column {header[j]!r} is not numeric; only the target may hold text"
            ) from None
    if not np.isfinite(X).all():
        raise CommandError(f"{path} has missing or infinite feature values")
    # Labels that all read as integers are compared as integers.
    try:
        y = y.astype(np.int64)
    except ValueError:
        pass
    return X, y


def load_dataset(name: str, seed: int, dtype, csv_path=None, target=None) -> Dataset:
    """One data set, split into train and test (stratified, 25% test), scaled, in ``dtype``."""
    scale = True
    if name == "digits":
        X, y = load_digits(return_X_y=True)
    elif name == "spiral":
        X, y = make_spiral(n_samples=600, n_classes=3, noise=0.2, random_state=seed)
        scale = False
    elif name == "mnist-like":
        X, y = make_mnist_like(n_samples=12_000, random_state=seed)
        scale = False  # pixels in [0, 1], as MNIST is usually fed
    else:
        X, y = read_csv(csv_path, target)
    _, counts = np.unique(y, return_counts=True)
    if counts.shape[0] < 2:
        raise CommandError(f"{name}: the target has a single class; nothing to compare")
    stratify = y if counts.min() >= 2 else None
    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=seed, stratify=stratify
        )
    except ValueError as exc:
        raise CommandError(f"{name}: cannot split into train and test sets: {exc}") from None
    if scale:
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return Dataset(name, X_train.astype(dtype), X_test.astype(dtype), y_train, y_test)


# --------------------------------------------------------------- models
def make_models(args, dataset_key: str, n_train: int):
    """(family, name, estimator) for the five models, with matching parameters."""
    max_iter = args.max_iter or DEFAULT_MAX_ITER[dataset_key]
    linear_iter = args.max_iter or DEFAULT_LINEAR_MAX_ITER.get(dataset_key, max_iter)
    hidden = parse_hidden(args.hidden)
    common = dict(alpha=args.alpha, batch_size=args.batch_size, random_state=args.seed)
    solver = {} if args.solver is None else {"solver": args.solver}
    mlp = dict(hidden_layer_sizes=hidden, max_iter=max_iter, **solver, **common)
    return [
        (
            "linear",
            "SoftmaxClassifier",
            SoftmaxClassifier(max_iter=linear_iter, **solver, **common),
        ),
        # LogisticRegression(C=1 / alpha) minimizes SoftmaxClassifier's objective.
        ("linear", "LogisticRegression", LogisticRegression(C=1.0 / max(args.alpha, 1e-12))),
        # SGDClassifier penalizes alpha / 2 ||w||^2 per sample; ours alpha / 2 ||w||^2 per epoch.
        (
            "linear",
            "SGDClassifier",
            SGDClassifier(
                loss="log_loss",
                alpha=args.alpha / n_train,
                max_iter=linear_iter,
                random_state=args.seed,
            ),
        ),
        ("mlp", "MLPClassifierNP", MLPClassifierNP(**mlp)),
        ("mlp", "MLPClassifier", MLPClassifier(**mlp)),
    ]


def _peak_memory_mb(estimator, X, y) -> float:
    """Peak of the memory newly allocated by a short fit (two epochs), in MiB."""
    short = clone(estimator).set_params(max_iter=min(2, estimator.get_params()["max_iter"]))
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    short.fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    if not was_tracing:
        tracemalloc.stop()
    return (peak - base) / 2**20


def evaluate(estimator, data: Dataset) -> dict:
    """Fit on the training set; time, epochs, peak memory, test accuracy and log loss."""
    start = time.perf_counter()
    estimator.fit(data.X_train, data.y_train)
    fit_s = time.perf_counter() - start
    n_iter = int(np.max(estimator.n_iter_))
    proba = estimator.predict_proba(data.X_test)
    return dict(
        accuracy=float(accuracy_score(data.y_test, estimator.predict(data.X_test))),
        # A reference model can return NaN probabilities (SGDClassifier on
        # scikit-learn 1.6 after a few epochs): report its log loss as NaN.
        log_loss=(
            float(log_loss(data.y_test, proba, labels=estimator.classes_))
            if np.isfinite(proba).all()
            else float("nan")
        ),
        fit_s=fit_s,
        epochs=n_iter,
        ms_per_epoch=1e3 * fit_s / max(n_iter, 1),
        peak_mb=_peak_memory_mb(estimator, data.X_train, data.y_train),
    )


def run(args, progress=None) -> tuple[list[dict], dict]:
    """Fit every model on every data set; returns the rows and the fitted models."""
    dtype = np.dtype(args.dtype)
    if args.csv:
        keys = [("csv", os.path.basename(args.csv))]
    else:
        names = args.dataset or ["all"]
        chosen = BUILT_IN if "all" in names else [n for n in BUILT_IN if n in names]
        keys = [(name, name) for name in chosen]
    rows, fitted = [], {}
    for key, label in keys:
        data = load_dataset(key, args.seed, dtype, args.csv, args.target)
        data.name = label
        if progress:
            n, d = data.X_train.shape
            progress(f"{label}: {n} training samples, {d} features, {args.dtype}")
        models = make_models(args, key, data.X_train.shape[0])
        for i, (family, name, estimator) in enumerate(models, start=1):
            if progress:
                progress(f"{label}: fitting {name} ({i}/{len(models)})")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                try:
                    result = evaluate(estimator, data)
                except (ValueError, ArithmeticError) as exc:
                    raise CommandError(f"{label}: {name} failed: {exc}") from None
            rows.append(
                dict(
                    dataset=label,
                    n_train=data.X_train.shape[0],
                    n_features=data.X_train.shape[1],
                    family=family,
                    model=name,
                    **result,
                )
            )
            fitted[(label, name)] = (estimator, data)
            if progress:
                accuracy, seconds = result["accuracy"], result["fit_s"]
                progress(f"{label}: {name}: accuracy {accuracy:.3f} in {seconds:.2f} s")
    return rows, fitted


# --------------------------------------------------------------- output
COLUMNS = [
    ("dataset", "dataset", "{}"),
    ("model", "model", "{}"),
    ("accuracy", "accuracy", "{:.3f}"),
    ("log_loss", "log loss", "{:.3f}"),
    ("fit_s", "fit s", "{:.2f}"),
    ("epochs", "epochs", "{}"),
    ("ms_per_epoch", "ms/epoch", "{:.1f}"),
    ("peak_mb", "peak MiB", "{:.1f}"),
]


def format_table(rows: list[dict]) -> str:
    """The rows as an aligned text table."""
    cells = [[head for _, head, _ in COLUMNS]]
    cells += [[fmt.format(row[key]) for key, _, fmt in COLUMNS] for row in rows]
    widths = [max(len(line[j]) for line in cells) for j in range(len(COLUMNS))]
    lines = []
    for i, line in enumerate(cells):
        parts = [
            cell.ljust(w) if j < 2 else cell.rjust(w)
            for j, (cell, w) in enumerate(zip(line, widths))
        ]
        lines.append("  ".join(parts).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_outputs(out_dir: str, rows: list[dict], fitted: dict) -> list[str]:
    """results.json, results.csv, one loss-curve PNG per data set, boundaries for 2-D data."""
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"cannot create --out directory {out_dir}: {exc}") from None
    written = []
    path = os.path.join(out_dir, "results.json")
    with open(path, "w") as f:
        json.dump(rows, f, indent=2)
    written.append(path)
    path = os.path.join(out_dir, "results.csv")
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    written.append(path)
    written += _plot(out_dir, fitted)
    return written


def _plot(out_dir: str, fitted: dict) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.inspection import DecisionBoundaryDisplay

    written = []
    datasets = list(dict.fromkeys(label for label, _ in fitted))
    for label in datasets:
        models = [(name, est, data) for (lab, name), (est, data) in fitted.items() if lab == label]
        curves = [(name, est) for name, est, _ in models if getattr(est, "loss_curve_", None)]
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in label)
        if curves:
            fig, ax = plt.subplots(figsize=(6, 4))
            for name, est in curves:
                # scikit-learn's dashed: with identical parameters the curves may coincide
                style = "-" if name in ("SoftmaxClassifier", "MLPClassifierNP") else "--"
                epochs = np.arange(1, len(est.loss_curve_) + 1)
                ax.plot(epochs, est.loss_curve_, style, label=name)
            ax.set(xlabel="epoch", ylabel="training loss", title=f"{label}: loss curves")
            ax.set_yscale("log")
            ax.legend()
            fig.tight_layout()
            path = os.path.join(out_dir, f"loss_curves_{safe}.png")
            fig.savefig(path, dpi=100)
            plt.close(fig)
            written.append(path)
        data = models[0][2]
        if data.X_train.shape[1] == 2:
            fig, axes = plt.subplots(1, len(models), figsize=(3.2 * len(models), 3.4))
            for ax, (name, est, data) in zip(np.atleast_1d(axes), models):
                DecisionBoundaryDisplay.from_estimator(
                    est, data.X_train, ax=ax, response_method="predict", alpha=0.4
                )
                codes = np.unique(data.y_test, return_inverse=True)[1]
                ax.scatter(*data.X_test.T, c=codes, s=8, edgecolors="k", linewidths=0.3)
                ax.set_title(name, fontsize=9)
                ax.set_xticks([])
                ax.set_yticks([])
            fig.suptitle(f"{label}: decision boundaries (test points)")
            fig.tight_layout()
            path = os.path.join(out_dir, f"decision_boundaries_{safe}.png")
            fig.savefig(path, dpi=100)
            plt.close(fig)
            written.append(path)
    return written


def _check_args(args) -> None:
    if args.target and not args.csv:
        raise CommandError("--target needs --csv PATH")
    if args.csv and not args.target:
        raise CommandError("--csv needs --target COLUMN: the column that holds the labels")
    if args.csv and args.dataset:
        raise CommandError("give either --dataset or --csv, not both")
    if args.csv and not os.path.isfile(args.csv):
        raise CommandError(f"cannot read {args.csv}: no such file")
    parse_hidden(args.hidden)


def compare(args, stdout=None, stderr=None) -> int:
    """Run ``sknumpynet compare`` with parsed ``args``; returns the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    _check_args(args)
    start = time.perf_counter()

    def progress(message):
        print(f"[{time.perf_counter() - start:5.1f} s] {message}", file=stderr, flush=True)

    rows, fitted = run(args, progress=None if args.quiet else progress)
    print(format_table(rows), file=stdout)
    print(
        "\nms/epoch: fit time / epochs (L-BFGS: / iterations); peak MiB: memory "
        "newly allocated during a two-epoch fit (tracemalloc).",
        file=stdout,
    )
    if args.out:
        for path in write_outputs(args.out, rows, fitted):
            if not args.quiet:
                progress(f"wrote {path}")
    return 0


def main(argv=None) -> int:
    """Entry point of ``python -m sknumpynet`` and of the ``sknumpynet`` script.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    status : int
        0 on success, 2 for bad arguments or unreadable input (with one line
        on stderr saying why).

    Examples
    --------
    >>> from sknumpynet.__main__ import main
    >>> main(["compare", "--dataset", "spiral", "--max-iter", "5", "--quiet"])  # doctest: +SKIP
    0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return compare(args)
    except CommandError as exc:
        print(f"sknumpynet: error: {exc}", file=sys.stderr)
        return 2
