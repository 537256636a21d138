"""Stochastic optimizers over a flat parameter vector, updated in place.

They follow scikit-learn's ``_stochastic_optimizers``: the same update rules,
the same learning-rate schedules and the same stopping behaviour, so that the
same hyper-parameters mean the same thing.  Each ``step`` is a few in-place
numpy operations on whole vectors and allocates nothing.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np


class Optimizer(ABC):
    """The contract between the training loop and an optimizer.

    The loop calls :meth:`step` after every batch, :meth:`iteration_ends`
    after every epoch, and, when a stopping rule sees no improvement for
    ``n_iter_no_change`` epochs, :meth:`trigger_stopping`, which either agrees
    to stop or adapts itself (a smaller step) and asks for more epochs.

    Attributes
    ----------
    learning_rate_init : float
        The step size the optimizer started with.
    learning_rate : float
        The current step size.
    """

    solver = ""

    def __init__(self, n_params: int, learning_rate_init: float):
        self.n_params = int(n_params)
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)

    def fits(self, solver: str, n_params: int) -> bool:
        """Whether this optimizer can go on training ``n_params`` weights with ``solver``."""
        return solver == self.solver and n_params == self.n_params

    def state(self) -> dict:
        """Everything the optimizer knows, as plain values and arrays (copies).

        A fitted estimator keeps this rather than the optimizer object, so
        that it holds no private types (skops loads it without being told to
        trust any); :func:`optimizer_from_state` rebuilds the optimizer.
        """
        return {
            key: value.copy() if isinstance(value, np.ndarray) else value
            for key, value in vars(self).items()
            if not key.startswith("_")
        } | {"solver": self.solver}

    @property
    def grad_scale(self) -> float:
        """The factor the gradients given to :meth:`step` must already carry.

        The loop asks the network for ``grad_scale`` times the gradient (a
        factor that costs nothing there, see ``Network.loss_grad``), which
        saves a step a pass over the parameters.
        """
        return 1.0

    @abstractmethod
    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Update ``params`` in place from ``grads`` (the gradient times
        :attr:`grad_scale`), allocating nothing."""

    def iteration_ends(self, time_step: int) -> None:  # noqa: B027 - optional, no schedule
        """An epoch ended; ``time_step`` is the number of samples seen so far."""

    def trigger_stopping(self, message: str, verbose: bool) -> bool:
        """No improvement for a while: return True to stop training."""
        if verbose:
            print(message + " Stopping.")
        return True


