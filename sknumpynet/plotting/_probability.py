"""One input image beside the predicted probability of every class."""

from __future__ import annotations

import numpy as np

from ._common import (
    _as_displayable,
    _available_width,
    _check_image_shape,
    _figure_and_ax,
    _final_estimator,
    _set_title,
    _text_width,
    _wrap,
)

# Colours of the probability bars.
_TRUE_COLOR = "tab:green"
_WRONG_COLOR = "tab:red"
_OTHER_COLOR = "0.7"


class ProbabilityDisplay:
    """An input image beside the predicted probability of every class.

    The bar of the true class is green; when the prediction is wrong, the
    bar of the predicted class is red, and a legend says so.

    Parameters
    ----------
    image : array-like of shape (n_features,)
        One sample, as the model sees it (before any pipeline scaling).
    probabilities : array-like of shape (n_classes,)
        Its predicted probabilities.
    classes : array-like of shape (n_classes,)
        Class labels, in the order of ``probabilities``.
    image_shape : tuple of int
        ``(height, width)``, ``(height, width, channels)`` or ``(channels,
        height, width)`` with 1, 3 or 4 channels. It is read as
        channels-first when its first dimension is 1, 3 or 4 and both others
        are larger, e.g. ``(3, 32, 32)`` (rows of raw CIFAR-10), otherwise
        as channels-last, e.g. ``(32, 32, 3)``.
    y_true : label, default=None
        The true class, if known.

    Attributes
    ----------
    image_ : matplotlib AxesImage
        The input image.
    bars_ : matplotlib BarContainer
        One bar per class.
    ax_image_ : matplotlib Axes
        Axes of the image.
    ax_proba_ : matplotlib Axes
        Axes of the bars.
    ax_ : matplotlib Axes
        Bounding axes of both.
    figure_ : matplotlib Figure
        Figure of the plot.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from sknumpynet import SoftmaxClassifier
    >>> from sknumpynet.plotting import ProbabilityDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SoftmaxClassifier(solver="lbfgs", alpha=10.0).fit(X / 16, y)
    >>> disp = ProbabilityDisplay.from_estimator(clf, X[:1] / 16, image_shape=(8, 8), y_true=y[0])
    >>> len(disp.bars_)
    10
    """

    def __init__(self, image, probabilities, classes, *, image_shape, y_true=None):
        self.image = image
        self.probabilities = probabilities
        self.classes = classes
        self.image_shape = image_shape
        self.y_true = y_true

    @classmethod
    def from_estimator(cls, estimator, x, *, image_shape, y_true=None, ax=None, **kwargs):
        """Show one sample and its predicted class probabilities.

        Parameters
        ----------
        estimator : fitted classifier with ``predict_proba``
            Ours, any scikit-learn classifier, or a pipeline.
        x : array-like of shape (n_features,) or (1, n_features)
            The sample.
        image_shape : tuple of int
            ``(height, width)``, ``(height, width, channels)`` or
            ``(channels, height, width)``, e.g. ``(3, 32, 32)`` for raw
            CIFAR-10 rows; see the class's ``image_shape``.
        y_true : label, default=None
            Its true class.
        ax : matplotlib Axes, default=None
            Bounding axes; a new figure if None.
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : ProbabilityDisplay
        """
        x = np.asarray(x)
        row = x.reshape(1, -1)
        proba = estimator.predict_proba(row)[0]
        classes = _final_estimator(estimator).classes_
        display = cls(row[0], proba, classes, image_shape=image_shape, y_true=y_true)
        return display.plot(ax=ax, **kwargs)

    def plot(self, ax=None, *, cmap="gray_r"):
        """Draw the image and the bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Bounding axes; a new figure if None.
        cmap : str, default="gray_r"
            Colour map of grey images.

        Returns
        -------
        display : ProbabilityDisplay
        """
        proba = np.asarray(self.probabilities, dtype=np.float64)
        classes = np.asarray(self.classes)
        image = np.asarray(self.image).ravel()
        shape = _check_image_shape(self.image_shape, image.shape[0])
        self.figure_, self.ax_ = _figure_and_ax(ax, figsize=(7.0, 3.4))
        self.ax_.set_axis_off()
        # the bars start right of the class names, which are cut short at a
        # quarter of the width; the image keeps the space left of them
        import matplotlib as mpl
        from matplotlib.font_manager import FontProperties

        width = _available_width(self.ax_)
        font = FontProperties(size=mpl.rcParams["ytick.labelsize"])
        names = [_wrap(str(c), 0.25 * width, font.get_size(), max_lines=1) for c in classes]
        names_width = max(_text_width(name, font) for name in names) * 1.1 + 30
        x_bars = max(0.52, 0.4 + names_width / width)
        self.ax_image_ = self.ax_.inset_axes([0.0, 0.05, 0.38, 0.82])
        self.ax_proba_ = self.ax_.inset_axes([x_bars, 0.05, 0.98 - x_bars, 0.82])
        shown = _as_displayable(image, shape)
        self.image_ = self.ax_image_.imshow(shown, cmap=cmap if shape.grey else None)
        self.ax_image_.set_xticks([])
        self.ax_image_.set_yticks([])

        predicted = int(np.argmax(proba))
        true_index = None
        if self.y_true is not None:
            matches = np.flatnonzero(classes == self.y_true)
            true_index = int(matches[0]) if matches.size else None
        colors = [_OTHER_COLOR] * len(classes)
        if true_index is not None:
            colors[true_index] = _TRUE_COLOR
            if predicted != true_index:
                colors[predicted] = _WRONG_COLOR
        positions = np.arange(len(classes))
        self.bars_ = self.ax_proba_.barh(positions, proba, color=colors)
        self.ax_proba_.set_yticks(positions, names)
        self.ax_proba_.invert_yaxis()
        self.ax_proba_.set_xlim(0, 1)
        self.ax_proba_.set_xlabel("predicted probability")
        self.ax_proba_.set_ylabel("class")
        for position, p in zip(positions, proba):
            if p >= 0.85:  # inside the end of a long bar
                self.ax_proba_.text(
                    p - 0.02,
                    position,
                    f"{p:.0%}",
                    va="center",
                    ha="right",
                    fontsize="small",
                    color="white",
                )
            elif p >= 0.005:
                self.ax_proba_.text(p + 0.02, position, f"{p:.0%}", va="center", fontsize="small")
        if true_index is not None:  # what the colours mean
            from matplotlib.patches import Patch

            handles = [Patch(color=_TRUE_COLOR, label="true class")]
            if predicted != true_index:
                handles.append(Patch(color=_WRONG_COLOR, label="predicted class (wrong)"))
            self.ax_proba_.legend(handles=handles, loc="best", fontsize="x-small")

        title = f"predicted {classes[predicted]} ({proba[predicted]:.0%})"
        if self.y_true is not None:
            verdict = "right" if true_index == predicted else "wrong"
            title = f"true {self.y_true}, {title}: {verdict}"
        _set_title(self.ax_, title)
        return self
