"""A check that a figure shows all of its text: nothing cut off at its edges.

:func:`clipped_texts` draws a figure with Agg, records every text artist
that is drawn (titles, axis labels, tick labels, legend entries, annotations,
...) and returns those whose extent reaches outside the figure.

:func:`check_saved_figures` runs a script in this process with
``Figure.savefig`` wrapped so that every figure the script saves is checked
before it is written; ``python tests/figure_checks.py SCRIPT REPORT [ARGS]``
does that in a new process and writes the findings to the JSON file REPORT.
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
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
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


if __name__ == "__main__":
    script, report, *args = sys.argv[1:]
    result = check_saved_figures(script, args)
    Path(report).write_text(json.dumps(result, indent=1))
