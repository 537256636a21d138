"""The training-recipe options of the stochastic optimizers: decoupled weight
decay, learning-rate schedules with warm-up, gradient clipping, label smoothing.

Each against a hand-computed reference for a few steps, and through the
estimators: defaults unchanged, float32 kept, partial_fit and warm_start,
and clear errors for bad values."""

import math
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sknumpynet import MLPClassifierNP, MLPRegressorNP, SoftmaxClassifier
from sknumpynet._losses import logistic_cross_entropy, softmax_cross_entropy
from sknumpynet._network import Network
from sknumpynet._optimizers import (
    LR_SCHEDULES,
    AdamOptimizer,
    SGDOptimizer,
    make_optimizer,
    optimizer_from_state,
    schedule_factor,
)

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_IRIS = StandardScaler().fit_transform(X_IRIS)
GRADS = [
    np.array([0.5, -1.0, 2.0, 0.25]),
    np.array([-0.3, 0.7, 1.5, -2.0]),
    np.array([1.2, 0.1, -0.4, 0.9]),
]


# ------------------------------------------------------------ schedules
def test_schedule_factors_at_known_points():
    assert schedule_factor(None, 0.0, 7, 10) == 1.0
    cosine = [schedule_factor("cosine", 0.0, s, 4) for s in range(5)]
    np.testing.assert_allclose(cosine, [1.0, (1 + 2**-0.5) / 2, 0.5, (1 - 2**-0.5) / 2, 0.0])
    linear = [schedule_factor("linear", 0.0, s, 4) for s in range(6)]
    np.testing.assert_allclose(linear, [1.0, 0.75, 0.5, 0.25, 0.0, 0.0])  # stays at the end
    # flat_cos: flat for the first half, then a cosine
    flat = [schedule_factor("flat_cos", 0.0, s, 8) for s in range(9)]
    np.testing.assert_allclose(flat[:4], 1.0)
    np.testing.assert_allclose(flat[4:], [1.0, (1 + 2**-0.5) / 2, 0.5, (1 - 2**-0.5) / 2, 0.0])
    # coslog4: zero at each power of two of 1 + 15 q, one halfway on the log scale
    for q, expected in [(0.0, 0.0), (1 / 15, 0.0), (3 / 15, 0.0), (1.0, 0.0)]:
        assert LR_SCHEDULES["coslog4"](q) == pytest.approx(expected, abs=1e-12)
    peak = (2**0.5 - 1) / 15
    assert LR_SCHEDULES["coslog4"](peak) == pytest.approx(1.0)


def test_warmup_rises_linearly_then_hands_over_to_the_schedule():
    # 10 steps, warm-up over the first 4: (s + 1) / 4, then cosine over q
    factors = [schedule_factor("cosine", 0.4, s, 10) for s in range(10)]
    np.testing.assert_allclose(factors[:4], [0.25, 0.5, 0.75, 1.0])
    q = (np.arange(4, 10) / 10 - 0.4) / 0.6
    np.testing.assert_allclose(factors[4:], 0.5 * (1 + np.cos(np.pi * q)))
    # without a schedule: warm-up, then constant
    constant = [schedule_factor(None, 0.5, s, 4) for s in range(4)]
    np.testing.assert_allclose(constant, [0.5, 1.0, 1.0, 1.0])


# -------------------------------------------------- exact optimizer steps
def _adam_reference(params, grads, lrs, wd, n_decayed, b1=0.9, b2=0.999, eps=1e-8):
    """AdamW as scikit-learn's Adam writes the step, with PyTorch's decoupled decay."""
    p = params.copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t, (g, lr) in enumerate(zip(grads, lrs), start=1):
        p[:n_decayed] *= 1 - lr * wd
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        p -= lr * math.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
    return p


def _run(opt, params, grads, total_steps):
    opt.start(total_steps)
    lrs = []
    for g in grads:
        lrs.append(opt.learning_rate)
        opt.step(params, opt.grad_scale * g)
    return lrs


