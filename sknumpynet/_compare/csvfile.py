"""Read a CSV file into feature columns and a target.

The file is split into fields by the standard library's :mod:`csv` module
(RFC 4180 quoting: commas, quotes and line breaks inside quoted fields; a
UTF-8 byte-order mark as Excel writes it), in strict mode, so that a quote
that is never closed is an error and not a field that swallows the rest of
the file. Numbers are read as Python's ``float`` reads them.

Each feature column is either numeric (every cell a number) or text (every
cell a category name, at most :data:`MAX_CATEGORIES` of them); a column that
mixes numbers and text, or holds an infinite number, is an error that names
the column and the line. A cell in :data:`MISSING` (an empty cell, ``NA``,
``N/A``, ``n/a``, ``NULL``, ``null``, or any spelling of NaN that ``float``
reads, such as ``nan`` and ``NaN``) is a missing value, counted per column.
This module does not encode or impute anything: it returns the columns as
they are (see :class:`CsvColumn`), and
:mod:`~sknumpynet._compare.encoding` encodes them, fitted on the training
split only.

The file is read row by row into one compact array per column (8 bytes per
number or per category code), never kept as rows of strings, so that reading
needs about twice the memory of the final feature matrix whatever the width
of the numbers in the text.

The target decides the task (``task="auto"``, the default): numbers that
are not all whole (a ``"continuous"`` target, as scikit-learn's
``type_of_target`` calls it) make a regression; whole numbers and text are
class labels. ``task="regression"`` reads whole numbers as a quantity too,
and refuses text; ``task="classification"`` refuses numbers that are not
whole. A target cell may not be missing. A classification target with more
than :data:`MAX_CLASSES` classes is refused while reading (and one with more
distinct values than half of the training rows after the split, see
:func:`~sknumpynet._compare.data.split`).

Why not another reader: ``np.genfromtxt`` rewrites column names (spaces
become underscores) and ignores quoting, ``np.loadtxt`` reads a single dtype
and cannot say which column is at fault, and pandas is not a dependency of
this package (an optional pandas path would make the command read the same
file differently depending on what is installed).
"""

from __future__ import annotations

import csv
import math
from array import array
from dataclasses import dataclass, field

import numpy as np
from sklearn.utils.multiclass import type_of_target

from .errors import CommandError

# A text column with more distinct values than this is not a category but
# free text (names, identifiers): one-hot encoding it would only add noise.
MAX_CATEGORIES = 50
# More classes than this is not a classification task compare can measure
# in reasonable time and memory: every model holds n_samples x n_classes
# probabilities, and LogisticRegression n_classes x n_features coefficients.
MAX_CLASSES = 1000
# The cells that are missing values (besides any that float() reads as NaN),
# as spreadsheets, R and pandas write them.
MISSING = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null"})
TASKS = ("auto", "classification", "regression")


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


class _Column:
    """One feature column as read so far: numbers, or codes of text categories."""

    def __init__(self, name: str):
        self.name = name
        self.text: bool | None = None  # unknown until its first cell that is not missing
        self.leading_missing = 0  # missing cells before the kind is known
        self.numbers = array("d")  # NaN: missing
        self.codes = array("q")  # -1: missing
        self.categories: dict[str, int] = {}
        self.first_text: tuple[int, str] | None = None  # (line, cell)


