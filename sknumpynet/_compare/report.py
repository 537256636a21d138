"""The results of the ``compare`` command: a text table, results.json and results.csv.

A result row is a dict with the keys ``dataset``, ``n_train``,
``n_features``, ``family``, ``model`` and those of
:func:`~sknumpynet._compare.measure.measure`.
"""

from __future__ import annotations

import csv
import json
import math
import os

from .errors import CommandError

# (key, heading, format) of the table's columns; the first two are left-aligned.
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

FOOTNOTE = (
    "ms/epoch: fit time / epochs (L-BFGS: / iterations); peak MiB: memory "
    "newly allocated during a two-epoch fit (tracemalloc)."
)


def format_table(rows: list[dict]) -> str:
    """The rows as an aligned text table.

    Examples
    --------
    >>> row = dict(dataset="spiral", model="MLPClassifierNP", accuracy=0.99, log_loss=0.0731,
    ...            fit_s=0.26, epochs=1000, ms_per_epoch=0.26, peak_mb=0.81)
    >>> print(format_table([row]))
    dataset  model            accuracy  log loss  fit s  epochs  ms/epoch  peak MiB
    -------  ---------------  --------  --------  -----  ------  --------  --------
    spiral   MLPClassifierNP     0.990     0.073   0.26    1000       0.3       0.8
    """
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


def write_results(out_dir: str, rows: list[dict]) -> list[str]:
    """``results.json`` and ``results.csv`` in ``out_dir``; returns their paths.

    In JSON a NaN (the log loss of a model whose probabilities were not
    finite) is written as ``null``, which every JSON reader accepts.
    """
    json_path = os.path.join(out_dir, "results.json")
    csv_path = os.path.join(out_dir, "results.csv")
    try:
        with open(json_path, "w") as f:
            json.dump([_json_row(row) for row in rows], f, indent=2, allow_nan=False)
            f.write("\n")
        with open(csv_path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
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
