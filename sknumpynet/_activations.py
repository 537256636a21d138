"""Activation functions and their derivatives, on preallocated arrays.

Most activations (identity, logistic, tanh, relu, leaky_relu, elu, selu,
softplus) have a derivative that the layer's *output* ``A`` determines. For them the
forward function ``f(Z, buf=None)`` overwrites ``Z`` with the activation of
it (``buf``, shaped like ``Z``, is scratch for those that need one; without
it they allocate), and the derivative ``d(A, delta, buf)`` multiplies the
back-propagated error ``delta`` in place by the derivative at ``A``, using
``buf`` as scratch. Taking the output rather than the input is what lets the
forward pass keep a single buffer per layer.

GELU, SiLU and Mish have no derivative that their output determines (none
is one-to-one). Their names are in :data:`NEEDS_INPUT`: their forward
function ``f(Z, out, buf=None)`` writes the activation into ``out`` (``buf``
is scratch, for those that need one) and leaves ``Z``,
the pre-activation, as it is, so the network keeps it in a buffer of its own;
their derivative ``d(Z, delta, buf, spare=None)`` takes that pre-activation,
and may overwrite it. ``spare`` is a second scratch array shaped like ``Z``
(the network passes the layer's output, which back-propagation no longer
reads by then); Mish needs it, and allocates one when it is not given.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erfc, expit

# Slope of leaky_relu for negative inputs.
LEAKY_SLOPE = 0.01
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
# SELU's constants (Klambauer et al., 2017, "Self-Normalizing Neural Networks").
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
# Mish computes exp(min(Z, MISH_CAP)): tanh(softplus(20)) is 1 - 8e-18, 1 in float64.
MISH_CAP = 20.0


def identity(Z: np.ndarray, buf: np.ndarray | None = None) -> None:
    """Leave ``Z`` as it is."""


def logistic(Z: np.ndarray, buf: np.ndarray | None = None) -> None:
    """Logistic sigmoid ``1 / (1 + exp(-Z))``, in place."""
    expit(Z, out=Z)


def tanh(Z: np.ndarray, buf: np.ndarray | None = None) -> None:
    """Hyperbolic tangent, in place."""
    np.tanh(Z, out=Z)


def relu(Z: np.ndarray, buf: np.ndarray | None = None) -> None:
    """Rectified linear unit ``max(Z, 0)``, in place."""
    np.maximum(Z, 0, out=Z)


def leaky_relu(Z: np.ndarray, buf: np.ndarray | None = None) -> None:
    """Leaky ReLU ``max(Z, 0.01 * Z)``, in place."""
    scaled = np.multiply(Z, LEAKY_SLOPE, out=buf)
    np.maximum(Z, scaled, out=Z)


def elu(Z: np.ndarray, buf: np.ndarray | None = None) -> None:
    """Exponential linear unit: ``Z`` where positive, ``exp(Z) - 1`` elsewhere (alpha 1).

    ``expm1`` only ever sees non-positive values, so it cannot overflow.
    """
    negative = np.minimum(Z, 0, out=buf)
    np.expm1(negative, out=negative)
    np.maximum(Z, 0, out=Z)
    Z += negative


def selu(Z: np.ndarray, buf: np.ndarray | None = None) -> None:
    """Scaled ELU: ``scale * Z`` where positive, ``scale * alpha * (exp(Z) - 1)`` elsewhere.

    ``alpha`` and ``scale`` are Klambauer et al.'s (2017) constants
    :data:`SELU_ALPHA` and :data:`SELU_SCALE`, which make zero mean and unit
    variance a fixed point of the layers under LeCun-normal weights.
    """
    negative = np.minimum(Z, 0, out=buf)
    Z -= negative  # max(Z, 0), exactly
    Z *= SELU_SCALE
    np.expm1(negative, out=negative)
    negative *= SELU_SCALE * SELU_ALPHA
    Z += negative


def softplus(Z: np.ndarray, buf: np.ndarray | None = None) -> None:
    """Softplus ``log(1 + exp(Z))``, in place, as ``max(Z, 0) + log1p(exp(-|Z|))``.

    That is how ``np.logaddexp(0, Z)`` computes it (``exp`` never sees a
    positive argument, so nothing overflows, and the lower tail keeps its
    relative precision), in whole-array passes that run about twice as fast
    as ``logaddexp`` on float32.
    """
    tail = np.abs(Z, out=buf)
    np.negative(tail, out=tail)
    np.exp(tail, out=tail)
    np.log1p(tail, out=tail)
    np.maximum(Z, 0, out=Z)
    Z += tail


def gelu(Z: np.ndarray, out: np.ndarray, buf: np.ndarray | None = None) -> None:
    """Gaussian error linear unit, exact form: ``out = Z * Phi(Z)``.

    ``Phi`` is the standard normal distribution function, computed as
    ``erfc(-Z / sqrt(2)) / 2``, which keeps its relative precision in the
    lower tail where ``(1 + erf(Z / sqrt(2))) / 2`` would round to zero.
    This is the exact GELU, not the tanh approximation.
    """
    np.multiply(Z, -_INV_SQRT2, out=out)
    erfc(out, out=out)
    out *= 0.5
    out *= Z


def silu(Z: np.ndarray, out: np.ndarray, buf: np.ndarray | None = None) -> None:
    """Sigmoid linear unit (swish): ``out = Z * sigmoid(Z)``."""
    expit(Z, out=out)
    out *= Z


def mish(Z: np.ndarray, out: np.ndarray, buf: np.ndarray | None = None) -> None:
    """Mish (Misra, 2019): ``out = Z * tanh(softplus(Z))``.

    With ``e = exp(Z)``, ``tanh(log(1 + e))`` is ``n / (n + 2)`` where ``n
    = e * (e + 2)``: one ``exp`` where ``tanh``, ``log1p`` and a second
    ``exp`` would take three times as long. ``exp`` sees ``Z`` capped at
    :data:`MISH_CAP`, beyond which the ratio is 1 in float64 (and ``n``
    stays far from overflow in float32); below, ``n`` keeps the relative
    precision of the lower tail. ``buf`` (shaped like ``Z``) is scratch,
    allocated when not given.
    """
    if buf is None:
        buf = np.empty_like(Z)
    np.minimum(Z, MISH_CAP, out=buf)
    np.exp(buf, out=buf)
    np.add(buf, 2, out=out)
    out *= buf  # n
    np.add(out, 2, out=buf)
    out /= buf  # tanh(softplus(Z))
    out *= Z


def identity_derivative(A: np.ndarray, delta: np.ndarray, buf: np.ndarray) -> None:
    """The derivative of the identity is one: ``delta`` is unchanged."""


def logistic_derivative(A: np.ndarray, delta: np.ndarray, buf: np.ndarray) -> None:
    """``delta *= A * (1 - A)`` where ``A`` is the sigmoid's output."""
    np.subtract(1, A, out=buf)
    buf *= A
    delta *= buf


