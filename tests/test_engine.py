"""The numpy engine: every analytic gradient against finite differences, and
every optimizer step against an update computed by hand."""

import ast
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import erf

import sknumpynet
from sknumpynet._activations import (
    ACTIVATIONS,
    DERIVATIVES,
    KINKS,
    NEEDS_INPUT,
    SELU_ALPHA,
    SELU_SCALE,
)
from sknumpynet._losses import log_softmax, logistic_cross_entropy, softmax_cross_entropy
from sknumpynet._network import Network
from sknumpynet._optimizers import AdamOptimizer, SGDOptimizer, optimizer_from_state


def _problem(output, n=12, n_features=5, n_outputs=3, seed=0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, n_features).astype(dtype)
    if output == "softmax":
        Y = np.eye(n_outputs, dtype=dtype)[rng.randint(n_outputs, size=n)]
    elif output == "binary":
        Y = rng.randint(2, size=(n, 1)).astype(dtype)
    else:  # multilabel
        Y = rng.randint(2, size=(n, n_outputs)).astype(dtype)
    return X, Y


def numerical_gradient(f, params, h=1e-4, pattern=None):
    """Five-point centered differences of ``f()`` for each entry of ``params``.

    The O(h^4) stencil keeps truncation error far below float64 round-off, so
    even gradient entries of 1e-5 are resolved to a relative 1e-7.  With
    ``pattern`` (a function returning the ReLU on/off pattern after ``f()``),
    entries whose stencil crosses a kink are NaN: there the loss is not
    differentiable and no finite difference is meaningful.
    """
    grad = np.empty_like(params)
    for i in range(params.size):
        old = params[i]
        values, patterns = [], set()
        for step in (0.0, 2 * h, h, -h, -2 * h):
            params[i] = old + step
            values.append(f())
            if pattern is not None:
                patterns.add(pattern())
        params[i] = old
        _, v2, v1, m1, m2 = values
        grad[i] = (-v2 + 8 * v1 - 8 * m1 + m2) / (12 * h) if len(patterns) <= 1 else np.nan
    return grad


def relative_error(analytic, numeric, floor=1e-5):
    """Largest element-wise ``|a - n| / max(|a| + |n|, floor)``, as in the course notes.

    The floor keeps entries that are exactly zero (dead ReLU units) from turning
    the ~1e-13 round-off of a finite difference into a large relative error.
    """
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), floor)
    return np.max(np.abs(analytic - numeric) / scale)


OUTPUTS = ["softmax", "binary", "multilabel"]


def _kink_pattern(net, n):
    """The on/off pattern of every hidden unit for the last forward pass."""

    def pattern():
        # the kinks are where the pre-activation crosses 0; the output of a
        # parametric activation crosses it elsewhere
        hidden = net._pre if net.parametric else net._acts[:-1]
        return b"".join(np.packbits(a[:n] > 0).tobytes() for a in hidden)

    return pattern if net.activation in KINKS and net.n_layers > 2 else None


def _backprop_grid():
    """Every output, activation, penalty, weighting and depth. The default run
    checks each activation and output with the penalty, weights and two hidden
    layers (every code path at once); the slow run checks every combination."""
    for hidden in [(), (7,), (6, 4)]:
        for weighted in [False, True]:
            for alpha in [0.0, 0.3]:
                for activation in ACTIVATIONS:
                    for output in OUTPUTS:
                        core = hidden == (6, 4) and weighted and alpha
                        yield pytest.param(
                            output,
                            activation,
                            alpha,
                            weighted,
                            hidden,
                            marks=() if core else pytest.mark.slow,
                            id=f"{hidden}-{weighted}-{alpha}-{activation}-{output}",
                        )


