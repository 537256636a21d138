"""TabularMLPClassifier and TabularMLPRegressor as estimators: what they learn,
what they publish, and what they refuse."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone as sklearn_clone
from sklearn.datasets import load_breast_cancer, make_regression
from sklearn.model_selection import cross_val_score, train_test_split

from sknumpynet import (
    ChanceLevelWarning,
    DivergenceError,
    MLPClassifierNP,
    MLPRegressorNP,
    TabularMLPClassifier,
    TabularMLPRegressor,
    check_gradients,
)
from sknumpynet._callbacks import CALLBACKS_AVAILABLE
from sknumpynet._tabular import STEP_BUDGET

# one network (n_cv=1): "auto" would fit 5 on tables this small
SMALL = dict(hidden_layer_sizes=(32, 32), max_iter=24, batch_size=32, random_state=0, n_cv=1)


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return train_test_split(X, y, random_state=0)


def test_classifier_learns_an_unscaled_table(cancer):
    """Unscaled columns (areas in the thousands beside ratios below one): the
    encoder's robust scaling is all the preprocessing it needs."""
    X_train, X_test, y_train, y_test = cancer
    clf = TabularMLPClassifier(**SMALL).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.93  # chance: 0.63
    proba = clf.predict_proba(X_test)
    assert proba.dtype == np.float64  # computed in float64 from the float32 weights
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X_test))


def test_the_kept_epoch_is_the_best_on_validation(cancer):
    X_train, _, y_train, _ = cancer
    clf = TabularMLPClassifier(**SMALL).fit(X_train, y_train)
    assert clf.n_iter_ == 24  # n_iter_no_change=inf: every epoch is trained
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert len(clf.validation_scores_) == 24


def test_scoring_loss_keeps_the_epoch_of_the_lowest_validation_loss(cancer, monkeypatch):
    X_train, X_test, y_train, y_test = cancer
    seen = []  # the first layer's weights at each validation
    validation_score = TabularMLPClassifier._validation_score

    def spy(self, *args):
        score = validation_score(self, *args)

        def recorded(net):
            seen.append(net.coefs[0].copy())
            return score(net)

        return recorded

    monkeypatch.setattr(TabularMLPClassifier, "_validation_score", spy)
    by_accuracy = TabularMLPClassifier(**SMALL).fit(X_train, y_train)
    epochs, seen[:] = list(seen), []
    by_loss = TabularMLPClassifier(**SMALL, scoring="loss").fit(X_train, y_train)
    # the same training, the same held-out rows: only the epoch kept differs
    np.testing.assert_array_equal(by_loss.loss_curve_, by_accuracy.loss_curve_)
    np.testing.assert_array_equal(
        by_loss.validation_loss_curve_, by_accuracy.validation_loss_curve_
    )
    losses = np.asarray(by_loss.validation_loss_curve_)
    np.testing.assert_array_equal(by_loss.validation_scores_, -losses)
    assert by_loss.best_validation_score_ == -losses.min()
    accuracies = np.asarray(by_accuracy.validation_scores_)
    best_accuracy = np.flatnonzero(accuracies == accuracies.max())[-1]  # ties: the later
    # each model is its epoch's: here accuracy peaks at epoch 17, the loss at 14
    assert (best_accuracy, int(np.argmin(losses))) == (17, 14)
    np.testing.assert_array_equal(by_accuracy.coefs_[0], epochs[best_accuracy])
    np.testing.assert_array_equal(by_loss.coefs_[0], seen[int(np.argmin(losses))])
    assert by_loss.score(X_test, y_test) >= 0.93


def test_scoring_other_than_accuracy_or_loss_is_refused(cancer):
    X_train, _, y_train, _ = cancer
    with pytest.raises(ValueError, match="scoring"):
        TabularMLPClassifier(**SMALL, scoring="neg_log_loss").fit(X_train, y_train)


def test_a_warm_start_refuses_another_scoring_and_keeps_the_model(cancer):
    X_train, _, y_train, _ = cancer
    for first, then in (("accuracy", "loss"), ("loss", "accuracy")):
        clf = TabularMLPClassifier(**SMALL, scoring=first).fit(X_train, y_train)
        coefs, scores = clf.coefs_[0].copy(), list(clf.validation_scores_)
        clf.set_params(warm_start=True, scoring=then)
        with pytest.raises(ValueError, match=f"scoring gave '{first}' there and '{then}' now"):
            clf.fit(X_train, y_train)
        np.testing.assert_array_equal(clf.coefs_[0], coefs)
        assert clf.validation_scores_ == scores
        # the same rule goes on, choosing among old and new epochs alike
        clf.set_params(scoring=first).fit(X_train, y_train)
        assert len(clf.validation_scores_) == 48
        assert clf.best_validation_score_ == max(clf.validation_scores_)


def test_the_attributes_say_what_the_validation_scores_are():
    doc = TabularMLPClassifier.__doc__
    assert doc.count('with ``scoring="loss"``: minus the') == 2


def test_float64_on_request(cancer):
    X_train, X_test, y_train, _ = cancer
    clf = TabularMLPClassifier(**SMALL, dtype="float64").fit(X_train, y_train)
    assert clf.coefs_[0].dtype == np.float64
    assert all(w.dtype == np.float64 for w in clf.input_weights_.values())


