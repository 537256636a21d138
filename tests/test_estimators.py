"""The scikit-learn face: inputs, targets, weights, state, and composition."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknumpynet import MLPClassifierNP, SoftmaxClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ESTIMATORS = [
    SoftmaxClassifier(random_state=0, max_iter=50),
    MLPClassifierNP(
        hidden_layer_sizes=(16,), random_state=0, max_iter=50, learning_rate_init=0.01
    ),
]
IDS = ["softmax", "mlp"]


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=240, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    return X, y


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_methods_agree_with_each_other(est, data):
    X, y = data
    clf = clone(est).fit(X, y)
    proba = clf.predict_proba(X)
    log_proba = clf.predict_log_proba(X)
    scores = clf.decision_function(X)
    assert proba.shape == log_proba.shape == scores.shape == (240, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-12)
    np.testing.assert_allclose(np.exp(log_proba), proba, rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[scores.argmax(axis=1)])
    assert clf.score(X, y) == np.mean(clf.predict(X) == y)
    assert clf.score(X, y) > 0.7


def test_predict_log_proba_stays_finite_where_proba_underflows():
    X = np.array([[-1.0], [1.0]] * 10)
    y = np.array([0, 1] * 10)
    clf = SoftmaxClassifier(solver="lbfgs", alpha=0.0, random_state=0).fit(X, y)
    clf.coefs_[0][...] = 1e4  # logits of +-1e4: exp underflows
    log_proba = clf.predict_log_proba(np.array([[-1.0]]))
    assert np.isfinite(log_proba).all()
    z = -1e4 + clf.intercepts_[0][0]
    assert log_proba[0, 1] == pytest.approx(z)  # log(sigmoid(z)) = z for z << 0
    assert -1e-300 < log_proba[0, 0] <= 0


def test_binary_targets_use_one_logistic_output_and_string_labels():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    labels = np.array(["spam", "ham"])[y]
    clf = MLPClassifierNP(hidden_layer_sizes=(8,), random_state=0, max_iter=100).fit(X, labels)
    assert clf.n_outputs_ == 1 and clf.out_activation_ == "logistic"
    assert list(clf.classes_) == ["ham", "spam"]
    assert clf.decision_function(X).shape == (120,)
    proba = clf.predict_proba(X)
    assert proba.shape == (120, 2)
    np.testing.assert_array_equal(
        clf.predict(X), np.where(clf.decision_function(X) > 0, "spam", "ham")
    )
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-clf.decision_function(X))))


def test_softmax_linear_model_attributes_have_logistic_regression_shapes(data):
    X, y = data
    clf = SoftmaxClassifier(random_state=0).fit(X, y)
    assert clf.coef_.shape == (3, 8) and clf.intercept_.shape == (3,)
    np.testing.assert_allclose(X @ clf.coef_.T + clf.intercept_, clf.decision_function(X))
    binary = SoftmaxClassifier(random_state=0).fit(X, y == 0)
    assert binary.coef_.shape == (1, 8) and binary.intercept_.shape == (1,)
    assert clf.n_layers_ == 2


def test_multilabel_indicator_targets():
    X, Y = make_multilabel_classification(n_samples=150, n_classes=4, random_state=0)
    clf = MLPClassifierNP(hidden_layer_sizes=(20,), random_state=0, max_iter=300).fit(X, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 4
    pred = clf.predict(X)
    assert pred.shape == Y.shape and set(np.unique(pred)) <= {0, 1}
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))
    assert np.mean(pred == Y) > 0.8


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_float32_trains_and_predicts_in_float32(est, data):
    X, y = data
    clf32 = clone(est).fit(X.astype(np.float32), y)
    clf64 = clone(est).fit(X, y)
    assert all(W.dtype == np.float32 for W in clf32.coefs_ + clf32.intercepts_)
    assert clf32.predict_proba(X.astype(np.float32)).dtype == np.float32
    assert clf32.decision_function(X).dtype == np.float32
    np.testing.assert_allclose(
        clf32.predict_proba(X.astype(np.float32)), clf64.predict_proba(X), atol=1e-3
    )


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_sparse_input_gives_the_dense_model(fmt, solver, data):
    X, y = data
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    params = dict(hidden_layer_sizes=(10,), solver=solver, random_state=0, max_iter=30)
    dense = MLPClassifierNP(**params).fit(X, y)
    sparse = MLPClassifierNP(**params).fit(sp.csr_matrix(X).asformat(fmt), y)
    for a, b in zip(dense.coefs_, sparse.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dense.predict_proba(X), sparse.predict_proba(sp.csr_matrix(X)))


def test_pandas_dataframe_records_feature_names(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    clf = SoftmaxClassifier(random_state=0, max_iter=20).fit(df, pd.Series(y))
    assert list(clf.feature_names_in_) == list(df.columns)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        from_array = clf.predict(X)  # scikit-learn's warning: columns unnamed now
    np.testing.assert_array_equal(clf.predict(df), from_array)


def test_read_only_memmap_is_never_written(tmp_path, data):
    X, y = data
    path = tmp_path / "X.npy"
    np.save(path, X.astype(np.float32))
    X_map = np.load(path, mmap_mode="r")
    clf = MLPClassifierNP(hidden_layer_sizes=(8,), random_state=0, max_iter=5).fit(X_map, y)
    assert clf.coefs_[0].dtype == np.float32
    np.testing.assert_array_equal(np.load(path), X.astype(np.float32))
    clf.set_params(early_stopping=True).fit(X_map, y)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_same_random_state_gives_bit_identical_models(solver, data):
    X, y = data
    params = dict(hidden_layer_sizes=(12,), solver=solver, random_state=3, max_iter=20)
    a = MLPClassifierNP(**params).fit(X, y)
    b = MLPClassifierNP(**params).fit(X, y)
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(u, v)
    assert a.loss_curve_ == b.loss_curve_
    c = MLPClassifierNP(**{**params, "random_state": 4}).fit(X, y)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_pickle_round_trip_predicts_identically(est, data):
    X, y = data
    clf = clone(est).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    # and keeps training where it left off
    restored.partial_fit(X, y)
    clf.partial_fit(X, y)
    np.testing.assert_array_equal(restored.coefs_[0], clf.coefs_[0])


@pytest.mark.parametrize("batch_size", [1, 17, "auto", 10_000])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_batch_sizes_from_per_sample_to_full_batch(batch_size, solver, data):
    X, y = data
    clf = MLPClassifierNP(
        hidden_layer_sizes=(10,),
        solver=solver,
        batch_size=batch_size,
        learning_rate_init=0.01 if batch_size != 1 else 0.001,
        max_iter=15,
        random_state=0,
    ).fit(X, y)
    assert clf.t_ == 15 * X.shape[0]
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]


def test_learning_rate_schedules(data):
    X, y = data
    base = dict(hidden_layer_sizes=(10,), solver="sgd", random_state=0, max_iter=30)
    inv = MLPClassifierNP(learning_rate="invscaling", learning_rate_init=0.1, **base).fit(X, y)
    assert inv._optimizer.learning_rate == pytest.approx(0.1 / (inv.t_ + 1) ** 0.5)
    adaptive = MLPClassifierNP(
        learning_rate="adaptive", learning_rate_init=0.1, tol=10.0, n_iter_no_change=2, **base
    ).fit(X, y)
    assert adaptive._optimizer.learning_rate < 0.1  # divided by 5 on each plateau


def test_convergence_warning_when_max_iter_is_hit(data):
    X, y = data
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPClassifierNP(hidden_layer_sizes=(5,), max_iter=3, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        # stops on its own when the loss stops improving by tol
        clf = SoftmaxClassifier(tol=1e-2, max_iter=500, random_state=0).fit(X, y)
    assert clf.n_iter_ < 500


def test_early_stopping_restores_the_best_weights(data):
    X, y = data
    clf = MLPClassifierNP(
        hidden_layer_sizes=(30,),
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=5,
        max_iter=300,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X, y)
    assert clf.best_loss_ is None
    assert len(clf.validation_scores_) == clf.n_iter_ < 300
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    # It stopped after n_iter_no_change + 1 = 6 epochs without improvement
    # (np.argmax is 0-based: the best epoch is number n_iter_ - 6).
    assert np.argmax(clf.validation_scores_) == clf.n_iter_ - 7
    # Rebuild the held-out rows as scikit-learn's MLP holds them out: the
    # random state first draws the initial weights (two uniform draws per
    # layer), then splits, stratified for single-output targets only.
    rng = np.random.RandomState(0)
    for W in clf.coefs_:
        rng.uniform(size=W.shape)
        rng.uniform(size=W.shape[1])
    _, val_rows = train_test_split(np.arange(len(y)), test_size=0.2, random_state=rng)
    assert clf.score(X[val_rows], y[val_rows]) == clf.best_validation_score_


def test_partial_fit_needs_classes_then_learns_incrementally(data):
    X, y = data
    clf = MLPClassifierNP(hidden_layer_sizes=(16,), random_state=0, learning_rate_init=0.01)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    losses = []
    for _ in range(20):
        for chunk in np.array_split(np.arange(len(y)), 4):
            clf.partial_fit(X[chunk], y[chunk], classes=np.unique(y))
        losses.append(clf.loss_)
    assert losses[-1] < losses[0]
    assert clf.score(X, y) > 0.8
    # As scikit-learn's MLP: n_iter_ counts the epochs of the last call, t_ all samples.
    assert clf.n_iter_ == 1 and clf.t_ == 20 * len(y) and len(clf.loss_curve_) == 80
    assert not hasattr(MLPClassifierNP(solver="lbfgs"), "partial_fit")


def test_warm_start_continues_from_the_previous_weights(data):
    X, y = data
    clf = MLPClassifierNP(hidden_layer_sizes=(16,), max_iter=5, warm_start=True, random_state=0)
    clf.fit(X, y)
    first = clf.loss_curve_[-1]
    clf.fit(X, y)
    # n_iter_ counts the last call's epochs (scikit-learn >= 1.3); the curve goes on.
    assert clf.n_iter_ == 5 and len(clf.loss_curve_) == 10 and clf.t_ == 10 * len(y)
    assert clf.loss_curve_[5] < first  # no restart from a fresh initialization
    cold = clone(clf).set_params(warm_start=False).fit(X, y)
    assert cold.n_iter_ == 5


def test_integer_sample_weights_equal_repeated_samples(data):
    X, y = data
    X, y = X[:60], y[:60]
    sw = np.random.RandomState(0).randint(0, 4, size=60)
    params = dict(solver="lbfgs", alpha=1.0, random_state=0, tol=1e-10, max_iter=1000)
    weighted = SoftmaxClassifier(**params).fit(X, y, sample_weight=sw)
    repeated = SoftmaxClassifier(**params).fit(np.repeat(X, sw, axis=0), np.repeat(y, sw))
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-6)


def test_weights_keep_one_scale_across_mini_batches(data):
    X, y = data
    order = np.argsort(np.arange(len(y)) % 2, kind="stable")  # zero-weight rows first
    X, y = X[order], y[order]
    sw = np.r_[np.zeros(len(y) // 2), np.ones(len(y) - len(y) // 2)]
    params = dict(
        hidden_layer_sizes=(8,), batch_size=20, shuffle=False, random_state=0, max_iter=5
    )
    clf = MLPClassifierNP(**params).fit(X, y, sample_weight=sw)  # 6 all-zero batches
    assert np.isfinite(clf.loss_curve_).all()
    # Without a penalty, scaling every weight by a constant changes nothing:
    # the weights are rescaled to mean one over the whole training set.
    params["alpha"] = 0.0
    clf = MLPClassifierNP(**params).fit(X, y, sample_weight=sw)
    scaled = MLPClassifierNP(**params).fit(X, y, sample_weight=7 * sw)
    np.testing.assert_allclose(scaled.coefs_[0], clf.coefs_[0], rtol=1e-6, atol=1e-8)


def test_class_weight_balanced_and_dict_shift_predictions():
    X, y = make_classification(n_samples=300, weights=[0.9, 0.1], random_state=0)
    params = dict(hidden_layer_sizes=(10,), random_state=0, max_iter=100)
    plain = MLPClassifierNP(**params).fit(X, y)
    balanced = MLPClassifierNP(class_weight="balanced", **params).fit(X, y)
    assert np.mean(balanced.predict(X) == 1) > np.mean(plain.predict(X) == 1)
    manual = dict(zip([0, 1], len(y) / (2 * np.bincount(y))))
    as_dict = MLPClassifierNP(class_weight=manual, **params).fit(X, y)
    np.testing.assert_allclose(as_dict.coefs_[0], balanced.coefs_[0], rtol=1e-6)
    via_weights = MLPClassifierNP(**params).fit(X, y, sample_weight=np.vectorize(manual.get)(y))
    np.testing.assert_allclose(via_weights.coefs_[0], balanced.coefs_[0], rtol=1e-6)


def test_composes_with_pipeline_grid_search_and_cross_validation():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(), MLPClassifierNP(hidden_layer_sizes=(10,), random_state=0)
    )
    search = GridSearchCV(pipe, {"mlpclassifiernp__alpha": [1e-4, 1e-2]}, cv=3).fit(X, y)
    assert search.best_score_ > 0.85
    scores = cross_val_score(
        make_pipeline(StandardScaler(), SoftmaxClassifier(random_state=0)), X, y, cv=3
    )
    assert scores.mean() > 0.85
    assert clone(search.best_estimator_).get_params()["mlpclassifiernp__alpha"] in (1e-4, 1e-2)
