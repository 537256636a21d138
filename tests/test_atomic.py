"""Nothing half-done: a call publishes a whole model or changes nothing, whatever
interrupts it; predictions during a refit come from one model; a failed call
leaves the random state alone; a model no better than chance says so."""

import pickle
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone, is_regressor
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import sknumpynet
from sknumpynet import (
    ChanceLevelWarning,
    DivergenceError,
    MLPClassifierNP,
    MLPRegressorNP,
    SoftmaxClassifier,
    TabularMLPClassifier,
    TabularMLPRegressor,
    make_spiral,
)
from sknumpynet._callbacks import CALLBACKS_AVAILABLE
from sknumpynet._network import Network

PACKAGE = str(Path(sknumpynet.__file__).parent)
X, Y = make_classification(60, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0)
X_REG, Y_REG = make_regression(60, 4, noise=0.1, random_state=0)


def _settings():
    for solver in ("sgd", "adam", "lbfgs"):
        for est in (
            SoftmaxClassifier(solver=solver, max_iter=3, random_state=0),
            MLPClassifierNP((5,), solver=solver, max_iter=3, random_state=0),
            MLPRegressorNP(hidden_layer_sizes=(5,), solver=solver, max_iter=3, random_state=0),
        ):
            yield pytest.param(est, id=f"{type(est).__name__}-{solver}")
    yield pytest.param(
        MLPClassifierNP((5,), max_iter=3, early_stopping=True, random_state=0),
        id="MLPClassifierNP-early-stopping",
    )
    # the table encoder, the input block, RealMLP's start, best epoch and dropout schedule
    for cls in (TabularMLPClassifier, TabularMLPRegressor):
        yield pytest.param(cls((5,), max_iter=3, random_state=0, n_cv=1), id=cls.__name__)
    # several networks, each fitted with a fold held out, published together
    yield pytest.param(
        TabularMLPClassifier((5,), max_iter=3, random_state=0, n_cv=2),
        id="TabularMLPClassifier-n_cv",
    )


class Interrupt:
    """A tracer that raises KeyboardInterrupt at the n-th line run in the package."""

    def __init__(self, at: int):
        self.at, self.count = at, 0

    def __call__(self, frame, event, arg):
        if not frame.f_code.co_filename.startswith(PACKAGE):
            return None
        if event == "line":
            self.count += 1
            if self.count == self.at:
                raise KeyboardInterrupt
        return self


def _fit_traced(est, X, y, tracer):
    sys.settrace(tracer)
    try:
        est.fit(X, y)
    finally:
        sys.settrace(None)


def _assert_consistent(est, X, y, n_features):
    """A whole model: attributes that agree with each other, finite, predicting."""
    assert est.n_features_in_ == n_features
    if hasattr(est, "estimators_"):  # several networks: each whole, of the same input
        assert len(est.estimators_) == est.n_cv
        for member in est.estimators_:
            _assert_consistent(member, X, y, n_features)
        assert est.predict(X).shape[0] == X.shape[0]
        return
    # (an input block embeds the features: the first layer reads its outputs)
    assert est.coefs_[0].shape[0] == est._first_layer_inputs(n_features)
    assert np.isfinite(est.loss_) and est.loss_ == est.loss_curve_[-1]
    assert 1 <= est.n_iter_ <= len(est.loss_curve_)
    if est.validation_scores_ is not None:
        assert len(est.validation_scores_) == len(est.loss_curve_)
    assert all(np.isfinite(W).all() for W in est.coefs_ + est.intercepts_)
    assert est.predict(X).shape[0] == X.shape[0]


def _interrupt_everywhere(est, stride):
    """Refit a fitted model (on other features) with an interrupt at every
    ``stride``-th line of the package; returns the number of points tried."""
    X_old, y_old = (X_REG, Y_REG) if is_regressor(est) else (X, Y)
    X_new = np.hstack([X_old, X_old[:, :1] ** 2])  # 5 features instead of 4
    fitted = clone(est)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted.fit(X_old, y_old)
        counter = Interrupt(at=-1)
        _fit_traced(clone(est), X_new, y_old, counter)
    n_lines = counter.count
    assert n_lines > 100
    tried = 0
    for at in range(1, n_lines + 1, stride):
        model = pickle.loads(pickle.dumps(fitted))
        before = dict(model.__dict__)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                _fit_traced(model, X_new, y_old, Interrupt(at))
            except KeyboardInterrupt:
                # untouched: the very same attribute objects as before
                assert model.__dict__.keys() == before.keys()
                assert all(model.__dict__[k] is v for k, v in before.items()), at
                model.predict(X_old)
            else:
                _assert_consistent(model, X_new, y_old, 5)
        tried += 1
    return tried


