"""Dropout in MLPClassifierNP: drawn in training batches only, reproducible, refused
by L-BFGS, and a regularizer where a wide network memorizes."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

from sknumpynet import MLPClassifierNP, MLPRegressorNP, check_gradients, make_spiral
from sknumpynet._network import Network

X_SPIRAL, Y_SPIRAL = make_spiral(n_samples=120, n_classes=3, random_state=0)


def _mlp(**params):
    defaults = dict(hidden_layer_sizes=(20, 10), max_iter=5, random_state=0)
    return MLPClassifierNP(**{**defaults, **params})


def _fit(clf, X=X_SPIRAL, y=Y_SPIRAL):
    with pytest.warns(ConvergenceWarning):
        return clf.fit(X, y)


@pytest.fixture
def mask_draws(monkeypatch):
    """Every call of ``Network.dropout_masks``: the batch size and the masks drawn."""
    calls = []
    original = Network.dropout_masks

    def spy(self, n, random_state, out=None):
        masks = original(self, n, random_state, out)
        calls.append((n, [None if m is None else m.copy() for m in masks]))
        return masks

    monkeypatch.setattr(Network, "dropout_masks", spy)
    return calls


def test_same_seed_same_fit_other_seed_other_fit():
    first = _fit(_mlp(dropout=0.3))
    again = _fit(_mlp(dropout=0.3))
    for a, b in zip(first.coefs_, again.coefs_):
        np.testing.assert_array_equal(a, b)
    assert first.loss_curve_ == again.loss_curve_
    plain = _fit(_mlp())
    assert not np.allclose(first.coefs_[0], plain.coefs_[0])
    assert first.loss_ > plain.loss_  # the thinned networks fit worse


def test_partial_fit_with_dropout_is_reproducible():
    fits = []
    for _ in range(2):
        clf = _mlp(dropout=[0.2, 0.4])
        for _ in range(3):
            clf.partial_fit(X_SPIRAL, Y_SPIRAL, classes=[0, 1, 2])
        fits.append(clf)
    np.testing.assert_array_equal(fits[0].coefs_[1], fits[1].coefs_[1])


@pytest.mark.parametrize("dropout", [0.0, (0.0, 0.0)])
def test_no_dropout_draws_nothing(mask_draws, dropout):
    clf = _fit(_mlp(dropout=dropout))
    assert mask_draws == []
    default = _fit(_mlp())
    for a, b in zip(clf.coefs_, default.coefs_):
        np.testing.assert_array_equal(a, b)


def test_masks_are_drawn_once_per_training_batch_and_never_to_predict(mask_draws):
    # 120 samples, 10% held out for early stopping: 108 rows, batches of 50, 50, 8.
    clf = _fit(_mlp(dropout=0.5, batch_size=50, early_stopping=True, n_iter_no_change=100))
    assert [n for n, _ in mask_draws] == [50, 50, 8] * clf.n_iter_
    assert len(clf.validation_scores_) == clf.n_iter_
    del mask_draws[:]
    proba = clf.predict_proba(X_SPIRAL)
    clf.predict(X_SPIRAL), clf.decision_function(X_SPIRAL), clf.score(X_SPIRAL, Y_SPIRAL)
    check_gradients(clf, X_SPIRAL, Y_SPIRAL, n_checks=2)
    assert mask_draws == []
    # predictions are those of the whole network, the same every time
    np.testing.assert_array_equal(clf.predict_proba(X_SPIRAL), proba)
    hidden = X_SPIRAL
    for W, b in zip(clf.coefs_[:-1], clf.intercepts_[:-1]):
        hidden = np.maximum(hidden @ W + b, 0)
    logits = hidden @ clf.coefs_[-1] + clf.intercepts_[-1]
    np.testing.assert_allclose(clf.decision_function(X_SPIRAL), logits, rtol=1e-12)


def test_one_rate_per_hidden_layer(mask_draws):
    _fit(_mlp(dropout=[0.5, 0.0], max_iter=1, batch_size=200))
    [(n, [first, second])] = mask_draws
    assert n == 120 and second is None
    assert set(np.unique(first)) == {0.0, 2.0}


def test_lbfgs_refuses_dropout_and_leaves_the_model_as_it_was():
    clf = _mlp(solver="lbfgs", max_iter=50)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_SPIRAL, Y_SPIRAL)
    coefs = [W.copy() for W in clf.coefs_]
    clf.set_params(dropout=0.2)
    with pytest.raises(ValueError, match="dropout=0.2 needs a stochastic solver"):
        clf.fit(X_SPIRAL, Y_SPIRAL)
    for a, b in zip(coefs, clf.coefs_):
        np.testing.assert_array_equal(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.set_params(dropout=0.0).fit(X_SPIRAL, Y_SPIRAL)  # a zero rate is fine


@pytest.mark.parametrize(
    "dropout, error, match",
    [
        (1.0, InvalidParameterError, "dropout"),
        (-0.1, InvalidParameterError, "dropout"),
        ([0.5], ValueError, "1 rate\\(s\\) for 2 hidden layer\\(s\\)"),
        ([0.5, 1.0], ValueError, "in \\[0, 1\\)"),
    ],
)
def test_bad_rates_are_refused(dropout, error, match):
    with pytest.raises(error, match=match):
        _mlp(dropout=dropout).fit(X_SPIRAL, Y_SPIRAL)


@pytest.mark.parametrize(
    "dropout, error",
    [
        ([[0.1]], TypeError),
        ([[0.1], [0.2]], TypeError),
        (np.array([[0.1, 0.2]]), TypeError),
        ({}, TypeError),
        ({"a": 0.1, "b": 0.2}, TypeError),
        ({0.1, 0.2}, TypeError),
        ("0.1", TypeError),
        ([0.1, "0.2"], TypeError),
        ([0.1, None], TypeError),
        (None, TypeError),
        (True, TypeError),
        (False, TypeError),
        ([True, 0.1], TypeError),
        ([np.False_, 0.1], TypeError),
        (float("nan"), ValueError),
        ([0.1, float("nan")], ValueError),
        ([0.1, np.inf], ValueError),
        (-0.1, ValueError),
        ([0.1, -0.1], ValueError),
        (1.0, ValueError),
        ([0.1, 1.0], ValueError),
        ([0.1], ValueError),
        ([0.1, 0.2, 0.3], ValueError),
        ([], ValueError),
    ],
)
@pytest.mark.parametrize("Estimator", [MLPClassifierNP, MLPRegressorNP])
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_malformed_dropout_is_refused_by_name_before_training(
    monkeypatch, Estimator, method, dropout, error
):
    def loss_grad(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(Network, "loss_grad", loss_grad)
    est = Estimator(hidden_layer_sizes=(4, 3), dropout=dropout)
    kwargs = (
        {"classes": [0, 1, 2]} if method == "partial_fit" and Estimator is MLPClassifierNP else {}
    )
    with pytest.raises(error, match="dropout") as info:
        getattr(est, method)(X_SPIRAL, Y_SPIRAL, **kwargs)
    assert "float() argument" not in str(info.value)
    assert not hasattr(est, "coefs_")


@pytest.mark.parametrize(
    "dropout",
    [0, 0.25, np.float32(0.25), np.array(0.25), (0.25, 0.0), [0, 0], np.array([0.25, 0.1])],
)
def test_every_well_formed_dropout_is_accepted(mask_draws, dropout):
    clf = _mlp(dropout=dropout, max_iter=1, batch_size=200)
    _fit(clf)
    rates = np.broadcast_to(np.asarray(dropout, dtype=float), 2)
    [(n, masks)] = mask_draws if rates.any() else [(120, [None, None])]
    assert n == 120
    for mask, rate in zip(masks, rates):
        assert (mask is None) == (rate == 0)


def test_dropout_regularizes_a_wide_net_that_memorizes_noisy_labels():
    # 300 digits, a fifth of them with a random label, and 512 hidden units:
    # without dropout the network learns the wrong labels by heart, which
    # makes it confidently wrong on held-out data.
    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(
        (X / 16).astype(np.float32), y, train_size=300, stratify=y, random_state=0
    )
    rng = np.random.RandomState(0)
    noisy = rng.rand(300) < 0.2
    y_train = np.where(noisy, rng.randint(10, size=300), y_train)
    losses = {}
    # Products this small run fastest on one BLAS thread; several threads
    # that spin while a busy machine schedules them can take fifty times as long.
    for rate in (0.0, 0.5):
        clf = MLPClassifierNP(
            (512,),
            dropout=rate,
            alpha=0.0,
            batch_size=50,
            max_iter=100,
            n_iter_no_change=np.inf,
            random_state=0,
        )
        with threadpool_limits(limits=1):
            _fit(clf, X_train, y_train)
        assert clf.n_iter_ == 100
        losses[rate] = log_loss(y_val, clf.predict_proba(X_val))
    # 0.529 without dropout, 0.463 with it (seeds 1 to 3: 0.491 and 0.432,
    # 0.536 and 0.459, 0.574 and 0.505)
    assert losses[0.5] < losses[0.0] - 0.04, losses
