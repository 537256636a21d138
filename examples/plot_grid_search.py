"""
Choosing the learning rate and the L2 penalty by cross-validated grid search
============================================================================

The course notes tune a softmax classifier by trying every pair of learning
rate and regularization strength and keeping the best on validation data.
``GridSearchCV`` does exactly that with cross-validation; the heat map shows
the mean validation accuracy of every pair (10% is chance: too small a step
learns slowly, too strong a penalty or too large a step learns nothing, and a
fit whose loss blows up is marked "diverged"), and the weights of the
best model, drawn as 8x8 images, show the template it learned for each digit.

Figures: ``grid_search_heatmap.png`` and ``grid_search_best_weights.png``.

Run ``python examples/plot_grid_search.py [OUTPUT_DIR]``; the directory
defaults to ``$SKNUMPYNET_EXAMPLE_OUT`` or ``./out``.
"""

import os
import sys
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split

from sknumpynet import SoftmaxClassifier, WeightImageDisplay

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SKNUMPYNET_EXAMPLE_OUT", "out"))
OUT.mkdir(parents=True, exist_ok=True)

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

learning_rates = [0.001, 0.01, 0.1, 1.0, 10.0]
alphas = [0.01, 1.0, 10.0, 100.0, 1000.0]
search = GridSearchCV(
    SoftmaxClassifier(solver="sgd", max_iter=30, tol=0, random_state=0),
    {"learning_rate_init": learning_rates, "alpha": alphas},
    cv=3,
    error_score=np.nan,  # a diverged fit scores NaN instead of stopping the search
)
with warnings.catch_warnings():  # fixed epochs; diverged fits are shown, not hidden
    warnings.simplefilter("ignore")
    search.fit(X_train, y_train)
best = search.best_estimator_
print(f"best: {search.best_params_}, test accuracy {best.score(X_test, y_test):.3f}")

# Rows: alpha, columns: learning rate (the grid is the product, in this order).
scores = np.full((len(alphas), len(learning_rates)), np.nan)
for params, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
    i, j = alphas.index(params["alpha"]), learning_rates.index(params["learning_rate_init"])
    scores[i, j] = score
fig, ax = plt.subplots(figsize=(6.4, 5), layout="constrained")
image = ax.imshow(scores, cmap="viridis", vmin=np.nanmin(scores), vmax=1.0, origin="lower")
ax.set_facecolor("0.85")  # diverged cells (NaN) show the background
fig.colorbar(image, ax=ax, label="mean cross-validated accuracy")
ax.set_xticks(range(len(learning_rates)), [f"{v:g}" for v in learning_rates])
ax.set_yticks(range(len(alphas)), [f"{v:g}" for v in alphas])
ax.set_xlabel("learning_rate_init (SGD step)")
ax.set_ylabel("alpha (L2 penalty)")
for i in range(len(alphas)):
    for j in range(len(learning_rates)):
        text = "diverged" if np.isnan(scores[i, j]) else f"{scores[i, j]:.2f}"
        is_best = [alphas[i], learning_rates[j]] == [
            search.best_params_["alpha"],
            search.best_params_["learning_rate_init"],
        ]
        # black on light cells, white on dark ones (by the cell's luminance)
        r, g, b, _ = (0.85,) * 4 if np.isnan(scores[i, j]) else image.to_rgba(scores[i, j])
        ax.text(
            j,
            i,
            text + ("\nbest" if is_best else ""),
            ha="center",
            va="center",
            color="k" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.4 else "w",
        )
ax.set_title("Softmax on digits: validation accuracy\nfor each learning rate and penalty")
fig.savefig(OUT / "grid_search_heatmap.png", dpi=100)

alpha, step = search.best_params_["alpha"], search.best_params_["learning_rate_init"]
weights = WeightImageDisplay.from_estimator(
    best,
    image_shape=(8, 8),
    title=(
        f"Class templates learned by the best model (alpha={alpha:g}, step={step:g})\n"
        f"test accuracy {best.score(X_test, y_test):.1%}"
    ),
)
weights.figure_.savefig(OUT / "grid_search_best_weights.png", dpi=100)
print(f"figures saved in {OUT.resolve()}")
