"""What happens around the batches: stopping rules, divergence, early stopping, progress.

The training loop in ``_training`` only gathers batches and steps; everything
else is a :class:`Hook` that the loop calls at fixed points.  New behaviour
(a validation-loss curve, callbacks, progress bars, schedules) is a new hook,
not a new branch in the loop.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._warnings import warn

if TYPE_CHECKING:
    from ._network import Network
    from ._optimizers import Optimizer
    from ._state import TrainingState


class DivergenceError(ValueError, ArithmeticError):
    """The training loss became infinite or NaN, or exploded.

    It subclasses both ``ValueError`` (a bad hyper-parameter value is the usual
    cause) and ``ArithmeticError`` (the family of ``FloatingPointError``).
    """


class Hook:
    """Called by the training loop; every method is optional.

    ``on_batch_end`` runs after a batch's loss and gradient are computed and
    before the optimizer's step, so that a bad batch can stop training before
    it reaches the weights; it is called for stochastic solvers only, and only
    on hooks that define it. ``on_epoch_end`` runs after every epoch (every
    L-BFGS iteration) and returns True to ask the loop to stop. ``on_train_end``
    runs once when the loop ends normally or is interrupted.
    """

    def on_batch_end(self, state: TrainingState, loss: float) -> None:
        """A batch's loss is known and its gradient is in ``net.grads``."""

    def on_epoch_end(self, state: TrainingState, net: Network) -> bool:
        """An epoch ended (its loss is ``state.loss_curve[-1]``); True stops training."""
        return False

    def on_train_end(self, state: TrainingState, net: Network) -> None:
        """Training ended, converged or not."""


# scikit-learn's MLP raises this sentence for non-finite weights; keeping it
# lets code written against scikit-learn recognize the same failure.
NON_FINITE = (
    "Solver produced non-finite parameter weights. The input data may contain large "
    "values and need to be preprocessed."
)


def non_finite(scaling_advice: bool = True) -> str:
    """scikit-learn's sentence, or its first half where the estimator scales its
    own inputs (see :func:`diverged`)."""
    return NON_FINITE if scaling_advice else NON_FINITE.partition(". ")[0] + "."


def diverged(
    where: str,
    learning_rate: float | None = None,
    finite: bool = False,
    scaling_advice: bool = True,
) -> DivergenceError:
    """The error raised when a fit diverges, with what to change.

    ``finite`` says the loss exploded without reaching infinity or NaN;
    ``scaling_advice=False`` leaves out the advice to scale the features and
    raise ``alpha``, for estimators that scale their own inputs.
    """
    rate = "" if learning_rate is None else f" (it was {learning_rate:g})"
    what = (
        f"The training loss exploded to more than {EXPLOSION_FACTOR:g} times the loss "
        f"at initialization {where}: the fit diverged."
        if finite
        else f"{non_finite(scaling_advice)} The training loss became infinite or NaN {where}: "
        "the fit diverged."
    )
    if not scaling_advice:
        return DivergenceError(f"{what} Try a smaller learning_rate_init{rate}.")
    return DivergenceError(
        f"{what} Try a smaller learning_rate_init{rate}, scaling the input features "
        "(e.g. with StandardScaler) or a larger alpha."
    )


# A batch loss this many times the loss of the untrained network (or 1,
# whichever is larger) means the weights are exploding: cross-entropy does not
# legitimately grow a thousand-fold during training, and the loss would reach
# inf or NaN a few steps later, or the units would die into a constant model.
EXPLOSION_FACTOR = 1e3


class DivergenceGuard(Hook):
    """Stop with :class:`DivergenceError` when the loss explodes or the weights turn NaN.

    The reference is the loss of the first batch of the call, computed before
    any step: the loss of the network as training found it. With
    ``finite_spikes=True`` only an infinite or NaN loss stops the fit: where
    early stopping restores the epoch of the best held-out score, a loss that
    explodes and comes back costs nothing but those epochs.
    """

    def __init__(
        self, learning_rate: float, scaling_advice: bool = True, finite_spikes: bool = False
    ):
        self.learning_rate = learning_rate
        self.scaling_advice = scaling_advice
        self.finite_spikes = finite_spikes
        self.limit = -math.inf  # the first batch sets it

    def on_batch_end(self, state, loss):
        if not loss <= self.limit:  # also catches NaN
            if self.limit == -math.inf and math.isfinite(loss):
                self.limit = EXPLOSION_FACTOR * max(loss, 1.0)
            elif not (self.finite_spikes and math.isfinite(loss)):
                raise diverged(
                    f"in epoch {state.n_iter + 1}",
                    self.learning_rate,
                    math.isfinite(loss),
                    self.scaling_advice,
                )

    def on_epoch_end(self, state, net):
        if not np.isfinite(net.params).all():
            raise diverged(
                f"in epoch {state.n_iter}", self.learning_rate, scaling_advice=self.scaling_advice
            )
        return False


