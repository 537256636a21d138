"""Fitted models as scikit-learn's own estimators, built through public API.

Dropout needs no special case: it is inverted dropout, so the weights a model
predicts with are its weights as they are.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils.validation import check_is_fitted

# The hidden activations scikit-learn's MLP knows.
SKLEARN_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
# Fitted attributes that carry over as they are.
_HISTORY = (
    "n_iter_",
    "t_",
    "loss_",
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "best_validation_score_",
    "feature_names_in_",
)


def _check_representable(estimator) -> None:
    check_is_fitted(estimator)
    if estimator._activation not in SKLEARN_ACTIVATIONS:
        raise ValueError(
            f"scikit-learn's MLP has no {estimator._activation!r} activation; only "
            f"{', '.join(SKLEARN_ACTIVATIONS)} can be converted."
        )


def _mlp_params(estimator, sklearn_class) -> dict:
    names = sklearn_class().get_params()
    params = {k: v for k, v in estimator.get_params().items() if k in names}
    params["activation"] = estimator._activation
    return params


def _copy_weights(source, target) -> None:
    """Give ``target`` the fitted weights and history of ``source`` (public attributes)."""
    target.coefs_ = [W.copy() for W in source.coefs_]
    target.intercepts_ = [b.copy() for b in source.intercepts_]
    target.n_layers_ = source.n_layers_
    for name in _HISTORY:
        if hasattr(source, name):
            value = getattr(source, name)
            setattr(target, name, list(value) if isinstance(value, list) else value)
    # partial_fit on the placeholder rows started an optimizer; drop it so
    # that further training of the copy starts afresh, as after fit.
    target.__dict__.pop("_optimizer", None)


def _placeholder_fit(sklearn_estimator, n_features: int, y, **fit_params):
    """One ``partial_fit`` on zero rows, to set the targets' bookkeeping publicly."""
    fitter = clone(sklearn_estimator).set_params(solver="sgd", early_stopping=False)
    X = np.zeros((len(y), n_features))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitter.partial_fit(X, y, **fit_params)
    fitter.set_params(
        solver=sklearn_estimator.solver, early_stopping=sklearn_estimator.early_stopping
    )
    return fitter


def mlp_classifier(estimator) -> MLPClassifier:
    """An ``MLPClassifier`` that predicts as ``estimator`` (an MLPClassifierNP)."""
    _check_representable(estimator)
    template = MLPClassifier(**_mlp_params(estimator, MLPClassifier))
    classes = estimator.classes_
    if estimator.out_activation_ == "logistic" and estimator.n_outputs_ > 1:  # multilabel
        y = np.eye(estimator.n_outputs_, dtype=int)
        y = np.vstack([y, 1 - y])  # every label seen on and off
        result = _placeholder_fit(template, estimator.n_features_in_, y, classes=classes)
    else:
        result = _placeholder_fit(template, estimator.n_features_in_, classes, classes=classes)
    _copy_weights(estimator, result)
    return result


def mlp_regressor(estimator) -> MLPRegressor:
    """An ``MLPRegressor`` that predicts as ``estimator`` (an MLPRegressorNP)."""
    _check_representable(estimator)
    if estimator.loss != "squared_error" and "loss" not in MLPRegressor().get_params():
        raise ValueError(
            f"This scikit-learn's MLPRegressor has no loss={estimator.loss!r} "
            "(scikit-learn >= 1.7 has); the model cannot be converted."
        )
    template = MLPRegressor(**_mlp_params(estimator, MLPRegressor))
    y = np.ones((1, estimator.n_outputs_))
    result = _placeholder_fit(template, estimator.n_features_in_, y if y.shape[1] > 1 else y[:, 0])
    _copy_weights(estimator, result)
    return result


def logistic_regression(estimator) -> LogisticRegression:
    """A ``LogisticRegression`` that predicts as ``estimator`` (a SoftmaxClassifier)."""
    check_is_fitted(estimator)
    if estimator.out_activation_ == "logistic" and estimator.n_outputs_ > 1:
        raise ValueError(
            "LogisticRegression has no multilabel form; a multilabel SoftmaxClassifier "
            "has no scikit-learn counterpart."
        )
    alpha = float(estimator.alpha)
    result = LogisticRegression(C=1.0 / alpha if alpha > 0 else np.inf)
    result.classes_ = estimator.classes_.copy()
    result.coef_ = estimator.coef_.copy()
    result.intercept_ = estimator.intercept_.copy()
    result.n_features_in_ = estimator.n_features_in_
    result.n_iter_ = np.array([estimator.n_iter_])
    if hasattr(estimator, "feature_names_in_"):
        result.feature_names_in_ = estimator.feature_names_in_
    return result
