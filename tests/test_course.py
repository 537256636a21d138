"""The course case studies, and parity with scikit-learn on digits."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
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
    ],
    ids=["adam", "sgd", "lbfgs"],
)
def test_mlp_matches_scikit_learn_on_digits(digits_splits, params):
    params = {"hidden_layer_sizes": (64,), "random_state": 0, **params}
    for X_train, X_test, y_train, y_test in digits_splits:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ours = MLPClassifierNP(**params).fit(X_train, y_train).score(X_test, y_test)
            theirs = MLPClassifier(**params).fit(X_train, y_train).score(X_test, y_test)
        assert abs(ours - theirs) <= 0.015, (ours, theirs)
        assert ours > 0.94


def test_softmax_matches_logistic_regression_on_digits(digits_splits):
    for X_train, X_test, y_train, y_test in digits_splits:
        ours = SoftmaxClassifier(random_state=0).fit(X_train, y_train)
        theirs = LogisticRegression(max_iter=1000).fit(X_train, y_train)
        assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) <= 0.015


def test_softmax_with_alpha_one_over_c_is_logistic_regression(digits_splits):
    """alpha = 1 / C gives LogisticRegression's objective; lbfgs reaches its optimum."""
    X_train, X_test, y_train, _ = digits_splits[0]
    theirs = LogisticRegression(C=0.5, max_iter=5000, tol=1e-10).fit(X_train, y_train)
    ours = SoftmaxClassifier(solver="lbfgs", alpha=2.0, max_iter=5000, tol=1e-10)
    ours.fit(X_train, y_train)
    np.testing.assert_allclose(ours.predict_proba(X_test), theirs.predict_proba(X_test), atol=1e-3)
    np.testing.assert_allclose(ours.coef_ - ours.coef_.mean(axis=0), theirs.coef_, atol=2e-2)
