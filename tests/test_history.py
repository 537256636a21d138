"""What a fit records per epoch (validation loss, epoch times, verbose
progress) and scikit-learn's callbacks (sklearn.callback, scikit-learn >= 1.9)."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknumpynet import MLPClassifierNP, MLPRegressorNP, SoftmaxClassifier
from sknumpynet._callbacks import CALLBACKS_AVAILABLE

X, Y = load_digits(return_X_y=True)
X = X / 16.0


def test_validation_loss_curve_and_epoch_times_are_recorded_per_epoch():
    clf = MLPClassifierNP((32,), early_stopping=True, random_state=0).fit(X, Y)
    n = clf.n_iter_
    assert len(clf.validation_loss_curve_) == len(clf.validation_scores_) == n
    assert len(clf.epoch_times_) == n and all(t > 0 for t in clf.epoch_times_)
    # the recorded loss is the held-out rows' log loss at that epoch: rebuild
    # the split (weights drawn first, then the split) and check the best epoch
    rng = np.random.RandomState(0)
    for W in clf.coefs_:
        rng.uniform(size=W.shape)
        rng.uniform(size=W.shape[1])
    _, X_val, _, y_val = train_test_split(X, Y, test_size=0.1, random_state=rng)
    best = int(np.argmax(clf.validation_scores_))
    assert clf.validation_loss_curve_[best] == pytest.approx(
        log_loss(y_val, clf.predict_proba(X_val), labels=clf.classes_), rel=1e-6
    )
    assert clf.validation_loss_curve_[-1] > min(clf.validation_loss_curve_[: best + 1]) * 0.5
    # without early stopping there is no validation set
    plain = MLPClassifierNP((8,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain.fit(X, Y)
    assert plain.validation_loss_curve_ is None and len(plain.epoch_times_) == 5
    # warm starts continue every per-epoch list
    plain.set_params(warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain.fit(X, Y)
    assert len(plain.epoch_times_) == len(plain.loss_curve_) == 10


def test_regressor_validation_loss_is_its_half_squared_error():
    y = X[:, 10] * 3 + X[:, 20]
    reg = MLPRegressorNP(hidden_layer_sizes=(16,), early_stopping=True, random_state=0)
    reg.fit(X, y)
    assert len(reg.validation_loss_curve_) == reg.n_iter_
    assert 0 < min(reg.validation_loss_curve_) < 0.5 * np.var(y)


def test_verbose_prints_loss_time_and_time_left(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        SoftmaxClassifier(max_iter=3, verbose=True, random_state=0).fit(X, Y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    for i, line in enumerate(lines, start=1):
        assert line.startswith(f"Iteration {i}, loss = ")
        assert " s; at most " in line and line.endswith(" s left)")


needs_callbacks = pytest.mark.skipif(
    not CALLBACKS_AVAILABLE, reason="scikit-learn < 1.9 has no callback API"
)


@needs_callbacks
@pytest.mark.parametrize(
    "est", [MLPClassifierNP((8,)), SoftmaxClassifier()], ids=["mlp", "softmax"]
)
def test_scoring_monitor_gets_a_score_per_epoch(est):
    from sklearn.callback import ScoringMonitor

    monitor = ScoringMonitor(scoring="accuracy")
    est = est.set_params(max_iter=4, random_state=0).set_callbacks(monitor)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, Y)
    epochs = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert len(epochs) == est.n_iter_ == 4
    # the last epoch's score is the score of the published model
    assert epochs[-1]["accuracy"] == pytest.approx(est.score(X, Y))


class StopAfter:
    """Asks to stop at the end of the ``n``-th epoch."""

    def __init__(self, n):
        self.n = n

    def setup(self, estimator, context):
        self.epochs = 0

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, X=None):
        # the subtask begun after the last epoch never runs: it ends without data
        if context.task_name == "epoch" and X is not None:
            self.epochs += 1
            return self.epochs >= self.n
        return False


X_REG = np.random.RandomState(0).randn(80, 3)
Y_REG = X_REG @ [1.0, 2.0, -1.0]


@needs_callbacks
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("kind", ["softmax", "mlp", "regressor"])
def test_a_callback_can_stop_training_with_any_solver(kind, solver):
    est, X_, y_ = {
        "softmax": (SoftmaxClassifier(max_iter=50), X, Y),
        "mlp": (MLPClassifierNP((16,), max_iter=50), X, Y),
        "regressor": (MLPRegressorNP(hidden_layer_sizes=(8,), max_iter=50), X_REG, Y_REG),
    }[kind]
    est.set_params(solver=solver, random_state=0)
    if solver != "lbfgs":
        est.set_params(learning_rate_init=0.05)
    stopper = StopAfter(3)
    est.set_callbacks(stopper).fit(X_, y_)  # stopped: no ConvergenceWarning
    assert est.n_iter_ == stopper.epochs == len(est.loss_curve_) == 3
    assert est.loss_ == est.loss_curve_[-1]
    # the model is the one after 3 epochs (iterations): what max_iter=3 gives
    three = clone(est).set_callbacks().set_params(max_iter=3)
    with pytest.warns(ConvergenceWarning):
        three.fit(X_, y_)
    assert three.loss_curve_ == est.loss_curve_
    for a, b in zip(three.coefs_ + three.intercepts_, est.coefs_ + est.intercepts_):
        np.testing.assert_array_equal(a, b)


class EpochCounter:
    """An auto-propagated callback: meta-estimators hand it to the estimators inside."""

    max_propagation_depth = None

    def __init__(self):
        self.epochs = 0

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, X=None):
        # the subtask begun after the last epoch never runs: it ends without data
        if context.task_name == "epoch" and type(estimator) is MLPClassifierNP and X is not None:
            self.epochs += 1


@needs_callbacks
def test_callbacks_reach_estimators_inside_pipelines_and_searches(capsys):
    pipe = make_pipeline(StandardScaler(), MLPClassifierNP((8,), max_iter=3, random_state=0))
    search = GridSearchCV(pipe, {"mlpclassifiernp__alpha": [1e-4, 1e-2]}, cv=2)
    counter = EpochCounter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.set_callbacks(counter).fit(X, Y)
    assert counter.epochs == (2 * 2 + 1) * 3  # 2 candidates x 2 folds, the refit; 3 epochs each
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MLPClassifierNP((8,), max_iter=3, random_state=0).set_callbacks(ProgressBar()).fit(X, Y)
    out = capsys.readouterr()
    assert "MLPClassifierNP - fit" in out.out + out.err


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.skipif(CALLBACKS_AVAILABLE, reason="scikit-learn >= 1.9 has the callback API")
def test_without_the_callback_api_estimators_fit_as_before():
    assert not hasattr(MLPClassifierNP(), "set_callbacks")
    clf = MLPClassifierNP((8,), max_iter=200, random_state=0).fit(X, Y)
    assert clf.score(X, Y) > 0.9
