"""Where gradient boosting's lead on a table comes from: how many columns its trees combine.

On the tables of ``bench_tabular.py`` (the same splits), prints the test score
(accuracy, or R²) of ``HistGradientBoosting*`` with its defaults, whose trees
of 31 leaves combine as many columns as they like, beside the same model
whose trees, of 31 leaves still, may each combine at most two columns
(``interaction_cst`` of every pair) and only one (``"no_interactions"``: a
sum of one function per column),
and beside ``TabularMLPClassifier``/``TabularMLPRegressor`` with their
defaults. Where gradient boosting's lead over the network vanishes once its
trees are kept to pairs of columns, it comes from conjunctions of many
columns: single rows, or the same person seen again.

``--match-all-but COLUMN`` adds, for regression tables that have that column,
the score of a lookup that needs no model: the mean target of the training
rows equal to the test row on every other column (shrunk towards the overall
mean by one row's weight), or the overall mean where there are none. On a
panel whose rows are the same people in several years, with ``age`` as the
column that changes, it scores what remembering the people is worth.
``--drop COLUMN ...`` removes those columns from the tables that have them.

    python benchmarks/bench_interactions.py [--seeds 2] [--suite development] \\
        [--only NAME ...] [--match-all-but COLUMN] [--drop COLUMN ...]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import r2_score

from sknumpynet import TabularMLPClassifier, TabularMLPRegressor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _tables_data import add_suite_options, chosen, split  # noqa: E402

HGB_VARIANTS = ["HGB", "HGB, pairs of columns", "HGB, one column at a time"]


def hgb_params(variant: str, n_features: int) -> dict:
    """The interaction constraint of ``variant``; the trees keep their 31 leaves."""
    if variant == "HGB, pairs of columns":
        return {"interaction_cst": [list(p) for p in combinations(range(n_features), 2)]}
    if variant == "HGB, one column at a time":
        return {"interaction_cst": "no_interactions"}
    return {}


def match_mean(X_train, y_train, X_test, column: str) -> np.ndarray:
    """The shrunk mean target of the training rows equal to each test row but in ``column``."""
    key = [c for c in X_train.columns if c != column]

    def keys(X):
        return pd.util.hash_pandas_object(X[key], index=False).to_numpy()

    y_train = np.asarray(y_train, dtype=float)
    mean = y_train.mean()
    groups = pd.Series(y_train).groupby(keys(X_train))
    shrunk = (groups.sum() + mean) / (groups.size() + 1.0)
    return pd.Series(keys(X_test)).map(shrunk).fillna(mean).to_numpy()


def run(name: str, seed: int, match_column: str | None, drop=()) -> dict:
    X_train, X_test, y_train, y_test, task = split(name, seed)
    drop = [c for c in drop if c in X_train.columns]
    X_train, X_test = X_train.drop(columns=drop), X_test.drop(columns=drop)
    classification = task == "classification"
    hgb = HistGradientBoostingClassifier if classification else HistGradientBoostingRegressor
    scores, seconds = {}, {}
    models = {
        variant: hgb(
            categorical_features="from_dtype",
            random_state=seed,
            **hgb_params(variant, X_train.shape[1]),
        )
        for variant in HGB_VARIANTS
    }
    tabular = TabularMLPClassifier if classification else TabularMLPRegressor
    models["TabularMLP"] = tabular(random_state=seed)
    for label, model in models.items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X_train, y_train)
        seconds[label] = time.perf_counter() - start
        scores[label] = model.score(X_test, y_test)
    if match_column is not None and not classification and match_column in X_train.columns:
        prediction = match_mean(X_train, y_train, X_test, match_column)
        scores[f"mean of rows equal but in {match_column}"] = r2_score(y_test, prediction)
    return {"task": task, "scores": scores, "seconds": seconds}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--match-all-but", metavar="COLUMN", default=None)
    parser.add_argument(
        "--drop", nargs="*", metavar="COLUMN", default=[], help="columns removed where present"
    )
    add_suite_options(parser)
    args = parser.parse_args(argv)
    names = chosen(args)
    results = {
        name: [run(name, seed, args.match_all_but, args.drop) for seed in range(args.seeds)]
        for name in names
    }
    labels = [*HGB_VARIANTS, "TabularMLP"]
    extra = f"mean of rows equal but in {args.match_all_but}"
    if any(extra in r["scores"] for rs in results.values() for r in rs):
        labels.append(extra)
    print(f"Test score, mean of {args.seeds} seeds (fit seconds):\n")
    print("| data set | score | " + " | ".join(labels) + " |")
    print("|---|---|" + "---|" * len(labels))
    for name, rs in results.items():
        cells = []
        for label in labels:
            if label not in rs[0]["scores"]:
                cells.append("—")
                continue
            score = np.mean([r["scores"][label] for r in rs])
            if label in rs[0]["seconds"]:
                cells.append(f"{score:.3f} ({np.mean([r['seconds'][label] for r in rs]):.2f})")
            else:
                cells.append(f"{score:.3f}")
        kind = "accuracy" if rs[0]["task"] == "classification" else "R²"
        print(f"| {name} | {kind} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
