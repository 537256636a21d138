"""Tables in, arrays out: the encoder that makes a DataFrame (or an array) the engine's arrays.

:class:`TableEncoder` learns, inside an estimator's ``fit``, what each column
is and the statistics that scale it, and turns any later table with the same
columns into two arrays: float columns (:attr:`EncodedTable.num`) and integer
category codes (:attr:`EncodedTable.cat`). The engine never sees pandas.

The encoding is RealMLP-TD's (Holzmüller, Grinsztajn and Steinwart, 2024,
"Better by Default: Strong Pre-Tuned MLPs and Boosted Trees on Tabular Data",
arXiv 2407.04491), as its reference code pytabkit runs it; the file names
cited below are those of ``pytabkit/models/``. The column kinds follow
scikit-learn's ``HistGradientBoosting*(categorical_features="from_dtype")``.
pandas is optional: it is imported only when a DataFrame or an object array
comes in, and numpy arrays are encoded without it.
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from typing import NamedTuple

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

# RealMLP-TD's one-hot limit, counting the code of missing and unknown values
# (pytabkit ``sklearn/default_params.py``: max_one_hot_cat_size=9).
MAX_ONE_HOT = 9
# pytabkit ``nn_models/models.py`` smooth_clip_func(max_abs_value=3.0).
SMOOTH_CLIP_MAX = 3.0
# pytabkit ``nn_models/pipeline.py`` RobustScaleFactory(robust_scale_eps=1e-30).
ROBUST_SCALE_EPS = 1e-30
# Beyond this a scaled value is smooth-clipped to +-3 to the last digit; clipping
# first keeps its square finite (and maps an overflow to infinity to +-3 too).
_CLIP_BEFORE_SQUARE = 1e150
# A sparse matrix is encoded densely (robust scaling centres every column);
# larger encodings are refused rather than allocated.
SPARSE_DENSE_LIMIT_BYTES = 2**30
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
# Up to this many one-hot columns a table of (k + 1, k) encoded rows is gathered
# by code; beyond, the columns are filled and the codes' cells scattered.
_GATHER_ONE_HOT = 64


class EncodedTable(NamedTuple):
    """The arrays a :class:`TableEncoder` makes of a table.

    Attributes
    ----------
    num : ndarray of shape (n_samples, n_num)
        C-contiguous floats in the encoder's ``dtype``: the
        ``n_continuous_`` continuous columns first, then the missing-value
        indicators, the booleans and the one-hot columns.
    cat : ndarray of shape (n_samples, n_cat), dtype intp
        C-contiguous codes of the embedded categorical columns: column ``j``
        holds values in ``[0, cardinalities_[j])``, 0 for a missing cell or a
        category not seen in ``fit``.
    """

    num: np.ndarray
    cat: np.ndarray


def smooth_clip(x: np.ndarray) -> np.ndarray:
    """RealMLP's smooth clipping ``x / sqrt(1 + (x / 3)**2)``, in place on float64 ``x``.

    pytabkit ``nn_models/models.py``, ``smooth_clip_func``: close to the
    identity near 0, tending to +-3 for large values. Returns ``x``.
    """
    np.clip(x, -_CLIP_BEFORE_SQUARE, _CLIP_BEFORE_SQUARE, out=x)
    denominator = x * x
    denominator *= 1.0 / SMOOTH_CLIP_MAX**2
    denominator += 1.0
    np.sqrt(denominator, out=denominator)
    x /= denominator
    return x


def robust_scale_factor(q25: float, q75: float, low: float, high: float) -> float:
    """RealMLP's robust scale: ``1 / (q75 - q25 + 1e-30)``, 0 for a constant column.

    pytabkit ``nn_models/pipeline.py``, ``RobustScaleFactory``: where the
    quartiles coincide, half the range ``(high - low) / 2`` replaces their
    difference; where that is 0 too, the column is constant and its factor 0.
    """
    # Halves throughout, which cannot overflow; 0.5 / (half + eps / 2) is
    # 1 / (2 * half + eps) to the last bit.
    half = 0.5 * q75 - 0.5 * q25
    if half == 0.0:
        half = 0.25 * high - 0.25 * low
    if half == 0.0:
        return 0.0
    return 0.5 / (half + 0.5 * ROBUST_SCALE_EPS)


def _lerp(a: float, b: float, t: float) -> float:
    # numpy's quantile interpolation (numpy.lib._function_base_impl._lerp)
    return b - (b - a) * (1.0 - t) if t >= 0.5 else a + (b - a) * t


def repeat_counts(sample_weight, n_rows: int) -> tuple[np.ndarray | None, np.ndarray]:
    """``(kept, counts)``: the rows of positive weight (None for all) and their
    weights as counts of repeats. Whole numbers are counts as they are; other
    weights are scaled to a mean of one over the rows kept. Without weights,
    every row counts once."""
    if sample_weight is None:
        return None, np.ones(n_rows)
    w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    kept = w > 0
    if kept.all():
        kept = None
    else:
        w = w[kept]
    if not np.array_equal(w, np.round(w)):
        w = w * (w.shape[0] / w.sum())
        # equal weights scale to ones, to rounding: make them the counts
        # they stand for, so that the statistics are those of no weights
        whole = np.round(w)
        if np.allclose(w, whole, rtol=0.0, atol=1e-9):
            w = whole
    return kept, w


def weighted_quantiles(values: np.ndarray, counts: np.ndarray, levels) -> np.ndarray:
    """``np.quantile(column, levels)`` where ``values[i]`` occurs ``counts[i]`` times.

    The counts may be sample weights: whole numbers give the quantiles of
    the column with each value repeated that many times, to rounding (the
    position of a quantile among the repeats is computed as numpy's
    ``levels * (n - 1)``).
    """
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    values, counts = values[order], np.asarray(counts, dtype=np.float64)[order]
    present = counts > 0
    values, cumulative = values[present], np.cumsum(counts[present])
    last = float(cumulative[-1]) - 1.0
    h = np.asarray(levels, dtype=np.float64) * last
    below = np.floor(h)
    a = values[np.searchsorted(cumulative, below, side="right")]
    b = values[np.searchsorted(cumulative, np.minimum(below + 1, last), side="right")]
    t = h - below
    # numpy's interpolation (numpy.lib._function_base_impl._lerp)
    return np.where(t >= 0.5, b - (b - a) * (1.0 - t), a + (b - a) * t)


def _discrete_quartiles(values: np.ndarray, counts: np.ndarray) -> tuple[float, ...]:
    """``np.quantile(column, [0.25, 0.5, 0.75])``: ``values[i]`` occurs ``counts[i]`` times.

    The counts may be sample weights: whole numbers give the quartiles of the
    column with each value repeated that many times.
    """
    order = np.argsort(values, kind="stable")
    values, counts = values[order], np.asarray(counts, dtype=np.float64)[order]
    present = counts > 0
    values, cumulative = values[present], np.cumsum(counts[present])
    last = float(cumulative[-1]) - 1.0
    quartiles = []
    for q in (0.25, 0.5, 0.75):
        h = q * last  # exact: q is a multiple of 1/4
        below = math.floor(h)
        a, b = values[np.searchsorted(cumulative, [below, min(below + 1, last)], side="right")]
        quartiles.append(_lerp(float(a), float(b), h - below))
    return tuple(quartiles)


def _discrete_outputs(values, counts) -> np.ndarray | None:
    """The encoded value of each of ``values``, or None for a constant column.

    The column holds ``values[i]`` ``counts[i]`` times at fit. RealMLP
    median-centres, robust-scales and smooth-clips its one-hot columns like its
    numbers (pytabkit ``nn_models/models.py``, ``NNFactory``: the one-hot block
    goes through the same ``tfms`` as the continuous columns).
    """
    values = np.asarray(values, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    q25, median, q75 = _discrete_quartiles(values, counts)
    seen = values[counts > 0]
    factor = robust_scale_factor(q25, q75, seen.min(), seen.max())
    if factor == 0.0:
        return None
    return smooth_clip((values - median) * factor)


def _binary_outputs(n: int, ones) -> tuple[np.ndarray, np.ndarray]:
    """``_discrete_outputs([0, 1], [n - ones, ones])`` for many 0/1 columns at once.

    Each column has ``n`` rows, ``ones`` of them 1 (``0 < ones < n``). Returns
    the encoded value of a 0 and of a 1 in each column.
    """
    zeros = n - np.asarray(ones, dtype=np.float64)
    last = n - 1
    quartiles = []
    for q in (0.25, 0.5, 0.75):
        h = q * last
        below = math.floor(h)
        t = h - below
        # the sorted column is ``zeros`` 0s then 1s
        a = (below >= zeros).astype(np.float64)
        b = (min(below + 1, last) >= zeros).astype(np.float64)
        quartiles.append(b - (b - a) * (1.0 - t) if t >= 0.5 else a + (b - a) * t)
    q25, median, q75 = quartiles
    half = 0.5 * q75 - 0.5 * q25
    half[half == 0.0] = 0.25  # half the range of a column of 0s and 1s
    factor = 0.5 / (half + 0.5 * ROBUST_SCALE_EPS)
    return smooth_clip((0.0 - median) * factor), smooth_clip((1.0 - median) * factor)


# ---------------------------------------------------------------- reading columns


def _pandas():
    """pandas, or None where it is not installed."""
    try:
        import pandas
    except ImportError:
        return None
    return pandas


def _is_dataframe(X) -> bool:
    pd = sys.modules.get("pandas")  # a DataFrame means pandas is imported already
    return pd is not None and isinstance(X, pd.DataFrame)


def _is_series(col) -> bool:
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(col, pd.Series)


def _column_label(label, position: int, from_frame: bool) -> str:
    """How messages name a column: its DataFrame label, else its position."""
    return f"column {label!r}" if from_frame else f"column {position}"


class _Table:
    """Uniform column access to a DataFrame, a 2-D array or a sparse matrix."""

    def __init__(self, X):
        self.frame = X if _is_dataframe(X) else None
        self.sparse = None
        self.array = None
        if self.frame is not None:
            shape = X.shape
        elif sparse.issparse(X):
            if X.ndim != 2:
                raise ValueError(f"Expected a 2D sparse matrix, got shape {X.shape}.")
            if np.dtype(X.dtype).kind == "c":
                raise ValueError("Complex data not supported: X is a complex sparse matrix.")
            if np.dtype(X.dtype).kind not in "biuf":
                raise TypeError(f"X is a sparse matrix of dtype {X.dtype}: numbers are expected.")
            self.sparse = sparse.csc_matrix(X)
            if not self.sparse.has_canonical_format:  # duplicate entries add up
                self.sparse = self.sparse.copy()
                self.sparse.sum_duplicates()
            shape = X.shape
        else:
            array = X if isinstance(X, np.ndarray) else np.asarray(X)
            if array.dtype.kind in "US" and not isinstance(X, np.ndarray):
                # a list of rows mixing numbers and strings: keep the numbers numbers
                array = np.asarray(X, dtype=object)
            if array.ndim != 2:
                raise ValueError(
                    f"Expected a 2D array, got a {array.ndim}D array of shape {array.shape} "
                    "instead. Reshape your data either using array.reshape(-1, 1) if it has a "
                    "single feature or array.reshape(1, -1) if it is a single sample."
                )
            self.array = array
            shape = array.shape
        self.n_rows, self.n_cols = int(shape[0]), int(shape[1])
        self._labels = None if self.frame is None else list(self.frame.columns)
        if self.n_rows < 1 or self.n_cols < 1:
            what = "sample" if self.n_rows < 1 else "feature"
            raise ValueError(
                f"Found array with {self.n_rows if self.n_rows < 1 else self.n_cols} {what}(s) "
                f"(shape={tuple(shape)}) while a minimum of 1 is required."
            )

    def rows(self, mask: np.ndarray) -> _Table:
        """The table of the rows where ``mask`` is true."""
        if self.frame is not None:
            return _Table(self.frame.iloc[mask])
        if self.sparse is not None:
            return _Table(self.sparse.tocsr()[mask])
        return _Table(self.array[mask])

    def labels(self) -> list | None:
        """The DataFrame's column labels, None for an array."""
        return self._labels

    def describe(self, j: int) -> str:
        """How messages name column ``j``: its label, else its position."""
        labels = self._labels
        return _column_label(None if labels is None else labels[j], j, labels is not None)

    def column(self, j: int):
        """Column ``j``: a pandas Series or a 1-D numpy array (a sparse one made dense)."""
        if self.frame is not None:
            return self.frame.iloc[:, j]
        if self.array is not None:
            return self.array[:, j]
        start, stop = self.sparse.indptr[j], self.sparse.indptr[j + 1]
        dense = np.zeros(self.n_rows, dtype=np.float64)
        dense[self.sparse.indices[start:stop]] = self.sparse.data[start:stop]
        return dense

    def check_sparse_size(self, n_out: int, itemsize: int) -> None:
        if self.sparse is None:
            return
        size = self.n_rows * n_out * itemsize
        if size > SPARSE_DENSE_LIMIT_BYTES:
            raise ValueError(
                f"X is a sparse matrix of shape {(self.n_rows, self.n_cols)} whose dense "
                f"encoding would take {size / 2**30:.1f} GiB (more than "
                f"{SPARSE_DENSE_LIMIT_BYTES / 2**30:.0f} GiB): the table's encoding "
                "scales every column around its median, which makes it dense. Encode "
                "fewer rows at a time, or train MLPClassifierNP / MLPRegressorNP, which "
                "take sparse matrices as they are."
            )