def test_adamw_decays_the_coefficients_apart_from_the_gradient():
    start = np.array([1.0, -2.0, 0.5, 3.0])
    opt = AdamOptimizer(4, np.float64, learning_rate_init=0.1)
    opt.configure(weight_decay=0.5, n_decayed=2)
    params = start.copy()
    _run(opt, params, GRADS, 3)
    expected = _adam_reference(start, GRADS, [0.1] * 3, wd=0.5, n_decayed=2)
    np.testing.assert_allclose(params, expected, rtol=1e-13)
    # the decay is what differs from Adam, on the coefficients only
    plain = _adam_reference(start, GRADS, [0.1] * 3, wd=0.0, n_decayed=2)
    assert np.all(np.abs(params[:2] - plain[:2]) > 1e-3)
    np.testing.assert_array_equal(params[2:], plain[2:])


def test_sgdw_with_momentum_matches_the_reference():
    start = np.array([1.0, -2.0, 0.5, 3.0])
    opt = SGDOptimizer(4, np.float64, learning_rate_init=0.1, momentum=0.9, nesterov=False)
    opt.configure(weight_decay=0.2, n_decayed=3)
    params = start.copy()
    _run(opt, params, GRADS, 3)
    p, velocity = start.copy(), np.zeros(4)
    for g in GRADS:
        p[:3] *= 1 - 0.1 * 0.2
        velocity = 0.9 * velocity - 0.1 * g
        p += velocity
    np.testing.assert_allclose(params, p, rtol=1e-13)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_decay_factors_and_schedule_decay_each_parameter(solver):
    """p *= 1 - lr_t * wd * flat_cos(t) * factor, before the optimizer's step:
    the same steps as the undecayed optimizer run on the decayed weights."""
    start = np.array([1.0, -2.0, 0.5, 3.0])
    factors = np.array([1.0, 0.0, 6.0, 0.1])
    make = {
        "adam": lambda: AdamOptimizer(4, np.float64, learning_rate_init=0.1),
        "sgd": lambda: SGDOptimizer(4, np.float64, learning_rate_init=0.1, momentum=0.9),
    }[solver]
    opt = make().configure(
        schedule="coslog4",
        weight_decay=0.3,
        weight_decay_schedule="flat_cos",
        decay_factors=factors,
    )
    params = start.copy()
    _run(opt, params, GRADS, 3)  # the last step's decay is past its flat half
    reference = make().configure(schedule="coslog4")
    reference.start(3)
    expected = start.copy()
    for step, g in enumerate(GRADS):
        lr = 0.1 * schedule_factor("coslog4", 0.0, step, 3)
        expected *= 1.0 - lr * 0.3 * schedule_factor("flat_cos", 0.0, step, 3) * factors
        reference.step(expected, g * reference.grad_scale)
    np.testing.assert_allclose(params, expected, rtol=1e-13)
    assert schedule_factor("flat_cos", 0.0, 1, 3) == 1.0
    assert schedule_factor("flat_cos", 0.0, 2, 3) == pytest.approx(0.75)
    restored = optimizer_from_state(opt.state())
    np.testing.assert_array_equal(restored.decay_factors, factors)
    assert restored.weight_decay_schedule == "flat_cos"
    with pytest.raises(ValueError, match="decay_factors must hold one factor per parameter"):
        make().configure(weight_decay=0.1, decay_factors=np.ones(3))
    with pytest.raises(ValueError, match="weight_decay_schedule must be None or one of"):
        make().configure(weight_decay=0.1, weight_decay_schedule="sometimes")
    # lr 0.1: a decay of 2 at factor 6 would multiply the weights by 1 - 1.2
    with pytest.raises(
        ValueError, match=r"flipping their sign.* below 1 / learning_rate_init / 6"
    ):
        make().configure(weight_decay=2.0, decay_factors=factors)
    with pytest.raises(ValueError, match="weight_decay=10.0 is too large"):
        make().configure(weight_decay=10.0, n_decayed=2)


@pytest.mark.parametrize("schedule", sorted(LR_SCHEDULES))
def test_adam_follows_each_schedule_step_by_step(schedule):
    start = np.array([1.0, -2.0, 0.5, 3.0])
    opt = AdamOptimizer(4, np.float64, learning_rate_init=0.1)
    opt.configure(schedule=schedule, warmup_fraction=0.25, weight_decay=0.1, n_decayed=4)
    params = start.copy()
    lrs = _run(opt, params, GRADS, 4)  # three of four steps
    expected_lrs = [0.1 * schedule_factor(schedule, 0.25, s, 4) for s in range(3)]
    np.testing.assert_allclose(lrs, expected_lrs, rtol=1e-15)
    # one warm-up step of four, (0 + 1) / 1; coslog4 itself starts from 0
    assert lrs[0] == (0.0 if schedule == "coslog4" else pytest.approx(0.1))
    np.testing.assert_allclose(
        params, _adam_reference(start, GRADS, expected_lrs, wd=0.1, n_decayed=4), rtol=1e-13
    )
    assert opt.steps == 3
    assert opt.learning_rate == pytest.approx(0.1 * schedule_factor(schedule, 0.25, 3, 4))


