"""Read a CSV file into feature columns and a target.

The file is split into fields by the standard library's :mod:`csv` module
(RFC 4180 quoting: commas, quotes and line breaks inside quoted fields; a
UTF-8 byte-order mark as Excel writes it), in strict mode, so that a quote
that is never closed is an error and not a field that swallows the rest of
the file. Numbers are read as Python's ``float`` reads them.

This module reads the header and the rows; :mod:`.columns` says what each
feature column holds (numbers or text categories, and its missing cells),
and :mod:`.target` what the target holds and the task it makes. Nothing is
encoded or imputed here: the columns are returned as they are (see
:class:`~.columns.CsvColumn`), and :mod:`~sknumpynet._compare.encoding`
encodes them, fitted on the training split only.

The file is read row by row into one compact array per column (8 bytes per
number or per category code), never kept as rows of strings, so that reading
needs about twice the memory of the final feature matrix whatever the width
of the numbers in the text.

Why not another reader: ``np.genfromtxt`` rewrites column names (spaces
become underscores) and ignores quoting, ``np.loadtxt`` reads a single dtype
and cannot say which column is at fault, and pandas is not a dependency of
this package (an optional pandas path would make the command read the same
file differently depending on what is installed).
"""

from __future__ import annotations

import csv
import shlex
from array import array
from dataclasses import dataclass, field

import numpy as np

from .columns import (
    MAX_CATEGORIES,
    MISSING,
    ColumnReader,
    CsvColumn,
    add_cell,
    finish_columns,
    identifier_notes,
)
from .errors import CommandError
from .target import MAX_CLASSES, TASKS, TargetReader, finish_target

__all__ = ["MAX_CATEGORIES", "MAX_CLASSES", "MISSING", "TASKS", "CsvColumn", "CsvData", "read_csv"]


@dataclass
class CsvData:
    """The feature columns and the target of a CSV file, and the task that the target makes.

    ``notes`` say how the target was read.
    """

    columns: list[CsvColumn]
    y: np.ndarray
    task: str
    notes: list[str] = field(default_factory=list)

    @property
    def feature_names(self) -> list[str]:
        """The names of the feature columns, in the order of the file."""
        return [column.name for column in self.columns]

    @property
    def kinds(self) -> list[str]:
        """The kind of each feature column: ``"numeric"`` or ``"text"``."""
        return [column.kind for column in self.columns]

    def take_matrix(self) -> np.ndarray:
        """The columns' values as one float64 matrix, one column each, in the order of the file.

        Each column's array is released once copied (its ``values`` become
        empty), so that the columns and the matrix are never both whole in
        memory.
        """
        X = np.empty((self.y.shape[0], len(self.columns)))
        for j, column in enumerate(self.columns):
            X[:, j] = column.values
            column.values = np.empty(0)
        return X


class _Records:
    """The records of a :func:`csv.reader`, each with the line it starts on.

    ``start`` is the line of the record being read, also while the reader
    raises an error about it.
    """

    def __init__(self, reader):
        self.reader = reader
        self.start = 1
        self.rows = self._rows()

    def _rows(self):
        for row in self.reader:
            yield self.start, row
            self.start = self.reader.line_num + 1


