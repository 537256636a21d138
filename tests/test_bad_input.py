"""Bad input gets a clear error of the right type, and changes nothing.

Every case of the table makes one failing call on a model that was already
fitted (or on a fresh one, for the errors only a fresh model can raise) and
checks three things: the exact exception type and its message, that the
arrays the caller passed are unchanged, and that the previously fitted model
still predicts exactly as before.
"""

import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sknumpynet import MLPClassifierNP, SoftmaxClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ESTIMATORS = {
    "softmax": SoftmaxClassifier(solver="sgd", max_iter=5, random_state=0),
    "mlp": MLPClassifierNP(hidden_layer_sizes=(5,), solver="sgd", max_iter=5, random_state=0),
}


def make_data():
    rng = np.random.RandomState(0)
    X = rng.randn(36, 4)
    y = np.tile([0, 1, 2], 12)
    return X, y


@dataclass
class Case:
    """One failing call: ``call(model, **args(X, y))`` with ``params`` set first."""

    id: str
    args: object  # (X, y) -> dict of what the caller passes
    exc: type
    match: str
    call: object = None  # (model, **args) -> None; default: model.fit(**args)
    params: dict = field(default_factory=dict)
    fresh: bool = False  # call it on an unfitted clone
    only: str | None = None  # "mlp": MLPClassifierNP's parameters only
    marks: tuple = ()  # pytest marks of the case


def fit(model, **kwargs):
    model.fit(**kwargs)


def partial_fit(model, **kwargs):
    model.partial_fit(**kwargs)


def method(name):
    def call(model, X):
        getattr(model, name)(X)

    return call


def with_value(X, index, value, dtype=None):
    X = X.astype(dtype or X.dtype)
    X[index] = value
    return X


def ones_but_first(value, n=36):
    w = np.ones(n)
    w[0] = value
    return w


