"""Read a CSV file into features and labels.

The file is split into fields by the standard library's :mod:`csv` module
(RFC 4180 quoting: commas, quotes and line breaks inside quoted fields; a
UTF-8 byte-order mark as Excel writes it), in strict mode, so that a quote
that is never closed is an error and not a field that swallows the rest of
the file. Numbers are read as Python's ``float`` reads them. A feature column
that holds only text is one-hot encoded; a column that mixes numbers and
text, an empty cell, or a NaN or infinite value is an error that names the
column and the line.

The file is read row by row into one compact array per column (8 bytes per
number, a small code per category), never kept as rows of strings, so that
reading needs about twice the memory of the final feature matrix whatever
the width of the numbers in the text.

A target that cannot be a set of classes is refused before any fit: numbers
that are not whole (a continuous target, as scikit-learn's ``type_of_target``
calls it, which every classifier refuses), or more than :data:`MAX_CLASSES`
classes, where reading stops. (A target with more distinct values than half
of the training rows is refused after the split, see
:func:`~sknumpynet._compare.data.split`.)

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

from .errors import CommandError

# A text column with more distinct values than this is not a category but
# free text (names, identifiers): one-hot encoding it would only add noise.
MAX_CATEGORIES = 50
# More classes than this is not a classification task compare can measure
# in reasonable time and memory: every model holds n_samples x n_classes
# probabilities, and LogisticRegression n_classes x n_features coefficients.
MAX_CLASSES = 1000


@dataclass
class CsvData:
    """Features, labels and what was done to read them."""

    X: np.ndarray
    y: np.ndarray
    feature_names: list[str]
    notes: list[str] = field(default_factory=list)


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
        self.text: bool | None = None  # unknown until its first cell
        self.numbers = array("d")
        self.codes = array("q")
        self.categories: dict[str, int] = {}
        self.first_text: tuple[int, str] | None = None  # (line, cell)


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
            columns, labels, lines = _read_columns(path, records, header, target)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise CommandError(f"cannot read {path}: it is not UTF-8 text ({exc})") from None
    except csv.Error as exc:
        message = _csv_error(path, exc, records.start, records.reader.line_num)
        raise CommandError(message) from None
    if not lines:
        raise CommandError(f"{path} needs a header row and at least one data row")
    y = _labels(path, labels, target, lines)
    X, names, notes = _features(path, columns, lines)
    return CsvData(X, y, names, notes)


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


def _read_columns(path, records, header, target):
    """Every data row into per-column arrays; returns columns, labels and start lines.

    ``labels`` is ``(codes, label_of_code)``: the code of each row's label and
    the distinct labels as read, in the order first seen.
    """
    n_fields = len(header)
    t = header.index(target)
    columns = [None if j == t else _Column(name) for j, name in enumerate(header)]
    features = [(j, columns[j]) for j in range(n_fields) if j != t]
    label_codes: dict[str, int] = {}
    codes = array("q")
    lines = array("q")
    for line, row in records.rows:
        if not row or not row[0].strip():
            if _blank(row):
                continue
        if len(row) != n_fields:
            raise CommandError(
                f"{path}, line {line}: {len(row)} fields, the header has {n_fields}"
            )
        label = row[t].strip()
        if not label:
            raise CommandError(f"{path}, line {line}: no label in column {target!r}")
        code = label_codes.get(label)
        if code is None:
            code = label_codes[label] = len(label_codes)
            if code == MAX_CLASSES:  # one more than allowed: stop reading here
                codes.append(code)
                lines.append(line)
                _check_classes(path, target, list(label_codes), codes, lines, complete=False)
        for j, column in features:
            cell = row[j]
            if column.text is False:
                try:
                    column.numbers.append(float(cell))
                    continue
                except ValueError:
                    pass
            _add_cell(path, column, cell, line)
        codes.append(code)
        lines.append(line)
    return columns, (codes, list(label_codes)), lines


def _add_cell(path, column: _Column, cell: str, line: int) -> None:
    """A cell that is not a number of a numeric column (or any cell of the others)."""
    cell = cell.strip()
    if not cell:
        raise CommandError(
            f"{path}, line {line}: column {column.name!r} has no value; "
            "fill in or drop the rows with missing values"
        )
    number = _number(cell)
    if column.text is None:
        column.text = number is None
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


def _labels(path, labels, name, lines) -> np.ndarray:
    """The labels as an array: integers if all read as integers, text otherwise."""
    codes, distinct = labels
    _check_classes(path, name, distinct, codes, lines, complete=True)
    codes = np.frombuffer(codes, dtype=np.int64)
    values = _integers(distinct)
    if values is None:
        values = np.array(distinct, dtype=str)
    return values[codes]


def _integers(labels) -> np.ndarray | None:
    try:
        return np.array([int(label) for label in labels], dtype=np.int64)
    except (ValueError, OverflowError):
        return None


def _check_classes(path, name, distinct, codes, lines, *, complete: bool) -> None:
    """Refuse a target that cannot be a set of classes (see the module's docstring)."""
    numbers = [_number(label) for label in distinct]
    if all(number is not None for number in numbers):
        for code, number in enumerate(numbers):
            if not math.isfinite(number):
                raise CommandError(
                    f"{path}, line {lines[codes.index(code)]}: the target column {name!r} "
                    f"holds {distinct[code]!r}, which is not a class label"
                )
        for code, number in enumerate(numbers):
            if not number.is_integer():
                raise CommandError(
                    f"{path}: the target column {name!r} looks continuous (line "
                    f"{lines[codes.index(code)]} holds {distinct[code]!r}, not a whole "
                    "number): regression targets are not supported by compare yet; give "
                    "class labels, e.g. bins of the values"
                )
    if not complete:
        raise CommandError(
            f"{path}: the target column {name!r} has more than {MAX_CLASSES} distinct values "
            f"({MAX_CLASSES + 1} by line {lines[-1]}); compare fits classifiers, and "
            f"supports at most {MAX_CLASSES} classes"
        )


def _features(path, columns, lines):
    """The feature matrix, its column names and notes, freeing each column once copied."""
    n = len(lines)
    widths = [0 if c is None else len(c.categories) if c.text else 1 for c in columns]
    X = np.empty((n, sum(widths)))
    names, notes = [], []
    at = 0
    for j, column in enumerate(columns):
        if column is None:
            continue
        columns[j] = None  # its arrays go once copied into X
        if not column.text:
            values = np.frombuffer(column.numbers, dtype=np.float64)
            bad = np.flatnonzero(~np.isfinite(values))
            if bad.size:
                raise CommandError(
                    f"{path}, line {lines[bad[0]]}: column {column.name!r} holds "
                    f"{str(values[bad[0]])!r}; features must be finite numbers"
                )
            X[:, at] = values
            names.append(column.name)
        else:
            # the categories in sorted order; the codes are in the order first seen
            ordered = sorted(column.categories)
            position = {category: k for k, category in enumerate(ordered)}
            rank = np.array([position[category] for category in column.categories])
            block = X[:, at : at + widths[j]]
            block[...] = 0.0
            block[np.arange(n), rank[np.frombuffer(column.codes, dtype=np.int64)]] = 1.0
            names += [f"{column.name}={category}" for category in ordered]
            notes.append(
                f"one-hot encoded the text column {column.name!r} ({len(ordered)} values)"
            )
        at += widths[j]
    return X, names, notes