@pytest.mark.parametrize("n_rows", [200, 3000, 40000])
def test_auto_epochs_keep_to_the_step_budget(n_rows):
    from sknumpynet._training import TrainingProblem

    clf = TabularMLPClassifier()
    problem = TrainingProblem(None, np.empty((n_rows, 1)), None, None, 0.0)
    epochs = clf._max_epochs(problem)
    steps = -(-n_rows // 256)
    assert epochs == min(256, max(16, STEP_BUDGET // steps))
    assert epochs * steps <= max(STEP_BUDGET, 16 * steps)


def test_regressor_standardizes_targets_and_clips_predictions():
    X, y = make_regression(400, 6, noise=5.0, random_state=0)
    y = 1000.0 + 50.0 * y  # far from standardized
    reg = TabularMLPRegressor(**SMALL).fit(X[:300], y[:300])
    assert reg.score(X[300:], y[300:]) > 0.9
    scaling = reg._target_scaling
    np.testing.assert_allclose(scaling["center"], y[:300].mean())
    np.testing.assert_allclose(scaling["scale"], y[:300].std())
    far = reg.predict(X[300:] * 100)  # far outside the training rows
    assert far.dtype == np.float64
    assert far.min() >= y[:300].min() and far.max() <= y[:300].max()


def test_regressor_multioutput_and_poisson():
    rs = np.random.RandomState(0)
    X = rs.normal(size=(300, 4))
    Y = np.column_stack([X[:, 0] + X[:, 1], X[:, 2] - X[:, 3]])
    reg = TabularMLPRegressor(**SMALL).fit(X, Y)
    assert reg.predict(X).shape == (300, 2)
    assert reg.score(X, Y) > 0.9
    counts = rs.poisson(np.exp(0.5 * X[:, 0]))
    poisson = TabularMLPRegressor(loss="poisson", **SMALL).fit(X, counts)
    assert (poisson.predict(X) > 0).all()
    # counts are divided by their mean only: no centering, no clipping
    assert poisson._target_scaling["center"].tolist() == [0.0]


def test_partial_fit_and_warm_start_go_on_from_the_fitted_model(cancer):
    X_train, X_test, y_train, y_test = cancer
    clf = TabularMLPClassifier(**SMALL, early_stopping=False)
    for _ in range(3):
        clf.partial_fit(X_train, y_train, classes=[0, 1])
    assert clf.t_ == 3 * X_train.shape[0]  # samples seen
    encoder = clf._encoder
    clf.partial_fit(X_train, y_train)
    assert clf._encoder is encoder  # the encoder is fitted once
    warm = TabularMLPClassifier(**SMALL, warm_start=True).fit(X_train, y_train)
    first = [W.copy() for W in warm.coefs_]
    warm.set_params(max_iter=2).fit(X_train, y_train)
    assert len(warm.loss_curve_) == 26  # the curve goes on
    assert not np.array_equal(first[0], warm.coefs_[0])


def test_pickle_round_trip_predicts_the_same(cancer):
    X_train, X_test, y_train, _ = cancer
    clf = TabularMLPClassifier(**SMALL).fit(X_train, y_train)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X_test), clf.predict_proba(X_test))


def test_cross_validation_refits_the_encoder_per_split(cancer):
    X_train, _, y_train, _ = cancer
    scores = cross_val_score(TabularMLPClassifier(**SMALL), X_train, y_train, cv=3)
    assert scores.min() > 0.9


def test_tampered_input_weights_are_refused(cancer):
    X_train, X_test, y_train, _ = cancer
    clf = TabularMLPClassifier(**SMALL).fit(X_train, y_train)
    clf.input_weights_["scale"][3] = np.nan
    with pytest.raises(ValueError, match=r"input_weights_\['scale'\] holds NaN"):
        clf.predict(X_test)
    clf.input_weights_["scale"] = clf.input_weights_["scale"][:-1]
    with pytest.raises(ValueError, match=r"input_weights_\['scale'\] must be a float32 array"):
        clf.predict(X_test)


def test_parametric_activations_are_learned_published_and_predicted_with(cancer):
    """Their weights start at 1 and move; predictions use them; partial_fit
    goes on from them; and a tampered set is refused."""
    X_train, X_test, y_train, y_test = cancer
    clf = TabularMLPClassifier(**SMALL).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.93
    mixes = clf.activation_weights_
    assert [a.shape for a in mixes] == [(32,), (32,)]
    assert all(a.dtype == np.float32 for a in mixes)
    assert all(0 < np.abs(a - 1).max() < 0.5 for a in mixes)
    plain = TabularMLPClassifier(**SMALL, parametric_activation=False).fit(X_train, y_train)
    assert plain.activation_weights_ is None
    proba = clf.predict_proba(X_test)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X_test), proba)
    again.activation_weights_[1][:] = 0.0  # the last hidden layer made linear
    assert np.abs(again.predict_proba(X_test) - proba).max() > 1e-3
    before = [a.copy() for a in mixes]
    clf.set_params(learning_rate_init=1e-3).partial_fit(X_train, y_train)
    # one more epoch at a small rate: near, not at, where they were
    for a, b in zip(clf.activation_weights_, before):
        assert 0 < np.abs(a - b).max() < 0.05
    clf.activation_weights_[0][2] = np.inf
    with pytest.raises(ValueError, match="activation_weights_ holds NaN or infinite"):
        clf.predict(X_test)
    clf.activation_weights_ = clf.activation_weights_[:1]
    with pytest.raises(ValueError, match="activation_weights_ must be a list of float32"):
        clf.predict(X_test)


def test_onnx_and_sklearn_conversions_are_refused(cancer):
    X_train, _, y_train, _ = cancer
    clf = TabularMLPClassifier(**SMALL).fit(X_train, y_train)
    with pytest.raises(TypeError, match="to_sklearn|no scikit-learn counterpart"):
        clf.to_sklearn()
    pytest.importorskip("skl2onnx")
    from sknumpynet.onnx import to_onnx

    with pytest.raises(TypeError, match="cannot be exported to ONNX"):
        to_onnx(clf, X_train[:1])
    import skl2onnx

    with pytest.raises(TypeError, match="cannot be exported to ONNX"):
        skl2onnx.to_onnx(clf, X_train[:1])


