"""Stochastic optimizers over a flat parameter vector, updated in place.

They follow scikit-learn's ``_stochastic_optimizers``: the same update rules,
the same learning-rate schedules and the same stopping behaviour, so that the
same hyper-parameters mean the same thing.  Each ``step`` is a few in-place
numpy operations on whole vectors and allocates nothing.
"""

from __future__ import annotations

import math

import numpy as np


def axpy(x: np.ndarray, y: np.ndarray, a: float, buf: np.ndarray) -> None:
    """``y += a * x`` in place, with ``buf`` (shaped like ``x``) as scratch.

    Plain numpy on purpose: scipy's BLAS ``axpy`` is a second OpenBLAS with
    its own thread pool, and alternating calls between two pools that spin
    while waiting slows every matrix product down many times on a small machine.
    """
    np.multiply(x, a, out=buf)
    y += buf


class SGDOptimizer:
    """Mini-batch SGD with (Nesterov) momentum and learning-rate schedules.

    With velocity ``v`` the update is ``v <- momentum * v - lr * g`` and then
    ``params += v`` (classical momentum) or ``params += momentum * v - lr * g``
    (Nesterov's momentum, as formulated by Sutskever et al., 2013).
    """

    def __init__(
        self,
        n_params,
        dtype,
        learning_rate_init=0.1,
        learning_rate="constant",
        momentum=0.9,
        nesterov=True,
        power_t=0.5,
    ):
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.lr_schedule = learning_rate
        self.momentum = float(momentum)
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocity = np.zeros(n_params, dtype=dtype)
        self._buf = np.zeros(n_params, dtype=dtype)
        self._buf2 = np.zeros(n_params, dtype=dtype)

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        lr, v, buf = self.learning_rate, self.velocity, self._buf
        np.multiply(grads, lr, out=buf)  # buf = lr * g
        if self.momentum:
            v *= self.momentum
            v -= buf
            if self.nesterov:
                np.multiply(v, self.momentum, out=self._buf2)
                params += self._buf2
                params -= buf
            else:
                params += v
        else:
            params -= buf

    def iteration_ends(self, time_step: int) -> None:
        """Apply the ``invscaling`` schedule after an epoch (``time_step`` = samples seen)."""
        if self.lr_schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (time_step + 1) ** self.power_t

    def trigger_stopping(self, verbose: bool) -> bool:
        """Called when the loss stopped improving: divide the rate by 5 or stop."""
        if self.lr_schedule != "adaptive":
            if verbose:
                print("Training loss did not improve more than tol. Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print("Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(f"Setting learning rate to {self.learning_rate:f}")
        return False


class AdamOptimizer:
    """Adam (Kingma and Ba, 2014) with scikit-learn's bias correction.

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2`` and
    ``params -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``.
    """

    def __init__(
        self, n_params, dtype, learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8
    ):
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.m = np.zeros(n_params, dtype=dtype)
        self.v = np.zeros(n_params, dtype=dtype)
        self._buf = np.zeros(n_params, dtype=dtype)

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        self.t += 1
        m, v, buf = self.m, self.v, self._buf
        m *= self.beta_1
        axpy(grads, m, 1.0 - self.beta_1, buf)
        v *= self.beta_2
        np.square(grads, out=buf)
        buf *= 1.0 - self.beta_2
        v += buf
        lr = (
            self.learning_rate_init
            * math.sqrt(1.0 - self.beta_2**self.t)
            / (1.0 - self.beta_1**self.t)
        )
        np.sqrt(v, out=buf)
        buf += self.epsilon
        np.divide(m, buf, out=buf)
        axpy(buf, params, -lr, buf)

    def iteration_ends(self, time_step: int) -> None:
        """Adam has no learning-rate schedule."""

    def trigger_stopping(self, verbose: bool) -> bool:
        if verbose:
            print("Training loss did not improve more than tol. Stopping.")
        return True
