"""SoftmaxClassifier: multinomial logistic regression trained by numpy SGD."""

from __future__ import annotations

import numpy as np

from . import _export
from ._base import BaseNumpyNetClassifier
from ._docs import OBJECTIVE_NOTES, SHARED_ATTRIBUTES, shared_parameters


class SoftmaxClassifier(BaseNumpyNetClassifier):
    __doc__ = f"""Softmax (multinomial logistic) regression trained by mini-batch SGD.

    A network with no hidden layer: the logits are ``X @ W + b`` and the loss
    is the cross-entropy of their softmax (a logistic output for binary and
    multilabel targets). It takes the parameters of scikit-learn's
    ``MLPClassifier`` so the two are interchangeable, and exposes ``coef_``
    and ``intercept_`` in the shapes of ``LogisticRegression``.
    ``LogisticRegression(C=C)`` minimizes the same objective as
    ``SoftmaxClassifier(alpha=1 / C)``.

    Parameters
    ----------
{shared_parameters("sgd", 0.01, alpha=1.0)}

    Attributes
    ----------
    coef_ : ndarray of shape (n_classes, n_features) or (1, n_features)
        Coefficients in ``LogisticRegression``'s layout (``coefs_[0].T``).
    intercept_ : ndarray of shape (n_classes,) or (1,)
        Intercepts in ``LogisticRegression``'s layout.
{SHARED_ATTRIBUTES}

    See Also
    --------
    MLPClassifierNP : The same with hidden layers.
    sklearn.linear_model.LogisticRegression : The same model, fitted exactly.

    Notes
    -----
{OBJECTIVE_NOTES}

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sknumpynet import SoftmaxClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(solver="lbfgs", alpha=1.0, random_state=0).fit(X, y)
    >>> clf.coef_.shape
    (3, 4)
    >>> print(f"{{clf.score(X, y):.2f}}")
    0.97
    """

    _to_sklearn = staticmethod(_export.logistic_regression)

    # A convex problem: start from zeros and stop as LogisticRegression does,
    # so that solver="lbfgs" reaches LogisticRegression's coefficients.
    _init_method = "zeros"
    _lbfgs_options = {"ftol": 64 * np.finfo(float).eps, "maxls": 50}

    def __init__(
        self,
        *,
        solver="sgd",
        alpha=1.0,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.01,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        weight_decay=0.0,
        lr_schedule=None,
        warmup_fraction=0.0,
        max_grad_norm=None,
        class_weight=None,
        label_smoothing=0.0,
    ):
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.warmup_fraction = warmup_fraction
        self.max_grad_norm = max_grad_norm
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing

    def _architecture(self):
        return [], "identity"

    @property
    def coef_(self) -> np.ndarray:
        """Coefficients, shape (n_classes, n_features) or (1, n_features) if binary."""
        return self.coefs_[0].T

    @property
    def intercept_(self) -> np.ndarray:
        """Intercepts, shape (n_classes,) or (1,) if binary."""
        return self.intercepts_[0]