class _Target:
    """The target column as read so far: a code per row and the distinct labels, or,
    past :data:`MAX_CLASSES` distinct numbers (a quantity), the numbers themselves."""

    def __init__(self, path: str, name: str, task: str, lines):
        self.path, self.name, self.task = path, name, task
        self.lines = lines  # the line of each row read so far
        self.labels: dict[str, int] = {}  # label -> code, in the order first seen
        self.codes = array("q")
        self.numbers: array | None = None

    def add(self, cell: str, line: int) -> None:
        """Read the target cell of ``line``; refuse it if missing."""
        label = cell.strip()
        if label in MISSING or _is_nan(label):
            shown = f" ({label!r})" if label else ""
            raise CommandError(
                f"{self.path}, line {line}: the target column {self.name!r} has no value"
                f"{shown}; drop the rows whose target is missing"
            )
        if self.numbers is not None:
            number = _number(label)
            if number is None:
                raise CommandError(
                    f"{self.path}: the target column {self.name!r} holds numbers, but line "
                    f"{line} holds {label!r}; a regression needs numbers"
                )
            self.numbers.append(number)
            return
        code = self.labels.get(label)
        if code is None:
            code = self.labels[label] = len(self.labels)
            if code == MAX_CLASSES:  # one more than a classification may have
                self.codes.append(code)
                self._too_many_classes(line)
                return
        self.codes.append(code)

    def _too_many_classes(self, line) -> None:
        """Go on reading numbers as a quantity, or refuse a classification."""
        numbers = [_number(label) for label in self.labels]
        if all(n is not None for n in numbers):
            if self.task != "classification":
                self.numbers = array("d", (numbers[code] for code in self.codes))
                self.labels, self.codes = {}, array("q")
                return
            for label, number in zip(self.labels, numbers):
                if math.isfinite(number) and not number.is_integer():
                    code = self.labels[label]
                    where = self.codes.index(code)
                    _continuous(self.path, self.name, self.lines[where], label)
        hint = ""
        if all(n is not None for n in numbers):
            hint = "; if it is a quantity, leave out --task classification"
        raise CommandError(
            f"{self.path}: the target column {self.name!r} has more than {MAX_CLASSES} "
            f"distinct values ({MAX_CLASSES + 1} by line {line}); a classification may have "
            f"at most {MAX_CLASSES} classes{hint}"
        )


def _continuous(path, name, line, label):
    """Refuse a target of numbers that are not whole as class labels."""
    raise CommandError(
        f"{path}: the target column {name!r} looks continuous (line {line} holds {label!r}, "
        "not a whole number), not class labels; leave out --task classification to compare "
        "regressors, or give class labels, e.g. bins of the values"
    )


