"""Every parameter, fitted attribute and public method is documented, and
nothing documented is missing."""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc
from sklearn.base import is_regressor

from sknumpynet import (
    MLPClassifierNP,
    MLPRegressorNP,
    SoftmaxClassifier,
    TabularMLPClassifier,
    TabularMLPRegressor,
)

ESTIMATORS = [
    SoftmaxClassifier,
    MLPClassifierNP,
    MLPRegressorNP,
    TabularMLPClassifier,
    TabularMLPRegressor,
]
SOLVERS = ["sgd", "adam", "lbfgs"]


def _data(cls):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(40, 3), columns=["a", "b", "c"])  # feature_names_in_
    y = X["a"] + X["b"] if is_regressor(cls()) else (X["a"] > 0).astype(int)
    return X, y


def _fitted(cls):
    """Fits with every solver, with and without early stopping."""
    X, y = _data(cls)
    # the tabular estimators' recipe (dropout, a schedule, Adam's learning rates) is Adam's
    solvers = ["adam"] if cls in (TabularMLPClassifier, TabularMLPRegressor) else SOLVERS
    for solver in solvers:
        for early_stopping in (False, True):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # short fits
                yield cls(solver=solver, early_stopping=early_stopping, max_iter=3).fit(X, y)


def _names(section) -> list[str]:
    # "a, b : int" documents two names
    return [name.strip() for item in section for name in item.name.split(",")]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_parameter_is_documented_and_nothing_else(cls):
    documented = _names(ClassDoc(cls)["Parameters"])
    assert sorted(documented) == sorted(cls().get_params())
    assert len(documented) == len(set(documented))


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_fitted_attribute_is_documented_and_exists(cls):
    documented = _names(ClassDoc(cls)["Attributes"])
    assert len(documented) == len(set(documented))
    seen = set()
    for est in _fitted(cls):
        public = {k for k in vars(est) if k.endswith("_") and not k.startswith("_")}
        assert public <= set(documented), f"undocumented: {sorted(public - set(documented))}"
        seen |= public
        # properties (SoftmaxClassifier's coef_ and intercept_) are not in vars()
        seen |= {name for name in documented if hasattr(est, name)}
    assert seen == set(documented), f"documented, never fitted: {set(documented) - seen}"


def _public_methods(cls):
    """The public methods the package defines (scikit-learn's own are documented there)."""
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") or isinstance(inspect.getattr_static(cls, name), property):
            continue
        function = getattr(member, "__func__", member)
        if callable(function) and function.__module__.startswith("sknumpynet"):
            yield name, function


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_public_method_documents_its_parameters_and_result(cls):
    methods = dict(_public_methods(cls))
    assert {"fit", "predict", "to_sklearn"} <= set(methods)
    for name, function in methods.items():
        if "Raises" in FunctionDoc(function) and "Refused" in FunctionDoc(function)["Summary"][0]:
            continue  # a method that always refuses (the tabular models' conversions)
        doc = FunctionDoc(function)
        assert doc["Summary"], name
        signature = [p for p in inspect.signature(function).parameters if p != "self"]
        assert _names(doc["Parameters"]) == signature, name
        assert doc["Returns"] and all(item.desc for item in doc["Returns"]), name
        for item in doc["Parameters"]:
            assert item.type and item.desc, (name, item.name)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_targets_are_described_for_the_estimator(cls):
    methods = ["fit", "partial_fit"]
    for method in methods:
        y = {
            item.name: " ".join(item.desc)
            for item in FunctionDoc(getattr(cls, method))["Parameters"]
        }["y"]
        if is_regressor(cls()):
            assert "class" not in y.lower() and "number" in y, (method, y)
        else:
            assert "class labels" in y.lower(), (method, y)
