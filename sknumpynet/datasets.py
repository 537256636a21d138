"""Generated data sets: no download, ever."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_classes": [Interval(Integral, 2, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_spiral(n_samples=300, n_classes=3, noise=0.2, random_state=None):
    """Interleaved spiral arms in 2-D, one arm per class.

    The classic data set on which a linear classifier fails and a small
    network succeeds: class ``k`` has points at radius ``r`` in [0, 1] and angle
    sweeping 4 radians from ``4 * k``, plus Gaussian noise on the angle
    (the construction of the CS231n course notes).

    Parameters
    ----------
    n_samples : int, default=300
        Total number of points, split as evenly as possible between classes
        (the first ``n_samples % n_classes`` classes get one more).
    n_classes : int, default=3
        Number of spiral arms.
    noise : float, default=0.2
        Standard deviation of the Gaussian noise added to the angle.
    random_state : int, RandomState instance or None, default=None
        Seed of the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        The points.
    y : ndarray of shape (n_samples,)
        The arm (class) of each point, in ``range(n_classes)``.

    Examples
    --------
    >>> from sknumpynet.datasets import make_spiral
    >>> X, y = make_spiral(n_samples=300, n_classes=3, random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((300, 2), [0, 1, 2])
    """
    rng = check_random_state(random_state)
    counts = np.full(n_classes, n_samples // n_classes)
    counts[: n_samples % n_classes] += 1
    X = np.empty((n_samples, 2))
    y = np.empty(n_samples, dtype=np.intp)
    start = 0
    for k, count in enumerate(counts):
        stop = start + count
        radius = np.linspace(0.0, 1.0, count)
        # each arm sweeps 4 radians, arms start 4 radians apart (as in the course notes)
        theta = np.linspace(k * 4.0, (k + 1) * 4.0, count) + rng.randn(count) * noise
        X[start:stop, 0] = radius * np.sin(theta)
        X[start:stop, 1] = radius * np.cos(theta)
        y[start:stop] = k
        start = stop
    return X, y


def _gaussian_blobs(rng, n_images, side, n_blobs, width):
    """``n_images`` images of ``side x side`` pixels, each a sum of Gaussian blobs."""
    grid = np.arange(side, dtype=np.float64)
    shape = (n_images, n_blobs, 1, 1)
    cy = rng.uniform(0.25 * side, 0.75 * side, shape)
    cx = rng.uniform(0.25 * side, 0.75 * side, shape)
    weight = rng.uniform(0.5, 1.0, shape)
    sq_dist = (grid[:, np.newaxis] - cy) ** 2 + (grid - cx) ** 2
    return (weight * np.exp(-sq_dist / (2.0 * width**2))).sum(axis=1)


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "n_classes": [Interval(Integral, 2, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "dtype": "no_validation",
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_mnist_like(
    n_samples=10000, n_features=784, n_classes=10, noise=0.1, dtype=np.float64, random_state=None
):
    """Generated images shaped like MNIST: 28 x 28 pixels in [0, 1], ten classes.

    Each class has three prototype "glyphs", smooth images made of five
    Gaussian strokes. A sample is one of its class's glyphs, shifted by up to
    one pixel in each direction, scaled in intensity, deformed along 30
    smooth directions shared by all classes, with pixel noise added and the
    result clipped to [0, 1] (so that, as in MNIST, much of the background is
    exactly zero). The shifts make the problem non-linear: with the default
    noise a linear model reaches about 93% test accuracy and a one-hidden-layer
    network about 98%, the same gap as on MNIST.

    Pixels are laid out row by row on a square of side ``ceil(sqrt(n_features))``
    and the first ``n_features`` of them are kept. Rows are generated in chunks,
    so that making a large float32 set needs little more memory than the result.

    Parameters
    ----------
    n_samples : int, default=10000
        Number of images.
    n_features : int, default=784
        Number of pixels per image.
    n_classes : int, default=10
        Number of classes; the labels are drawn uniformly.
    noise : float, default=0.1
        Standard deviation of the Gaussian pixel noise. Larger is harder.
    dtype : {np.float64, np.float32}, default=np.float64
        Data type of ``X``.
    random_state : int, RandomState instance or None, default=None
        Seed of the prototypes, labels and noise.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The images, one flattened image per row, values in [0, 1].
    y : ndarray of shape (n_samples,)
        The class of each image, in ``range(n_classes)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sknumpynet.datasets import make_mnist_like
    >>> X, y = make_mnist_like(n_samples=500, dtype=np.float32, random_state=0)
    >>> X.shape, X.dtype, sorted(set(y.tolist())) == list(range(10))
    ((500, 784), dtype('float32'), True)
    >>> bool(X.min() >= 0 and X.max() <= 1)
    True
    """
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}.")
    rng = check_random_state(random_state)
    n_styles, n_deform, max_shift = 3, 30, 1
    side = int(np.ceil(np.sqrt(n_features)))

    glyphs = _gaussian_blobs(rng, n_classes * n_styles, side, n_blobs=5, width=2.5)
    glyphs /= glyphs.max(axis=(1, 2), keepdims=True)
    shifts = range(-max_shift, max_shift + 1)
    shifted = np.stack(
        [np.roll(glyphs, (dy, dx), axis=(1, 2)) for dy in shifts for dx in shifts], axis=1
    )
    n_shifts = shifted.shape[1]
    templates = shifted.reshape(n_classes * n_styles * n_shifts, side * side)[:, :n_features]

    basis = _gaussian_blobs(rng, n_deform, side, n_blobs=3, width=3.0)
    basis = basis.reshape(n_deform, side * side)[:, :n_features]
    basis -= basis.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(basis, axis=1, keepdims=True)
    basis /= np.where(norms > 0, norms, 1.0)
    basis *= 0.3

    y = rng.randint(n_classes, size=n_samples)
    template = (y * n_styles + rng.randint(n_styles, size=n_samples)) * n_shifts
    template += rng.randint(n_shifts, size=n_samples)
    X = np.empty((n_samples, n_features), dtype=dtype)
    chunk = 8192
    for start in range(0, n_samples, chunk):
        stop = min(start + chunk, n_samples)
        m = stop - start
        block = templates[template[start:stop]]
        block *= rng.uniform(0.6, 1.2, (m, 1))
        block += rng.standard_normal((m, n_deform)) @ basis
        block += noise * rng.standard_normal((m, n_features))
        np.clip(block, 0.0, 1.0, out=X[start:stop])
    return X, y
