"""The tabular networks' engine: the input block, per-parameter learning rates,
RealMLP's start and dropout schedule, each against its definition."""

import math

import numpy as np
import pytest

from sknumpynet._activations import ACTIVATIONS
from sknumpynet._front import InputBlock
from sknumpynet._network import Network
from sknumpynet._optimizers import LR_SCHEDULES, make_optimizer
from sknumpynet._tabular import DropoutSchedule, TabularMLPClassifier


def _table(rs, n, block):
    """Rows for ``block``: normal numbers, then valid category codes."""
    columns = [rs.normal(size=(n, block.n_continuous + block.n_other))]
    columns += [rs.randint(0, card, size=(n, 1)) for card in block.cardinalities]
    return np.hstack(columns).astype(np.float64)


# edges of 3 continuous columns: two bins, three bins, one (a linear map)
PIECEWISE_BINS = [[-1.0, 0.2, 1.0], [-2.0, -0.5, 0.3, 2.0], [0.0, 1.0]]


def _numerical_gradient(net, X, Y, alpha, w=None, h=1e-6, masks=None):
    grads = np.empty_like(net.params)
    for i in range(net.params.size):
        old = net.params[i]
        net.params[i] = old + h
        plus = net.loss_grad(X, Y, w, alpha, masks=masks)
        net.params[i] = old - h
        minus = net.loss_grad(X, Y, w, alpha, masks=masks)
        net.params[i] = old
        grads[i] = (plus - minus) / (2 * h)
    return grads


@pytest.mark.parametrize("activation", ["selu", "mish"])
@pytest.mark.parametrize(
    "options",
    [
        dict(n_frequencies=16),
        dict(n_frequencies=0),
        dict(n_frequencies=4, scale=False),
        dict(n_frequencies=3, embedding_dim=2),
        dict(n_frequencies=4, members=3),
        dict(numerical="piecewise", bins=PIECEWISE_BINS),
        dict(numerical="piecewise", bins=PIECEWISE_BINS, members=2, scale=False),
    ],
    ids=[
        "periodic+scale",
        "scale only",
        "periodic",
        "dim 2",
        "3 members",
        "piecewise+scale",
        "piecewise, 2 members",
    ],
)
@pytest.mark.parametrize("out", ["softmax", "logistic", "identity", "exp"])
def test_input_block_gradients_match_finite_differences(activation, options, out):
    """Every weight of the block and of the dense layers, with the L2 penalty and
    sample weights; with members, their input scales and output layers too."""
    rs = np.random.RandomState(0)
    block = InputBlock(3, 2, [4, 3], category_dim=2, **options)
    n_out = 1 if out in ("logistic", "exp") else 3
    net = Network([block.n_outputs, 5, n_out], activation, out, np.float64, front=block)
    net.initialize(rs)
    if block.scale:  # away from one, so that its gradient is exercised
        net.front_weights["scale"][...] = rs.uniform(0.5, 1.5, block.n_outputs)
    X = _table(rs, 7, block)
    Y = (rs.uniform(size=(7, n_out)) > 0.5).astype(float)
    if out == "softmax":
        Y = np.eye(3)[rs.randint(0, 3, 7)]
    if block.numerical == "piecewise":  # larger than their start
        for name in ("bin_weights", "bin_biases"):
            net.front_weights[name][...] = rs.normal(size=net.front_weights[name].shape)
    if block.members > 1:  # away from +-1, so that their gradient is exercised
        scales = net.front_weights["member_scales"]
        scales[...] = rs.uniform(-1.5, 1.5, scales.shape)
    w = rs.uniform(0.5, 2.0, 7)
    net.loss_grad(X, Y, w, 0.1)
    analytic = net.grads.copy()
    numerical = _numerical_gradient(net, X, Y, 0.1, w)
    scale = np.abs(numerical).max()
    assert np.abs(analytic - numerical).max() <= 1e-7 * scale
    # every array of the block has a gradient that is not zero
    for name, grad in net.front_grads.items():
        assert np.abs(grad).max() > 0, name


