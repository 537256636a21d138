"""Displays that look inside a network, in scikit-learn's Display style.

Each display is built with ``from_estimator(...)`` (or from its data with the
constructor and then ``plot()``), draws on ``ax`` or on a new figure, and keeps
what it drew as attributes ending in an underscore (``figure_``, ``ax_``,
``line_``, ``images_``, ...), so that a test or a user can restyle it.

Displays that need several panels (an image grid, an image beside a bar
chart) draw them as inset axes inside one bounding ``ax_``, as scikit-learn's
``PartialDependenceDisplay`` does, so that each still fits in one cell of a
figure of subplots.

They work with scikit-learn's ``MLPClassifier`` too (it has ``loss_curve_``
and ``coefs_``), and with a ``Pipeline`` ending in either. Decision boundaries
need no display of their own: use
``sklearn.inspection.DecisionBoundaryDisplay.from_estimator``.

A display that makes its own figure gives it matplotlib's constrained
layout, and wraps the titles and legend entries it writes to the width it
has, so that no text is cut off at the edge of the figure, whatever the
length of a name. (On a figure of your own, use ``layout="constrained"``
for the same.)

Images: ``image_shape`` is ``(height, width)`` for grey images, or three
dimensions for images with channels, in either layout:

* channels-last, ``(height, width, channels)``, as matplotlib shows images;
* channels-first, ``(channels, height, width)``, the layout of the rows of
  raw CIFAR-10 (``(3, 32, 32)``) and of most deep-learning frameworks.

``channels`` is 1 (grey), 3 (RGB) or 4 (RGBA). A shape is read as
channels-first when its first dimension is 1, 3 or 4 and both of the others
are larger (``(3, 32, 32)``, ``(1, 28, 28)``); otherwise as channels-last,
whose last dimension must then be 1, 3 or 4 (``(32, 32, 3)``). The only
shapes that fit both readings are tiny images such as ``(3, 4, 4)``, read as
channels-first; ``(4, 4, 3)`` is channels-last.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.base import is_regressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "LossCurveDisplay",
    "ProbabilityDisplay",
    "WeightImageDisplay",
    "WorstPredictionsDisplay",
]

# A legend entry longer than this many lines is cut short with an ellipsis.
_LEGEND_LINES = 3
# Attribute of a figure that a LossCurveDisplay made, holding its first height
# in inches: the display grows such a figure to fit a tall legend.
_OWN_FIGURE = "_sknumpynet_loss_curve_height"

# Colours of the probability bars.
_TRUE_COLOR = "tab:green"
_WRONG_COLOR = "tab:red"
_OTHER_COLOR = "0.7"


def _final_estimator(estimator):
    return estimator[-1] if isinstance(estimator, Pipeline) else estimator


def _estimator_name(estimator) -> str:
    return type(_final_estimator(estimator)).__name__


def _figure_and_ax(ax, figsize=None):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


def _grid_columns(n: int) -> int:
    """Columns of a grid of ``n`` images: a divisor of ``n`` near its square root."""
    if n <= 5:
        return max(n, 1)
    root = math.sqrt(n)
    for cols in range(math.ceil(root), int(2 * root) + 1):
        if n % cols == 0:
            return cols
    return math.ceil(root)


_CHANNELS = (1, 3, 4)


@dataclass(frozen=True)
class _ImageShape:
    """How a row of ``n_features`` values becomes an image (see the module's docstring)."""

    shape: tuple
    channels_first: bool

    @property
    def grey(self) -> bool:
        """One value per pixel: drawn with a colour map."""
        if len(self.shape) == 2:
            return True
        return self.shape[0 if self.channels_first else 2] == 1

    def image(self, vector) -> np.ndarray:
        """The values as an image: ``(height, width)`` if grey, else channels-last."""
        image = np.asarray(vector, dtype=np.float64).reshape(self.shape)
        if len(self.shape) == 3:
            if self.channels_first:
                image = np.moveaxis(image, 0, -1)
            if image.shape[-1] == 1:
                image = image[..., 0]
        return image


def _check_image_shape(image_shape, n_features: int) -> _ImageShape:
    """Read ``image_shape``: grey, channels-first or channels-last."""
    shape = tuple(int(s) for s in image_shape)
    channels_first = len(shape) == 3 and shape[0] in _CHANNELS and min(shape[1:]) > shape[0]
    if (
        len(shape) not in (2, 3)
        or min(shape, default=0) < 1
        or (len(shape) == 3 and not channels_first and shape[2] not in _CHANNELS)
    ):
        raise ValueError(
            "image_shape must be (height, width) for grey images, or "
            "(height, width, channels) or (channels, height, width) with 1, 3 or 4 "
            f"channels, e.g. (32, 32, 3) or (3, 32, 32); got {image_shape!r}."
        )
    if math.prod(shape) != n_features:
        raise ValueError(
            f"image_shape {shape} holds {math.prod(shape)} values, but there are "
            f"{n_features} features."
        )
    return _ImageShape(shape, channels_first)


def _as_displayable(vector, shape: _ImageShape) -> np.ndarray:
    """A grey image as it is, a colour image min-max scaled into [0, 1]."""
    image = shape.image(vector)
    if not shape.grey:
        low, high = image.min(), image.max()
        image = (image - low) / (high - low) if high > low else np.zeros_like(image)
    return image


def _text_width(text: str, prop) -> float:
    """Width of one line of ``text`` in points, in font ``prop``."""
    from matplotlib.textpath import text_to_path

    width, _, _ = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return width


def _wrap(text: str, width: float, fontsize, max_lines: int | None = None) -> str:
    """``text`` broken at spaces into lines of at most ``width`` points.

    Existing line breaks are kept; a word longer than a line is cut. Beyond
    ``max_lines`` lines the text is cut short with an ellipsis.
    """
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=fontsize)
    # the measure is a few percent short of what Agg draws: keep a margin
    width = max(width / 1.1, 3 * prop.get_size_in_points())
    lines = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if _text_width(candidate, prop) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while _text_width(word, prop) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and _text_width(word[:cut], prop) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and _text_width(last + "\u2026", prop) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "\u2026"
    return "\n".join(lines)


