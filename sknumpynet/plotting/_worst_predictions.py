"""The most confidently wrong predictions of a classifier, as images."""

from __future__ import annotations

import math

import numpy as np

from ._common import (
    _as_displayable,
    _available_width,
    _check_image_shape,
    _figure_and_ax,
    _final_estimator,
    _set_title,
    _tile_axes,
    _wrap,
)


class WorstPredictionsDisplay:
    """The most confidently wrong predictions, as a grid of images.

    The misclassified samples are sorted by the probability the model gave
    its (wrong) prediction, highest first; each image is titled with the true
    and predicted class and that probability. What a model gets wrong with
    confidence often shows ambiguous or mislabelled samples, or a systematic
    confusion.

    Parameters
    ----------
    images : ndarray of shape (n_images, n_features)
        The samples, as the model sees them.
    y_true : ndarray of shape (n_images,)
        Their true classes.
    y_pred : ndarray of shape (n_images,)
        Their predicted classes.
    confidences : ndarray of shape (n_images,)
        The predicted probability of ``y_pred``.
    image_shape : tuple of int
        ``(height, width)``, ``(height, width, channels)`` or ``(channels,
        height, width)`` with 1, 3 or 4 channels. It is read as
        channels-first when its first dimension is 1, 3 or 4 and both others
        are larger, e.g. ``(3, 32, 32)`` (rows of raw CIFAR-10), otherwise
        as channels-last, e.g. ``(32, 32, 3)``.
    indices : ndarray of shape (n_images,), default=None
        Rows of the samples in the data they came from.

    Attributes
    ----------
    images_ : list of matplotlib AxesImage
        One per sample shown.
    axes_ : ndarray of matplotlib Axes
        The grid of image axes.
    ax_ : matplotlib Axes
        Bounding axes of the grid, which carries the title.
    figure_ : matplotlib Figure
        Figure of the plot.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sknumpynet import SoftmaxClassifier
    >>> from sknumpynet.plotting import WorstPredictionsDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SoftmaxClassifier(solver="lbfgs", alpha=100.0).fit(X / 16, y)
    >>> disp = WorstPredictionsDisplay.from_estimator(clf, X / 16, y, image_shape=(8, 8))
    >>> len(disp.images_)
    12
    """

    def __init__(self, images, y_true, y_pred, confidences, *, image_shape, indices=None):
        self.images = images
        self.y_true = y_true
        self.y_pred = y_pred
        self.confidences = confidences
        self.image_shape = image_shape
        self.indices = indices

    @classmethod
    def from_estimator(cls, estimator, X, y, *, image_shape, n_images=12, ax=None, **kwargs):
        """Find and show the most confidently wrong predictions on ``(X, y)``.

        Parameters
        ----------
        estimator : fitted classifier with ``predict_proba``
            Ours, any scikit-learn classifier, or a pipeline.
        X : array-like of shape (n_samples, n_features)
            Samples (for example a test set).
        y : array-like of shape (n_samples,)
            Their true classes.
        image_shape : tuple of int
            ``(height, width)``, ``(height, width, channels)`` or
            ``(channels, height, width)``, e.g. ``(3, 32, 32)`` for raw
            CIFAR-10 rows; see the class's ``image_shape``.
        n_images : int, default=12
            Show at most this many.
        ax : matplotlib Axes, default=None
            Bounding axes of the grid; a new figure if None.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : WorstPredictionsDisplay
        """
        X = np.asarray(X)
        y = np.asarray(y)
        proba = estimator.predict_proba(X)
        classes = _final_estimator(estimator).classes_
        predicted = np.argmax(proba, axis=1)
        y_pred = classes[predicted]
        confidence = proba[np.arange(len(y)), predicted]
        wrong = np.flatnonzero(y_pred != y)
        order = wrong[np.argsort(-confidence[wrong], kind="stable")][:n_images]
        display = cls(
            X[order],
            y[order],
            y_pred[order],
            confidence[order],
            image_shape=image_shape,
            indices=order,
        )
        display.n_wrong_ = int(wrong.shape[0])
        display.n_samples_ = int(y.shape[0])
        return display.plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, n_cols=6, cmap="gray_r", title=None):
        """Draw the grid.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Bounding axes of the grid; a new figure if None.
        n_cols : int, default=6
            Images per row.
        cmap : str, default="gray_r"
            Colour map of grey images.
        title : str, default=None
            Title over the grid.

        Returns
        -------
        display : WorstPredictionsDisplay
        """
        images = np.asarray(self.images)
        n = images.shape[0]
        n_cols = max(1, min(n_cols, n))
        n_rows = max(1, math.ceil(n / n_cols))
        cell_width = 0.9 * 1.6 * 72 if ax is None else 0.9 * _available_width(ax) / n_cols
        labels = [
            _wrap(
                f"true {self.y_true[k]}\npredicted {self.y_pred[k]} ({self.confidences[k]:.0%})",
                cell_width,
                "small",
            )
            for k in range(n)
        ]
        lines = max((label.count("\n") + 1 for label in labels), default=2)
        size = (1.6 * n_cols + 0.4, (1.5 + 0.2 * lines) * n_rows + 0.6)
        self.figure_, self.ax_ = _figure_and_ax(ax, figsize=size)
        self.images_ = []
        if n == 0:
            self.ax_.set_axis_off()
            self.axes_ = np.empty((0, 0), dtype=object)
            self.ax_.text(0.5, 0.5, "no wrong predictions", ha="center", va="center")
        else:
            shape = _check_image_shape(self.image_shape, images.shape[1])
            title_space = min(0.15 * lines, 0.6)
            self.axes_ = _tile_axes(self.ax_, n, n_cols, title_space=title_space)
            for k, tile in enumerate(self.axes_.ravel()[:n]):
                shown = _as_displayable(images[k], shape)
                self.images_.append(tile.imshow(shown, cmap=cmap if shape.grey else None))
                tile.set_title(labels[k], fontsize="small", pad=2)
        if title is None:
            title = "Most confidently wrong predictions"
            if getattr(self, "n_wrong_", None) is not None:
                title += f" ({self.n_wrong_} wrong of {self.n_samples_})"
        _set_title(self.ax_, title, pad=4)
        return self
