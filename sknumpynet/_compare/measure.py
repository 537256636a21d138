"""Fit one model and measure it: time, epochs, peak memory, test accuracy and log loss."""

from __future__ import annotations

import time
import tracemalloc
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, log_loss


def measure(estimator, X_train, y_train, X_test, y_test) -> dict:
    """Fit ``estimator`` on the training set and measure it on the test set.

    Returns ``accuracy``, ``log_loss`` (NaN when the model gives non-finite
    probabilities), ``fit_s``, ``epochs`` (``n_iter_``), ``ms_per_epoch`` and
    ``peak_mb`` (see :func:`peak_memory_mb`). A model that stops before
    ``max_iter`` without converging is not an error here: its epochs say so.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = [[0.0], [1.0], [2.0], [3.0]]
    >>> y = [0, 0, 1, 1]
    >>> result = measure(LogisticRegression(), X, y, X, y)
    >>> result["accuracy"], sorted(result)
    (1.0, ['accuracy', 'epochs', 'fit_s', 'log_loss', 'ms_per_epoch', 'peak_mb'])
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        estimator.fit(X_train, y_train)
        fit_s = time.perf_counter() - start
        epochs = int(np.max(estimator.n_iter_))
        proba = estimator.predict_proba(X_test)
        peak_mb = peak_memory_mb(estimator, X_train, y_train)
    return dict(
        accuracy=float(accuracy_score(y_test, estimator.predict(X_test))),
        # A reference model can return NaN probabilities (SGDClassifier on
        # scikit-learn 1.6 after a few epochs): report its log loss as NaN.
        log_loss=(
            float(log_loss(y_test, proba, labels=estimator.classes_))
            if np.isfinite(proba).all()
            else float("nan")
        ),
        fit_s=fit_s,
        epochs=epochs,
        ms_per_epoch=1e3 * fit_s / max(epochs, 1),
        peak_mb=peak_mb,
    )


def peak_memory_mb(estimator, X, y) -> float:
    """Peak of the memory newly allocated by a short fit (two epochs) of a clone, in MiB."""
    short = clone(estimator).set_params(max_iter=min(2, estimator.get_params()["max_iter"]))
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
