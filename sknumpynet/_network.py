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

import math
from dataclasses import dataclass
from numbers import Real
from typing import NamedTuple

import numpy as np

from ._activations import (
    ACTIVATIONS,
    DERIVATIVES,
    NEEDS_INPUT,
    SMALL_DERIVATIVES,
    TINY_OUTPUTS,
    flush_tiny,
)
from ._arrays import axpy
from ._losses import LOSSES, SMOOTHED, log_expit


def _split(flat: np.ndarray, layer_units: list[int], members: int = 1):
    """Views of ``flat`` as the coefficient matrices and intercept vectors.

    With ``members > 1`` the output layer is one per member: a
    ``(members, fan_in, fan_out)`` stack and ``(members, fan_out)`` intercepts.
    """
    coefs, intercepts = [], []
    start = 0
    last = len(layer_units) - 2
    for i, (fan_in, fan_out) in enumerate(zip(layer_units[:-1], layer_units[1:])):
        shape = (members, fan_in, fan_out) if i == last and members > 1 else (fan_in, fan_out)
        stop = start + math.prod(shape)
        coefs.append(flat[start:stop].reshape(shape))
        start = stop
    for i, fan_out in enumerate(layer_units[1:]):
        shape = (members, fan_out) if i == last and members > 1 else (fan_out,)
        intercepts.append(flat[start : start + math.prod(shape)].reshape(shape))
        start += math.prod(shape)
    return coefs, intercepts