def tanh_derivative(A: np.ndarray, delta: np.ndarray, buf: np.ndarray) -> None:
    """``delta *= 1 - A ** 2`` where ``A`` is tanh's output."""
    np.square(A, out=buf)
    np.subtract(1, buf, out=buf)
    delta *= buf


def relu_derivative(A: np.ndarray, delta: np.ndarray, buf: np.ndarray) -> None:
    """``delta *= (A > 0)``; ``sign`` of a ReLU output is exactly that mask."""
    np.sign(A, out=buf)
    delta *= buf


def leaky_relu_derivative(A: np.ndarray, delta: np.ndarray, buf: np.ndarray) -> None:
    """``delta *= 1`` where ``A > 0``, ``0.01`` elsewhere (the output has the input's sign)."""
    np.greater(A, 0, out=buf)
    buf *= 1 - LEAKY_SLOPE
    buf += LEAKY_SLOPE
    delta *= buf


def elu_derivative(A: np.ndarray, delta: np.ndarray, buf: np.ndarray) -> None:
    """``delta *= min(A, 0) + 1``: one where positive, ``exp(Z) = A + 1`` elsewhere."""
    np.minimum(A, 0, out=buf)
    buf += 1
    delta *= buf


def selu_derivative(A: np.ndarray, delta: np.ndarray, buf: np.ndarray) -> None:
    """``delta *= scale`` where ``A > 0``, ``A + scale * alpha`` elsewhere.

    For ``Z <= 0`` the derivative ``scale * alpha * exp(Z)`` is the output
    ``A = scale * alpha * (exp(Z) - 1)`` plus ``scale * alpha``. Two passes
    with one scratch array: ``delta`` is multiplied by ``min(A, 0) + scale *
    alpha``, then, where ``A > 0`` (a comparison, cheaper than ``maximum``
    and ``sign``), by ``1 / alpha``.
    """
    np.minimum(A, 0, out=buf)
    buf += SELU_SCALE * SELU_ALPHA
    delta *= buf
    np.greater(A, 0, out=buf)  # 1 where A > 0, else 0
    buf *= 1.0 / SELU_ALPHA - 1.0
    buf += 1.0
    delta *= buf