@pytest.mark.parametrize("output, activation, alpha, weighted, hidden", list(_backprop_grid()))
def test_backprop_matches_finite_differences(output, activation, alpha, weighted, hidden):
    X, Y = _problem(output)
    rng = np.random.RandomState(1)
    sw = rng.uniform(0, 3, size=X.shape[0]) if weighted else None
    if weighted:
        sw[:3] = 0.0  # zero weights are legal and must not break anything
    out = "softmax" if output == "softmax" else "logistic"
    net = Network([X.shape[1], *hidden, Y.shape[1]], activation, out, np.float64)
    net.initialize(np.random.RandomState(0))
    net.loss_grad(X, Y, sw, alpha)
    analytic = net.grads.copy()
    numeric = numerical_gradient(
        lambda: net.loss_grad(X, Y, sw, alpha), net.params, pattern=_kink_pattern(net, X.shape[0])
    )
    checked = ~np.isnan(numeric)
    assert checked.mean() > 0.9  # kinks are rare: nearly every entry is checked
    assert relative_error(analytic[checked], numeric[checked]) < 1e-6


def test_backprop_on_sparse_input_matches_dense():
    X, Y = _problem("softmax")
    X[X < 0.3] = 0
    net = Network([X.shape[1], 4, Y.shape[1]], "tanh", "softmax", np.float64)
    net.initialize(np.random.RandomState(0))
    dense_loss = net.loss_grad(X, Y, None, 0.1)
    dense_grads = net.grads.copy()
    sparse_loss = net.loss_grad(sp.csr_matrix(X), Y, None, 0.1)
    assert sparse_loss == pytest.approx(dense_loss, rel=1e-12)
    np.testing.assert_allclose(net.grads, dense_grads, rtol=1e-10, atol=1e-14)


def test_float32_network_stays_float32_and_agrees_with_float64():
    X, Y = _problem("softmax")
    nets = {}
    for dtype in (np.float32, np.float64):
        net = Network([X.shape[1], 6, Y.shape[1]], "relu", "softmax", dtype)
        net.initialize(np.random.RandomState(0))
        net.loss_grad(X.astype(dtype), Y.astype(dtype), None, 0.1)
        nets[dtype] = net
    assert nets[np.float32].grads.dtype == np.float32
    np.testing.assert_allclose(nets[np.float32].grads, nets[np.float64].grads, atol=1e-5)


def _check_backprop_under_masks(net, X, Y, sw) -> tuple:
    """Backprop against finite differences under fixed dropout masks, with
    sample weights and the L2 penalty (0.3); returns the loss and the masks."""
    masks = net.dropout_masks(X.shape[0], np.random.RandomState(2))
    loss = net.loss_grad(X, Y, sw, 0.3, masks=masks)
    analytic = net.grads.copy()
    numeric = numerical_gradient(
        lambda: net.loss_grad(X, Y, sw, 0.3, masks=masks),
        net.params,
        pattern=_kink_pattern(net, X.shape[0]),
    )
    checked = ~np.isnan(numeric)
    assert checked.mean() > 0.9
    assert relative_error(analytic[checked], numeric[checked]) < 1e-6
    return loss, masks


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", ["tanh", "relu", "elu", "gelu", "silu"])
def test_backprop_under_a_fixed_dropout_mask_matches_finite_differences(output, activation):
    X, Y = _problem(output)
    sw = np.random.RandomState(1).uniform(0, 3, size=X.shape[0])
    out = "softmax" if output == "softmax" else "logistic"
    net = Network([X.shape[1], 7, 6, Y.shape[1]], activation, out, np.float64, dropout=(0.5, 0.3))
    net.initialize(np.random.RandomState(0))
    loss, _ = _check_backprop_under_masks(net, X, Y, sw)
    # the masks matter: without them the same weights give another loss
    assert abs(net.loss_grad(X, Y, sw, 0.3) - loss) > 1e-3


