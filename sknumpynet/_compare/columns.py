"""The feature columns of a CSV file: the kind of each one, its values and its missing cells.

Each feature column is either numeric (every cell a number) or text (every
cell a category name, at most :data:`MAX_CATEGORIES` of them); a column that
mixes numbers and text, or holds an infinite number, is an error that names
the column and the line, and so is a number larger than
:data:`MAX_MAGNITUDE` (its square overflows when the column is
standardized). A column's kind is that of its first cell that is
not missing. A cell in :data:`MISSING` (an empty cell, ``NA``, ``N/A``,
``n/a``, ``NULL``, ``null``, or any spelling of NaN that ``float`` reads,
such as ``nan`` and ``NaN``) is a missing value, counted per column.

Each column is kept as one compact array while the file is read
(:class:`ColumnReader`: 8 bytes per number or per category code), and
becomes a :class:`CsvColumn` once the file is read (:func:`finish_columns`).
"""

from __future__ import annotations

import math
import shlex
from array import array
from dataclasses import dataclass, field

import numpy as np

from .errors import CommandError

# A text column with more distinct values than this is not a category but
# free text (names, identifiers): one-hot encoding it would only add noise.
MAX_CATEGORIES = 50
# The largest magnitude of a number in a feature or a regression target:
# standardizing a column sums the squares of its numbers, which overflow
# float64 (past 1.8e308) from about 1e154, fewer rows the larger they are.
# A number past this is not a measurement but a placeholder or a typo.
MAX_MAGNITUDE = 1e150
# A column of whole numbers or text whose value differs in every one of
# at least this many rows reads like an identifier (see identifier_notes).
MIN_ROWS_OF_AN_IDENTIFIER = 10
# The cells that are missing values (besides any that float() reads as NaN),
# as spreadsheets, R and pandas write them.
MISSING = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null"})


@dataclass
class CsvColumn:
    """One feature column as read: its kind, values and missing cells.

    Attributes
    ----------
    name : str
        The column's name in the header.
    kind : {"numeric", "text"}
        Numbers, or names of categories.
    values : ndarray of shape (n_rows,), dtype float64
        The numbers; for a text column, the index of each cell's category in
        ``categories`` (a float, so that both kinds share one matrix). NaN
        where a cell is missing.
    categories : list of str
        A text column's distinct values, sorted; empty for a numeric column.
    n_missing : int
        How many cells are missing.
    first_missing : int or None
        The line of the first missing cell; None when none is missing.
    """

    name: str
    kind: str
    values: np.ndarray
    categories: list[str] = field(default_factory=list)
    n_missing: int = 0
    first_missing: int | None = None


class ColumnReader:
    """One feature column as read so far: numbers, or codes of text categories."""

    def __init__(self, name: str):
        self.name = name
        self.text: bool | None = None  # unknown until its first cell that is not missing
        self.leading_missing = 0  # missing cells before the kind is known
        self.numbers = array("d")  # NaN: missing
        self.codes = array("q")  # -1: missing
        self.categories: dict[str, int] = {}
        self.first_text: tuple[int, str] | None = None  # (line, cell)


def refuse_first(bad, values, path, lines, where: str, describe) -> None:
    """Raise the one-line error of the first row where ``bad`` holds, if any.

    ``"{path}, line {n}: {where} {describe(value)}"``, ``n`` being the row's line
    in the file (``lines``) and ``value`` its entry of ``values``.
    """
    rows = np.flatnonzero(bad)
    if rows.size:
        first = rows[0]
        raise CommandError(f"{path}, line {lines[first]}: {where} {describe(values[first])}")


def add_cell(path, column: ColumnReader, cell: str, line: int) -> None:
    """A cell that is not a number of a numeric column (or any cell of the others)."""
    cell = cell.strip()
    value = number(cell)
    if cell in MISSING or (value is not None and math.isnan(value)):
        if column.text is None:
            column.leading_missing += 1
        elif column.text:
            column.codes.append(-1)
        else:
            column.numbers.append(math.nan)
        return
    if column.text is None:  # its first value: the column's kind
        column.text = value is None
        if column.text:
            column.codes.extend([-1] * column.leading_missing)
        else:
            column.numbers.extend([math.nan] * column.leading_missing)
    if not column.text:
        if value is None:
            _mixed(path, column.name, line, cell)
        column.numbers.append(value)
        return
    if value is not None:
        _mixed(path, column.name, *column.first_text)
    if column.first_text is None:
        column.first_text = (line, cell)
    code = column.categories.get(cell)
    if code is None:
        code = column.categories[cell] = len(column.categories)
        if code == MAX_CATEGORIES:
            raise CommandError(
                f"{path}: column {column.name!r} holds text with more than {MAX_CATEGORIES} "
                f"distinct values ({MAX_CATEGORIES + 1} by line {line}: {cell!r}), "
                "too many to one-hot encode; leave it out with --drop "
                f"{shlex.quote(column.name)}, or make it numeric"
            )
    column.codes.append(code)