def softplus_derivative(A: np.ndarray, delta: np.ndarray, buf: np.ndarray) -> None:
    """``delta *= sigmoid(Z) = 1 - exp(-A)``; ``exp(-A)`` cannot overflow as ``A >= 0``.

    Like ``1 - A ** 2`` for tanh, the derivative is exact to an absolute
    rounding error, which is all back-propagation needs; ``-expm1(-A)`` would
    also keep the relative precision of tiny derivatives, at five times the
    cost on float32.
    """
    np.negative(A, out=buf)
    np.exp(buf, out=buf)
    np.subtract(1, buf, out=buf)
    delta *= buf


def gelu_derivative(Z: np.ndarray, delta: np.ndarray, buf: np.ndarray, spare=None) -> None:
    """``delta *= Phi(Z) + Z * phi(Z)`` from the pre-activation ``Z``, which it overwrites.

    ``phi`` is the standard normal density. For ``|Z|`` beyond about 1e154
    (float64) or 1e19 (float32) ``Z ** 2`` overflows to inf and ``phi`` to the
    correct zero.
    """
    np.multiply(Z, -0.5, out=buf)
    buf *= Z
    np.exp(buf, out=buf)
    buf *= Z
    buf *= _INV_SQRT_2PI
    Z *= -_INV_SQRT2
    erfc(Z, out=Z)
    Z *= 0.5
    buf += Z
    delta *= buf


def silu_derivative(Z: np.ndarray, delta: np.ndarray, buf: np.ndarray, spare=None) -> None:
    """``delta *= s * (1 + Z * (1 - s))`` with ``s = sigmoid(Z)``, from the pre-activation."""
    expit(Z, out=buf)
    delta *= buf
    np.subtract(1, buf, out=buf)
    buf *= Z
    buf += 1
    delta *= buf


def mish_derivative(
    Z: np.ndarray, delta: np.ndarray, buf: np.ndarray, spare: np.ndarray | None = None
) -> None:
    """``delta *= t + Z * s * (1 - t ** 2)`` with ``t = tanh(softplus(Z))``, ``s = sigmoid(Z)``.

    From the pre-activation ``Z``, which it overwrites; ``spare`` (shaped
    like ``Z``) is a second scratch array. With ``e = exp(Z)``, ``n = e * (e
    + 2)`` and ``w = n + 2`` (see :func:`mish`), ``t = n / w``, ``s = e / (1
    + e)`` and ``1 - t ** 2 = 4 * (1 + e) ** 2 / w ** 2``, so the derivative
    is ``1 - 2 / w + Z * e * (1 + e) * (2 / w) ** 2``: one ``exp``, of
    ``Z`` capped at :data:`MISH_CAP` (beyond it the second term is below
    1e-15), and one division. Like :func:`softplus_derivative`, it is exact
    to an absolute rounding error, all that back-propagation needs.
    """
    if spare is None:
        spare = np.empty_like(Z)
    np.minimum(Z, MISH_CAP, out=Z)
    np.exp(Z, out=buf)  # e
    Z *= buf
    np.add(buf, 1, out=spare)
    Z *= spare  # Z * e * (1 + e)
    np.square(spare, out=spare)
    spare += 1  # w = n + 2 = (1 + e) ** 2 + 1
    np.divide(2, spare, out=spare)  # 2 / w
    Z *= spare
    Z *= spare
    np.subtract(1, spare, out=spare)  # t = n / w = 1 - 2 / w
    Z += spare
    delta *= Z


