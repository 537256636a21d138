"""Training: the problem, the mini-batch loop and the L-BFGS driver.

Everything here works on arrays that an estimator has already validated:
``X`` (dense or CSR, float32 or float64), ``Y`` (the targets in the same
dtype) and optional sample weights. :func:`train` picks the solver, runs it
with the hooks of ``_hooks`` and checks the result; it never touches an
estimator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from ._distributed import active_client, distributed_objective
from ._hooks import (
    DivergenceError,
    DivergenceGuard,
    EpochTimer,
    Hook,
    PrintProgress,
    diverged,
    non_finite,
)
from ._network import Network
from ._optimizers import Optimizer
from ._state import TrainingState
from ._streaming import BlockStream, open_batches, stream_objective
from ._threads import blas_threads_for
from ._warnings import warn

__all__ = ["DivergenceError", "TrainingConfig", "TrainingProblem", "TrainingState", "train"]


@dataclass
class TrainingProblem:
    """The objective that a fit minimizes, and the data it sees.

    ``net.loss_grad(X, Y, sample_weight, alpha)`` over all rows of ``X`` is
    the full objective (what :func:`~sknumpynet.check_gradients` checks);
    stochastic solvers train on ``rows`` of it (all rows when None), in that
    order before any shuffling. ``X`` may also be a
    :class:`~sknumpynet._streaming.BlockStream`, read a block at a time: then
    the batches come through its shuffle buffer and L-BFGS sums the objective
    block by block.
    """

    net: Network
    X: np.ndarray | sp.csr_matrix | BlockStream
    Y: np.ndarray
    sample_weight: np.ndarray | None
    alpha: float
    rows: np.ndarray | None = None

    @property
    def n_train(self) -> int:
        return self.X.shape[0] if self.rows is None else self.rows.shape[0]


def run_epochs(
    problem: TrainingProblem,
    optimizer: Optimizer,
    state: TrainingState,
    hooks: list[Hook],
    *,
    batch_size: int,
    max_iter: int,
    shuffle: bool,
    random_state: np.random.RandomState,
    schedule_epochs: int | None = None,
) -> None:
    """Mini-batch epochs: take a batch, compute loss and gradient, step.

    Stops after ``max_iter`` epochs or when a hook's ``on_epoch_end`` asks
    (then ``state.converged`` is set). The batches come from the problem's
    batch source (``_streaming.open_batches``): rows of arrays in memory, or
    blocks streamed through a shuffle buffer; ``X`` itself is never copied
    whole. The optimizer's
    learning-rate schedule spans ``schedule_epochs`` epochs (``max_iter``
    when None) of this call's batches.
    """
    net = problem.net
    with open_batches(problem, batch_size, shuffle, random_state) as source:
        net.allocate(source.batch_size)
        optimizer.start(
            source.n_batches * (max_iter if schedule_epochs is None else schedule_epochs)
        )
        batch_hooks = [h for h in hooks if type(h).on_batch_end is not Hook.on_batch_end]
        alpha = problem.alpha
        for _ in range(max_iter):
            accumulated = 0.0
            for Xb, Yb, wb in source.epoch():
                # the generator draws dropout masks, if the network drops units;
                # the scale changes from step to step (schedules fold into it)
                loss = net.loss_grad(
                    Xb, Yb, wb, alpha, rng=random_state, grad_scale=optimizer.grad_scale
                )
                for hook in batch_hooks:
                    hook.on_batch_end(state, loss)
                optimizer.step(net.params, net.grads)
                accumulated += loss * Xb.shape[0]
            state.loss_curve.append(accumulated / source.n)
            optimizer.iteration_ends(state.t)
            # every hook sees every epoch, even after one has asked to stop
            if any([hook.on_epoch_end(state, net) for hook in hooks]):
                state.converged = True
                return


def run_lbfgs(
    problem: TrainingProblem,
    state: TrainingState,
    hooks: list[Hook],
    *,
    max_iter: int,
    max_fun: int,
    tol: float,
    ftol: float | None = None,
    maxls: int | None = None,
    scaling_advice: bool = True,
) -> None:
    """Minimize the full-batch objective with scipy's L-BFGS-B and the analytic gradient.

    Each iteration appends its loss to ``state.loss_curve`` and is an epoch
    for the hooks, which see the network with the iteration's weights; when
    one of them asks to stop, the minimization stops there (scipy's callback
    raises ``StopIteration``) and ``state.converged`` is set. The network
    ends with the weights of the last completed iteration, also when a
    Ctrl-C arrives in the middle of a line search: they are the weights whose
    loss ``state.loss_curve`` ends with. ``ftol`` and ``maxls`` default to
    scipy's.
    """
    net, X, Y, sample_weight, alpha = (
        problem.net,
        problem.X,
        problem.Y,
        problem.sample_weight,
        problem.alpha,
    )
    if isinstance(X, BlockStream):
        # with a Dask client, the blocks are evaluated where they live
        client = X.is_dask and active_client()
        objective = distributed_objective(client, problem) if client else stream_objective(problem)
    else:
        net.allocate(X.shape[0])

        def objective(theta):
            net.params[...] = theta
            loss = net.loss_grad(X, Y, sample_weight, alpha)
            return loss, net.grads.astype(np.float64)

    dtype = net.params.dtype
    # The last two iterates, by the parity of their iteration: after an
    # interrupt, the one whose epoch is complete is still whole.
    iterates = np.empty((2, net.params.shape[0]))
    stopped = False

    def callback(intermediate_result):
        nonlocal stopped
        iterates[(state.n_iter + 1) % 2] = intermediate_result.x
        net.params[...] = intermediate_result.x
        state.loss_curve.append(float(intermediate_result.fun))
        # every hook sees every iteration, even after one has asked to stop
        if any([hook.on_epoch_end(state, net) for hook in hooks]):
            stopped = True
            raise StopIteration

    options = {"maxfun": max_fun, "maxiter": max_iter, "gtol": tol}
    if ftol is not None:
        options["ftol"] = ftol
    if maxls is not None:
        options["maxls"] = maxls
    try:
        result = scipy.optimize.minimize(
            objective,
            net.params.astype(np.float64),
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options=options,
        )
    except KeyboardInterrupt:
        state.drop_incomplete_epoch()
        if state.n_iter > 0:
            net.params[...] = iterates[state.n_iter % 2]
        raise
    if stopped:
        x, loss = iterates[state.n_iter % 2], state.loss_curve[-1]
    else:
        x, loss = result.x, float(result.fun)
    if not np.isfinite(loss) or not np.isfinite(x).all():
        raise DivergenceError(
            f"{non_finite(scaling_advice)} The training loss became infinite or NaN during "
            "L-BFGS: "
            "the fit diverged. Try "
            + (
                "scaling the input features (e.g. with StandardScaler) or "
                if scaling_advice
                else ""
            )
            + "a larger alpha."
        )
    net.params[...] = x.astype(dtype, copy=False)
    if state.n_iter == 0:  # converged at the starting point: no callback ran
        state.loss_curve.append(loss)
    state.converged = stopped or result.status == 0
    if not state.converged:
        warn(
            f"lbfgs failed to converge after {result.nit} iteration(s) "
            f"(status={result.status}): {result.message}. Increase max_iter "
            "or max_fun, or scale the data.",
            ConvergenceWarning,
        )


@dataclass(frozen=True)
class TrainingConfig:
    """How to train: the solver and its settings, as the estimator's parameters give them."""

    solver: str = "adam"
    batch_size: int | str = "auto"
    max_iter: int = 200
    shuffle: bool = True
    tol: float = 1e-4
    max_fun: int = 15000
    verbose: bool = False
    lbfgs_options: dict = field(default_factory=dict)
    # whether a divergence's message advises scaling the features (see diverged)
    scaling_advice: bool = True
    # whether a finite explosion of the loss goes on (see DivergenceGuard)
    finite_spikes: bool = False


