"""Numerical robustness: huge logits and inputs, divergence, Ctrl-C, properties."""

import io
import re
import signal
import threading
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError

from sknumpynet import DivergenceError, MLPClassifierNP, MLPRegressorNP, SoftmaxClassifier
from sknumpynet._activations import ACTIVATIONS
from sknumpynet._losses import logistic_cross_entropy, softmax_cross_entropy
from sknumpynet._network import Network, logits

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def assert_valid_proba(proba, n_classes):
    assert proba.shape[1] == n_classes
    assert np.isfinite(proba).all()
    assert (proba >= 0).all() and (proba <= 1).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=0, atol=10 * np.finfo(proba.dtype).eps)


# ---------------------------------------------------------------- huge values
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_are_finite_for_logits_of_1e4(dtype):
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [1e4, 1e4, -1e4]], dtype=dtype)
    Y = np.eye(3, dtype=dtype)
    # The cross-entropy of each row is logsumexp(z) - z_true, exactly.
    expected = np.mean([0.0, 0.0, 2e4 + np.log(2)])
    G = Z.copy()
    loss = softmax_cross_entropy(G, Y)
    assert np.isfinite(loss) and np.isfinite(G).all()
    np.testing.assert_allclose(loss, expected, rtol=1e-6)

    Zb = np.array([[1e4], [-1e4], [1e4]], dtype=dtype)
    Yb = np.array([[1.0], [1.0], [0.0]], dtype=dtype)
    G = Zb.copy()
    loss = logistic_cross_entropy(G, Yb)
    assert np.isfinite(loss) and np.isfinite(G).all()
    np.testing.assert_allclose(loss, 2e4 / 3, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_logits_of_1e4_give_finite_probabilities(dtype, n_classes):
    X, y = make_classification(
        60, 4, n_informative=3, n_redundant=0, n_classes=n_classes, random_state=0
    )
    X = X.astype(dtype)
    model = SoftmaxClassifier(random_state=0, max_iter=20).fit(X, y)
    logits = model.decision_function(X)
    model.coefs_[0] *= 1e4 / np.abs(logits).max()
    model.intercepts_[0] *= 1e4 / np.abs(logits).max()
    logits = model.decision_function(X)
    assert np.abs(logits).max() == pytest.approx(1e4, rel=1e-3)

    proba = model.predict_proba(X)
    assert proba.dtype == dtype
    assert_valid_proba(proba, n_classes)
    log_proba = model.predict_log_proba(X)
    assert np.isfinite(log_proba).all() and (log_proba <= 0).all()
    np.testing.assert_array_equal(model.predict(X), model.classes_[np.argmax(proba, axis=1)])

    # One more epoch from there: the loss is large but finite, so are the weights.
    model.set_params(warm_start=True, max_iter=1, learning_rate_init=1e-6).fit(X, y)
    assert np.isfinite(model.loss_)
    assert all(np.isfinite(W).all() for W in model.coefs_)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "estimator",
    [
        # a step matched to the inputs' scale: 1e-2 / (1e6)^2
        SoftmaxClassifier(learning_rate_init=1e-14, random_state=0, max_iter=30),
        SoftmaxClassifier(solver="lbfgs", random_state=0, max_iter=30),
        MLPClassifierNP((10,), random_state=0, max_iter=30),
        MLPClassifierNP((10,), solver="lbfgs", random_state=0, max_iter=30),
    ],
    ids=["softmax-sgd", "softmax-lbfgs", "mlp-adam", "mlp-lbfgs"],
)
def test_inputs_scaled_by_1e6_give_finite_probabilities_and_loss(estimator, dtype):
    X, y = make_classification(200, 5, n_informative=3, n_classes=3, random_state=0)
    X = (X * 1e6).astype(dtype)
    model = clone(estimator).fit(X, y)
    assert np.isfinite(model.loss_)
    assert all(np.isfinite(W).all() for W in model.coefs_ + model.intercepts_)
    assert_valid_proba(model.predict_proba(X), 3)
    assert np.isfinite(model.predict_log_proba(X)).all()


