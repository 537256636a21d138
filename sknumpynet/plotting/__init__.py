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
``sklearn.inspection.DecisionBoundaryDisplay.from_estimator``. The figures of
the package and its documentation draw class k (the k-th of ``classes_``) in
matplotlib's ``tab10`` colour k; to match them, pass
``multiclass_colors=list(matplotlib.colormaps["tab10"].colors[:n_classes])``
(scikit-learn >= 1.9) and colour your points the same way.

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

from ._loss_curve import LossCurveDisplay
from ._probability import ProbabilityDisplay
from ._weight_images import WeightImageDisplay
from ._worst_predictions import WorstPredictionsDisplay

__all__ = [
    "LossCurveDisplay",
    "ProbabilityDisplay",
    "WeightImageDisplay",
    "WorstPredictionsDisplay",
]

# The displays say they live where users import them from, so that pickles
# name a public module whatever file of this package defines them.
for _display in (
    LossCurveDisplay,
    ProbabilityDisplay,
    WeightImageDisplay,
    WorstPredictionsDisplay,
):
    _display.__module__ = __name__
del _display