def _refuse_dtype(dtype, where: str) -> None:
    """The clear error for dtypes that are neither numbers, booleans nor categories."""
    kind = getattr(dtype, "kind", None)
    if kind == "c" or "complex" in str(dtype):
        raise ValueError(
            f"Complex data not supported: {where} has dtype {dtype}; pass its real and "
            "imaginary parts (or its modulus and angle) as columns of numbers."
        )
    if kind in ("M", "m") or any(s in str(dtype) for s in ("datetime", "timedelta", "period")):
        raise TypeError(
            f"{where} has dtype {dtype}, which is neither numbers nor categories: convert it "
            "to numbers first, e.g. seconds since a date (for a pandas column "
            "X[name].astype('int64') / 1e9), or split it into year, month and weekday columns."
        )
    raise TypeError(
        f"{where} has dtype {dtype}: a table's columns may hold numbers, booleans, "
        "strings and pandas categoricals; convert the column to one of those."
    )


def _value_kind(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, str):
        return "str"
    if isinstance(value, bytes):
        return "bytes"
    if isinstance(value, numbers.Real):
        return "number"
    return type(value).__name__


def _object_missing(values: np.ndarray) -> np.ndarray:
    """Which cells of an object array are missing (None, NaN, pandas' NA and NaT)."""
    pd = _pandas()
    if pd is not None:
        return np.asarray(pd.isna(values), dtype=bool)
    with np.errstate(invalid="ignore"):
        return np.equal(values, None) | (values != values)  # NaN != NaN


