"""
Checking backpropagation against finite differences
===================================================

``check_gradients`` compares the analytic gradient of the training loss (what
backpropagation computes) with a centered finite difference of the loss, on
a few random entries of every weight matrix and intercept vector, and prints
the largest relative error of each. In float64 a correct gradient agrees to
about 1e-8 or better; the course notes' rule of thumb is that 1e-2 means a bug.

The figure ``gradient_check_step_size.png`` shows why the step ``h`` matters:
too small and rounding error dominates, too large and the difference no
longer approximates the derivative (truncation error; and with ReLU, steps
cross the kinks of the loss: ``check_gradients`` redraws those entries, which
is why the ReLU curve rises later).

Run ``python examples/gradient_check.py [OUTPUT_DIR]``; the directory defaults
to ``$SKNUMPYNET_EXAMPLE_OUT`` or ``./out``.
"""

import os
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sknumpynet import MLPClassifierNP, SoftmaxClassifier, check_gradients, make_spiral
from sknumpynet.gradient_check import relative_error

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SKNUMPYNET_EXAMPLE_OUT", "out"))
OUT.mkdir(parents=True, exist_ok=True)
n_checks = 10

X, y = make_spiral(n_samples=100, n_classes=3, random_state=0)
weights = np.random.RandomState(0).uniform(0.5, 2.0, size=y.shape[0])

# A softmax classifier and a two-layer ReLU network, at their initial weights,
# with sample weights and a strong penalty so that every term is exercised.
print(check_gradients(SoftmaxClassifier(alpha=1.0, random_state=0), X, y, n_checks=n_checks))
print()
net = MLPClassifierNP(hidden_layer_sizes=(20,), activation="relu", alpha=1.0, random_state=0)
report = check_gradients(net, X, y, sample_weight=weights, n_checks=n_checks)
print(report)
print()

# The relative error as a function of the step h, for smooth and kinked units.
steps = np.logspace(-9, -0.5, 18)
fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
for activation in ["tanh", "relu"]:
    model = MLPClassifierNP(hidden_layer_sizes=(20,), activation=activation, random_state=0)
    errors = []
    for h in steps:
        report = check_gradients(model, X, y, h=h, n_checks=n_checks)
        # the course's rel_error (floor 1e-8), to show the rounding error at small h,
        # which the report's noise-aware floor deliberately does not count
        errors.append(
            max(relative_error(a.analytic, a.numerical).max(initial=0.0) for a in report.arrays)
        )
    ax.loglog(steps, errors, marker="o", label=f"{activation} hidden units")
ax.axhline(1e-6, color="k", linestyle=":", label="threshold 1e-6")
ax.set_xlabel("finite-difference step h")
ax.set_ylabel("largest |a - n| / max(|a| + |n|, 1e-8)")
ax.set_title(
    "Error of the finite difference against the step h\n"
    "small h: rounding noise (all there is where a dead ReLU's gradient is 0)\n"
    "large h: truncation error",
    fontsize="medium",
)
ax.legend()
fig.savefig(OUT / "gradient_check_step_size.png", dpi=100)
print(f"figure saved in {OUT.resolve()}")