def test_default_sgd_step_on_inputs_of_1e6_is_divergence():
    """From zero weights (loss ln 3) the first step of 0.01 on inputs of 1e6
    multiplies the loss by 1e9: it is reported, not returned as a model."""
    X, y = make_classification(200, 5, n_informative=3, n_classes=3, random_state=0)
    model = SoftmaxClassifier(random_state=0, max_iter=30)
    with pytest.raises(DivergenceError, match="scaling the input features"):
        model.fit(X * 1e6, y)
    assert not hasattr(model, "coefs_")


# ------------------------------------------------------------------ divergence
def diverging_model(**params):
    # Three identity layers multiply the weights' growth: with this step the
    # loss overflows within a few epochs.
    defaults = dict(
        activation="identity",
        solver="sgd",
        learning_rate_init=1000.0,
        max_iter=50,
        random_state=0,
    )
    return MLPClassifierNP((20, 20, 20), **{**defaults, **params})


def test_divergence_stops_the_fit_in_the_epoch_it_happens():
    X, y = make_classification(60, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0)
    model = diverging_model(verbose=True)
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(DivergenceError) as excinfo:
        model.fit(X, y)
    message = str(excinfo.value)
    assert "diverged" in message
    assert "smaller learning_rate_init (it was 1000)" in message
    epoch = int(re.search(r"in epoch (\d+)", message).group(1))
    assert 1 <= epoch < model.max_iter
    # The verbose output lists the epochs that completed: all before the
    # diverging one and none after it.
    completed = [int(n) for n in re.findall(r"^Iteration (\d+),", out.getvalue(), re.M)]
    assert completed == list(range(1, epoch))
    assert isinstance(excinfo.value, ValueError) and isinstance(excinfo.value, ArithmeticError)
    # Nothing was published: no NaN coefficients to predict with.
    assert not hasattr(model, "coefs_")
    with pytest.raises(NotFittedError):
        model.predict(X)


def assert_same_model(model, coefs, proba, X):
    for old, new in zip(coefs, model.coefs_):
        np.testing.assert_array_equal(old, new)
    np.testing.assert_array_equal(model.predict_proba(X), proba)


def test_diverging_warm_start_keeps_the_previous_model():
    X, y = make_classification(60, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0)
    model = diverging_model(learning_rate_init=0.01).fit(X, y)
    coefs, proba = [W.copy() for W in model.coefs_], model.predict_proba(X)
    model.set_params(learning_rate_init=1000.0, warm_start=True)
    with pytest.raises(DivergenceError, match="smaller learning_rate_init"):
        model.fit(X, y)
    assert_same_model(model, coefs, proba, X)


def test_diverging_partial_fit_keeps_the_previous_model():
    X, y = make_classification(60, 4, n_informative=3, n_redundant=0, n_classes=3, random_state=0)
    model = diverging_model()
    with pytest.raises(DivergenceError, match="smaller learning_rate_init"):
        for _ in range(50):
            if hasattr(model, "coefs_"):
                coefs, proba = [W.copy() for W in model.coefs_], model.predict_proba(X)
            model.partial_fit(X, y, classes=[0, 1, 2])
    assert model.n_iter_ >= 1  # it diverged after some successful calls
    assert_same_model(model, coefs, proba, X)


