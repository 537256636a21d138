"""The target column of a CSV file, and the task that it makes.

The target decides the task (``task="auto"``, the default), following the
reasoning of scikit-learn's ``type_of_target``, and of its classifiers'
warning that a target with many distinct values "could represent a
regression problem":

- text makes a classification;
- numbers that are not all whole (``"continuous"``) make a regression;
- whole numbers make a classification when there are at most
  :data:`MAX_AUTO_CLASSES` distinct values (class codes: 0/1, 1 to 5
  stars, digits), and a regression when there are more (a count or an
  amount: visits, ages, prices in whole units), which few classifiers could
  learn class by class.

The note that comes with the target says which task was chosen, why, and
the option that chooses the other. ``task="regression"`` reads whole
numbers as a quantity whatever their number, and refuses text;
``task="classification"`` reads whole numbers as classes, and refuses
numbers that are not whole. A target cell may not be missing. A
classification target with more than :data:`MAX_CLASSES` classes is
refused while reading (and one with more distinct values than half of the
training rows after the split, see :func:`~sknumpynet._compare.data.split`).
"""

from __future__ import annotations

import math
from array import array

import numpy as np

from .columns import MAX_MAGNITUDE, MISSING, is_nan, number, refuse_first
from .errors import CommandError

# More classes than this is not a classification task compare can measure
# in reasonable time and memory: every model holds n_samples x n_classes
# probabilities, and LogisticRegression n_classes x n_features coefficients.
MAX_CLASSES = 1000
TASKS = ("auto", "classification", "regression")
# The most distinct whole numbers that task="auto" reads as classes; more
# are a quantity (see the module's docstring).
MAX_AUTO_CLASSES = 20
# From 2**53 on, every float64 is a whole number: whether such a number is
# whole says nothing of the target (1.8e200 is whole, and 10**30 and
# 10**30 + 1 are the same float).
EXACT_INTEGERS = 2.0**53
# The largest magnitude of a regression target in float32: the regressors
# predict in float32 and scale their predictions back to the target's units
# in float32, whose largest number is 3.4e38; a hundredth of it leaves room
# for predictions beyond the targets.
MAX_MAGNITUDE_FLOAT32 = float(np.finfo(np.float32).max) / 100


class TargetReader:
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
        if label in MISSING or is_nan(label):
            shown = f" ({label!r})" if label else ""
            raise CommandError(
                f"{self.path}, line {line}: the target column {self.name!r} has no value"
                f"{shown}; drop the rows whose target is missing"
            )
        if self.numbers is not None:
            value = number(label)
            if value is None:
                raise CommandError(
                    f"{self.path}: the target column {self.name!r} holds numbers, but line "
                    f"{line} holds {label!r}; a regression needs numbers"
                )
            self.numbers.append(value)
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
        numbers = [number(label) for label in self.labels]
        if all(n is not None for n in numbers):
            if self.task != "classification":
                self.numbers = array("d", (numbers[code] for code in self.codes))
                self.labels, self.codes = {}, array("q")
                return
            for label, value in zip(self.labels, numbers):
                if math.isfinite(value) and not value.is_integer():
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


def finish_target(path, labels: TargetReader, name, lines, task, dtype="float64"):
    """The target as an array, the task it makes and a note saying which.

    See the module's docstring for the rule. ``dtype`` is the dtype of the
    fit: a regression target must be within its range (see
    :data:`MAX_MAGNITUDE_FLOAT32`).
    """
    if labels.numbers is not None:  # more than MAX_CLASSES distinct numbers
        values = np.frombuffer(labels.numbers, dtype=np.float64)
        _check_numbers(path, name, values, lines, dtype)
        return values, "regression", [_regression_note(name, values, task, _all_whole(values))]
    codes = np.frombuffer(labels.codes, dtype=np.int64)
    distinct = list(labels.labels)
    numbers = [number(label) for label in distinct]
    whole = False
    if all(value is not None for value in numbers):
        values = np.array(numbers)[codes]
        _check_numbers(path, name, values, lines, dtype)
        # whole: written as an integer (of any size), or a float that is exactly whole
        is_whole = [_is_integer(label) or _all_whole(n) for label, n in zip(distinct, numbers)]
        whole = all(is_whole)
        many = len(distinct) > MAX_AUTO_CLASSES
        if task == "regression" or (task == "auto" and (not whole or many)):
            return values, "regression", [_regression_note(name, values, task, whole)]
        if not whole:  # task == "classification"
            where = int(np.flatnonzero(codes == is_whole.index(False))[0])
            _continuous(path, name, lines[where], distinct[codes[where]])
    elif task == "regression":
        where = next(code for code, value in enumerate(numbers) if value is None)
        line = lines[int(np.flatnonzero(codes == where)[0])]
        raise CommandError(
            f"{path}: the target column {name!r} holds text (line {line}: "
            f"{distinct[where]!r}); a regression needs numbers"
        )
    labels_of_code = _integers(distinct)
    if labels_of_code is None:
        labels_of_code = np.array(distinct, dtype=str)
    note = f"classification: the target column {name!r} holds {len(distinct)} classes"
    if task != "classification" and whole:
        note += (
            f" (whole numbers, at most {MAX_AUTO_CLASSES} distinct); if they are a quantity, "
            "give --task regression"
        )
    elif task != "classification":
        note += " (text)"
    return labels_of_code[codes], "classification", [note]


def _all_whole(values) -> bool:
    """Whether every value is a whole number below :data:`EXACT_INTEGERS` (as
    ``type_of_target`` asks, without its cast to int, which overflows)."""
    values = np.asarray(values)
    return bool(np.all((np.abs(values) < EXACT_INTEGERS) & (values == np.trunc(values))))


def _is_integer(label: str) -> bool:
    """Whether ``label`` is written as an integer (of any size): ``"7"``, ``"-12"``."""
    try:
        int(label)
    except ValueError:
        return False
    return True


def _regression_note(name, values, task, whole) -> str:
    """The note of a regression target: its values, and why it is a regression."""
    note = (
        f"regression: the target column {name!r} holds {np.unique(values).shape[0]} "
        f"distinct values from {values.min():g} to {values.max():g}"
    )
    if task == "regression":
        return note
    if whole:
        return note + (
            f" (whole numbers, more than {MAX_AUTO_CLASSES} distinct: a quantity); if they "
            "are classes, give --task classification"
        )
    return note + " (numbers, not all whole)"


def _check_numbers(path, name, values, lines, dtype) -> None:
    """Refuse a target of numbers that are not finite, or too large to fit and score."""
    where = f"the target column {name!r} holds"
    refuse_first(
        ~np.isfinite(values), values, path, lines, where,
        lambda v: f"{str(v)!r}, which is not a finite number",
    )  # fmt: skip
    refuse_first(
        np.abs(values) > MAX_MAGNITUDE, values, path, lines, where,
        lambda v: f"{v:g}, too large to fit and score (a target must lie within "
        f"±{MAX_MAGNITUDE:g}: its squares overflow past that); rescale it, e.g. to "
        "its logarithm",
    )  # fmt: skip
    if np.dtype(dtype) == np.float32:
        refuse_first(
            np.abs(values) > MAX_MAGNITUDE_FLOAT32, values, path, lines, where,
            lambda v: f"{v:g}, beyond what --dtype float32 can predict (within "
            f"±{MAX_MAGNITUDE_FLOAT32:.1e}); give --dtype float64, or rescale the target",
        )  # fmt: skip


def _integers(labels) -> np.ndarray | None:
    try:
        return np.array([int(label) for label in labels], dtype=np.int64)
    except (ValueError, OverflowError):
        return None