@pytest.mark.parametrize("estimator", [TabularMLPClassifier, TabularMLPRegressor])
@pytest.mark.parametrize("activation", ["selu", "mish", "relu"])
@pytest.mark.parametrize(
    "embedding, members, parametric",
    [
        ("piecewise", 1, False),
        ("periodic", 1, False),
        ("piecewise", 2, False),
        ("piecewise", 1, True),
    ],
)
def test_gradients_through_the_whole_model(estimator, activation, embedding, members, parametric):
    """check_gradients builds the estimator's own problem: the encoder, the
    input block, the dense layers (with parametric activations or not) and
    the loss, in float64."""
    rs = np.random.RandomState(0)
    X = rs.normal(size=(20, 3)) * [1, 100, 0.01]
    y = (X[:, 0] > 0).astype(int) if estimator is TabularMLPClassifier else X[:, 0]
    model = estimator(
        (6, 5),
        activation,
        alpha=0.01,
        random_state=0,
        numerical_embedding=embedding,
        n_bins=4,
        n_members=members,
        parametric_activation=parametric,
    )
    report = check_gradients(model, X, y)
    assert report.passed, str(report)


def test_piecewise_bins_are_quantiles_of_the_scaled_columns(cancer):
    """The edges: 48 + 1 quantiles of each scaled training column, fewer for a
    column of few values; sample weights count as repeats of the rows; a
    partial fit keeps the edges of the first fit."""
    X_train, X_test, y_train, y_test = cancer
    X_train = X_train.copy()
    X_train[:, 0] = np.round(X_train[:, 0])  # about 20 values
    params = dict(SMALL, numerical_embedding="piecewise", early_stopping=False)
    clf = TabularMLPClassifier(**params).fit(X_train, y_train)
    scaled = clf._encoder.transform(X_train).num
    levels = np.linspace(0, 1, 49)
    bins = clf._input_spec["bins"]
    for j in (1, 5, 29):
        np.testing.assert_allclose(bins[j], np.quantile(scaled[:, j], levels))
    np.testing.assert_allclose(bins[0], np.unique(np.quantile(scaled[:, 0], levels)))
    assert len(bins[0]) < 49
    assert clf.input_weights_["bin_weights"].shape == (30, 48, 3)
    assert clf.score(X_test, y_test) >= 0.93

    weights = np.random.RandomState(0).randint(0, 3, X_train.shape[0])
    weighted = TabularMLPClassifier(**(params | {"max_iter": 1}))
    weighted.fit(X_train, y_train, sample_weight=weights)
    repeated = TabularMLPClassifier(**(params | {"max_iter": 1}))
    repeated.fit(np.repeat(X_train, weights, axis=0), np.repeat(y_train, weights))
    np.testing.assert_allclose(
        np.concatenate(weighted._input_spec["bins"]),
        np.concatenate(repeated._input_spec["bins"]),
    )

    before = [list(edges) for edges in clf._input_spec["bins"]]
    clf.partial_fit(X_train[:50] * 3, y_train[:50])
    assert clf._input_spec["bins"] == before


def test_piecewise_bins_with_weights_that_are_not_counts():
    """Weights scaled together give the edges of no weights (the encoder's
    rule: weights that are not whole numbers are scaled to a mean of one); a
    column whose quantiles coincide gets one bin, a linear map."""
    rs = np.random.RandomState(0)
    X = np.column_stack([rs.normal(size=200), np.r_[np.full(199, 5.0), 7.0]])
    y = X[:, 0] + rs.normal(size=200)
    params = dict(hidden_layer_sizes=(8,), max_iter=100, random_state=0, n_cv=1)
    plain = TabularMLPRegressor(**params).fit(X, y)
    scaled = TabularMLPRegressor(**params).fit(X, y, sample_weight=np.full(200, 1 / 200))
    assert scaled._input_spec["bins"] == plain._input_spec["bins"]
    weights = np.ones(200)
    weights[-1] = 0.5  # the rare value's row: every quantile is 5.0 after scaling
    rare = TabularMLPRegressor(**params).fit(X, y, sample_weight=weights)
    edges = rare._input_spec["bins"][1]
    assert len(edges) == 2 and edges[1] - edges[0] == 1.0
    assert np.isfinite(rare.predict(X)).all()


@pytest.mark.parametrize(
    "change, parameter",
    [
        (dict(numerical_embedding="periodic"), "numerical_embedding"),
        (dict(feature_scale=False), "feature_scale"),
        (dict(n_members=2), "n_members"),
        (dict(parametric_activation=False), "parametric_activation"),
    ],
)
def test_warm_start_refuses_another_input_block(cancer, change, parameter):
    X_train, _, y_train, _ = cancer
    params = dict(SMALL, max_iter=1, warm_start=True)
    clf = TabularMLPClassifier(**params).fit(X_train, y_train)
    before = clf.coefs_[0].copy()
    with pytest.raises(ValueError, match=f"{parameter} gave .* there and .* now"):
        clf.set_params(**change).fit(X_train, y_train)
    np.testing.assert_array_equal(clf.coefs_[0], before)
    with pytest.raises(ValueError, match=f"{parameter} gave"):
        clf.partial_fit(X_train, y_train)


