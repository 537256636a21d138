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
