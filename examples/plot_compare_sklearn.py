"""
The same network, ours and scikit-learn's, on the same data
===========================================================

``MLPClassifierNP`` takes ``MLPClassifier``'s parameters with the same
meaning, so swapping one for the other is a one-word change. Trained with the
same settings and seed on the same split, the two start from the same
weights, draw the same batches and hold out the same validation rows, so
they reach the same loss curves and accuracies.

Figure: ``compare_loss_curves.png``: the losses on the left axis, the
validation accuracies on the right one. The colour says which library
trained the model, the line style which quantity a curve is. The curves
coincide, so ours, drawn first, is wider and shows at both edges of
scikit-learn's. scikit-learn's ``MLPClassifier`` records no validation loss.
A table of accuracy and fit time is printed.

Run ``python examples/plot_compare_sklearn.py [OUTPUT_DIR]``; the directory
defaults to ``$SKNUMPYNET_EXAMPLE_OUT`` or ``./out``.
"""

import os
import sys
import time
import warnings
from pathlib import Path

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknumpynet import LossCurveDisplay, MLPClassifierNP

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SKNUMPYNET_EXAMPLE_OUT", "out"))
OUT.mkdir(parents=True, exist_ok=True)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

params = dict(
    hidden_layer_sizes=(64,),
    activation="relu",
    solver="adam",
    alpha=1e-3,
    early_stopping=True,  # records a validation score per epoch
    max_iter=40,
    random_state=0,
)
models = {
    "sknumpynet MLPClassifierNP": make_pipeline(StandardScaler(), MLPClassifierNP(**params)),
    "scikit-learn MLPClassifier": make_pipeline(StandardScaler(), MLPClassifier(**params)),
}
display = None
accuracy = {}
print(f"{'model':<28} {'epochs':>6} {'test accuracy':>13} {'fit time':>9}")
for name, model in models.items():
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    accuracy[name] = model.score(X_test, y_test)
    print(f"{name:<28} {model[-1].n_iter_:>6} {accuracy[name]:>13.3f} {seconds:>8.2f}s")
    # drawn on one axes: each in its colour, the second narrower, on top
    display = LossCurveDisplay.from_estimator(
        model, name=name, ax=None if display is None else display.ax_
    )
ours, theirs = accuracy.values()
display.ax_.set_title(
    "Digits, 64 ReLU units, Adam: ours beside scikit-learn's\n"
    f"test accuracy: ours {ours:.1%}, scikit-learn's {theirs:.1%}"
)
display.figure_.savefig(OUT / "compare_loss_curves.png", dpi=100)
print(f"figure saved in {OUT.resolve()}")
