"""The training loops: mini-batch epochs for SGD and Adam, and L-BFGS.

Everything here works on arrays that the estimator has already validated:
``X`` (dense or CSR, float32 or float64), ``Y`` (the binarized targets in the
same dtype) and optional sample weights rescaled to mean one.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from ._network import Network


class DivergenceError(ValueError, ArithmeticError):
    """The training loss became infinite or NaN, or exploded a million-fold.

    It subclasses both ``ValueError`` (a bad hyper-parameter value is the usual
    cause) and ``ArithmeticError`` (the family of ``FloatingPointError``).
    """


@dataclass
class TrainingState:
    """What a fit remembers between epochs and between calls (warm start)."""

    n_iter: int = 0
    t: int = 0
    loss_curve: list = field(default_factory=list)
    best_loss: float | None = np.inf
    validation_scores: list | None = None
    best_validation_score: float | None = None
    no_improvement_count: int = 0
    best_params: np.ndarray | None = None
    first_loss: float | None = None


def _diverged(where: str, learning_rate: float) -> DivergenceError:
    return DivergenceError(
        f"The training loss exploded (became infinite, NaN or a million times its "
        f"first value) {where}: the fit diverged. "
        f"Try a smaller learning_rate_init (it was {learning_rate:g}), scaling the "
        "input features (e.g. with StandardScaler) or a larger alpha."
    )


def _batches(n: int, batch_size: int):
    return [(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def run_epochs(
    net: Network,
    optimizer,
    X,
    Y: np.ndarray,
    sample_weight: np.ndarray | None,
    *,
    state: TrainingState,
    alpha: float,
    batch_size: int,
    max_iter: int,
    shuffle: bool,
    random_state: np.random.RandomState,
    tol: float,
    n_iter_no_change: int,
    rows: np.ndarray | None = None,
    validation=None,
    incremental: bool = False,
    verbose: bool = False,
) -> None:
    """Run mini-batch epochs until convergence, ``max_iter`` or an interrupt.

    Parameters
    ----------
    validation : tuple (score, X_val, y_val, sample_weight_val) or None
        With early stopping, ``score`` is called on the network after every
        epoch and the best parameters seen are kept in ``state.best_params``.
    rows : ndarray of int or None
        Train on these rows of ``X`` only (the rest is the validation set);
        the rows are gathered per batch, ``X`` is not copied.
    incremental : bool
        One epoch only, as ``partial_fit`` does.
    """
    order = np.arange(X.shape[0]) if rows is None else np.array(rows)
    n = order.shape[0]
    batch_size = int(np.clip(batch_size, 1, n))
    net.allocate(batch_size)
    reorder = shuffle and batch_size < n
    # Rows are gathered into a preallocated buffer unless the batches are
    # plain slices of X (all rows, in order).
    indexed = reorder or rows is not None
    gather = indexed and not sp.issparse(X)
    if gather:
        X_buf = np.empty((batch_size, X.shape[1]), dtype=X.dtype)
        Y_buf = np.empty((batch_size, Y.shape[1]), dtype=Y.dtype)
        w_buf = None if sample_weight is None else np.empty(batch_size, dtype=X.dtype)
    batches = _batches(n, batch_size)
    limit = _explosion_limit(state)
    interrupted = False
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
            for _ in range(max_iter):
                if reorder:
                    random_state.shuffle(order)
                accumulated = 0.0
                for start, stop in batches:
                    if gather:
                        idx = order[start:stop]
                        m = stop - start
                        Xb = np.take(X, idx, axis=0, out=X_buf[:m])
                        Yb = np.take(Y, idx, axis=0, out=Y_buf[:m])
                        wb = None if w_buf is None else np.take(sample_weight, idx, out=w_buf[:m])
                    elif indexed:  # sparse X
                        idx = order[start:stop]
                        Xb, Yb = X[idx], Y[idx]
                        wb = None if sample_weight is None else sample_weight[idx]
                    else:
                        Xb, Yb = X[start:stop], Y[start:stop]
                        wb = None if sample_weight is None else sample_weight[start:stop]
                    loss = net.loss_grad(Xb, Yb, wb, alpha)
                    if not loss <= limit:  # also catches NaN
                        if math.isfinite(loss) and state.first_loss is None:
                            state.first_loss = loss
                            limit = _explosion_limit(state)
                        else:
                            raise _diverged(
                                f"in epoch {state.n_iter + 1}", optimizer.learning_rate_init
                            )
                    optimizer.step(net.params, net.grads)
                    accumulated += loss * (stop - start)
                if not np.isfinite(net.params).all():
                    raise _diverged(f"in epoch {state.n_iter + 1}", optimizer.learning_rate_init)
                state.n_iter += 1
                state.t += n
                epoch_loss = accumulated / n
                state.loss_curve.append(epoch_loss)
                if verbose:
                    print(f"Iteration {state.n_iter}, loss = {epoch_loss:.8f}")
                _update_no_improvement(net, state, epoch_loss, tol, validation, verbose)
                optimizer.iteration_ends(state.t)
                if state.no_improvement_count > n_iter_no_change:
                    if optimizer.trigger_stopping(verbose):
                        break
                    state.no_improvement_count = 0
                if incremental:
                    break
            else:
                if not incremental:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({max_iter}) reached "
                        "and the optimization hasn't converged yet.",
                        ConvergenceWarning,
                        stacklevel=2,
                    )
        except KeyboardInterrupt:
            interrupted = True
    if interrupted:
        if not np.isfinite(net.params).all():
            raise _diverged("when the fit was interrupted", optimizer.learning_rate_init)
        warnings.warn(
            f"Training interrupted by the user after {state.n_iter} epoch(s); "
            "the model keeps the weights trained so far.",
            UserWarning,
            stacklevel=2,
        )
    if validation is not None and state.best_params is not None:
        net.params[...] = state.best_params


# A batch loss this many times the first one (or 1, whichever is larger)
# means the weights are exploding: cross-entropy does not legitimately grow
# a million-fold, and the loss would reach inf or NaN a few steps later.
EXPLOSION_FACTOR = 1e6


def _explosion_limit(state: TrainingState) -> float:
    if state.first_loss is None:
        return -math.inf  # the first batch records its loss
    return EXPLOSION_FACTOR * max(state.first_loss, 1.0)


def _update_no_improvement(net, state, epoch_loss, tol, validation, verbose):
    if validation is not None:
        score_fn, X_val, y_val, w_val = validation
        score = score_fn(net, X_val, y_val, w_val)
        state.validation_scores.append(score)
        if verbose:
            print(f"Validation score: {score:f}")
        if score < state.best_validation_score + tol:
            state.no_improvement_count += 1
        else:
            state.no_improvement_count = 0
        if score > state.best_validation_score:
            state.best_validation_score = score
            if state.best_params is None:
                state.best_params = net.params.copy()
            else:
                state.best_params[...] = net.params
    else:
        if epoch_loss > state.best_loss - tol:
            state.no_improvement_count += 1
        else:
            state.no_improvement_count = 0
        if epoch_loss < state.best_loss:
            state.best_loss = epoch_loss


def run_lbfgs(
    net: Network,
    X,
    Y: np.ndarray,
    sample_weight: np.ndarray | None,
    *,
    state: TrainingState,
    alpha: float,
    max_iter: int,
    max_fun: int,
    tol: float,
    verbose: bool = False,
) -> None:
    """Minimize the full-batch loss with scipy's L-BFGS-B on the analytic gradient."""
    net.allocate(X.shape[0])
    dtype = net.params.dtype

    def fun(theta):
        net.params[...] = theta
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss = net.loss_grad(X, Y, sample_weight, alpha)
        return loss, net.grads.astype(np.float64)

    def callback(intermediate_result):
        state.loss_curve.append(float(intermediate_result.fun))
        if verbose:
            print(f"Iteration {len(state.loss_curve)}, loss = {intermediate_result.fun:.8f}")

    curve_start = len(state.loss_curve)
    x0 = net.params.astype(np.float64)
    try:
        result = scipy.optimize.minimize(
            fun,
            x0,
            method="L-BFGS-B",
            jac=True,
            callback=callback,
            options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
        )
    except KeyboardInterrupt:
        result = None
        state.n_iter += len(state.loss_curve) - curve_start
        warnings.warn(
            "Training interrupted by the user; the model keeps the last weights evaluated.",
            UserWarning,
            stacklevel=2,
        )
    if result is not None:
        if not np.isfinite(result.fun) or not np.isfinite(result.x).all():
            raise DivergenceError(
                "The training loss became infinite or NaN during L-BFGS: the fit "
                "diverged. Try scaling the input features (e.g. with StandardScaler) "
                "or a larger alpha."
            )
        net.params[...] = result.x.astype(dtype, copy=False)
        state.n_iter += int(result.nit)
        if not state.loss_curve:
            state.loss_curve.append(float(result.fun))
        if result.status != 0:
            warnings.warn(
                f"lbfgs failed to converge after {result.nit} iteration(s) "
                f"(status={result.status}): {result.message}. Increase max_iter "
                "or max_fun, or scale the data.",
                ConvergenceWarning,
                stacklevel=2,
            )
    state.best_loss = min(state.loss_curve) if state.loss_curve else np.inf
