import numpy as np
import pytest

from sknumpynet import make_mnist_like, make_spiral


@pytest.mark.parametrize("n_samples, n_classes", [(300, 3), (10, 3), (7, 2), (2, 2)])
def test_make_spiral_shapes_and_balanced_classes(n_samples, n_classes):
    X, y = make_spiral(n_samples=n_samples, n_classes=n_classes, random_state=0)
    assert X.shape == (n_samples, 2) and y.shape == (n_samples,)
    counts = np.bincount(y, minlength=n_classes)
    assert counts.max() - counts.min() <= 1
    assert np.all(np.linalg.norm(X, axis=1) <= 1 + 1e-12)  # radius in [0, 1]


def test_make_spiral_is_deterministic_and_noise_matters():
    a, b = make_spiral(random_state=3), make_spiral(random_state=3)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], make_spiral(random_state=4)[0])
    X0, _ = make_spiral(noise=0.0, random_state=0)
    np.testing.assert_array_equal(X0, make_spiral(noise=0.0, random_state=1)[0])


@pytest.mark.parametrize(
    "kwargs",
    [{"n_samples": 0}, {"n_classes": 1}, {"noise": -0.1}, {"random_state": "x"}],
)
def test_make_spiral_rejects_bad_parameters(kwargs):
    with pytest.raises(ValueError):
        make_spiral(**kwargs)


def test_make_mnist_like_shapes_range_and_classes():
    X, y = make_mnist_like(n_samples=400, random_state=0)
    assert X.shape == (400, 784) and X.dtype == np.float64
    assert y.shape == (400,) and set(np.unique(y)) == set(range(10))
    assert X.min() >= 0.0 and X.max() <= 1.0
    assert 0.1 < (X == 0).mean() < 0.9  # much background, as in MNIST


@pytest.mark.parametrize("n_features, n_classes", [(5, 2), (64, 3), (784, 10), (1, 2)])
def test_make_mnist_like_other_shapes(n_features, n_classes):
    X, y = make_mnist_like(
        n_samples=50, n_features=n_features, n_classes=n_classes, random_state=0
    )
    assert X.shape == (50, n_features)
    assert y.min() >= 0 and y.max() < n_classes
    assert np.isfinite(X).all()


def test_make_mnist_like_is_deterministic_and_float32_matches():
    X1, y1 = make_mnist_like(n_samples=9000, random_state=7)  # more than one chunk
    X2, y2 = make_mnist_like(n_samples=9000, random_state=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X32, y32 = make_mnist_like(n_samples=9000, dtype=np.float32, random_state=7)
    assert X32.dtype == np.float32
    np.testing.assert_array_equal(y32, y1)
    np.testing.assert_allclose(X32, X1, atol=1e-7)
    assert not np.array_equal(make_mnist_like(n_samples=100, random_state=8)[1], y1[:100])


def test_make_mnist_like_is_learnable_but_not_linear():
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    X, y = make_mnist_like(n_samples=3000, random_state=0)
    X_train, X_test, y_train, y_test = X[:2000], X[2000:], y[:2000], y[2000:]
    knn = KNeighborsClassifier(3).fit(X_train, y_train).score(X_test, y_test)
    linear = LogisticRegression(max_iter=200).fit(X_train, y_train).score(X_test, y_test)
    assert knn > 0.9
    assert 0.3 < linear < knn


def test_make_mnist_like_noise_makes_it_harder():
    from sklearn.neighbors import KNeighborsClassifier

    def score(noise):
        X, y = make_mnist_like(n_samples=1500, noise=noise, random_state=0)
        return KNeighborsClassifier(3).fit(X[:1000], y[:1000]).score(X[1000:], y[1000:])

    assert score(0.05) > score(0.6)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_samples": 0},
        {"n_features": 0},
        {"n_classes": 1},
        {"noise": -1.0},
        {"dtype": np.int64},
        {"random_state": "seed"},
    ],
)
def test_make_mnist_like_rejects_bad_parameters(kwargs):
    with pytest.raises(ValueError):
        make_mnist_like(**{"n_samples": 10, **kwargs})