@pytest.mark.parametrize("activation", ["selu", "mish"])
@pytest.mark.parametrize("members", [1, 2])
def test_parametric_activations_behind_the_input_block_match_finite_differences(
    activation, members
):
    """RealMLP's whole network: piecewise-linear embeddings, the scale layer,
    members, dropout and parametric activations (away from their start)."""
    rs = np.random.RandomState(0)
    block = InputBlock(
        3, 2, [4, 3], category_dim=2, numerical="piecewise", bins=PIECEWISE_BINS, members=members
    )
    net = Network(
        [block.n_outputs, 5, 4, 3],
        activation,
        "softmax",
        np.float64,
        front=block,
        dropout=0.2,
        parametric=True,
    )
    net.initialize(rs)
    for a in net.act_weights:
        a[...] = rs.uniform(-0.5, 1.5, a.shape)
    X = _table(rs, 7, block)
    Y = np.eye(3)[rs.randint(0, 3, 7)]
    w = rs.uniform(0.5, 2.0, 7)
    masks = net.dropout_masks(7 * members, np.random.RandomState(1))
    net.loss_grad(X, Y, w, 0.1, masks=masks)
    analytic = net.grads.copy()
    numerical = _numerical_gradient(net, X, Y, 0.1, w, masks=masks)
    assert np.abs(analytic - numerical).max() <= 1e-7 * np.abs(numerical).max()
    assert all(np.abs(g).max() > 0 for g in net.act_weight_grads)


def test_input_block_output_is_the_documented_formula():
    rs = np.random.RandomState(1)
    block = InputBlock(2, 1, [3], n_frequencies=5, embedding_dim=3, category_dim=2)
    weights = block.views(rs.normal(size=block.size))
    X = _table(rs, 4, block)
    H = block.forward(X, weights)
    s = weights["scale"]
    for j in range(2):
        u = 2 * np.pi * np.outer(X[:, j], weights["frequencies"][j]) + weights["phases"][j]
        e = np.cos(u) @ weights["embedding_weights"][j] + weights["embedding_biases"][j]
        np.testing.assert_allclose(H[:, 3 * j], X[:, j] * s[3 * j])
        np.testing.assert_allclose(H[:, 3 * j + 1 : 3 * j + 3], e * s[3 * j + 1 : 3 * j + 3])
    np.testing.assert_allclose(H[:, 6], X[:, 2] * s[6])
    table = weights["category_tables"][X[:, 3].astype(int)]
    np.testing.assert_allclose(H[:, 7:], table * s[7:])


def _piecewise_encoding(x, edges):
    """Gorishniy et al.'s encoding of ``x`` with bins ``edges``, bin by bin."""
    t = len(edges) - 1
    q = np.empty((x.shape[0], t))
    for k in range(t):
        v = (x - edges[k]) / (edges[k + 1] - edges[k])
        low = -np.inf if k == 0 else 0.0
        high = np.inf if k == t - 1 else 1.0
        q[:, k] = np.clip(v, low, high)
    return q


def test_piecewise_output_is_the_documented_formula():
    rs = np.random.RandomState(2)
    block = InputBlock(3, 1, [], numerical="piecewise", bins=PIECEWISE_BINS, embedding_dim=3)
    assert block.n_bins == 3
    weights = block.views(rs.normal(size=block.size))
    X = _table(rs, 40, block) * 1.5  # rows below the first edge and above the last
    H = block.forward(X, weights)
    s = weights["scale"]
    for j, edges in enumerate(PIECEWISE_BINS):
        q = _piecewise_encoding(X[:, j], edges)
        assert q.min() < 0 and q.max() > 1 or len(edges) == 2
        t = len(edges) - 1
        V = weights["bin_weights"][j]
        np.testing.assert_array_equal(V.shape, (3, 2))  # padded to the most bins
        e = q @ V[:t] + weights["bin_biases"][j]
        np.testing.assert_allclose(H[:, 3 * j], X[:, j] * s[3 * j])
        np.testing.assert_allclose(H[:, 3 * j + 1 : 3 * j + 3], e * s[3 * j + 1 : 3 * j + 3])
    np.testing.assert_allclose(H[:, 9], X[:, 3] * s[9])


