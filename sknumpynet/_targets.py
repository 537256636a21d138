"""Targets to target matrices and back.

For the classifiers, binary targets get one logistic output, multiclass
targets a softmax output and multilabel indicator matrices one logistic
output per label. The regressors' targets are numbers (:func:`numeric`).
"""

from __future__ import annotations

import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import assert_all_finite


def numeric(y: np.ndarray) -> np.ndarray:
    """A regressor's validated targets as numbers.

    Integer and floating targets are returned as they are. Booleans, objects
    (numbers, or strings that spell numbers, as scikit-learn's ``y_numeric``
    converts them) and numeric strings become float64; anything else is refused
    with a ``ValueError`` that names the first value that is not a number.

    Examples
    --------
    >>> numeric(np.array([True, False]))
    array([1., 0.])
    >>> numeric(np.array(["1.5", 2], dtype=object))
    array([1.5, 2. ])
    >>> numeric(np.array(["1", "one"]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: y must hold numbers for a regressor, but it contains 'one', ...
    """
    kind = y.dtype.kind
    if kind in "iuf":
        return y
    if kind not in "bOUS":
        raise ValueError(f"y must hold numbers for a regressor, got an array of dtype {y.dtype}.")
    try:
        converted = y.astype(np.float64)
    except (TypeError, ValueError):
        bad = [value for value in y.ravel().tolist() if not _is_number(value)][:1]
        what = f"it contains {bad[0]!r}, which is not a number" if bad else "it has values"
        raise ValueError(
            f"y must hold numbers for a regressor, but {what}. Class labels need a classifier."
        ) from None
    assert_all_finite(converted, input_name="y")  # e.g. the string "nan"
    return converted


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def is_indicator(y) -> bool:
    """Whether ``y`` is a multilabel indicator matrix."""
    return y.ndim == 2 and type_of_target(y) == "multilabel-indicator"


def is_multilabel(binarizer: LabelBinarizer) -> bool:
    return binarizer.y_type_ == "multilabel-indicator"


def fit_binarizer(y, classes=None) -> LabelBinarizer:
    """A label binarizer for ``y`` (or for ``classes``, which must cover ``y``)."""
    try:
        check_classification_targets(y)
    except TypeError as exc:  # raised by sorting, e.g. None among strings
        raise TypeError(
            f"y mixes labels of types that cannot be compared ({exc}); "
            "use labels of one type, e.g. all str."
        ) from exc
    binarizer = LabelBinarizer()
    if classes is not None and not is_indicator(y):
        classes = check_classes(classes)
        if np.unique(classes).shape[0] != classes.shape[0]:
            raise ValueError(f"classes contains duplicate labels: {classes!r}.")
        binarizer.fit(classes)
        check_known_labels(y, binarizer)
    else:
        binarizer.fit(y)
    if is_multilabel(binarizer):
        if y.shape[1] < 1:
            raise ValueError("y has no label columns.")
    elif len(binarizer.classes_) < 2:
        raise ValueError(
            f"The classifier needs samples of at least 2 classes in the data, but "
            f"the data contains only one class: {binarizer.classes_.tolist()[0]!r}."
        )
    return binarizer


def check_classes(classes) -> np.ndarray:
    """``classes`` of ``partial_fit`` as a 1-D array: a list, tuple or array of labels.

    A scalar, a string, a set or a dict is refused with a ValueError, as
    scikit-learn refuses them (a set has no order, and its labels would be
    taken as one object).

    Examples
    --------
    >>> check_classes((0, 1, 2))
    array([0, 1, 2])
    >>> check_classes({0, 1, 2})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: classes must be an array-like of labels (...), got set {0, 1, 2}.
    """
    if np.ndim(classes) == 0:  # a number, and a str, set or dict: numpy sees one object
        raise ValueError(
            "classes must be an array-like of labels (a list, tuple or 1-D array), got "
            f"{type(classes).__name__} {classes!r}."
        )
    array = np.asarray(classes)
    if array.ndim != 1:
        raise ValueError(
            f"classes must be a 1-D array-like of labels, got an array of shape {array.shape}: "
            f"{classes!r}."
        )
    return array


def check_same_classes(classes, binarizer: LabelBinarizer) -> None:
    """``classes`` passed again to ``partial_fit`` must be the first call's."""
    classes = np.unique(check_classes(classes))
    if not np.array_equal(classes, binarizer.classes_):
        raise ValueError(
            f"classes={classes.tolist()!r} is not the same as on the first call to "
            f"partial_fit, {binarizer.classes_.tolist()!r}."
        )


def check_all_classes(y, binarizer: LabelBinarizer) -> None:
    """A warm-started ``fit`` needs every fitted class in ``y``, as scikit-learn's MLP."""
    if is_multilabel(binarizer):
        return
    present = np.unique(y)
    if not np.array_equal(present, binarizer.classes_):
        raise ValueError(
            "warm_start can only be used where `y` has the same classes as in the "
            f"previous call to fit. Previously got {binarizer.classes_}, `y` has {present}."
        )


def check_known_labels(y, binarizer: LabelBinarizer) -> None:
    """Every label of ``y`` must be one the binarizer knows."""
    if is_multilabel(binarizer):
        if not is_indicator(y) and not (y.ndim == 2 and np.isin(y, (0, 1)).all()):
            raise ValueError(
                "The model was fitted on a multilabel indicator matrix; y must be one too."
            )
        if y.shape[1] != len(binarizer.classes_):
            raise ValueError(
                f"y has {y.shape[1]} label columns, but the model was fitted with "
                f"{len(binarizer.classes_)}."
            )
        return
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D for this model, got shape {y.shape}.")
    unknown = np.setdiff1d(np.unique(y), binarizer.classes_)
    if unknown.size:
        raise ValueError(
            f"y contains labels that are not in classes_: {unknown.tolist()!r}; "
            f"classes_ is {binarizer.classes_.tolist()!r}."
        )


def target_matrix(y, binarizer: LabelBinarizer, dtype) -> tuple[np.ndarray, str]:
    """The 2-D target matrix of ``y`` in ``dtype`` and the output activation it needs."""
    Y = binarizer.transform(y).astype(dtype, copy=False)
    if Y.ndim == 1 or (not is_multilabel(binarizer) and Y.shape[1] == 1):
        Y = Y.reshape(-1, 1)
    out_activation = "logistic" if Y.shape[1] == 1 or is_multilabel(binarizer) else "softmax"
    return Y, out_activation


def decode(logits: np.ndarray, binarizer: LabelBinarizer) -> np.ndarray:
    """Predicted labels (or label indicators) from the output logits."""
    if is_multilabel(binarizer):
        return (logits > 0).astype(int)
    if logits.shape[1] == 1:
        return binarizer.classes_[(logits[:, 0] > 0).astype(np.intp)]
    return binarizer.classes_[np.argmax(logits, axis=1)]