def _available_width(ax) -> float:
    """Width in points of the figure columns that ``ax`` spans (the whole
    figure for axes that are not on a grid)."""
    fig_width = ax.figure.get_size_inches()[0] * 72
    spec = ax.get_subplotspec() if hasattr(ax, "get_subplotspec") else None
    if spec is None:
        return fig_width
    return fig_width * len(spec.colspan) / spec.get_gridspec().ncols


def _available_height(ax) -> float:
    """Height in points of the figure rows that ``ax`` spans."""
    fig_height = ax.figure.get_size_inches()[1] * 72
    spec = ax.get_subplotspec() if hasattr(ax, "get_subplotspec") else None
    if spec is None:
        return fig_height
    return fig_height * len(spec.rowspan) / spec.get_gridspec().nrows


def _set_title(ax, title: str, *, margin: float = 0.0, **kwargs) -> None:
    """``ax.set_title``, wrapped to the width of the figure columns under it,
    less ``margin`` points (for what stands beside the axes, e.g. a colour bar)."""
    import matplotlib as mpl

    fontsize = kwargs.get("fontsize", mpl.rcParams["axes.titlesize"])
    width = 0.95 * (_available_width(ax) - margin)
    ax.set_title(_wrap(title, width, fontsize), **kwargs)


def _tile_axes(ax, n: int, n_cols: int, *, title_space: float = 0.0):
    """``n`` inset axes in a grid of ``n_cols`` columns filling ``ax``.

    ``title_space`` is the fraction of each cell's height kept for its title.
    The bounding ``ax`` itself is hidden (its title stays).
    """
    ax.set_axis_off()
    n_cols = max(1, min(n_cols, n))
    n_rows = max(1, math.ceil(n / n_cols))
    cell_w, cell_h = 1.0 / n_cols, 1.0 / n_rows
    pad = 0.06
    axes = np.empty((n_rows, n_cols), dtype=object)
    for i in range(n_rows * n_cols):
        row, col = divmod(i, n_cols)
        x0 = col * cell_w + pad * cell_w / 2
        y0 = 1.0 - (row + 1) * cell_h + pad * cell_h / 2
        inset = ax.inset_axes([x0, y0, cell_w * (1 - pad), cell_h * (1 - pad - title_space)])
        inset.set_xticks([])
        inset.set_yticks([])
        if i >= n:
            inset.set_visible(False)
        axes[row, col] = inset
    return axes