def _split_hidden(flat: np.ndarray, layer_units: list[int]) -> list:
    """Views of ``flat`` as one vector per hidden layer, of its units."""
    bounds = np.cumsum([0, *layer_units[1:-1]])
    return [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def combine_members(z: np.ndarray, out_activation: str) -> np.ndarray:
    """The ensemble's logits from its members' ``(members, n, n_outputs)`` logits.

    The ensemble predicts the mean of its members' predictions (TabM's
    rule): the mean of their probabilities for softmax and logistic outputs,
    of their outputs for the identity, of ``exp`` of them for Poisson. The
    logits returned give exactly that mean through the output activation,
    computed by log-sum-exp so that nothing overflows.
    """
    log_k = math.log(z.shape[0])
    if out_activation == "identity":
        return z.mean(axis=0)
    if out_activation == "exp":
        return np.logaddexp.reduce(z, axis=0) - log_k
    if out_activation == "softmax":
        log_p = z - np.logaddexp.reduce(z, axis=-1, keepdims=True)
        return np.logaddexp.reduce(log_p, axis=0) - log_k
    # logistic: log p - log(1 - p) of the mean probability p
    log_p = np.logaddexp.reduce(log_expit(z), axis=0) - log_k
    log_q = np.logaddexp.reduce(log_expit(-z), axis=0) - log_k
    return log_p - log_q


def logits(
    X,
    coefs,
    intercepts,
    activation: str,
    out=None,
    *,
    pre=None,
    scratch=None,
    masks=None,
    dropped=None,
    check_first=None,
    act_weights=None,
    mix=None,
) -> np.ndarray:
    """Run ``X`` through the layers and return the output layer's logits.

    Hidden layers get ``activation``; the last layer is left linear.
    ``out[i]`` (arrays of shape ``(n_samples, n_units_i)``) receives layer
    ``i``'s output, as the backward pass needs; without ``out`` new arrays are
    allocated, which makes the call safe to run from several threads.

    The backward pass also passes, per hidden layer ``i``: ``pre[i]``, which
    receives the pre-activation (used only for activations in
    ``NEEDS_INPUT`` and parametric ones; allocated when not given);
    ``scratch[i]``, scratch for the activation; and, where
    ``masks[i]`` is not None, a scaled dropout mask whose product with the
    layer's output goes into ``dropped[i]`` and is what the next layer reads.

    ``check_first(Z)``, if given, sees the first layer's pre-activation ``Z``
    (``X @ W + b``) before anything else does. Every row of ``X`` that holds
    a NaN or an infinity has a NaN or infinite value in every unit of ``Z``
    (``inf * w`` is infinite and ``inf * 0`` NaN), so a check of ``Z``, a few
    columns in the cache, stands for one of ``X``.

    ``act_weights``, if given, makes the hidden activations parametric
    (RealMLP's, Holzmüller et al., 2024): hidden layer ``i`` outputs ``z +
    a * (f(z) - z)``, a learned mix ``a = act_weights[i]`` (one per unit) of
    the activation ``f`` and the identity. The pre-activations ``z`` are then
    kept in ``pre`` whatever the activation, and ``mix[i]``, where given,
    receives ``f(z) - z``, as the backward pass needs.
    """
    if out is None:
        out = [np.empty((X.shape[0], W.shape[-1]), dtype=W.dtype) for W in coefs]
    act = ACTIVATIONS[activation]
    native_input = activation in NEEDS_INPUT
    keep_input = native_input or act_weights is not None
    flush = activation in TINY_OUTPUTS  # (flush_tiny checks the dtype)
    last = len(coefs) - 1
    if keep_input and pre is None:
        pre = [np.empty_like(a) for a in out[:last]]
    A = X
    for i in range(last + 1):
        Z = pre[i] if keep_input and i < last else out[i]
        W = coefs[i]
        # (an isinstance check costs far less than sp.issparse, per batch)
        if not isinstance(A, np.ndarray):  # sparse; only X can be
            Z[...] = A @ W
        elif W.ndim == 3:  # one output layer per member, rows member by member
            k = W.shape[0]
            Z3 = Z.reshape(k, -1, W.shape[2])
            np.matmul(A.reshape(k, -1, A.shape[1]), W, out=Z3)
            Z3 += intercepts[i][:, None, :]
            return Z
        else:
            np.matmul(A, W, out=Z)
        Z += intercepts[i]
        if i == 0 and check_first is not None:
            check_first(Z)
        if i == last:
            return Z
        buf = None if scratch is None else scratch[i]
        if native_input:
            act(Z, out[i], buf)
        elif keep_input:
            np.copyto(out[i], Z)
            act(out[i], buf)
        else:
            act(Z, buf)
        A = out[i]
        if act_weights is not None:
            # z + a * (f(z) - z), with f(z) - z kept for the backward pass
            if mix is None:
                G = A
                G -= Z
            else:
                G = np.subtract(A, Z, out=mix[i])
            np.multiply(G, act_weights[i], out=A)
            A += Z
        if flush:
            flush_tiny(A, buf)  # the next layer's matrix product reads it
        if masks is not None and masks[i] is not None:
            A = np.multiply(A, masks[i], out=dropped[i])


# Working memory of a chunked prediction: one chunk of input rows and its
# layer buffers. A few MiB keep each matrix product large enough for BLAS to
# run at full speed and the chunk in the caches between the passes over it,
# whatever the number of rows.
PREDICT_WORKING_BYTES = 4 * 2**20


def chunk_rows(
    coefs, activation: str, working_bytes: int | None = None, keep_input: bool = False
) -> int:
    """Rows per chunk such that a chunk's layer buffers take about ``working_bytes``
    (:data:`PREDICT_WORKING_BYTES` by default); ``keep_input`` counts the
    pre-activations of parametric activations."""
    if working_bytes is None:
        working_bytes = PREDICT_WORKING_BYTES
    hidden = sum(W.shape[1] for W in coefs[:-1])
    # the input row, every layer's output, the hidden layers' scratch and, for
    # activations that need them, their pre-activations
    units = coefs[0].shape[0] + coefs[-1].shape[1]
    units += hidden * (3 if keep_input or activation in NEEDS_INPUT else 2)
    return max(64, working_bytes // (coefs[0].dtype.itemsize * max(units, 1)))


def predict_chunks(
    X,
    coefs,
    intercepts,
    activation: str,
    transform,
    *,
    rows: int | None = None,
    check=None,
    front=None,
    out_activation: str | None = None,
    act_weights=None,
):
    """``transform`` of the logits of ``X``, computed ``rows`` rows at a time.

    ``transform(z, start, stop)`` maps the logits of rows ``start:stop``
    (a buffer that the next chunk overwrites) to their part of the result, an
    array whose first axis is those rows. The parts are written into one
    array allocated once, so that the memory a prediction needs beyond its
    result is that of one chunk, however many rows ``X`` has. The buffers are
    the call's own: predictions from several threads do not share them.
    ``check(chunk, Z)``, if given, sees each chunk of ``X`` with its first
    layer's pre-activation ``Z`` (see :func:`logits`), and may raise.
    ``front``, if given, is an input block and its weights, ``(block,
    weights)`` (see ``_front``), which maps each chunk of ``X`` to the first
    dense layer's input; when it makes an ensemble, the members' logits are
    combined (:func:`combine_members`, by ``out_activation``) before
    ``transform`` sees them. ``act_weights`` makes the hidden activations
    parametric (see :func:`logits`).
    """
    n = X.shape[0]
    keep_input = activation in NEEDS_INPUT or act_weights is not None
    rows = min(n, rows or chunk_rows(coefs, activation, keep_input=keep_input))
    hidden = [W.shape[1] for W in coefs[:-1]]
    dtype = coefs[0].dtype
    # an ensemble's rows are repeated for each member by the input block
    k = 1 if front is None else front[0].members
    out = [np.empty((k * rows, W.shape[-1]), dtype=dtype) for W in coefs]
    scratch = [np.empty((k * rows, u), dtype=dtype) for u in hidden]
    pre = [np.empty((k * rows, u), dtype=dtype) for u in hidden] if keep_input else None
    result = None
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        m = stop - start
        chunk = X[start:stop]
        z = logits(
            chunk if front is None else front[0].forward(chunk, front[1]),
            coefs,
            intercepts,
            activation,
            [a[: k * m] for a in out],
            pre=None if pre is None else [a[: k * m] for a in pre],
            scratch=[a[: k * m] for a in scratch],
            check_first=None if check is None else lambda Z, rows=chunk: check(rows, Z),
            act_weights=act_weights,
        )
        if k > 1:
            z = combine_members(z.reshape(k, m, -1), out_activation)
        part = transform(z, start, stop)
        if result is None:
            result = np.empty((n, *part.shape[1:]), dtype=part.dtype)
        result[start:stop] = part
    return result


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
    dropout : float or sequence of float, default=0.0
        Dropout rate of the hidden units, in [0, 1): one rate for every hidden
        layer or one per hidden layer. Units are dropped only in the training
        passes of :meth:`loss_grad` that are given a random generator (or
        fixed masks); see there.
    front : InputBlock, optional
        An input block (see ``_front``) between the input columns and the
        first dense layer, whose input has then ``front.n_outputs`` units
        (``layer_units[0]``) while the network reads ``front.n_inputs``
        columns. Its weights follow the intercepts in ``params``.
    dropout_bits : bool, default=False
        Draw dropout masks from 16 random bits per unit (see
        :meth:`dropout_masks`).
    label_smoothing : float, default=0.0
        With ``eps > 0``, the cross-entropy of a softmax or logistic output
        is taken against the smoothed targets ``(1 - eps) * Y + eps / K``
        (``K`` classes for softmax, 2 for each logistic output), and the
        fused gradient is ``probs - Y_smoothed``.
    parametric : bool, default=False
        Parametric hidden activations (RealMLP's): each hidden unit outputs
        ``z + a * (f(z) - z)`` with a weight ``a`` of its own, which starts at
        1 (the plain activation). The weights are ``act_weights``, one vector
        per hidden layer, after the intercepts in ``params``; they are not
        penalized by ``alpha``.
    """

    def __init__(
        self,
        layer_units,
        activation,
        out_activation,
        dtype,
        dropout=0.0,
        label_smoothing=0.0,
        front=None,
        dropout_bits=False,
        parametric=False,
    ):
        self.layer_units = list(layer_units)
        self.activation = activation
        self.out_activation = out_activation
        self.dtype = np.dtype(dtype)
        self.dropout = _dropout_rates(dropout, len(self.layer_units) - 2)
        self.dropout_bits = bool(dropout_bits)
        self.members = k = 1 if front is None else front.members
        n_coef = sum(a * b for a, b in zip(layer_units[:-1], layer_units[1:]))
        n_coef += (k - 1) * layer_units[-2] * layer_units[-1]  # one output layer per member
        self.n_coef = n_coef
        dense = n_coef + sum(layer_units[1:]) + (k - 1) * layer_units[-1]
        self.parametric = bool(parametric)
        n_intercepts = dense - n_coef
        if self.parametric:
            dense += sum(self.layer_units[1:-1])
        self.front = front
        if front is not None and front.n_outputs != self.layer_units[0]:
            raise ValueError(
                f"The input block gives {front.n_outputs} values per row, but the first "
                f"layer has {self.layer_units[0]} inputs."
            )
        size = dense + (0 if front is None else front.size)
        self.params = np.zeros(size, dtype=self.dtype)
        self.grads = np.zeros(size, dtype=self.dtype)
        self.coefs, self.intercepts = _split(self.params, self.layer_units, k)
        self.coef_grads, self.intercept_grads = _split(self.grads, self.layer_units, k)
        names = [f"coefs_[{i}]" for i in range(len(self.coefs))]
        names += [f"intercepts_[{i}]" for i in range(len(self.intercepts))]
        views = self.coefs + self.intercepts
        self.act_weights = self.act_weight_grads = None
        if self.parametric:
            start = n_coef + n_intercepts
            self.act_weights = _split_hidden(self.params[start:dense], self.layer_units)
            self.act_weight_grads = _split_hidden(self.grads[start:dense], self.layer_units)
            names += [f"activation_weights_[{i}]" for i in range(len(self.act_weights))]
            views += self.act_weights
        self.front_weights = self.front_grads = None
        if front is not None:
            self.front_weights = front.views(self.params[dense:])
            self.front_grads = front.views(self.grads[dense:])
            names += [f"input_weights_[{name!r}]" for name in self.front_weights]
            views += list(self.front_weights.values())
        self._front_cache = {}
        self._member_buffers = {}
        self.param_arrays = []
        offset = 0
        for name, view in zip(names, views):
            self.param_arrays.append(ParamArray(name, view, offset))
            offset += view.size
        self._derivative = DERIVATIVES[activation]
        # whether the hidden layers' errors can become tiny (see flush_tiny)
        self._flush = self.dtype == np.float32 and activation in SMALL_DERIVATIVES
        self._native_input = activation in NEEDS_INPUT
        self._keep_input = self._native_input or self.parametric
        self._dropping = any(self.dropout)
        self._loss = LOSSES[out_activation]
        self.label_smoothing = float(label_smoothing)
        if self.label_smoothing and out_activation not in SMOOTHED:
            raise ValueError(
                f"label_smoothing applies to the cross-entropies of {sorted(SMOOTHED)} "
                f"outputs, not to {out_activation!r}."
            )
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1); got {label_smoothing!r}.")
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

        SELU networks ignore ``"glorot"`` and start LeCun-normal, as
        self-normalization needs (Klambauer et al., 2017): weights drawn from
        ``N(0, 1 / fan_in)``, intercepts zero. Parametric activations start
        as the plain ones (weights 1), whatever the method.
        """
        if self.front is not None:
            self.front.initialize(self.front_weights, random_state)
        if method == "zeros":
            self.params[...] = 0
        elif self.activation == "selu":
            for W, b in zip(self.coefs, self.intercepts):
                W[...] = random_state.normal(0.0, np.sqrt(1.0 / W.shape[-2]), W.shape)
                b[...] = 0
        else:
            factor = 2.0 if self.activation == "logistic" else 6.0
            for W, b in zip(self.coefs, self.intercepts):
                fan_in, fan_out = W.shape[-2:]
                bound = np.sqrt(factor / (fan_in + fan_out))
                W[...] = random_state.uniform(-bound, bound, W.shape)
                b[...] = random_state.uniform(-bound, bound, b.shape)
        for a in self.act_weights or ():
            a[...] = 1.0

    def set_weights(self, coefs, intercepts) -> None:
        """Copy given weights into the flat parameter vector."""
        for dst, src in zip(self.coefs + self.intercepts, list(coefs) + list(intercepts)):
            dst[...] = src

    def allocate(self, batch_size: int) -> None:
        """Preallocate per-layer buffers for batches of up to ``batch_size`` rows."""
        if batch_size <= self._capacity:
            return
        units = self.layer_units[1:]
        hidden = units[:-1]

        def buffer(n_units):
            return np.empty((batch_size, n_units), dtype=self.dtype)

        self._acts = [buffer(u) for u in units]
        self._deltas = [buffer(u) for u in hidden]
        self._scratch = [buffer(u) for u in hidden]
        self._out_scratch = buffer(units[-1])
        self._ones = np.ones(batch_size, dtype=self.dtype)
        # The pre-activations, for activations whose derivative needs them and
        # for parametric ones.
        self._pre = [buffer(u) for u in hidden] if self._keep_input else None
        # A parametric activation's f(z) - z, which its weights' gradient needs.
        self._mix = [buffer(u) for u in hidden] if self.parametric else None
        # Dropout masks and the masked outputs, only for layers that drop units.
        self._masks = [buffer(u) if r else None for u, r in zip(hidden, self.dropout)]
        self._dropped = [buffer(u) if r else None for u, r in zip(hidden, self.dropout)]
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
            acts = [a[:n] for a in self._acts]
            pre = None if self._pre is None else [z[:n] for z in self._pre]
            masks = [None if m is None else m[:n] for m in self._masks]
            dropped = [None if d is None else d[:n] for d in self._dropped]
            views = self._views[n] = _Views(
                acts=acts,
                deltas=[d[:n] for d in self._deltas],
                scratch=[s[:n] for s in self._scratch],
                out_scratch=self._out_scratch[:n],
                ones=self._ones[:n],
                pre=pre,
                masks=masks,
                dropped=dropped,
                mix=None if self._mix is None else [g[:n] for g in self._mix],
            )
        return views

    def dropout_masks(self, n: int, random_state, out=None) -> list:
        """Draw the scaled dropout masks of a batch of ``n`` rows.

        Per hidden layer, an array of shape ``(n, n_units)`` whose entries are
        ``0`` (dropped, with probability ``rate``) or ``1 / (1 - rate)``, or
        None for a layer that drops nothing. The masks are drawn from
        ``random_state`` (a ``RandomState``) layer by layer, into ``out``
        when given, else into new arrays, which :meth:`loss_grad` accepts as
        fixed ``masks``: that is how a gradient is checked under dropout.
        With ``dropout_bits`` (the tabular estimators'), each unit's draw is
        16 random bits rather than a float64, four times cheaper: a rate is
        then taken to the nearest multiple of ``2**-16``.
        """
        if out is None:
            out = [
                None if r == 0 else np.empty((n, u), dtype=self.dtype)
                for u, r in zip(self.layer_units[1:-1], self.dropout)
            ]
        for mask, rate in zip(out, self.dropout):
            if mask is None:
                continue
            if self.dropout_bits:
                # 16 random bits per unit, a quarter of the cost of a float64
                # draw: kept where they reach the rate times 2**16
                if rate == 0.0:
                    mask[...] = 1.0
                    continue
                bits = np.frombuffer(random_state.bytes(2 * mask.size), dtype=np.uint16)
                threshold = np.uint16(min(round(rate * 65536), 65535))
                np.greater_equal(bits.reshape(mask.shape), threshold, out=mask)
            else:
                # RandomState has no ``out=``: the uniform draws are a
                # temporary, the mask itself is written in place.
                np.greater_equal(random_state.random_sample(mask.shape), rate, out=mask)
            mask *= 1.0 / (1.0 - rate)
        return out

    @property
    def n_inputs(self) -> int:
        """Columns of the network's input."""
        return self.layer_units[0] if self.front is None else self.front.n_inputs

    def logits(self, X) -> np.ndarray:
        """Logits of ``X`` for the current weights, in a new array (computed by chunks)."""
        return predict_chunks(
            X,
            self.coefs,
            self.intercepts,
            self.activation,
            lambda z, start, stop: z,
            front=None if self.front is None else (self.front, self.front_weights),
            out_activation=self.out_activation,
            act_weights=self.act_weights,
        )

    def loss_grad(
        self,
        X,
        Y,
        sample_weight,
        alpha: float,
        rng=None,
        masks: list | None = None,
        grad_scale: float = 1.0,
    ) -> float:
        """Loss of a batch; the gradient of it is written into ``self.grads``.

        The loss is ``sum_i w_i * l_i / n + 0.5 * alpha * ||W||^2 / n`` for a
        batch of ``n`` rows, where ``W`` are all the coefficient matrices
        (intercepts are not penalized).  This is scikit-learn's MLP objective.
        ``grads`` receives ``grad_scale`` times its gradient: the factor rides
        on the small output-layer gradient into the matrix products, so that
        an optimizer that steps by ``learning_rate * gradient`` needs no pass
        over the parameters of its own to scale it.

        With dropout, a training batch passes its random generator as ``rng``:
        new masks (see :meth:`dropout_masks`) are drawn from it and the loss
        and gradient are those of the thinned network (inverted dropout: the
        kept units are scaled by ``1 / (1 - rate)``, so nothing changes at
        prediction). ``masks`` fixes the masks instead. Without either, or
        without dropout, nothing is dropped and ``rng`` is not touched.

        The three phases are also methods of their own (:meth:`forward`,
        :meth:`backward`, :meth:`add_penalty`), which the benchmarks time one
        by one.
        """
        k = self.members
        views = self._buffers(X.shape[0] * k)
        if masks is None and rng is not None and self._dropping:
            masks = self.dropout_masks(X.shape[0] * k, rng, out=views.masks)
        Z = self.forward(X, views, masks)
        if k > 1:
            # every member is trained on the batch: the loss is the mean of theirs
            Y, sample_weight = self._repeat_for_members(Y, sample_weight)
        if self.label_smoothing:
            loss = self._loss(Z, Y, sample_weight, grad_scale, self.label_smoothing)
        else:
            loss = self._loss(Z, Y, sample_weight, grad_scale)  # Z now holds dloss/dlogits
        self.backward(X, Z, views, masks)
        if alpha:
            loss += self.add_penalty(alpha, X.shape[0], grad_scale)
        return loss

    def _repeat_for_members(self, Y, sample_weight):
        """``Y`` and the weights repeated once per member, in buffers kept per size."""
        k, n = self.members, Y.shape[0]
        key = (n, Y.shape[1], sample_weight is None)
        buffers = self._member_buffers.get(key)
        if buffers is None:
            if len(self._member_buffers) > 4:
                self._member_buffers.clear()
            w = None if sample_weight is None else np.empty(k * n, dtype=self.dtype)
            buffers = self._member_buffers[key] = (np.empty((k * n, Y.shape[1]), Y.dtype), w)
        Y_k, w_k = buffers
        Y_k.reshape(k, n, -1)[...] = Y
        if w_k is not None:
            w_k.reshape(k, n)[...] = sample_weight
        return Y_k, w_k

    def forward(self, X, views, masks=None) -> np.ndarray:
        """The logits of a batch, into the buffers of ``views`` (see :meth:`loss_grad`)."""
        if self.front is not None:
            X = self._front_cache["output"] = self.front.forward(
                X, self.front_weights, self._front_cache
            )
        return logits(
            X,
            self.coefs,
            self.intercepts,
            self.activation,
            views.acts,
            pre=views.pre,
            scratch=views.scratch,
            masks=masks,
            dropped=views.dropped,
            act_weights=self.act_weights,
            mix=views.mix,
        )

    def backward(self, X, delta, views, masks=None) -> None:
        """Backpropagate ``delta`` (the gradient w.r.t. the logits) into ``self.grads``."""
        acts, deltas, ones = views.acts, views.deltas, views.ones
        flush_tiny(delta, views.out_scratch)  # saturated probabilities minus targets
        front_input = X
        if self.front is not None:
            X = self._front_cache["output"]
        n = X.shape[0]  # rows of the dense layers: every member's
        for i in range(len(self.coefs) - 1, -1, -1):
            if i == 0:
                A = X
            elif masks is None or masks[i - 1] is None:
                A = acts[i - 1]
            else:
                A = views.dropped[i - 1]  # what the layer read: the output after dropout
            if self.coefs[i].ndim == 3:  # the members' output layers
                k = self.members
                D3 = delta.reshape(k, -1, delta.shape[1])
                A3 = A.reshape(k, -1, A.shape[1])
                np.matmul(A3.transpose(0, 2, 1), D3, out=self.coef_grads[i])
                np.add.reduce(D3, axis=1, out=self.intercept_grads[i])
                prev = deltas[i - 1]
                W3 = self.coefs[i].transpose(0, 2, 1)
                np.matmul(D3, W3, out=prev.reshape(k, -1, prev.shape[1]))
                self._derivative_into(i, prev, views, masks)
                delta = prev
                continue
            if not isinstance(A, np.ndarray):  # sparse X
                self.coef_grads[i][...] = A.T @ delta
            elif n == 1:
                # One sample: an outer product, which broadcasting computes
                # faster than a BLAS matrix product of inner dimension one.
                np.multiply(A.T, delta, out=self.coef_grads[i])
            else:
                np.matmul(A.T, delta, out=self.coef_grads[i])
            if n == 1:
                np.copyto(self.intercept_grads[i], delta[0])
            else:
                np.matmul(ones, delta, out=self.intercept_grads[i])  # column sums
            if i > 0:
                prev = deltas[i - 1]
                np.matmul(delta, self.coefs[i].T, out=prev)
                self._derivative_into(i, prev, views, masks)
                delta = prev
        if self.front is not None:
            G = self.front.gradient_buffer(self._front_cache, delta.shape[0], delta.dtype)
            np.matmul(delta, self.coefs[0].T, out=G)
            self.front.backward(
                front_input, G, self.front_weights, self.front_grads, self._front_cache
            )

    def _derivative_into(self, i: int, prev, views, masks) -> None:
        """Carry the gradient ``prev`` of layer ``i - 1``'s output back through
        its dropout and activation."""
        if masks is not None and masks[i - 1] is not None:
            prev *= masks[i - 1]
        if self.parametric:
            self._parametric_derivative_into(i - 1, prev, views)
        elif self._keep_input:
            # the layer's output is read no more: scratch for the derivative
            self._derivative(views.pre[i - 1], prev, views.scratch[i - 1], views.acts[i - 1])
        else:
            self._derivative(views.acts[i - 1], prev, views.scratch[i - 1])
        if self._flush:
            flush_tiny(prev, views.scratch[i - 1])  # two matrix products read it

    def _parametric_derivative_into(self, j: int, delta, views) -> None:
        """Back through hidden layer ``j``'s parametric activation ``y = z + a * g``,
        ``g = f(z) - z``: the gradient of ``a`` is the column sums of ``delta * g``,
        and ``delta`` becomes ``delta + a * (delta * f'(z) - delta)``.

        The layer's output and ``g``'s buffer are read no more: scratch.
        """
        G, Z, spare = views.mix[j], views.pre[j], views.acts[j]
        np.multiply(delta, G, out=spare)
        np.matmul(views.ones, spare, out=self.act_weight_grads[j])  # column sums
        if self._native_input:
            np.copyto(G, delta)
            self._derivative(Z, G, views.scratch[j], spare)
        else:
            np.add(G, Z, out=spare)  # f(z), from which the derivative follows
            np.copyto(G, delta)
            self._derivative(spare, G, views.scratch[j])
        G -= delta
        G *= self.act_weights[j]
        delta += G

    def add_penalty(self, alpha: float, n: int, grad_scale: float = 1.0) -> float:
        """Add the L2 penalty's gradient (times ``grad_scale``) to ``grads``; return its loss."""
        W = self.params[: self.n_coef]
        axpy(W, self.grads[: self.n_coef], grad_scale * alpha / n, self._reg_buf)
        return 0.5 * alpha * float(W @ W) / n


class _Views(NamedTuple):
    """The first rows of every buffer of a :class:`Network`, for one batch size."""

    acts: list
    deltas: list
    scratch: list
    out_scratch: np.ndarray
    ones: np.ndarray
    pre: list | None
    masks: list
    dropped: list
    mix: list | None


def _dropout_rates(dropout, n_hidden: int) -> tuple:
    """One dropout rate per hidden layer, each in [0, 1); anything else is refused.

    ``dropout`` is one rate for every hidden layer, or a flat sequence (list,
    tuple, 1-D array) of ``n_hidden`` rates. A rate is a real number, not a
    boolean nor a string. Malformed values raise ``TypeError``, rates out of
    range or of the wrong number ``ValueError``, both naming ``dropout``.
    """
    accepts = (
        "dropout must be a rate in [0, 1) for every hidden layer, or a flat sequence "
        f"(list, tuple or 1-D array) of such rates, one per hidden layer ({n_hidden} here)"
    )

    def rate(value) -> float:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
            raise TypeError(f"{accepts}; got {dropout!r}, whose {value!r} is not a rate.")
        if not 0.0 <= value < 1.0:  # NaN is refused too
            raise ValueError(
                f"dropout rates must be in [0, 1) (the fraction of units dropped); "
                f"got {dropout!r}."
            )
        return float(value)

    value = dropout.item() if isinstance(dropout, np.ndarray) and dropout.ndim == 0 else dropout
    if isinstance(value, Real) and not isinstance(value, (bool, np.bool_)):
        return (rate(value),) * n_hidden
    if isinstance(value, (list, tuple)):
        items = value
    elif hasattr(value, "__array__"):  # a numpy array, a pandas Series
        items = np.asarray(value, dtype=object)
        if items.ndim != 1:
            raise TypeError(f"{accepts}; got {dropout!r}.")
    else:
        raise TypeError(f"{accepts}; got {dropout!r}.")
    rates = tuple(rate(r) for r in items)
    if len(rates) != n_hidden:
        raise ValueError(
            f"dropout has {len(rates)} rate(s) for {n_hidden} hidden layer(s): give "
            "one rate per hidden layer, or a single rate for all of them."
        )
    return rates
