"""The results of the ``compare`` command: text tables, results.json and results.csv.

A result row is a dict with the keys of :data:`ROW_KEYS`, in that order:
``task`` (``"classification"`` or ``"regression"``), ``dataset``,
``n_train``, ``n_features``, ``family``, ``model``, the scores of both tasks
(``accuracy`` and ``log_loss``; ``r2`` and ``rmse``), of which those of the
other task are None, and the measures of
:func:`~sknumpynet._compare.measure.measure`. A None is ``null`` in
``results.json`` and an empty field in ``results.csv``, so that every row of
both files has the same fields whatever its task.
"""

from __future__ import annotations

import csv
import json
import math
import os

from .errors import CommandError

ROW_KEYS = (
    "task",
    "dataset",
    "n_train",
    "n_features",
    "family",
    "model",
    "accuracy",
    "log_loss",
    "r2",
    "rmse",
    "fit_s",
    "epochs",
    "ms_per_epoch",
    "peak_mb",
)
TASKS = ("classification", "regression")

# Per task, the (key, heading, format) of the table's columns; the first two
# are left-aligned. A classification and a regression each have a table.
# "significant": four significant digits (an RMSE has the target's units).
_MEASURES = [
    ("fit_s", "fit s", "{:.2f}"),
    ("epochs", "epochs", "{}"),
    ("ms_per_epoch", "ms/epoch", "{:.1f}"),
    ("peak_mb", "peak MiB", "{:.1f}"),
]
COLUMNS = {
    "classification": [
        ("dataset", "dataset", "{}"),
        ("model", "model", "{}"),
        ("accuracy", "accuracy", "{:.3f}"),
        ("log_loss", "log loss", "{:.3f}"),
        *_MEASURES,
    ],
    "regression": [
        ("dataset", "dataset", "{}"),
        ("model", "model", "{}"),
        ("r2", "R2", "{:.3f}"),
        ("rmse", "RMSE", "significant"),
        *_MEASURES,
    ],
}

FOOTNOTE = (
    "ms/epoch: fit time / epochs (L-BFGS: / iterations); peak MiB: memory "
    "newly allocated during a two-epoch fit (tracemalloc)."
)
REGRESSION_FOOTNOTE = (
    "R2, RMSE: on the test set, RMSE in the target's units. Every regressor fits the target\n"
    "standardized on the training set (TransformedTargetRegressor with StandardScaler), ours\n"
    "and scikit-learn's alike. Ridge is solved in closed form: no epochs (-)."
)


def result_row(**values) -> dict:
    """A result row with every key of :data:`ROW_KEYS`: None where ``values`` has none.

    Examples
    --------
    >>> row = result_row(task="regression", model="Ridge", r2=0.5)
    >>> list(row) == list(ROW_KEYS), row["r2"], row["accuracy"]
    (True, 0.5, None)
    """
    unknown = set(values) - set(ROW_KEYS)
    if unknown:
        raise ValueError(f"unknown result keys {sorted(unknown)}")
    return {key: values.get(key) for key in ROW_KEYS}


def format_table(rows: list[dict]) -> str:
    """The rows as aligned text: one table per task, classification first.

    A row without a ``task`` is a classification. A value that does not apply
    (None, e.g. the epochs of ``Ridge``) is shown as ``-``; a score that
    could not be computed (NaN) as ``nan``.

    Examples
    --------
    >>> row = dict(dataset="spiral", model="MLPClassifierNP", accuracy=0.99, log_loss=0.0731,
    ...            fit_s=0.26, epochs=1000, ms_per_epoch=0.26, peak_mb=0.81)
    >>> print(format_table([row]))
    dataset  model            accuracy  log loss  fit s  epochs  ms/epoch  peak MiB
    -------  ---------------  --------  --------  -----  ------  --------  --------
    spiral   MLPClassifierNP     0.990     0.073   0.26    1000       0.3       0.8
    >>> ridge = dict(task="regression", dataset="diabetes", model="Ridge", r2=0.359,
    ...              rmse=56.39, fit_s=0.004, epochs=None, ms_per_epoch=None, peak_mb=0.05)
    >>> print(format_table([ridge]))
    dataset   model     R2   RMSE  fit s  epochs  ms/epoch  peak MiB
    --------  -----  -----  -----  -----  ------  --------  --------
    diabetes  Ridge  0.359  56.39   0.00       -         -       0.1
    """
    tables = []
    for task in TASKS:
        of_task = [row for row in rows if row.get("task", "classification") == task]
        if of_task:
            tables.append(_table(COLUMNS[task], of_task))
    return "\n\n".join(tables)


def _table(columns, rows) -> str:
    """One aligned table of ``rows`` in ``columns``."""
    cells = [[head for _, head, _ in columns]]
    cells += [[_cell(fmt, row.get(key)) for key, _, fmt in columns] for row in rows]
    widths = [max(len(line[j]) for line in cells) for j in range(len(columns))]
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