CASES = [
    # ---- X
    Case(
        "X-nan",
        lambda X, y: dict(X=with_value(X, (0, 0), np.nan), y=y),
        ValueError,
        "Input X contains NaN",
    ),
    Case(
        "X-inf",
        lambda X, y: dict(X=with_value(X, (3, 1), np.inf), y=y),
        ValueError,
        "Input X contains infinity",
    ),
    Case(
        "X-sparse-nan",
        lambda X, y: dict(X=sp.csr_matrix(with_value(X, (0, 0), np.nan)), y=y),
        ValueError,
        "Input X contains NaN",
    ),
    Case(
        "X-empty",
        lambda X, y: dict(X=np.empty((0, 4)), y=np.empty(0)),
        ValueError,
        r"Found array with 0 sample\(s\)",
    ),
    Case(
        "X-no-features",
        lambda X, y: dict(X=np.empty((36, 0)), y=y),
        ValueError,
        r"Found array with 0 feature\(s\)",
    ),
    Case(
        "X-one-sample",
        lambda X, y: dict(X=X[:1].copy(), y=y[:1].copy()),
        ValueError,
        "needs samples of at least 2 classes",
    ),
    Case(
        "X-1d",
        lambda X, y: dict(X=X[:, 0].copy(), y=y),
        ValueError,
        "Expected 2D array, got 1D array",
    ),
    Case(
        "X-3d",
        lambda X, y: dict(X=X.reshape(36, 2, 2), y=y),
        ValueError,
        "Found array with dim 3",
    ),
    Case(
        "X-complex",
        lambda X, y: dict(X=X + 1j, y=y),
        ValueError,
        "Complex data not supported",
    ),
    Case(
        "X-strings",
        lambda X, y: dict(X=np.full((36, 4), "a"), y=y),
        ValueError,
        "could not convert string to float",
    ),
    Case(
        "X-object-dict",
        lambda X, y: dict(X=with_value(X, (0, 0), {"a": 1}, dtype=object), y=y),
        TypeError,
        "must be a string or a (real )?number, not 'dict'",
    ),
    Case(
        "X-dataframe-text-column",
        lambda X, y: dict(X=pd.DataFrame(X, columns=list("abcd")).assign(b="text"), y=y),
        ValueError,
        "could not convert string to float",
    ),
    Case(
        "X-ragged-list",
        lambda X, y: dict(X=[[1.0, 2.0], [3.0]], y=[0, 1]),
        ValueError,
        "inhomogeneous",
    ),
    Case(
        "X-y-lengths-differ",
        lambda X, y: dict(X=X, y=y[:-1].copy()),
        ValueError,
        r"inconsistent numbers of samples: \[36, 35\]",
    ),
    # ---- y
    Case(
        "y-nan",
        lambda X, y: dict(X=X, y=with_value(y, 5, np.nan, dtype=float)),
        ValueError,
        "Input y contains NaN",
    ),
    Case(
        "y-none",
        lambda X, y: dict(X=X, y=None),
        ValueError,
        "requires y to be passed",
    ),
    Case(
        "y-one-class",
        lambda X, y: dict(X=X, y=np.zeros(36)),
        ValueError,
        r"contains only one class: 0\.0\.",  # the label as Python writes it
    ),
    Case(
        "y-continuous",
        lambda X, y: dict(X=X, y=np.linspace(0, 1, 36)),
        ValueError,
        "Unknown label type: continuous",
    ),
    Case(
        "y-mixed-types",
        lambda X, y: dict(X=X, y=np.array([0, "a"] * 18, dtype=object)),
        ValueError,
        "Unknown label type",
    ),
    Case(
        "y-none-among-strings",
        lambda X, y: dict(X=X, y=np.array(["a", None, "b"] * 12, dtype=object)),
        TypeError,
        "y mixes labels of types that cannot be compared",
    ),
    Case(
        "y-nan-among-strings",
        lambda X, y: dict(X=X, y=np.array(["a", np.nan, "b"] * 12, dtype=object)),
        ValueError,
        "Input contains NaN",
    ),
    Case(
        "y-multiclass-multioutput",
        lambda X, y: dict(X=X, y=np.c_[y, y]),
        ValueError,
        "Multioutput target data is not supported",
    ),
    # ---- predict
    Case(
        "predict-wrong-n-features",
        lambda X, y: dict(X=X[:, :3].copy()),
        ValueError,
        "X has 3 features, but .* is expecting 4 features",
        call=method("predict"),
    ),
    Case(
        "predict_proba-nan",
        lambda X, y: dict(X=with_value(X, (1, 1), np.nan)),
        ValueError,
        "Input X contains NaN",
        call=method("predict_proba"),
    ),
    Case(
        "decision_function-3d",
        lambda X, y: dict(X=X.reshape(36, 2, 2)),
        ValueError,
        "Found array with dim 3",
        call=method("decision_function"),
    ),
    Case(
        "predict-before-fit",
        lambda X, y: dict(X=X),
        NotFittedError,
        "not fitted yet",
        call=method("predict"),
        fresh=True,
    ),
    Case(
        "predict_proba-before-fit",
        lambda X, y: dict(X=X),
        NotFittedError,
        "not fitted yet",
        call=method("predict_proba"),
        fresh=True,
    ),
    Case(
        "score-before-fit",
        lambda X, y: dict(X=X, y=y),
        NotFittedError,
        "not fitted yet",
        call=lambda model, X, y: model.score(X, y),
        fresh=True,
    ),
    # ---- partial_fit
    Case(
        "partial_fit-first-call-without-classes",
        lambda X, y: dict(X=X, y=y),
        ValueError,
        "classes must be passed on the first call",
        call=partial_fit,
        fresh=True,
    ),
    Case(
        "partial_fit-label-not-in-classes",
        lambda X, y: dict(X=X, y=y, classes=np.array([0, 1])),
        ValueError,
        r"y contains labels that are not in classes_: \[2\]",
        call=partial_fit,
        fresh=True,
    ),
    Case(
        "partial_fit-duplicate-classes",
        lambda X, y: dict(X=X, y=y, classes=[0, 1, 2, 2]),
        ValueError,
        "classes contains duplicate labels",
        call=partial_fit,
        fresh=True,
    ),
    Case(
        "partial_fit-classes-a-number",
        lambda X, y: dict(X=X, y=y, classes=3),
        ValueError,
        r"classes must be an array-like of labels \(a list, tuple or 1-D array\), got int 3",
        call=partial_fit,
        fresh=True,
    ),
    Case(
        "partial_fit-classes-a-set",
        lambda X, y: dict(X=X, y=y, classes={0, 1, 2}),
        ValueError,
        r"classes must be an array-like of labels .*, got set \{0, 1, 2\}",
        call=partial_fit,
        fresh=True,
    ),
    Case(
        "partial_fit-classes-2d",
        lambda X, y: dict(X=X, y=y, classes=[[0, 1, 2]]),
        ValueError,
        r"classes must be a 1-D array-like of labels, got an array of shape \(1, 3\)",
        call=partial_fit,
        fresh=True,
    ),
    Case(
        "partial_fit-classes-a-number-later",
        lambda X, y: dict(X=X, y=y, classes=3),
        ValueError,
        "classes must be an array-like of labels",
        call=partial_fit,
    ),
    Case(
        "partial_fit-unseen-label-later",
        lambda X, y: dict(X=X, y=with_value(y, 0, 7)),
        ValueError,
        r"y contains labels that are not in classes_: \[7\]",
        call=partial_fit,
    ),
    Case(
        "partial_fit-other-classes-later",
        lambda X, y: dict(X=X, y=y, classes=np.array([0, 1, 2, 3])),
        ValueError,
        "is not the same as on the first call to partial_fit",
        call=partial_fit,
    ),
    Case(
        "partial_fit-wrong-n-features",
        lambda X, y: dict(X=X[:, :3].copy(), y=y),
        ValueError,
        "X has 3 features, but .* is expecting 4 features",
        call=partial_fit,
    ),
    Case(
        "partial_fit-with-lbfgs",
        lambda X, y: dict(X=X, y=y),
        AttributeError,
        "has no attribute 'partial_fit'",
        call=lambda model, X, y: model.partial_fit(X, y),
        params=dict(solver="lbfgs"),
    ),
    Case(
        "partial_fit-balanced-class-weight",
        lambda X, y: dict(X=X, y=y),
        ValueError,
        "class_weight='balanced' is not supported by partial_fit",
        call=partial_fit,
        params=dict(class_weight="balanced"),
    ),
    # ---- sample_weight
    Case(
        "sample_weight-negative",
        lambda X, y: dict(X=X, y=y, sample_weight=ones_but_first(-1.0)),
        ValueError,
        "Negative values in sample_weight",
    ),
    Case(
        "sample_weight-nan",
        lambda X, y: dict(X=X, y=y, sample_weight=ones_but_first(np.nan)),
        ValueError,
        "sample_weight contains NaN",
    ),
    Case(
        "sample_weight-inf",
        lambda X, y: dict(X=X, y=y, sample_weight=ones_but_first(np.inf)),
        ValueError,
        "sample_weight contains NaN or infinity",
    ),
    Case(
        "sample_weight-wrong-length",
        lambda X, y: dict(X=X, y=y, sample_weight=np.ones(35)),
        ValueError,
        r"sample_weight.shape == \(35,\), expected \(36,\)",
    ),
    Case(
        "sample_weight-2d",
        lambda X, y: dict(X=X, y=y, sample_weight=np.ones((36, 1))),
        ValueError,
        "Sample weights must be 1D array or scalar",
    ),
    Case(
        "sample_weight-strings",
        lambda X, y: dict(X=X, y=y, sample_weight=np.full(36, "1")),
        TypeError,
        "sample_weight must be numeric",
    ),
    Case(
        "sample_weight-all-zero",
        lambda X, y: dict(X=X, y=y, sample_weight=np.zeros(36)),
        ValueError,
        "All sample weights are zero",
    ),
    Case(
        "sample_weight-one-class-left",
        lambda X, y: dict(X=X, y=y, sample_weight=(y == 0).astype(float)),
        ValueError,
        r"at least 2 classes with a positive sample weight; only \[0\]",
    ),
    Case(
        # scikit-learn takes a bool as a number: False gives every sample weight zero
        "sample_weight-false",
        lambda X, y: dict(X=X, y=y, sample_weight=False),
        ValueError,
        "All sample weights are zero",
    ),
    Case(
        "sample_weight-subnormal",
        lambda X, y: dict(X=X, y=y, sample_weight=np.full(36, 1e-320)),
        ValueError,
        r"sample_weight is too small for float64 .* its largest value, 1e-320, is below "
        "the smallest normal float64",
    ),
    Case(
        "sample_weight-too-large-for-float32",
        lambda X, y: dict(X=X.astype(np.float32), y=y, sample_weight=np.full(36, 1e39)),
        ValueError,
        r"sample_weight holds values up to 1e\+39, more than float32 \(the dtype of X\) can "
        "hold",
    ),
    Case(
        "sample_weight-tiny-beside-alpha",
        lambda X, y: dict(X=X, y=y, sample_weight=np.full(36, 1e-300)),
        ValueError,
        r"sample weights are too small beside alpha=1e\+20: .* alpha / 1e-300 is more than "
        "float64 can hold",
        params=dict(alpha=1e20),
    ),
    # ---- class_weight
    Case(
        "class_weight-unknown-label",
        lambda X, y: dict(X=X, y=y),
        ValueError,
        r"class_weight has weights for labels that are not classes: \[7\]",
        params=dict(class_weight={0: 1.0, 7: 2.0}),
    ),
    Case(
        "class_weight-negative",
        lambda X, y: dict(X=X, y=y),
        ValueError,
        "class_weight values must be finite and non-negative",
        params=dict(class_weight={0: -1.0}),
    ),
    Case(
        "class_weight-not-a-number",
        lambda X, y: dict(X=X, y=y),
        TypeError,
        "class_weight values must be numbers",
        params=dict(class_weight={0: "heavy"}),
    ),
    Case(
        "class_weight-unknown-string",
        lambda X, y: dict(X=X, y=y),
        InvalidParameterError,
        "'class_weight' parameter",
        params=dict(class_weight="balance"),
    ),
    Case(
        "class_weight-multilabel",
        lambda X, y: dict(X=X, y=np.c_[y == 0, y == 1, y > 0].astype(int)),
        ValueError,
        "class_weight is not supported for multilabel targets",
        params=dict(class_weight={0: 2.0}),
        fresh=True,
    ),
    # ---- parameters
    Case(
        "alpha-negative",
        lambda X, y: dict(X=X, y=y),
        InvalidParameterError,
        r"'alpha' parameter .* range \[0.0, inf\)",
        params=dict(alpha=-1.0),
    ),
    Case(
        "alpha-nan",
        lambda X, y: dict(X=X, y=y),
        InvalidParameterError,
        "'alpha' parameter",
        params=dict(alpha=np.nan),
    ),
    Case(
        "hidden_layer_sizes-zero",
        lambda X, y: dict(X=X, y=y),
        ValueError,
        r"hidden_layer_sizes must be positive integers, got \(0,\)",
        params=dict(hidden_layer_sizes=(0,)),
        only="mlp",
    ),
    Case(
        "hidden_layer_sizes-float",
        lambda X, y: dict(X=X, y=y),
        ValueError,
        r"hidden_layer_sizes must be positive integers, got \(2.5,\)",
        params=dict(hidden_layer_sizes=(2.5,)),
        only="mlp",
    ),
    Case(
        "hidden_layer_sizes-nested",
        lambda X, y: dict(X=X, y=y),
        ValueError,
        r"hidden_layer_sizes must be an int or a flat sequence of ints, .* got \[\[5, 3\]\]",
        params=dict(hidden_layer_sizes=[[5, 3]]),
        only="mlp",
    ),
    Case(
        "solver-unknown",
        lambda X, y: dict(X=X, y=y),
        InvalidParameterError,
        "'solver' parameter .* Got 'newton' instead",
        params=dict(solver="newton"),
    ),
    Case(
        "activation-unknown",
        lambda X, y: dict(X=X, y=y),
        InvalidParameterError,
        "'activation' parameter .* Got 'softsign' instead",
        params=dict(activation="softsign"),
        only="mlp",
    ),
    Case(
        "learning_rate-unknown",
        lambda X, y: dict(X=X, y=y),
        InvalidParameterError,
        "'learning_rate' parameter",
        params=dict(learning_rate="cosine"),
    ),
    Case(
        "learning_rate_init-zero",
        lambda X, y: dict(X=X, y=y),
        InvalidParameterError,
        r"'learning_rate_init' parameter .* range \(0.0, inf\)",
        params=dict(learning_rate_init=0.0),
    ),
    Case(
        "batch_size-zero",
        lambda X, y: dict(X=X, y=y),
        InvalidParameterError,
        "'batch_size' parameter .* Got 0 instead",
        params=dict(batch_size=0),
    ),
    Case(
        "max_iter-zero",
        lambda X, y: dict(X=X, y=y),
        InvalidParameterError,
        "'max_iter' parameter",
        params=dict(max_iter=0),
    ),
    Case(
        "momentum-above-one",
        lambda X, y: dict(X=X, y=y),
        InvalidParameterError,
        "'momentum' parameter",
        params=dict(momentum=1.5),
    ),
    Case(
        "validation_fraction-1.5",
        lambda X, y: dict(X=X, y=y),
        InvalidParameterError,
        r"'validation_fraction' parameter .* range \[0.0, 1.0\)",
        params=dict(validation_fraction=1.5),
    ),
    Case(
        "early_stopping-validation-set-too-small",
        lambda X, y: dict(X=X, y=y),
        ValueError,
        "validation set is too small: .* 1 sample",
        params=dict(early_stopping=True, validation_fraction=0.01),
    ),
    Case(
        # binary targets are split stratified, as scikit-learn's MLP splits them
        "early_stopping-binary-class-with-one-sample",
        lambda X, y: dict(X=X, y=(np.arange(len(y)) == 0).astype(int)),
        ValueError,
        "early_stopping cannot hold out .* least populated class",
        params=dict(early_stopping=True, validation_fraction=0.3),
    ),
    Case(
        "warm_start-other-n-features",
        lambda X, y: dict(X=X[:, :3].copy(), y=y),
        ValueError,
        "X has 3 features, but .* is expecting 4 features",
        params=dict(warm_start=True),
    ),
    Case(
        "warm_start-other-hidden-layers",
        lambda X, y: dict(X=X, y=y),
        ValueError,
        "layer shapes changed",
        params=dict(warm_start=True, hidden_layer_sizes=(6,)),
        only="mlp",
    ),
]

