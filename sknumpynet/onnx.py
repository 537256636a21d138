"""Export the estimators to ONNX through skl2onnx.

:func:`to_onnx` converts a fitted :class:`~sknumpynet.SoftmaxClassifier`,
:class:`~sknumpynet.MLPClassifierNP` or :class:`~sknumpynet.MLPRegressorNP`,
alone or inside a ``Pipeline``. It is ``skl2onnx.to_onnx`` once skl2onnx
knows the estimators, which importing this module (or calling
:func:`register_converters`) tells it: after ``import sknumpynet.onnx``,
``skl2onnx.to_onnx`` and ``convert_sklearn`` convert them too, like any
scikit-learn model. The graph is the forward pass written as ONNX
operators (``MatMul``, ``Add`` and the hidden activation per layer),
followed by the output layer of each kind of target:

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
``output_class_labels`` work as for ``MLPClassifier``. Dropout, which only
acts in training, has no part in the graph.

The model computes in ``float32``, or in ``float64`` when the input is a
``DoubleTensorType`` (a ``float64`` array given to ``to_onnx``), and every
hidden activation converts in both. onnxruntime has no ``float64`` kernels
for ``Elu``, ``Softplus``, ``LeakyRelu`` and ``Erf``, and its ``float64``
``Sigmoid`` rounds the lower tail to zero, so the ``float64`` graph writes
them with operators it has, as the library computes them:
``max(z, 0) + expm1(min(z, 0))`` for ELU and ``max(z, 0) + log1p(exp(-|z|))``
for softplus (``expm1`` and ``log1p`` from ``Exp`` and ``Log`` by Kahan's
corrections, so that nothing overflows nor loses the relative precision of
small values), ``max(z, 0.01 z)`` for leaky ReLU, ``z * erfc(-z / sqrt(2)) / 2``
for GELU with ``erfc`` from W. J. Cody's rational approximations, and
``1 / (1 + e)`` or ``e / (1 + e)``, ``e = exp(-|z|)``, for the sigmoid (of
logistic and SiLU units, and of the probabilities of binary and multilabel
targets). onnxruntime's ``float64`` answers agree with ``predict`` and
``predict_proba`` to 1e-12 relative; its ``float32`` ones, from the native
operators, to ``float32`` rounding.

This module needs the ``onnx`` extra: ``pip install "sknumpynet[onnx]"``
(skl2onnx and onnx to convert, onnxruntime to run the models). Without it,
the module imports, and its functions raise an ``ImportError`` that names
that command.
"""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np

from . import _targets as targets
from ._activations import LEAKY_SLOPE, SELU_ALPHA, SELU_SCALE

__all__ = ["register_converters", "to_onnx"]

_INSTALL = 'pip install "sknumpynet[onnx]"'

# The classifier options skl2onnx's own MLPClassifier converter accepts.
_CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [True, False],
    "output_class_labels": [False, True],
}


def _import_skl2onnx():
    """skl2onnx, after checking that it and onnx import; else the ImportError to install them."""
    try:
        import onnx  # noqa: F401  (the graphs are onnx protobufs)
        import skl2onnx
    except ImportError as exc:
        raise ImportError(
            "Exporting sknumpynet models to ONNX needs skl2onnx and onnx (and "
            f"onnxruntime to run the exported models), which are missing ({exc}). "
            f"Install them with: {_INSTALL}"
        ) from exc
    return skl2onnx


def _estimator_classes() -> tuple:
    # through the package's public names: the estimators' own skl2onnx hooks
    # import this module, which must not import their modules back
    import sknumpynet

    return sknumpynet.SoftmaxClassifier, sknumpynet.MLPClassifierNP, sknumpynet.MLPRegressorNP


