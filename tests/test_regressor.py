"""MLPRegressorNP: scikit-learn's checks, the gradients of its losses, and
the same model as scikit-learn's MLPRegressor."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_diabetes, make_friedman1, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknumpynet import MLPRegressorNP, check_gradients
from sknumpynet._losses import poisson_deviance, squared_error

# Short fits: these tests check the model, not convergence.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# The checks fit tiny data with the default max_iter: a ConvergenceWarning is
# expected there (scikit-learn's MLPRegressor warns the same) and no failure.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks([MLPRegressorNP()])
def test_default_parameters_pass_every_check(estimator, check):
    check(estimator)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks([MLPRegressorNP(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=50)])
def test_non_default_settings(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def datasets():
    out = {}
    X, y = load_diabetes(return_X_y=True)
    X_f, y_f = make_friedman1(n_samples=400, random_state=0)
    for name, (X_, y_) in {"diabetes": (X, y), "friedman1": (X_f, y_f)}.items():
        X_train, X_test, y_train, y_test = train_test_split(X_, y_, random_state=0)
        scaler = StandardScaler().fit(X_train)
        out[name] = scaler.transform(X_train), scaler.transform(X_test), y_train, y_test
    return out


@pytest.mark.parametrize("dataset", ["diabetes", "friedman1"])
@pytest.mark.parametrize(
    "params",
    [
        {"solver": "adam", "learning_rate_init": 0.01, "max_iter": 60},
        {"solver": "sgd", "learning_rate_init": 0.001, "max_iter": 60},
        {"solver": "lbfgs", "max_iter": 30},
        {"solver": "adam", "learning_rate_init": 0.01, "early_stopping": True},
        {"loss": "poisson", "solver": "adam", "learning_rate_init": 0.01, "max_iter": 60},
    ],
    ids=["adam", "sgd", "lbfgs", "adam-early-stopping", "poisson"],
)
def test_same_model_as_scikit_learns_mlp_regressor(datasets, dataset, params):
    if "loss" in params and "loss" not in MLPRegressor().get_params():
        pytest.skip("scikit-learn < 1.7 has no Poisson MLPRegressor")
    X_train, X_test, y_train, y_test = datasets[dataset]
    params = {"hidden_layer_sizes": (32,), "random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPRegressorNP(**params).fit(X_train, y_train)
        theirs = MLPRegressor(**params).fit(X_train, y_train)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.out_activation_ == theirs.out_activation_
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)
    if params["solver"] != "lbfgs":
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    if params.get("early_stopping"):
        np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
    np.testing.assert_allclose(ours.predict(X_test), theirs.predict(X_test), rtol=1e-9)
    assert ours.score(X_test, y_test) == pytest.approx(theirs.score(X_test, y_test))


@pytest.mark.parametrize("loss", [squared_error, poisson_deviance])
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_losses_against_their_definitions(loss, weighted):
    rng = np.random.RandomState(0)
    Z = rng.randn(7, 3)
    Y = rng.poisson(2.0, size=(7, 3)).astype(float)
    w = rng.uniform(0, 2, size=7) if weighted else np.ones(7)
    if loss is squared_error:
        per_entry, gradient = 0.5 * (Z - Y) ** 2, Z - Y
    else:
        mu = np.exp(Z)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.where(Y > 0, np.log(Y / mu), 0.0)
        per_entry, gradient = Y * log_ratio - Y + mu, mu - Y
    expected = float((per_entry.sum(axis=1) * w).sum() / 7)
    G = Z.copy()
    value = loss(G, Y, w if weighted else None)
    assert value == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(G, gradient * w[:, None] / 7, rtol=1e-12)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("n_outputs", [1, 3])
def test_gradients_match_finite_differences(loss, activation, n_outputs):
    X, y = make_regression(60, 4, n_targets=n_outputs, noise=1.0, random_state=0)
    y = y / np.abs(y).max()
    if loss == "poisson":
        y = np.random.RandomState(0).poisson(np.exp(y))
    reg = MLPRegressorNP(loss, (6, 5), activation, alpha=0.3, random_state=0)
    sample_weight = np.random.RandomState(1).uniform(0, 2, size=60)
    report = check_gradients(reg, X, y, sample_weight=sample_weight, n_checks=6)
    assert report.passed, report
    assert report.max_relative_error < 1e-7


def test_multi_output_sample_weight_partial_fit_and_float32():
    X, Y = make_regression(200, 5, n_targets=2, noise=0.1, random_state=0)
    Y = Y / Y.std(axis=0)
    reg = MLPRegressorNP(
        hidden_layer_sizes=(20,), solver="lbfgs", max_iter=300, random_state=0
    ).fit(X, Y)
    assert reg.n_outputs_ == 2 and reg.predict(X).shape == (200, 2)
    assert reg.score(X, Y) > 0.95
    # integer weights are repeated samples (a linear model: one optimum)
    w = np.random.RandomState(0).randint(0, 3, size=200)
    params = dict(hidden_layer_sizes=(), solver="lbfgs", alpha=1.0, tol=1e-10, max_iter=2000)
    weighted = MLPRegressorNP(random_state=0, **params).fit(X, Y, sample_weight=w)
    repeated = MLPRegressorNP(random_state=0, **params).fit(
        np.repeat(X, w, axis=0), np.repeat(Y, w, axis=0)
    )
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), atol=1e-4)
    # partial_fit: one epoch per call, n_iter_ of the last call, t_ of all
    inc = MLPRegressorNP(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0)
    for _ in range(30):
        inc.partial_fit(X, Y)
    assert inc.n_iter_ == 1 and inc.t_ == 30 * 200 and len(inc.loss_curve_) == 30
    assert inc.loss_curve_[-1] < 0.2 * inc.loss_curve_[0]
    # float32 trains and predicts in float32; sparse input gives the dense model
    reg32 = clone(reg).fit(X.astype(np.float32), Y)
    assert reg32.coefs_[0].dtype == np.float32 and reg32.predict(X).dtype == np.float32
    reg_sparse = MLPRegressorNP(
        hidden_layer_sizes=(20,), solver="lbfgs", max_iter=20, random_state=0
    )
    reg_dense = clone(reg_sparse).fit(X, Y)
    np.testing.assert_allclose(
        reg_sparse.fit(sp.csr_matrix(X), Y).predict(X), reg_dense.predict(X), rtol=1e-6
    )


def test_poisson_needs_non_negative_targets_and_predicts_positive():
    X, y = make_regression(100, 3, random_state=0)
    with pytest.raises(ValueError, match="negative, which is not allowed for loss='poisson'"):
        MLPRegressorNP(loss="poisson").fit(X, y)
    counts = np.random.RandomState(0).poisson(np.exp(X[:, 0] / 3))
    reg = MLPRegressorNP("poisson", (8,), solver="lbfgs", random_state=0).fit(X, counts)
    assert reg.out_activation_ == "exp" and (reg.predict(X) > 0).all()


def test_warm_start_with_other_number_of_targets_is_refused():
    X, Y = make_regression(50, 3, n_targets=2, random_state=0)
    reg = MLPRegressorNP(
        hidden_layer_sizes=(4,), solver="lbfgs", max_iter=5, warm_start=True, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, Y)
    coefs = [W.copy() for W in reg.coefs_]
    with pytest.raises(ValueError, match="y has 1 target column"):
        reg.fit(X, Y[:, 0])
    for a, b in zip(coefs, reg.coefs_):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("activation", ["gelu", "silu", "elu"])
def test_new_activations_and_dropout_reach_the_regressor(activation):
    X, y = make_regression(150, 5, noise=0.1, random_state=0)
    y = y / y.std()
    params = dict(hidden_layer_sizes=(32,), activation=activation, dropout=0.2, random_state=0)
    a = MLPRegressorNP(max_iter=100, learning_rate_init=0.01, **params).fit(X, y)
    b = MLPRegressorNP(max_iter=100, learning_rate_init=0.01, **params).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))  # masks from random_state
    np.testing.assert_array_equal(a.predict(X), a.predict(X))  # predict never drops
    assert a.score(X, y) > 0.8
    with pytest.raises(ValueError, match="dropout=0.2 needs a stochastic solver"):
        MLPRegressorNP(solver="lbfgs", **params).fit(X, y)
    report = check_gradients(
        MLPRegressorNP("poisson", (5,), activation, random_state=0), X[:40], np.exp(y[:40] / 3)
    )
    assert report.passed, report


# ---------------------------------------------------------------- targets
RNG_X = np.random.RandomState(0).randn(80, 3)
Y_LIN = RNG_X @ [1, 2, -1]


def _numeric_targets(kind, two_d):
    """Targets of ``kind`` and the float64 array they stand for."""
    y = np.c_[Y_LIN, -Y_LIN] if two_d else Y_LIN
    if kind == "bool":
        return y > 0, (y > 0).astype(np.float64)
    y = np.round(y, 3)
    if kind == "object-numbers":
        return y.astype(object), y
    if kind == "object-strings":
        return y.astype(str).astype(object), y
    return y.astype(str), y  # numpy strings


def _fit_both(method, targets, values, dtype):
    X = RNG_X.astype(dtype)
    reg = MLPRegressorNP(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    ref = clone(reg)
    getattr(reg, method)(X, targets)
    getattr(ref, method)(X, values)
    return X, reg, ref


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize("two_d", [False, True], ids=["1d", "2d"])
@pytest.mark.parametrize("kind", ["bool", "object-numbers", "object-strings", "strings"])
def test_numeric_targets_are_converted_before_training(kind, two_d, method, dtype):
    targets, values = _numeric_targets(kind, two_d)
    X, reg, ref = _fit_both(method, targets, values, dtype)
    # the same model as from the float targets, in the data's dtype
    for W, W_ref in zip(reg.coefs_ + reg.intercepts_, ref.coefs_ + ref.intercepts_):
        assert W.dtype == dtype
        np.testing.assert_array_equal(W, W_ref)
    assert reg.loss_curve_ == ref.loss_curve_
    predicted = reg.predict(X)
    assert predicted.dtype == dtype and predicted.shape == values.shape
    assert np.isfinite(reg.score(X, targets))


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize(
    "y, message",
    [
        (np.array(["1.5", "2", "a"] * 10, dtype=object), "but it contains 'a', which is not"),
        (np.array(["1.5", "2", "a"] * 10), "but it contains 'a', which is not"),
        (np.array([["1", "x"]] * 30, dtype=object), "but it contains 'x', which is not"),
        (np.array([["1", "nan"]] * 30), "Input y contains NaN"),
        (np.array([1.5, None, 2.0] * 10, dtype=object), "Input y contains NaN"),
    ],
    ids=["object", "strings", "2d", "nan-string", "none"],
)
def test_non_numeric_targets_are_refused_before_training(y, message, method):
    reg = MLPRegressorNP(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with pytest.raises(ValueError, match=message):
        getattr(reg, method)(RNG_X[:30], y)
    assert not hasattr(reg, "coefs_")


def test_targets_of_other_dtypes_are_refused():
    y = np.arange(30).astype("datetime64[D]")
    with pytest.raises(ValueError, match="y must hold numbers for a regressor, got .* datetime64"):
        MLPRegressorNP(max_iter=5).fit(RNG_X[:30], y)