def _unique_present(values: np.ndarray, where: str) -> list:
    """The distinct non-missing values of an object column (a loop over them, not the rows)."""
    pd = _pandas()
    try:
        uniques = pd.unique(values) if pd is not None else list(set(values.tolist()))
    except TypeError:  # an unhashable value: name it in _object_kind
        uniques = values[~_object_missing(values)].tolist()
        _object_kind(uniques, where)
        raise
    return [value for value in uniques if not _missing_value(value)]


def _missing_value(value) -> bool:
    """Whether one cell is missing: None, NaN, pandas' NA or NaT."""
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return value != value  # NaN
    pd = sys.modules.get("pandas")
    return pd is not None and (value is pd.NA or value is pd.NaT)


def _object_kind(uniques: list, where: str) -> str:
    """``"continuous"``, ``"boolean"`` or ``"categorical"`` for an object column's values."""
    kinds = {_value_kind(v) for v in uniques}
    if kinds <= {"str"} or kinds == {"bytes"}:
        return "categorical"
    if kinds == {"bool"}:
        return "boolean"
    if kinds == {"number"}:
        return "continuous"
    found = ", ".join(sorted(kinds))
    if "number" in kinds and not kinds & {"str", "bytes", "bool"}:
        other = sorted(kinds - {"number"})[0]
        raise TypeError(
            f"{where} holds numbers and {other} values and cannot be read as numbers: "
            f"float() argument must be a string or a real number, not {other!r}. An object "
            "column must hold only numbers, only booleans or only strings."
        )
    if len(kinds) > 1:
        raise TypeError(
            f"{where} mixes values of types {found}: a column must hold one kind of value. "
            "Convert it, e.g. X[name].astype(str) to read it as categories, or "
            "pandas.to_numeric(X[name]) to read it as numbers."
        )
    raise TypeError(
        f"{where} holds {found} values, which are neither numbers nor categories: convert "
        "them to numbers (e.g. dates to seconds since a date) or to strings (categories)."
    )