def test_dropout_forward_is_inverted_dropout_of_the_hidden_units():
    X, Y = _problem("softmax")
    net = Network([X.shape[1], 8, Y.shape[1]], "tanh", "softmax", np.float64, dropout=0.25)
    net.initialize(np.random.RandomState(0))
    [mask] = net.dropout_masks(X.shape[0], np.random.RandomState(5))
    loss = net.loss_grad(X, Y, None, 0.0, masks=[mask])
    (W1, W2), (b1, b2) = net.coefs, net.intercepts
    logits = (np.tanh(X @ W1 + b1) * mask) @ W2 + b2
    expected = np.mean(np.log(np.exp(logits).sum(axis=1)) - (logits * Y).sum(axis=1))
    assert loss == pytest.approx(expected, rel=1e-12)
    # predictions use the whole network, unscaled
    np.testing.assert_allclose(net.logits(X), np.tanh(X @ W1 + b1) @ W2 + b2, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_masks_drop_at_the_rate_and_scale_the_rest(dtype):
    net = Network([3, 50, 40, 30, 2], "relu", "softmax", dtype, dropout=[0.3, 0.0, 0.6])
    masks = net.dropout_masks(2000, np.random.RandomState(0))
    assert masks[1] is None  # a layer with rate 0 draws nothing
    for mask, rate in ((masks[0], 0.3), (masks[2], 0.6)):
        assert mask.dtype == dtype and mask.shape[0] == 2000
        np.testing.assert_array_equal(np.unique(mask), np.array([0, 1 / (1 - rate)], dtype=dtype))
        assert (mask == 0).mean() == pytest.approx(rate, abs=0.01)
        assert mask.mean() == pytest.approx(1.0, abs=0.02)  # the expected output is kept
    again = net.dropout_masks(2000, np.random.RandomState(0))
    np.testing.assert_array_equal(again[2], masks[2])


def test_random_generator_is_untouched_without_dropout():
    X, Y = _problem("softmax")
    plain = Network([X.shape[1], 6, Y.shape[1]], "relu", "softmax", np.float64)
    dropping = Network([X.shape[1], 6, Y.shape[1]], "relu", "softmax", np.float64, dropout=0.5)
    plain.initialize(np.random.RandomState(0))
    dropping.set_weights(plain.coefs, plain.intercepts)
    rng = np.random.RandomState(0)
    before = rng.get_state()[1].copy()
    loss = plain.loss_grad(X, Y, None, 0.1, rng=rng)
    np.testing.assert_array_equal(rng.get_state()[1], before)
    # a network with dropout drops only when it is given the generator
    assert dropping.loss_grad(X, Y, None, 0.1) == loss
    np.testing.assert_array_equal(dropping.grads, plain.grads)
    assert dropping.loss_grad(X, Y, None, 0.1, rng=rng) != loss


def _parametric_net(activation, out, n_in, n_out, **options):
    """A network with parametric activations whose weights are away from their
    start of 1 (so that every term of their gradient is exercised)."""
    net = Network([n_in, 7, 6, n_out], activation, out, np.float64, parametric=True, **options)
    net.initialize(np.random.RandomState(0))
    for a in net.act_weights:
        a[...] = np.random.RandomState(3).uniform(-0.5, 1.5, a.shape)
    return net


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_parametric_activation_backprop_matches_finite_differences(output, activation):
    """Every activation with its learned mix, under sample weights, the L2
    penalty and a fixed dropout mask: the dense weights and the mixes."""
    X, Y = _problem(output)
    sw = np.random.RandomState(1).uniform(0, 3, size=X.shape[0])
    out = "softmax" if output == "softmax" else "logistic"
    net = _parametric_net(activation, out, X.shape[1], Y.shape[1], dropout=(0.3, 0.2))
    _check_backprop_under_masks(net, X, Y, sw)
    # the mixes have a gradient (but for the identity's, which mixes it with
    # itself), and they are all the parameters add
    if activation != "identity":
        assert all(np.abs(g).max() > 0 for g in net.act_weight_grads)
    assert (
        net.params.size
        == Network([5, 7, 6, Y.shape[1]], activation, out, np.float64).params.size + 13
    )


@pytest.mark.parametrize("activation", ["selu", "mish", "relu"])
def test_parametric_activation_is_the_documented_mix(activation):
    """``z + a * (f(z) - z)`` per unit, in training and in prediction; with
    every ``a`` at 1 (the start), the plain activation."""
    X, Y = _problem("softmax")
    net = _parametric_net(activation, "softmax", X.shape[1], Y.shape[1])
    (W1, W2, W3), (b1, b2, b3) = net.coefs, net.intercepts
    a1, a2 = net.act_weights

    def f(z):
        return _activate(activation, z)

    z1 = X @ W1 + b1
    h1 = z1 + a1 * (f(z1) - z1)
    z2 = h1 @ W2 + b2
    expected = (z2 + a2 * (f(z2) - z2)) @ W3 + b3
    np.testing.assert_allclose(net.logits(X), expected, rtol=1e-12, atol=1e-12)
    loss = net.loss_grad(X, Y, None, 0.0)
    log_p = expected - np.logaddexp.reduce(expected, axis=1, keepdims=True)
    assert loss == pytest.approx(-(log_p * Y).sum(axis=1).mean(), rel=1e-12)
    plain = Network([X.shape[1], 7, 6, Y.shape[1]], activation, "softmax", np.float64)
    plain.set_weights(net.coefs, net.intercepts)
    for a in net.act_weights:
        a[...] = 1.0
    np.testing.assert_allclose(net.logits(X), plain.logits(X), rtol=1e-12, atol=1e-12)
    started = Network([5, 4, 3], activation, "softmax", np.float64, parametric=True)
    started.initialize(np.random.RandomState(0))
    assert np.all(started.act_weights[0] == 1.0)


def _peak_bytes_of_a_batch(net, X, Y, rng):
    net.loss_grad(X, Y, None, 1e-4, rng=rng)  # the first call allocates the buffers
    tracemalloc.start()
    try:
        net.loss_grad(X, Y, None, 1e-4, rng=rng)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.xfail(
    np.lib.NumpyVersion(np.__version__) < "2.0.0",
    reason="numpy 1.x's ufuncs allocate an extra temporary per batch here "
    "(peak 485 kB on numpy 1.24 against 460 kB allowed)",
    strict=False,
)
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_loss_grad_allocates_no_layer_sized_array_per_batch(activation):
    rng = np.random.RandomState(0)
    X = rng.randn(200, 30).astype(np.float32)
    Y = np.eye(10, dtype=np.float32)[rng.randint(10, size=200)]
    net = Network([30, 256, 128, 10], activation, "softmax", np.float32)
    net.initialize(rng)
    # A hidden layer's activations are 200 x 128 x 4 = 100 kB or more; what a
    # batch allocates is the softmax loss's per-sample vectors (about 35 kB).
    assert _peak_bytes_of_a_batch(net, X, Y, rng) < 50_000
    # With dropout, RandomState (which has no ``out=``) draws each layer's
    # uniforms into a float64 temporary: 200 x 256 x 8 bytes at most at once.
    net = Network([30, 256, 128, 10], activation, "softmax", np.float32, dropout=0.5)
    net.initialize(rng)
    assert _peak_bytes_of_a_batch(net, X, Y, rng) < 200 * 256 * 8 + 50_000
    # parametric activations keep their extra arrays in buffers too
    net = Network([30, 256, 128, 10], activation, "softmax", np.float32, parametric=True)
    net.initialize(rng)
    assert _peak_bytes_of_a_batch(net, X, Y, rng) < 50_000


def _activate(name, z):
    """The activation of ``z`` (a new array), whichever calling convention it has."""
    out = z.copy()
    if name in NEEDS_INPUT:
        ACTIVATIONS[name](z, out)
    else:
        ACTIVATIONS[name](out)
    return out


def _derivative(name, z, delta):
    """``delta`` times the derivative at ``z``, through the derivative's own argument."""
    arg = z.copy() if name in NEEDS_INPUT else _activate(name, z)
    delta = delta.copy()
    DERIVATIVES[name](arg, delta, np.empty_like(z))
    return delta


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_derivative_matches_finite_differences(name):
    z = np.linspace(-3, 3, 41) + 0.013  # avoid the kinks at exactly 0
    h = 1e-6
    numeric = (_activate(name, z + h) - _activate(name, z - h)) / (2 * h)
    np.testing.assert_allclose(
        _derivative(name, z, np.ones_like(z)), numeric, rtol=1e-6, atol=1e-9
    )


def test_new_activations_match_their_definitions():
    z = np.linspace(-6, 6, 49)
    sigmoid = 1 / (1 + np.exp(-z))
    expected = {
        "leaky_relu": np.where(z > 0, z, 0.01 * z),
        "elu": np.where(z > 0, z, np.exp(z) - 1),
        "softplus": np.log1p(np.exp(z)),
        "gelu": 0.5 * z * (1 + erf(z / np.sqrt(2))),  # the exact form, not tanh's
        "silu": z * sigmoid,
        "selu": SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * (np.exp(z) - 1)),
        "mish": z * np.tanh(np.log1p(np.exp(z))),
    }
    derivatives = {
        "leaky_relu": np.where(z > 0, 1.0, 0.01),
        "elu": np.where(z > 0, 1.0, np.exp(z)),
        "softplus": sigmoid,
        "gelu": 0.5 * (1 + erf(z / np.sqrt(2))) + z * np.exp(-(z**2) / 2) / np.sqrt(2 * np.pi),
        "silu": sigmoid * (1 + z * (1 - sigmoid)),
        "selu": SELU_SCALE * np.where(z > 0, 1.0, SELU_ALPHA * np.exp(z)),
        # d/dz z tanh(sp(z)) = tanh(sp) + z sech^2(sp) sigmoid(z)
        "mish": np.tanh(np.log1p(np.exp(z))) + z * sigmoid / np.cosh(np.log1p(np.exp(z))) ** 2,
    }
    delta = np.linspace(-1, 2, z.size)
    for name, value in expected.items():
        np.testing.assert_allclose(_activate(name, z), value, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(
            _derivative(name, z, delta), delta * derivatives[name], rtol=1e-12, atol=1e-15
        )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_keep_dtype_and_never_overflow(name, dtype):
    big = np.finfo(dtype).max / 4
    z = np.array([-big, -1e15, -1e4, -80, -1, 0, 1, 80, 1e4, 1e15, big], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            a = _activate(name, z)
            # the derivative is only needed in training; up to |z| = 1e15 it is exact
            d = _derivative(name, z[1:-1], np.ones(z.size - 2, dtype=dtype))
    assert a.dtype == dtype and d.dtype == dtype
    assert np.isfinite(a).all() and np.isfinite(d).all()
    # gelu, silu and mish dip below 0 (to -0.13); selu's slope reaches scale * alpha
    assert -0.2 <= d.min() and d.max() <= (1.76 if name == "selu" else 1.2)
    if name not in ("identity", "logistic", "tanh"):
        # linear for large positive inputs
        # (the product in the activation's dtype: numpy 1.x would take float64)
        expected = np.multiply(SELU_SCALE, big, dtype=dtype) if name == "selu" else big
        assert a[-1] == expected


def test_softmax_loss_matches_definition_and_survives_huge_logits():
    rng = np.random.RandomState(0)
    Z = rng.randn(6, 4)
    Y = np.eye(4)[rng.randint(4, size=6)]
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log((P * Y).sum(axis=1)))
    G = Z.copy()
    assert softmax_cross_entropy(G, Y) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(G, (P - Y) / 6, atol=1e-15)

    Z_big = Z * 1e4
    G = Z_big.copy()
    loss = softmax_cross_entropy(G, Y)
    assert np.isfinite(loss) and np.isfinite(G).all()
    assert np.isfinite(log_softmax(Z_big)).all()


def test_logistic_loss_matches_definition_and_survives_huge_logits():
    rng = np.random.RandomState(0)
    Z = rng.randn(5, 2)
    Y = rng.randint(2, size=(5, 2)).astype(float)
    P = 1 / (1 + np.exp(-Z))
    expected = -np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)) / 5
    G = Z.copy()
    assert logistic_cross_entropy(G, Y) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(G, (P - Y) / 5, atol=1e-15)
    G = np.array([[1e4, -1e4]])
    assert np.isfinite(logistic_cross_entropy(G, np.array([[0.0, 1.0]])))


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_step_by_hand(nesterov):
    params = np.array([1.0, -2.0, 0.5])
    g1, g2 = np.array([0.1, 0.2, -0.3]), np.array([-0.2, 0.1, 0.4])
    opt = SGDOptimizer(3, np.float64, learning_rate_init=0.5, momentum=0.9, nesterov=nesterov)
    expected, v = params.copy(), np.zeros(3)
    for g in (g1, g2):
        v = 0.9 * v - 0.5 * g
        expected = expected + (0.9 * v - 0.5 * g if nesterov else v)
        # the step takes the gradient times grad_scale, the learning rate
        assert opt.grad_scale == 0.5
        opt.step(params, opt.grad_scale * g)
    np.testing.assert_allclose(params, expected, rtol=1e-15)


