"""Export the estimators to ONNX through skl2onnx.

:func:`register_converters` tells skl2onnx how to convert
:class:`~sknumpynet.SoftmaxClassifier`, :class:`~sknumpynet.MLPClassifierNP`
and :class:`~sknumpynet.MLPRegressorNP`; after it, ``skl2onnx.to_onnx``
converts them alone or inside a ``Pipeline``, like any scikit-learn model.
The graph is the forward pass written as ONNX operators (``MatMul``,
``Add`` and the hidden activation per layer), followed by the output layer
of each kind of target:

* multiclass: ``Softmax`` probabilities, the label of the largest logit;
* binary: the probabilities ``[sigmoid(-z), sigmoid(z)]`` of the one logit
  ``z``, the label ``classes_[z > 0]``;
* multilabel: one ``Sigmoid`` probability per label, and a label matrix of
  0/1 (``int64``) with one column per label;
* regression: the output layer (``Exp`` of it for ``loss="poisson"``), of
  shape ``(n_samples, n_outputs)``, which is ``(n_samples, 1)`` for a single
  target (where ``predict`` returns a 1-D array).

Classifiers follow skl2onnx's conventions for its own classifiers: two
outputs, ``label`` (``int64`` for integer, boolean or integral float labels,
``string`` otherwise) and ``probabilities``, the latter turned into a list of
dictionaries by a ``ZipMap`` unless the option ``zipmap`` is ``False``; the
options ``zipmap`` (``True``, ``False``, ``"columns"``), ``nocl`` and
``output_class_labels`` work as for ``MLPClassifier``. The model computes in
``float32``, or in ``float64`` when the input is a ``DoubleTensorType``
(a ``float64`` array given to ``to_onnx``). Dropout, which only acts in
training, has no part in the graph.

This module needs the ``onnx`` extra: ``pip install "sknumpynet[onnx]"``
(skl2onnx, onnx, and onnxruntime to run the models).
"""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np

from . import _targets as targets
from ._activations import LEAKY_SLOPE

__all__ = ["register_converters"]

_INSTALL = 'pip install "sknumpynet[onnx]"'

# The classifier options skl2onnx's own MLPClassifier converter accepts.
_CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [True, False],
    "output_class_labels": [False, True],
}


def _import_skl2onnx():
    try:
        import skl2onnx
    except ImportError as exc:
        raise ImportError(
            "Exporting sknumpynet models to ONNX needs skl2onnx and onnx (and "
            f"onnxruntime to run the exported models), which are missing ({exc}). "
            f"Install them with: {_INSTALL}"
        ) from exc
    return skl2onnx


def register_converters() -> None:
    """Register the estimators' ONNX converters with skl2onnx.

    After this call, ``skl2onnx.to_onnx`` (and ``convert_sklearn``) convert
    :class:`~sknumpynet.SoftmaxClassifier`,
    :class:`~sknumpynet.MLPClassifierNP` and
    :class:`~sknumpynet.MLPRegressorNP`, alone or as steps of a pipeline.
    Calling it again is harmless.

    Classifiers have skl2onnx's two outputs, ``label`` and ``probabilities``
    (a ``ZipMap`` of them unless ``options={"zipmap": False}``); the
    regressor has one, ``variable``, of shape ``(n_samples, n_outputs)``.
    See the module docstring for the graph of each kind of target.

    Raises
    ------
    ImportError
        If skl2onnx is not installed; ``pip install "sknumpynet[onnx]"``
        installs it.

    Examples
    --------
    The example needs the ``onnx`` extra (``pip install "sknumpynet[onnx]"``),
    so it is not run here; ``tests/test_onnx.py`` runs the same steps.

    >>> import numpy as np
    >>> import onnxruntime as ort  # doctest: +SKIP
    >>> from skl2onnx import to_onnx  # doctest: +SKIP
    >>> from sklearn.datasets import load_iris
    >>> from sknumpynet import MLPClassifierNP
    >>> from sknumpynet.onnx import register_converters
    >>> X, y = load_iris(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> clf = MLPClassifierNP((16,), solver="lbfgs", random_state=0)
    >>> clf = clf.fit(X, y)  # doctest: +SKIP
    >>> register_converters()  # doctest: +SKIP
    >>> onx = to_onnx(clf, X[:1], options={"zipmap": False})  # doctest: +SKIP
    >>> sess = ort.InferenceSession(  # doctest: +SKIP
    ...     onx.SerializeToString(), providers=["CPUExecutionProvider"]
    ... )
    >>> label, proba = sess.run(None, {"X": X})  # doctest: +SKIP
    >>> bool((label == clf.predict(X)).all())  # doctest: +SKIP
    True
    >>> bool(np.abs(proba - clf.predict_proba(X)).max() < 1e-5)  # doctest: +SKIP
    True
    """
    skl2onnx = _import_skl2onnx()
    from ._mlp import MLPClassifierNP
    from ._regressor import MLPRegressorNP
    from ._softmax import SoftmaxClassifier

    for cls in (SoftmaxClassifier, MLPClassifierNP):
        skl2onnx.update_registered_converter(
            cls,
            f"Sknumpynet{cls.__name__}",
            _classifier_shapes,
            _convert_classifier,
            options=_CLASSIFIER_OPTIONS,
        )
    skl2onnx.update_registered_converter(
        MLPRegressorNP, "SknumpynetMLPRegressorNP", _regressor_shapes, _convert_regressor
    )