def _column_kind(col, where: str) -> tuple[str, list | None]:
    """The kind of a column at fit, and its distinct present values where they were read.

    The kind is ``"continuous"``, ``"boolean"`` or ``"categorical"``.
    """
    if _is_series(col):
        pd = sys.modules["pandas"]
        dtype = col.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            return "categorical", None
        if pd.api.types.is_bool_dtype(dtype):
            return "boolean", None
        if pd.api.types.is_complex_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
            _refuse_dtype(dtype, where)
        if pd.api.types.is_timedelta64_dtype(dtype) or isinstance(
            dtype, (pd.PeriodDtype, pd.IntervalDtype)
        ):
            _refuse_dtype(dtype, where)
        if pd.api.types.is_numeric_dtype(dtype):
            return "continuous", None
        if pd.api.types.is_string_dtype(dtype) or getattr(dtype, "kind", None) == "O":
            uniques = _unique_present(col.to_numpy(dtype=object), where)
            return _object_kind(uniques, where), uniques
        _refuse_dtype(dtype, where)
    kind = col.dtype.kind
    if kind == "b":
        return "boolean", None
    if kind in "iuf":
        return "continuous", None
    if kind in "US":
        return "categorical", None
    if kind == "O":
        uniques = _unique_present(col, where)
        return _object_kind(uniques, where), uniques
    _refuse_dtype(col.dtype, where)


def _as_float(col, where: str) -> np.ndarray:
    """A float64 copy or view of a column, NaN where a cell is missing."""
    if _is_series(col):
        pd = sys.modules["pandas"]
        dtype = col.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
            return np.asarray(col.to_numpy(), dtype=np.float64)
        if (
            pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        ) and not pd.api.types.is_complex_dtype(dtype):
            return col.to_numpy(dtype=np.float64, na_value=np.nan)
        if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
            col = col.to_numpy(dtype=object)
        else:
            _refuse_dtype(dtype, where)
    kind = col.dtype.kind
    if kind in "biuf":
        return np.asarray(col, dtype=np.float64)
    if kind not in "OUS":
        _refuse_dtype(col.dtype, where)
    values = np.asarray(col, dtype=object)
    missing = _object_missing(values)
    out = np.full(values.shape, np.nan)
    try:
        out[~missing] = values[~missing].astype(np.float64)
    except (TypeError, ValueError) as error:
        message = f"{where} was numeric in fit but cannot be read as numbers: {error}"
        raise TypeError(message) from error
    return out


def _finite_or_missing(x: np.ndarray, where: str) -> np.ndarray:
    """The missing cells (NaN) of a float column; infinity is refused."""
    missing = np.isnan(x)
    infinite = np.isinf(x)
    if infinite.any():
        row = int(np.flatnonzero(infinite)[0])
        raise ValueError(
            f"Input X contains infinity in {where} (row {row}, value {x[row]}): replace it "
            "with a finite number, or with NaN to mark the cell missing."
        )
    return missing


def _boolean_codes(col, where: str) -> np.ndarray:
    """Codes of a boolean column: 0 missing (or not a boolean), 1 False, 2 True."""
    if _is_series(col):
        pd = sys.modules["pandas"]
        dtype = col.dtype
        if isinstance(dtype, np.dtype) and dtype.kind == "b":
            col = col.to_numpy()
        elif pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            col = col.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            col = col.to_numpy(dtype=object)
    kind = col.dtype.kind
    if kind == "b":
        return col.astype(np.intp) + 1
    if kind in "iuf":
        return np.where(col == 1, 2, np.where(col == 0, 1, 0)).astype(np.intp)
    return _lookup_codes(np.asarray(col, dtype=object), [False, True], where)


def _lookup_codes(values: np.ndarray, categories: list, where: str) -> np.ndarray:
    """1 + the position of each value in ``categories``; 0 where missing or unknown."""
    pd = _pandas()
    try:
        if pd is not None:
            codes = pd.Index(categories, dtype=object).get_indexer(values)
            return codes.astype(np.intp) + 1
        position = {value: i + 1 for i, value in enumerate(categories)}
        return np.frompyfunc(lambda value: position.get(value, 0), 1, 1)(values).astype(np.intp)
    except TypeError as error:  # a list, a dict...: no category can equal it
        found = sorted({type(v).__name__ for v in values.tolist() if not _hashable(v)})
        raise TypeError(
            f"{where} holds {', '.join(found)} values, which cannot be categories: a "
            "categorical column holds strings, numbers or booleans."
        ) from error


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _sorted_categories(values) -> list:
    """Categories in sorted order (as OneHotEncoder), or as given where they do not sort."""
    values = list(values)
    try:
        return sorted(values)
    except TypeError:
        return values


def _category_codes(col, categories: list, where: str) -> np.ndarray:
    """Codes of a categorical column: 0 missing or unknown, ``i + 1`` for ``categories[i]``."""
    if _is_series(col):
        pd = sys.modules["pandas"]
        if isinstance(col.dtype, pd.CategoricalDtype):
            own = col.cat.categories
            remap = pd.Index(categories, dtype=object).get_indexer(own.astype(object)) + 1
            remap = np.append(remap, 0).astype(np.intp)  # code -1 (missing) reads the 0
            return np.take(remap, col.cat.codes.to_numpy())
        col = col.to_numpy(dtype=object)
    return _lookup_codes(np.asarray(col, dtype=object), categories, where)


def _is_number_column(col) -> bool:
    """Whether a column's dtype holds numbers (not booleans), as ``_column_kind`` reads it."""
    if _is_series(col):
        pd = sys.modules["pandas"]
        dtype = col.dtype
        return (
            pd.api.types.is_numeric_dtype(dtype)
            and not pd.api.types.is_bool_dtype(dtype)
            and not isinstance(dtype, pd.CategoricalDtype)
        )
    return col.dtype.kind in "iuf"


def _refuse_infinity(col, where: str) -> None:
    """A column of numbers read as categories: NaN is a missing cell, infinity is refused."""
    if _is_number_column(col):
        _finite_or_missing(_as_float(col, where), where)


