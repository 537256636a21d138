"""Fit one model and measure it: time, epochs, peak memory and test scores.

A classifier is scored by its test accuracy and log loss, a regressor by its
test R² and root mean squared error (RMSE, in the target's own units).
"""

from __future__ import annotations

import time
import tracemalloc
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss, r2_score, root_mean_squared_error


def measure(estimator, X_train, y_train, X_test, y_test, *, task="classification") -> dict:
    """Fit ``estimator`` on the training set and measure it on the test set.

    Parameters
    ----------
    estimator : estimator
        Unfitted; a ``TransformedTargetRegressor`` is measured by its regressor's
        epochs.
    X_train, y_train, X_test, y_test : array-like
        The split.
    task : {"classification", "regression"}, default="classification"
        Which scores.

    Returns
    -------
    result : dict
        ``accuracy`` and ``log_loss`` (NaN when the model gives non-finite
        probabilities) for a classifier, ``r2`` and ``rmse`` (NaN when the
        model predicts non-finite values) for a regressor; then ``fit_s``,
        ``epochs`` (``n_iter_``; None for a model fitted in closed form, such
        as ``Ridge``), ``ms_per_epoch`` (None without epochs) and ``peak_mb``
        (see :func:`peak_memory_mb`). A model that stops before ``max_iter``
        without converging is not an error here: its epochs say so.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression, Ridge
    >>> X = [[0.0], [1.0], [2.0], [3.0]]
    >>> y = [0, 0, 1, 1]
    >>> result = measure(LogisticRegression(), X, y, X, y)
    >>> result["accuracy"], sorted(result)
    (1.0, ['accuracy', 'epochs', 'fit_s', 'log_loss', 'ms_per_epoch', 'peak_mb'])
    >>> result = measure(Ridge(alpha=0.0), X, [1.0, 3.0, 5.0, 7.0], X, [1.0, 3.0, 5.0, 7.0],
    ...                  task="regression")
    >>> round(result["r2"], 6), round(result["rmse"], 6), result["epochs"]
    (1.0, 0.0, None)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        estimator.fit(X_train, y_train)
        fit_s = time.perf_counter() - start
        n_iter = getattr(getattr(estimator, "regressor_", estimator), "n_iter_", None)
        epochs = None if n_iter is None else int(np.max(n_iter))
        if task == "regression":
            scores = _regression_scores(y_test, estimator.predict(X_test))
        else:
            scores = _classification_scores(estimator, X_test, y_test)
        peak_mb = peak_memory_mb(estimator, X_train, y_train)
    return dict(
        **scores,
        fit_s=fit_s,
        epochs=epochs,
        ms_per_epoch=None if epochs is None else 1e3 * fit_s / max(epochs, 1),
        peak_mb=peak_mb,
    )


def _classification_scores(estimator, X_test, y_test) -> dict:
    """``accuracy`` and ``log_loss`` of a fitted classifier on the test set."""
    # A reference model can return NaN probabilities (SGDClassifier on
    # scikit-learn 1.6 after a few epochs divides 0 by 0): no warning for
    # it, its log loss is reported as NaN.
    with np.errstate(invalid="ignore", divide="ignore"):
        proba = estimator.predict_proba(X_test)
    return dict(
        accuracy=float(accuracy_score(y_test, estimator.predict(X_test))),
        log_loss=(
            float(log_loss(y_test, proba, labels=estimator.classes_))
            if np.isfinite(proba).all()
            else float("nan")
        ),
    )


def _regression_scores(y_test, predicted) -> dict:
    """``r2`` and ``rmse`` of test predictions; both NaN when a prediction is not finite."""
    if not np.isfinite(predicted).all():  # a diverged SGD model
        return dict(r2=float("nan"), rmse=float("nan"))
    return dict(
        r2=float(r2_score(y_test, predicted)),
        rmse=float(root_mean_squared_error(y_test, predicted)),
    )


def peak_memory_mb(estimator, X, y) -> float:
    """Peak of the memory newly allocated by a short fit (two epochs) of a clone, in MiB.

    Every ``max_iter`` parameter of the estimator (``regressor__max_iter``
    inside a ``TransformedTargetRegressor``) is cut to two; a model fitted in
    closed form (``Ridge``, whose ``max_iter`` is None) is fitted in full.
    """
    short = clone(estimator)
    params = short.get_params()
    short.set_params(
        **{
            key: min(2, value)
            for key, value in params.items()
            if key.split("__")[-1] == "max_iter" and value is not None
        }
    )
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        short.fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return (peak - base) / 2**20
