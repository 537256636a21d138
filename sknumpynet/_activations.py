"""Activation functions and their derivatives, all computed in place.

Each forward function overwrites its argument with the activation of it.
Each derivative takes the layer's *output* ``A`` (not its input) and the
back-propagated error ``delta`` and multiplies ``delta`` in place by the
derivative of the activation, using ``buf`` (same shape as ``A``) as scratch.
Taking the output rather than the input is what lets the forward pass keep a
single buffer per layer.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit


def identity(Z: np.ndarray) -> None:
    """Leave ``Z`` as it is."""


def logistic(Z: np.ndarray) -> None:
    """Logistic sigmoid ``1 / (1 + exp(-Z))``, in place."""
    expit(Z, out=Z)


def tanh(Z: np.ndarray) -> None:
    """Hyperbolic tangent, in place."""
    np.tanh(Z, out=Z)


def relu(Z: np.ndarray) -> None:
    """Rectified linear unit ``max(Z, 0)``, in place."""
    np.maximum(Z, 0, out=Z)


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


ACTIVATIONS = {
    "identity": identity,
    "logistic": logistic,
    "tanh": tanh,
    "relu": relu,
}

DERIVATIVES = {
    "identity": identity_derivative,
    "logistic": logistic_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
}