def categorical_columns(categorical_features, n_features: int, feature_names) -> frozenset:
    """The positions of the columns that ``categorical_features`` reads as categorical.

    "from_dtype" (or None) adds none to those whose dtype is; otherwise, as
    ``HistGradientBoosting*``'s parameter: a boolean mask of the
    ``n_features`` columns, their integer positions, or their names (a
    DataFrame's string column names).
    """
    if categorical_features is None or (
        isinstance(categorical_features, str) and categorical_features == "from_dtype"
    ):
        return frozenset()
    if isinstance(categorical_features, str):
        raise ValueError(
            f'categorical_features must be "from_dtype" or an array-like of booleans, '
            f"column positions or column names; got the string {categorical_features!r}."
        )
    given = np.asarray(categorical_features)
    if given.ndim != 1:
        raise ValueError(f"categorical_features must be one-dimensional; got shape {given.shape}.")
    if given.size == 0:
        return frozenset()
    kind = given.dtype.kind
    if kind == "b":
        if given.shape[0] != n_features:
            raise ValueError(
                f"categorical_features as a boolean mask must have one entry per column of "
                f"X: {n_features}, got {given.shape[0]}."
            )
        return frozenset(int(j) for j in np.flatnonzero(given))
    if kind in "iu":
        outside = [int(j) for j in given if not 0 <= j < n_features]
        if outside:
            raise ValueError(
                f"categorical_features names column positions {outside} that X, of "
                f"{n_features} columns, does not have (they must lie in [0, {n_features - 1}])."
            )
        return frozenset(int(j) for j in given)
    if kind in "UO" and all(isinstance(name, str) for name in given.tolist()):
        if feature_names is None:
            raise ValueError(
                "categorical_features names columns by name, and X has no column names "
                "(a DataFrame has them): give the columns' positions or a boolean mask."
            )
        position = {name: j for j, name in enumerate(feature_names.tolist())}
        unknown = [name for name in given.tolist() if name not in position]
        if unknown:
            raise ValueError(
                f"categorical_features names columns that X does not have: {unknown}."
            )
        return frozenset(position[name] for name in given.tolist())
    raise ValueError(
        "categorical_features must be a boolean mask, integer column positions or column "
        f"names; got an array of dtype {given.dtype}."
    )


def _fit_categories(col, where: str, uniques: list | None) -> tuple[list, np.ndarray]:
    """A categorical column's categories (sorted) and its fit codes.

    ``uniques`` are its distinct present values, where already read.
    """
    if _is_series(col) and isinstance(col.dtype, sys.modules["pandas"].CategoricalDtype):
        own = col.cat.categories
        counts = np.bincount(col.cat.codes.to_numpy() + 1, minlength=len(own) + 1)
        categories = _sorted_categories(own[counts[1:] > 0].tolist())
    else:
        if uniques is None:
            values = col.to_numpy(dtype=object) if _is_series(col) else np.asarray(col, object)
            uniques = _unique_present(values, where)
        categories = _sorted_categories(uniques)
    return categories, _category_codes(col, categories, where)


# ---------------------------------------------------------------- the encoder