PARAMS = [
    pytest.param(name, case, id=f"{name}-{case.id}", marks=case.marks)
    for case in CASES
    for name in ESTIMATORS
    if case.only in (None, name)
]


def assert_unchanged(before, after):
    """The caller's arguments compare equal to the deep copies taken before."""
    assert type(before) is type(after)
    if isinstance(before, np.ndarray):
        assert before.dtype == after.dtype and before.shape == after.shape
        if before.dtype.kind == "O":
            assert before.tolist() == after.tolist()
        else:
            np.testing.assert_array_equal(before, after, strict=True)
    elif sp.issparse(before):
        assert before.format == after.format
        for attr in ("data", "indices", "indptr"):
            np.testing.assert_array_equal(getattr(before, attr), getattr(after, attr))
    elif isinstance(before, pd.DataFrame):
        pd.testing.assert_frame_equal(before, after)
    else:
        assert before == after


def predictions(model, X):
    return model.predict(X), model.predict_proba(X), [W.copy() for W in model.coefs_]


@pytest.mark.parametrize("name, case", PARAMS)
def test_bad_input_fails_clearly_and_changes_nothing(name, case):
    X, y = make_data()
    fitted = clone(ESTIMATORS[name]).fit(X, y)
    before = predictions(fitted, X)
    n_features = fitted.n_features_in_

    model = clone(fitted) if case.fresh else fitted
    model.set_params(**case.params)
    args = case.args(X, y)
    copies = copy.deepcopy(args)
    call = case.call or fit

    with pytest.raises(case.exc, match=case.match) as excinfo:
        call(model, **args)
    assert type(excinfo.value) is case.exc, f"raised {type(excinfo.value).__name__}"

    for key in args:
        assert_unchanged(copies[key], args[key])
    # The model that was fitted before the failure still predicts as before,
    # even where the failing call left a bad parameter set on it.
    assert fitted.n_features_in_ == n_features
    for old, new in zip(before, predictions(fitted, X)):
        for a, b in zip(old, new):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_sample_weight_true_is_one_per_sample(name):
    # as scikit-learn's _check_sample_weight takes any number, a bool included
    X, y = make_data()
    model = clone(ESTIMATORS[name])
    expected = model.fit(X, y, sample_weight=np.ones(36)).predict_proba(X)
    np.testing.assert_array_equal(model.fit(X, y, sample_weight=True).predict_proba(X), expected)


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_huge_sample_weights_are_rescaled_without_overflow(name, solver):
    # Weights of 1e307 sum to infinity; divided by their maximum first, they give
    # scikit-learn's objective: unit weights with alpha divided by 1e307.
    X, y = make_data()
    model = clone(ESTIMATORS[name]).set_params(solver=solver, alpha=1e-4)
    huge = model.fit(X, y, sample_weight=np.full(36, 1e307))
    assert huge.n_iter_ > 0
    proba = huge.predict_proba(X)
    model.set_params(alpha=1e-4 / 1e307)
    np.testing.assert_array_equal(
        model.fit(X, y, sample_weight=np.ones(36)).predict_proba(X), proba
    )


