"""
Watching a fit with scikit-learn's callbacks
============================================

scikit-learn 1.9 added callbacks (``sklearn.callback``): objects handed to
``set_callbacks`` that the estimator calls as its fit goes. The estimators
of sknumpynet make every epoch a step of the fit, so ``ProgressBar`` (which
draws with ``rich``) shows the epochs go by, and ``ScoringMonitor`` scores
the model on its training data after each one, which the fit alone does not
record. Callbacks set on a ``Pipeline`` or a ``GridSearchCV`` reach the
networks inside them, and a callback of your own can stop training.

Below, the training accuracy that ``ScoringMonitor`` recorded joins the
training loss and the validation accuracy the network records itself.

Figure: ``callbacks_learning_curves.png``.

Run ``python examples/plot_callbacks.py [OUTPUT_DIR]``; the directory
defaults to ``$SKNUMPYNET_EXAMPLE_OUT`` or ``./out``. It needs scikit-learn
1.9 or later.
"""

import importlib.util
import os
import sys
from pathlib import Path

import sklearn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sknumpynet import LossCurveDisplay, MLPClassifierNP

try:
    from sklearn.callback import ProgressBar, ScoringMonitor
except ImportError:
    sys.exit(
        "This example needs scikit-learn's callback API (sklearn.callback), which "
        f"scikit-learn 1.9 introduced; scikit-learn {sklearn.__version__} is installed."
    )

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SKNUMPYNET_EXAMPLE_OUT", "out"))
OUT.mkdir(parents=True, exist_ok=True)

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

monitor = ScoringMonitor(scoring=["accuracy", "neg_log_loss"])
callbacks = [monitor]
if importlib.util.find_spec("rich") is not None:
    callbacks.append(ProgressBar())
else:
    print('no progress bar: it needs rich (pip install "sknumpynet[progress]")')
net = MLPClassifierNP(
    hidden_layer_sizes=(32,), learning_rate_init=0.01, early_stopping=True, random_state=0
)
net.set_callbacks(*callbacks)
net.fit(X_train, y_train)

# One row per scored task: the fit (its final model), then each epoch.
epochs = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
train_accuracy = [row["accuracy"] for row in epochs]
print(f"{len(epochs)} epochs scored; training accuracy after the last: {train_accuracy[-1]:.3f}")
print(f"test accuracy: {net.score(X_test, y_test):.3f}")

display = LossCurveDisplay(
    net.loss_curve_,
    train_scores=train_accuracy,  # from the callback
    validation_scores=net.validation_scores_,  # from early stopping
    estimator_name="32 ReLU units",
).plot()
display.ax_.set_title(
    f"Digits: training accuracy per epoch from ScoringMonitor\n"
    f"{len(epochs)} epochs, the last at training accuracy {train_accuracy[-1]:.1%}; "
    f"test accuracy {net.score(X_test, y_test):.1%}"
)
display.figure_.savefig(OUT / "callbacks_learning_curves.png", dpi=100)
print(f"figure saved in {OUT.resolve()}")
