"""The figures of the ``compare`` command: loss curves, decision boundaries, predictions.

Loss curves (of every model that records one) are drawn by the package's own
:class:`~sknumpynet.plotting.LossCurveDisplay`; decision boundaries (of a
classification with two features) by scikit-learn's
:class:`~sklearn.inspection.DecisionBoundaryDisplay`; predicted against true
targets (of a regression) as one scatter plot per model. Figures
are made with :class:`matplotlib.figure.Figure`, not pyplot, so that writing
them neither needs nor changes a matplotlib backend.
"""

from __future__ import annotations

import inspect
import os
import warnings

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from sklearn.base import is_regressor
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.metrics import r2_score

from ..plotting import LossCurveDisplay
from .errors import CommandError

# One colour per family; ours a broad translucent line, scikit-learn's a thin
# dashed one on top: with identical parameters the two curves can coincide,
# and both stay visible.
FAMILY_COLORS = {"linear": "tab:blue", "mlp": "tab:orange"}
FAMILY_NAMES = {"linear": "a linear model", "mlp": "an MLP"}
OURS_STYLE = dict(linestyle="-", linewidth=4.0, alpha=0.45, zorder=2)
THEIRS_STYLE = dict(linestyle="--", linewidth=1.5, zorder=3)


def loss_curve_figure(name: str, models) -> Figure | None:
    """Training loss per epoch of the models that record it, on one axis; None if none do.

    ``models`` are fitted :class:`~sknumpynet._compare.models.Model` objects;
    the loss of a regressor is that of the standardized target it fits.
    """
    with_curves = [m for m in models if getattr(m.fitted, "loss_curve_", None) is not None]
    if not with_curves:
        return None
    figure = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = figure.subplots()
    for model in with_curves:
        LossCurveDisplay.from_estimator(
            model.fitted,
            ax=ax,
            name=model.name,
            log_scale=True,
            color=FAMILY_COLORS.get(model.family),
            **(OURS_STYLE if model.ours else THEIRS_STYLE),
        )
    if all(is_regressor(model.fitted) for model in with_curves):
        # what a regressor of compare fits: the target standardized on the training set
        ax.set_ylabel(f"{ax.get_ylabel()}\nof the standardized target")
    ax.set_title(
        _title(f"{name}: loss curves", "(solid: sknumpynet, dashed: scikit-learn)"), fontsize=10
    )
    return figure


def _title(head: str, tail: str, width: int = 64) -> str:
    """``head`` and ``tail`` on one line, or on two when longer than ``width`` characters
    (a long file name), so that the title stays inside the figure."""
    return f"{head} {tail}" if len(head) + len(tail) < width else f"{head}\n{tail}"