@pytest.mark.parametrize(
    "bins", [[[0.0, 1.0], [2.0]], [[0.0, 1.0], [1.0, 1.0]], [[0.0, 1.0]]], ids=str
)
def test_piecewise_bins_are_checked(bins):
    with pytest.raises(ValueError, match="increasing bin edges"):
        InputBlock(2, 0, [], numerical="piecewise", bins=bins)


def test_category_table_gradient_sums_rows_of_each_code():
    """The bincount segment sum equals np.add.at's, codes repeated or absent."""
    block = InputBlock(0, 0, [5, 2], category_dim=3, scale=False)
    weights = block.views(np.arange(block.size, dtype=float))
    grads = block.views(np.zeros(block.size))
    X = np.array([[1, 0], [1, 1], [4, 1], [1, 0]], dtype=float)
    cache = {}
    block.forward(X, weights, cache)
    G = np.random.RandomState(0).normal(size=(4, 6))
    block.backward(X, G.copy(), weights, grads, cache)
    expected = np.zeros((7, 3))
    np.add.at(expected, X[:, 0].astype(int), G[:, :3])
    np.add.at(expected, X[:, 1].astype(int) + 5, G[:, 3:])
    np.testing.assert_allclose(grads["category_tables"], expected)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_lr_factors_multiply_each_parameters_step(solver):
    rs = np.random.RandomState(0)
    params = rs.normal(size=6)
    grads = rs.normal(size=6)
    factors = np.array([1.0, 0.5, 2.0, 0.0, 6.0, 0.1])
    options = dict(
        learning_rate_init=0.01,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        learning_rate="constant",
        momentum=0.9,
        nesterovs_momentum=True,
        power_t=0.5,
    )
    steps = []
    for lr_factors in (None, factors):
        p = params.copy()
        opt = make_optimizer(solver, 6, np.float64, options, lr_factors=lr_factors)
        opt.step(p, grads * opt.grad_scale)
        steps.append(p - params)
    np.testing.assert_allclose(steps[1], steps[0] * factors, rtol=1e-12, atol=1e-15)


def test_lr_factors_of_a_wrong_size_are_refused():
    with pytest.raises(ValueError, match="one factor per parameter"):
        params = dict(learning_rate_init=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
        make_optimizer("adam", 6, np.float64, params, lr_factors=np.ones(5))


def test_ntk_start_gives_unit_variance_pre_activations():
    """RealMLP's data-dependent start: every unit's pre-activation has standard
    deviation one on the training rows (all of them, below 1,000)."""
    rs = np.random.RandomState(0)
    X = rs.normal(size=(300, 6)) * [1, 10, 100, 0.1, 1, 1]
    y = (X[:, 0] > 0).astype(int)
    clf = TabularMLPClassifier((32, 16), max_iter=1, random_state=0, dtype="float64")
    problem, _, _ = clf._build_problem(
        X, y, None, None, incremental=False, first=True, random_state=np.random.RandomState(0)
    )
    net = problem.net
    A = net.front.forward(problem.X, net.front_weights)
    for i, (W, b) in enumerate(zip(net.coefs, net.intercepts)):
        Z = A @ W
        np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-10)
        # the intercept puts each unit's kink among the data
        assert ((Z + b).min(axis=0) < 0).all() and ((Z + b).max(axis=0) > 0).all()
        A = Z + b
        if i < len(net.coefs) - 1:
            ACTIVATIONS["selu"](A)