def test_sgd_schedule_scales_the_step():
    opt = SGDOptimizer(2, np.float64, learning_rate_init=0.2, momentum=0.0)
    opt.configure(schedule="linear")
    params = np.zeros(2)
    g = np.array([1.0, -1.0])
    _run(opt, params, [g, g, g], 4)
    # steps of 0.2 * (1, 0.75, 0.5)
    np.testing.assert_allclose(params, -0.2 * 2.25 * g, rtol=1e-15)


def test_clipping_scales_a_large_gradient_to_the_norm_and_leaves_small_ones():
    opt = SGDOptimizer(2, np.float64, learning_rate_init=0.1, momentum=0.0)
    opt.configure(max_grad_norm=1.0)
    params = np.zeros(2)
    _run(opt, params, [np.array([3.0, 4.0])], 1)  # norm 5: scaled by 1 / 5
    np.testing.assert_allclose(params, [-0.06, -0.08], rtol=1e-15)
    params = np.zeros(2)
    _run(opt, params, [np.array([0.3, 0.4])], 1)  # norm 0.5: unchanged
    np.testing.assert_allclose(params, [-0.03, -0.04], rtol=1e-15)
    # Adam sees the clipped gradient: its first moment is (1 - b1) times it
    adam = AdamOptimizer(2, np.float64, learning_rate_init=0.1).configure(max_grad_norm=2.0)
    adam.start(1)
    adam.step(np.zeros(2), adam.grad_scale * np.array([6.0, 8.0]))
    np.testing.assert_allclose(adam.m, 0.1 * np.array([1.2, 1.6]), rtol=1e-14)


def test_clipping_a_float32_gradient_whose_squares_overflow():
    opt = SGDOptimizer(2, np.float32, learning_rate_init=1.0, momentum=0.0)
    opt.configure(max_grad_norm=5.0)
    params = np.zeros(2, dtype=np.float32)
    _run(opt, params, [np.array([3e20, 4e20], dtype=np.float32)], 1)  # 9e40 > float32 max
    assert params.dtype == np.float32
    np.testing.assert_allclose(params, [-3.0, -4.0], rtol=1e-6)


def test_options_survive_the_saved_state_and_old_states_load():
    opt = make_optimizer(
        "adam",
        4,
        np.float32,
        dict(
            learning_rate_init=0.01,
            beta_1=0.9,
            beta_2=0.999,
            epsilon=1e-8,
            weight_decay=0.1,
            lr_schedule="cosine",
            warmup_fraction=0.1,
            max_grad_norm=1.0,
        ),
        n_decayed=3,
    )
    _run(opt, np.ones(4, dtype=np.float32), [g.astype(np.float32) for g in GRADS], 10)
    restored = optimizer_from_state(opt.state())
    for name in ("schedule", "warmup_fraction", "weight_decay", "n_decayed", "max_grad_norm"):
        assert getattr(restored, name) == getattr(opt, name)
    assert restored.steps == 3 and restored.learning_rate == opt.learning_rate
    # a state saved before the options existed: none of them
    new = ("schedule", "warmup_fraction", "weight_decay", "n_decayed", "max_grad_norm")
    old = {k: v for k, v in opt.state().items() if k not in (*new, "steps", "total_steps")}
    legacy = optimizer_from_state(old)
    assert legacy.schedule is None and legacy.weight_decay == 0.0
    assert legacy.max_grad_norm is None and legacy.steps == 0