def test_the_documentation_states_the_number_of_cases():
    page = Path(__file__).resolve().parents[1] / "docs" / "user_guide" / "errors.rst"
    assert len({case.id for case in CASES}) == len(CASES)  # ids name one case each
    assert f"lists {len(CASES)} cases" in " ".join(page.read_text().split())


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_failed_fit_keeps_feature_names(name):
    """A refit rejected after X was validated keeps the first fit's columns."""
    X, y = make_data()
    df = pd.DataFrame(X, columns=list("abcd"))
    model = clone(ESTIMATORS[name]).fit(df, y)
    expected = model.predict(df)
    with pytest.raises(ValueError, match="only one class"):
        model.fit(pd.DataFrame(X[:, :3], columns=list("xyz")), np.zeros(36))
    assert model.feature_names_in_.tolist() == list("abcd")
    assert model.n_features_in_ == 4
    np.testing.assert_array_equal(model.predict(df), expected)


def test_changing_activation_after_fit_does_not_change_predictions():
    """Parameters take effect at fit: predict uses the fitted activation."""
    X, y = make_data()
    model = MLPClassifierNP(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(X, y)
    expected = model.predict_proba(X)
    model.set_params(activation="tanh")
    np.testing.assert_array_equal(model.predict_proba(X), expected)


def test_class_weight_dict_leaving_out_a_class_weighs_it_one():
    X, y = make_data()
    params = dict(solver="lbfgs", random_state=0)
    weighted = SoftmaxClassifier(class_weight={0: 3.0}, **params).fit(X, y)
    sample_weighted = SoftmaxClassifier(**params).fit(X, y, sample_weight=np.where(y == 0, 3, 1))
    np.testing.assert_allclose(weighted.coef_, sample_weighted.coef_)
