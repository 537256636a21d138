"""Numerical check of the analytic gradient of an estimator's training loss.

Backpropagation is easy to get subtly wrong; the cure the course notes teach
is to compare the analytic gradient with finite differences of the loss on a
few randomly chosen weights (``grad_check_sparse``).  :func:`check_gradients`
does that with the very engine that trains the estimators, on the very
objective ``fit`` minimizes (targets, sample and class weights, ``alpha``),
and returns a :class:`GradientCheckReport` that prints as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from ._activations import KINKS
from ._base import BaseNumpyNet
from ._network import logits

__all__ = ["ArrayGradientCheck", "GradientCheckReport", "check_gradients", "relative_error"]

# Coefficients of the five-point centered difference
# f'(x) ~ (f(x - 2h) - 8 f(x - h) + 8 f(x + h) - f(x + 2h)) / (12 h).
_STEPS = (-2, -1, 1, 2)
_WEIGHTS = (1.0, -8.0, 8.0, -1.0)


def _floor(loss: float, h: float, threshold: float) -> float:
    """Smallest denominator of the relative error.

    A difference quotient carries a rounding error of about
    ``eps * |loss| / h``; gradients smaller than ten times that divided by
    ``threshold`` cannot be resolved to ``threshold`` and are compared in
    absolute terms instead. Never below the course's ``1e-8``.
    """
    noise = np.finfo(np.float64).eps * max(abs(loss), 1.0) / h
    return max(1e-8, 10.0 * noise / threshold)


def relative_error(analytic, numerical, floor: float = 1e-8) -> np.ndarray:
    """``|a - n| / max(|a| + |n|, floor)``, elementwise (the course's ``rel_error``)."""
    analytic = np.asarray(analytic, dtype=np.float64)
    numerical = np.asarray(numerical, dtype=np.float64)
    scale = np.maximum(np.abs(analytic) + np.abs(numerical), floor)
    return np.abs(analytic - numerical) / scale


@dataclass(frozen=True)
class ArrayGradientCheck:
    """The checked entries of one parameter array.

    Attributes
    ----------
    name : str
        The array, as the fitted attribute names it: ``"coefs_[0]"``,
        ``"intercepts_[1]"``, ...
    shape : tuple of int
        Shape of the whole array.
    indices : list of tuple of int
        The checked entries.
    analytic : ndarray of shape (n_checked,)
        Backpropagated gradient at those entries.
    numerical : ndarray of shape (n_checked,)
        Finite-difference gradient at those entries.
    relative_errors : ndarray of shape (n_checked,)
        ``|a - n| / max(|a| + |n|, floor)`` per entry (see
        :class:`GradientCheckReport`).
    """

    name: str
    shape: tuple
    indices: list
    analytic: np.ndarray
    numerical: np.ndarray
    relative_errors: np.ndarray

    @property
    def max_relative_error(self) -> float:
        """The largest relative error of the array (0 when nothing was checked)."""
        return float(self.relative_errors.max()) if self.relative_errors.size else 0.0

    @property
    def worst(self) -> int | None:
        """Position (in ``indices``) of the entry with the largest error."""
        return int(np.argmax(self.relative_errors)) if self.relative_errors.size else None


@dataclass(frozen=True)
class GradientCheckReport:
    """Result of :func:`check_gradients`; prints as a table.

    Attributes
    ----------
    estimator_name : str
        What was checked, e.g. ``"MLPClassifierNP(activation='tanh')"``.
    arrays : list of ArrayGradientCheck
        One entry per parameter array, in the order of ``coefs_``, then
        ``intercepts_``, then the weights of parametric activations
        (``activation_weights_``) and of an input block (``input_weights_``)
        where the network has them.
    loss : float
        The training loss at the checked weights.
    h : float
        Finite-difference step.
    threshold : float
        An array passes when its largest relative error is below this.
    floor : float
        Smallest denominator of the relative errors,
        ``max(1e-8, 10 * eps * max(|loss|, 1) / (h * threshold))``: ten times
        the rounding error of a difference quotient, over ``threshold``.
        Gradients smaller than that are below what finite differences resolve
        and are in effect compared in absolute terms, to ``threshold * floor``.
    n_kinks_avoided : int
        Entries drawn but not checked because a step of the finite difference
        switched some ReLU unit on or off (a kink, where the loss is not
        differentiable); another entry was drawn instead.
    """

    estimator_name: str
    arrays: list
    loss: float
    h: float
    threshold: float
    floor: float = 1e-8
    n_kinks_avoided: int = 0
    notes: list = field(default_factory=list)

    @property
    def relative_errors(self) -> dict:
        """The largest relative error of each array, by array name."""
        return {a.name: a.max_relative_error for a in self.arrays}

    @property
    def max_relative_error(self) -> float:
        """The largest relative error over all arrays."""
        return max((a.max_relative_error for a in self.arrays), default=0.0)

    @property
    def passed(self) -> bool:
        """Whether every checked entry agrees to better than ``threshold``."""
        return self.max_relative_error < self.threshold

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        n_checked = sum(len(a.indices) for a in self.arrays)
        lines = [
            f"Gradient check of {self.estimator_name}",
            f"loss {self.loss:.6g}; {n_checked} entries checked with centered differences "
            f"(5-point, h={self.h:g});",
            f"relative error = |a - n| / max(|a| + |n|, {self.floor:.1e}) between the "
            "analytic gradient a and the numerical n",
        ]
        header = ("array", "shape", "checked", "max rel. error", "verdict", "worst entry")
        rows = []
        for a in self.arrays:
            verdict = "ok" if a.max_relative_error < self.threshold else "FAILED"
            if a.worst is None:
                worst = "-"
            else:
                k = a.worst
                index = ", ".join(str(i) for i in a.indices[k])
                worst = f"[{index}] analytic {a.analytic[k]:+.6e} numerical {a.numerical[k]:+.6e}"
            rows.append(
                (
                    a.name,
                    str(a.shape),
                    str(len(a.indices)),
                    f"{a.max_relative_error:.1e}",
                    verdict,
                    worst,
                )
            )
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if self.n_kinks_avoided:
            n = self.n_kinks_avoided
            lines.append(
                f"{n} {'entry was' if n == 1 else 'entries were'} redrawn: a "
                "finite-difference step crossed a ReLU kink there."
            )
        lines.extend(self.notes)
        if self.passed:
            lines.append(f"PASSED: every relative error is below {self.threshold:g}.")
        else:
            lines.append(
                f"FAILED: relative error {self.max_relative_error:.1e} >= {self.threshold:g}. "
                "The backpropagated gradient disagrees with the loss."
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def _relu_pattern(net, X) -> list:
    """Which ReLU units are on, per hidden layer, for the network's current weights."""
    if net.front is not None:  # an ensemble's block repeats each row per member
        X = net.front.forward(X, net.front_weights)
    n = X.shape[0]
    acts = [np.empty((n, u), dtype=net.dtype) for u in net.layer_units[1:]]
    # the kinks are where the pre-activations cross 0 (a parametric
    # activation's output crosses it elsewhere)
    pre = [np.empty_like(a) for a in acts[:-1]] if net.parametric else None
    logits(
        X, net.coefs, net.intercepts, net.activation, acts, pre=pre, act_weights=net.act_weights
    )
    return [a > 0 for a in (acts[:-1] if pre is None else pre)]


def _unwrap(estimator, X, y):
    """The final network estimator and ``X`` as it sees it, for pipelines too."""
    fitted = hasattr(estimator, "coefs_")
    if isinstance(estimator, Pipeline):
        final = estimator[-1]
        fitted = hasattr(final, "coefs_")
        head = estimator[:-1]
        X = head.transform(X) if fitted else clone(head).fit_transform(X, y)
        return _unwrap(final, X, y)
    if not isinstance(estimator, BaseNumpyNet):
        raise TypeError(
            "check_gradients checks sknumpynet's own estimators (SoftmaxClassifier, "
            f"MLPClassifierNP) or a Pipeline ending in one; got {type(estimator).__name__}."
        )
    members = getattr(estimator, "estimators_", None)
    if members is not None:
        raise ValueError(
            f"check_gradients checks one network, and this {type(estimator).__name__} is "
            f"{len(members)} networks (n_cv): check one of them, e.g. "
            "check_gradients(model.estimators_[0], X, y)."
        )
    return estimator, X, fitted


@validate_params(
    {
        "estimator": [BaseNumpyNet, Pipeline],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "sample_weight": ["array-like", None],
        "n_checks": [Interval(Integral, 1, None, closed="left")],
        "h": [Interval(Real, 0, None, closed="neither")],
        "threshold": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def check_gradients(
    estimator,
    X,
    y,
    *,
    sample_weight=None,
    n_checks: int = 10,
    h: float = 1e-3,
    threshold: float = 1e-6,
    random_state=0,
) -> GradientCheckReport:
    """Compare backpropagated gradients with finite differences of the loss.

    The loss is the objective that ``fit`` minimizes on ``(X, y)``: the
    weighted cross-entropy plus ``0.5 * alpha * ||W||^2 / n_samples``, with
    the same target matrix (softmax output for multiclass, logistic for
    binary and multilabel), the same combination of ``sample_weight`` and
    ``class_weight`` and the same rescaling. Its gradient is computed once by
    the estimator's own backward pass; then, for ``n_checks`` randomly chosen
    entries of every weight array (the weight matrices and intercept vectors,
    and the weights of an input block or of parametric activations where the
    network has them), the derivative is
    estimated by the five-point centered difference
    ``(L(w - 2h) - 8 L(w - h) + 8 L(w + h) - L(w + 2h)) / (12 h)`` and the two
    are compared by their relative error ``|a - n| / max(|a| + |n|, floor)``.
    ``floor`` is the course's ``1e-8``, raised where the rounding error of the
    differences (about ``eps * |loss| / h``) would otherwise dominate the
    comparison of tiny gradients; see :class:`GradientCheckReport`.
    Everything is computed in float64, whatever the estimator's dtype.

    With ReLU hidden units the loss has kinks (with leaky ReLU too, and with
    ELU in the second derivative). An entry whose finite-difference steps
    switch any unit on or off is redrawn (``n_kinks_avoided`` counts them),
    so that every reported error is measured where the loss is smooth.

    Parameters
    ----------
    estimator : SoftmaxClassifier, MLPClassifierNP or Pipeline ending in one
        A fitted estimator is checked at its fitted weights (``y`` must use
        its classes); a fresh one at the weights ``fit`` would start from,
        drawn from its ``random_state`` (the estimator itself is not changed).
        In a pipeline, the steps before the last transform ``X`` (a fresh
        pipeline's steps are fitted on a copy).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Data. Keep it small (a few hundred rows): every checked entry costs
        four evaluations of the loss.
    y : array-like of shape (n_samples,) or (n_samples, n_labels)
        Class labels, or a binary indicator matrix for multilabel targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights, as passed to ``fit``.
    n_checks : int, default=10
        Entries checked per parameter array (all of them if the array is
        smaller).
    h : float, default=1e-3
        Finite-difference step. Much smaller steps drown the difference in
        rounding error, much larger ones in truncation error (and cross more
        ReLU kinks). The five-point formula's truncation error is of order
        ``h ** 4``, which is what allows a step this large.
    threshold : float, default=1e-6
        The check passes when every relative error is below it. In float64 a
        correct gradient typically gives 1e-8 to 1e-11; the course notes'
        rule of thumb is that 1e-2 or more means a bug.
    random_state : int, RandomState instance or None, default=0
        Chooses the checked entries (not the initial weights of a fresh
        estimator, which come from its own ``random_state``).

    Returns
    -------
    report : GradientCheckReport
        Prints as a table: per parameter array, the largest relative error, a
        verdict and the worst entry. ``report.passed`` and
        ``report.relative_errors`` give the same in code.

    See Also
    --------
    sknumpynet.MLPClassifierNP : The estimator whose gradient is checked.

    Examples
    --------
    >>> from sknumpynet import MLPClassifierNP, check_gradients, make_spiral
    >>> X, y = make_spiral(n_samples=100, random_state=0)
    >>> clf = MLPClassifierNP(hidden_layer_sizes=(10,), activation="tanh", random_state=0)
    >>> report = check_gradients(clf, X, y, sample_weight=y + 1.0)
    >>> report.passed
    True
    >>> sorted(report.relative_errors)
    ['coefs_[0]', 'coefs_[1]', 'intercepts_[0]', 'intercepts_[1]']
    """
    rng = check_random_state(random_state)
    model, X, fitted = _unwrap(estimator, X, y)
    # The objective that fit builds (on all rows: no early-stopping split), in
    # float64; building it changes nothing on the estimator.
    problem, _, _ = model._build_problem(
        X,
        y,
        sample_weight,
        None,
        incremental=False,
        first=not fitted,
        random_state=check_random_state(model.random_state),
        dtype=np.float64,
        split=False,
    )
    net, X, Y, weights, alpha = (
        problem.net,
        problem.X,
        problem.Y,
        problem.sample_weight,
        problem.alpha,
    )

    with np.errstate(over="ignore", under="ignore"):
        loss = float(net.loss_grad(X, Y, weights, alpha))
        analytic = net.grads.copy()

        def loss_at(offset: int, step: float) -> float:
            saved = net.params[offset]
            net.params[offset] = saved + step
            try:
                return float(net.loss_grad(X, Y, weights, alpha))
            finally:
                net.params[offset] = saved

        floor = _floor(loss, h, threshold)
        kinks = net.activation in KINKS and net.n_layers > 2
        base_pattern = _relu_pattern(net, X) if kinks else None

        def crosses_kink(offset: int) -> bool:
            saved = net.params[offset]
            try:
                for k in (_STEPS[0], _STEPS[-1]):
                    net.params[offset] = saved + k * h
                    pattern = _relu_pattern(net, X)
                    if any((p != q).any() for p, q in zip(pattern, base_pattern)):
                        return True
                return False
            finally:
                net.params[offset] = saved

        arrays = []
        n_kinks = 0
        for name, view, offset in ((p.name, p.view, p.offset) for p in net.param_arrays):
            size = view.size
            candidates = rng.permutation(size)
            chosen = []
            for flat in candidates:
                if len(chosen) == min(n_checks, size):
                    break
                if kinks and crosses_kink(offset + int(flat)):
                    n_kinks += 1
                    continue
                chosen.append(int(flat))
            num = np.array(
                [
                    sum(c * loss_at(offset + j, k * h) for k, c in zip(_STEPS, _WEIGHTS))
                    / (12 * h)
                    for j in chosen
                ],
                dtype=np.float64,
            )
            ana = analytic[offset + np.array(chosen, dtype=np.intp)]
            arrays.append(
                ArrayGradientCheck(
                    name=name,
                    shape=tuple(view.shape),
                    indices=[
                        tuple(int(i) for i in np.unravel_index(j, view.shape)) for j in chosen
                    ],
                    analytic=ana,
                    numerical=num,
                    relative_errors=relative_error(ana, num, floor),
                )
            )

    notes = []
    if kinks and any(len(a.indices) < min(n_checks, np.prod(a.shape)) for a in arrays):
        notes.append(
            "Some arrays have fewer checked entries than asked: at all their other "
            "entries a step crossed a ReLU kink. A smaller h crosses fewer."
        )
    state = "fitted" if fitted else "initial"
    return GradientCheckReport(
        estimator_name=f"{estimator!r} at its {state} weights",
        arrays=arrays,
        loss=loss,
        h=float(h),
        threshold=float(threshold),
        floor=floor,
        n_kinks_avoided=n_kinks,
        notes=notes,
    )