def train(
    problem: TrainingProblem,
    state: TrainingState,
    config: TrainingConfig,
    *,
    optimizer: Optimizer | None = None,
    hooks: list[Hook] = (),
    random_state: np.random.RandomState | None = None,
    incremental: bool = False,
) -> None:
    """Train ``problem.net`` in place, recording progress in ``state``.

    ``config.solver`` is ``"lbfgs"`` or a stochastic solver, which steps with
    ``optimizer`` and shuffles with ``random_state``; ``incremental`` runs one
    epoch, as ``partial_fit`` does. ``hooks`` (a stopping rule, callbacks)
    run after the package's own: divergence detection and, with
    ``config.verbose``, progress. A Ctrl-C keeps the weights trained so far,
    with a warning, provided at least one epoch is complete and the weights
    are finite; before that it propagates and the caller publishes nothing.
    Raises :class:`DivergenceError` instead of returning weights that are, or
    predict, infinite or NaN.
    """
    stochastic = config.solver != "lbfgs"
    advice = config.scaling_advice
    all_hooks: list[Hook] = (
        [DivergenceGuard(optimizer.learning_rate_init, advice, config.finite_spikes)]
        if stochastic
        else []
    )
    all_hooks.append(EpochTimer())
    if config.verbose:
        all_hooks.append(PrintProgress(1 if incremental else config.max_iter))
    all_hooks.extend(hooks)
    net = problem.net
    state.n_train = problem.n_train if stochastic else 0  # t_ counts stochastic samples
    state.mark_call_start()
    batch_size = config.batch_size
    if batch_size == "auto":
        batch_size = min(200, problem.n_train)
    if stochastic:
        rows = min(batch_size, problem.n_train)
    elif isinstance(problem.X, BlockStream):
        rows = int(np.diff(problem.X.bounds).max(initial=1))  # one block at a time
    else:
        rows = problem.X.shape[0]
    with (
        np.errstate(over="ignore", invalid="ignore", divide="ignore"),
        blas_threads_for(net.layer_units, rows),
    ):
        try:
            if not stochastic:
                run_lbfgs(
                    problem,
                    state,
                    all_hooks,
                    max_iter=config.max_iter,
                    max_fun=config.max_fun,
                    tol=config.tol,
                    scaling_advice=advice,
                    **config.lbfgs_options,
                )
            else:
                run_epochs(
                    problem,
                    optimizer,
                    state,
                    all_hooks,
                    batch_size=batch_size,
                    max_iter=1 if incremental else config.max_iter,
                    shuffle=config.shuffle,
                    random_state=random_state,
                    # partial_fit: max_iter calls make the schedule
                    schedule_epochs=config.max_iter,
                )
                # a schedule that ran to its end is a complete fit
                ended = optimizer.schedule is not None and optimizer.steps >= optimizer.total_steps
                if not (state.converged or incremental or ended):
                    warn(
                        f"Stochastic Optimizer: Maximum iterations ({config.max_iter}) reached "
                        "and the optimization hasn't converged yet.",
                        ConvergenceWarning,
                    )
        except KeyboardInterrupt:
            state.drop_incomplete_epoch()
            if state.n_iter == 0:
                raise
            if not np.isfinite(net.params).all():
                raise diverged("when the fit was interrupted", scaling_advice=advice) from None
            warn(
                f"Training interrupted by the user after {state.n_iter} epoch(s); "
                "the model keeps the weights trained so far.",
                UserWarning,
            )
        for hook in all_hooks:
            hook.on_train_end(state, net)
        check_finite(net, problem.X, advice)


def check_finite(net: Network, X, scaling_advice: bool = True) -> None:
    """Refuse weights that are, or predict, infinite or NaN.

    The loop checks the loss before each step; the last step can still blow
    the weights up. The logits of a few training rows (all of them overflow
    once the weights have exploded) are a cheap check.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        finite = np.isfinite(net.params).all() and np.isfinite(net.logits(X[:256])).all()
    if not finite:
        raise DivergenceError(
            f"{non_finite(scaling_advice)} The fit produced weights whose outputs are "
            "infinite or NaN: "
            "it diverged. Try a smaller learning_rate_init"
            + (" or scaling the input features." if scaling_advice else ".")
        )
