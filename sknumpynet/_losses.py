"""Output losses fused with their gradient with respect to the logits.

Each function takes the logits ``Z`` of a batch, overwrites them with the
gradient of the batch loss with respect to the logits and returns the loss.
The batch loss is ``sum_i w_i * l_i / n_batch`` where ``w`` are the sample
weights (all ones when ``sample_weight`` is None). An optional ``scale``
multiplies the gradient (never the loss): an optimizer that wants its
learning rate times the gradient gets it from this small array, and the
matrix products of the backward pass, rather than from a pass over every
parameter.  Every output activation
is paired with its canonical loss (softmax with cross-entropy, logistic with
binary cross-entropy, identity with squared error, exp with Poisson
deviance), so the gradient is always ``w_i * (p_i - y_i) / n_batch`` with
``p`` the activated output: no Jacobian is ever formed.

Logarithms are taken of the logits through log-sum-exp, never of the
probabilities, so that the loss stays finite however large the logits are.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, xlogy


def _scale_gradient(G: np.ndarray, per_sample: np.ndarray, sample_weight, scale: float) -> float:
    n = G.shape[0]
    if sample_weight is None:
        G *= scale / n
        return float(per_sample.sum()) / n
    G *= (sample_weight * (scale / n))[:, np.newaxis]
    return float(per_sample @ sample_weight) / n


def softmax_cross_entropy(
    Z: np.ndarray,
    Y: np.ndarray,
    sample_weight=None,
    scale: float = 1.0,
    label_smoothing: float = 0.0,
) -> float:
    """Multinomial cross-entropy of the softmax of ``Z`` against one-hot ``Y``.

    ``Z`` is overwritten with ``scale * w * (softmax(Z) - Y) / n``. With
    ``label_smoothing = eps``, ``Y`` is replaced by ``(1 - eps) * Y + eps / K``
    (``K`` classes), in the loss and in the gradient.
    """
    n = Z.shape[0]
    # The ufuncs' own reductions: the array methods add a layer of Python
    # that shows in per-sample SGD, where the arrays have one row.
    Z -= np.maximum.reduce(Z, axis=1, keepdims=True)
    # With one-hot rows the per-sample loss logsumexp(z) - z_true is
    # log(sum(exp(z - z_max))) - (z_true - z_max): the shift cancels. It
    # cancels too against smoothed targets, whose rows also sum to one.
    if sample_weight is None:
        shifted_true = float(np.vdot(Z, Y))
    else:
        shifted_true = np.einsum("ij,ij->i", Z, Y)
    if label_smoothing:
        eps, k = label_smoothing, Z.shape[1]
        row_sums = np.add.reduce(Z, axis=1)
        shifted_true = (1.0 - eps) * shifted_true + (eps / k) * (
            float(np.add.reduce(row_sums)) if sample_weight is None else row_sums
        )
    np.exp(Z, out=Z)
    total = np.add.reduce(Z, axis=1, keepdims=True)
    Z /= total
    Z -= Y
    if label_smoothing:
        Z += eps * Y  # softmax - ((1 - eps) Y + eps / K)
        Z -= eps / k
    log_total = np.log(total[:, 0])
    if sample_weight is None:
        Z *= scale / n
        return (float(np.add.reduce(log_total)) - shifted_true) / n
    log_total -= shifted_true
    return _scale_gradient(Z, log_total, sample_weight, scale)


def logistic_cross_entropy(
    Z: np.ndarray,
    Y: np.ndarray,
    sample_weight=None,
    scale: float = 1.0,
    label_smoothing: float = 0.0,
) -> float:
    """Binary cross-entropy of ``sigmoid(Z)`` against ``Y``, summed over outputs.

    Used for binary targets (one output) and multilabel targets (one output per
    label).  ``Z`` is overwritten with ``w * (sigmoid(Z) - Y) / n``. With
    ``label_smoothing = eps``, each target ``y`` is replaced by ``(1 - eps) *
    y + eps / 2``, in the loss and in the gradient.
    """
    if label_smoothing:
        Y = Y * (1.0 - label_smoothing)
        Y += 0.5 * label_smoothing
    # log(1 + exp(z)) - y * z is the loss of a logit z for a target y in [0, 1]
    per_entry = np.logaddexp(0, Z)
    per_entry -= Y * Z
    per_sample = per_entry.sum(axis=1)
    expit(Z, out=Z)
    Z -= Y
    return _scale_gradient(Z, per_sample, sample_weight, scale)


def squared_error(Z: np.ndarray, Y: np.ndarray, sample_weight=None, scale: float = 1.0) -> float:
    """Half the squared error of identity outputs ``Z`` against targets ``Y``.

    Summed over outputs and averaged over samples: the function whose
    gradient scikit-learn's ``MLPRegressor`` follows (for one output it is
    also the loss it reports). ``Z`` is overwritten with ``w * (Z - Y) / n``.
    """
    Z -= Y
    per_sample = np.einsum("ij,ij->i", Z, Z)
    per_sample *= 0.5
    return _scale_gradient(Z, per_sample, sample_weight, scale)


def poisson_deviance(
    Z: np.ndarray, Y: np.ndarray, sample_weight=None, scale: float = 1.0
) -> float:
    """Half the Poisson deviance of predictions ``exp(Z)`` (a log link) against ``Y``.

    Per entry ``y log(y / p) - y + p`` with ``p = exp(z)``, computed from ``z``
    as ``xlogy(y, y) - y z - y + exp(z)``, summed over outputs and averaged
    over samples, as scikit-learn's ``MLPRegressor(loss="poisson")``. ``Z`` is
    overwritten with ``w * (exp(Z) - Y) / n``.
    """
    per_entry = xlogy(Y, Y)
    per_entry -= Y * (Z + 1.0)
    np.exp(Z, out=Z)
    per_entry += Z
    Z -= Y
    return _scale_gradient(Z, per_entry.sum(axis=1), sample_weight, scale)


# Outputs whose loss takes ``label_smoothing``.
SMOOTHED = frozenset({"softmax", "logistic"})

# Output activation -> the loss it is fused with.
LOSSES = {
    "softmax": softmax_cross_entropy,
    "logistic": logistic_cross_entropy,
    "identity": squared_error,
    "exp": poisson_deviance,
}


def log_softmax(Z: np.ndarray) -> np.ndarray:
    """Row-wise log of the softmax of ``Z``, by log-sum-exp (new array).

    The logits are first clipped to a quarter of the dtype's range, so that
    their differences cannot overflow: the result is finite for finite ``Z``.
    """
    big = np.finfo(Z.dtype).max / 4
    out = np.clip(Z, -big, big)
    out -= out.max(axis=1, keepdims=True)
    out -= np.log(np.exp(out).sum(axis=1, keepdims=True))
    return out


def log_expit(Z: np.ndarray) -> np.ndarray:
    """``log(sigmoid(Z))`` computed as ``-log(1 + exp(-Z))`` (new array)."""
    return -np.logaddexp(0, -Z)