@pytest.mark.parametrize("est", list(_settings()))
def test_an_interrupt_at_any_line_leaves_a_whole_model_or_none(est):
    assert _interrupt_everywhere(est, stride=97) > 3


@pytest.mark.slow
@pytest.mark.parametrize("est", list(_settings()))
def test_an_interrupt_at_every_line_leaves_a_whole_model_or_none(est):
    # several networks run the lines of one network's fit once for each:
    # every fifth line of theirs (12,000 here) reaches them all
    stride = 1 if getattr(est, "n_cv", 1) == 1 else 5
    assert _interrupt_everywhere(est, stride=stride) > 100


# warnings.catch_warnings is not thread-safe: filter for the whole test instead
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("name", ["classifier", "regressor"])
def test_predictions_during_a_refit_come_from_one_model(name):
    if name == "classifier":
        old = MLPClassifierNP((8,), max_iter=20, random_state=0)
        data_old, data_new = (X, Y), (np.hstack([X, X]), (Y + 1) % 3)
    else:
        old = MLPRegressorNP(hidden_layer_sizes=(8,), max_iter=20, random_state=0)
        y_reg = Y_REG / Y_REG.std()
        data_old, data_new = (X_REG, y_reg), (np.hstack([X_REG, X_REG]), -y_reg)
    model = old.fit(*data_old)
    expected_old = model.predict(data_old[0])
    new = clone(old).fit(*data_new)
    expected_new = new.predict(data_new[0])
    results, errors, stop = [], [], threading.Event()

    def predict_loop():
        # A short pause between rounds: three threads that never let go of the
        # interpreter would slow the refits they are meant to overlap many times.
        while not stop.wait(0.001):
            for X_, expected in ((data_old[0], expected_old), (data_new[0], expected_new)):
                try:
                    results.append(np.array_equal(model.predict(X_), expected))
                except ValueError as exc:  # the other model's number of features
                    errors.append(str(exc))

    threads = [threading.Thread(target=predict_loop) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        # refit until the predictions have overlapped enough refits, whatever
        # the speed of the machine and the share of the interpreter the predicting
        # threads get (at least 5 rounds; at most 60 s)
        deadline = time.monotonic() + 60
        rounds = 0
        while rounds < 5 or (len(results) <= 50 and time.monotonic() < deadline):
            model.fit(*data_new)
            model.fit(*data_old)
            rounds += 1
    finally:
        stop.set()
        for t in threads:
            t.join()
    # Every prediction is the old model's or the new one's, whole; the only
    # failure is the clear refusal of data with the other model's features.
    assert all(results) and len(results) > 50
    assert all("features" in e and "matmul" not in e for e in errors)


def test_a_failed_call_leaves_the_random_state_untouched():
    rng = np.random.RandomState(0)
    model = MLPClassifierNP(
        (10,), "identity", solver="sgd", learning_rate_init=1000.0, random_state=rng
    )
    state = rng.get_state()
    with pytest.raises(DivergenceError):
        model.fit(X, Y)
    np.testing.assert_array_equal(rng.get_state()[1], state[1])
    assert rng.get_state()[2] == state[2]
    # partial_fit: a diverging call changes nothing, so the next calls equal a copy's
    ok = MLPClassifierNP((6,), solver="sgd", learning_rate_init=0.01, random_state=rng)
    ok.partial_fit(X, Y, classes=[0, 1, 2])
    copy = pickle.loads(pickle.dumps(ok))
    state = ok.random_state.get_state()
    with pytest.raises(ValueError):
        ok.partial_fit(X[:, :3], Y)  # wrong number of features
    assert ok.random_state.get_state()[2] == state[2]
    np.testing.assert_array_equal(ok.random_state.get_state()[1], state[1])
    ok.partial_fit(X, Y)
    copy.partial_fit(X, Y)
    np.testing.assert_array_equal(ok.coefs_[0], copy.coefs_[0])


def test_a_model_no_better_than_chance_says_so():
    X_s, y_s = make_spiral(random_state=0)
    model = MLPClassifierNP((64,), solver="sgd", learning_rate_init=10.0, random_state=0)
    with pytest.warns(ChanceLevelWarning, match="predicts the single class .* 3 classes"):
        model.fit(X_s, y_s)
    assert np.unique(model.predict(X_s)).shape[0] == 1  # and it was published
    with warnings.catch_warnings():
        warnings.simplefilter("error", ChanceLevelWarning)
        MLPClassifierNP((64,), solver="lbfgs", random_state=0).fit(X_s, y_s)  # no warning
    # a regressor that does no better than the mean
    reg = MLPRegressorNP(
        hidden_layer_sizes=(4,), max_iter=1, learning_rate_init=1e-6, random_state=0
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Stochastic Optimizer: Maximum iterations")
        with pytest.warns(ChanceLevelWarning, match="R\\^2 on its training data"):
            reg.fit(X_REG, Y_REG)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "est",
    [SoftmaxClassifier(max_iter=30), MLPClassifierNP((10,), max_iter=30)],
    ids=["softmax", "mlp"],
)
def test_every_finite_input_gives_finite_probabilities(est, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = clone(est).set_params(random_state=0).fit(X.astype(dtype), Y)
    big = np.finfo(dtype).max
    with np.errstate(over="ignore"):
        X_big = np.clip(X * big, -big, big).astype(dtype)  # finite, up to the dtype's max
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scikit-learn's finiteness check
        proba, log_proba = model.predict_proba(X_big), model.predict_log_proba(X_big)
    assert proba.dtype == dtype and np.isfinite(proba).all() and np.isfinite(log_proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize("n_calls", [4, 7])
def test_lbfgs_interrupted_in_a_line_search_keeps_its_last_iterate(monkeypatch, n_calls):
    # A Ctrl-C while L-BFGS evaluates a trial point: the model keeps the weights
    # of the last completed iteration, those whose loss ends loss_curve_.
    est = MLPClassifierNP((5,), solver="lbfgs", max_iter=50, random_state=0)
    original, calls = Network.loss_grad, []

    def loss_grad(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == n_calls:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Network, "loss_grad", loss_grad)
    with pytest.warns(UserWarning, match="interrupted by the user after"):
        est.fit(X, Y)
    monkeypatch.undo()
    assert 1 <= est.n_iter_ < n_calls and len(est.loss_curve_) == est.n_iter_
    same = clone(est).set_params(max_iter=est.n_iter_)
    with pytest.warns(ConvergenceWarning):
        same.fit(X, Y)
    assert same.loss_curve_ == est.loss_curve_
    for a, b in zip(same.coefs_ + same.intercepts_, est.coefs_ + est.intercepts_):
        np.testing.assert_array_equal(a, b)


class FailingCallback:
    """Raises at the end of the fit task (``where="fit_end"``) or in its teardown,
    after training; records the model the end of the fit task was shown."""

    def __init__(self, where):
        self.where, self.shown = where, None

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        if self.where == "teardown":
            raise RuntimeError("teardown failed")

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name == "fit":
            self.shown = fitted_estimator
            if self.where == "fit_end":
                raise RuntimeError("fit end failed")


@pytest.mark.skipif(not CALLBACKS_AVAILABLE, reason="scikit-learn < 1.9 has no callback API")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("fitted", [True, False], ids=["refit", "first"])
@pytest.mark.parametrize("where", ["fit_end", "teardown"])
@pytest.mark.parametrize(
    "solver, method", [("adam", "fit"), ("adam", "partial_fit"), ("lbfgs", "fit")]
)
def test_a_callback_failing_after_training_leaves_the_model_as_it_was(
    solver, method, where, fitted
):
    rng = np.random.RandomState(0)
    est = MLPClassifierNP((5,), solver=solver, max_iter=3, random_state=rng)
    if fitted:
        est.fit(X, Y)
        proba = est.predict_proba(X)
    callback = FailingCallback(where)
    est.set_callbacks(callback)
    before, rng_state = dict(est.__dict__), rng.get_state()
    call = getattr(est, method)
    args = {"classes": [0, 1, 2]} if method == "partial_fit" else {}
    with pytest.raises(RuntimeError, match="failed"):
        call(X[::-1], Y[::-1], **args)
    # the end of the fit task was shown the new model, which was not published
    shown = callback.shown.predict_proba(X)
    assert est.__dict__.keys() == before.keys()
    assert all(est.__dict__[k] is v for k, v in before.items())
    assert rng.get_state()[2] == rng_state[2]
    np.testing.assert_array_equal(rng.get_state()[1], rng_state[1])
    if fitted:
        np.testing.assert_array_equal(est.predict_proba(X), proba)
        assert np.abs(shown - proba).max() > 1e-6
    else:
        with pytest.raises(NotFittedError):
            est.predict(X)
    # without the failing callback, the same call publishes that new model
    rng.set_state(rng_state)
    call = getattr(est.set_callbacks(), method)
    call(X[::-1], Y[::-1], **args)
    np.testing.assert_allclose(est.predict_proba(X), shown, rtol=1e-12)
