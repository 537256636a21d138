"""
Exporting a network to ONNX
===========================

ONNX describes a model as a graph of standard operators that runtimes in
many languages execute without Python or this package. After
``sknumpynet.onnx.register_converters()``, skl2onnx converts sknumpynet's
estimators as it converts scikit-learn's, alone or inside a ``Pipeline``;
onnxruntime then runs the graph.

Here a pipeline (standard scaling, then a network of 64 and 32 ReLU units)
is trained on the digits in float32, exported, run by onnxruntime on the
test digits, and its answers are set against ``predict_proba`` and
``predict``: the labels agree, the probabilities differ by float32 rounding
only.

Figure: ``onnx_agreement.png`` (onnxruntime's probabilities against
sknumpynet's, and how far apart they are: about as far as float32 rounds a
number of that size).

Run ``python examples/plot_onnx_export.py [OUTPUT_DIR]``; the directory
defaults to ``$SKNUMPYNET_EXAMPLE_OUT`` or ``./out``. It needs the ``onnx``
extra: ``pip install "sknumpynet[onnx]"``.
"""

import os
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sknumpynet import MLPClassifierNP

try:
    import onnxruntime
    import skl2onnx

    from sknumpynet.onnx import register_converters
except ImportError as error:
    sys.exit(f'This example needs the onnx extra (pip install "sknumpynet[onnx]"): {error}')

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SKNUMPYNET_EXAMPLE_OUT", "out"))
OUT.mkdir(parents=True, exist_ok=True)

X, y = load_digits(return_X_y=True)
X = X.astype(np.float32)  # the graph computes in float32, as the model is fitted
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
model = make_pipeline(
    StandardScaler(),
    MLPClassifierNP(hidden_layer_sizes=(64, 32), learning_rate_init=0.01, random_state=0),
).fit(X_train, y_train)

register_converters()
# zipmap=False: the probabilities as one array, not a list of dictionaries
onx = skl2onnx.to_onnx(model, X_train[:1], options={"zipmap": False})
path = OUT / "digits_mlp.onnx"
path.write_bytes(onx.SerializeToString())
print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB, operators:")
print(" ", ", ".join(node.op_type for node in onx.graph.node))

session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
labels, proba_onnx = session.run(None, {session.get_inputs()[0].name: X_test})
proba = model.predict_proba(X_test)
same_labels = int((labels == model.predict(X_test)).sum())
difference = np.abs(proba_onnx.astype(np.float64) - proba)
print(f"labels equal on {same_labels} of {len(X_test)} test digits")
print(f"largest difference of a probability: {difference.max():.1e}")
print(f"test accuracy: sknumpynet {model.score(X_test, y_test):.3f}, "
      f"onnxruntime {np.mean(labels == y_test):.3f}")  # fmt: skip

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6), layout="constrained")
left.plot([0, 1], [0, 1], color="0.6", linewidth=1, zorder=0, label="equal")
left.scatter(
    proba.ravel(), proba_onnx.ravel(), s=6, color="tab:blue", label="one class of one digit"
)
left.set_xlabel("probability from sknumpynet (predict_proba)")
left.set_ylabel("probability from onnxruntime")
left.set_title(f"Labels equal on {same_labels} of {len(X_test)} test digits")
left.legend(loc="upper left", fontsize="small")

# float32 keeps about 7 digits: a probability p is stored to within p * eps
eps = np.finfo(np.float32).eps
shown = proba.ravel() > 1e-9  # the rest round to 0 in float32
p = np.logspace(-9, 0, 10)
right.plot(p, eps * p, color="k", linestyle="--", label="one float32 rounding of p")
right.scatter(
    proba.ravel()[shown],
    np.maximum(difference.ravel()[shown], 1e-17),
    s=6,
    color="tab:blue",
    label="one class of one digit (equal: at 1e-17)",
)
right.set_xscale("log")
right.set_yscale("log")
right.set_ylim(5e-18, 1e-5)
right.set_xlabel("probability p from sknumpynet")
right.set_ylabel("|onnxruntime - sknumpynet|")
right.set_title(f"Largest difference {difference.max():.1e}: float32 roundings")
right.legend(loc="upper left", fontsize="small")
fig.suptitle("A pipeline of StandardScaler and MLPClassifierNP, exported to ONNX")
fig.savefig(OUT / "onnx_agreement.png", dpi=100)
print(f"figure and model saved in {OUT.resolve()}")
