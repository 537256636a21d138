"""Stochastic optimizers over a flat parameter vector, updated in place.

They follow scikit-learn's ``_stochastic_optimizers``: the same update rules,
the same learning-rate schedules and the same stopping behaviour, so that the
same hyper-parameters mean the same thing.  Each ``step`` is a few BLAS-1
operations on whole vectors and allocates nothing.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg.blas import get_blas_funcs

# BLAS ``y += a * x`` by dtype; module level because BLAS handles do not pickle.
_AXPY = {np.dtype(t): get_blas_funcs("axpy", dtype=t) for t in (np.float32, np.float64)}


def axpy(x: np.ndarray, y: np.ndarray, a: float) -> None:
    """``y += a * x`` in place, without a temporary array."""
    _AXPY[y.dtype](x, y, a=a)


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

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        lr, v = self.learning_rate, self.velocity
        if self.momentum:
            v *= self.momentum
            axpy(grads, v, a=-lr)
            if self.nesterov:
                axpy(v, params, a=self.momentum)
                axpy(grads, params, a=-lr)
            else:
                params += v
        else:
            axpy(grads, params, a=-lr)

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
        axpy(grads, m, a=1.0 - self.beta_1)
        v *= self.beta_2
        np.square(grads, out=buf)
        axpy(buf, v, a=1.0 - self.beta_2)
        lr = (
            self.learning_rate_init
            * np.sqrt(1.0 - self.beta_2**self.t)
            / (1.0 - self.beta_1**self.t)
        )
        np.sqrt(v, out=buf)
        buf += self.epsilon
        np.divide(m, buf, out=buf)
        axpy(buf, params, a=-lr)

    def iteration_ends(self, time_step: int) -> None:
        """Adam has no learning-rate schedule."""

    def trigger_stopping(self, verbose: bool) -> bool:
        if verbose:
            print("Training loss did not improve more than tol. Stopping.")
        return True
