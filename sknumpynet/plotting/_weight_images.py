"""First-layer weights of a network or a linear model, one image per unit."""

from __future__ import annotations

import math

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import (
    _as_displayable,
    _available_height,
    _available_width,
    _check_image_shape,
    _figure_and_ax,
    _final_estimator,
    _grid_columns,
    _set_title,
    _tile_axes,
    _wrap,
    _wrap_phrases,
)


def _first_layer_weights(estimator) -> tuple[np.ndarray, bool]:
    """First-layer weights as (n_features, n_units), and whether it is the output layer."""
    final = _final_estimator(estimator)
    check_is_fitted(final)
    if hasattr(final, "coefs_"):
        return np.asarray(final.coefs_[0]), len(final.coefs_) == 1
    if hasattr(final, "coef_"):  # linear models: (n_classes, n_features)
        return np.asarray(final.coef_).T, True
    if getattr(final, "estimators_", None) is not None:
        raise ValueError(
            f"This {type(final).__name__} is {len(final.estimators_)} networks (n_cv), "
            "each with first-layer weights of its own: draw one of them, e.g. "
            "model.estimators_[0]."
        )
    raise ValueError(f"{type(final).__name__} has neither coefs_ nor coef_.")


class WeightImageDisplay:
    """First-layer weights, one image per unit, on a grid.

    Every unit of the first layer computes a weighted sum of the input pixels;
    showing the weights in the shape of the image shows what the unit looks
    for. For a softmax classifier (no hidden layer) these are the class
    templates; for a network, the features its hidden units learned.

    Grey images are drawn with a diverging colour map centred on zero (red:
    positive weight, the pixel counts for the unit; blue: against), on one
    shared scale with a colour bar, or per image with ``scale="image"``.
    Colour weights are min-max scaled per image into RGB, as the course notes
    do.

    Parameters
    ----------
    weights : ndarray of shape (n_features, n_units)
        The weights; column ``j`` is the image of unit ``j``.
    image_shape : tuple of int
        ``(height, width)``, ``(height, width, channels)`` or ``(channels,
        height, width)`` with 1, 3 or 4 channels. It is read as
        channels-first when its first dimension is 1, 3 or 4 and both others
        are larger, e.g. ``(3, 32, 32)`` (rows of raw CIFAR-10), otherwise
        as channels-last, e.g. ``(32, 32, 3)``. Its product is ``n_features``.
    labels : list of str, default=None
        A title per unit, e.g. the class names.

    Attributes
    ----------
    images_ : list of matplotlib AxesImage
        One per unit shown.
    axes_ : ndarray of matplotlib Axes
        The grid of image axes (hidden beyond the last unit).
    colorbar_ : matplotlib Colorbar or None
        With a shared scale on grey images.
    ax_ : matplotlib Axes
        The bounding axes of the grid, which carries the title.
    figure_ : matplotlib Figure
        Figure of the plot.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sknumpynet import SoftmaxClassifier
    >>> from sknumpynet.plotting import WeightImageDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SoftmaxClassifier(solver="lbfgs", alpha=10.0).fit(X / 16, y)
    >>> disp = WeightImageDisplay.from_estimator(clf, image_shape=(8, 8))
    >>> len(disp.images_), disp.images_[0].get_array().shape
    (10, (8, 8))
    """

    def __init__(self, weights, image_shape, *, labels=None):
        self.weights = weights
        self.image_shape = image_shape
        self.labels = labels

    @classmethod
    def from_estimator(
        cls, estimator, *, image_shape, max_images=64, labels=None, ax=None, **kwargs
    ):
        """Show the first-layer weights of a fitted estimator as images.

        Parameters
        ----------
        estimator : fitted estimator
            Ours, scikit-learn's ``MLPClassifier`` (``coefs_``), a linear model
            (``coef_``), or a ``Pipeline`` ending in one. Weights act on the
            input of the final step (after scaling, in a pipeline).
        image_shape : tuple of int
            ``(height, width)``, ``(height, width, channels)`` or
            ``(channels, height, width)``, e.g. ``(3, 32, 32)`` for raw
            CIFAR-10 rows; see the class's ``image_shape``.
        max_images : int, default=64
            Show at most this many units (the first ones).
        labels : list of str, default=None
            Titles; for a model with no hidden layer, its classes.
        ax : matplotlib Axes, default=None
            Bounding axes of the grid; a new figure if None.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : WeightImageDisplay
        """
        weights, is_output = _first_layer_weights(estimator)
        final = _final_estimator(estimator)
        if labels is None and is_output and hasattr(final, "classes_"):
            classes = list(final.classes_)
            if weights.shape[1] == 1 and len(classes) == 2:
                classes = classes[1:]  # binary: the one column scores the positive class
            if len(classes) == weights.shape[1]:
                labels = [str(c) for c in classes]
        if "title" not in kwargs:
            kwargs["title"] = (
                "Weights of each class: the template it matches"
                if is_output
                else f"First-layer weights of the {weights.shape[1]} hidden units"
                if weights.shape[1] <= max_images
                else f"First-layer weights of {max_images} of the {weights.shape[1]} hidden units"
            )
        display = cls(weights[:, :max_images], image_shape, labels=labels)
        return display.plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, n_cols=None, scale="shared", cmap="RdBu_r", title=None):
        """Draw the image grid.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Bounding axes of the grid; a new figure if None.
        n_cols : int, default=None
            Images per row; about the square root of their number if None.
        scale : {"shared", "image"}, default="shared"
            Colour scale of grey images: one for all (comparable, with a
            colour bar) or one per image (shows the pattern of weak units).
        cmap : str, default="RdBu_r"
            Colour map of grey images.
        title : str, default=None
            Title over the grid.

        Returns
        -------
        display : WeightImageDisplay
        """
        weights = np.asarray(self.weights, dtype=np.float64)
        shape = _check_image_shape(self.image_shape, weights.shape[0])
        n = weights.shape[1]
        if n_cols is None:
            n_cols = _grid_columns(n)
        n_cols = max(1, min(n_cols, n))
        n_rows = math.ceil(n / n_cols)
        cell = min(1.3, 10.0 / n_cols, 10.0 / n_rows)
        # room for the colour bar and the title, also beside a single image
        size = (max(cell * n_cols + 1.4, 4.0), max(cell * n_rows + 0.7, 2.6))
        labels = None
        if self.labels is not None:
            # each title wrapped to its tile; the tiles keep room for the longest
            if ax is None:
                cell_width = 0.9 * cell * 72
            else:
                cell_width = 0.9 * _available_width(ax) / n_cols
            labels = [_wrap(str(label), cell_width, "small") for label in self.labels[:n]]
            lines = max(label.count("\n") + 1 for label in labels) if labels else 1
            size = (size[0], size[1] + cell * n_rows * 0.2 * lines)
        title_space = 0.0 if labels is None else min(0.2 * lines, 0.6)
        self.figure_, self.ax_ = _figure_and_ax(ax, figsize=size)
        self.axes_ = _tile_axes(self.ax_, n, n_cols, title_space=title_space)
        grey = shape.grey
        limit = np.abs(weights).max() or 1.0
        self.images_ = []
        for j, tile in enumerate(self.axes_.ravel()[:n]):
            if grey:
                vmax = limit if scale == "shared" else (np.abs(weights[:, j]).max() or 1.0)
                image = tile.imshow(shape.image(weights[:, j]), cmap=cmap, vmin=-vmax, vmax=vmax)
            else:
                image = tile.imshow(_as_displayable(weights[:, j], shape))
            if labels is not None:
                tile.set_title(labels[j], fontsize="small", pad=2)
            self.images_.append(image)
        self.colorbar_ = None
        margin = 0.0
        if grey and scale == "shared" and self.images_:
            import matplotlib as mpl

            # the label runs along the bar: as long as the figure is high, less the title
            length = 0.9 * _available_height(self.ax_) - 40
            # broken between phrases only, never inside one
            label = ["weight", "(red: pixel counts for,", "blue: against)"]
            self.colorbar_ = self.figure_.colorbar(
                self.images_[0],
                ax=self.ax_,
                fraction=0.04,
                pad=0.02,
                label=_wrap_phrases(label, length, mpl.rcParams["axes.labelsize"]),
            )
            margin = 72.0  # the bar, its ticks and label take about an inch
        _set_title(self.ax_, title or f"First-layer weights of {n} units", margin=margin, pad=4)
        return self
