"""
Regression: squared error, and the Poisson loss for counts
==========================================================

``MLPRegressorNP`` is ``MLPRegressor`` with a choice of loss. The default,
``loss="squared_error"``, fits the mean of a continuous target: here
Friedman's benchmark function of five inputs, with noise. For counts
(visits, claims, arrivals) ``loss="poisson"`` fits the logarithm of the
expected count, so its predictions are never negative, and it weighs each
error by how much a count of that size varies: the deviance it minimizes is
the usual score of count models.

The counts below are drawn from a Poisson distribution whose expected value
(the rate) is a known function of four inputs, so each prediction can be set
against the truth it estimates. Both losses learn the rate; squared error
also predicts a few negative counts, and scores a worse deviance (D² is the
share of the deviance of a constant prediction that the model explains, as
R² is for squared error; the rate itself reaches about 0.5 on these counts,
the rest is the Poisson noise).

Figure: ``regressor_predictions.png`` (predictions against the truth on
test data, one panel per model, the scores in the titles).

Run ``python examples/plot_regressor.py [OUTPUT_DIR]``; the directory
defaults to ``$SKNUMPYNET_EXAMPLE_OUT`` or ``./out``.
"""

import os
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.metrics import d2_tweedie_score, mean_poisson_deviance
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknumpynet import MLPRegressorNP

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SKNUMPYNET_EXAMPLE_OUT", "out"))
OUT.mkdir(parents=True, exist_ok=True)

# A continuous target: squared error.
X, y = make_friedman1(n_samples=1500, noise=1.0, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
friedman = make_pipeline(
    StandardScaler(),
    MLPRegressorNP(
        hidden_layer_sizes=(64, 64), learning_rate_init=0.01, early_stopping=True, random_state=0
    ),
).fit(X_train, y_train)
r2 = friedman.score(X_test, y_test)
y_predicted = friedman.predict(X_test)
print(f"Friedman #1, squared error: test R2 {r2:.3f}")

# Counts: y ~ Poisson(rate(x)), with the rate known.
rng = np.random.RandomState(0)
X = rng.uniform(-1, 1, size=(2000, 4))
rate = np.exp(0.5 + 1.2 * X[:, 0] - 0.8 * X[:, 1] ** 2 + 0.7 * np.sin(3 * X[:, 2]))
counts = rng.poisson(rate)
X_train, X_test, c_train, c_test, _, rate_test = train_test_split(X, counts, rate, random_state=0)
count_models = {}
for loss in ["squared_error", "poisson"]:
    model = MLPRegressorNP(
        loss=loss,
        hidden_layer_sizes=(32,),
        learning_rate_init=0.01,
        early_stopping=True,
        random_state=0,
    ).fit(X_train, c_train)
    predicted = model.predict(X_test)
    # the deviance is defined for positive predictions only
    positive = np.clip(predicted, 1e-6, None)
    count_models[loss] = dict(
        predicted=predicted,
        deviance=mean_poisson_deviance(c_test, positive),
        d2=d2_tweedie_score(c_test, positive, power=1),
        negative=int((predicted < 0).sum()),
    )
    scores = count_models[loss]
    print(
        f"counts, {loss}: mean Poisson deviance {scores['deviance']:.3f}, "
        f"D2 {scores['d2']:.3f}, {scores['negative']} negative predictions"
    )

fig, axes = plt.subplots(1, 3, figsize=(13, 4.6), layout="constrained")
ax = axes[0]
ax.scatter(y_test, y_predicted, s=8, alpha=0.6, color="tab:blue", label="test rows")
low, high = y_test.min(), y_test.max()
ax.plot([low, high], [low, high], "k--", linewidth=1, label="prediction = truth")
ax.set_xlabel("true target")
ax.set_ylabel("predicted target")
ax.set_title(f"Friedman #1, loss='squared_error'\ntest R² {r2:.2f}")
ax.legend(loc="upper left", fontsize="small")

top = max(rate_test.max(), *(m["predicted"].max() for m in count_models.values()))
bottom = min(0.0, *(m["predicted"].min() for m in count_models.values()))
for ax, (loss, scores) in zip(axes[1:], count_models.items()):
    color = "tab:orange" if loss == "squared_error" else "tab:green"
    ax.scatter(rate_test, scores["predicted"], s=8, alpha=0.6, color=color, label="test rows")
    ax.plot([0, top], [0, top], "k--", linewidth=1, label="prediction = true rate")
    ax.axhspan(bottom - 1, 0, color="0.85", zorder=0, label="no count is negative")
    ax.set_ylim(bottom - 0.5, top * 1.05)
    ax.set_xlabel("true rate (the expected count)")
    ax.set_ylabel("predicted count")
    ax.set_title(
        f"counts, loss='{loss}'\nmean Poisson deviance {scores['deviance']:.2f}, "
        f"D² {scores['d2']:.2f}\n{scores['negative']} negative predictions"
    )
    ax.legend(loc="upper left", fontsize="small")
fig.suptitle("MLPRegressorNP on test data: predictions against the truth")
fig.savefig(OUT / "regressor_predictions.png", dpi=100)
print(f"figure saved in {OUT.resolve()}")