def register_converters() -> None:
    """Register the estimators' ONNX converters with skl2onnx.

    After this call, ``skl2onnx.to_onnx`` (and ``convert_sklearn``) convert
    :class:`~sknumpynet.SoftmaxClassifier`,
    :class:`~sknumpynet.MLPClassifierNP` and
    :class:`~sknumpynet.MLPRegressorNP`, alone or as steps of a pipeline.
    Importing :mod:`sknumpynet.onnx` already calls it, and so does
    :func:`to_onnx`; calling it again is harmless.

    Classifiers have skl2onnx's two outputs, ``label`` and ``probabilities``
    (a ``ZipMap`` of them unless ``options={"zipmap": False}``); the
    regressor has one, ``variable``, of shape ``(n_samples, n_outputs)``.
    See the module docstring for the graph of each kind of target. An
    unfitted estimator raises scikit-learn's ``NotFittedError`` when
    skl2onnx comes to it.

    Raises
    ------
    ImportError
        If skl2onnx or onnx is not installed; ``pip install "sknumpynet[onnx]"``
        installs them.

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
    softmax, mlp, regressor = _estimator_classes()
    for cls in (softmax, mlp):
        skl2onnx.update_registered_converter(
            cls,
            f"Sknumpynet{cls.__name__}",
            _classifier_shapes,
            _convert_classifier,
            parser=_parse_classifier,
            options=_CLASSIFIER_OPTIONS,
        )
    skl2onnx.update_registered_converter(
        regressor,
        "SknumpynetMLPRegressorNP",
        _regressor_shapes,
        _convert_regressor,
        parser=_parse_regressor,
    )


def own_converter(model) -> tuple:
    """The shape calculator and converter of ``model``, for skl2onnx's own-converter hooks.

    skl2onnx calls ``model.onnx_shape_calculator()`` and
    ``model.onnx_converter()`` for a model whose type it has no registered
    converter for; the estimators answer with these, so that
    ``skl2onnx.to_onnx`` converts them even without
    :func:`register_converters`.
    """
    from sklearn.base import is_classifier

    if is_classifier(model):
        return _classifier_shapes, _convert_classifier
    return _regressor_shapes, _convert_regressor


def to_onnx(model, X=None, **kwargs):
    """Convert a fitted estimator, or a pipeline that holds one, to ONNX.

    ``skl2onnx.to_onnx(model, X, **kwargs)`` once the converters are
    registered (:func:`register_converters`): ``X``, a few rows of the
    data, gives the input's type and number of features (a ``float64``
    array gives a ``float64`` graph), and the keyword arguments
    (``options``, ``target_opset``, ``initial_types``, ...) are
    skl2onnx's.

    Parameters
    ----------
    model : estimator
        A fitted :class:`~sknumpynet.SoftmaxClassifier`,
        :class:`~sknumpynet.MLPClassifierNP` or
        :class:`~sknumpynet.MLPRegressorNP`, or a scikit-learn pipeline or
        other model that skl2onnx converts.
    X : array-like of shape (n_samples, n_features), default=None
        Sample rows, for the input's type; skl2onnx's ``initial_types``
        can give it instead.
    **kwargs
        Passed to ``skl2onnx.to_onnx``; ``options={"zipmap": False}`` gives
        the probabilities of a classifier as one array.

    Returns
    -------
    onx : onnx.ModelProto
        The model; ``onx.SerializeToString()`` is what
        ``onnxruntime.InferenceSession`` runs.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If ``model``, or an estimator of the library inside it, is not fitted.
    ImportError
        If skl2onnx or onnx is not installed; ``pip install "sknumpynet[onnx]"``
        installs them.

    Examples
    --------
    The example needs the ``onnx`` extra (``pip install "sknumpynet[onnx]"``),
    so it is not run here; ``tests/test_onnx.py`` runs the same steps.

    >>> import numpy as np
    >>> import onnxruntime as ort  # doctest: +SKIP
    >>> from sklearn.datasets import load_iris
    >>> from sknumpynet import MLPClassifierNP
    >>> from sknumpynet.onnx import to_onnx
    >>> X, y = load_iris(return_X_y=True)  # float64: a float64 graph
    >>> clf = MLPClassifierNP((16,), activation="gelu", solver="lbfgs", random_state=0)
    >>> clf = clf.fit(X, y)  # doctest: +SKIP
    >>> onx = to_onnx(clf, X[:1], options={"zipmap": False})  # doctest: +SKIP
    >>> sess = ort.InferenceSession(  # doctest: +SKIP
    ...     onx.SerializeToString(), providers=["CPUExecutionProvider"]
    ... )
    >>> label, proba = sess.run(None, {"X": X})  # doctest: +SKIP
    >>> bool((label == clf.predict(X)).all())  # doctest: +SKIP
    True
    >>> bool(np.abs(proba - clf.predict_proba(X)).max() < 1e-12)  # doctest: +SKIP
    True
    """
    if hasattr(model, "_no_onnx"):  # the tabular estimators
        raise model._no_onnx()
    if isinstance(model, _estimator_classes()):
        _check_fitted(model)
    skl2onnx = _import_skl2onnx()
    register_converters()
    return skl2onnx.to_onnx(model, X, **kwargs)


def _check_fitted(model) -> None:
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)


# ----------------------------------------------------------------- parsers
# skl2onnx's parsers read the model's classes before any shape calculator
# runs; these check first that the model is fitted, for scikit-learn's
# NotFittedError rather than skl2onnx's complaint about missing classes.
def _parse_classifier(scope, model, inputs, custom_parsers=None):
    from skl2onnx._parse import _parse_sklearn_classifier

    _check_fitted(model)
    return _parse_sklearn_classifier(scope, model, inputs, custom_parsers=custom_parsers)


def _parse_regressor(scope, model, inputs, custom_parsers=None):
    from skl2onnx._parse import _parse_sklearn_simple_model

    _check_fitted(model)
    return _parse_sklearn_simple_model(scope, model, inputs, custom_parsers=custom_parsers)


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
        self.double = proto_dtype == TensorProto.DOUBLE
        self.np_dtype = np.float64 if self.double else np.float32
        self._scalars: dict = {}

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

    def scalar(self, value: float) -> str:
        """A scalar of the graph's dtype, one initializer per value."""
        key = np.float64(value).tobytes()
        if key not in self._scalars:
            self._scalars[key] = self.const(value, "scalar")
        return self._scalars[key]

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

    # Shorthands for the arithmetic of the float64 activations; a float
    # operand is a scalar of the graph's dtype.
    def _operand(self, x) -> str:
        return self.scalar(x) if isinstance(x, float) else x

    def add(self, a, b) -> str:
        return self.node("Add", [self._operand(a), self._operand(b)])

    def sub(self, a, b) -> str:
        return self.node("Sub", [self._operand(a), self._operand(b)])

    def mul(self, a, b) -> str:
        return self.node("Mul", [self._operand(a), self._operand(b)])

    def div(self, a, b) -> str:
        return self.node("Div", [self._operand(a), self._operand(b)])

    def where(self, condition: str, a: str, b: str) -> str:
        return self.node("Where", [condition, a, b])