# ------------------------------------------------------------------ labels
def _label_classes(classes: np.ndarray) -> tuple[np.ndarray, bool]:
    """ONNX labels of ``classes_``: ``(int64 array, False)`` or ``(str array, True)``.

    skl2onnx's classifiers have ``int64`` or ``string`` labels: integers and
    booleans become ``int64``, as do floats that are whole numbers (as its
    ``ZipMap`` requires); strings stay strings.
    """
    classes = np.asarray(classes)
    kind = classes.dtype.kind
    if kind in "biu":
        return classes.astype(np.int64), False
    if kind in "US" or (kind == "O" and all(isinstance(c, str) for c in classes)):
        return classes.astype(str), True
    if kind == "f" and np.array_equal(classes, np.round(classes)):
        return classes.astype(np.int64), False
    if kind == "O" and all(isinstance(c, Integral) for c in classes):
        return classes.astype(np.int64), False
    raise ValueError(
        f"ONNX classifiers have integer or string labels; classes_ "
        f"{classes.tolist()!r} (dtype {classes.dtype}) are neither. Fit the model on "
        "integer or string labels."
    )


# -------------------------------------------------------------- the graph
class _Graph:
    """Adds nodes and constants of one dtype to a converter's container."""

    def __init__(self, scope, container, proto_dtype):
        from onnx import TensorProto

        self.scope = scope
        self.container = container
        self.proto_dtype = proto_dtype
        self.np_dtype = np.float64 if proto_dtype == TensorProto.DOUBLE else np.float32

    def const(self, value, hint: str, dtype=None) -> str:
        """An initializer holding ``value`` (in the graph's dtype unless ``dtype``)."""
        from onnx import TensorProto

        name = self.scope.get_unique_variable_name(hint)
        value = np.asarray(value, dtype=self.np_dtype if dtype is None else dtype)
        if value.dtype.kind == "U":
            proto, content = TensorProto.STRING, [s.encode("utf-8") for s in value.ravel()]
        elif value.dtype == np.int64:
            proto, content = TensorProto.INT64, value.ravel()
        else:
            proto, content = self.proto_dtype, value.ravel()
        self.container.add_initializer(name, proto, list(value.shape), content)
        return name

    def node(self, op_type: str, inputs, output: str | None = None, **attrs) -> str:
        """Add one node; returns its output's name (``output`` or a new one)."""
        if output is None:
            output = self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type,
            list(inputs),
            [output],
            name=self.scope.get_unique_operator_name(op_type),
            **attrs,
        )
        return output


def _gelu_erf(g: _Graph, x: str) -> str:
    """The exact GELU, ``0.5 * x * (1 + erf(x / sqrt(2)))``.

    ONNX has no ``erfc``, which the library uses to keep the relative precision
    of the far lower tail; where ``1 + erf`` rounds to zero there, GELU is
    below 1e-6 in absolute value, and so is the difference.
    """
    erf = g.node("Erf", [g.node("Mul", [x, g.const(1 / math.sqrt(2), "inv_sqrt2")])])
    one_plus = g.node("Add", [erf, g.const(1.0, "one")])
    return g.node("Mul", [g.node("Mul", [x, g.const(0.5, "half")]), one_plus])


def _silu(g: _Graph, x: str) -> str:
    """``x * sigmoid(x)``."""
    return g.node("Mul", [x, g.node("Sigmoid", [x])])


def _unary(op_type: str, **attrs):
    return lambda g, x: g.node(op_type, [x], **attrs)


# Each hidden activation of sknumpynet._activations as ONNX operators.
_HIDDEN_ACTIVATIONS = {
    "identity": lambda g, x: x,
    "logistic": _unary("Sigmoid"),
    "tanh": _unary("Tanh"),
    "relu": _unary("Relu"),
    "leaky_relu": _unary("LeakyRelu", alpha=LEAKY_SLOPE),
    "elu": _unary("Elu", alpha=1.0),
    "softplus": _unary("Softplus"),
    "gelu": _gelu_erf,
    "silu": _silu,
}


def _hidden_activation(model):
    name = model._activation
    try:
        return _HIDDEN_ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"{type(model).__name__} has the hidden activation {name!r}, which has "
            f"no ONNX conversion; the converter knows {sorted(_HIDDEN_ACTIVATIONS)}."
        ) from None