# Subnormal float32 numbers (below 2**-126, about 1.2e-38) make OpenBLAS's
# matrix products 20 to 170 times slower wherever one is an operand or a
# product of two entries. They appear when units saturate, the
# pre-activations of logistic, softplus, GELU, SiLU or Mish reaching beyond
# about -87 (outputs and derivatives then fall below 2**-126), which large
# weights bring within reach in float32: a layer's output of 1e-30 times an
# error of 1e-10 is already one. Before a matrix product reads them, the
# layers' outputs and errors are flushed: every entry below 2**-63 in
# magnitude becomes zero, so that no product of two entries can be
# subnormal, and every other entry is left exactly as it is. Such an entry
# weighs less than 2**-40 of float32's resolution of anything it is added to
# that matters. Float64 would need pre-activations beyond -708 and is left
# as it is.
FLUSH_BELOW_FLOAT32 = 2.0**-63


def flush_tiny(a: np.ndarray, buf: np.ndarray | None = None) -> None:
    """Set the entries of a float32 array below ``2**-63`` in magnitude to zero, in place.

    ``buf`` (shaped like ``a``) is scratch, allocated when not given. NaN
    and infinities are kept. Any other dtype is left as it is (see above).
    """
    if a.dtype != np.float32:
        return
    if buf is None:
        buf = np.empty_like(a)
    np.abs(a, out=buf)
    # 1 to keep, 0 to flush; NaN compares False, and NaN * 0 is NaN
    np.greater_equal(buf, FLUSH_BELOW_FLOAT32, out=buf)
    a *= buf


ACTIVATIONS = {
    "identity": identity,
    "logistic": logistic,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "selu": selu,
    "softplus": softplus,
    "gelu": gelu,
    "silu": silu,
    "mish": mish,
}

DERIVATIVES = {
    "identity": identity_derivative,
    "logistic": logistic_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
    "leaky_relu": leaky_relu_derivative,
    "elu": elu_derivative,
    "selu": selu_derivative,
    "softplus": softplus_derivative,
    "gelu": gelu_derivative,
    "silu": silu_derivative,
    "mish": mish_derivative,
}

# Activations whose forward function writes into a separate output and whose
# derivative takes the pre-activation (see the module docstring).
NEEDS_INPUT = frozenset({"gelu", "silu", "mish"})

# Activations whose outputs fall below float32's normal range (2**-126) when
# units saturate: their hidden layers' outputs are flushed with flush_tiny
# before the next layer's matrix product reads them. ELU and SELU tend to a
# negative constant, tanh to -1 or 1, relu and leaky_relu give exact zeros.
TINY_OUTPUTS = frozenset({"logistic", "softplus", "gelu", "silu", "mish"})

# Activations whose derivatives can be small without being zero: tanh's
# 1 - tanh**2 and ELU's and SELU's, computed from their outputs, reach about
# 6e-8 before they round to 0. Errors multiplied by such factors layer after
# layer become tiny, so their hidden layers' errors are flushed too. relu,
# leaky_relu and identity (derivatives 0, 0.01 or 1) skip both flushes, three
# passes each (about 10% of a float32 fit of a wide relu network); the output
# layer's error is flushed whatever the activation.
SMALL_DERIVATIVES = TINY_OUTPUTS | {"tanh", "elu", "selu"}

# Activations that are not smooth at zero: the derivative (relu, leaky_relu,
# selu) or the second derivative (elu) jumps there, so a finite difference
# whose steps move a unit across zero is not a derivative.
KINKS = frozenset({"relu", "leaky_relu", "elu", "selu"})