# scikit-learn's MLP warns after one epoch that it did not converge
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("Estimator", [TabularMLPClassifier, TabularMLPRegressor])
def test_a_failed_fit_does_not_ask_to_scale_what_the_estimator_scales(Estimator):
    """A fit no better than chance says so, without the scaling advice of the
    other estimators: the encoder scales the numbers (here about 5,000), and
    the network's input holds category codes (0 to 29), which are meant to
    be far from standardized."""
    rs = np.random.RandomState(0)
    X = np.column_stack([rs.randint(0, 30, 400), 5000.0 + 1000.0 * rs.normal(size=400)])
    y = rs.randint(0, 2, 400) if Estimator is TabularMLPClassifier else rs.normal(size=400)
    model = Estimator(max_iter=1, n_cv=1, categorical_features=[0], random_state=0)
    with pytest.warns(ChanceLevelWarning, match="no better") as record:
        model.fit(X, y)
    message = str(record[0].message)
    assert "scale" not in message and "standardized" not in message
    assert message.endswith("Try a smaller learning_rate_init or more iterations.")
    # the advice the others give on the same numbers
    with pytest.warns(ChanceLevelWarning, match="not scaled"):
        mlp = MLPClassifierNP if Estimator is TabularMLPClassifier else MLPRegressorNP
        mlp(max_iter=1, random_state=0).fit(X, y)


@pytest.mark.parametrize("Estimator", [TabularMLPClassifier, TabularMLPRegressor])
def test_a_divergence_does_not_ask_to_scale_what_the_estimator_scales(Estimator):
    """A diverging tabular fit suggests a smaller step, not scaling the
    features (nor scikit-learn's "may contain large values" for weights
    turned NaN); the estimator stays unfitted."""
    rs = np.random.RandomState(0)
    X = np.column_stack([rs.randint(0, 30, 400), 5000.0 + 1000.0 * rs.normal(size=400)])
    y = rs.randint(0, 2, 400) if Estimator is TabularMLPClassifier else rs.normal(size=400)
    # the loss explodes (early stopping would train through it); the weights turn NaN
    for rate, early_stopping in ((1e2, False), (1e8, True)):
        model = Estimator(
            learning_rate_init=rate,
            weight_decay=0.0,
            max_iter=5,
            n_cv=1,
            early_stopping=early_stopping,
            categorical_features=[0],
            random_state=0,
        )
        with pytest.raises(DivergenceError, match="diverged") as raised:
            model.fit(X, y)
        message = str(raised.value)
        assert message.endswith(f"Try a smaller learning_rate_init (it was {rate:g}).")
        assert "scal" not in message and "preprocessed" not in message
        assert not hasattr(model, "coefs_")


# the targets are noise: a fit no better than chance says so, as it should
@pytest.mark.filterwarnings("ignore::sknumpynet.ChanceLevelWarning")
@pytest.mark.parametrize("Estimator", [TabularMLPClassifier, TabularMLPRegressor])
def test_early_stopping_trains_through_a_finite_loss_spike(Estimator):
    """With early stopping, the epoch of the best held-out score is restored: a
    loss that explodes to a thousand times its start and stays finite does not
    stop the fit (RealMLP's steps on a short schedule spike so and come back),
    while a NaN loss still does (see the test above)."""
    rs = np.random.RandomState(0)
    X = np.column_stack([rs.randint(0, 30, 400), 5000.0 + 1000.0 * rs.normal(size=400)])
    y = rs.randint(0, 2, 400) if Estimator is TabularMLPClassifier else rs.normal(size=400)
    params = dict(learning_rate_init=1e2, weight_decay=0.0, max_iter=5, n_cv=1)
    model = Estimator(**params, categorical_features=[0], random_state=0).fit(X, y)
    # the same fit without early stopping stops in epoch 2 (the test above)
    assert model.n_iter_ == 5
    assert np.isfinite(model.predict(X).astype(float)).all()


def test_the_divergence_guard_lets_finite_spikes_pass_only_when_asked():
    from types import SimpleNamespace

    from sknumpynet._hooks import EXPLOSION_FACTOR, DivergenceGuard

    state = SimpleNamespace(n_iter=0)
    for finite_spikes in (False, True):
        guard = DivergenceGuard(0.1, finite_spikes=finite_spikes)
        guard.on_batch_end(state, 2.0)  # the reference
        guard.on_batch_end(state, 2.0 * EXPLOSION_FACTOR)  # at the limit
        if finite_spikes:
            guard.on_batch_end(state, 1e30)
        else:
            with pytest.raises(DivergenceError, match="exploded to more than 1000 times"):
                guard.on_batch_end(state, 1e30)
        for bad in (np.inf, np.nan):
            with pytest.raises(DivergenceError, match="infinite or NaN"):
                guard.on_batch_end(state, bad)


# the targets are noise: a fit no better than the mean says so, as it should
@pytest.mark.filterwarnings("ignore::sknumpynet.ChanceLevelWarning")
def test_piecewise_start_keeps_tiny_tables_from_diverging():
    """30 rows, one integer column of 5 values: with the piecewise maps started
    at zero, the first layer's data-dependent start scaled up units that the
    one varying input left almost constant, and 4 of these 10 seeds (20 of
    100) diverged at the regressor's learning rate of 0.2."""
    rs = np.random.RandomState(3)
    X = rs.randint(0, 5, size=(30, 1)).astype(float)
    y = rs.randint(0, 3, size=30).astype(float)
    for seed in range(10):
        reg = TabularMLPRegressor(random_state=seed, n_cv=1).fit(X, y)
        assert np.isfinite(reg.predict(X)).all()


def test_piecewise_embedding_learns_a_step_that_the_numbers_hide():
    """A target that jumps between neighbouring values of an integer code (a
    region, a shop): the bins let the network cut the code into intervals."""
    rs = np.random.RandomState(0)
    code = rs.randint(0, 40, 3000)
    effect = rs.normal(size=40)
    y = effect[code] + 0.1 * rs.normal(size=3000)
    X = np.column_stack([code, rs.normal(size=3000)])
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    params = dict(hidden_layer_sizes=(64, 64), max_iter=40, random_state=0)
    scores = {
        embedding: TabularMLPRegressor(numerical_embedding=embedding, **params)
        .fit(X_train, y_train)
        .score(X_test, y_test)
        for embedding in ("piecewise", None)
    }
    assert scores["piecewise"] > 0.9
    assert scores["piecewise"] > scores[None] + 0.2


