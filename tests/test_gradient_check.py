"""check_gradients: the analytic gradient of every loss path against finite differences."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknumpynet import (
    GradientCheckReport,
    MLPClassifierNP,
    SoftmaxClassifier,
    check_gradients,
    make_spiral,
)
from sknumpynet._network import Network

X_SPIRAL, Y_SPIRAL = make_spiral(n_samples=90, n_classes=3, random_state=0)
RNG = np.random.RandomState(0)
WEIGHTS = RNG.uniform(0.1, 3.0, X_SPIRAL.shape[0])
Y_MULTILABEL = np.c_[Y_SPIRAL == 0, X_SPIRAL[:, 0] > 0, (Y_SPIRAL == 1) | (X_SPIRAL[:, 1] > 0)]
Y_MULTILABEL = Y_MULTILABEL.astype(int)


def _mlp(**params):
    return MLPClassifierNP(hidden_layer_sizes=(7, 5), random_state=0, **params)


CASES = {
    "softmax multiclass": (SoftmaxClassifier(random_state=0), Y_SPIRAL, None),
    "softmax binary": (SoftmaxClassifier(random_state=0), Y_SPIRAL == 1, None),
    "softmax multilabel": (SoftmaxClassifier(random_state=0), Y_MULTILABEL, None),
    "mlp identity": (_mlp(activation="identity"), Y_SPIRAL, None),
    "mlp logistic": (_mlp(activation="logistic"), Y_SPIRAL, None),
    "mlp tanh": (_mlp(activation="tanh"), Y_SPIRAL, None),
    "mlp relu": (_mlp(activation="relu"), Y_SPIRAL, None),
    "mlp relu binary": (_mlp(activation="relu"), Y_SPIRAL == 2, None),
    "mlp tanh multilabel": (_mlp(activation="tanh"), Y_MULTILABEL, None),
    "mlp relu multilabel": (_mlp(activation="relu"), Y_MULTILABEL, None),
    "mlp leaky_relu": (_mlp(activation="leaky_relu"), Y_SPIRAL, None),
    "mlp elu": (_mlp(activation="elu"), Y_SPIRAL, None),
    "mlp softplus": (_mlp(activation="softplus"), Y_SPIRAL, None),
    "mlp gelu": (_mlp(activation="gelu"), Y_SPIRAL, None),
    "mlp silu": (_mlp(activation="silu"), Y_SPIRAL, None),
    "mlp gelu binary": (_mlp(activation="gelu"), Y_SPIRAL == 2, None),
    "mlp silu multilabel": (_mlp(activation="silu"), Y_MULTILABEL, None),
    "mlp elu sample_weight": (_mlp(activation="elu"), Y_SPIRAL, WEIGHTS),
    "mlp alpha=1": (_mlp(activation="tanh", alpha=1.0), Y_SPIRAL, None),
    "mlp sample_weight": (_mlp(activation="logistic"), Y_SPIRAL, WEIGHTS),
    "mlp class_weight dict": (
        _mlp(activation="tanh", class_weight={0: 1.0, 1: 3.0, 2: 0.5}),
        Y_SPIRAL,
        None,
    ),
    "mlp mish": (_mlp(activation="mish"), Y_SPIRAL, None),
    "mlp mish multilabel sample_weight": (_mlp(activation="mish"), Y_MULTILABEL, WEIGHTS),
    "mlp label_smoothing sample_weight": (
        _mlp(activation="tanh", label_smoothing=0.2),
        Y_SPIRAL,
        WEIGHTS,
    ),
    "mlp label_smoothing binary sample_weight": (
        _mlp(activation="tanh", label_smoothing=0.2),
        Y_SPIRAL == 2,
        WEIGHTS,
    ),
    "mlp label_smoothing multilabel sample_weight": (
        _mlp(activation="mish", label_smoothing=0.3),
        Y_MULTILABEL,
        WEIGHTS,
    ),
    "softmax label_smoothing class_weight": (
        SoftmaxClassifier(label_smoothing=0.1, class_weight="balanced", random_state=0),
        Y_SPIRAL,
        WEIGHTS,
    ),
    "softmax class_weight balanced + sample_weight": (
        SoftmaxClassifier(class_weight="balanced", alpha=0.5, random_state=0),
        np.where(Y_SPIRAL == 2, 0, Y_SPIRAL),
        WEIGHTS,
    ),
}


def test_selu_passes_and_its_kinks_are_avoided():
    # SELU networks start with zero intercepts: the spiral's centre row, at
    # the origin, would sit on every first-layer kink; shifted, none does.
    report = check_gradients(
        _mlp(activation="selu"), X_SPIRAL + 0.5, Y_SPIRAL, sample_weight=WEIGHTS
    )
    assert report.passed, str(report)
    assert report.max_relative_error < 1e-6
    assert all(len(a.indices) > 0 for a in report.arrays)


@pytest.mark.parametrize("case", list(CASES))
def test_every_loss_path_passes(case):
    estimator, y, sample_weight = CASES[case]
    report = check_gradients(estimator, X_SPIRAL, y, sample_weight=sample_weight)
    assert isinstance(report, GradientCheckReport)
    assert report.passed, str(report)
    assert report.max_relative_error < 1e-6
    assert all(len(a.indices) > 0 for a in report.arrays)
    # the estimator passed in is left as it was: unfitted
    assert not hasattr(estimator, "n_features_in_")


def test_report_names_every_array_and_prints_a_table():
    report = check_gradients(_mlp(activation="tanh"), X_SPIRAL, Y_SPIRAL, n_checks=4)
    names = ["coefs_[0]", "coefs_[1]", "coefs_[2]", "intercepts_[0]"]
    names += ["intercepts_[1]", "intercepts_[2]"]
    assert list(report.relative_errors) == names
    assert [a.shape for a in report.arrays] == [(2, 7), (7, 5), (5, 3), (7,), (5,), (3,)]
    assert [len(a.indices) for a in report.arrays] == [4, 4, 4, 4, 4, 3]
    text = str(report)
    assert repr(report) == text
    assert "PASSED" in text and "coefs_[1]" in text and "max rel. error" in text
    assert bool(report) is True
    for a in report.arrays:
        np.testing.assert_allclose(a.analytic, a.numerical, rtol=1e-6, atol=1e-12)


def test_fresh_estimator_starts_from_fits_initial_weights():
    # A single full batch of SGD records the loss at the initial weights.
    est = MLPClassifierNP(
        (6,),
        activation="tanh",
        solver="sgd",
        batch_size=1000,
        shuffle=False,
        max_iter=1,
        alpha=0.3,
        random_state=3,
        class_weight="balanced",
    )
    y = np.where(Y_SPIRAL == 2, 0, Y_SPIRAL)
    report = check_gradients(est, X_SPIRAL, y, sample_weight=WEIGHTS)
    with pytest.warns(ConvergenceWarning):
        fitted = clone(est).fit(X_SPIRAL, y, sample_weight=WEIGHTS)
    assert report.loss == pytest.approx(fitted.loss_curve_[0], rel=1e-12)


def test_fitted_estimator_is_checked_at_its_weights_in_float64():
    X32 = X_SPIRAL.astype(np.float32)
    est = MLPClassifierNP((8,), activation="relu", solver="lbfgs", max_iter=30, random_state=0)
    with pytest.warns(ConvergenceWarning):
        est.fit(X32, Y_SPIRAL)
    coefs = [W.copy() for W in est.coefs_]
    report = check_gradients(est, X32, Y_SPIRAL)
    assert report.passed, str(report)
    assert "fitted weights" in report.estimator_name
    assert all(np.array_equal(a, b) for a, b in zip(coefs, est.coefs_))
    assert est.coefs_[0].dtype == np.float32


def test_sparse_input_and_pipeline():
    Xs = sp.csr_matrix(np.where(np.abs(X_SPIRAL) > 0.3, X_SPIRAL, 0.0))
    assert check_gradients(_mlp(activation="logistic"), Xs, Y_SPIRAL).passed
    pipe = make_pipeline(StandardScaler(), _mlp(activation="tanh"))
    report = check_gradients(pipe, X_SPIRAL * 10 + 3, Y_SPIRAL)
    assert report.passed, str(report)
    assert not hasattr(pipe[0], "mean_")  # a fresh pipeline is not fitted


def test_relu_kinks_are_avoided_and_counted():
    # Large steps cross many kinks; those entries are redrawn, not reported.
    report = check_gradients(_mlp(activation="relu"), X_SPIRAL, Y_SPIRAL, h=0.01)
    assert report.n_kinks_avoided > 0
    assert "ReLU kink" in str(report)
    assert report.passed, str(report)


@pytest.mark.parametrize("activation", ["leaky_relu", "elu"])
def test_kinks_of_leaky_relu_and_elu_are_avoided_too(activation):
    report = check_gradients(_mlp(activation=activation), X_SPIRAL, Y_SPIRAL, h=0.01)
    assert report.n_kinks_avoided > 0
    assert report.passed, str(report)


def test_dropout_is_not_part_of_the_checked_objective():
    # check_gradients checks the deterministic objective: the network whole.
    plain = check_gradients(_mlp(activation="gelu"), X_SPIRAL, Y_SPIRAL)
    dropping = check_gradients(_mlp(activation="gelu", dropout=0.5), X_SPIRAL, Y_SPIRAL)
    assert dropping.passed, str(dropping)
    assert dropping.loss == plain.loss
    for a, b in zip(plain.arrays, dropping.arrays):
        np.testing.assert_array_equal(a.analytic, b.analytic)


def test_tiny_gradients_are_judged_against_rounding_noise():
    # Constant-zero features have gradients from the penalty alone (~1e-8),
    # which finite differences cannot resolve to a relative 1e-6.
    X = np.c_[X_SPIRAL * 8, np.zeros((X_SPIRAL.shape[0], 3))]
    report = check_gradients(_mlp(activation="relu"), X, Y_SPIRAL, n_checks=25)
    assert report.floor > 1e-8
    assert report.passed, str(report)


def test_a_wrong_gradient_fails(monkeypatch):
    original = Network.loss_grad

    def off_by_one_percent(self, X, Y, sample_weight, alpha):
        loss = original(self, X, Y, sample_weight, alpha)
        self.grads[: self.n_coef] *= 1.01  # e.g. a forgotten factor in the penalty
        return loss

    monkeypatch.setattr(Network, "loss_grad", off_by_one_percent)
    report = check_gradients(_mlp(activation="tanh"), X_SPIRAL, Y_SPIRAL)
    assert not report.passed
    assert 1e-3 < report.max_relative_error < 1e-2
    assert "FAILED" in str(report)
    assert all(err < 1e-6 for name, err in report.relative_errors.items() if "intercepts" in name)


def test_rejects_other_estimators():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils._param_validation import InvalidParameterError

    # An estimator of another kind is refused by parameter validation ...
    with pytest.raises(InvalidParameterError, match="'estimator' parameter of check_gradients"):
        check_gradients(LogisticRegression(), X_SPIRAL, Y_SPIRAL)
    # ... a pipeline ending in one by the check itself, which names what it checks.
    with pytest.raises(TypeError, match="sknumpynet's own estimators .* LogisticRegression"):
        check_gradients(make_pipeline(StandardScaler(), LogisticRegression()), X_SPIRAL, Y_SPIRAL)