def prediction_figure(data, models) -> Figure | None:
    """One panel per model: its test predictions against the true targets, and the diagonal.

    A point on the diagonal is a perfect prediction; each panel's title gives
    the model's test R². Both axes span the true targets and the predictions,
    up to one span of the targets beyond them. None unless ``data`` is a
    regression.
    """
    if data.task != "regression":
        return None
    predicted = [model.estimator.predict(data.X_test) for model in models]
    # both axes: the true targets and the predictions, but no further than one
    # span of the targets beyond them (a diverged model's predictions stay off)
    y_low, y_high = float(np.min(data.y_test)), float(np.max(data.y_test))
    span = y_high - y_low
    shown = np.concatenate([data.y_test, *predicted])
    shown = shown[np.isfinite(shown)].clip(y_low - span, y_high + span)
    low, high = float(shown.min()), float(shown.max())
    margin = 0.05 * (high - low)
    limits = (low - margin, high + margin)
    figure = Figure(figsize=(3.2 * len(models), 4.4), layout="constrained")
    axes = figure.subplots(1, len(models), squeeze=False)[0]
    for ax, model, y_pred in zip(axes, models, predicted):
        color = FAMILY_COLORS.get(model.family)
        diagonal = ax.plot(limits, limits, color="0.5", linewidth=1.0, linestyle=":", zorder=1)
        ax.scatter(data.y_test, y_pred, s=8, alpha=0.6, color=color, linewidths=0, zorder=2)
        ax.set_xlim(limits)
        ax.set_ylim(limits)
        ax.set_aspect("equal")
        r2 = _r2(data.y_test, y_pred)
        ax.set_title(f"{model.name}\ntest R2 {r2:.3f}", fontsize=9)
        ax.set_xlabel(f"true {data.target_name}", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel(f"predicted {data.target_name}", fontsize=8)
    handles = [
        Line2D([], [], linestyle="", marker="o", markersize=4, color=color, alpha=0.6)
        for color in dict.fromkeys(FAMILY_COLORS.get(model.family) for model in models)
    ]
    labels = [
        f"a test sample, predicted by {FAMILY_NAMES.get(family, family)}"
        for family in dict.fromkeys(model.family for model in models)
    ]
    figure.legend(
        [*handles, diagonal[0]],
        [*labels, "predicted = true"],
        loc="outside lower center",
        ncols=len(handles) + 1,
        fontsize=8,
        frameon=False,
    )
    figure.suptitle(f"{data.name}: predicted and true targets of the test set")
    return figure


def _r2(y_true, y_pred) -> float:
    """The coefficient of determination; NaN for non-finite predictions."""
    if not np.all(np.isfinite(y_pred)):
        return float("nan")
    return float(r2_score(y_true, y_pred))


def decision_boundary_figure(data, models) -> Figure | None:
    """One panel per model: its predicted regions, and the test points in their true class.

    Regions and points share one colour per class, ``tab10``'s colours in
    the order of the classes (class k takes colour k; ``turbo`` past ten
    classes); a legend below the panels names them. Each panel's title gives
    the model's test accuracy, the axes the names of the two features. None
    unless the data has exactly two features and is a classification.
    """
    if data.task != "classification" or data.X_train.shape[1] != 2:
        return None
    x_name, y_name = data.feature_names or ["feature 1", "feature 2"]
    figure = Figure(figsize=(3.2 * len(models), 4.2), layout="constrained")
    axes = figure.subplots(1, len(models), squeeze=False)[0]
    # the regions cover the test points too, also one beyond the training set's range
    X_grid = np.concatenate([data.X_train, data.X_test])
    for ax, model in zip(axes, models):
        plot_decision_boundary(model.estimator, X_grid, data.X_test, data.y_test, ax=ax)
        accuracy = model.estimator.score(data.X_test, data.y_test)
        ax.set_title(f"{model.name}\ntest accuracy {accuracy:.3f}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel(x_name, fontsize=8)
    axes[0].set_ylabel(y_name, fontsize=8)
    classes = models[0].estimator.classes_
    colors = class_colors(len(classes))
    handles = [
        Line2D([], [], linestyle="", marker="o", markersize=6, markerfacecolor=color,
               markeredgecolor="k", markeredgewidth=0.3)
        for color in colors
    ]  # fmt: skip
    figure.legend(
        handles,
        [f"class {label}" for label in classes],
        loc="outside lower center",
        ncols=min(len(classes), 10),
        fontsize=8,
        frameon=False,
    )
    figure.suptitle(
        f"{data.name}: decision regions (predicted class) and test points (true class)",
        fontsize=11,
    )
    return figure


def plot_decision_boundary(estimator, X_grid, X, y, *, ax):
    """Regions of ``estimator`` over the range of ``X_grid``; points ``X`` coloured by ``y``.

    Each point takes the colour of the region of its class: both go through
    the colour map and norm of the drawn surface. Points of a class the
    estimator never saw are white. Returns the ``DecisionBoundaryDisplay``.
    """
    classes = estimator.classes_
    with warnings.catch_warnings():
        # cmap goes to older scikit-learn, multiclass_colors to newer: each ignores one
        warnings.filterwarnings("ignore", message=".*ignored in favor of 'multiclass_colors'")
        display = DecisionBoundaryDisplay.from_estimator(
            estimator,
            X_grid,
            ax=ax,
            response_method="predict",
            eps=0.1 * float(np.ptp(X_grid, axis=0).max()),  # a margin in proportion to the data
            **_region_style(len(classes)),
        )
    codes = np.searchsorted(classes, y).clip(0, len(classes) - 1)
    known = classes[codes] == y
    colors = display.surface_.to_rgba(codes)
    colors[~known] = (1.0, 1.0, 1.0, 1.0)
    ax.scatter(X[:, 0], X[:, 1], c=colors, s=10, edgecolors="k", linewidths=0.3)
    return display


def class_colors(n_classes: int) -> list:
    """The colour of each class: ``tab10``'s in order up to ten classes, ``turbo``'s past.

    Class k takes ``tab10`` colour k, as in the gallery's spiral.

    Examples
    --------
    >>> from matplotlib.colors import to_hex
    >>> [to_hex(color) for color in class_colors(3)]
    ['#1f77b4', '#ff7f0e', '#2ca02c']
    """
    if n_classes <= 10:
        return list(colormaps["tab10"].colors[:n_classes])
    return [tuple(color) for color in colormaps["turbo"](np.linspace(0, 1, n_classes))]


def _region_style(n_classes: int) -> dict:
    """Keyword arguments of ``DecisionBoundaryDisplay.from_estimator``: one colour per class."""
    colors = class_colors(n_classes)
    # a contour level between each two class codes, so that each class is one colour
    style = dict(levels=np.arange(n_classes + 1) - 0.5, alpha=0.4, cmap=ListedColormap(colors))
    # scikit-learn >= 1.7 takes the colours of a multiclass problem from
    # `multiclass_colors` (1.9 also for `predict`, ignoring `cmap`)
    if n_classes > 2 and "multiclass_colors" in _from_estimator_parameters():
        style["multiclass_colors"] = colors
    return style


def _from_estimator_parameters():
    return inspect.signature(DecisionBoundaryDisplay.from_estimator).parameters


def write_figures(out_dir: str, data, models) -> list[str]:
    """The PNG figures of one data set's fitted models in ``out_dir``; returns their paths."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in data.name)
    written = []
    figures = [
        (f"loss_curves_{safe}.png", loss_curve_figure(data.name, models)),
        (f"decision_boundaries_{safe}.png", decision_boundary_figure(data, models)),
        (f"predictions_{safe}.png", prediction_figure(data, models)),
    ]
    for filename, figure in figures:
        if figure is None:
            continue
        path = os.path.join(out_dir, filename)
        try:
            figure.savefig(path, dpi=100)
        except OSError as exc:
            raise CommandError(f"cannot write {path}: {exc}") from None
        written.append(path)
    return written