def read_csv(path: str, target: str, *, task: str = "auto") -> CsvData:
    """The feature columns (every column but ``target``) and the target of a CSV file.

    Parameters
    ----------
    path : str
        A CSV file with a header row.
    target : str
        The name of the target column.
    task : {"auto", "classification", "regression"}, default="auto"
        What the target is; "auto" decides from its values (see the module's
        docstring).

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
                    header = _check_header(path, row, target)
                    break
            if header is None:
                raise CommandError(f"{path} needs a header row and at least one data row")
            columns, labels, lines = _read_columns(path, records, header, target, task)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise CommandError(f"cannot read {path}: it is not UTF-8 text ({exc})") from None
    except csv.Error as exc:
        message = _csv_error(path, exc, records.start, records.reader.line_num)
        raise CommandError(message) from None
    if not lines:
        raise CommandError(f"{path} needs a header row and at least one data row")
    y, task, notes = _target(path, labels, target, lines, task)
    return CsvData(_features(path, columns, lines), y, task, notes)


def _blank(row) -> bool:
    return not any(cell.strip() for cell in row)


def _check_header(path, row, target) -> list[str]:
    """Column names: stripped of spaces and of any byte-order mark; unique."""
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
    if len(header) == 1:
        raise CommandError(f"{path} has no feature columns besides {target!r}")
    return header


def _read_columns(path, records, header, target, task):
    """Every data row into per-column arrays; returns the columns, the target and the
    line each row starts on."""
    n_fields = len(header)
    t = header.index(target)
    columns = [None if j == t else _Column(name) for j, name in enumerate(header)]
    features = [(j, columns[j]) for j in range(n_fields) if j != t]
    lines = array("q")
    labels = _Target(path, target, task, lines)
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
            _add_cell(path, column, cell, line)
    return columns, labels, lines


def _add_cell(path, column: _Column, cell: str, line: int) -> None:
    """A cell that is not a number of a numeric column (or any cell of the others)."""
    cell = cell.strip()
    number = _number(cell)
    if cell in MISSING or (number is not None and math.isnan(number)):
        if column.text is None:
            column.leading_missing += 1
        elif column.text:
            column.codes.append(-1)
        else:
            column.numbers.append(math.nan)
        return
    if column.text is None:  # its first value: the column's kind
        column.text = number is None
        if column.text:
            column.codes.extend([-1] * column.leading_missing)
        else:
            column.numbers.extend([math.nan] * column.leading_missing)
    if not column.text:
        if number is None:
            _mixed(path, column.name, line, cell)
        column.numbers.append(number)
        return
    if number is not None:
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
                "too many to one-hot encode; drop it or make it numeric"
            )
    column.codes.append(code)


def _mixed(path, name, line, text):
    raise CommandError(
        f"{path}: column {name!r} is not numeric: line {line} holds {text!r} among "
        "numbers; only the target may hold text"
    )


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _is_nan(text: str) -> bool:
    number = _number(text)
    return number is not None and math.isnan(number)


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


def _target(path, labels: _Target, name, lines, task):
    """The target as an array, the task it makes and a note saying which.

    See the module's docstring for the rule.
    """
    if labels.numbers is not None:  # more than MAX_CLASSES distinct numbers
        values = np.frombuffer(labels.numbers, dtype=np.float64)
        _check_finite(path, name, values, lines)
        if task == "auto" and type_of_target(values) != "continuous":
            raise CommandError(
                f"{path}: the target column {name!r} has more than {MAX_CLASSES} distinct "
                f"whole numbers, too many to be classes; if it is a quantity, give "
                "--task regression"
            )
        return values, "regression", [_regression_note(name, values, task)]
    codes = np.frombuffer(labels.codes, dtype=np.int64)
    distinct = list(labels.labels)
    numbers = [_number(label) for label in distinct]
    if all(number is not None for number in numbers):
        values = np.array(numbers)[codes]
        _check_finite(path, name, values, lines)
        continuous = type_of_target(values) == "continuous"
        if task == "regression" or (task == "auto" and continuous):
            return values, "regression", [_regression_note(name, values, task)]
        if continuous:  # task == "classification"
            where = int(np.flatnonzero(values != np.round(values))[0])
            _continuous(path, name, lines[where], distinct[codes[where]])
    elif task == "regression":
        where = next(code for code, number in enumerate(numbers) if number is None)
        line = lines[int(np.flatnonzero(codes == where)[0])]
        raise CommandError(
            f"{path}: the target column {name!r} holds text (line {line}: "
            f"{distinct[where]!r}); a regression needs numbers"
        )
    labels_of_code = _integers(distinct)
    if labels_of_code is None:
        labels_of_code = np.array(distinct, dtype=str)
    why = "" if task == "classification" else " (text or whole numbers)"
    note = f"classification: the target column {name!r} holds {len(distinct)} classes{why}"
    return labels_of_code[codes], "classification", [note]


def _regression_note(name, values, task) -> str:
    why = "" if task == "regression" else " (numbers, not all whole)"
    return (
        f"regression: the target column {name!r} holds {np.unique(values).shape[0]} "
        f"distinct values from {values.min():g} to {values.max():g}{why}"
    )


def _check_finite(path, name, values, lines) -> None:
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        raise CommandError(
            f"{path}, line {lines[bad[0]]}: the target column {name!r} holds "
            f"{str(values[bad[0]])!r}, which is not a finite number"
        )


def _integers(labels) -> np.ndarray | None:
    try:
        return np.array([int(label) for label in labels], dtype=np.int64)
    except (ValueError, OverflowError):
        return None


def _features(path, columns, lines) -> list[CsvColumn]:
    """The feature columns as :class:`CsvColumn`, freeing each one's arrays once copied."""
    result = []
    for j, column in enumerate(columns):
        if column is None:
            continue
        columns[j] = None  # its arrays go once copied
        if column.text is None:
            raise CommandError(
                f"{path}: column {column.name!r} has no values (all {len(lines)} cells are "
                "missing); drop it"
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
            bad = np.flatnonzero(np.isinf(values))
            if bad.size:
                raise CommandError(
                    f"{path}, line {lines[bad[0]]}: column {column.name!r} holds "
                    f"{str(values[bad[0]])!r}; features must be finite numbers (or missing)"
                )
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