# ------------------------------------------------- the hidden activations
# onnxruntime (1.23, at most opsets) runs Elu, Softplus, LeakyRelu and Erf
# on float32 only: the float64 graph writes them with Exp, Log, Max, Min,
# Floor, Where and arithmetic, which it runs on float64 too. Each float64
# form computes what sknumpynet._activations computes, in the same order,
# so that the two agree to a few units in the last place. Where() picks one
# of two branches that are both computed: the other one may be inf or NaN.


def _expm1_nonpositive(g: _Graph, m: str) -> str:
    """``expm1(m)`` for ``m <= 0``, to a few ulps (Kahan's correction of ``exp(m) - 1``).

    ``(u - 1) * m / log(u)`` with ``u = exp(m)`` cancels the rounding error
    of ``u``; where ``u`` rounds to 1, ``expm1(m) = m``. Below -40, where
    ``expm1`` is -1 in float64, ``m`` is clipped, so that ``u`` never
    underflows to 0.
    """
    m = g.node("Max", [m, g.scalar(-40.0)])
    u = g.node("Exp", [m])
    corrected = g.mul(g.sub(u, 1.0), g.div(m, g.node("Log", [u])))
    return g.where(g.node("Less", [u, g.scalar(1.0)]), corrected, m)


def _log1p_unit(g: _Graph, t: str) -> str:
    """``log1p(t)`` for ``0 <= t <= 1``, to a few ulps (the correction of ``log(1 + t)``).

    ``log(u) * t / (u - 1)`` with ``u = 1 + t`` cancels the rounding of
    ``u``; where ``u`` rounds to 1, ``log1p(t) = t``.
    """
    u = g.add(t, 1.0)
    corrected = g.mul(g.node("Log", [u]), g.div(t, g.sub(u, 1.0)))
    return g.where(g.node("Greater", [u, g.scalar(1.0)]), corrected, t)


def _polynomial(g: _Graph, coefficients, x: str) -> str:
    """``c[0] x^n + c[1] x^(n-1) + ... + c[n]`` by Horner's rule."""
    first, second, *rest = coefficients
    p = g.add(x if first == 1.0 else g.mul(x, first), second)
    for c in rest:
        p = g.add(g.mul(p, x), c)
    return p


