"""
Softmax regression versus a two-layer network on the spiral
===========================================================

A linear classifier can only cut the plane with straight lines, so on three
interleaved spiral arms it is right about half the time; one hidden layer of
ReLU units bends the boundaries around the arms. Both models are trained the
way the course notes train them: full-batch gradient descent with a step of
1.0 and an L2 penalty (``reg = 1e-3`` in the notes is ``alpha = reg * n``).

Figures: ``spiral_decision_boundaries.png`` (both models' regions with the
data on top) and ``spiral_loss_curves.png`` (their training loss per step).

Run ``python examples/plot_spiral.py [OUTPUT_DIR]``; the directory defaults to
``$SKNUMPYNET_EXAMPLE_OUT`` or ``./out``.
"""

import os
import sys
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import sklearn
from matplotlib.colors import ListedColormap
from sklearn.exceptions import ConvergenceWarning
from sklearn.inspection import DecisionBoundaryDisplay

from sknumpynet import LossCurveDisplay, MLPClassifierNP, SoftmaxClassifier, make_spiral

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SKNUMPYNET_EXAMPLE_OUT", "out"))
OUT.mkdir(parents=True, exist_ok=True)
sklearn_version = tuple(int(part) for part in sklearn.__version__.split(".")[:2])

X, y = make_spiral(n_samples=300, n_classes=3, random_state=0)
n_steps = 2000
full_batch_gd = dict(
    solver="sgd",
    batch_size=X.shape[0],
    learning_rate_init=1.0,
    momentum=0.0,
    alpha=1e-3 * X.shape[0],
    max_iter=n_steps,
    n_iter_no_change=n_steps,  # never stop early: a fixed number of steps
    random_state=0,
)
models = {
    "softmax regression": SoftmaxClassifier(**full_batch_gd),
    "2-layer net, 100 ReLU units": MLPClassifierNP(hidden_layer_sizes=(100,), **full_batch_gd),
}
with warnings.catch_warnings():  # max_iter is reached on purpose
    warnings.simplefilter("ignore", ConvergenceWarning)
    for model in models.values():
        model.fit(X, y)

# Class k in matplotlib's tab10 colour k, as in every figure of sknumpynet:
# pale for the region the model gives to the class, full for its points.
colors = list(matplotlib.colormaps["tab10"].colors[: len(models["softmax regression"].classes_)])
if sklearn_version >= (1, 9):
    region_colors = dict(multiclass_colors=colors)
else:  # older versions colour the predicted classes through a colour map
    region_colors = dict(cmap=ListedColormap(colors), levels=np.arange(len(colors) + 1) - 0.5)

fig, axes = plt.subplots(1, 2, figsize=(10, 4.8), layout="constrained")
for ax, (name, model) in zip(axes, models.items()):
    DecisionBoundaryDisplay.from_estimator(
        model, X, response_method="predict", alpha=0.3, ax=ax, **region_colors
    )
    for k, color in zip(model.classes_, colors):
        ax.scatter(*X[y == k].T, color=color, edgecolor="k", s=20, label=f"class {k}")
    ax.legend(loc="upper left", fontsize="small")
    ax.set_title(f"{name}\ntraining accuracy {model.score(X, y):.0%}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
fig.suptitle(
    "Decision regions on three spiral arms\n"
    "(region colour: predicted class; point colour: true class)"
)
fig.savefig(OUT / "spiral_decision_boundaries.png", dpi=100)

loss = None
for name, model in models.items():
    loss = LossCurveDisplay.from_estimator(model, name=name, ax=None if loss is None else loss.ax_)
loss.ax_.set_xlabel("gradient-descent step (full batch)")
loss.ax_.set_title("Training loss of both models on the spiral")
loss.figure_.savefig(OUT / "spiral_loss_curves.png", dpi=100)

for name, model in models.items():
    print(f"{name}: training accuracy {model.score(X, y):.3f}")
print(f"figures saved in {OUT.resolve()}")
