"""The course case studies, and parity with scikit-learn on digits."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sknumpynet import MLPClassifierNP, SoftmaxClassifier, make_spiral

N_PER_CLASS, REG, STEP = 100, 1e-3, 1.0


def _full_batch_gd(estimator, n_iter):
    """The course's training: full-batch gradient descent, no momentum, fixed steps."""
    n = 3 * N_PER_CLASS
    return estimator.set_params(
        solver="sgd",
        learning_rate_init=STEP,
        momentum=0.0,
        batch_size=n,
        alpha=REG * n,  # the course's 0.5 * reg * ||W||^2 is alpha / n
        max_iter=n_iter,
        tol=0.0,
        n_iter_no_change=n_iter,
        random_state=0,
    )


@pytest.fixture(scope="module")
def spiral():
    return make_spiral(n_samples=3 * N_PER_CLASS, n_classes=3, noise=0.2, random_state=0)


def test_softmax_on_spiral_is_stuck_near_half_accuracy(spiral):
    X, y = spiral
    clf = _full_batch_gd(SoftmaxClassifier(), 200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.n_iter_ == 200
    assert 0.45 <= clf.score(X, y) <= 0.58
    assert clf.loss_ == pytest.approx(0.77, abs=0.04)
    # The loss is the data loss plus the course's 0.5 * reg * ||W||^2.
    data_loss = log_loss(y, clf.predict_proba(X))
    assert clf.loss_ == pytest.approx(data_loss + 0.5 * REG * np.sum(clf.coef_**2), abs=2e-3)


def test_two_layer_relu_net_learns_the_spiral(spiral):
    X, y = spiral
    clf = _full_batch_gd(MLPClassifierNP(hidden_layer_sizes=(100,), activation="relu"), 10000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.score(X, y) >= 0.97
    assert clf.loss_ == pytest.approx(0.25, abs=0.06)
    assert clf.loss_curve_[0] > 1.0 > clf.loss_curve_[-1]


@pytest.fixture(scope="module")
def digits_splits():
    X, y = load_digits(return_X_y=True)
    splits = []
    for seed in (0, 1, 2):
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=seed, stratify=y
        )
        scaler = StandardScaler().fit(X_train)
        splits.append((scaler.transform(X_train), scaler.transform(X_test), y_train, y_test))
    return splits


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "adam"},
        {"solver": "sgd", "learning_rate_init": 0.01},
        {"solver": "lbfgs", "max_iter": 300},
        {"solver": "adam", "early_stopping": True},
        {"solver": "sgd", "learning_rate_init": 0.01, "early_stopping": True},
    ],
    ids=["adam", "sgd", "lbfgs", "adam-early-stopping", "sgd-early-stopping"],
)
def test_mlp_is_scikit_learns_model_on_digits(digits_splits, params):
    """Same parameters and seed: same initial weights, batches, validation split
    and stopping epoch, so the same model up to floating-point rounding."""
    params = {"hidden_layer_sizes": (64,), "random_state": 0, **params}
    X_train, X_test, y_train, y_test = digits_splits[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPClassifierNP(**params).fit(X_train, y_train)
        theirs = MLPClassifier(**params).fit(X_train, y_train)
    assert ours.n_iter_ == theirs.n_iter_
    if params["solver"] != "lbfgs":  # scikit-learn records no curve for L-BFGS
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    if params.get("early_stopping"):
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10)
    assert ours.score(X_test, y_test) == theirs.score(X_test, y_test) > 0.94


def test_softmax_matches_logistic_regression_on_digits(digits_splits):
    """The defaults (alpha=1, LogisticRegression's C=1) converge without a warning."""
    for X_train, X_test, y_train, y_test in digits_splits:
        ours = SoftmaxClassifier(random_state=0).fit(X_train, y_train)
        theirs = LogisticRegression(max_iter=1000).fit(X_train, y_train)
        assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) <= 0.015


@pytest.mark.parametrize("dataset", ["iris", "digits"])
@pytest.mark.parametrize("C", [1.0, 0.1])
@pytest.mark.parametrize("binary", [False, True], ids=["multinomial", "binary"])
def test_softmax_with_alpha_one_over_c_is_logistic_regression(dataset, C, binary):
    """alpha = 1 / C is LogisticRegression's objective; from zeros, with its
    L-BFGS tolerances, lbfgs reaches its coefficients and intercepts."""
    X, y = (load_iris if dataset == "iris" else load_digits)(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    if binary:
        y = y == 1
    theirs = LogisticRegression(C=C, max_iter=10_000, tol=1e-10).fit(X, y)
    ours = SoftmaxClassifier(solver="lbfgs", alpha=1 / C, max_iter=10_000, tol=1e-10)
    ours.fit(X, y)
    np.testing.assert_allclose(
        ours.coef_, theirs.coef_, rtol=1e-4, atol=1e-4 * np.abs(theirs.coef_).max()
    )
    np.testing.assert_allclose(
        ours.intercept_, theirs.intercept_, rtol=1e-4, atol=1e-4 * np.abs(theirs.intercept_).max()
    )
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-5)