def test_plain_sgd_and_schedules():
    params = np.array([1.0, 2.0])
    opt = SGDOptimizer(2, np.float64, learning_rate_init=0.1, momentum=0.0)
    opt.step(params, opt.grad_scale * np.array([1.0, -1.0]))
    np.testing.assert_allclose(params, [0.9, 2.1])

    inv = SGDOptimizer(
        2, np.float64, learning_rate_init=0.1, learning_rate="invscaling", power_t=0.5
    )
    inv.iteration_ends(99)
    assert inv.learning_rate == pytest.approx(0.1 / 10)

    adaptive = SGDOptimizer(2, np.float64, learning_rate_init=0.1, learning_rate="adaptive")
    assert adaptive.trigger_stopping("No improvement.", False) is False
    assert adaptive.learning_rate == pytest.approx(0.02)
    adaptive.learning_rate = 1e-6
    assert adaptive.trigger_stopping("No improvement.", False) is True
    assert SGDOptimizer(2, np.float64).trigger_stopping("No improvement.", False) is True


def test_adam_steps_by_hand():
    params = np.array([1.0, -1.0, 0.0])
    opt = AdamOptimizer(
        3, np.float64, learning_rate_init=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-8
    )
    expected, m, v = params.copy(), np.zeros(3), np.zeros(3)
    for t, g in enumerate([np.array([0.5, -0.1, 2.0]), np.array([0.3, 0.2, -1.0])], start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        lr = 0.01 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        expected = expected - lr * m / (np.sqrt(v) + 1e-8)
        opt.step(params, opt.grad_scale * g)
    np.testing.assert_allclose(params, expected, rtol=1e-14)


def test_optimizer_steps_do_not_reallocate_parameters():
    params = np.zeros(4, dtype=np.float32)
    for opt in (SGDOptimizer(4, np.float32), AdamOptimizer(4, np.float32)):
        before = params.__array_interface__["data"][0]
        opt.step(params, np.ones(4, dtype=np.float32))
        assert params.__array_interface__["data"][0] == before
        assert params.dtype == np.float32 and np.all(params < 0)


@pytest.mark.parametrize("out_activation", ["softmax", "logistic", "identity", "exp"])
@pytest.mark.parametrize("weighted", [False, True])
def test_grad_scale_scales_the_gradient_and_not_the_loss(out_activation, weighted):
    # The optimizers take their constant factor (SGD's learning rate, Adam's
    # 1 - beta_1) from the loss's small output gradient rather than from a
    # pass over the parameters: the result must be the scaled gradient.
    rng = np.random.RandomState(0)
    n_out = 1 if out_activation in ("logistic", "identity", "exp") else 3
    net = Network([4, 5, n_out], "tanh", out_activation, np.float64)
    net.initialize(rng)
    X = rng.randn(7, 4)
    if out_activation == "softmax":
        Y = np.eye(n_out)[rng.randint(n_out, size=7)]
    elif out_activation == "logistic":
        Y = rng.randint(2, size=(7, 1)).astype(float)
    else:
        Y = rng.poisson(1.0, size=(7, 1)).astype(float)
    w = rng.rand(7) if weighted else None
    loss = net.loss_grad(X, Y, w, 0.3)
    grads = net.grads.copy()
    scaled_loss = net.loss_grad(X, Y, w, 0.3, grad_scale=0.01)
    assert scaled_loss == pytest.approx(loss, rel=1e-14)
    np.testing.assert_allclose(net.grads, 0.01 * grads, rtol=1e-12, atol=1e-18)


def test_adam_state_saved_with_an_unscaled_second_moment_goes_on_the_same():
    # sknumpynet 0.1.0 kept Adam's second moment as ``v``; it is now kept
    # scaled (``v_scaled``). A model saved then must warm-start as if it had
    # been saved now, not with a second moment off by a constant factor.
    rng = np.random.RandomState(0)
    opt = AdamOptimizer(5, np.float64, learning_rate_init=0.01)
    params = rng.randn(5)
    for _ in range(3):
        opt.step(params, opt.grad_scale * rng.randn(5))
    state = opt.state()
    old = dict(state)
    old["v"] = old.pop("v_scaled") * (1 - opt.beta_2) / (1 - opt.beta_1) ** 2
    g = rng.randn(5)
    results = []
    for saved in (state, old):
        p = params.copy()
        restored = optimizer_from_state(saved)
        restored.step(p, restored.grad_scale * g)
        results.append(p)
    np.testing.assert_allclose(results[1], results[0], rtol=1e-14)
    assert "v" in old  # the state given is not changed


def _package_imports() -> dict[str, set[str]]:
    """Every module of the package and the package modules it imports, read from
    the source (imports under ``TYPE_CHECKING`` included)."""
    root = Path(sknumpynet.__file__).parent
    modules = {}
    for path in root.rglob("*.py"):
        parts = ("sknumpynet", *path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    graph = {}
    for name, (path, is_package) in modules.items():
        here = name.split(".") if is_package else name.split(".")[:-1]
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                imported.add(target)
                imported.update(f"{target}.{alias.name}" for alias in node.names)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                imported.update(names + ([node.module] if getattr(node, "module", None) else []))
        graph[name] = {m for m in imported if m in modules and m != name}
    return graph


def test_the_package_modules_import_each_other_without_a_circle():
    graph = _package_imports()
    assert {"sknumpynet._training", "sknumpynet._hooks", "sknumpynet._state"} <= set(graph)
    # the package itself imports its public names; the modules below it are layers
    graph = {m: deps - {"sknumpynet"} for m, deps in graph.items() if m != "sknumpynet"}
    done, path = set(), []

    def visit(module):
        if module in path:
            cycle = path[path.index(module) :] + [module]
            raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
        if module in done:
            return
        path.append(module)
        for dep in sorted(graph[module]):
            visit(dep)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
    # the state is below both the loop and the hooks
    assert "sknumpynet._state" in graph["sknumpynet._hooks"] & graph["sknumpynet._training"]
    assert not graph["sknumpynet._state"]


def test_selu_networks_start_lecun_normal():
    net = Network([400, 300, 3], "selu", "softmax", np.float32)
    net.initialize(np.random.RandomState(0))
    for W, b in zip(net.coefs, net.intercepts):
        assert W.dtype == np.float32
        # std 1 / sqrt(fan_in), within four standard errors of the sample's
        assert abs(W.std() * np.sqrt(W.shape[0]) - 1) < 4 / np.sqrt(2 * W.size)
        assert abs(W.mean()) * np.sqrt(W.shape[0]) < 4 / np.sqrt(W.size)
        assert not b.any()
    # self-normalizing: standardized inputs keep mean ~0 and variance ~1
    X = np.random.RandomState(1).randn(2000, 400).astype(np.float32)
    Z = X @ net.coefs[0]
    ACTIVATIONS["selu"](Z)
    assert abs(Z.mean()) < 0.05 and abs(Z.var() - 1) < 0.1


def test_mish_derivative_with_and_without_spare_agree():
    z = np.random.RandomState(0).randn(5, 7) * 4
    delta = np.random.RandomState(1).randn(5, 7)
    given = delta.copy()
    DERIVATIVES["mish"](z.copy(), given, np.empty_like(z), np.empty_like(z))
    np.testing.assert_array_equal(given, _derivative("mish", z, delta))