class LossCurveDisplay:
    """Training loss per epoch, beside the validation (and training) score.

    The loss is drawn on the left axis; scores, when there are any, on a
    second y axis on the right, in the colour, width, transparency and marker
    of their loss curve (dashed: validation, dotted: training). Call
    ``from_estimator`` again with ``ax=display.ax_`` to compare several
    estimators on one axis; curves that coincide can be told apart by their
    style, e.g. ``linewidth=6, alpha=0.4`` for one and ``marker="x"`` for
    the other.

    The legend goes below the axes, in two columns when the entries fit, else
    in one, with entries too long for the figure's width wrapped onto several
    lines.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss after each epoch (each iteration for L-BFGS).
    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Loss of the validation set after each epoch (``validation_loss_curve_``
        of this package's estimators with early stopping), drawn dash-dotted
        on the loss axis beside the training loss.
    validation_scores : array-like of shape (n_epochs,), default=None
        Validation score after each epoch, e.g. ``validation_scores_`` of an
        estimator fitted with ``early_stopping=True``.
    train_scores : array-like of shape (n_epochs,), default=None
        Training score after each epoch, if you recorded it (for example
        around ``partial_fit``).
    estimator_name : str, default=None
        Name shown in the legend.
    x_label : str, default="epoch"
        Label of the horizontal axis.
    score_name : str, default="accuracy"
        Label of the score axis.
    loss_name : str, default="cross-entropy"
        The data term of the loss, named in the label of the loss axis.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The loss curve.
    validation_line_ : matplotlib Line2D or None
        The validation scores.
    train_line_ : matplotlib Line2D or None
        The training scores.
    ax_ : matplotlib Axes
        Axes of the loss.
    score_ax_ : matplotlib Axes or None
        The right-hand axes of the scores (shared by every display drawn on
        ``ax_``).
    figure_ : matplotlib Figure
        Figure of the plot.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against training set size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.neural_network import MLPClassifier
    >>> from sknumpynet import MLPClassifierNP, make_spiral
    >>> from sknumpynet.plotting import LossCurveDisplay
    >>> X, y = make_spiral(random_state=0)
    >>> ours = MLPClassifierNP((50,), early_stopping=True, max_iter=300, random_state=0)
    >>> theirs = MLPClassifier((50,), early_stopping=True, max_iter=300, random_state=0)
    >>> disp = LossCurveDisplay.from_estimator(ours.fit(X, y))
    >>> disp = LossCurveDisplay.from_estimator(theirs.fit(X, y), ax=disp.ax_)
    >>> len(disp.ax_.get_lines())  # our training and validation loss, scikit-learn's loss
    3
    """

    def __init__(
        self,
        loss_curve,
        *,
        validation_scores=None,
        train_scores=None,
        validation_loss_curve=None,
        estimator_name=None,
        x_label="epoch",
        score_name="accuracy",
        loss_name="cross-entropy",
    ):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.train_scores = train_scores
        self.validation_loss_curve = validation_loss_curve
        self.estimator_name = estimator_name
        self.x_label = x_label
        self.score_name = score_name
        self.loss_name = loss_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, log_scale=False, **kwargs):
        """Plot the loss curve of a fitted estimator.

        Parameters
        ----------
        estimator : fitted estimator with ``loss_curve_``
            Ours, scikit-learn's ``MLPClassifier`` (stochastic solvers), or a
            ``Pipeline`` ending in one. Its ``validation_scores_`` are drawn
            too when it has them.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure if None.
        name : str, default=None
            Legend entry; the estimator's class name if None.
        log_scale : bool, default=False
            Logarithmic loss axis.
        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot`` for the loss curve.

        Returns
        -------
        display : LossCurveDisplay
        """
        final = _final_estimator(estimator)
        check_is_fitted(final)
        curve = getattr(final, "loss_curve_", None)
        if curve is None:
            raise ValueError(
                f"{type(final).__name__} has no loss_curve_: scikit-learn's MLPClassifier "
                "records one only for the 'sgd' and 'adam' solvers."
            )
        solver = getattr(final, "solver", None)
        names = {}
        if is_regressor(final):
            loss = getattr(final, "loss", "squared_error")
            names = dict(
                score_name="R²",
                loss_name="half Poisson deviance" if loss == "poisson" else "half squared error",
            )
        display = cls(
            curve,
            validation_scores=getattr(final, "validation_scores_", None),
            validation_loss_curve=getattr(final, "validation_loss_curve_", None),
            estimator_name=name or _estimator_name(estimator),
            x_label="iteration (L-BFGS)" if solver == "lbfgs" else "epoch",
            **names,
        )
        return display.plot(ax=ax, log_scale=log_scale, **kwargs)

    def plot(self, ax=None, *, name=None, log_scale=False, **kwargs):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure if None. Curves already on it are
            kept, and its score axis, if any, is reused.
        name : str, default=None
            Legend entry; overrides ``estimator_name``.
        log_scale : bool, default=False
            Logarithmic loss axis.
        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot`` for the loss curve.

        Returns
        -------
        display : LossCurveDisplay
            ``self``, with the artists as attributes.
        """
        from matplotlib.ticker import MaxNLocator

        self.figure_, self.ax_ = _figure_and_ax(ax, figsize=(6.4, 4.2))
        if ax is None:
            setattr(self.figure_, _OWN_FIGURE, 4.2)
        name = name or self.estimator_name or "model"
        loss = np.asarray(self.loss_curve, dtype=np.float64)
        epochs = np.arange(1, loss.shape[0] + 1)
        kwargs.setdefault("label", f"{name}: training loss")
        (self.line_,) = self.ax_.plot(epochs, loss, **kwargs)
        color = self.line_.get_color()
        self.ax_.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs
        self.ax_.set_xlabel(self.x_label)
        if log_scale:
            self.ax_.set_yscale("log")
        self.validation_loss_line_ = None
        if self.validation_loss_curve is not None:
            held_out = np.asarray(self.validation_loss_curve, dtype=np.float64)
            (self.validation_loss_line_,) = self.ax_.plot(
                np.arange(1, held_out.shape[0] + 1),
                held_out,
                linestyle="-.",
                color=color,
                linewidth=self.line_.get_linewidth(),
                alpha=self.line_.get_alpha(),
                label=f"{name}: validation loss",
            )
        self.validation_line_ = self.train_line_ = None
        self.score_ax_ = self._find_score_ax()
        curves = [
            ("train_line_", self.train_scores, ":", "training"),
            ("validation_line_", self.validation_scores, "--", "validation"),
        ]
        if any(scores is not None for _, scores, _, _ in curves) and self.score_ax_ is None:
            self.score_ax_ = self.ax_.twinx()
            self.score_ax_.set_label("score axis")
            self.score_ax_.set_ylabel(self.score_name)
        for attribute, scores, style, what in curves:
            if scores is None:
                continue
            scores = np.asarray(scores, dtype=np.float64)
            (line,) = self.score_ax_.plot(
                np.arange(1, scores.shape[0] + 1),
                scores,
                linestyle=style,
                color=color,
                linewidth=self.line_.get_linewidth(),
                alpha=self.line_.get_alpha(),
                marker=self.line_.get_marker(),
                markevery=self.line_.get_markevery(),
                markersize=self.line_.get_markersize(),
                label=f"{name}: {what} {self.score_name}",
            )
            setattr(self, attribute, line)
        self._legend()
        return self

    def _find_score_ax(self):
        for other in self.ax_.get_shared_x_axes().get_siblings(self.ax_):
            if other is not self.ax_ and other.get_label() == "score axis":
                return other
        return None

    def _legend(self):
        import matplotlib as mpl
        from matplotlib.font_manager import FontProperties

        handles = list(self.ax_.get_lines())
        top = self.ax_
        if self.score_ax_ is not None:
            handles += list(self.score_ax_.get_lines())
            top = self.score_ax_
        for axes in (self.ax_, self.score_ax_):
            if axes is not None and axes.get_legend() is not None:
                axes.get_legend().remove()
        ncols, labels = _legend_columns(
            [handle.get_label() for handle in handles], _available_width(self.ax_), "small"
        )
        legend_height = _legend_height(labels, ncols, "small")
        base_height = getattr(self.figure_, _OWN_FIGURE, None)
        if base_height is not None:  # our figure: tall enough for the legend
            # the first height leaves room for two rows of one line
            extra = legend_height - _legend_height(["", ""], 1, "small")
            width = self.figure_.get_size_inches()[0]
            self.figure_.set_size_inches(width, base_height + max(extra, 0.0) / 72)
        # the loss label, on two lines if the axes (less the legend, the tick
        # labels and a title) would be shorter than it
        label = f"training loss ({self.loss_name} + penalty)"
        font = FontProperties(size=mpl.rcParams["axes.labelsize"])
        height = _available_height(self.ax_) - legend_height - 80
        if _text_width(label, font) * 1.1 > height:
            label = label.replace(" (", "\n(")
        self.ax_.set_ylabel(label)
        # below the axes, where it hides no curve
        top.legend(
            handles=handles,
            labels=labels,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.14),
            ncols=ncols,
            fontsize="small",
            frameon=False,
        )


def _legend_columns(labels: list, width: float, fontsize) -> tuple[int, list]:
    """Columns and (wrapped) labels of a legend that fits in ``width`` points.

    Two columns when every label fits in half the width, else one column,
    with the labels wrapped to the width, in at most :data:`_LEGEND_LINES`
    lines each.
    """
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=fontsize)
    size = prop.get_size_in_points()
    rc = mpl.rcParams
    handle = (rc["legend.handlelength"] + rc["legend.handletextpad"]) * size
    spare = 2 * (rc["legend.borderpad"] + rc["legend.borderaxespad"]) * size
    width = 0.95 * width - spare
    if len(labels) > 1:
        column = (width - rc["legend.columnspacing"] * size) / 2 - handle
        if max(_text_width(label, prop) for label in labels) * 1.1 <= column:
            return 2, labels
    return 1, [_fit_label(label, width - handle, fontsize) for label in labels]


def _fit_label(label: str, width: float, fontsize) -> str:
    """A legend entry ``"name: what"`` wrapped to ``width`` points in at most
    :data:`_LEGEND_LINES` lines; a longer name is cut short with an ellipsis,
    keeping what the curve is."""
    wrapped = _wrap(label, width, fontsize)
    if wrapped.count("\n") < _LEGEND_LINES:
        return wrapped
    name, colon, what = label.rpartition(": ")
    if not colon:
        return _wrap(label, width, fontsize, _LEGEND_LINES)
    low, high = 0, len(name)  # the longest head of the name that fits
    while low < high:
        mid = (low + high + 1) // 2
        candidate = _wrap(f"{name[:mid].rstrip()}\u2026: {what}", width, fontsize)
        if candidate.count("\n") < _LEGEND_LINES:
            low = mid
        else:
            high = mid - 1
    return _wrap(f"{name[:low].rstrip()}\u2026: {what}", width, fontsize, _LEGEND_LINES)


def _legend_height(labels: list, ncols: int, fontsize) -> float:
    """About how many points of height a legend of ``labels`` takes."""
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size=fontsize).get_size_in_points()
    lines = [label.count("\n") + 1 for label in labels]
    rows = [max(lines[i : i + ncols]) for i in range(0, len(lines), ncols)]
    spacing = mpl.rcParams["legend.labelspacing"] * size
    return sum(rows) * 1.2 * size + max(len(rows) - 1, 0) * spacing


def _first_layer_weights(estimator) -> tuple[np.ndarray, bool]:
    """First-layer weights as (n_features, n_units), and whether it is the output layer."""
    final = _final_estimator(estimator)
    check_is_fitted(final)
    if hasattr(final, "coefs_"):
        return np.asarray(final.coefs_[0]), len(final.coefs_) == 1
    if hasattr(final, "coef_"):  # linear models: (n_classes, n_features)
        return np.asarray(final.coef_).T, True
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
            label = "weight (red: pixel counts for, blue: against)"
            self.colorbar_ = self.figure_.colorbar(
                self.images_[0],
                ax=self.ax_,
                fraction=0.04,
                pad=0.02,
                label=_wrap(label, length, mpl.rcParams["axes.labelsize"]),
            )
            margin = 72.0  # the bar, its ticks and label take about an inch
        _set_title(self.ax_, title or f"First-layer weights of {n} units", margin=margin, pad=4)
        return self


class ProbabilityDisplay:
    """An input image beside the predicted probability of every class.

    The bar of the true class is green; when the prediction is wrong, the
    bar of the predicted class is red.

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

        title = f"predicted {classes[predicted]} ({proba[predicted]:.0%})"
        if self.y_true is not None:
            verdict = "right" if true_index == predicted else "wrong"
            title = f"true {self.y_true}, {title}: {verdict}"
        _set_title(self.ax_, title)
        return self


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
