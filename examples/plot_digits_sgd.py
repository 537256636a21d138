"""
Handwritten digits with per-sample SGD and a sigmoid hidden layer
=================================================================

The classic first network of the course notes: 64 pixels in, one hidden layer
of sigmoid units, ten softmax outputs, trained by stochastic gradient descent
one sample at a time (``batch_size=1``). ``partial_fit`` runs one epoch per
call, so the training and validation accuracy can be recorded after each.

Figures: ``digits_learning_curves.png`` (loss and accuracies per epoch),
``digits_probabilities.png`` (test digits beside their predicted class
probabilities) and ``digits_worst_predictions.png`` (the test digits the
network is most confidently wrong about).

Run ``python examples/plot_digits_sgd.py [OUTPUT_DIR]``; the directory defaults
to ``$SKNUMPYNET_EXAMPLE_OUT`` or ``./out``.
"""

import os
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sknumpynet import (
    LossCurveDisplay,
    MLPClassifierNP,
    ProbabilityDisplay,
    WorstPredictionsDisplay,
)

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SKNUMPYNET_EXAMPLE_OUT", "out"))
OUT.mkdir(parents=True, exist_ok=True)

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixels in [0, 1]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
X_train, X_val, y_train, y_val = train_test_split(X_train, y_train, test_size=0.2, random_state=0)

net = MLPClassifierNP(
    hidden_layer_sizes=(30,),
    activation="logistic",
    solver="sgd",
    batch_size=1,  # one sample per step
    learning_rate_init=0.05,
    momentum=0.0,  # plain SGD
    alpha=1e-4,
    random_state=0,
)
classes = np.unique(y)
train_accuracy, val_accuracy = [], []
for _ in range(30):  # one epoch per call
    net.partial_fit(X_train, y_train, classes=classes)
    train_accuracy.append(net.score(X_train, y_train))
    val_accuracy.append(net.score(X_val, y_val))
# n_iter_ counts the epochs of the last call only (as scikit-learn does)
print(f"test accuracy after {len(net.loss_curve_)} epochs: {net.score(X_test, y_test):.3f}")

curves = LossCurveDisplay(
    net.loss_curve_,
    train_scores=train_accuracy,
    validation_scores=val_accuracy,
    estimator_name="30 sigmoid units, per-sample SGD",
).plot()
curves.ax_.set_title(
    f"Digits, {len(val_accuracy)} epochs of per-sample SGD: "
    f"validation accuracy {val_accuracy[-1]:.1%}"
)
curves.figure_.savefig(OUT / "digits_learning_curves.png", dpi=100)

fig, axes = plt.subplots(3, 1, figsize=(6, 8), layout="constrained")
for ax, i in zip(axes, [0, 1, int(np.argmin(net.predict_proba(X_test).max(axis=1)))]):
    ProbabilityDisplay.from_estimator(net, X_test[i], image_shape=(8, 8), y_true=y_test[i], ax=ax)
fig.suptitle("Test digits and the network's class probabilities\n(last: its least sure one)")
fig.savefig(OUT / "digits_probabilities.png", dpi=100)

worst = WorstPredictionsDisplay.from_estimator(net, X_test, y_test, image_shape=(8, 8))
worst.figure_.savefig(OUT / "digits_worst_predictions.png", dpi=100)
print(f"figures saved in {OUT.resolve()}")
