"""The package's warnings: what they advise, and the line they name."""

import os
import subprocess
import sys
import warnings

import pytest
import scipy.sparse as sp
from joblib import parallel_config
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknumpynet import ChanceLevelWarning, MLPClassifierNP, MLPRegressorNP, make_spiral

X_DIABETES, Y_DIABETES = load_diabetes(return_X_y=True)


def diabetes_model(**params):
    """The regressor that fails on diabetes' unscaled target (around 150)."""
    return MLPRegressorNP(hidden_layer_sizes=(32,), max_iter=300, random_state=0, **params)


def chance_level_message(record) -> str:
    messages = [str(w.message) for w in record if issubclass(w.category, ChanceLevelWarning)]
    assert len(messages) == 1, messages
    return messages[0]


def test_an_unscaled_target_is_named_with_its_fix():
    model = make_pipeline(StandardScaler(), diabetes_model())
    with pytest.warns(ConvergenceWarning) as record:
        model.fit(X_DIABETES, Y_DIABETES)
    message = chance_level_message(record)
    assert "R^2 on its training data is -0.339" in message
    assert "targets are far from standardized (mean 152, standard deviation 77)" in message
    assert "TransformedTargetRegressor" in message and "StandardScaler()" in message
    assert "features" not in message  # they are scaled
    # and the fix works: no warning that the model is no better than the mean
    fixed = TransformedTargetRegressor(
        make_pipeline(StandardScaler(), diabetes_model()), transformer=StandardScaler()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 300 epochs are not all
        warnings.simplefilter("error", ChanceLevelWarning)
        fixed.fit(X_DIABETES, Y_DIABETES)
    assert fixed.score(X_DIABETES, Y_DIABETES) > 0.5


def test_features_advice_only_for_unscaled_features():
    y = (Y_DIABETES - Y_DIABETES.mean()) / Y_DIABETES.std()
    model = MLPRegressorNP(hidden_layer_sizes=(4,), max_iter=1, learning_rate_init=1e-6)
    for X, unscaled in [
        (X_DIABETES * 1000, True),
        (StandardScaler().fit_transform(X_DIABETES), False),
    ]:
        with pytest.warns(ConvergenceWarning) as record:
            model.set_params(random_state=0).fit(X, y)
        message = chance_level_message(record)
        assert "TransformedTargetRegressor" not in message  # the target is standardized
        assert ("The features are not scaled (10 of 10 columns" in message) is unscaled
        assert "smaller learning_rate_init or more iterations" in message


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("factor, unscaled", [(1e3, True), (1.0, False)])
def test_classifier_advice_names_the_features_only_when_unscaled(factor, unscaled, sparse):
    X, y = make_spiral(random_state=0)
    X = X * factor
    model = MLPClassifierNP((8,), max_iter=2, learning_rate_init=1e-5, random_state=0)
    with pytest.warns(ConvergenceWarning) as record:
        model.fit(sp.csr_matrix(X) if sparse else X, y)
    message = chance_level_message(record)
    assert ("The features are not scaled (2 of 2 columns" in message) is unscaled
    if unscaled:  # the scale is named
        std = X.std(axis=0)
        assert f"standard deviations from {std.min():.3g} to {std.max():.3g}" in message
    assert "smaller learning_rate_init or more iterations" in message


def test_a_poisson_target_is_not_advised_to_be_standardized():
    model = MLPRegressorNP("poisson", (4,), max_iter=1, learning_rate_init=1e-6, random_state=0)
    with pytest.warns(ConvergenceWarning) as record:
        model.fit(StandardScaler().fit_transform(X_DIABETES), Y_DIABETES)
    message = chance_level_message(record)  # standardized counts would be negative
    assert "R^2" in message and "TransformedTargetRegressor" not in message


def fit_directly(model, X, y):
    model.fit(X, y)


def fit_in_a_pipeline(model, X, y):
    make_pipeline(StandardScaler(), model).fit(X, y)


def fit_in_a_search(model, X, y):
    GridSearchCV(model, {"alpha": [1e-4]}, cv=2, n_jobs=1).fit(X, y)


def fit_in_cross_validation(model, X, y):
    cross_val_score(model, X, y, cv=2, n_jobs=1)


@pytest.mark.parametrize(
    "call", [fit_directly, fit_in_a_pipeline, fit_in_a_search, fit_in_cross_validation]
)
def test_warnings_name_the_line_of_the_caller(call):
    model = MLPRegressorNP(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning) as record:
        call(model, X_DIABETES[:100], Y_DIABETES[:100])
    assert {type(w.message) for w in record} == {ConvergenceWarning, ChanceLevelWarning}
    line = call.__code__.co_firstlineno + 1  # the one line of ``call``
    assert [(w.filename, w.lineno) for w in record] == [(__file__, line)] * len(record)


def test_warnings_of_a_fit_in_worker_threads_name_scikit_learn_at_worst():
    # No frame of the caller is on a worker thread's stack: the warning names
    # the first frame outside the package, scikit-learn's, not threading's.
    model = MLPRegressorNP(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    with parallel_config(backend="threading"), pytest.warns(ConvergenceWarning) as record:
        cross_val_score(model, X_DIABETES[:100], Y_DIABETES[:100], cv=2, n_jobs=2)
    assert len(record) == 4
    for w in record:
        assert f"{os.sep}sklearn{os.sep}" in w.filename, w.filename


def test_a_warning_to_a_script_read_from_stdin_names_its_line():
    # The source of "<stdin>" cannot be read back: the warning must still be
    # issued, naming the line, as warnings.warn would.
    script = (
        "from sklearn.datasets import load_diabetes\n"
        "from sknumpynet import MLPRegressorNP\n"
        "X, y = load_diabetes(return_X_y=True)\n"
        "MLPRegressorNP(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)\n"
    )
    done = subprocess.run(
        [sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "<stdin>:4: ConvergenceWarning: Stochastic Optimizer" in done.stderr
    assert "<stdin>:4: ChanceLevelWarning: The fitted model's R^2" in done.stderr
