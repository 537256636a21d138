"""Read a CSV file into features and labels.

The file is split into fields by the standard library's :mod:`csv` module
(RFC 4180 quoting: commas, quotes and line breaks inside quoted fields; a
UTF-8 byte-order mark as Excel writes it), and each column is converted by
numpy. Numbers are read as Python's ``float`` reads them. A feature column
that holds only text is one-hot encoded; a column that mixes numbers and
text, an empty cell, or a NaN or infinite value is an error that names the
column and the line.

Why not another reader: ``np.genfromtxt`` rewrites column names (spaces
become underscores) and ignores quoting, ``np.loadtxt`` reads a single dtype
and cannot say which column is at fault, and pandas is not a dependency of
this package (an optional pandas path would make the command read the same
file differently depending on what is installed).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

import numpy as np

from .errors import CommandError

# A text column with more distinct values than this is not a category but
# free text (names, identifiers): one-hot encoding it would only add noise.
MAX_CATEGORIES = 50


@dataclass
class CsvData:
    """Features, labels and what was done to read them."""

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    notes: list[str] = field(default_factory=list)


def read_csv(path: str, target: str) -> CsvData:
    """Features (every column but ``target``) and labels of a CSV file with a header row.

    Labels that all read as integers become integers; other labels stay text.
    Raises :class:`CommandError` with a one-line message for a file that
    cannot be read or used.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "pets.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write('weight,colour,kind\\n4.5,black,cat\\n30,"brown, white",dog\\n')
    >>> data = read_csv(path, "kind")
    >>> data.feature_names
    ['weight', 'colour=black', 'colour=brown, white']
    >>> data.X.tolist(), data.y.tolist()
    ([[4.5, 1.0, 0.0], [30.0, 0.0, 1.0]], ['cat', 'dog'])
    >>> data.notes
    ["one-hot encoded the text column 'colour' (2 values)"]
    """
    header, rows, lines = _read_rows(path)
    if target not in header:
        raise CommandError(f"{path} has no column {target!r}; its columns are {', '.join(header)}")
    if header.count(target) > 1:
        raise CommandError(f"{path}: the header names {target!r} {header.count(target)} times")
    t = header.index(target)
    if len(header) == 1:
        raise CommandError(f"{path} has no feature columns besides {target!r}")
    table = np.char.strip(np.array(rows, dtype=str))
    y = _labels(path, table[:, t], target, lines)
    blocks, names, notes = [], [], []
    for j, name in enumerate(header):
        if j == t:
            continue
        block, block_names, note = _feature(path, table[:, j], name, lines)
        blocks.append(block)
        names += block_names
        if note:
            notes.append(note)
    return CsvData(np.hstack(blocks), y, names, notes)


def _read_rows(path):
    """Header, data rows and their line numbers; blank lines are skipped."""
    header, rows, lines = None, [], []
    reader = None
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                if header is None:
                    header = [name.strip() or f"column {j + 1}" for j, name in enumerate(row)]
                    continue
                if len(row) != len(header):
                    raise CommandError(
                        f"{path}, line {reader.line_num}: {len(row)} fields, "
                        f"the header has {len(header)}"
                    )
                rows.append(row)
                lines.append(reader.line_num)
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
    except csv.Error as exc:
        raise CommandError(f"cannot read {path}, line {reader.line_num}: {exc}") from None
    if header is None or not rows:
        raise CommandError(f"{path} needs a header row and at least one data row")
    return header, rows, lines


def _labels(path, cells, name, lines) -> np.ndarray:
    empty = np.flatnonzero(cells == "")
    if empty.size:
        raise CommandError(f"{path}, line {lines[empty[0]]}: no label in column {name!r}")
    try:  # labels that all read as integers are compared as integers
        return cells.astype(np.int64)
    except ValueError:
        return cells


def _feature(path, cells, name, lines):
    """One column as a block of feature columns, their names and a note (or None)."""
    empty = np.flatnonzero(cells == "")
    if empty.size:
        raise CommandError(
            f"{path}, line {lines[empty[0]]}: column {name!r} has no value; "
            "fill in or drop the rows with missing values"
        )
    try:
        values = cells.astype(np.float64)
    except ValueError:
        return _one_hot(path, cells, name, lines)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise CommandError(
            f"{path}, line {lines[bad[0]]}: column {name!r} holds {str(cells[bad[0]])!r}; "
            "features must be finite numbers"
        )
    return values[:, None], [name], None


def _one_hot(path, cells, name, lines):
    numeric = np.array([_is_number(cell) for cell in cells])
    if numeric.any():
        first_text = np.flatnonzero(~numeric)[0]
        raise CommandError(
            f"{path}: column {name!r} is not numeric: line {lines[first_text]} holds "
            f"{str(cells[first_text])!r} among numbers; only the target may hold text"
        )
    categories, codes = np.unique(cells, return_inverse=True)
    if categories.shape[0] > MAX_CATEGORIES:
        raise CommandError(
            f"{path}: column {name!r} holds text with {categories.shape[0]} distinct values, "
            f"too many to one-hot encode (at most {MAX_CATEGORIES}); drop it or make it numeric"
        )
    block = (codes[:, None] == np.arange(categories.shape[0])).astype(np.float64)
    note = f"one-hot encoded the text column {name!r} ({categories.shape[0]} values)"
    return block, [f"{name}={category}" for category in categories], note


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