class TableEncoder(BaseEstimator):
    """Turn a table into float columns and category codes, RealMLP-TD's way.

    The encoder learns in :meth:`fit` what each column is and the statistics
    that scale it; :meth:`transform` then encodes any table with the same
    columns into an :class:`EncodedTable` of two arrays: ``num``, float
    columns, and ``cat``, the codes of categorical columns with many
    categories (to be embedded). No statistic depends on the rows being
    transformed: a row is encoded the same alone or among others.

    **Column kinds** (as ``HistGradientBoosting*(categorical_features=
    "from_dtype")`` where it applies):

    - numbers (any integer or float dtype, pandas' nullable ``Int64`` and
      ``Float64`` too) are *continuous*, however few distinct values they take
      (a 0/1 integer column stays a number; make it ``bool`` or ``category``,
      or name it in ``categorical_features``, to have it read otherwise);
    - booleans (``bool`` and pandas' nullable ``boolean``) are one column;
    - pandas ``category`` columns and string columns are *categorical*;
    - an object column is read from its values: all strings make it
      categorical, all booleans boolean, all numbers continuous; mixed types
      raise a ``TypeError`` naming the column;
    - datetime, timedelta and period columns raise a ``TypeError``, complex
      ones a ``ValueError`` (convert them to numbers first);
    - a numpy array is read column by column the same way (a float array is
      all continuous; an object array of strings all categorical);
    - a scipy sparse matrix is all continuous. Each column is made dense in
      turn (one column's memory); the encoding itself is dense, since
      centring on the median fills the zeros, and a sparse input whose
      encoding would pass 1 GiB is refused with a ``ValueError``.

    **Continuous columns** are scaled like RealMLP-TD's (Holzmüller et al.,
    2024; pytabkit ``nn_models/pipeline.py`` and ``nn_models/models.py``):
    ``z = (x - median) / (q75 - q25 + 1e-30)``, with half the range
    ``(max - min) / 2`` in place of ``q75 - q25`` where the quartiles
    coincide, then smoothly clipped to ``z / sqrt(1 + (z / 3)**2)``, which
    stays within (-3, 3). The statistics are those of the values present at
    fit (``numpy.quantile``'s linear interpolation). A column constant at
    fit carries nothing and is dropped. Missing cells (NaN, None, pandas' NA)
    become the median, i.e. 0; each column with missing cells at fit also
    gets a missing-value indicator column (pytabkit refuses missing numbers,
    so this part is the encoder's own). Infinity raises a ``ValueError``
    naming the column.

    **Categorical columns**: the categories are the values present at fit,
    sorted (as ``OneHotEncoder``). Code 0 stands for a missing cell and for a
    category not seen at fit, so a column with ``k`` categories has
    cardinality ``k + 1`` (pytabkit ``data/conversion.py``). A column of one
    category and no missing cell is constant and dropped. With cardinality
    at most ``max_one_hot`` the column goes to ``num`` as pytabkit's one-hot
    encoding does it (``nn_models/categorical.py``): ``k`` 0/1 columns, a
    missing or unknown cell being all zeros; two categories make one column,
    -1 for the first, +1 for the second and 0 for missing; one category and
    missing cells make one column, +1 for the category and -1 for missing.
    Larger columns go to ``cat`` as codes, for an embedding table of
    ``cardinality`` rows. A boolean column is encoded like a two-category
    column (False -1, True +1, missing 0), whatever ``max_one_hot``.

    **One-hot, boolean and indicator columns** are then median-centred,
    robust-scaled and smooth-clipped like the continuous ones, with their
    statistics at fit: RealMLP-TD applies its numerical preprocessing to the
    one-hot block too (pytabkit ``nn_models/models.py``, ``NNFactory``).
    The encoding is thus a fixed value per category and column, and the
    sign or offset of a 0/1 or -1/+1 coding does not change it.

    ``num`` holds the ``n_continuous_`` continuous columns first (those that
    get numerical embeddings), then the missing-value indicators, the
    booleans and the one-hot columns; ``feature_names_out_`` names them, then
    the columns of ``cat``.

    Parameters
    ----------
    max_one_hot : int, default=9
        Categorical columns whose cardinality (categories seen at fit, plus
        one for missing and unknown values) is at most this are one-hot
        encoded in ``num``; larger ones are coded in ``cat``. RealMLP-TD's
        value, 9, one-hot encodes up to 8 categories. 0 embeds every
        categorical column.
    dtype : {"float64", "float32"} or the numpy type, default="float64"
        The dtype of ``num``. The statistics are computed in float64 either
        way.
    categorical_features : "from_dtype", array-like of bool, int or str, default="from_dtype"
        Columns read as categorical besides those whose dtype is: a boolean
        mask of the columns, their positions, or a DataFrame's column names
        (``HistGradientBoosting*``'s parameter; "from_dtype" or None adds
        none). A column of numbers named here has its distinct values at fit
        as categories (NaN a missing cell, infinity refused).

    Attributes
    ----------
    n_features_in_ : int
        Number of columns seen in :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the columns seen in :meth:`fit`. Defined only when ``X`` is
        a DataFrame whose column names are all strings.
    column_kinds_ : list of str
        The kind of each input column: ``"continuous"``, ``"boolean"`` or
        ``"categorical"``.
    categories_ : list
        For each input column, the categories learned at fit (a list, sorted;
        ``[False, True]`` for a boolean column), or None for a continuous one.
    n_continuous_ : int
        ``num[:, :n_continuous_]`` are the scaled continuous columns.
    cardinalities_ : list of int
        One per column of ``cat``: its codes lie in ``[0, cardinality)``.
    feature_names_out_ : list of str
        Names of the columns of ``num``, then of ``cat``: a continuous,
        boolean or embedded column keeps its name, an indicator is
        ``missingindicator_<name>``, a one-hot column ``<name>_<category>``
        (a two-category column is named after its second category). Columns
        of an array are named ``x0``, ``x1``, ...

    See Also
    --------
    sklearn.ensemble.HistGradientBoostingClassifier : Reads column kinds from
        the dtypes the same way (``categorical_features="from_dtype"``).
    sklearn.preprocessing.RobustScaler : The median and quartile scaling,
        without the smooth clipping.

    Notes
    -----
    The memory a transform needs is that of its result plus one column's
    temporaries; no statistic is computed at transform time, and nothing
    loops over rows in Python. :meth:`fit` and :meth:`transform` never
    modify ``X``. Fitting is atomic: an error leaves a fitted encoder as it
    was.

    References
    ----------
    D. Holzmüller, L. Grinsztajn and I. Steinwart, "Better by Default: Strong
    Pre-Tuned MLPs and Boosted Trees on Tabular Data", NeurIPS 2024,
    arXiv:2407.04491; reference code: https://github.com/dholzmueller/pytabkit.

    Examples
    --------
    >>> import pandas as pd
    >>> from sknumpynet._tables import TableEncoder
    >>> X = pd.DataFrame({
    ...     "age": [22.0, 38.0, None, 35.0],
    ...     "smoker": [True, False, False, True],
    ...     "city": pd.Categorical(["Oslo", "Rome", "Lima", None]),
    ...     "name": ["Ann", "Bob", "Cid", "Dan"],
    ... })
    >>> encoder = TableEncoder(max_one_hot=4).fit(X)
    >>> encoder.feature_names_out_
    ['age', 'missingindicator_age', 'smoker', 'city_Lima', 'city_Oslo', 'city_Rome', 'name']
    >>> encoder.n_continuous_, encoder.cardinalities_
    (1, [5])
    >>> table = encoder.transform(X)
    >>> table.num.shape, table.cat.ravel()
    ((4, 6), array([1, 2, 3, 4]))
    >>> table.num[:, 0].round(3)
    array([-1.429,  0.372,  0.   ,  0.   ])
    """

    def __init__(
        self,
        *,
        max_one_hot: int = MAX_ONE_HOT,
        dtype="float64",
        categorical_features="from_dtype",
    ):
        self.max_one_hot = max_one_hot
        self.dtype = dtype
        self.categorical_features = categorical_features

    def _checked_params(self) -> tuple[int, np.dtype]:
        max_one_hot = self.max_one_hot
        if not isinstance(max_one_hot, numbers.Integral) or isinstance(max_one_hot, bool):
            raise TypeError(
                f"max_one_hot must be an int, got {type(max_one_hot).__name__} {max_one_hot!r}."
            )
        if max_one_hot < 0:
            raise ValueError(f"max_one_hot must be at least 0, got {max_one_hot}.")
        try:
            dtype = np.dtype(self.dtype)
        except TypeError as error:
            raise TypeError(
                f"dtype must be numpy.float32 or numpy.float64, got {self.dtype!r}."
            ) from error
        if dtype not in _FLOATS:
            raise ValueError(f"dtype must be numpy.float32 or numpy.float64, got {dtype}.")
        return int(max_one_hot), dtype

    def fit(self, X, y=None, sample_weight=None) -> TableEncoder:
        """Learn the kind of each column of ``X`` and the statistics that scale it.

        Parameters
        ----------
        X : DataFrame, array-like or sparse matrix of shape (n_samples, n_features)
            The table; it is not modified.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows. A row of weight 0 is left out (its
            categories are not learned), and whole-number weights count as
            repeats of the row, in the quartiles and the frequencies of
            categories and missing cells alike. Other weights are first scaled
            to a mean of one over the rows kept.

        Returns
        -------
        self : TableEncoder
            The fitted encoder.
        """
        max_one_hot, dtype = self._checked_params()
        table = _Table(X)
        table.check_sparse_size(table.n_cols, dtype.itemsize)
        w = None
        if sample_weight is not None:
            w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
            if w.shape[0] != table.n_rows or not (np.isfinite(w).all() and (w >= 0).all()):
                raise ValueError(
                    f"sample_weight must hold {table.n_rows} non-negative finite weights, one "
                    f"per row of X; got {w.shape[0]} weight(s)."
                )
            if not (w > 0).any():
                raise ValueError("All sample weights are zero: there is nothing to learn from.")
            kept, w = repeat_counts(w, table.n_rows)
            if kept is not None:
                table = table.rows(kept)
        total = table.n_rows if w is None else float(w.sum())
        feature_names = _feature_names(X)
        labels = table.labels()
        chosen = categorical_columns(self.categorical_features, table.n_cols, feature_names)
        continuous, indicators, booleans, one_hot, embedded = [], [], [], [], []
        kinds, categories_ = [], []
        chosen_numbers = []  # numbers read as categories, as categorical_features asked
        for j in range(table.n_cols):
            where = table.describe(j)
            name = str(labels[j]) if labels is not None else f"x{j}"
            col = table.column(j)
            if table.sparse is None:
                kind, uniques = _column_kind(col, where)
            else:
                kind, uniques = "continuous", None
            if j in chosen and kind == "continuous":
                _refuse_infinity(col, where)
                chosen_numbers.append(j)
                kind = "categorical"
            kinds.append(kind)
            categories_.append(None)
            if kind == "continuous":
                x = _as_float(col, where)
                missing = _finite_or_missing(x, where)
                present = x[~missing] if missing.any() else x
                if present.size:
                    if w is None:
                        q25, median, q75 = np.quantile(present, [0.25, 0.5, 0.75])
                    else:
                        q25, median, q75 = _discrete_quartiles(present, w[~missing])
                    low, high = (present.min(), present.max()) if q25 == q75 else (0.0, 0.0)
                    factor = robust_scale_factor(q25, q75, low, high)
                    if factor != 0.0:
                        continuous.append(
                            {"column": j, "name": name, "center": float(median), "factor": factor}
                        )
                n_missing = int(missing.sum()) if w is None else float(w[missing].sum())
                if 0 < n_missing < total:
                    low, high = _binary_outputs(total, [n_missing])
                    indicators.append(
                        {
                            "column": j,
                            "name": f"missingindicator_{name}",
                            "values": np.concatenate([low, high]),
                        }
                    )
                continue
            if kind == "boolean":
                codes = _boolean_codes(col, where)
                categories_[j] = [False, True]
                counts = np.bincount(codes, weights=w, minlength=3)
                outputs = _discrete_outputs([0.0, -1.0, 1.0], counts)
                if outputs is not None:
                    booleans.append({"column": j, "name": name, "values": outputs})
                continue
            categories, codes = _fit_categories(col, where, uniques)
            categories_[j] = categories
            k = len(categories)
            counts = np.bincount(codes, weights=w, minlength=k + 1)
            if k == 0 or (k == 1 and counts[0] == 0):
                continue  # constant: nothing to learn from it
            if k + 1 > max_one_hot:
                embedded.append({"column": j, "name": name, "cardinality": k + 1})
            elif k <= 2:
                raw = [-1.0, 1.0] if k == 1 else [0.0, -1.0, 1.0]
                values = _discrete_outputs(raw, counts)
                one_hot.append(
                    {"column": j, "names": [f"{name}_{categories[-1]}"], "values": values}
                )
            else:
                low, high = _binary_outputs(total, counts[1:])
                names = [f"{name}_{category}" for category in categories]
                one_hot.append({"column": j, "names": names, "low": low, "high": high})

        # Lay out num: continuous, indicators, booleans, one-hot; then cat.
        position = 0
        for spec in continuous + indicators + booleans:
            spec["position"] = position
            position += 1
        for spec in one_hot:
            spec["position"] = position
            position += len(spec["names"])
        for i, spec in enumerate(embedded):
            spec["position"] = i
        names_out = [spec["name"] for spec in continuous + indicators + booleans]
        names_out += [name for spec in one_hot for name in spec["names"]]
        names_out += [spec["name"] for spec in embedded]

        state = {
            "n_features_in_": table.n_cols,
            "column_kinds_": kinds,
            "_chosen_numbers": chosen_numbers,  # a list: skops trusts it
            "categories_": categories_,
            "n_continuous_": len(continuous),
            "cardinalities_": [spec["cardinality"] for spec in embedded],
            "feature_names_out_": names_out,
            "_layout": {
                "continuous": continuous,
                "indicators": indicators,
                "booleans": booleans,
                "one_hot": one_hot,
                "embedded": embedded,
                "n_num": position,
            },
        }
        # Publish the whole fitted state at once (a failed fit leaves self as it was).
        if feature_names is None:
            self.__dict__.pop("feature_names_in_", None)
        else:
            state["feature_names_in_"] = feature_names
        self.__dict__.update(state)
        return self

    def transform(self, X) -> EncodedTable:
        """Encode ``X`` with the kinds and statistics learned in :meth:`fit`.

        Parameters
        ----------
        X : DataFrame, array-like or sparse matrix of shape (n_samples, n_features)
            A table with the columns seen in :meth:`fit`, in the same order
            (checked by name for DataFrames, by number otherwise). It is not
            modified.

        Returns
        -------
        table : EncodedTable
            ``num``, C-contiguous floats of shape (n_samples,
            len(feature_names_out_) - len(cardinalities_)) in ``dtype``, and
            ``cat``, C-contiguous intp codes of shape (n_samples,
            len(cardinalities_)).
        """
        check_is_fitted(self, "_layout")
        _, dtype = self._checked_params()
        table = _Table(X)
        self._check_columns(X, table)
        layout = self._layout
        table.check_sparse_size(layout["n_num"], dtype.itemsize)
        n = table.n_rows
        num = np.empty((n, layout["n_num"]), dtype=dtype)
        cat = np.empty((n, len(layout["embedded"])), dtype=np.intp)
        by_column: dict[int, list] = {}
        for group in ("continuous", "indicators", "booleans", "one_hot", "embedded"):
            for spec in layout[group]:
                by_column.setdefault(spec["column"], []).append((group, spec))
        kinds = self.column_kinds_
        for j, specs in sorted(by_column.items()):
            where = table.describe(j)
            col = table.column(j)
            if kinds[j] == "continuous":
                x = _as_float(col, where)
                missing = _finite_or_missing(x, where)
                for group, spec in specs:
                    if group == "continuous":
                        with np.errstate(over="ignore", invalid="ignore"):
                            z = np.subtract(x, spec["center"])
                            z *= spec["factor"]
                        z[missing] = 0.0
                        num[:, spec["position"]] = smooth_clip(z)
                    else:
                        num[:, spec["position"]] = spec["values"][missing.view(np.uint8)]
                continue
            if kinds[j] == "boolean":
                codes = _boolean_codes(col, where)
            else:
                if j in getattr(self, "_chosen_numbers", ()):  # none in older pickles
                    _refuse_infinity(col, where)
                codes = _category_codes(col, self.categories_[j], where)
            ((group, spec),) = specs
            position = spec["position"]
            if group == "embedded":
                cat[:, position] = codes
            elif "values" in spec:
                num[:, position] = spec["values"][codes]
            else:  # k one-hot columns: each "low" but in its category's rows
                low, high = spec["low"], spec["high"]
                block = num[:, position : position + len(low)]
                if len(low) <= _GATHER_ONE_HOT:  # a row of a small table per code
                    rows_of = np.tile(low.astype(dtype), (len(low) + 1, 1))
                    rows_of[np.arange(1, len(low) + 1), np.arange(len(low))] = high
                    block[...] = rows_of[codes]
                else:
                    block[...] = low
                    rows = np.flatnonzero(codes)
                    columns = codes[rows] - 1
                    block[rows, columns] = high[columns]
        return EncodedTable(num, cat)

    def fit_transform(self, X, y=None, sample_weight=None) -> EncodedTable:
        """Fit the encoder on ``X``, then encode ``X``.

        Parameters
        ----------
        X : DataFrame, array-like or sparse matrix of shape (n_samples, n_features)
            The table; it is not modified.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows, as in :meth:`fit`.

        Returns
        -------
        table : EncodedTable
            The same arrays as ``fit(X, sample_weight=sample_weight).transform(X)``.
        """
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def _check_columns(self, X, table: _Table) -> None:
        """The columns of ``X`` are those seen in fit, as scikit-learn checks them."""
        fitted = getattr(self, "feature_names_in_", None)
        names = _feature_names(X)
        # an estimator's encoder speaks in the estimator's name
        cls = getattr(self, "_owner", type(self).__name__)
        if fitted is None and names is not None:
            warnings.warn(
                f"X has feature names, but {cls} was fitted without feature names",
                UserWarning,
                stacklevel=3,
            )
        elif fitted is not None and names is None:
            warnings.warn(
                f"X does not have valid feature names, but {cls} was fitted with feature names",
                UserWarning,
                stacklevel=3,
            )
        elif fitted is not None and (
            len(fitted) != len(names) or np.any(np.asarray(fitted) != np.asarray(names))
        ):
            raise ValueError(_names_mismatch(list(fitted), list(names)))
        if table.n_cols != self.n_features_in_:
            raise ValueError(
                f"X has {table.n_cols} features, but {cls} is expecting "
                f"{self.n_features_in_} features as input."
            )


