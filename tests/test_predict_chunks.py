"""Prediction runs the rows through the network a chunk at a time.

The result must not depend on the chunk size, and the memory a prediction
allocates beyond its result must not grow with the number of rows.
"""

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification, make_multilabel_classification

from sknumpynet import MLPClassifierNP, MLPRegressorNP, SoftmaxClassifier, _network

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _fitted(kind, dtype=np.float64):
    rng = np.random.RandomState(0)
    if kind == "multilabel":
        X, Y = make_multilabel_classification(n_samples=300, n_features=12, random_state=0)
        est = MLPClassifierNP(hidden_layer_sizes=(16,), max_iter=30, random_state=0)
        return est.fit(X.astype(dtype), Y), X.astype(dtype)
    X, y = make_classification(
        n_samples=300, n_features=12, n_informative=6, n_classes=3, random_state=0
    )
    X = X.astype(dtype)
    if kind == "softmax":
        return SoftmaxClassifier(max_iter=30, random_state=0).fit(X, y), X
    if kind == "binary":
        est = MLPClassifierNP(hidden_layer_sizes=(16,), activation="gelu", max_iter=30)
        return est.set_params(random_state=0).fit(X, y % 2), X
    if kind == "regressor":
        target = X[:, :2] @ [1.0, -2.0] + 0.1 * rng.randn(300)
        est = MLPRegressorNP(hidden_layer_sizes=(16, 8), max_iter=50, random_state=0)
        return est.fit(X, target), X
    if kind == "poisson":
        target = rng.poisson(np.exp(0.3 * X[:, 0]))
        est = MLPRegressorNP(loss="poisson", hidden_layer_sizes=(8,), max_iter=50)
        return est.set_params(random_state=0).fit(X, target), X
    est = MLPClassifierNP(hidden_layer_sizes=(16, 8), max_iter=30, random_state=0)
    return est.fit(X, y), X


METHODS = {
    "regressor": ["predict"],
    "poisson": ["predict"],
}


@pytest.mark.parametrize(
    "kind", ["mlp", "softmax", "binary", "multilabel", "regressor", "poisson"]
)
@pytest.mark.parametrize("sparse", [False, True])
def test_prediction_does_not_depend_on_the_chunk_size(kind, sparse, monkeypatch):
    est, X = _fitted(kind)
    if sparse:
        X = sp.csr_matrix(X)
    methods = METHODS.get(
        kind, ["predict", "predict_proba", "predict_log_proba", "decision_function"]
    )
    whole = {m: getattr(est, m)(X) for m in methods}
    # 64 rows per chunk (the smallest chunk): 300 rows make five chunks, the last partial
    monkeypatch.setattr(_network, "PREDICT_WORKING_BYTES", 1)
    assert _network.chunk_rows(est.coefs_, est._activation) == 64
    for method, expected in whole.items():
        got = getattr(est, method)(X)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        if got.dtype.kind == "f":
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
        else:
            np.testing.assert_array_equal(got, expected)


def test_string_labels_are_decoded_chunk_by_chunk(monkeypatch):
    X, y = make_classification(n_samples=200, n_features=6, n_classes=3, n_informative=4)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    est = MLPClassifierNP(hidden_layer_sizes=(8,), max_iter=20, random_state=0).fit(X, labels)
    expected = est.predict(X)
    monkeypatch.setattr(_network, "PREDICT_WORKING_BYTES", 1)
    np.testing.assert_array_equal(est.predict(X), expected)
    assert est.predict(X).dtype == expected.dtype


def _allocated_beyond_result(method, X):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        result = method(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base - result.nbytes


@pytest.mark.parametrize("method", ["predict_proba", "predict", "decision_function"])
def test_prediction_memory_does_not_grow_with_the_rows(method):
    rng = np.random.RandomState(0)
    X = rng.rand(400, 50).astype(np.float32)
    y = rng.randint(0, 10, 400)
    est = MLPClassifierNP(hidden_layer_sizes=(200,), max_iter=2, random_state=0)
    est.fit(X, y)
    small, large = rng.rand(20_000, 50).astype(np.float32), rng.rand(80_000, 50).astype(np.float32)
    extra_small = _allocated_beyond_result(getattr(est, method), small)
    extra_large = _allocated_beyond_result(getattr(est, method), large)
    # All rows at once would take 80k x 210 float32 (64 MiB) in layer buffers
    # alone; by chunks, the working memory is a few MiB whatever the rows.
    limit = 1.25 * _network.PREDICT_WORKING_BYTES
    assert extra_large < limit, extra_large / 2**20
    assert extra_large < extra_small + 2**20, (extra_small / 2**20, extra_large / 2**20)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_rows_are_refused_even_when_relu_would_hide_them(value):
    # The check reads the first layer's pre-activation: with a single ReLU
    # unit whose weights are all positive, a -inf feature makes that unit
    # -inf, which ReLU turns into 0, and the logits alone would look finite.
    X, y = make_classification(n_samples=200, n_features=4, n_informative=3, n_redundant=0)
    est = MLPClassifierNP(hidden_layer_sizes=(1,), max_iter=5, random_state=0).fit(X, y)
    est.coefs_[0][...] = np.abs(est.coefs_[0]) + 0.1
    bad = X[:300].copy()
    bad[-1, 2] = value
    for method in ("predict", "predict_proba", "decision_function"):
        with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
            getattr(est, method)(bad)


def test_huge_finite_inputs_are_not_mistaken_for_infinity():
    X, y = make_classification(n_samples=200, n_features=4, random_state=0)
    X = X.astype(np.float32)
    est = MLPClassifierNP(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    huge = np.full((3, 4), np.finfo(np.float32).max / 2, dtype=np.float32)
    proba = est.predict_proba(huge)  # the products overflow; the input is finite
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