# ------------------------------------------------------- through estimators
def _fit(estimator, X=X_IRIS, y=Y_IRIS):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_neutral_settings_are_bit_identical_to_the_defaults(solver):
    params = dict(hidden_layer_sizes=(8,), solver=solver, max_iter=5, random_state=0)
    default = _fit(MLPClassifierNP(**params))
    # the options take their code paths, but change nothing
    neutral = _fit(MLPClassifierNP(**params, max_grad_norm=1e300, lr_schedule=None))
    for a, b in zip(default.coefs_ + default.intercepts_, neutral.coefs_ + neutral.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert default.loss_curve_ == neutral.loss_curve_


@pytest.mark.parametrize("Estimator", [MLPClassifierNP, MLPRegressorNP, SoftmaxClassifier])
def test_every_option_trains_and_keeps_float32(Estimator):
    options = dict(
        weight_decay=0.01,
        lr_schedule="coslog4",
        warmup_fraction=0.1,
        max_grad_norm=1.0,
        max_iter=20,
        random_state=0,
    )
    if Estimator is not MLPRegressorNP:
        options["label_smoothing"] = 0.1
    if Estimator is not SoftmaxClassifier:
        options.update(hidden_layer_sizes=(16,), activation="mish", learning_rate_init=0.05)
    y = X_IRIS[:, 0] + X_IRIS[:, 1] if Estimator is MLPRegressorNP else Y_IRIS
    model = _fit(Estimator(**options), X_IRIS.astype(np.float32), y)
    assert all(W.dtype == np.float32 for W in model.coefs_ + model.intercepts_)
    assert model._optimizer.m.dtype == np.float32 if model.solver == "adam" else True
    assert model.score(X_IRIS.astype(np.float32), y) > 0.8
    assert model.loss_curve_[-1] < model.loss_curve_[0]


def test_weight_decay_shrinks_the_coefficients_not_the_intercepts():
    params = dict(hidden_layer_sizes=(8,), max_iter=30, random_state=0, learning_rate_init=0.01)
    plain = _fit(MLPClassifierNP(**params))
    decayed = _fit(MLPClassifierNP(**params, weight_decay=5.0))
    norm = [sum(float((W**2).sum()) for W in m.coefs_) for m in (plain, decayed)]
    assert norm[1] < 0.7 * norm[0]


def test_partial_fit_continues_the_schedule_and_warm_start_restarts_it():
    params = dict(hidden_layer_sizes=(4,), batch_size=50, max_iter=4, random_state=0)
    clf = MLPClassifierNP(**params, lr_schedule="cosine", learning_rate_init=0.01)
    classes = np.unique(Y_IRIS)
    for call in range(1, 7):
        clf.partial_fit(X_IRIS, Y_IRIS, classes=classes)
        # 3 batches a call, 4 calls make the schedule; then the rate stays at 0
        opt = clf._optimizer
        assert opt.steps == 3 * call and opt.total_steps == 12
        expected = 0.01 * schedule_factor("cosine", 0.0, min(3 * call, 12), 12)
        assert opt.learning_rate == pytest.approx(expected, abs=1e-15)
    assert clf._optimizer.learning_rate == 0.0
    before = [W.copy() for W in clf.coefs_]
    clf.partial_fit(X_IRIS, Y_IRIS)
    for a, b in zip(before, clf.coefs_):
        np.testing.assert_array_equal(a, b)  # past the end of the schedule: no step

    warm = _fit(MLPClassifierNP(**params, lr_schedule="linear", warm_start=True, tol=0))
    _fit(warm)
    assert warm._optimizer.steps == 3 * 4  # the second fit's own schedule
    assert warm._optimizer.learning_rate == 0.0


def test_a_fit_that_ends_its_schedule_does_not_warn_of_max_iter():
    params = dict(hidden_layer_sizes=(8,), max_iter=10, learning_rate_init=0.05, random_state=0)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPClassifierNP(**params).fit(X_IRIS, Y_IRIS)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPClassifierNP(**params, warmup_fraction=0.5).fit(X_IRIS, Y_IRIS)  # no schedule
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        MLPClassifierNP(**params, lr_schedule="cosine").fit(X_IRIS, Y_IRIS)


def test_label_smoothing_loss_and_gradient_match_their_definition():
    rng = np.random.RandomState(0)
    Z = rng.randn(6, 4)
    Y = np.eye(4)[rng.randint(4, size=6)]
    w = rng.uniform(0, 2, 6)
    eps = 0.2
    Ys = (1 - eps) * Y + eps / 4
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    for weights in (None, w):
        ww = np.ones(6) if weights is None else weights
        G = Z.copy()
        loss = softmax_cross_entropy(G, Y, weights, 1.0, eps)
        assert loss == pytest.approx(-np.sum(ww * (Ys * np.log(P)).sum(axis=1)) / 6, rel=1e-13)
        np.testing.assert_allclose(G, ww[:, None] * (P - Ys) / 6, atol=1e-15)
    Yb = (rng.uniform(size=(6, 3)) > 0.5).astype(float)
    Yb_s = (1 - eps) * Yb + eps / 2
    S = 1 / (1 + np.exp(-Z[:, :3]))
    G = Z[:, :3].copy()
    loss = logistic_cross_entropy(G, Yb, w, 1.0, eps)
    expected = -np.sum(w * (Yb_s * np.log(S) + (1 - Yb_s) * np.log(1 - S)).sum(axis=1)) / 6
    assert loss == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(G, w[:, None] * (S - Yb_s) / 6, atol=1e-15)


def test_label_smoothing_is_the_reported_loss_and_not_the_validation_one():
    # L-BFGS without penalty: loss_ is the smoothed objective at the final weights
    clf = _fit(
        MLPClassifierNP((5,), solver="lbfgs", alpha=0.0, label_smoothing=0.1, random_state=0)
    )
    Z = clf.decision_function(X_IRIS)
    Y = np.eye(3)[Y_IRIS]
    assert clf.loss_ == pytest.approx(softmax_cross_entropy(Z.copy(), Y, None, 1.0, 0.1))
    assert clf.loss_ > softmax_cross_entropy(Z.copy(), Y) + 0.05
    # early stopping: the validation loss is the plain cross-entropy of the
    # held-out rows, which the same draws as the fit's pick out
    es = _fit(
        MLPClassifierNP((5,), early_stopping=True, label_smoothing=0.3, max_iter=1, random_state=0)
    )
    rng = np.random.RandomState(0)
    Network([4, 5, 3], "relu", "softmax", np.float64).initialize(rng)
    _, val = train_test_split(np.arange(150), test_size=0.1, random_state=rng)
    Z = es.decision_function(X_IRIS[val])
    assert es.validation_loss_curve_[0] == pytest.approx(
        softmax_cross_entropy(Z.copy(), Y[val]), rel=1e-12
    )
    assert es.validation_loss_curve_[0] < softmax_cross_entropy(Z.copy(), Y[val], None, 1.0, 0.3)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(weight_decay=-1.0), "weight_decay"),
        (dict(lr_schedule="step"), "lr_schedule"),
        (dict(warmup_fraction=1.0), "warmup_fraction"),
        (dict(max_grad_norm=0.0), "max_grad_norm"),
        (dict(label_smoothing=1.0), "label_smoothing"),
        (dict(solver="lbfgs", weight_decay=0.1), "weight_decay=0.1 act on the steps"),
        (dict(solver="lbfgs", lr_schedule="cosine"), "lr_schedule='cosine' act on the steps"),
        (dict(solver="lbfgs", max_grad_norm=1.0), "max_grad_norm=1.0 act"),
        (dict(solver="sgd", learning_rate="adaptive", lr_schedule="cosine"), "'constant'"),
        (dict(solver="sgd", learning_rate="invscaling", warmup_fraction=0.1), "'constant'"),
    ],
)
def test_bad_values_are_refused_naming_the_parameter(params, match):
    clf = MLPClassifierNP((3,), max_iter=2, **params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X_IRIS, Y_IRIS)
    assert not hasattr(clf, "coefs_")


def test_regressor_has_no_label_smoothing():
    assert "label_smoothing" not in MLPRegressorNP().get_params()
    with pytest.raises(ValueError, match="label_smoothing"):
        Network([2, 1], "relu", "identity", np.float64, label_smoothing=0.1)


# scikit-learn's common checks with every option on, in the slow run.
RECIPE = dict(
    weight_decay=1e-3,
    lr_schedule="cosine",
    warmup_fraction=0.1,
    max_grad_norm=10.0,
)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(
    [
        MLPClassifierNP(activation="mish", label_smoothing=0.1, **RECIPE),
        MLPClassifierNP(activation="selu", solver="sgd", learning_rate_init=0.01, **RECIPE),
        SoftmaxClassifier(label_smoothing=0.05, **RECIPE),
        MLPRegressorNP(activation="mish", **RECIPE),
    ]
)
def test_the_options_pass_scikit_learns_checks(estimator, check):
    check(estimator)