def test_streamed_data_is_refused_with_the_reason(cancer):
    da = pytest.importorskip("dask.array")
    X_train, X_test, y_train, _ = cancer
    with pytest.raises(TypeError, match="fits tables in memory"):
        TabularMLPClassifier(**SMALL).fit(da.from_array(X_train, chunks=100), y_train)
    clf = TabularMLPClassifier(**SMALL).fit(X_train, y_train)
    with pytest.raises(TypeError, match="predicts tables in memory"):
        clf.predict(da.from_array(X_test, chunks=50))


@pytest.mark.skipif(not CALLBACKS_AVAILABLE, reason="scikit-learn < 1.9 has no callbacks")
@pytest.mark.parametrize("estimator", [TabularMLPClassifier, TabularMLPRegressor])
def test_callbacks_score_the_model_of_each_epoch_on_the_table_as_given(estimator):
    """The copy a callback scores encodes the table itself and predicts in the
    targets' units: its score after the last epoch is the fitted model's."""
    from sklearn.callback import ScoringMonitor

    pd = pytest.importorskip("pandas")
    rs = np.random.RandomState(0)
    X = pd.DataFrame({"a": rs.normal(size=200), "b": rs.choice(["x", "y", "z"], 200)})
    y = 10.0 + 5.0 * (X["a"] + (X["b"] == "x"))
    if estimator is TabularMLPClassifier:
        y = (y > 10.0).astype(int)
    scoring = "accuracy" if estimator is TabularMLPClassifier else "r2"
    monitor = ScoringMonitor(scoring=[scoring])
    model = estimator((16,), early_stopping=False, max_iter=8, random_state=0)
    model.set_callbacks(monitor).fit(X, y)
    epochs = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert len(epochs) == 8
    assert epochs[-1][scoring] == pytest.approx(model.score(X, y), rel=1e-6)


# ---------------------------------------------------------------- n_cv
FOLDS = dict(hidden_layer_sizes=(16,), max_iter=20, batch_size=32, random_state=0)


def _table(n_rows, seed=0):
    rs = np.random.RandomState(seed)
    X = rs.normal(size=(n_rows, 3))
    return X, X[:, 0] + 0.5 * X[:, 1] ** 2 + 0.1 * rs.normal(size=n_rows)


@pytest.mark.parametrize(
    "n_rows, params, n_networks",
    [
        (200, {}, 5),
        (512, {}, 5),
        (513, {}, 1),
        # fewer rows than 2 per fold; the epoch kept, chosen on 2 rows, may
        # be no better than the mean
        pytest.param(
            9, {}, 1, marks=pytest.mark.filterwarnings("ignore::sknumpynet.ChanceLevelWarning")
        ),
        (200, {"warm_start": True}, 1),
        (200, {"early_stopping": False}, 1),
        (200, {"n_cv": 3}, 3),
        (600, {"n_cv": 2}, 2),
    ],
)
def test_auto_cv_fits_five_networks_on_small_tables_only(n_rows, params, n_networks):
    X, y = _table(n_rows)
    reg = TabularMLPRegressor(**(FOLDS | params)).fit(X, y)
    if n_networks == 1:
        assert not hasattr(reg, "estimators_") and hasattr(reg, "coefs_")
        return
    assert not hasattr(reg, "coefs_") and not hasattr(reg, "loss_curve_")
    assert len(reg.estimators_) == n_networks
    assert all(m.n_cv == 1 and m.n_features_in_ == 3 for m in reg.estimators_)
    # each with a seed of its own: other starts, other epochs
    assert len({m.random_state for m in reg.estimators_}) == n_networks
    assert reg.n_features_in_ == 3 and reg.n_outputs_ == 1


