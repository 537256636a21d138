"""The loss per epoch of one or more estimators, beside their scores."""

from __future__ import annotations

from functools import cache

import numpy as np
from sklearn.base import is_regressor
from sklearn.utils.validation import check_is_fitted

from ._common import (
    _available_height,
    _available_width,
    _estimator_name,
    _figure_and_ax,
    _final_estimator,
    _text_width,
    _wrap,
)

# A legend entry longer than this many lines is cut short with an ellipsis.
_LEGEND_LINES = 3
# Attribute of a figure that a LossCurveDisplay made, holding its first height
# in inches: the display grows such a figure to fit a tall legend.
_OWN_FIGURE = "_sknumpynet_loss_curve_height"
# Attribute of an axes that LossCurveDisplays drew on: the curves, each with
# the quantity it shows (for the widths of the next estimator and the labels
# of the axes).
_DRAWN = "_sknumpynet_loss_curves"
# Default line widths of the first, second, third and later estimators on one
# axes: each narrower than the one below it, so that coinciding curves show.
_WIDTHS = (3.0, 1.5, 0.75)
# Length of the lines in the legend, in font sizes: long enough to show a
# dash-dotted line apart from a dashed one, also when it is wide.
_HANDLE_LENGTH = 4.0


class LossCurveDisplay:
    """Training loss per epoch, beside the validation (and training) score.

    The losses are drawn on the left axis, the scores, when there are any, on
    a second y axis on the right. The colour says which estimator a curve
    belongs to, the line style which quantity it is: solid the training loss,
    dash-dotted the validation loss, dashed the validation score and dotted
    the training score. Call ``from_estimator`` again with ``ax=display.ax_``
    to compare several estimators on one axis: each is drawn in the next
    colour, narrower than the one before and on top of it, so that curves
    that coincide (the same network trained by two libraries) all stay
    visible. Any ``linewidth`` you pass wins.

    On a figure with constrained layout (every figure the display makes
    itself), the legend goes below the axes, which the layout makes room for,
    in two columns when the entries fit, else in one, with entries too long
    for the figure's width wrapped onto several lines. On other axes it goes
    inside them, where it hides the fewest curves of both y axes.

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
            too when it has them, unless they are minus its validation loss
            (``scoring="loss"``), which is drawn as a loss.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure if None.
        name : str, default=None
            Legend entry; the estimator's class name if None.
        log_scale : bool, default=False
            Logarithmic loss axis.
        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot`` for the loss curve; the
            other curves take its colour, width, transparency and marker.
            Without ``linewidth``, the first estimator on the axes is drawn
            3 points wide, the second 1.5 and later ones 0.75.

        Returns
        -------
        display : LossCurveDisplay
        """
        final = _final_estimator(estimator)
        check_is_fitted(final)
        curve = getattr(final, "loss_curve_", None)
        if curve is None and hasattr(final, "estimators_"):
            raise ValueError(
                f"This {type(final).__name__} is {len(final.estimators_)} networks "
                "(n_cv), each with a loss curve of its own: draw them one by one, "
                "e.g. LossCurveDisplay.from_estimator(model.estimators_[0]), on the "
                "same axes with ax=."
            )
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
        scores = getattr(final, "validation_scores_", None)
        if getattr(final, "scoring", None) == "loss":
            scores = None  # minus the validation loss, which is drawn as a loss
        display = cls(
            curve,
            validation_scores=scores,
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
            Passed to ``matplotlib.axes.Axes.plot`` for the loss curve; the
            other curves take its colour, width, transparency and marker.
            Without ``linewidth``, the first estimator on the axes is drawn
            3 points wide, the second 1.5 and later ones 0.75.

        Returns
        -------
        display : LossCurveDisplay
            ``self``, with the artists as attributes.
        """
        from matplotlib.ticker import MaxNLocator

        self.figure_, self.ax_ = _figure_and_ax(ax, figsize=(6.4, 4.2))
        if ax is None:
            setattr(self.figure_, _OWN_FIGURE, 4.2)
        # what the displays drew on these axes, as long as it is still there
        drawn = [
            (what, line)
            for what, line in getattr(self.ax_, _DRAWN, [])
            if line.axes is not None and line in line.axes.get_lines()
        ]
        setattr(self.ax_, _DRAWN, drawn)
        if "linewidth" not in kwargs and "lw" not in kwargs:
            # each estimator narrower than the one before, and on top of it
            n_before = sum(what == "training loss" for what, _ in drawn)
            kwargs["linewidth"] = _WIDTHS[min(n_before, len(_WIDTHS) - 1)]
        name = name or self.estimator_name or "model"
        loss = np.asarray(self.loss_curve, dtype=np.float64)
        epochs = np.arange(1, loss.shape[0] + 1)
        kwargs.setdefault("label", f"{name}: training loss")
        (self.line_,) = self.ax_.plot(epochs, loss, **kwargs)
        drawn.append(("training loss", self.line_))
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
                zorder=self.line_.get_zorder(),
                label=f"{name}: validation loss",
            )
            drawn.append(("validation loss", self.validation_loss_line_))
        self.validation_line_ = self.train_line_ = None
        self.score_ax_ = self._find_score_ax()
        curves = [
            ("train_line_", self.train_scores, ":", "training"),
            ("validation_line_", self.validation_scores, "--", "validation"),
        ]
        if any(scores is not None for _, scores, _, _ in curves) and self.score_ax_ is None:
            self.score_ax_ = self.ax_.twinx()
            self.score_ax_.set_label("score axis")
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
                zorder=self.line_.get_zorder(),
                marker=self.line_.get_marker(),
                markevery=self.line_.get_markevery(),
                markersize=self.line_.get_markersize(),
                label=f"{name}: {what} {self.score_name}",
            )
            setattr(self, attribute, line)
            drawn.append((what, line))
        scores = sorted({what for what, _ in drawn} & {"training", "validation"})
        if self.score_ax_ is not None and scores:
            what = scores[0] if len(scores) == 1 else " and ".join(scores)
            self.score_ax_.set_ylabel(f"{what} {self.score_name}")
        self._legend(drawn)
        return self

    def _find_score_ax(self):
        for other in self.ax_.get_shared_x_axes().get_siblings(self.ax_):
            if other is not self.ax_ and other.get_label() == "score axis":
                return other
        return None

    def _legend(self, drawn):
        import matplotlib as mpl
        from matplotlib.font_manager import FontProperties
        from matplotlib.layout_engine import ConstrainedLayoutEngine

        handles = list(self.ax_.get_lines())
        top = self.ax_
        if self.score_ax_ is not None:
            handles += list(self.score_ax_.get_lines())
            top = self.score_ax_
        for axes in (self.ax_, self.score_ax_):
            if axes is not None and axes.get_legend() is not None:
                axes.get_legend().remove()
        # below the axes where the layout makes room for it, else inside them
        below = isinstance(self.figure_.get_layout_engine(), ConstrainedLayoutEngine)
        labels = [handle.get_label() for handle in handles]
        if below:
            ncols, labels = _legend_columns(labels, _available_width(self.ax_), "small")
            legend_height = _legend_height(labels, ncols, "small")
        else:
            # half as wide as the axes at most, in one column
            width = 0.5 * self.ax_.get_position().width * _available_width(self.ax_)
            ncols, labels = 1, [_fit_label(label, width, "small") for label in labels]
            legend_height = 0.0
        base_height = getattr(self.figure_, _OWN_FIGURE, None)
        if base_height is not None:  # our figure: tall enough for the legend
            # the first height leaves room for two rows of one line
            extra = legend_height - _legend_height(["", ""], 1, "small")
            width = self.figure_.get_size_inches()[0]
            self.figure_.set_size_inches(width, base_height + max(extra, 0.0) / 72)
        # the loss label, on two lines if the axes (less the legend, the tick
        # labels and a title) would be shorter than it; the validation loss
        # is the data term alone
        if any(what == "validation loss" for what, _ in drawn):
            label = f"loss ({self.loss_name}; training: + penalty)"
        else:
            label = f"training loss ({self.loss_name} + penalty)"
        font = FontProperties(size=mpl.rcParams["axes.labelsize"])
        height = _available_height(self.ax_) - legend_height - 80
        if _text_width(label, font) * 1.1 > height:
            label = label.replace(" (", "\n(")
            if max(_text_width(line, font) for line in label.split("\n")) * 1.1 > height:
                label = _wrap(label, height, font.get_size())
        self.ax_.set_ylabel(label)
        if below:  # where it hides no curve
            top.legend(
                handles=handles,
                labels=labels,
                loc="upper center",
                bbox_to_anchor=(0.5, -0.14),
                ncols=ncols,
                fontsize="small",
                handlelength=_HANDLE_LENGTH,
                frameon=False,
            )
        else:  # where it hides the fewest curves, of both y axes
            legend = _legend_over_both_axes()(
                top,
                handles,
                labels,
                loc="best",
                fontsize="small",
                handlelength=_HANDLE_LENGTH,
                framealpha=0.85,
            )
            top.legend_ = legend
            legend._remove_method = top._remove_legend


@cache
def _legend_over_both_axes():
    """A legend whose ``loc="best"`` avoids the curves of every axes that shares
    its x axis (matplotlib's looks at the curves of its own axes only)."""
    from matplotlib.legend import Legend

    class LegendOverBothAxes(Legend):
        def _auto_legend_data(self, *args):
            bboxes, lines, offsets = super()._auto_legend_data(*args)
            for other in self.parent.get_shared_x_axes().get_siblings(self.parent):
                if other is not self.parent:
                    lines.extend(
                        line.get_transform().transform_path(line.get_path())
                        for line in other.get_lines()
                    )
            return bboxes, lines, offsets

    return LegendOverBothAxes


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
    handle = (_HANDLE_LENGTH + rc["legend.handletextpad"]) * size
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
