"""The data sets of the ``compare`` command, split into train and test sets."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from ..datasets import make_mnist_like, make_spiral
from .csvfile import read_csv
from .errors import CommandError

BUILT_IN = ("digits", "spiral", "mnist-like")
# scikit-learn's classifiers warn that a target "could represent a regression
# problem" when it has more classes than half of its samples, above this many
# samples; the command refuses such a training set before fitting.
MIN_SAMPLES_FOR_CLASS_CHECK = 20


@dataclass
class Dataset:
    """A named train/test split, ready for the estimators; ``notes`` say how it was read."""

    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    notes: list[str] = field(default_factory=list)


def load_built_in(name: str, seed: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Features, labels and whether to standardize them, of a built-in data set."""
    if name == "digits":  # shipped with scikit-learn
        X, y = load_digits(return_X_y=True)
        return X, y, True
    if name == "spiral":  # two features of similar scale: no scaling, to plot it as it is
        X, y = make_spiral(n_samples=600, n_classes=3, noise=0.2, random_state=seed)
        return X, y, False
    if name == "mnist-like":  # pixels in [0, 1], as MNIST is usually fed
        X, y = make_mnist_like(n_samples=12_000, random_state=seed)
        return X, y, False
    raise ValueError(f"unknown data set {name!r}; expected one of {BUILT_IN}")


def load_dataset(key: str, *, seed: int, dtype, csv_path=None, target=None) -> Dataset:
    """One data set split into train and test sets (stratified, 25% test), in ``dtype``.

    ``key`` is a name from :data:`BUILT_IN`, or ``"csv"`` with ``csv_path``
    and ``target``; CSV features are standardized on the training set.

    Examples
    --------
    >>> data = load_dataset("spiral", seed=0, dtype="float32")
    >>> data.name, data.X_train.shape, data.X_test.shape, data.X_train.dtype
    ('spiral', (450, 2), (150, 2), dtype('float32'))
    """
    notes = []
    if key == "csv":
        table = read_csv(csv_path, target)
        X, y, scale, notes = table.X, table.y, True, table.notes
        del table
        name = os.path.basename(csv_path)
    else:
        X, y, scale = load_built_in(key, seed)
        name = key
    X_train, X_test, y_train, y_test = split(X, y, seed=seed, name=name)
    del X  # the split copied it: at most two copies of the features at a time
    if scale:  # in place: the split's arrays are new
        scaler = StandardScaler(copy=False).fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    dtype = np.dtype(dtype)
    X_train, X_test = X_train.astype(dtype, copy=False), X_test.astype(dtype, copy=False)
    return Dataset(name, X_train, X_test, y_train, y_test, notes)


def split(X, y, *, seed: int, name: str):
    """X_train, X_test, y_train, y_test: 25% test, stratified when every class has two samples."""
    _, counts = np.unique(y, return_counts=True)
    if counts.shape[0] < 2:
        raise CommandError(f"{name}: the target has a single class; nothing to compare")
    stratify = y if counts.min() >= 2 else None
    try:
        parts = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=stratify)
    except ValueError as exc:
        raise CommandError(f"{name}: cannot split into train and test sets: {exc}") from None
    train_classes = np.unique(parts[2])
    if train_classes.shape[0] < 2:
        raise CommandError(
            f"{name}: cannot split into train and test sets: the training set would hold a "
            "single class; give at least two samples of each class"
        )
    n_train, n_classes = parts[2].shape[0], train_classes.shape[0]
    if n_train > MIN_SAMPLES_FOR_CLASS_CHECK and n_classes > round(0.5 * n_train):
        raise CommandError(
            f"{name}: the target has {n_classes} classes in {n_train} training samples: it "
            "looks continuous or like an identifier, not classes (most would have a single "
            "sample); regression targets are not supported by compare yet"
        )
    unseen = np.setdiff1d(np.unique(parts[3]), train_classes)
    if unseen.size:
        raise CommandError(
            f"{name}: cannot split into train and test sets: {unseen.size} class(es), e.g. "
            f"{unseen[0].item()!r}, would be in the test set only (too few samples to split "
            "without stratification); give at least two samples of each class"
        )
    return parts