def read_csv(path: str, target: str, *, task: str = "auto", dtype="float64", drop=()) -> CsvData:
    """The feature columns (every column but ``target``) and the target of a CSV file.

    Parameters
    ----------
    path : str
        A CSV file with a header row.
    target : str
        The name of the target column.
    task : {"auto", "classification", "regression"}, default="auto"
        What the target is; "auto" decides from its values (see
        :mod:`~sknumpynet._compare.target`).
    dtype : str or numpy dtype, default="float64"
        The dtype the models will be fitted in: a regression target must be
        within its range.
    drop : sequence of str, default=()
        Columns to leave out: they are not read at all.

    Returns
    -------
    data : CsvData
        Labels that all read as integers become integers, other labels stay
        text; a regression target is float64.

    Raises
    ------
    CommandError
        With a one-line message, for a file that cannot be read or used.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "pets.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write('weight,colour,kind\\n4.5,black,cat\\n30,"brown, white",dog\\n'
    ...                 '12.5,NA,dog\\n')
    >>> data = read_csv(path, "kind")
    >>> data.feature_names, data.kinds, data.task
    (['weight', 'colour'], ['numeric', 'text'], 'classification')
    >>> weight, colour = data.columns
    >>> weight.values.tolist()
    [4.5, 30.0, 12.5]
    >>> colour.values.tolist(), colour.categories, colour.n_missing, colour.first_missing
    ([0.0, 1.0, nan], ['black', 'brown, white'], 1, 4)
    >>> data.y.tolist()
    ['cat', 'dog', 'dog']
    >>> read_csv(path, "weight").task  # numbers, not all whole
    'regression'
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    records = None
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            records = _Records(csv.reader(f, strict=True))
            header = None
            for _, row in records.rows:
                if not _blank(row):
                    header = _check_header(path, row, target, drop)
                    break
            if header is None:
                raise CommandError(f"{path} needs a header row and at least one data row")
            columns, labels, lines = _read_columns(path, records, header, target, task, drop)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise CommandError(f"cannot read {path}: it is not UTF-8 text ({exc})") from None
    except csv.Error as exc:
        message = _csv_error(path, exc, records.start, records.reader.line_num)
        raise CommandError(message) from None
    if not lines:
        raise CommandError(f"{path} needs a header row and at least one data row")
    y, task, notes = finish_target(path, labels, target, lines, task, dtype)
    columns = finish_columns(path, columns, lines)
    if drop:
        names = ", ".join(repr(name) for name in drop)
        notes.append(f"left out the column{'s' if len(drop) > 1 else ''} {names} (--drop)")
    return CsvData(columns, y, task, notes + identifier_notes(columns))


def _blank(row) -> bool:
    return not any(cell.strip() for cell in row)


def _check_header(path, row, target, drop=()) -> list[str]:
    """Column names: stripped of spaces and of any byte-order mark; unique; holding
    the target and the columns to ``drop``."""
    header = [
        name.replace("\ufeff", "").strip() or f"column {j + 1}" for j, name in enumerate(row)
    ]
    if target not in header:
        columns = ", ".join(repr(name) for name in header)
        raise CommandError(f"{path} has no column {target!r}; its columns are {columns}")
    seen: dict[str, list[int]] = {}
    for j, name in enumerate(header):
        seen.setdefault(name, []).append(j + 1)
    for name, where in seen.items():
        if len(where) > 1:
            raise CommandError(
                f"{path}: the header names {name!r} {len(where)} times (columns "
                f"{', '.join(map(str, where))}); give each column its own name"
            )
    for name in drop:
        if name == target:
            raise CommandError(f"--drop {shlex.quote(name)}: {name!r} is the target column")
        if name not in header:
            columns = ", ".join(repr(name) for name in header)
            raise CommandError(
                f"--drop {shlex.quote(name)}: {path} has no column {name!r}; its columns are "
                f"{columns}"
            )
    if len(set(header) - set(drop)) == 1:
        left_out = " (the others are left out with --drop)" if drop else ""
        raise CommandError(f"{path} has no feature columns besides {target!r}{left_out}")
    return header


def _read_columns(path, records, header, target, task, drop=()):
    """Every data row into per-column arrays; returns the columns (None for the
    target and those to ``drop``), the target and the line each row starts on."""
    n_fields = len(header)
    t = header.index(target)
    columns = [
        None if j == t or name in drop else ColumnReader(name) for j, name in enumerate(header)
    ]
    features = [(j, columns[j]) for j in range(n_fields) if columns[j] is not None]
    lines = array("q")
    labels = TargetReader(path, target, task, lines)
    for line, row in records.rows:
        if not row or not row[0].strip():
            if _blank(row):
                continue
        if len(row) != n_fields:
            raise CommandError(
                f"{path}, line {line}: {len(row)} fields, the header has {n_fields}"
            )
        lines.append(line)
        labels.add(row[t], line)
        for j, column in features:
            cell = row[j]
            if column.text is False:
                try:  # the common case first: a number (or nan) in a numeric column
                    column.numbers.append(float(cell))
                    continue
                except ValueError:
                    pass
            add_cell(path, column, cell, line)
    return columns, labels, lines


def _csv_error(path, exc, start, line) -> str:
    """The one-line message of a :class:`csv.Error`, naming its likely cause."""
    message = str(exc)
    if "field larger than field limit" in message:
        limit = csv.field_size_limit()
        if start < line:  # only a quoted field spans lines
            return (
                f"cannot read {path}: the quoted field that starts on line {start} runs past "
                f"{limit} characters (line {line}); is its closing quote missing?"
            )
        return (
            f"cannot read {path}, line {line}: a field is longer than {limit} characters, "
            "too long for a number or a category name"
        )
    if "unexpected end of data" in message:
        return (
            f"cannot read {path}: the quote opened on line {start} is never closed "
            "(the file ends inside it)"
        )
    if "expected after" in message:
        return (
            f"cannot read {path}, line {start}: text after the closing quote of a field "
            f"({message}); quote the whole field, and double each quote inside it"
        )
    return f"cannot read {path}, line {start}: {message}"