class EpochTimer(Hook):
    """Record the seconds each epoch took (hooks of the previous epoch's end included)."""

    def __init__(self):
        self.last = time.perf_counter()

    def on_epoch_end(self, state, net):
        now = time.perf_counter()
        state.epoch_times.append(now - self.last)
        self.last = now
        return False


class PrintProgress(Hook):
    """``verbose=True``: the loss of every epoch, as scikit-learn's MLP prints it,
    with the epoch's time and an estimate of the time ``max_iter`` epochs leave."""

    def __init__(self, max_iter: int):
        self.max_iter = max_iter

    def on_epoch_end(self, state, net):
        times = state.epoch_times[-state.n_iter :]
        left = (self.max_iter - state.n_iter) * float(np.median(times))
        print(
            f"Iteration {state.n_iter}, loss = {state.loss_curve[-1]:.8f} "
            f"({times[-1]:.3f} s; at most {left:.1f} s left)"
        )
        return False


class _NoImprovementStopping(Hook):
    """Count epochs without improvement of ``tol``; past ``n_iter_no_change``,
    ask the optimizer whether to stop (it may lower its step instead)."""

    what = ""

    def __init__(self, optimizer: Optimizer, tol: float, n_iter_no_change: float, verbose: bool):
        self.optimizer = optimizer
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.verbose = verbose

    def _improved(self, state, net) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def on_epoch_end(self, state, net):
        if self._improved(state, net):
            state.no_improvement_count = 0
        else:
            state.no_improvement_count += 1
        if state.no_improvement_count > self.n_iter_no_change:
            message = (
                f"{self.what} did not improve more than tol={self.tol:f} for "
                f"{self.n_iter_no_change} consecutive epochs."
            )
            if self.optimizer.trigger_stopping(message, self.verbose):
                return True
            state.no_improvement_count = 0
        return False


class TrainingLossStopping(_NoImprovementStopping):
    """Stop when the training loss has not improved by ``tol`` for a while."""

    what = "Training loss"

    def _improved(self, state, net):
        loss = state.loss_curve[-1]
        improved = not loss > state.best_loss - self.tol
        state.best_loss = min(state.best_loss, loss)
        return improved


class EarlyStopping(_NoImprovementStopping):
    """Score a held-out set after every epoch; keep and finally restore the best weights.

    ``validate(net)`` returns the score and the loss (without the penalty) of
    the held-out set; both are recorded. The weights kept are those of the
    first epoch with the best score, or with ``ties_to_later`` of the last
    one (RealMLP's rule: accuracy ties often, and a later epoch has trained
    further at the same score).
    """

    what = "Validation score"

    def __init__(
        self,
        validate: Callable[[Network], tuple[float, float]],
        ties_to_later: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.validate = validate
        self.ties_to_later = ties_to_later

    def _improved(self, state, net):
        score, loss = self.validate(net)
        state.validation_loss_curve.append(loss)
        state.validation_scores.append(score)
        if self.verbose:
            print(f"Validation score: {score:f}")
        improved = not score < state.best_validation_score + self.tol
        best = state.best_validation_score
        if score > best or (self.ties_to_later and score == best):
            state.best_validation_score = score
            if state.best_params is None:
                state.best_params = net.params.copy()
            else:
                state.best_params[...] = net.params
        return improved

    def on_train_end(self, state, net):
        if state.best_params is not None:
            net.params[...] = state.best_params


class ChanceLevelWarning(ConvergenceWarning):
    """The fitted model does no better than a constant answer."""


class ChanceLevelCheck(Hook):
    """After training, warn when the model is no better than a constant answer.

    ``check(net)`` returns a message describing the failure and what to try,
    or None.
    """

    def __init__(self, check: Callable[[Network], str | None]):
        self.check = check

    def on_train_end(self, state, net):
        message = self.check(net)
        if message is not None:
            warn(message, ChanceLevelWarning)