def _mixed(path, name, line, text):
    raise CommandError(
        f"{path}: column {name!r} is not numeric: line {line} holds {text!r} among "
        "numbers; only the target may hold text"
    )


def number(text: str) -> float | None:
    """The number that ``float`` reads in ``text``; None if it reads none."""
    try:
        return float(text)
    except ValueError:
        return None


def is_nan(text: str) -> bool:
    """Whether ``text`` is a spelling of NaN."""
    value = number(text)
    return value is not None and math.isnan(value)


def finish_columns(path, columns, lines) -> list[CsvColumn]:
    """The feature columns as :class:`CsvColumn`, freeing each one's arrays once copied.

    ``columns`` holds a :class:`ColumnReader` per column of the file (None
    for the target's), ``lines`` the line of each row.
    """
    result = []
    for j, column in enumerate(columns):
        if column is None:
            continue
        columns[j] = None  # its arrays go once copied
        if column.text is None:
            raise CommandError(
                f"{path}: column {column.name!r} has no values (all {len(lines)} cells are "
                f"missing); leave it out with --drop {shlex.quote(column.name)}"
            )
        if column.text:
            # the categories in sorted order; the codes are in the order first seen
            ordered = sorted(column.categories)
            position = {category: k for k, category in enumerate(ordered)}
            # a missing cell's code, -1, takes the last entry: -1 again
            rank = np.array([position[category] for category in column.categories] + [-1])
            codes = rank[np.frombuffer(column.codes, dtype=np.int64)]
            del column.codes
            values = codes.astype(np.float64)
            del codes
            values[values < 0] = np.nan
            kind = "text"
        else:
            ordered = []
            values = np.frombuffer(column.numbers, dtype=np.float64)
            where = f"column {column.name!r} holds"
            refuse_first(
                np.isinf(values), values, path, lines, where,
                lambda v: f"{str(v)!r}; features must be finite numbers (or missing)",
            )  # fmt: skip
            refuse_first(
                np.abs(values) > MAX_MAGNITUDE, values, path, lines, where,
                lambda v: f"{v:g}, too large to standardize (features must lie within "
                f"±{MAX_MAGNITUDE:g}); if it stands for a missing value, write NA",
            )  # fmt: skip
            kind = "numeric"
        missing = np.flatnonzero(np.isnan(values))
        result.append(
            CsvColumn(
                column.name,
                kind,
                values,
                ordered,
                n_missing=int(missing.size),
                first_missing=int(lines[missing[0]]) if missing.size else None,
            )
        )
    return result


def identifier_notes(columns) -> list[str]:
    """Notes on the columns that read like identifiers, which the models use as features.

    An identifier (a row number, a customer id, a name) differs in every
    row: a column of whole numbers or of text, without missing cells, whose
    values all differ, in at least :data:`MIN_ROWS_OF_AN_IDENTIFIER` rows.
    It tells the models nothing about new rows (one-hot encoded text, not
    even a number), so each note suggests ``--drop``.

    Examples
    --------
    >>> ids = CsvColumn("id", "numeric", np.arange(100.0))
    >>> size = CsvColumn("size", "numeric", np.linspace(0, 1, 100))
    >>> identifier_notes([ids, size])  # doctest: +NORMALIZE_WHITESPACE
    ["column 'id' holds a different whole number in each of its 100 rows, like an
    identifier, and is a feature of every model; if it is one, leave it out with --drop id"]
    """
    notes = []
    for column in columns:
        values = column.values
        n = values.shape[0]
        if n < MIN_ROWS_OF_AN_IDENTIFIER or column.n_missing:
            continue
        if column.kind == "numeric":
            whole = np.all(values == np.trunc(values))
            if not (whole and np.unique(values).shape[0] == n):
                continue
            what = "whole number"
        elif len(column.categories) == n:
            what = "text"
        else:
            continue
        notes.append(
            f"column {column.name!r} holds a different {what} in each of its {n} rows, like an "
            "identifier, and is a feature of every model; if it is one, leave it out with "
            f"--drop {shlex.quote(column.name)}"
        )
    return notes
