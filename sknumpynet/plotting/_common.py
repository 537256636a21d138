"""What the displays share: estimators, figures, image shapes, text that fits."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.pipeline import Pipeline


def _final_estimator(estimator):
    return estimator[-1] if isinstance(estimator, Pipeline) else estimator


def _estimator_name(estimator) -> str:
    return type(_final_estimator(estimator)).__name__


def _class_colors(n_classes: int) -> np.ndarray:
    """RGBA colours of classes ``0 .. n_classes - 1`` (their positions in
    ``classes_``): class k is matplotlib's ``tab10`` colour k, the same in
    every figure of the package and its documentation; beyond ten classes the
    colours repeat."""
    from matplotlib import colormaps
    from matplotlib.colors import to_rgba_array

    tab10 = colormaps["tab10"].colors
    return to_rgba_array([tab10[k % len(tab10)] for k in range(n_classes)])


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


def _wrap_phrases(phrases: list[str], width: float, fontsize) -> str:
    """``phrases`` joined by spaces into lines of at most ``width`` points,
    broken between phrases only; a phrase longer than a line is wrapped on
    its own (:func:`_wrap`)."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=fontsize)
    width = max(width / 1.1, 3 * prop.get_size_in_points())  # as _wrap measures
    lines = []
    for phrase in phrases:
        candidate = f"{lines[-1]} {phrase}" if lines else phrase
        if lines and _text_width(candidate, prop) <= width:
            lines[-1] = candidate
        elif _text_width(phrase, prop) <= width:
            lines.append(phrase)
        else:
            lines.extend(_wrap(phrase, 1.1 * width, fontsize).split("\n"))
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