# W. J. Cody's rational approximations of erf and erfc ("Rational Chebyshev
# approximations for the error function", Math. Comp. 23 (1969) 631-638),
# with the coefficients of his SPECFUN routine CALERF, highest degree first:
# erf(x) = x P(x^2) / Q(x^2) for |x| <= 0.46875; erfc(x) = exp(-x^2) P(x) / Q(x)
# for 0.46875 < x <= 4; erfc(x) = exp(-x^2) / x (1/sqrt(pi) - z P(z) / Q(z)),
# z = 1 / x^2, beyond. Their relative error is below 1e-15 in float64.
_ERF_SMALL = (
    (
        1.85777706184603153e-1,
        3.16112374387056560e00,
        1.13864154151050156e02,
        3.77485237685302021e02,
        3.20937758913846947e03,
    ),
    (
        1.0,
        2.36012909523441209e01,
        2.44024637934444173e02,
        1.28261652607737228e03,
        2.84423683343917062e03,
    ),
)
_ERFC_MIDDLE = (
    (
        2.15311535474403846e-8,
        5.64188496988670089e-1,
        8.88314979438837594e00,
        6.61191906371416295e01,
        2.98635138197400131e02,
        8.81952221241769090e02,
        1.71204761263407058e03,
        2.05107837782607147e03,
        1.23033935479799725e03,
    ),
    (
        1.0,
        1.57449261107098347e01,
        1.17693950891312499e02,
        5.37181101862009858e02,
        1.62138957456669019e03,
        3.29079923573345963e03,
        4.36261909014324716e03,
        3.43936767414372164e03,
        1.23033935480374942e03,
    ),
)
_ERFC_LARGE = (
    (
        1.63153871373020978e-2,
        3.05326634961232344e-1,
        3.60344899949804439e-1,
        1.25781726111229246e-1,
        1.60837851487422766e-2,
        6.58749161529837803e-4,
    ),
    (
        1.0,
        2.56852019228982242e00,
        1.87295284992346047e00,
        5.27905102951428412e-1,
        6.05183413124413191e-2,
        2.33520497626869185e-3,
    ),
)


def _ratio(g: _Graph, pair, x: str) -> str:
    numerator, denominator = pair
    return g.div(_polynomial(g, numerator, x), _polynomial(g, denominator, x))


def _erfc(g: _Graph, t: str) -> str:
    """``erfc(t)`` by Cody's approximations, to about 1e-15 relative, for any ``t``.

    ``exp(-y^2)`` is ``exp(-h^2) exp(-(y - h)(y + h))`` with ``h`` = ``y``
    rounded down to a sixteenth, as in CALERF, so that the rounding of
    ``y^2`` does not grow into the exponential; ``erfc(-y) = 2 - erfc(y)``.
    ``|t|`` is clipped at 30, where ``erfc`` is 0 in float64.
    """
    y = g.node("Min", [g.node("Abs", [t]), g.scalar(30.0)])
    y2 = g.mul(y, y)
    small = g.sub(1.0, g.mul(t, _ratio(g, _ERF_SMALL, y2)))
    middle = _ratio(g, _ERFC_MIDDLE, y)
    z = g.node("Reciprocal", [y2])
    large = g.div(g.sub(1 / math.sqrt(math.pi), g.mul(z, _ratio(g, _ERFC_LARGE, z))), y)
    ratio = g.where(g.node("Greater", [y, g.scalar(4.0)]), large, middle)
    h = g.div(g.node("Floor", [g.mul(y, 16.0)]), 16.0)
    gaussian = g.mul(
        g.node("Exp", [g.node("Neg", [g.mul(h, h)])]),
        g.node("Exp", [g.node("Neg", [g.mul(g.sub(y, h), g.add(y, h))])]),
    )
    upper = g.mul(gaussian, ratio)  # erfc(|t|)
    tail = g.where(g.node("Less", [t, g.scalar(0.0)]), g.sub(2.0, upper), upper)
    return g.where(g.node("Greater", [y, g.scalar(0.46875)]), tail, small)


def _gelu(g: _Graph, x: str) -> str:
    """The exact GELU, ``x * Phi(x)``.

    float64: ``x * erfc(-x / sqrt(2)) / 2`` as the library computes it, with
    :func:`_erfc`. float32: ``0.5 * x * (1 + erf(x / sqrt(2)))`` with ONNX's
    ``Erf``; where ``1 + erf`` rounds to zero in the far lower tail, GELU
    is below 1e-6 in absolute value, and so is the difference.
    """
    if g.double:
        phi2 = _erfc(g, g.mul(x, -1 / math.sqrt(2)))
        return g.mul(g.mul(phi2, 0.5), x)
    erf = g.node("Erf", [g.node("Mul", [x, g.const(1 / math.sqrt(2), "inv_sqrt2")])])
    one_plus = g.node("Add", [erf, g.const(1.0, "one")])
    return g.node("Mul", [g.node("Mul", [x, g.const(0.5, "half")]), one_plus])


