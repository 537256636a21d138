"""Fitted models as scikit-learn's own estimators, built through public API.

The scikit-learn estimator is built from the fitted state: the architecture,
hidden activation, output (loss), classes and dtype of the model as it was
fitted, whatever the parameters say now; its other parameters (how to train)
are the estimator's current ones. Where these include something the
scikit-learn estimator cannot take, or differ from the fitted model, a
:class:`ConversionWarning` says that refitting the result would train
differently; its predictions are the model's all the same.

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

from ._warnings import warn

# The hidden activations scikit-learn's MLP knows.
SKLEARN_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")
# The regressor's loss of each output activation.
_LOSS_OF_OUTPUT = {"identity": "squared_error", "exp": "poisson"}
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


class ConversionWarning(UserWarning):
    """The converted estimator predicts as the model, but would not train as it.

    Raised by ``to_sklearn()`` when the estimator's parameters include
    something the scikit-learn estimator has no parameter for (``dropout``,
    ``class_weight`` for ``MLPClassifier``, an activation it lacks), or
    parameters changed since the fit (the returned estimator has the fitted
    model's architecture, activation and loss): refitting the returned
    estimator would not train the model that refitting this one would.
    """


def _check_representable(estimator) -> None:
    check_is_fitted(estimator)
    if estimator._activation not in SKLEARN_ACTIVATIONS:
        raise ValueError(
            f"scikit-learn's MLP has no {estimator._activation!r} activation; only "
            f"{', '.join(SKLEARN_ACTIVATIONS)} can be converted."
        )


def _hidden_sizes(value) -> tuple | None:
    """``hidden_layer_sizes`` as a tuple of ints, or None where it is malformed."""
    try:
        return tuple(int(v) for v in np.atleast_1d(value))
    except (TypeError, ValueError):
        return None


def _no_dropout(value) -> bool:
    try:
        return not np.any(np.asarray(value, dtype=float))
    except (TypeError, ValueError):
        return False


def _mlp_params(estimator, sklearn_class) -> dict:
    """``sklearn_class``'s parameters for the fitted ``estimator``.

    The architecture, hidden activation and loss are the fitted model's; the
    other parameters (how to train) are the estimator's as they are now.
    A :class:`ConversionWarning` lists the parameters of ``estimator`` that
    the result does not reproduce.
    """
    ours = estimator.get_params()
    names = sklearn_class().get_params()
    params = {k: v for k, v in ours.items() if k in names}
    params["hidden_layer_sizes"] = tuple(W.shape[1] for W in estimator.coefs_[:-1])
    params["activation"] = estimator._activation
    if "loss" in ours:
        params["loss"] = _LOSS_OF_OUTPUT[estimator.out_activation_]
    name = sklearn_class.__name__
    differences = []
    if ours.get("class_weight") is not None and "class_weight" not in names:
        differences.append(f"class_weight={ours['class_weight']!r} ({name} has none)")
    if not _no_dropout(ours.get("dropout", 0.0)):
        differences.append(f"dropout={ours['dropout']!r} ({name} has none)")
    if _hidden_sizes(ours["hidden_layer_sizes"]) != params["hidden_layer_sizes"]:
        differences.append(
            f"hidden_layer_sizes={ours['hidden_layer_sizes']!r} (the fitted model has "
            f"{params['hidden_layer_sizes']!r})"
        )
    if ours["activation"] != params["activation"]:
        lacks = "" if ours["activation"] in SKLEARN_ACTIVATIONS else f"; {name} lacks it"
        differences.append(
            f"activation={ours['activation']!r} (the model was fitted with "
            f"{params['activation']!r}{lacks})"
        )
    if "loss" in ours and ours["loss"] != params["loss"]:
        differences.append(f"loss={ours['loss']!r} (the model was fitted with {params['loss']!r})")
    if differences:
        warn(
            f"The {name} predicts as this {type(estimator).__name__}, but refitting it "
            "would not train as refitting this estimator would; it does not reproduce "
            f"{'; '.join(differences)}.",
            ConversionWarning,
        )
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


def _placeholder_fit(sklearn_estimator, estimator, y, **fit_params):
    """One ``partial_fit`` on placeholder rows in the fitted model's dtype, to set
    the targets' bookkeeping publicly."""
    fitter = clone(sklearn_estimator).set_params(solver="sgd", early_stopping=False)
    X = np.zeros((len(y), estimator.n_features_in_), dtype=estimator.coefs_[0].dtype)
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
        result = _placeholder_fit(template, estimator, y, classes=classes)
    else:
        result = _placeholder_fit(template, estimator, classes, classes=classes)
    _copy_weights(estimator, result)
    return result


def mlp_regressor(estimator) -> MLPRegressor:
    """An ``MLPRegressor`` that predicts as ``estimator`` (an MLPRegressorNP)."""
    _check_representable(estimator)
    loss = _LOSS_OF_OUTPUT[estimator.out_activation_]
    has_loss = "loss" in MLPRegressor().get_params()  # scikit-learn >= 1.7
    if not has_loss and loss != "squared_error":
        raise ValueError(
            f"This scikit-learn's MLPRegressor has no loss={loss!r} "
            "(scikit-learn >= 1.7 has); the model cannot be converted."
        )
    params = _mlp_params(estimator, MLPRegressor)
    if not has_loss:
        del params["loss"]
    template = MLPRegressor(**params)
    y = np.ones((1, estimator.n_outputs_))
    result = _placeholder_fit(template, estimator, y if y.shape[1] > 1 else y[:, 0])
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
    # LogisticRegression's n_iter_ never exceeds its max_iter
    result = LogisticRegression(
        C=1.0 / alpha if alpha > 0 else np.inf,
        max_iter=max(int(estimator.max_iter), int(estimator.n_iter_)),
        class_weight=estimator.class_weight,
    )
    result.classes_ = estimator.classes_.copy()
    result.coef_ = estimator.coef_.copy()
    result.intercept_ = estimator.intercept_.copy()
    result.n_features_in_ = estimator.n_features_in_
    result.n_iter_ = np.array([estimator.n_iter_])
    if hasattr(estimator, "feature_names_in_"):
        result.feature_names_in_ = estimator.feature_names_in_
    return result