def _cell(fmt: str, value) -> str:
    if value is None:
        return "-"
    if fmt == "significant":
        return _significant(value)
    return fmt.format(value)


def _significant(value: float, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits, without an exponent (whole if larger)
    below a million, with one from a million on.

    Examples
    --------
    >>> [_significant(v) for v in (56.3931, 1.2309, 31234.7, 0.012345, 0.0)]
    ['56.39', '1.231', '31235', '0.01235', '0.000']
    >>> _significant(1.002188e39)
    '1.002e+39'
    """
    if not math.isfinite(value) or value == 0:
        return f"{value:.{digits - 1}f}"
    if abs(value) >= 1e6:
        return f"{value:.{digits - 1}e}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    return f"{value:.{decimals}f}"


def footnotes(rows: list[dict]) -> list[str]:
    """The lines under the tables: what the columns mean, for the tasks in ``rows``."""
    notes = [FOOTNOTE]
    if any(row.get("task") == "regression" for row in rows):
        notes.append(REGRESSION_FOOTNOTE)
    return notes


def below_baseline_note(rows: list[dict], train_r2: dict, *, alpha: float) -> str | None:
    """A note when an MLP's test R² is below the best linear baseline's; None otherwise.

    Parameters
    ----------
    rows : list of dict
        The result rows of one regression data set.
    train_r2 : dict
        The R² of each model (by name) on its training set. An MLP that fits
        its training set better than the best linear baseline fits it, yet
        predicts the test set worse, overfits; one that does not, underfits.
    alpha : float
        The run's L2 penalty, named in the advice.

    Returns
    -------
    note : str or None

    Examples
    --------
    >>> rows = [dict(model="MLPRegressorNP", family="mlp", r2=-0.157, n_train=331),
    ...         dict(model="Ridge", family="linear", r2=0.359, n_train=331)]
    >>> print(below_baseline_note(rows, {"MLPRegressorNP": 0.71, "Ridge": 0.52}, alpha=1e-4))
    ... # doctest: +NORMALIZE_WHITESPACE
    MLPRegressorNP has a test R2 of -0.157, below the linear Ridge's 0.359, and 0.71 on its
    331 training samples: it overfits them; a larger L2 penalty regularizes it (--alpha,
    0.0001 in this run: try 1, 10 or 100)
    """
    linear = [row for row in rows if row["family"] == "linear" and _finite(row["r2"])]
    if not linear:
        return None
    best = max(linear, key=lambda row: row["r2"])
    below = [
        row
        for row in rows
        if row["family"] == "mlp" and (not _finite(row["r2"]) or row["r2"] < best["r2"])
    ]
    if not below:
        return None
    names = " and ".join(row["model"] for row in below)
    scores = " and ".join(f"{row['r2']:.3f}" for row in below)
    train = [train_r2[row["model"]] for row in below]
    plural = len(below) > 1
    note = (
        f"{names} {'have' if plural else 'has'} a test R2 of {scores}, below the linear "
        f"{best['model']}'s {best['r2']:.3f}, and {' and '.join(f'{r2:.2f}' for r2 in train)} "
        f"on {'their' if plural else 'its'} {below[0]['n_train']} training samples"
    )
    them = "them" if plural else "it"
    if all(r2 > train_r2[best["model"]] for r2 in train):
        return note + (
            f": {'they overfit' if plural else 'it overfits'} them; a larger L2 penalty "
            f"regularizes {them} (--alpha, {alpha:g} in this run: try 1, 10 or 100)"
        )
    return note + (
        f": {'they underfit' if plural else 'it underfits'}; more epochs (--max-iter) or "
        "another --solver may help"
    )


def _finite(value) -> bool:
    return value is not None and math.isfinite(value)


def write_results(out_dir: str, rows: list[dict]) -> list[str]:
    """``results.json`` and ``results.csv`` in ``out_dir``; returns their paths.

    In JSON a NaN (the log loss of a model whose probabilities were not
    finite) and a None (a score of the other task) are written as ``null``,
    which every JSON reader accepts; in CSV a None is an empty field. The
    fields are the keys of the rows, in the order first seen.
    """
    json_path = os.path.join(out_dir, "results.json")
    csv_path = os.path.join(out_dir, "results.csv")
    fields = list(dict.fromkeys(key for row in rows for key in row))
    try:
        with open(json_path, "w") as f:
            json.dump([_json_row(row) for row in rows], f, indent=2, allow_nan=False)
            f.write("\n")
        with open(csv_path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    except OSError as exc:
        raise CommandError(f"cannot write the results to {out_dir}: {exc}") from None
    return [json_path, csv_path]


def _json_row(row: dict) -> dict:
    return {
        key: None if isinstance(value, float) and not math.isfinite(value) else value
        for key, value in row.items()
    }