def _elu(g: _Graph, x: str) -> str:
    """ELU (alpha 1): ``Elu``; in float64 ``max(x, 0) + expm1(min(x, 0))``."""
    if g.double:
        negative = _expm1_nonpositive(g, g.node("Min", [x, g.scalar(0.0)]))
        return g.add(g.node("Relu", [x]), negative)
    return g.node("Elu", [x], alpha=1.0)


def _selu(g: _Graph, x: str) -> str:
    """SELU: ``Selu``; in float64 ``scale * max(x, 0) + scale * alpha * expm1(min(x, 0))``."""
    if g.double:
        negative = _expm1_nonpositive(g, g.node("Min", [x, g.scalar(0.0)]))
        negative = g.mul(negative, SELU_SCALE * SELU_ALPHA)
        return g.add(g.mul(g.node("Relu", [x]), SELU_SCALE), negative)
    return g.node("Selu", [x], alpha=SELU_ALPHA, gamma=SELU_SCALE)


def _softplus(g: _Graph, x: str) -> str:
    """Softplus: ``Softplus``; in float64 ``max(x, 0) + log1p(exp(-|x|))``.

    ``exp`` only sees non-positive values, so nothing overflows.
    """
    if g.double:
        tail = g.node("Exp", [g.node("Neg", [g.node("Abs", [x])])])
        return g.add(g.node("Relu", [x]), _log1p_unit(g, tail))
    return g.node("Softplus", [x])


def _leaky_relu(g: _Graph, x: str) -> str:
    """Leaky ReLU: ``LeakyRelu``; in float64 ``max(x, 0.01 x)``."""
    if g.double:
        return g.node("Max", [x, g.mul(x, LEAKY_SLOPE)])
    return g.node("LeakyRelu", [x], alpha=LEAKY_SLOPE)


def _sigmoid(g: _Graph, x: str, output: str | None = None) -> str:
    """The logistic sigmoid: ``Sigmoid``; in float64 as ``expit`` computes it.

    onnxruntime's float64 ``Sigmoid`` loses the relative precision of the
    lower tail (it is 0 from about -37 on); ``1 / (1 + e)`` for ``x >= 0``
    and ``e / (1 + e)`` below, with ``e = exp(-|x|)``, keep it and cannot
    overflow.
    """
    if not g.double:
        return g.node("Sigmoid", [x], output)
    e = g.node("Exp", [g.node("Neg", [g.node("Abs", [x])])])
    one_plus = g.add(e, 1.0)
    negative = g.node("Less", [x, g.scalar(0.0)])
    return g.node("Where", [negative, g.div(e, one_plus), g.div(1.0, one_plus)], output)


def _silu(g: _Graph, x: str) -> str:
    """``x * sigmoid(x)``."""
    return g.node("Mul", [x, _sigmoid(g, x)])


def _mish(g: _Graph, x: str) -> str:
    """Mish, ``x * tanh(softplus(x))``."""
    return g.mul(x, g.node("Tanh", [_softplus(g, x)]))


def _unary(op_type: str, **attrs):
    return lambda g, x: g.node(op_type, [x], **attrs)


# Each hidden activation of sknumpynet._activations as ONNX operators.
_HIDDEN_ACTIVATIONS = {
    "identity": lambda g, x: x,
    "logistic": _sigmoid,
    "tanh": _unary("Tanh"),
    "relu": _unary("Relu"),
    "leaky_relu": _leaky_relu,
    "elu": _elu,
    "selu": _selu,
    "softplus": _softplus,
    "gelu": _gelu,
    "silu": _silu,
    "mish": _mish,
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
        _sigmoid(g, z, proba_name)
    else:  # binary: one logit z, probabilities [sigmoid(-z), sigmoid(z)]
        negative = _sigmoid(g, g.node("Neg", [z]))
        g.node("Concat", [negative, _sigmoid(g, z)], proba_name, axis=1)

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


def _register_on_import() -> None:
    """Register the converters if skl2onnx is there; its absence waits for a function call."""
    try:
        register_converters()
    except ImportError:
        pass


_register_on_import()