@pytest.mark.parametrize("n_cv, n_rows", [(5, 300), (2, 300), (5, 2000), (3, 5000)])
def test_the_networks_share_the_step_budget(n_cv, n_rows):
    # max_iter="auto" gives the fit STEP_BUDGET steps of 256 rows, whatever
    # its number of networks; each has at least 16 epochs
    X, y = _table(n_rows)
    reg = TabularMLPRegressor(hidden_layer_sizes=(4,), random_state=0, n_cv=n_cv).fit(X, y)
    trained = n_rows - n_rows // n_cv  # each network's rows, its fold held out
    steps = -(-trained // 256)
    epochs = min(256, max(16, STEP_BUDGET // n_cv // steps))
    assert reg.n_iter_.tolist() == [epochs] * n_cv
    assert n_cv * epochs * steps <= max(STEP_BUDGET, n_cv * 16 * steps)
    # the share is the fit's: it leaves the networks with it
    assert not any("_step_budget" in vars(member) for member in reg.estimators_)


@pytest.mark.parametrize("n_cv", [2, 5])
def test_the_networks_hold_out_the_folds_of_a_stratified_split(n_cv, monkeypatch):
    """Every row is held out by exactly one network; each fold has the class
    shares of the table; the held-out rows are gone from the members after."""
    import sknumpynet._tabular as tabular

    held_out = []
    split = tabular._TabularMixin._validation_split

    def spy(self, Y, random_state):
        rows, val_rows = split(self, Y, random_state)
        assert np.intersect1d(rows, val_rows).size == 0
        assert rows.size + val_rows.size == Y.shape[0]
        held_out.append(val_rows)
        return rows, val_rows

    monkeypatch.setattr(tabular._TabularMixin, "_validation_split", spy)
    rs = np.random.RandomState(0)
    X = rs.normal(size=(150, 3))
    X = X[np.argsort(X[:, 0])]
    y = np.repeat(["a", "b", "c"], [90, 40, 20])
    clf = TabularMLPClassifier(**FOLDS, n_cv=n_cv).fit(X, y)
    assert len(held_out) == n_cv == len(clf.estimators_)
    np.testing.assert_array_equal(np.sort(np.concatenate(held_out)), np.arange(150))
    for rows in held_out:
        counts = np.unique(y[rows], return_counts=True)[1]
        np.testing.assert_allclose(counts / rows.size, [0.6, 4 / 15, 2 / 15], atol=0.02)
    assert not any("_held_out_rows" in m.__dict__ for m in clf.estimators_)
    # a rare class (fewer rows than folds): folds of a plain shuffled split
    held_out.clear()
    y[-4:] = "d"
    TabularMLPClassifier(**FOLDS, n_cv=5).fit(X, y)
    np.testing.assert_array_equal(np.sort(np.concatenate(held_out)), np.arange(150))


def test_the_networks_predictions_are_averaged(cancer):
    X_train, X_test, y_train, y_test = cancer
    clf = TabularMLPClassifier(**FOLDS, n_cv=3).fit(X_train, y_train)
    members = np.stack([m.predict_proba(X_test) for m in clf.estimators_])
    proba = clf.predict_proba(X_test)
    np.testing.assert_allclose(proba, members.mean(axis=0), rtol=1e-10, atol=1e-14)
    # the members differ: averaging is not taking one of them
    assert np.abs(members[0] - members[1]).max() > 1e-3
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X_test)), proba, rtol=1e-10)
    decision = clf.decision_function(X_test)
    np.testing.assert_allclose(1 / (1 + np.exp(-decision)), proba[:, 1], rtol=1e-10)
    np.testing.assert_array_equal(clf.predict(X_test), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X_test, y_test) >= 0.93  # chance: 0.63

    X, y = _table(300)
    reg = TabularMLPRegressor(**FOLDS, n_cv=3).fit(X[:200], y[:200])
    outputs = np.stack([m.predict(X[200:]) for m in reg.estimators_])
    inside = ((outputs > y[:200].min()) & (outputs < y[:200].max())).all(axis=0)
    assert inside.mean() > 0.9  # the training range clips none of these rows
    np.testing.assert_allclose(reg.predict(X[200:])[inside], outputs.mean(axis=0)[inside])
    assert reg.score(X[200:], y[200:]) > 0.5


def test_a_fit_of_several_networks_is_reproducible_and_pickles(cancer):
    X_train, X_test, y_train, _ = cancer
    first = TabularMLPClassifier(**FOLDS, n_cv=2).fit(X_train, y_train)
    again = TabularMLPClassifier(**FOLDS, n_cv=2).fit(X_train, y_train)
    np.testing.assert_array_equal(first.predict_proba(X_test), again.predict_proba(X_test))
    loaded = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(loaded.predict_proba(X_test), first.predict_proba(X_test))
    assert (
        cross_val_score(TabularMLPClassifier(**FOLDS, n_cv=2), X_train, y_train, cv=2).min() > 0.85
    )


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_cv": 3, "early_stopping": False}, "needs early_stopping=True"),
        ({"n_cv": 3, "solver": "lbfgs"}, "'adam' or 'sgd'"),
        ({"n_cv": 3, "warm_start": True}, "Set n_cv=1 or warm_start=False"),
        ({"n_cv": 30}, "at least 60 samples, 2 per fold"),
    ],
)
def test_several_networks_refuse_what_they_cannot_do(params, match):
    X, y = _table(40)
    reg = TabularMLPRegressor(**(FOLDS | params))
    with pytest.raises(ValueError, match=match):
        reg.fit(X, y)
    assert not hasattr(reg, "n_features_in_")