def _feature_names(X) -> np.ndarray | None:
    """A DataFrame's column names when they are all strings (scikit-learn's rule)."""
    if not _is_dataframe(X):
        return None
    names = np.asarray(X.columns, dtype=object)
    types = sorted({type(name).__name__ for name in names})
    is_str = [isinstance(name, str) for name in names]
    if all(is_str):
        return names
    if any(is_str):
        raise TypeError(
            "Feature names are only supported if all input features have string names, "
            f"but your input has {types} as feature name / column name types. Convert "
            "them all to strings, e.g. X.columns = X.columns.astype(str)."
        )
    return None


def _names_mismatch(fitted: list, names: list) -> str:
    """scikit-learn's message for columns that differ from those seen in fit."""

    def listing(items):
        shown = [f"- {item}\n" for item in items[:5]]
        return "".join(shown) + ("- ...\n" if len(items) > 5 else "")

    unexpected = sorted(set(names) - set(fitted))
    missing = sorted(set(fitted) - set(names))
    message = "The feature names should match those that were passed during fit.\n"
    if unexpected:
        message += "Feature names unseen at fit time:\n" + listing(unexpected)
    if missing:
        message += "Feature names seen at fit time, yet now missing:\n" + listing(missing)
    if not unexpected and not missing:
        message += "Feature names must be in the same order as they were in fit.\n"
    return message
