"""Prediction refuses fitted state that no fit could have published.

Weights changed by hand or loaded from a tampered file (NaN, infinity,
shapes that do not chain, a wrong number of layers, a non-float dtype, an
unknown activation) give a ValueError naming the attribute, from every
prediction method, instead of silent garbage or an error deep in numpy.
"""

import copy

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_multilabel_classification

from sknumpynet import MLPClassifierNP, MLPRegressorNP, SoftmaxClassifier, _base, _network

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

METHODS = ["predict", "predict_proba", "predict_log_proba", "decision_function", "score"]


def _data(kind):
    if kind == "multilabel":
        return make_multilabel_classification(n_samples=60, n_features=5, random_state=0)
    X, y = make_classification(
        n_samples=60, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    if kind == "binary":
        return X, y % 2
    if kind in ("regressor", "poisson"):
        return X, np.exp(X[:, 0] / 2) if kind == "poisson" else X[:, :2] @ [1.0, -1.0]
    return X, y


ESTIMATORS = {
    "softmax": SoftmaxClassifier(max_iter=5, random_state=0),
    "mlp": MLPClassifierNP((4, 2), max_iter=5, random_state=0),
    "binary": MLPClassifierNP((4,), max_iter=5, random_state=0),
    "multilabel": MLPClassifierNP((4,), max_iter=5, random_state=0),
    "regressor": MLPRegressorNP(hidden_layer_sizes=(4, 3), max_iter=5, random_state=0),
    "poisson": MLPRegressorNP("poisson", (4,), max_iter=5, random_state=0),
}


@pytest.fixture(scope="module")
def fitted():
    out = {}
    for kind, est in ESTIMATORS.items():
        X, y = _data(kind)
        out[kind] = copy.deepcopy(est).fit(X, y), X, y
    return out


def _set(name, value):
    def tamper(est):
        setattr(est, name, value(est))

    return tamper


def _set_item(name, i, value):
    def tamper(est):
        arrays = list(getattr(est, name))
        arrays[i] = value(arrays[i])
        setattr(est, name, arrays)

    return tamper


def _with(value, index=(0, 0)):
    def change(array):
        array = array.copy()
        array[index[: array.ndim]] = value
        return array

    return change


# (tampering, regex of the error); each names the attribute at fault.
TAMPERINGS = {
    "nan-coef": (_set_item("coefs_", 0, _with(np.nan)), r"coefs_\[0\] holds 1 NaN"),
    "inf-coef": (
        _set_item("coefs_", -1, _with(np.inf, (1, 0))),
        r"coefs_\[\d\] holds 1 NaN .* at \(1, 0\)",
    ),
    "-inf-intercept": (
        _set_item("intercepts_", 0, _with(-np.inf)),
        r"intercepts_\[0\] holds 1 NaN",
    ),
    "nan-intercept": (
        _set_item("intercepts_", -1, _with(np.nan)),
        r"intercepts_\[\d\] holds 1 NaN",
    ),
    "transposed-first": (
        _set_item("coefs_", 0, lambda W: W.T.copy()),
        r"coefs_\[0\] has shape \(\d, 5\), but n_features_in_",
    ),
    "transposed-last": (
        _set_item("coefs_", -1, lambda W: W.T.copy()),
        r"coefs_\[\d\] has shape|output layer has",
    ),
    "short-intercept": (
        _set_item("intercepts_", 0, lambda b: b[:-1]),
        r"intercepts_\[0\] has shape",
    ),
    "2d-intercept": (
        _set_item("intercepts_", 0, lambda b: b[None]),
        r"intercepts_\[0\] must have 1 dimension",
    ),
    "layer-dropped": (
        _set("coefs_", lambda e: e.coefs_[:-1]),
        r"coefs_ and intercepts_ disagree|coefs_ must be a non-empty",
    ),
    "both-dropped": (
        lambda e: (
            _set("coefs_", lambda e: e.coefs_[:-1])(e),
            _set("intercepts_", lambda e: e.intercepts_[:-1])(e),
        ),
        r"n_layers_ is \d, but coefs_ holds|coefs_ must be a non-empty",
    ),
    "n_layers": (
        _set("n_layers_", lambda e: e.n_layers_ + 1),
        r"n_layers_ is \d, but coefs_ holds",
    ),
    "no-layers": (_set("coefs_", lambda e: []), r"coefs_ must be a non-empty list"),
    "array-not-list": (
        _set("intercepts_", lambda e: np.zeros(3)),
        r"intercepts_ must be a non-empty list",
    ),
    "int-dtype": (
        _set_item("coefs_", 0, lambda W: W.astype(np.int64)),
        r"coefs_\[0\] must be a float32 or float64 array, got array of dtype int64",
    ),
    "list": (
        _set_item("coefs_", 0, lambda W: W.tolist()),
        r"coefs_\[0\] must be a float32 or float64 array, got list",
    ),
    "mixed-dtype": (
        _set_item("intercepts_", -1, lambda b: b.astype(np.float32)),
        r"one dtype: coefs_\[0\] is float64 but intercepts_\[\d\] is float32",
    ),
    "n_outputs": (_set("n_outputs_", lambda e: e.n_outputs_ + 1), r"but n_outputs_ needs"),
    "activation": (
        _set("_activation", lambda e: "bogus"),
        r"hidden activation \(_activation\) is 'bogus'",
    ),
    "out_activation": (_set("out_activation_", lambda e: "bogus"), r"out_activation_ is 'bogus'"),
    "other-out_activation": (
        _set(
            "out_activation_",
            lambda e: {
                "softmax": "logistic",
                "logistic": "softmax",
                "identity": "logistic",
                "exp": "softmax",
            }[e.out_activation_],
        ),
        r"out_activation_ is '\w+'; this model's output needs",
    ),
    "classes": (
        _set("classes_", lambda e: np.arange(len(e.classes_) + 1)),
        r"classes_ is \[.*\], but the model was fitted with",
    ),
}


def _methods(est):
    return [m for m in METHODS if hasattr(est, m)]


def _call(est, method, X, y):
    return est.score(X, y) if method == "score" else getattr(est, method)(X)


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
@pytest.mark.parametrize("kind", list(ESTIMATORS))
def test_every_prediction_refuses_tampered_state(fitted, kind, tampering):
    est, X, y = fitted[kind]
    tamper, match = TAMPERINGS[tampering]
    if tampering == "classes" and not hasattr(est, "classes_"):
        pytest.skip("a regressor has no classes")
    broken = copy.deepcopy(est)
    tamper(broken)
    for method in _methods(est):
        with pytest.raises(ValueError, match=match):
            _call(broken, method, X, y)
    for method in _methods(est):  # the model it came from is untouched
        _call(est, method, X, y)


@pytest.mark.parametrize("kind", list(ESTIMATORS))
def test_a_tampered_skops_file_is_refused(fitted, kind):
    sio = pytest.importorskip("skops.io")
    est, X, y = fitted[kind]
    for tampering in ("nan-coef", "activation", "transposed-first"):
        tamper, match = TAMPERINGS[tampering]
        broken = copy.deepcopy(est)
        tamper(broken)
        name = f"sknumpynet.{type(est).__name__}"
        loaded = sio.loads(sio.dumps(broken), trusted=[name])
        for method in _methods(est):
            with pytest.raises(ValueError, match=match):
                _call(loaded, method, X, y)


def test_the_state_is_checked_once_per_call_not_per_chunk(fitted, monkeypatch):
    est, X, y = fitted["mlp"]
    X = np.tile(X, (10, 1))  # 600 rows: ten chunks of 64 rows
    expected = est.predict_proba(X)
    calls = []
    check = _base._check_fitted_state
    monkeypatch.setattr(_base, "_check_fitted_state", lambda m: (calls.append(1), check(m)))
    monkeypatch.setattr(_network, "PREDICT_WORKING_BYTES", 1)
    np.testing.assert_allclose(est.predict_proba(X), expected, rtol=1e-12)
    assert len(calls) == 1


def test_huge_finite_weights_are_not_mistaken_for_infinite(fitted):
    # Their sum overflows; each of them is finite, and the model predicts.
    est, X, y = fitted["softmax"]
    huge = copy.deepcopy(est)
    big = np.finfo(np.float64).max / 2
    huge.coefs_ = [np.full_like(est.coefs_[0], big)]
    proba = huge.predict_proba(X)
    assert np.isfinite(proba).all()
