"""Stochastic optimizers over a flat parameter vector, updated in place.

They follow scikit-learn's ``_stochastic_optimizers``: the same update rules,
the same learning-rate schedules and the same stopping behaviour, so that the
same hyper-parameters mean the same thing.  Each ``step`` is a few in-place
numpy operations on whole vectors and allocates nothing.

Beyond scikit-learn, every optimizer can clip the gradient by its global norm,
decay the coefficients directly (decoupled weight decay: AdamW and SGDW,
Loshchilov and Hutter, 2019) and follow a learning-rate schedule over the
steps of the fit (:func:`schedule_factor`). All three are off by default, and
then the steps are bit for bit those of scikit-learn's optimizers.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np

# Learning-rate schedules: a factor of ``learning_rate_init`` as a function of
# the progress ``q`` in [0, 1] of the steps after the warm-up.
LR_SCHEDULES = {
    # cosine decay from 1 to 0 (Loshchilov and Hutter, 2017, one cycle)
    "cosine": lambda q: 0.5 * (1.0 + math.cos(math.pi * q)),
    "linear": lambda q: 1.0 - q,
    # RealMLP's (Holzmueller et al., 2024, arXiv 2407.04491): four cosine cycles
    # on a log scale, from 0, each half as long as the next; pytabkit's "coslog4"
    "coslog4": lambda q: 0.5 * (1.0 - math.cos(2.0 * math.pi * math.log2(1.0 + 15.0 * q))),
    # constant for the first half, then a cosine decay to 0; pytabkit's "flat_cos"
    "flat_cos": lambda q: 1.0 if q < 0.5 else 0.5 * (1.0 + math.cos(math.pi * (2.0 * q - 1.0))),
}


def schedule_factor(
    schedule: str | None, warmup_fraction: float, step: int, total_steps: int
) -> float:
    """The factor of ``learning_rate_init`` for step ``step`` (0 for the first) of ``total_steps``.

    With ``p = step / total_steps`` (at most 1: past the end the factor stays
    at its final value) and ``w = warmup_fraction``, the factor is
    ``min(1, (step + 1) / (w * total_steps))``, the linear warm-up, times
    ``LR_SCHEDULES[schedule](q)`` with ``q = max(0, p - w) / (1 - w)``: the
    schedule runs over the steps after the warm-up. ``schedule=None`` is
    constant. Plain arithmetic on Python floats: nothing is allocated.
    """
    total = max(int(total_steps), 1)
    p = min(step / total, 1.0)
    factor = 1.0
    if warmup_fraction > 0.0:
        factor = min(1.0, (step + 1) / (warmup_fraction * total))
    if schedule is not None:
        q = max(0.0, p - warmup_fraction) / (1.0 - warmup_fraction)
        factor *= LR_SCHEDULES[schedule](min(q, 1.0))
    return factor


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

    # The options beyond scikit-learn (see :meth:`configure`) and the steps
    # taken, as class defaults, so that a state saved before them loads.
    schedule = None
    warmup_fraction = 0.0
    weight_decay = 0.0
    weight_decay_schedule = None
    n_decayed = 0
    decay_factors = None
    max_grad_norm = None
    lr_factors = None
    steps = 0
    total_steps = 0

    def __init__(self, n_params: int, learning_rate_init: float):
        self.n_params = int(n_params)
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)

    def configure(
        self,
        *,
        schedule: str | None = None,
        warmup_fraction: float = 0.0,
        weight_decay: float = 0.0,
        n_decayed: int = 0,
        max_grad_norm: float | None = None,
        lr_factors: np.ndarray | None = None,
        weight_decay_schedule: str | None = None,
        decay_factors: np.ndarray | None = None,
    ) -> Optimizer:
        """Set the options beyond scikit-learn's; returns the optimizer.

        ``schedule`` and ``warmup_fraction``: the learning rate of each step is
        ``learning_rate_init`` times :func:`schedule_factor`. ``weight_decay``:
        before each step, the first ``n_decayed`` parameters (the coefficients,
        not the intercepts) are multiplied by ``1 - learning_rate *
        weight_decay``, apart from the gradient; with ``decay_factors`` (one
        per parameter), every parameter is multiplied by ``1 - learning_rate *
        weight_decay * decay_factors`` instead (RealMLP's decay, whose factors
        are the learning-rate factors, zero for the biases);
        ``weight_decay_schedule`` (one of the learning-rate schedules) scales
        ``weight_decay`` over the steps. ``max_grad_norm``: a gradient
        whose Euclidean norm is larger is scaled down to that norm.
        ``lr_factors``: one factor per parameter that multiplies its step (a
        learning rate per weight array, as RealMLP's parametrization gives
        each layer; None for one learning rate).
        """
        if schedule is not None and schedule not in LR_SCHEDULES:
            raise ValueError(f"schedule must be None or one of {sorted(LR_SCHEDULES)}.")
        self.schedule = schedule
        self.warmup_fraction = float(warmup_fraction)
        self.weight_decay = float(weight_decay)
        self.n_decayed = int(n_decayed)
        self.max_grad_norm = None if max_grad_norm is None else float(max_grad_norm)
        if lr_factors is not None:
            lr_factors = np.asarray(lr_factors, dtype=self._dtype())
            if lr_factors.shape != (self.n_params,):
                raise ValueError(
                    f"lr_factors must hold one factor per parameter ({self.n_params}), "
                    f"got shape {lr_factors.shape}."
                )
        self.lr_factors = lr_factors
        if weight_decay_schedule is not None and weight_decay_schedule not in LR_SCHEDULES:
            raise ValueError(
                f"weight_decay_schedule must be None or one of {sorted(LR_SCHEDULES)}."
            )
        self.weight_decay_schedule = weight_decay_schedule
        if decay_factors is not None:
            decay_factors = np.asarray(decay_factors, dtype=self._dtype())
            if decay_factors.shape != (self.n_params,):
                raise ValueError(
                    f"decay_factors must hold one factor per parameter ({self.n_params}), "
                    f"got shape {decay_factors.shape}."
                )
        self.decay_factors = decay_factors
        largest = 1.0 if decay_factors is None else float(np.max(decay_factors, initial=0.0))
        if self.learning_rate_init * self.weight_decay * largest >= 1.0:
            raise ValueError(
                f"weight_decay={weight_decay} is too large for learning_rate_init="
                f"{self.learning_rate_init}: a step would multiply weights by "
                f"1 - {self.learning_rate_init * self.weight_decay * largest:.3g}, flipping "
                "their sign. Use a weight_decay below 1 / learning_rate_init"
                + ("" if decay_factors is None else f" / {largest:g}")
                + "."
            )
        self.steps = 0
        self.total_steps = 0
        return self

    @property
    def scheduled(self) -> bool:
        """Whether the learning rate follows a schedule (or a warm-up)."""
        return self.schedule is not None or self.warmup_fraction > 0.0

    def start(self, total_steps: int) -> None:
        """A call's training begins; a schedule spans ``total_steps`` steps in all.

        The steps already taken (by earlier ``partial_fit`` calls) count: the
        schedule goes on from where it was.
        """
        self.total_steps = int(total_steps)
        if self.scheduled:
            self._set_rate()

    def _set_rate(self) -> None:
        self.learning_rate = self.learning_rate_init * schedule_factor(
            self.schedule, self.warmup_fraction, self.steps, self.total_steps
        )

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Update ``params`` in place from ``grads`` (the gradient times
        :attr:`grad_scale`), allocating nothing.

        The gradient is clipped first, then the coefficients decay, then the
        optimizer's own update runs; the schedule then sets the next step's
        learning rate.
        """
        if self.max_grad_norm is not None:
            self._clip(grads)
        if self.weight_decay:
            self._decay(params)
        self._update(params, grads)
        self.steps += 1
        if self.scheduled:
            self._set_rate()

    def _decay(self, params: np.ndarray) -> None:
        """Decoupled weight decay, before the step (see :meth:`configure`)."""
        decay = self.learning_rate * self.weight_decay
        if self.weight_decay_schedule is not None:
            decay *= schedule_factor(self.weight_decay_schedule, 0.0, self.steps, self.total_steps)
        if self.decay_factors is None:
            W = params[: self.n_decayed]
            W *= 1.0 - decay
            return
        buf = getattr(self, "_decay_buf", None)
        if buf is None or buf.shape != params.shape or buf.dtype != params.dtype:
            buf = self._decay_buf = np.empty_like(params)
        np.multiply(self.decay_factors, -decay, out=buf)
        buf += 1.0
        params *= buf

    def _clip(self, grads: np.ndarray) -> None:
        """Scale ``grads`` (``grad_scale`` times the gradient) to a norm of ``max_grad_norm``."""
        scale = self.grad_scale
        if scale <= 0.0:
            return
        with np.errstate(over="ignore"):
            norm = math.sqrt(float(np.dot(grads, grads)))
        if norm == math.inf:  # the squares overflowed (float32): again, in float64
            norm = float(np.linalg.norm(grads.astype(np.float64)))
        norm /= scale
        if norm > self.max_grad_norm:  # also False for NaN: the guard reports those
            grads *= self.max_grad_norm / norm

    def _dtype(self):
        """The dtype of the optimizer's own vectors."""
        buf = getattr(self, "_buf", None)
        return np.float64 if buf is None else buf.dtype

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
    def _update(self, params: np.ndarray, grads: np.ndarray) -> None:
        """The optimizer's own update rule (see :meth:`step`)."""

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

    def _update(self, params: np.ndarray, grads: np.ndarray) -> None:
        # grads holds lr * g already (see grad_scale)
        if self.lr_factors is not None:
            grads *= self.lr_factors
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
    ``params -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``,
    ``lr`` being ``learning_rate`` (``learning_rate_init`` unless a schedule
    changes it).

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

    def _update(self, params: np.ndarray, grads: np.ndarray) -> None:
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
            self.learning_rate * math.sqrt(1.0 - self.beta_2**self.t) / (1.0 - self.beta_1**self.t)
        )
        np.sqrt(v, out=buf)
        buf += root_k * self.epsilon
        np.divide(m, buf, out=buf)
        buf *= lr * root_k
        if self.lr_factors is not None:
            buf *= self.lr_factors
        params -= buf


def make_optimizer(
    solver: str,
    n_params: int,
    dtype,
    params: dict,
    n_decayed: int = 0,
    lr_factors: np.ndarray | None = None,
    decay_factors: np.ndarray | None = None,
) -> Optimizer:
    """The optimizer of ``solver`` ("sgd" or "adam"), from the estimator's parameters.

    ``n_decayed`` leading parameters (the coefficients) are decayed with the
    ``weight_decay`` parameter, if the estimator has one; ``lr_factors``
    multiply the steps of each parameter, ``decay_factors`` its weight decay,
    which the ``weight_decay_schedule`` parameter schedules (see
    :meth:`Optimizer.configure`).
    """
    return _optimizer(solver, n_params, dtype, params).configure(
        schedule=params.get("lr_schedule"),
        warmup_fraction=params.get("warmup_fraction", 0.0),
        weight_decay=params.get("weight_decay", 0.0),
        n_decayed=n_decayed,
        max_grad_norm=params.get("max_grad_norm"),
        lr_factors=lr_factors,
        weight_decay_schedule=params.get("weight_decay_schedule"),
        decay_factors=decay_factors,
    )


def _optimizer(solver: str, n_params: int, dtype, params: dict) -> Optimizer:
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
