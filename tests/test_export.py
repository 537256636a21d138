"""Models that leave the package: scikit-learn's own estimators (to_sklearn),
skops files naming public types only, and pickles."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor

from sknumpynet import MLPClassifierNP, MLPRegressorNP, SoftmaxClassifier
from sknumpynet._export import ConversionWarning

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_ML, Y_ML = make_multilabel_classification(120, 6, n_classes=3, random_state=0)
X_REG, Y_REG = make_regression(120, 5, n_targets=2, noise=0.1, random_state=0)
Y_REG /= Y_REG.std()


def _fitted(kind):
    labels = np.array(["setosa", "versicolor", "virginica"])[Y_IRIS]
    return {
        "multiclass": (MLPClassifierNP((8,), "tanh", max_iter=30, random_state=0), X_IRIS, labels),
        "binary": (MLPClassifierNP((8,), max_iter=30, random_state=0), X_IRIS, labels == "setosa"),
        "multilabel": (MLPClassifierNP((8,), "logistic", max_iter=30, random_state=0), X_ML, Y_ML),
        "softmax": (SoftmaxClassifier(alpha=0.5, max_iter=30, random_state=0), X_IRIS, labels),
        "softmax-binary": (SoftmaxClassifier(max_iter=30, random_state=0), X_IRIS, Y_IRIS == 1),
        "regressor": (
            MLPRegressorNP(hidden_layer_sizes=(8,), max_iter=30, random_state=0),
            X_REG,
            Y_REG,
        ),
        "regressor-1": (
            MLPRegressorNP(hidden_layer_sizes=(8,), max_iter=30, random_state=0),
            X_REG,
            Y_REG[:, 0],
        ),
        "poisson": (
            MLPRegressorNP("poisson", (8,), max_iter=30, random_state=0),
            X_REG,
            np.exp(Y_REG[:, 0] / 3),
        ),
        "float32": (
            MLPClassifierNP((8,), max_iter=30, random_state=0),
            X_IRIS.astype(np.float32),
            labels,
        ),
    }[kind]


KINDS = [
    "multiclass",
    "binary",
    "multilabel",
    "softmax",
    "softmax-binary",
    "regressor",
    "regressor-1",
    "poisson",
]


SKLEARN_HAS_POISSON = "loss" in MLPRegressor().get_params()  # scikit-learn >= 1.7


@pytest.mark.parametrize("kind", KINDS)
def test_to_sklearn_predicts_as_ours(kind):
    if kind == "poisson" and not SKLEARN_HAS_POISSON:
        pytest.skip("this scikit-learn's MLPRegressor has no Poisson loss")
    est, X, y = _fitted(kind)
    est.fit(X, y)
    theirs = est.to_sklearn()
    expected = {
        MLPClassifierNP: MLPClassifier,
        SoftmaxClassifier: LogisticRegression,
        MLPRegressorNP: MLPRegressor,
    }[type(est)]
    assert type(theirs) is expected
    if expected is MLPRegressor:
        np.testing.assert_allclose(theirs.predict(X), est.predict(X), rtol=1e-10, atol=1e-12)
        assert theirs.score(X, y) == pytest.approx(est.score(X, y))
        return
    np.testing.assert_array_equal(theirs.predict(X), est.predict(X))
    np.testing.assert_allclose(theirs.predict_proba(X), est.predict_proba(X), atol=1e-12)
    np.testing.assert_array_equal(theirs.classes_, est.classes_)
    if expected is MLPClassifier:
        assert theirs.loss_curve_ == est.loss_curve_ and theirs.n_iter_ == est.n_iter_
        # and it trains on from there with scikit-learn's own partial_fit
        theirs.partial_fit(X, y)
        assert theirs.n_iter_ == 1


def _change(kind, change):
    """Parameters to change after the fit, and whether the converted estimator
    then warns that refitting it would not train as refitting ours would; None
    where the estimator has no such parameters."""
    softmax, regressor = kind.startswith("softmax"), kind.startswith(("regressor", "poisson"))
    if change == "none":
        return {}, False
    if change == "training":
        return {"alpha": 0.3, "max_iter": 5, "solver": "lbfgs", "learning_rate_init": 0.5}, False
    if change == "architecture":
        return None if softmax else ({"hidden_layer_sizes": (3, 2), "activation": "gelu"}, True)
    if change == "loss":
        return (
            ({"loss": "squared_error" if kind == "poisson" else "poisson"}, True)
            if regressor
            else None
        )
    # parameters scikit-learn's MLP has not; LogisticRegression has class_weight
    if softmax:
        return {"class_weight": "balanced"}, False
    return ({"dropout": 0.3} if regressor else {"class_weight": "balanced", "dropout": 0.3}), True


CHANGE_CASES = [
    (kind, change)
    for kind in [*KINDS, "float32"]
    for change in ("none", "training", "architecture", "loss", "extras")
    if _change(kind, change) is not None
]


@pytest.mark.parametrize("kind, change", CHANGE_CASES)
def test_to_sklearn_converts_the_fitted_model_whatever_the_parameters_now(kind, change):
    if kind == "poisson" and not SKLEARN_HAS_POISSON:
        pytest.skip("this scikit-learn's MLPRegressor has no Poisson loss")
    est, X, y = _fitted(kind)
    est.fit(X, y)
    ours = est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)
    params, warns = _change(kind, change)
    if change == "loss" and not SKLEARN_HAS_POISSON:
        pytest.skip("this scikit-learn's MLPRegressor has no Poisson loss")
    est.set_params(**params)
    if warns:
        with pytest.warns(ConversionWarning, match="refitting it would not train") as record:
            theirs = est.to_sklearn()
        assert all(f"{name}=" in str(record[0].message) for name in params)
    else:
        theirs = est.to_sklearn()  # and no warning
    rtol = 1e-5 if kind == "float32" else 1e-10
    if isinstance(est, MLPRegressorNP):
        np.testing.assert_allclose(theirs.predict(X), ours, rtol=rtol, atol=1e-12)
        assert theirs.loss == {"identity": "squared_error", "exp": "poisson"}[est.out_activation_]
    else:
        np.testing.assert_allclose(theirs.predict_proba(X), ours, rtol=rtol, atol=1e-12)
        np.testing.assert_array_equal(theirs.predict(X), est.predict(X))
        np.testing.assert_array_equal(theirs.classes_, est.classes_)
    if isinstance(est, SoftmaxClassifier):
        # the parameters fit the fitted attributes: n_iter_ within max_iter
        assert theirs.n_iter_[0] == est.n_iter_ <= theirs.max_iter
        assert theirs.C == pytest.approx(1 / est.alpha)
        return
    fitted_sizes = tuple(W.shape[1] for W in est.coefs_[:-1])
    assert theirs.hidden_layer_sizes == fitted_sizes
    assert theirs.activation == est._activation
    assert [W.dtype for W in theirs.coefs_] == [W.dtype for W in est.coefs_]


def test_logistic_regression_iterations_fit_within_its_max_iter():
    # 200 epochs (SoftmaxClassifier's max_iter) without converging; a
    # LogisticRegression with n_iter_ > max_iter would be an impossible model
    est = SoftmaxClassifier(random_state=0).fit(X_IRIS, Y_IRIS)
    assert est.n_iter_ == 200
    for max_iter in (200, 20):
        theirs = est.set_params(max_iter=max_iter).to_sklearn()
        assert theirs.n_iter_ == [200] and theirs.max_iter >= 200


def test_to_sklearn_refuses_what_scikit_learn_cannot_represent():
    est = SoftmaxClassifier(max_iter=5, random_state=0).fit(X_ML, Y_ML)
    with pytest.raises(ValueError, match="no multilabel form"):
        est.to_sklearn()
    with pytest.raises(Exception, match="not fitted"):
        MLPClassifierNP().to_sklearn()


@pytest.mark.parametrize("kind", KINDS)
def test_skops_round_trip_trusts_public_types_only(kind):
    sio = pytest.importorskip("skops.io")
    est, X, y = _fitted(kind)
    est.fit(X, y)
    data = sio.dumps(est)
    assert sio.get_untrusted_types(data=data) == [f"sknumpynet.{type(est).__name__}"]
    loaded = sio.loads(data, trusted=[f"sknumpynet.{type(est).__name__}"])
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    if kind in ("multiclass", "regressor"):  # and it keeps training where it left off
        loaded.partial_fit(X, y)
        est.partial_fit(X, y)
        np.testing.assert_array_equal(loaded.coefs_[0], est.coefs_[0])


def test_pickles_name_the_public_classes():
    est = MLPClassifierNP((4,), max_iter=5, random_state=0).fit(X_IRIS, Y_IRIS)
    data = pickle.dumps(est)
    assert b"MLPClassifierNP" in data and b"sknumpynet._mlp" not in data
    assert type(pickle.loads(data)) is MLPClassifierNP