# --------------------------------------------------------------------- Ctrl-C
@pytest.fixture
def default_sigint_handler():
    """Ctrl-C raises KeyboardInterrupt in the main thread, whatever the runner set."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread only")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize(
    "estimator",
    [
        SoftmaxClassifier(batch_size=8, random_state=0),
        MLPClassifierNP((30,), batch_size=8, random_state=0),
    ],
    ids=["softmax-sgd", "mlp-adam"],
)
def test_ctrl_c_during_fit_keeps_the_model_trained_so_far(estimator, default_sigint_handler):
    X, y = make_classification(2000, 20, n_informative=5, n_classes=3, random_state=0)
    # Long enough (many seconds) that the interrupt arrives mid-training.
    model = clone(estimator).set_params(max_iter=100_000, n_iter_no_change=100_000)
    timer = threading.Timer(0.5, signal.raise_signal, args=(signal.SIGINT,))
    # raise_signal from another thread still runs the handler in the main thread.
    timer.start()
    try:
        with pytest.warns(UserWarning, match="interrupted by the user after"):
            model.fit(X, y)
    finally:
        timer.cancel()
        timer.join()
    assert 1 <= model.n_iter_ < model.max_iter
    assert all(np.isfinite(W).all() for W in model.coefs_ + model.intercepts_)
    assert np.isfinite(model.loss_)
    assert_valid_proba(model.predict_proba(X), 3)
    assert model.score(X, y) > 0.6  # it learned something before the interrupt


@pytest.mark.parametrize("estimator", [SoftmaxClassifier, MLPClassifierNP])
def test_ctrl_c_during_lbfgs_keeps_a_usable_model(estimator, monkeypatch, default_sigint_handler):
    X, y = make_classification(200, 5, n_informative=3, n_classes=3, random_state=0)
    loss_grad = Network.loss_grad
    calls = []

    def interrupted_at_call_10(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 10:
            signal.raise_signal(signal.SIGINT)  # a real Ctrl-C, mid-evaluation
        return loss_grad(self, *args, **kwargs)

    monkeypatch.setattr(Network, "loss_grad", interrupted_at_call_10)
    model = estimator(solver="lbfgs", random_state=0, max_iter=500)
    with pytest.warns(UserWarning, match="interrupted by the user"):
        model.fit(X, y)
    assert len(calls) == 10
    assert 1 <= model.n_iter_ == len(model.loss_curve_) < 10  # iterations done before it
    assert all(np.isfinite(W).all() for W in model.coefs_ + model.intercepts_)
    assert_valid_proba(model.predict_proba(X), 3)
    assert model.score(X, y) > 0.5


@pytest.mark.parametrize("learning_rate_init", [10.0, 1e3, 1e6])
def test_a_finite_but_exploding_loss_is_divergence_too(learning_rate_init):
    """Huge SGD steps can grow the loss to 1e100 without ever reaching inf."""
    X, y = make_classification(200, 5, n_informative=3, n_classes=3, random_state=0)
    model = MLPClassifierNP(
        (10,),
        activation="identity",
        solver="sgd",
        momentum=0.0,
        learning_rate_init=learning_rate_init,
        max_iter=50,
        random_state=0,
    )
    with pytest.raises(DivergenceError, match="exploded"):
        model.fit(X, y)
    assert not hasattr(model, "coefs_")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_poisson_predictions_of_finite_inputs_are_finite(dtype):
    rng = np.random.RandomState(0)
    X = rng.randn(80, 3).astype(dtype)
    y = np.abs(X @ [1.0, 2.0, -1.0])
    reg = MLPRegressorNP("poisson", (8,), max_iter=5, random_state=0).fit(X, y)
    big = np.finfo(dtype).max

    def reference(X):  # exp of the output layer, computed on its own
        z = logits(X, reg.coefs_, reg.intercepts_, reg._activation)[:, 0]
        with np.errstate(over="ignore"):
            return z, np.exp(z)

    # ordinary predictions: exp of the logits, bit for bit
    np.testing.assert_array_equal(reg.predict(X), reference(X)[1])
    capped = 0
    for factor in (1e2, 1e3, 1e4, 1e36 if dtype == np.float32 else 1e300):
        X_big = (X * factor).astype(dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no overflow warning either
            predicted = reg.predict(X_big)
        assert predicted.dtype == dtype and np.isfinite(predicted).all()
        assert (predicted >= 0).all()
        z, expected = reference(X_big)
        exact = np.isfinite(z)  # the forward pass itself did not overflow
        # exp overflowed: the largest finite value; otherwise exp itself
        capped += (np.isinf(expected) & exact).sum()
        expected = np.where(np.isinf(expected), big, expected)
        np.testing.assert_array_equal(predicted[exact], expected[exact])
    assert capped > 0 and (predicted == big).any()  # exp overflowed, from finite logits too


# ------------------------------------------------------------------ properties
LABEL_SETS = [
    np.array([0, 1, 2, 3]),
    np.array([-3, 5, 7, 11]),
    np.array([1.0, 2.0, 3.0, 4.0]),
    np.array(["cat", "dog", "eel", "fox"]),
    np.array([False, True]),
]


@st.composite
def problems(draw):
    """Random small classification problems: data, labels, weights, estimator."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.RandomState(seed)
    labels = draw(st.sampled_from(LABEL_SETS))
    n_classes = draw(st.integers(2, len(labels)))
    n_samples = draw(st.integers(n_classes, 40))
    n_features = draw(st.integers(1, 6))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    X = (rng.randn(n_samples, n_features) * scale).astype(dtype)
    # Every class present at least once.
    y = labels[:n_classes][rng.permutation(np.arange(n_samples) % n_classes)]
    sample_weight = None
    if draw(st.booleans()):
        sample_weight = rng.uniform(0.1, 3.0, n_samples)
        # zero weights on some samples, but never on a class's first sample
        first = {label: i for i, label in reversed(list(enumerate(y.tolist())))}
        zero = rng.rand(n_samples) < 0.2
        zero[list(first.values())] = False
        sample_weight[zero] = 0.0
    solver = draw(st.sampled_from(["sgd", "adam", "lbfgs"]))
    if draw(st.booleans()):
        estimator = SoftmaxClassifier(solver=solver, max_iter=10, random_state=seed % 1000)
    else:
        hidden = tuple(draw(st.lists(st.integers(1, 8), min_size=1, max_size=2)))
        activation = draw(st.sampled_from(["relu", "tanh", "logistic", "identity"]))
        estimator = MLPClassifierNP(
            hidden, activation, solver=solver, max_iter=10, random_state=seed % 1000
        )
    return estimator, X, y, sample_weight


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_predictions_are_valid_and_consistent(problem):
    estimator, X, y, sample_weight = problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of the short fits
        try:
            model = estimator.fit(X, y, sample_weight=sample_weight)
        except DivergenceError:
            # Unscaled inputs (1e3) through identity layers can truly diverge
            # with plain SGD; then nothing may be published.
            assert not hasattr(estimator, "coefs_")
            return
    classes = np.unique(y)
    np.testing.assert_array_equal(model.classes_, classes)

    predicted = model.predict(X)
    assert predicted.shape == y.shape
    assert np.isin(predicted, classes).all()

    proba = model.predict_proba(X)
    assert proba.dtype == X.dtype
    assert_valid_proba(proba, len(classes))
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), proba, rtol=1e-4, atol=1e-30)

    scores = model.decision_function(X)
    assert np.isfinite(scores).all()
    rows = np.arange(X.shape[0])
    index = np.searchsorted(classes, predicted)
    if len(classes) == 2:
        assert scores.shape == (X.shape[0],)
        np.testing.assert_array_equal(predicted, classes[(scores > 0).astype(int)])
    else:
        assert scores.shape == (X.shape[0], len(classes))
        np.testing.assert_array_equal(predicted, classes[np.argmax(scores, axis=1)])
    # The predicted class has the largest probability (ties allowed).
    np.testing.assert_array_equal(proba[rows, index], proba.max(axis=1))


