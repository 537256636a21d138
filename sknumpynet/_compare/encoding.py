"""The features of a CSV file, encoded by scikit-learn's ``ColumnTransformer``.

:func:`make_encoder` builds the transformer from the kinds of the columns
that :func:`~sknumpynet._compare.csvfile.read_csv` returns: numeric columns
get their missing values imputed with the median and are standardized; text
columns (category codes) get their missing values as a category of their
own, ``"missing"``, and are one-hot encoded, ignoring categories that only
the test set holds. :func:`encode` fits it on the training split only, so
that nothing of the test set leaks into the features, and says in notes what
it did to which column.
"""

from __future__ import annotations

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

# The code that a missing text cell becomes: the category "missing", one-hot
# encoded like the others (category codes start at 0).
MISSING_CODE = -1.0


def make_encoder(columns) -> ColumnTransformer:
    """A ``ColumnTransformer`` for these columns, unfitted.

    Parameters
    ----------
    columns : list of CsvColumn
        The columns of the matrix to encode, in order: their ``kind`` and
        ``n_missing`` (an imputer only where a column has missing cells: the
        median of a column takes a sorted copy of it).

    Returns
    -------
    encoder : ColumnTransformer
        Its output has the numeric columns first, standardized, then the
        one-hot columns of each text column; always dense.

    Examples
    --------
    A numeric column and a text column (codes of two categories), each with
    a missing cell: the number becomes the median, 3, before scaling; the
    category is "missing", the first of the three one-hot columns.

    >>> from sknumpynet._compare.csvfile import CsvColumn
    >>> columns = [CsvColumn("size", "numeric", np.empty(0), n_missing=1),
    ...            CsvColumn("colour", "text", np.empty(0), ["blue", "red"], n_missing=1)]
    >>> X = np.array([[1.0, 0.0], [np.nan, 1.0], [3.0, np.nan], [5.0, 1.0]])
    >>> make_encoder(columns).fit_transform(X).round(2).tolist()
    [[-1.41, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0], [1.41, 0.0, 0.0, 1.0]]
    """
    groups: dict[tuple[str, bool], list[int]] = {}
    for j, column in enumerate(columns):
        groups.setdefault((column.kind, column.n_missing > 0), []).append(j)
    transformers = []
    # copy=False: the transformer hands each group a copy of its columns
    for (kind, missing), where in sorted(groups.items(), key=lambda item: item[0][0]):
        if kind == "numeric":
            steps = [StandardScaler(copy=False)]
            if missing:
                steps.insert(0, SimpleImputer(strategy="median", keep_empty_features=True))
        else:
            steps = [OneHotEncoder(handle_unknown="ignore", sparse_output=False)]
            if missing:
                steps.insert(0, SimpleImputer(strategy="constant", fill_value=MISSING_CODE))
        name = f"{kind}_with_missing" if missing else kind
        transformers.append((name, make_pipeline(*steps), where))
    return ColumnTransformer(transformers, sparse_threshold=0.0)


def encode(columns, X_train, X_test, *, dtype):
    """Fit the encoder of ``columns`` on ``X_train``; both splits encoded, in ``dtype``.

    Parameters
    ----------
    columns : list of CsvColumn
        The columns of ``X_train`` and ``X_test``, in order, as
        :func:`~sknumpynet._compare.csvfile.read_csv` returns them (their
        ``values`` may be released).
    X_train, X_test : ndarray of shape (n_samples, n_columns)
        The columns' values (text: category codes), NaN where missing; they
        may be overwritten.
    dtype : str or numpy dtype
        The dtype of the encoded features.

    Returns
    -------
    X_train, X_test : ndarray
        The encoded features.
    notes : list of str
        For each text column, how many values it was encoded with; for each
        column with missing cells, how many there were and how they were
        filled in.
    names : list of str
        The name of each encoded feature: a numeric column's name, or
        ``"column=value"`` for a one-hot column (``"column=missing"`` for
        its missing cells).
    """
    encoder = make_encoder(columns)
    X_train = encoder.fit_transform(X_train)
    X_test = encoder.transform(X_test)
    dtype = np.dtype(dtype)
    X_train, X_test = X_train.astype(dtype, copy=False), X_test.astype(dtype, copy=False)
    seen = {}  # the codes each text column was fitted on
    names = []
    for name, pipeline, where in encoder.transformers_:
        if name.startswith("text"):
            seen.update(zip(where, pipeline[-1].categories_))
            names += [
                f"{columns[j].name}={_category(columns[j], code)}"
                for j, codes in zip(where, pipeline[-1].categories_)
                for code in codes
            ]
        elif name.startswith("numeric"):
            names += [columns[j].name for j in where]
    notes = [
        _one_hot_note(column, seen[j]) for j, column in enumerate(columns) if column.kind == "text"
    ]
    notes += [_missing_note(column) for column in columns if column.n_missing]
    return X_train, X_test, notes, names


def _category(column, code) -> str:
    """The category of a text column that ``code`` stands for."""
    return "missing" if code == MISSING_CODE else column.categories[int(code)]


def _one_hot_note(column, seen) -> str:
    """What one-hot encoding did to a text column, given the codes seen in training."""
    n = len(column.categories)
    note = f"one-hot encoded the text column {column.name!r} ({n} values)"
    unseen = n - int(np.count_nonzero(seen != MISSING_CODE))
    if unseen:
        note += (
            f"; {unseen} of them only in the test set, where they are encoded as none of "
            "the values seen in training"
        )
    return note


def _missing_note(column) -> str:
    """How many cells of a column were missing, and what they became."""
    cells = "1 cell is" if column.n_missing == 1 else f"{column.n_missing} cells are"
    where = f"column {column.name!r}: {cells} missing (the first on line {column.first_missing})"
    if column.kind == "numeric":
        return f"{where}, imputed with the column's median in the training set"
    return f"{where}, encoded as the category 'missing'"
