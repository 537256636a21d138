"""Sample weights and class weights, combined into one weight per sample."""

from __future__ import annotations

from numbers import Real

import numpy as np


def check_sample_weight(sample_weight, n_samples: int, dtype) -> np.ndarray | None:
    """Validate ``sample_weight``: 1-D, one finite non-negative value per sample.

    A number (a bool included, as in scikit-learn: ``True`` is one) gives
    every sample that weight. The values are checked in float64, then cast
    to ``dtype``: weights too large for it, or whose largest value is too
    small for it (below its smallest normal number, where they lose their
    precision or round to zero), are refused, naming the dtype. Always
    returns a new array (or None): the caller's array is never modified.

    Examples
    --------
    >>> check_sample_weight(True, 3, np.float32)
    array([1., 1., 1.], dtype=float32)
    >>> check_sample_weight([1e39, 1.0], 2, np.float32)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: sample_weight holds values up to 1e+39, more than float32 ... can hold ...
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, Real):
        sample_weight = np.full(n_samples, float(sample_weight))
    sw = np.asarray(sample_weight)
    if sw.dtype.kind not in "biuf":
        raise TypeError(f"sample_weight must be numeric, got an array of dtype {sw.dtype}.")
    if sw.ndim != 1:
        raise ValueError(
            f"Sample weights must be 1D array or scalar, got an array of shape {sw.shape}."
        )
    if sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight.shape == {sw.shape}, expected ({n_samples},): one weight per sample."
        )
    with np.errstate(over="ignore"):  # float128 beyond float64: reported as infinity
        sw = sw.astype(np.float64)  # a new array
    if not np.isfinite(sw).all():
        raise ValueError("sample_weight contains NaN or infinity.")
    if (sw < 0).any():
        raise ValueError("Negative values in sample_weight are not allowed.")
    _check_weight_range(sw, np.dtype(dtype))
    return sw.astype(dtype, copy=False)


def _check_weight_range(sw: np.ndarray, dtype: np.dtype) -> None:
    """Refuse float64 weights that ``dtype`` cannot hold with their ratios intact."""
    top = float(sw.max()) if sw.size else 0.0
    info = np.finfo(dtype)
    largest, smallest = float(info.max), float(info.tiny)
    if top > largest:
        raise ValueError(
            f"sample_weight holds values up to {top:.3g}, more than {dtype} (the dtype of X) "
            f"can hold (at most {largest:.2g}). Divide the weights by a constant, or fit on "
            "float64 X."
        )
    if 0 < top < smallest:
        raise ValueError(
            f"sample_weight is too small for {dtype} (the dtype of X): its largest value, "
            f"{top:.3g}, is below the smallest normal {dtype} number ({smallest:.2g}), where "
            "values lose their precision or round to zero. Multiply the weights by a "
            "constant, e.g. divide them by their maximum."
        )


def class_weights(
    class_weight, classes: np.ndarray, class_index: np.ndarray, weights
) -> np.ndarray:
    """One weight per class from ``class_weight`` ("balanced" or a dict).

    "balanced" is ``n_samples / (n_classes * count)``, the counts weighted by
    the sample weights so that weighting and repeating samples agree.
    """
    if isinstance(class_weight, str):
        # "balanced" does not change when all weights are multiplied by a
        # constant: weights divided by their maximum cannot overflow the counts.
        if weights is not None:
            top = float(weights.max()) if weights.size else 0.0
            weights = np.asarray(weights, dtype=np.float64) / (top or 1.0)
        counts = np.bincount(class_index, weights=weights, minlength=len(classes))
        present = counts > 0
        per_class = np.ones(len(classes))
        per_class[present] = counts.sum() / (present.sum() * counts[present])
        return per_class
    labels = classes.tolist()
    unknown = [label for label in class_weight if label not in labels]
    if unknown:
        raise ValueError(
            f"class_weight has weights for labels that are not classes: {unknown!r}; "
            f"the classes are {labels!r}."
        )
    not_numbers = {k: v for k, v in class_weight.items() if not isinstance(v, Real)}
    if not_numbers:
        raise TypeError(f"class_weight values must be numbers, got {not_numbers!r}.")
    per_class = np.array([class_weight.get(label, 1.0) for label in labels], float)
    if not np.isfinite(per_class).all() or (per_class < 0).any():
        raise ValueError(
            f"class_weight values must be finite and non-negative, got {class_weight!r}."
        )
    return per_class


def rescale_weights(weights: np.ndarray, alpha: float, rows=None) -> float:
    """Rescale ``weights`` in place to mean one over ``rows``; returns alpha / scale.

    The objective is only multiplied by a constant, so its minimizer is
    unchanged, and unit weights give exactly the unweighted fit. The mean is
    taken in float64 of the weights divided by their maximum, so that it
    neither overflows (weights near the dtype's largest value) nor loses
    precision; an ``alpha / scale`` too large for the weights' dtype (weights
    tiny beside alpha) is refused, naming that cause.

    Examples
    --------
    >>> w = np.full(4, 1e307)
    >>> rescale_weights(w, 1e-4), w
    (1e-311, array([1., 1., 1., 1.]))
    """
    used = weights if rows is None else weights[rows]
    top = float(used.max()) if used.size else 0.0
    if top <= 0:
        raise ValueError(
            "The sample weights of the training samples are all zero: there is "
            "nothing to learn from."
        )
    # The mean of the weights divided by their maximum lies in [1 / n, 1].
    mean = float(np.mean(used / top, dtype=np.float64))
    scaled_alpha = alpha / top / mean  # Python floats: inf on overflow
    limit = float(np.finfo(weights.dtype).max)
    if not scaled_alpha <= limit:
        raise ValueError(
            f"The sample weights are too small beside alpha={alpha!r}: the L2 penalty is "
            f"divided by the mean weight (as in scikit-learn), and alpha / "
            f"{top * mean:.3g} is more than {weights.dtype} can hold. Multiply the weights "
            "by a constant (e.g. divide them by their maximum), or lower alpha."
        )
    weights /= top
    weights /= mean
    return scaled_alpha
