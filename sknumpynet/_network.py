"""A fully connected network on a flat parameter vector, in plain numpy.

All weights live in one contiguous vector ``params``: first every layer's
coefficient matrix, then every layer's intercept vector.  ``coefs`` and
``intercepts`` are views into it, and the gradients are laid out the same way
in ``grads``.  An optimizer step is then a handful of vectorized operations on
two vectors, whatever the number of layers, and scipy's L-BFGS can use the
same vectors directly.

This module knows nothing of scikit-learn, labels or pandas: it sees arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._activations import ACTIVATIONS, DERIVATIVES
from ._arrays import axpy
from ._losses import LOSSES


def _split(flat: np.ndarray, layer_units: list[int]):
    """Views of ``flat`` as the coefficient matrices and intercept vectors."""
    coefs, intercepts = [], []
    start = 0
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
        stop = start + fan_in * fan_out
        coefs.append(flat[start:stop].reshape(fan_in, fan_out))
        start = stop
    for fan_out in layer_units[1:]:
        intercepts.append(flat[start : start + fan_out])
        start += fan_out
    return coefs, intercepts


def logits(X, coefs, intercepts, activation: str, out=None) -> np.ndarray:
    """Run ``X`` through the layers and return the output layer's logits.

    Hidden layers get ``activation``; the last layer is left linear.
    ``out[i]`` (arrays of shape ``(n_samples, n_units_i)``) receives layer
    ``i``'s output, as the backward pass needs; without ``out`` new arrays are
    allocated, which makes the call safe to run from several threads.
    """
    if out is None:
        out = [np.empty((X.shape[0], W.shape[1]), dtype=W.dtype) for W in coefs]
    act = ACTIVATIONS[activation]
    A = X
    last = len(coefs) - 1
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = out[i]
        if sp.issparse(A):
            Z[...] = A @ W
        else:
            np.matmul(A, W, out=Z)
        Z += b
        if i < last:
            act(Z)
        A = Z
    return A


@dataclass(frozen=True)
class ParamArray:
    """One named weight array of a network: a view into the flat vector.

    ``name`` is the fitted attribute that holds it (``"coefs_[0]"``,
    ``"intercepts_[1]"``, ...), ``offset`` its first position in ``params``.
    """

    name: str
    view: np.ndarray
    offset: int


class Network:
    """Weights, buffers, forward and backward pass of a dense network.

    Parameters
    ----------
    layer_units : list of int
        Units of every layer, input and output included.
    activation : str
        Hidden activation, a key of ``ACTIVATIONS``.
    out_activation : {"softmax", "logistic"}
        Output activation; selects the loss it is fused with.
    dtype : numpy dtype
        float32 or float64; parameters, buffers and gradients all use it.
    """

    def __init__(self, layer_units, activation, out_activation, dtype):
        self.layer_units = list(layer_units)
        self.activation = activation
        self.out_activation = out_activation
        self.dtype = np.dtype(dtype)
        n_coef = sum(a * b for a, b in zip(layer_units[:-1], layer_units[1:]))
        self.n_coef = n_coef
        size = n_coef + sum(layer_units[1:])
        self.params = np.zeros(size, dtype=self.dtype)
        self.grads = np.zeros(size, dtype=self.dtype)
        self.coefs, self.intercepts = _split(self.params, self.layer_units)
        self.coef_grads, self.intercept_grads = _split(self.grads, self.layer_units)
        names = [f"coefs_[{i}]" for i in range(len(self.coefs))]
        names += [f"intercepts_[{i}]" for i in range(len(self.intercepts))]
        self.param_arrays = []
        offset = 0
        for name, view in zip(names, self.coefs + self.intercepts):
            self.param_arrays.append(ParamArray(name, view, offset))
            offset += view.size
        self._derivative = DERIVATIVES[activation]
        self._loss = LOSSES[out_activation]
        self._reg_buf = np.empty(n_coef, dtype=self.dtype)
        self._capacity = 0

    @property
    def n_layers(self) -> int:
        return len(self.layer_units)

    def initialize(self, random_state, method: str = "glorot") -> None:
        """Set the initial weights.

        ``"glorot"``: Glorot-uniform, as scikit-learn's MLP does it. Weights
        and intercepts of each layer are drawn from ``U(-b, b)`` with
        ``b = sqrt(f / (fan_in + fan_out))``, ``f = 2`` for logistic hidden
        units and ``f = 6`` otherwise. ``"zeros"``: all zeros, as
        ``LogisticRegression`` starts; for a network without hidden layers
        (a convex problem) it draws nothing from ``random_state`` and keeps the
        multinomial intercepts summing to zero, as the gradient does.
        """
        if method == "zeros":
            self.params[...] = 0
            return
        factor = 2.0 if self.activation == "logistic" else 6.0
        for W, b in zip(self.coefs, self.intercepts):
            fan_in, fan_out = W.shape
            bound = np.sqrt(factor / (fan_in + fan_out))
            W[...] = random_state.uniform(-bound, bound, W.shape)
            b[...] = random_state.uniform(-bound, bound, b.shape)

    def set_weights(self, coefs, intercepts) -> None:
        """Copy given weights into the flat parameter vector."""
        for dst, src in zip(self.coefs + self.intercepts, list(coefs) + list(intercepts)):
            dst[...] = src

    def allocate(self, batch_size: int) -> None:
        """Preallocate per-layer buffers for batches of up to ``batch_size`` rows."""
        if batch_size <= self._capacity:
            return
        units = self.layer_units[1:]
        self._acts = [np.empty((batch_size, u), dtype=self.dtype) for u in units]
        self._deltas = [np.empty((batch_size, u), dtype=self.dtype) for u in units[:-1]]
        self._scratch = [np.empty((batch_size, u), dtype=self.dtype) for u in units[:-1]]
        self._ones = np.ones(batch_size, dtype=self.dtype)
        self._views = {}
        self._capacity = batch_size

    def _buffers(self, n: int):
        """The first ``n`` rows of every buffer, as views cached per batch size.

        An epoch has at most two batch sizes, so slicing once per size rather
        than once per batch saves Python work that matters for small batches.
        """
        self.allocate(n)
        views = self._views.get(n)
        if views is None:
            if len(self._views) > 8:
                self._views.clear()
            views = self._views[n] = (
                [a[:n] for a in self._acts],
                [d[:n] for d in self._deltas],
                [s[:n] for s in self._scratch],
                self._ones[:n],
            )
        return views

    def logits(self, X) -> np.ndarray:
        """Logits of ``X`` for the current weights, in newly allocated arrays."""
        return logits(X, self.coefs, self.intercepts, self.activation)

    def loss_grad(self, X, Y, sample_weight, alpha: float) -> float:
        """Loss of a batch; the gradient of it is written into ``self.grads``.

        The loss is ``sum_i w_i * l_i / n + 0.5 * alpha * ||W||^2 / n`` for a
        batch of ``n`` rows, where ``W`` are all the coefficient matrices
        (intercepts are not penalized).  This is scikit-learn's MLP objective.
        """
        n = X.shape[0]
        acts, deltas, scratch, ones = self._buffers(n)
        Z = logits(X, self.coefs, self.intercepts, self.activation, acts)
        loss = self._loss(Z, Y, sample_weight)  # Z now holds dloss/dlogits
        delta = Z
        for i in range(len(self.coefs) - 1, -1, -1):
            A = X if i == 0 else acts[i - 1]
            if sp.issparse(A):
                self.coef_grads[i][...] = A.T @ delta
            elif n == 1:
                # One sample: an outer product, which broadcasting computes
                # faster than a BLAS matrix product of inner dimension one.
                np.multiply(A.T, delta, out=self.coef_grads[i])
            else:
                np.matmul(A.T, delta, out=self.coef_grads[i])
            np.matmul(ones, delta, out=self.intercept_grads[i])  # column sums
            if i > 0:
                prev = deltas[i - 1]
                np.matmul(delta, self.coefs[i].T, out=prev)
                self._derivative(A, prev, scratch[i - 1])
                delta = prev
        if alpha:
            W = self.params[: self.n_coef]
            loss += 0.5 * alpha * float(W @ W) / n
            axpy(W, self.grads[: self.n_coef], alpha / n, self._reg_buf)
        return loss
