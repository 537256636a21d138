"""
Dropout against over-fitting
============================

A network with far more weights than training rows can learn the noise of
its training set: its training loss keeps falling while the loss on held-out
rows turns and rises. ``dropout`` (inverted dropout on the hidden units of
every mini-batch, a rate in [0, 1)) makes each step train a random thinned
network, which slows that down.

Both networks below have two hidden layers of 64 ReLU units and no L2
penalty, and train for 200 epochs on 120 noisy rows of two interleaved moons;
``early_stopping=True`` with a patience longer than the fit holds out the
other 120 rows and records their loss and accuracy after every epoch.

Figures: ``dropout_loss_curves.png`` (training and validation loss of both
networks; the training loss with dropout is that of the thinned networks,
higher and noisier) and ``dropout_decision_regions.png``
(what each has learned after the 200 epochs: the network without dropout
bends its boundary around single training rows; on test data the two are
about as accurate, but its log-loss shows how confidently it is wrong).

Run ``python examples/plot_dropout.py [OUTPUT_DIR]``; the directory defaults
to ``$SKNUMPYNET_EXAMPLE_OUT`` or ``./out``.
"""

import os
import sys
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss

from sknumpynet import LossCurveDisplay, MLPClassifierNP

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SKNUMPYNET_EXAMPLE_OUT", "out"))
OUT.mkdir(parents=True, exist_ok=True)

X, y = make_moons(n_samples=240, noise=0.35, random_state=0)
X_test, y_test = make_moons(n_samples=2000, noise=0.35, random_state=1)
settings = dict(
    hidden_layer_sizes=(64, 64),
    alpha=0.0,
    learning_rate_init=0.01,
    max_iter=200,
    validation_fraction=0.5,
    random_state=0,
)
rates = {"no dropout": 0.0, "dropout=0.5": 0.5}
warnings.simplefilter("ignore", ConvergenceWarning)  # 200 epochs on purpose

# With early stopping: the validation curves (the weights of the best epoch
# are kept, so these models are not the over-fitted ones).
display = None
final_loss = {}
for name, rate in rates.items():
    net = MLPClassifierNP(dropout=rate, early_stopping=True, n_iter_no_change=1000, **settings)
    net.fit(X, y)
    final_loss[name] = net.validation_loss_curve_[-1]
    print(
        f"{name}: validation loss {min(net.validation_loss_curve_):.3f} at best, "
        f"{final_loss[name]:.3f} after {net.n_iter_} epochs"
    )
    # the losses only: the accuracy of 120 rows moves in steps of 0.8%
    display = LossCurveDisplay(
        net.loss_curve_, validation_loss_curve=net.validation_loss_curve_, estimator_name=name
    ).plot(ax=None if display is None else display.ax_)
display.ax_.set_title(
    "Validation loss after 200 epochs:\n"
    + ", ".join(f"{name} {loss:.2f}" for name, loss in final_loss.items())
)
display.figure_.savefig(OUT / "dropout_loss_curves.png", dpi=100)

# Without early stopping: the networks as 200 epochs leave them.
X_train = X[:120]
y_train = y[:120]
colors = matplotlib.colormaps["tab10"].colors[:2]  # class k in tab10 colour k
x0, x1 = np.meshgrid(np.linspace(-2.0, 3.0, 300), np.linspace(-1.6, 2.1, 300))
fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), layout="constrained", sharey=True)
for ax, (name, rate) in zip(axes, rates.items()):
    net = MLPClassifierNP(dropout=rate, **settings).fit(X_train, y_train)
    proba = net.predict_proba(np.c_[x0.ravel(), x1.ravel()])[:, 1].reshape(x0.shape)
    ax.contourf(x0, x1, proba, levels=[0, 0.5, 1], colors=colors, alpha=0.25)
    ax.contour(x0, x1, proba, levels=[0.5], colors="k", linewidths=1)
    for k in (0, 1):
        ax.scatter(
            *X_train[y_train == k].T,
            color=colors[k],
            edgecolor="k",
            s=22,
            label=f"class {k} (training row)",
        )
    test_loss = log_loss(y_test, net.predict_proba(X_test))
    ax.set_title(
        f"{name}\ntraining accuracy {net.score(X_train, y_train):.0%}\n"
        f"test accuracy {net.score(X_test, y_test):.1%}, test log-loss {test_loss:.2f}"
    )
    ax.set_xlabel("$x_1$")
    ax.legend(loc="lower left", fontsize="small")
axes[0].set_ylabel("$x_2$")
fig.suptitle(
    "After 200 epochs (region colour: predicted class; black: where both are equally likely)"
)
fig.savefig(OUT / "dropout_decision_regions.png", dpi=100)
print(f"figures saved in {OUT.resolve()}")