# one epoch at a learning rate of 1e-12 leaves the start as it is, no better
# than the mean, and says so
@pytest.mark.filterwarnings("ignore::sknumpynet.ChanceLevelWarning")
def test_ntk_start_caps_the_gain_of_units_that_barely_vary(monkeypatch):
    """30 rows that are two points (scikit-learn's check_pipeline_consistency
    data): some first-layer units are nearly constant on them, and dividing by
    their spread multiplied their weights a thousandfold; the gain is capped
    at MAX_START_GAIN times the layer's median."""
    from sklearn.datasets import make_blobs

    import sknumpynet._tabular as tabular
    from sknumpynet import TabularMLPRegressor

    X, y = make_blobs(
        n_samples=30, centers=[[0, 0, 0], [1, 1, 1]], random_state=0, cluster_std=0.1
    )
    X = (X > 0.5).astype(float)  # as the check gives it to an estimator of tables

    def largest_start_weight():
        reg = TabularMLPRegressor(max_iter=1, learning_rate_init=1e-12, random_state=0, n_cv=1)
        return float(np.abs(reg.fit(X, y.astype(float)).coefs_[0]).max())

    assert largest_start_weight() < 50.0
    monkeypatch.setattr(tabular, "MAX_START_GAIN", np.inf)
    assert largest_start_weight() > 500.0


def _periodic_classifier_and_network(**params):
    """A small periodic-embedding classifier and the network its first fit
    would train, on 50 rows of 4 numbers."""
    rs = np.random.RandomState(0)
    X, y = rs.normal(size=(50, 4)), np.arange(50) % 2
    clf = TabularMLPClassifier(
        (8,), max_iter=1, random_state=0, dtype="float64", numerical_embedding="periodic", **params
    )
    problem, _, _ = clf._build_problem(
        X, y, None, None, incremental=False, first=True, random_state=np.random.RandomState(0)
    )
    return clf, problem.net


def test_ntk_learning_rates_are_realmlp_factors():
    clf, net = _periodic_classifier_and_network()
    factors = clf._lr_factors(net)
    by_name = {a.name: factors[a.offset : a.offset + a.view.size] for a in net.param_arrays}
    assert np.all(by_name["coefs_[0]"] == np.float64(1 / math.sqrt(16)))  # 4 numbers x 4
    assert np.all(by_name["coefs_[1]"] == np.float64(1 / math.sqrt(8)))
    assert np.all(by_name["intercepts_[0]"] == 0.1)
    assert np.all(by_name["input_weights_['frequencies']"] == 0.1)
    assert np.all(by_name["input_weights_['scale']"] == 6.0)
    assert clf.set_params(parametrization="standard")._lr_factors(net) is None
    clf, net = _periodic_classifier_and_network(parametric_activation=True)
    factors = clf._lr_factors(net)
    by_name = {a.name: factors[a.offset : a.offset + a.view.size] for a in net.param_arrays}
    assert np.all(by_name["activation_weights_[0]"] == 0.1)  # pytabkit's act_lr_factor
    assert np.all(by_name["coefs_[0]"] == np.float64(1 / math.sqrt(16)))


def test_weight_decay_factors_are_realmlps():
    """Dense weights at the full rate, biases not at all, the input block's
    arrays at their learning-rate factor; in the standard parametrization,
    the dense weights alone (None)."""
    clf, net = _periodic_classifier_and_network()
    factors = clf._decay_factors(net)
    by_name = {a.name: factors[a.offset : a.offset + a.view.size] for a in net.param_arrays}
    assert np.all(by_name["coefs_[0]"] == 1.0) and np.all(by_name["coefs_[1]"] == 1.0)
    assert np.all(by_name["intercepts_[0]"] == 0.0) and np.all(by_name["intercepts_[1]"] == 0.0)
    assert np.all(by_name["input_weights_['frequencies']"] == 0.1)
    assert np.all(by_name["input_weights_['embedding_weights']"] == 0.1)
    assert np.all(by_name["input_weights_['scale']"] == 6.0)
    optimizer = clf._optimizer_for(net, resume=False)
    clf_pa, net_pa = _periodic_classifier_and_network(parametric_activation=True)
    decay = clf_pa._decay_factors(net_pa)
    [mix] = [a for a in net_pa.param_arrays if a.name == "activation_weights_[0]"]
    assert np.all(decay[mix.offset : mix.offset + mix.view.size] == 0.1)
    np.testing.assert_array_equal(optimizer.decay_factors, factors)
    assert optimizer.weight_decay == 0.02 and optimizer.weight_decay_schedule == "flat_cos"
    assert clf.set_params(parametrization="standard")._decay_factors(net) is None