class SGDOptimizer(Optimizer):
    """Mini-batch SGD with (Nesterov) momentum and learning-rate schedules.

    With velocity ``v`` the update is ``v <- momentum * v - lr * g`` and then
    ``params += v`` (classical momentum) or ``params += momentum * v - lr * g``
    (Nesterov's momentum, as formulated by Sutskever et al., 2013).
    """

    solver = "sgd"

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
        super().__init__(n_params, learning_rate_init)
        self.lr_schedule = learning_rate
        self.momentum = float(momentum)
        self.nesterov = nesterov
        self.power_t = power_t
        self.velocity = np.zeros(n_params, dtype=dtype)
        self._buf = np.zeros(n_params, dtype=dtype)

    @property
    def grad_scale(self) -> float:
        """The learning rate: :meth:`step` takes ``lr * g``."""
        return self.learning_rate

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        # grads holds lr * g already (see grad_scale)
        if self.momentum:
            v = self.velocity
            v *= self.momentum
            v -= grads
            if self.nesterov:
                params -= grads
                np.multiply(v, self.momentum, out=self._buf)
                params += self._buf
            else:
                params += v
        else:
            params -= grads

    def iteration_ends(self, time_step: int) -> None:
        """Apply the ``invscaling`` schedule after an epoch (``time_step`` = samples seen)."""
        if self.lr_schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (time_step + 1) ** self.power_t

    def trigger_stopping(self, message: str, verbose: bool) -> bool:
        """Stop, or with the ``adaptive`` schedule divide the step by 5 and go on."""
        if self.lr_schedule != "adaptive":
            return super().trigger_stopping(message, verbose)
        if self.learning_rate <= 1e-6:
            if verbose:
                print(message + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(message + f" Setting learning rate to {self.learning_rate:f}")
        return False


class AdamOptimizer(Optimizer):
    """Adam (Kingma and Ba, 2014) with scikit-learn's bias correction.

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2`` and
    ``params -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``.

    The constant factors ride on the gradient and on the update's scalars
    rather than costing passes over the parameters: the step takes
    ``(1 - b1) g`` (see :attr:`grad_scale`), so that ``m`` is updated by one
    multiply and one add, and ``v_scaled`` holds the second moment ``v``
    times ``(1 - b1)^2 / (1 - b2)``, whose update is then a square and the
    same two operations. Ten passes over the parameters make a step.
    """

    solver = "adam"

    def __init__(
        self, n_params, dtype, learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8
    ):
        super().__init__(n_params, learning_rate_init)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.m = np.zeros(n_params, dtype=dtype)
        self.v_scaled = np.zeros(n_params, dtype=dtype)
        self._buf = np.zeros(n_params, dtype=dtype)

    @property
    def grad_scale(self) -> float:
        """``1 - beta_1``: :meth:`step` takes ``(1 - beta_1) * g``."""
        return 1.0 - self.beta_1

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        self.t += 1
        m, v, buf = self.m, self.v_scaled, self._buf
        m *= self.beta_1
        m += grads
        np.square(grads, out=buf)
        v *= self.beta_2
        v += buf
        # v is k = (1 - b1)^2 / (1 - b2) times the second moment, so
        # m / (sqrt(v / k) + eps) = sqrt(k) * m / (sqrt(v) + sqrt(k) eps).
        root_k = (1.0 - self.beta_1) / math.sqrt(1.0 - self.beta_2)
        lr = (
            self.learning_rate_init
            * math.sqrt(1.0 - self.beta_2**self.t)
            / (1.0 - self.beta_1**self.t)
        )
        np.sqrt(v, out=buf)
        buf += root_k * self.epsilon
        np.divide(m, buf, out=buf)
        buf *= lr * root_k
        params -= buf


def make_optimizer(solver: str, n_params: int, dtype, params: dict) -> Optimizer:
    """The optimizer of ``solver`` ("sgd" or "adam"), from the estimator's parameters."""
    if solver == "sgd":
        return SGDOptimizer(
            n_params,
            dtype,
            learning_rate_init=params["learning_rate_init"],
            learning_rate=params["learning_rate"],
            momentum=params["momentum"],
            nesterov=params["nesterovs_momentum"],
            power_t=params["power_t"],
        )
    if solver == "adam":
        return AdamOptimizer(
            n_params,
            dtype,
            learning_rate_init=params["learning_rate_init"],
            beta_1=params["beta_1"],
            beta_2=params["beta_2"],
            epsilon=params["epsilon"],
        )
    raise ValueError(f"{solver!r} is not a stochastic solver.")


def optimizer_from_state(state: dict) -> Optimizer:
    """The optimizer that :meth:`Optimizer.state` described, with copies of its arrays."""
    cls = {"sgd": SGDOptimizer, "adam": AdamOptimizer}[state["solver"]]
    if cls is AdamOptimizer and "v" in state:
        # saved before the second moment was kept scaled (sknumpynet 0.1.0)
        state = dict(state)
        beta_1, beta_2 = state["beta_1"], state["beta_2"]
        state["v_scaled"] = state.pop("v") * ((1.0 - beta_1) ** 2 / (1.0 - beta_2))
    optimizer = cls.__new__(cls)
    for key, value in state.items():
        if key != "solver":
            setattr(optimizer, key, value.copy() if isinstance(value, np.ndarray) else value)
    # scratch buffers, the same size as the parameters
    dtype = (optimizer.velocity if cls is SGDOptimizer else optimizer.m).dtype
    optimizer._buf = np.zeros(optimizer.n_params, dtype=dtype)
    return optimizer