def test_partial_fit_trains_each_network_in_a_copy_or_changes_nothing(monkeypatch):
    import sknumpynet._base as base

    X, y = _table(100)
    reg = TabularMLPRegressor(**FOLDS, n_cv=2).fit(X, y)
    before = {k: v for k, v in reg.__dict__.items() if k.endswith("_")}
    members = list(reg.estimators_)
    epochs = [len(m.loss_curve_) for m in members]
    reg.set_params(learning_rate_init=0.05).partial_fit(X, y)
    assert [len(m.loss_curve_) for m in reg.estimators_] == [n + 1 for n in epochs]
    np.testing.assert_array_equal(reg.n_iter_, [m.n_iter_ for m in reg.estimators_])
    # the parameters of now, each network's own seed
    assert [m.learning_rate_init for m in reg.estimators_] == [0.05, 0.05]
    assert [m.random_state for m in reg.estimators_] == [m.random_state for m in members]
    # the networks of before are as they were
    assert [len(m.loss_curve_) for m in members] == epochs
    assert all(reg.estimators_[i] is not members[i] for i in range(2))

    # a failure in the second network's step leaves the model as it was
    reg.__dict__.update(before)
    calls = []
    partial_fit = base.BaseNumpyNet._partial_fit

    def fails_second(self, *args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return partial_fit(self, *args)

    monkeypatch.setattr(base.BaseNumpyNet, "_partial_fit", fails_second)
    with pytest.raises(KeyboardInterrupt):
        reg.partial_fit(X, y)
    assert {k for k in reg.__dict__ if k.endswith("_")} == before.keys()
    assert all(reg.__dict__[k] is v for k, v in before.items())
    assert [len(m.loss_curve_) for m in reg.estimators_] == epochs


def test_one_network_training_refuses_a_model_of_several_and_keeps_it():
    X, y = _table(100)
    reg = TabularMLPRegressor(**FOLDS, n_cv=2).fit(X, y)
    before = {k: v for k, v in reg.__dict__.items() if k.endswith("_")}
    reg.set_params(n_cv=1, warm_start=True)
    with pytest.raises(ValueError, match="warm_start=True goes on training one network"):
        reg.fit(X, y)
    assert {k for k in reg.__dict__ if k.endswith("_")} == before.keys()
    assert all(reg.__dict__[k] is v for k, v in before.items())
    # partial_fit starts one network, whatever n_cv and the table's size
    assert hasattr(TabularMLPRegressor(**FOLDS, n_cv=3).partial_fit(X, y), "coefs_")
    assert hasattr(TabularMLPRegressor(**FOLDS).partial_fit(X, y), "coefs_")
    # and a fit with warm_start=False replaces the networks with one
    reg.set_params(warm_start=False).fit(X, y)
    assert hasattr(reg, "coefs_") and not hasattr(reg, "estimators_")


def test_tampered_members_are_refused():
    X, y = _table(60)
    reg = TabularMLPRegressor(**FOLDS, n_cv=2).fit(X, y)
    reg.estimators_ = [reg.estimators_[0], "a network"]
    with pytest.raises(ValueError, match="must be a non-empty list of TabularMLPRegressors"):
        reg.predict(X)


@pytest.mark.skipif(not CALLBACKS_AVAILABLE, reason="scikit-learn < 1.9 has no callbacks")
def test_callbacks_see_the_networks_as_subtasks_and_score_their_average(capsys):
    """A callback set on the model scores the average at the end of the fit
    (the model as published); a progress bar reaches each network's fit."""
    from sklearn.callback import ProgressBar, ScoringMonitor

    X, y = _table(120)
    monitor = ScoringMonitor(scoring=["r2"])
    reg = TabularMLPRegressor(**FOLDS, n_cv=2).set_callbacks(monitor, ProgressBar())
    reg.fit(X, y)
    (row,) = monitor.get_logs().data
    assert row["task_name"] == "fit"
    assert row["r2"] == pytest.approx(reg.score(X, y), rel=1e-12)
    shown = capsys.readouterr()
    assert (shown.out + shown.err).count("member") >= 2
    assert (
        not hasattr(reg.estimators_[0], "_skl_callbacks") or not reg.estimators_[0]._skl_callbacks
    )


@pytest.mark.parametrize(
    "kind", ["multi-output", "poisson", "multilabel", "sample_weight", "class_weight"]
)
def test_every_kind_of_target_is_averaged_and_weights_reach_the_networks(kind):
    rs = np.random.RandomState(0)
    X = rs.normal(size=(300, 3))
    weights = None
    if kind in ("multi-output", "poisson"):
        est = TabularMLPRegressor(**(SMALL | dict(n_cv=2)))
        y = np.column_stack([X[:, 0], X[:, 1] - X[:, 2]])
        if kind == "poisson":
            est.set_params(loss="poisson")
            y = rs.poisson(np.exp(0.5 * X[:, 0]))
        outputs = np.stack([m.predict(X) for m in TabularMLPRegressor.fit(est, X, y).estimators_])
        mean = outputs.mean(axis=0)
        inside = (outputs > y.min(axis=0)) & (outputs < y.max(axis=0))
        if kind == "poisson":  # nothing clipped: the mean of exp of the outputs
            np.testing.assert_allclose(est.predict(X), mean, rtol=1e-12)
        else:
            np.testing.assert_allclose(
                est.predict(X)[inside.all(axis=0)], mean[inside.all(axis=0)]
            )
        assert est.predict(X).shape == y.shape
        return
    if kind == "multilabel":
        y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
        est = TabularMLPClassifier(**FOLDS, n_cv=2).fit(X, y)
        members = np.stack([m.predict_proba(X) for m in est.estimators_])
        np.testing.assert_allclose(est.predict_proba(X), members.mean(axis=0), rtol=1e-10)
        np.testing.assert_array_equal(est.predict(X), est.predict_proba(X) > 0.5)
        return
    y = (X[:, 0] > 0).astype(int)
    if kind == "sample_weight":
        weights = rs.randint(1, 4, size=300).astype(float)
        est = TabularMLPClassifier(**FOLDS, n_cv=2).fit(X, y, sample_weight=weights)
    else:
        est = TabularMLPClassifier(**FOLDS, n_cv=2, class_weight={0: 1.0, 1: 3.0}).fit(X, y)
        assert all(m.class_weight == {0: 1.0, 1: 3.0} for m in est.estimators_)
    # the first network is the one-network fit of its seed with its fold held
    # out (the folds are the first draw from the model's random_state)
    folds = est._folds(X, y, 2, np.random.RandomState(FOLDS["random_state"]))
    again = sklearn_clone(est.estimators_[0])
    again._held_out_rows = folds[0]
    again.fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(again.coefs_[0], est.estimators_[0].coefs_[0])


def test_a_failed_fit_of_several_networks_puts_the_generator_back(monkeypatch):
    import sknumpynet._base as base

    X, y = _table(100)
    generator = np.random.RandomState(7)
    state = generator.get_state()[1].copy()
    calls = []
    fit = base.BaseNumpyNet.fit

    def fails_second(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ValueError("the second network fails")
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(base.BaseNumpyNet, "fit", fails_second)
    reg = TabularMLPRegressor(**(FOLDS | dict(random_state=generator)), n_cv=3)
    with pytest.raises(ValueError, match="the second network fails"):
        reg.fit(X, y)
    np.testing.assert_array_equal(generator.get_state()[1], state)
    assert not hasattr(reg, "n_features_in_")


def test_check_gradients_names_the_networks_to_check():
    X, y = _table(60)
    reg = TabularMLPRegressor(**FOLDS, n_cv=2, dtype="float64").fit(X, y)
    with pytest.raises(ValueError, match=r"is 2 networks \(n_cv\).*estimators_\[0\]"):
        check_gradients(reg, X, y)
    assert check_gradients(reg.estimators_[0], X, y).max_relative_error < 1e-4


@pytest.mark.skipif(not CALLBACKS_AVAILABLE, reason="scikit-learn < 1.9 has no callbacks")
@pytest.mark.parametrize("first, then", [(2, 1), (1, 2)])
def test_callbacks_score_the_model_of_this_fit_not_the_one_it_replaces(first, then):
    """The copy a callback scores has the attributes of the new model only: a
    model of two networks refitted as one (or the other way) is not mixed
    with the model it replaces."""
    from sklearn.callback import ScoringMonitor

    X, y = _table(120)
    reg = TabularMLPRegressor(**FOLDS, n_cv=first).fit(X, y)
    monitor = ScoringMonitor(scoring=["r2"])
    reg.set_params(n_cv=then).set_callbacks(monitor).fit(X, y)
    final = [row for row in monitor.get_logs().data if row["task_name"] == "fit"]
    assert final[-1]["r2"] == pytest.approx(reg.score(X, y), rel=1e-12)


@pytest.mark.skipif(not CALLBACKS_AVAILABLE, reason="scikit-learn < 1.9 has no callbacks")
def test_partial_fit_of_several_networks_reaches_the_callbacks():
    from sklearn.callback import ScoringMonitor

    X, y = _table(120)
    reg = TabularMLPRegressor(**FOLDS, n_cv=2).fit(X, y)
    monitor = ScoringMonitor(scoring=["r2"])
    reg.set_callbacks(monitor).partial_fit(X, y)
    (row,) = [row for row in monitor.get_logs().data if row["task_name"] == "fit"]
    assert row["r2"] == pytest.approx(reg.score(X, y), rel=1e-12)


def test_categorical_features_embed_an_integer_code():
    # y follows a random effect per place, which an integer code orders at random
    rs = np.random.RandomState(0)
    place = rs.randint(0, 40, 1500)
    X = np.c_[place, rs.normal(size=1500)]
    y = rs.normal(size=40)[place] + 0.3 * X[:, 1] + 0.1 * rs.normal(size=1500)
    params = dict(hidden_layer_sizes=(32, 32), max_iter=30, random_state=0)
    as_number = TabularMLPRegressor(**params).fit(X[:1000], y[:1000])
    as_category = TabularMLPRegressor(**params, categorical_features=[0]).fit(X[:1000], y[:1000])
    assert as_category._encoder.column_kinds_ == ["categorical", "continuous"]
    assert as_category._encoder.cardinalities_ == [41]  # 40 places and the unknown one
    assert as_category.score(X[1000:], y[1000:]) > 0.95
    assert as_number.score(X[1000:], y[1000:]) < 0.8
    # a place never seen at fit is predicted as an unknown category
    assert np.isfinite(as_category.predict(np.array([[99.0, 0.0]]))).all()


@pytest.mark.parametrize(
    "change", [{"categorical_features": [1]}, {"max_one_hot": 2}], ids=["categorical", "one_hot"]
)
def test_warm_start_and_partial_fit_refuse_another_encoding(change):
    X, y = _table(60)
    # the last epoch: 60 numbers read as 60 categories hold out no signal
    reg = TabularMLPRegressor(**SMALL, categorical_features=[0], early_stopping=False)
    reg.fit(X, y)
    coefs = [c.copy() for c in reg.coefs_]
    name = next(iter(change))
    with pytest.raises(ValueError, match=f"column encoding of the first fit: {name} gave"):
        reg.set_params(warm_start=True, **change).fit(X, y)
    with pytest.raises(ValueError, match=f"{name} gave"):
        reg.partial_fit(X, y)
    for before, after in zip(coefs, reg.coefs_):
        np.testing.assert_array_equal(before, after)
    # the same setting, as another array-like, goes on
    reg.set_params(categorical_features=np.array([0]), max_one_hot=8).partial_fit(X, y)


@pytest.mark.parametrize("Estimator", [TabularMLPRegressor, TabularMLPClassifier])
@pytest.mark.parametrize("n_cv", [1, 2])
def test_skops_round_trip_of_a_table_model(Estimator, n_cv):
    sio = pytest.importorskip("skops.io")
    pd = pytest.importorskip("pandas")
    X, y = _table(80)
    X = pd.DataFrame(
        {
            "code": (X[:, 0] > 0).astype(int) + 2 * (X[:, 1] > 0),
            "x": X[:, 2],
            "kind": pd.Categorical(np.where(X[:, 1] > 0, "a", "b")),
        }
    )
    if Estimator is TabularMLPClassifier:
        y = np.where(y > np.median(y), "high", "low")
    params = {**SMALL, "n_cv": n_cv}
    model = Estimator(**params, categorical_features=["code"], dtype="float32").fit(X, y)
    data = sio.dumps(model)
    # the types skops asks to trust: the estimator and the encoder, no
    # container or dtype of the encoder's own
    assert sio.get_untrusted_types(data=data) == [
        f"sknumpynet.{Estimator.__name__}",
        "sknumpynet._tables.TableEncoder",
    ]
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("Estimator", [TabularMLPRegressor, TabularMLPClassifier])
def test_messages_about_the_columns_name_the_estimator(Estimator):
    pd = pytest.importorskip("pandas")
    X, y = _table(60)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1]})
    if Estimator is TabularMLPClassifier:
        y = (y > np.median(y)).astype(int)
    model = Estimator(**SMALL).fit(frame, y)
    name = Estimator.__name__
    with pytest.warns(UserWarning, match=f"valid feature names, but {name} was fitted with"):
        model.predict(frame.to_numpy())
    # an array of the wrong width: the warning about the names, then the error
    with pytest.warns(UserWarning, match=name):
        with pytest.raises(ValueError, match=f"X has 1 features, but {name} is expecting 2"):
            model.predict(X[:, :1])
    # a pickled model keeps the name
    restored = pickle.loads(pickle.dumps(model))
    with pytest.warns(UserWarning, match=name):
        with pytest.raises(ValueError, match=f"but {name} is expecting 2"):
            restored.predict(X[:, :1])