def test_dropout_schedule_follows_flat_cos_and_restores_the_rates():
    class Net:
        dropout = (0.2, 0.1)

    net = Net()
    hook = DropoutSchedule(net.dropout, "flat_cos", 8)
    seen = []
    for _ in range(8):
        hook.on_epoch_end(None, net)
        seen.append(net.dropout[0])
    expected = [0.2 * LR_SCHEDULES["flat_cos"](k / 8) for k in range(1, 9)]
    np.testing.assert_allclose(seen, expected)
    assert seen[2] == 0.2 and seen[-1] == 0.0
    hook.on_train_end(None, net)
    assert net.dropout == (0.2, 0.1)


@pytest.mark.parametrize("out", ["softmax", "logistic", "identity", "exp"])
def test_an_ensemble_predicts_the_mean_of_its_members(out):
    """The combined logits give, through the output activation, the mean of
    the members' probabilities (or outputs): TabM's rule."""
    from scipy.special import expit, softmax

    from sknumpynet._network import combine_members

    z = np.random.RandomState(0).normal(scale=30.0, size=(4, 5, 3))
    combined = combine_members(z, out)
    if out == "softmax":
        np.testing.assert_allclose(softmax(combined, axis=1), softmax(z, axis=2).mean(0))
    elif out == "logistic":
        np.testing.assert_allclose(expit(combined), expit(z).mean(0), atol=1e-15)
    elif out == "identity":
        np.testing.assert_allclose(combined, z.mean(0))
    else:
        np.testing.assert_allclose(np.exp(combined), np.exp(z).mean(0))


def test_an_ensemble_estimator_averages_its_members_probabilities():
    from scipy.special import softmax

    from sknumpynet._network import logits

    rs = np.random.RandomState(0)
    X = rs.normal(size=(120, 4))
    y = X[:, :3].argmax(axis=1)
    clf = TabularMLPClassifier(
        (8,), n_members=3, max_iter=20, random_state=0, dtype="float64", n_cv=1
    )
    clf.fit(X, y)
    assert clf.coefs_[-1].shape == (3, 8, 3) and clf.intercepts_[-1].shape == (3, 3)
    block = InputBlock(**clf._input_spec)
    H = block.forward(clf._encoder.transform(X).num, clf.input_weights_)
    z = logits(H, clf.coefs_, clf.intercepts_, "selu", act_weights=clf.activation_weights_)
    z = z.reshape(3, 120, 3)
    np.testing.assert_allclose(clf.predict_proba(X), softmax(z, axis=2).mean(0), rtol=1e-10)
    with pytest.raises(ValueError, match="needs hidden layers"):
        TabularMLPClassifier((), n_members=2).fit(X, y)


def test_dropout_masks_from_random_bits_drop_at_the_rate():
    net = Network([4, 300, 200, 2], "selu", "softmax", np.float32, dropout=(0.15, 0.5))
    net.dropout_bits = True
    masks = net.dropout_masks(400, np.random.RandomState(0))
    for mask, rate in zip(masks, (0.15, 0.5)):
        assert mask.dtype == np.float32
        values = np.unique(mask)
        np.testing.assert_allclose(values, [0.0, 1.0 / (1.0 - rate)], rtol=1e-6)
        dropped = (mask == 0).mean()
        # binomial standard error of the rate over 80,000 or 120,000 units
        assert abs(dropped - rate) < 5 * np.sqrt(rate * (1 - rate) / mask.size)
    again = net.dropout_masks(400, np.random.RandomState(0))
    assert all(np.array_equal(a, b) for a, b in zip(masks, again))