def test_flush_tiny_zeroes_what_no_product_of_two_entries_can_use():
    from sknumpynet._activations import FLUSH_BELOW_FLOAT32, flush_tiny

    values = [0.0, 1e-40, -1e-40, 2.0**-64, -(2.0**-64), 2.0**-63, -(2.0**-63), 1e-30]
    values += [1e-18, 3.25, -7.0, np.inf, -np.inf, np.nan]
    a = np.array(values, dtype=np.float32)
    before = a.copy()
    flush_tiny(a)
    small = np.abs(before) < FLUSH_BELOW_FLOAT32
    assert small.sum() == 6  # the zero, two subnormals, 2**-64 twice and 1e-30
    assert np.all(a[small] == 0)
    np.testing.assert_array_equal(a[~small], before[~small])  # NaN stays NaN
    # float64 is left as it is
    b = np.array(values, dtype=np.float64)
    flush_tiny(b)
    np.testing.assert_array_equal(b, np.array(values, dtype=np.float64))


def _tiny_operands(activation, X, Y):
    """Entries in (0, 2**-63) of a float32 network's hidden outputs and hidden
    errors, with weights scaled by 60 so that units saturate: entries whose
    product with another such entry could be subnormal."""
    net = Network([8, 64, 64, 3], activation, "softmax", np.float32)
    net.initialize(np.random.RandomState(1))
    for W in net.coefs:
        W *= 60
    views = net._buffers(len(X))
    net.forward(X, views)
    # (back-propagation may reuse a layer's output as scratch: count first)
    outputs = [a.copy() for a in views.acts[:-1]]
    net.loss_grad(X, Y, None, 0.0)

    def count(arrays):
        return sum(int(((a != 0) & (np.abs(a) < 2.0**-63)).sum()) for a in arrays)

    return count(outputs), count(views.deltas)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_saturated_float32_units_give_the_matrix_products_no_subnormal_operand(
    activation, monkeypatch
):
    # Large weights push pre-activations far below -87, where the outputs of
    # TINY_OUTPUTS activations are subnormal in float32, and chains of small
    # derivatives make errors tiny: a matrix product reading a subnormal
    # number runs 20 to 170 times slower. Outputs and errors are flushed
    # before any product reads them.
    import sknumpynet._network as network_module
    from sknumpynet._activations import SMALL_DERIVATIVES, TINY_OUTPUTS

    rng = np.random.RandomState(0)
    X = rng.randn(256, 8).astype(np.float32)
    Y = np.eye(3, dtype=np.float32)[rng.randint(3, size=256)]
    assert _tiny_operands(activation, X, Y) == (0, 0)
    with monkeypatch.context() as m:  # what the flush guards against
        m.setattr(network_module, "flush_tiny", lambda a, buf=None: None)
        outputs, errors = _tiny_operands(activation, X, Y)
    if activation in TINY_OUTPUTS:
        assert outputs > 100
    else:  # the others' outputs cannot fall so low: they skip that flush
        assert outputs == 0
    # Errors: tiny through chains of small derivatives (here tanh, logistic,
    # GELU, SiLU, Mish; ELU's and SELU's can be elsewhere), or through a tiny
    # output error that relu passes on (62 entries here). With the flush on,
    # relu, leaky_relu and identity need only the output error's.
    if activation in SMALL_DERIVATIVES - {"elu", "selu", "softplus"}:
        assert errors > 100
    if activation == "relu":
        assert errors > 10


def test_the_output_layer_error_is_flushed_before_the_products_read_it(monkeypatch):
    import sknumpynet._network as network_module

    rng = np.random.RandomState(0)
    X = rng.randn(64, 8).astype(np.float32)
    net = Network([8, 16, 3], "relu", "softmax", np.float32)
    net.initialize(rng)

    def backward_error():
        views = net._buffers(len(X))
        net.forward(X, views)
        delta = views.acts[-1]
        delta[...] = rng.randn(*delta.shape)
        # saturated probabilities minus their targets
        delta[::4, 1] = 1e-40
        delta[::5, 2] = -1e-25
        net.backward(X, delta, views)
        return int(((delta != 0) & (np.abs(delta) < 2.0**-63)).sum())

    assert backward_error() == 0
    with monkeypatch.context() as m:
        m.setattr(network_module, "flush_tiny", lambda a, buf=None: None)
        assert backward_error() == 16 + 13
