"""A check that a figure shows all of its text: nothing cut off at its edges.

:func:`clipped_texts` draws a figure with Agg, records every text artist
that is drawn (titles, axis labels, tick labels, legend entries, annotations,
...) and returns those whose extent reaches outside the figure.

:func:`check_saved_figures` runs a script in this process with
``Figure.savefig`` wrapped so that every figure the script saves is checked
before it is written. :func:`describe_saved_figures` does the same and also
records what each saved figure says (titles, axis labels, legend entries)
and what else is wrong with it: legends outside the figure
(:func:`legends_outside`), legend entries drawn alike (:func:`alike_entries`).
``python tests/figure_checks.py SCRIPT REPORT [ARGS]`` describes the figures
of SCRIPT in a new process and writes the descriptions to the JSON file REPORT.
"""

from __future__ import annotations

import json
import runpy
import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.collections import Collection  # noqa: E402
from matplotlib.colors import to_hex, to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.text import Text  # noqa: E402

# Text may reach this many pixels past an edge (antialiasing, rounding).
TOLERANCE = 1.0


@contextmanager
def _record_drawn_texts():
    """Collect every Text artist drawn inside the block (visible, non-empty)."""
    drawn = []
    original = Text.draw

    def draw(self, renderer):
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)
        return original(self, renderer)

    with mock.patch.object(Text, "draw", draw):
        yield drawn


def clipped_texts(fig, tolerance: float = TOLERANCE) -> list[str]:
    """The texts of ``fig`` that are drawn partly or wholly outside it.

    The figure is drawn with Agg at its own dpi (as ``savefig`` without
    ``bbox_inches="tight"`` draws it); each finding says which text and by how
    many pixels it overflows which edge.
    """
    canvas = fig.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(fig)
    with _record_drawn_texts() as drawn:
        canvas.draw()
    renderer = canvas.get_renderer()
    box = fig.bbox
    found = []
    for text in drawn:
        extent = text.get_window_extent(renderer)
        overflow = {
            "left": box.x0 - extent.x0,
            "right": extent.x1 - box.x1,
            "bottom": box.y0 - extent.y0,
            "top": extent.y1 - box.y1,
        }
        edges = [f"{edge} by {px:.0f} px" for edge, px in overflow.items() if px > tolerance]
        if edges:
            found.append(f"{text.get_text()!r} overflows the {', '.join(edges)}")
    return found


def check_saved_figures(script, argv) -> dict:
    """Run ``script`` with ``argv``; return ``{saved file name: clipped texts}``."""
    findings = {}
    original = Figure.savefig

    def savefig(self, fname, *args, **kwargs):
        findings[Path(str(fname)).name] = clipped_texts(self)
        return original(self, fname, *args, **kwargs)

    old_argv, old_path = sys.argv, sys.path[:]
    sys.argv = [str(script), *argv]
    sys.path.insert(0, str(Path(script).resolve().parent))  # as `python SCRIPT` does
    try:
        with mock.patch.object(Figure, "savefig", savefig):
            runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:  # a script that ends with sys.exit(0) succeeded
        if exc.code not in (0, None):
            raise
    finally:
        sys.argv, sys.path[:] = old_argv, old_path
    return findings


def _renderer(fig):
    canvas = fig.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _legends(fig):
    found = list(fig.legends)
    for ax in fig.axes:
        found += [child for child in ax.get_children() if isinstance(child, Legend)]
    return [legend for legend in found if legend.get_visible()]


def legends_outside(fig, tolerance: float = TOLERANCE) -> list[str]:
    """The legends of ``fig`` (of the figure or of an axes) that reach outside it,
    drawn as ``savefig`` draws it without ``bbox_inches="tight"``."""
    renderer = _renderer(fig)
    box = fig.bbox
    found = []
    for legend in _legends(fig):
        extent = legend.get_window_extent(renderer)
        if (
            extent.x0 < box.x0 - tolerance
            or extent.y0 < box.y0 - tolerance
            or extent.x1 > box.x1 + tolerance
            or extent.y1 > box.y1 + tolerance
        ):
            entries = [text.get_text() for text in legend.get_texts()]
            found.append(f"legend {entries} reaches outside the figure: {extent}")
    return found


