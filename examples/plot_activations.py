"""
The hidden activations and their derivatives
============================================

Backpropagation multiplies the error that reaches a hidden layer by the
derivative of its activation, so the shape of that derivative decides how
well a layer learns: ``logistic`` passes at most a quarter of the error and
nothing far from zero (it saturates), ``tanh`` at most all of it, ``relu``
all of it for positive inputs and none for negative ones (a unit that is
never positive stops learning), and ``leaky_relu``, ``elu``, ``softplus``,
``gelu`` and ``silu`` soften that cut in different ways.

The curves below are computed by the very functions the networks run,
taken from the package's table of activations, on a grid of inputs; each
derivative is drawn beside the slope of its activation measured by finite
differences (dots), which it matches.

Figure: ``activations.png``.

Run ``python examples/plot_activations.py [OUTPUT_DIR]``; the directory
defaults to ``$SKNUMPYNET_EXAMPLE_OUT`` or ``./out``.
"""

import os
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from sknumpynet._activations import ACTIVATIONS, DERIVATIVES, NEEDS_INPUT

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SKNUMPYNET_EXAMPLE_OUT", "out"))
OUT.mkdir(parents=True, exist_ok=True)

z = np.linspace(-4.0, 4.0, 801)


def activation_and_derivative(name):
    """The activation of ``z`` and its derivative, as the network computes them.

    The functions work in place on preallocated arrays: most overwrite their
    input with the activation and take that output to compute the derivative;
    gelu and silu write into a separate output and take the input.
    """
    scratch = np.empty_like(z)
    derivative = np.ones_like(z)  # the back-propagated error: 1, to read off the derivative
    if name in NEEDS_INPUT:
        activation = np.empty_like(z)
        ACTIVATIONS[name](z.copy(), activation)
        DERIVATIVES[name](z.copy(), derivative, scratch)
    else:
        activation = z.copy()
        ACTIVATIONS[name](activation, scratch)
        DERIVATIVES[name](activation.copy(), derivative, scratch)
    return activation, derivative


names = [name for name in ACTIVATIONS if name != "identity"]
n_cols = -(-len(names) // 2)  # two rows, every activation of the table
fig, axes = plt.subplots(2, n_cols, figsize=(3 * n_cols, 6.4), sharex=True, layout="constrained")
worst = 0.0
for ax, name in zip(axes.ravel(), names):
    activation, derivative = activation_and_derivative(name)
    slope = np.gradient(activation, z)  # the finite-difference check
    smooth = np.abs(z) > 0.05  # kinks at 0 have no derivative to compare
    worst = max(worst, float(np.max(np.abs(slope - derivative)[smooth])))
    ax.axhline(0, color="0.8", linewidth=0.8, zorder=0)
    ax.plot(z, activation, color="tab:blue", linewidth=2, label="activation f(z)")
    ax.plot(z, derivative, color="tab:red", linestyle="--", linewidth=2, label="derivative f'(z)")
    every = slice(20, None, 40)  # a dot every 0.4, none at the kinks at 0
    ax.plot(z[every], slope[every], "o", color="k", markersize=3, label="finite-difference slope")
    ax.set_title(name)
    ax.set_ylim(-2.0, 4.2)  # SELU reaches -1.76
for ax in axes[1]:
    ax.set_xlabel("pre-activation z")
for ax in axes[:, 0]:
    ax.set_ylabel("value")
handles, labels = axes[0, 0].get_legend_handles_labels()
fig.legend(handles, labels, loc="outside lower center", ncols=3)
fig.suptitle(
    "Hidden activations of sknumpynet and their derivatives\n"
    f"(largest gap between derivative and finite-difference slope away from 0: {worst:.0e})"
)
fig.savefig(OUT / "activations.png", dpi=100)
print(f"largest gap between the derivatives and the finite-difference slopes: {worst:.1e}")
print(f"figure saved in {OUT.resolve()}")
