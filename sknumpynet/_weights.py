"""Sample weights and class weights, combined into one weight per sample."""

from __future__ import annotations

from numbers import Real

import numpy as np


def check_sample_weight(sample_weight, n_samples: int, dtype) -> np.ndarray | None:
    """Validate ``sample_weight``: 1-D, one finite non-negative value per sample.

    Always returns a new array (or None): the caller's array is never modified.
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, Real) and not isinstance(sample_weight, bool):
        sample_weight = np.full(n_samples, sample_weight, dtype=dtype)
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
    sw = sw.astype(dtype)
    if not np.isfinite(sw).all():
        raise ValueError("sample_weight contains NaN or infinity.")
    if (sw < 0).any():
        raise ValueError("Negative values in sample_weight are not allowed.")
    return sw


def class_weights(
    class_weight, classes: np.ndarray, class_index: np.ndarray, weights
) -> np.ndarray:
    """One weight per class from ``class_weight`` ("balanced" or a dict).

    "balanced" is ``n_samples / (n_classes * count)``, the counts weighted by
    the sample weights so that weighting and repeating samples agree.
    """
    if isinstance(class_weight, str):
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
    unchanged, and unit weights give exactly the unweighted fit.
    """
    scale = float(weights.mean() if rows is None else weights[rows].mean())
    if scale <= 0:
        raise ValueError(
            "The sample weights of the training samples are all zero: there is "
            "nothing to learn from."
        )
    weights /= scale
    return alpha / scale