def _style(handle) -> tuple:
    """What tells a legend handle from another: colour, line style, width, marker."""
    if isinstance(handle, Line2D):
        return (
            "line",
            tuple(np.round(to_rgba(handle.get_color(), handle.get_alpha()), 3)),
            str(handle.get_linestyle()),
            round(float(handle.get_linewidth()), 2),
            str(handle.get_marker()),
        )
    if isinstance(handle, Collection):
        return ("points", tuple(np.round(handle.get_facecolor(), 3).ravel()))
    if isinstance(handle, Patch):
        return ("patch", tuple(np.round(handle.get_facecolor(), 3)), handle.get_hatch())
    return (type(handle).__name__, id(handle))


def alike_entries(fig) -> list[str]:
    """Pairs of entries of one legend of ``fig`` whose handles are drawn alike."""
    found = []
    for legend in _legends(fig):
        handles = getattr(legend, "legend_handles", None)
        if handles is None:  # matplotlib < 3.7
            handles = legend.legendHandles
        seen = {}
        for handle, text in zip(handles, legend.get_texts()):
            style = _style(handle)
            if style in seen:
                found.append(f"{seen[style]!r} and {text.get_text()!r} are drawn alike")
            seen.setdefault(style, text.get_text())
    return found


def legend_colors(fig) -> dict:
    """``{legend entry: colour as "#rrggbb"}`` over the legends of ``fig``
    (the face colour of points and patches, the colour of lines)."""
    found = {}
    for legend in _legends(fig):
        handles = getattr(legend, "legend_handles", None)
        if handles is None:  # matplotlib < 3.7
            handles = legend.legendHandles
        for handle, text in zip(handles, legend.get_texts()):
            if isinstance(handle, Line2D):
                color = handle.get_color()
            elif isinstance(handle, Collection):
                color = handle.get_facecolor()[0]
            else:
                color = handle.get_facecolor()
            found[text.get_text()] = to_hex(color)
    return found


def figure_texts(fig) -> dict:
    """What ``fig`` says: its suptitle, and per axes its title, axis labels and
    legend entries (of the visible axes that have any of these)."""
    axes = []
    for ax in fig.axes:
        legend = ax.get_legend()
        entry = {
            "title": ax.get_title(),
            "xlabel": ax.get_xlabel(),
            "ylabel": ax.get_ylabel(),
            "legend": [] if legend is None else [t.get_text() for t in legend.get_texts()],
        }
        if ax.get_visible() and any(entry.values()):
            axes.append(entry)
    suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""
    return {"suptitle": suptitle, "axes": axes}


def describe_saved_figures(script, argv) -> dict:
    """Run ``script`` with ``argv``; for every figure it saves, by file name:
    ``clipped`` (:func:`clipped_texts`), ``legends_outside``, ``alike_entries``,
    ``texts`` (:func:`figure_texts`) and ``legend_colors``."""
    found = {}
    original = Figure.savefig

    def savefig(self, fname, *args, **kwargs):
        found[Path(str(fname)).name] = {
            "clipped": clipped_texts(self),
            "legends_outside": legends_outside(self),
            "alike_entries": alike_entries(self),
            "texts": figure_texts(self),
            "legend_colors": legend_colors(self),
        }
        return original(self, fname, *args, **kwargs)

    with mock.patch.object(Figure, "savefig", savefig):
        _run_script(script, argv)
    return found


def _run_script(script, argv) -> None:
    old_argv, old_path = sys.argv, sys.path[:]
    sys.argv = [str(script), *argv]
    sys.path.insert(0, str(Path(script).resolve().parent))  # as `python SCRIPT` does
    try:
        runpy.run_path(str(script), run_name="__main__")
    except SystemExit as exc:  # a script that ends with sys.exit(0) succeeded
        if exc.code not in (0, None):
            raise
    finally:
        sys.argv, sys.path[:] = old_argv, old_path


if __name__ == "__main__":
    script, report, *args = sys.argv[1:]
    result = describe_saved_figures(script, args)
    Path(report).write_text(json.dumps(result, indent=1))