def _logits(g: _Graph, operator) -> str:
    """The forward pass of ``operator``'s model up to the output layer's logits."""
    from skl2onnx.common.data_types import guess_proto_type

    model = operator.raw_operator
    activation = _hidden_activation(model)
    h = operator.inputs[0].full_name
    if guess_proto_type(operator.inputs[0].type) != g.proto_dtype:
        h = g.node("Cast", [h], to=g.proto_dtype)
    last = len(model.coefs_) - 1
    for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        z = g.node("MatMul", [h, g.const(W, "coefficient")])
        z = g.node("Add", [z, g.const(b, "intercepts")])
        h = activation(g, z) if i < last else z
    return h


def _graph(scope, operator, container) -> _Graph:
    from onnx import TensorProto
    from skl2onnx.common.data_types import guess_proto_type

    proto = guess_proto_type(operator.inputs[0].type)
    return _Graph(scope, container, proto if proto == TensorProto.DOUBLE else TensorProto.FLOAT)


# ------------------------------------------------------------- converters
def _convert_classifier(scope, operator, container) -> None:
    """Labels and probabilities of a fitted classifier, as skl2onnx's MLPClassifier."""
    from onnx import TensorProto
    from skl2onnx.common.utils_classifier import get_label_classes

    model = operator.raw_operator
    g = _graph(scope, operator, container)
    z = _logits(g, operator)
    label_name, proba_name = operator.outputs[0].full_name, operator.outputs[1].full_name
    multilabel = targets.is_multilabel(model._label_binarizer)

    if model.out_activation_ == "softmax":
        g.node("Softmax", [z], proba_name, axis=1)
    elif multilabel:
        g.node("Sigmoid", [z], proba_name)
    else:  # binary: one logit z, probabilities [sigmoid(-z), sigmoid(z)]
        negative = g.node("Sigmoid", [g.node("Neg", [z])])
        g.node("Concat", [negative, g.node("Sigmoid", [z])], proba_name, axis=1)

    # Labels from the logits, as predict decides them: z > 0, or the largest z.
    if model.out_activation_ == "softmax":
        index = g.node("ArgMax", [z], axis=1, keepdims=0)
    else:
        positive = g.node("Greater", [z, g.const(0.0, "zero")])
        if multilabel:
            g.node("Cast", [positive], label_name, to=TensorProto.INT64)
            return
        index = g.node("Cast", [positive], to=TensorProto.INT64)
        index = g.node("Reshape", [index, g.const([-1], "shape", dtype=np.int64)])
    labels, _ = _label_classes(get_label_classes(scope, model))
    g.node("Gather", [g.const(labels, "classes", dtype=labels.dtype), index], label_name, axis=0)


def _convert_regressor(scope, operator, container) -> None:
    """Predictions of a fitted regressor, of shape (n_samples, n_outputs)."""
    model = operator.raw_operator
    g = _graph(scope, operator, container)
    z = _logits(g, operator)
    out = operator.outputs[0].full_name
    if model.out_activation_ == "identity":
        g.node("Identity", [z], out)
    elif model.out_activation_ == "exp":
        g.node("Exp", [z], out)
    else:
        raise ValueError(
            f"{type(model).__name__} has the output activation "
            f"{model.out_activation_!r}, which has no ONNX conversion."
        )


# ------------------------------------------------------- shape calculators
def _check_io(operator, n_outputs: int) -> None:
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType, Int64TensorType
    from skl2onnx.common.utils import (
        check_input_and_output_numbers,
        check_input_and_output_types,
    )
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(operator.raw_operator)
    check_input_and_output_numbers(
        operator, input_count_range=1, output_count_range=[n_outputs, n_outputs]
    )
    check_input_and_output_types(
        operator, good_input_types=[FloatTensorType, DoubleTensorType, Int64TensorType]
    )


def _result_type(operator, n_columns: int):
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    n = operator.inputs[0].get_first_dimension()
    double = isinstance(operator.inputs[0].type, DoubleTensorType)
    return (DoubleTensorType if double else FloatTensorType)([n, n_columns])


def _classifier_shapes(operator) -> None:
    """``label`` of shape (N,) or (N, n_labels), ``probabilities`` (N, n_classes)."""
    from skl2onnx.common.data_types import Int64TensorType, StringTensorType
    from skl2onnx.common.utils_classifier import get_label_classes

    _check_io(operator, 2)
    model = operator.raw_operator
    n = operator.inputs[0].get_first_dimension()
    classes = get_label_classes(operator.scope_inst, model)
    _, is_string = _label_classes(classes)
    multilabel = targets.is_multilabel(model._label_binarizer)
    label_type = StringTensorType if is_string else Int64TensorType
    operator.outputs[0].set_type(label_type([n, len(classes)] if multilabel else [n]))
    operator.outputs[1].set_type(_result_type(operator, len(classes)))


def _regressor_shapes(operator) -> None:
    """``variable`` of shape (N, n_outputs)."""
    _check_io(operator, 1)
    operator.outputs[0].set_type(_result_type(operator, operator.raw_operator.n_outputs_))
