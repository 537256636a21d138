"""ONNX export: the exported graphs compute what the estimators compute.

Most models are fitted on float32 data (so their weights are float32) and run
by onnxruntime on the same float32 rows; probabilities and predictions must
agree within 1e-5, labels exactly. The grid over every activation, both
dtypes and every kind of estimator holds the float64 graphs to 1e-12
relative (see ``_assert_agree``). The tests that need the ``onnx`` extra
skip without it; the missing-extra messages are tested either way.
"""

import importlib
import subprocess
import sys

import numpy as np
import pytest

import sknumpynet
from sknumpynet import MLPClassifierNP, MLPRegressorNP, SoftmaxClassifier
from sknumpynet._activations import ACTIVATIONS

# The fits below are short on purpose; the ONNX graph must match whatever
# weights they reach.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

TOL = 1e-5
RNG = np.random.default_rng(0)
X = RNG.normal(size=(80, 5)).astype(np.float32)
# Short Adam fits: quicker here than L-BFGS, and far enough from the initial
# weights for every activation to matter.
FAST = dict(solver="adam", learning_rate_init=0.05, max_iter=30, random_state=0)
CLASS = np.digitize(X[:, 0] - X[:, 1], [-0.5, 0.5])  # 0, 1 or 2
TARGETS = {
    "binary": (X[:, 0] + X[:, 1] > 0).astype(np.int64),
    "multiclass": np.array([3, 7, 11])[CLASS],
    "string": np.array(["ant", "bee", "cat"])[CLASS],
    "multilabel": (X[:, :3] + 0.3 * X[:, 3:4] > 0).astype(np.int64),
}
CLASSIFIERS = {
    "softmax": lambda: SoftmaxClassifier(max_iter=30, random_state=0),
    "mlp": lambda: MLPClassifierNP((6, 4), **FAST),
}


@pytest.fixture(scope="module")
def run_onnx():
    """``run_onnx(model, X, options)``: convert ``model`` and run it with onnxruntime."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    from sknumpynet.onnx import register_converters

    register_converters()

    def run(model, X, options=None):
        onx = skl2onnx.to_onnx(model, X[:1], options=options)
        onnx.checker.check_model(onx)
        sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
        return sess.run(None, {sess.get_inputs()[0].name: X})

    return run


def _max_diff(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b))))


def _check_classifier(run_onnx, clf, X):
    label, proba = run_onnx(clf, X, {"zipmap": False})
    expected = clf.predict_proba(X)
    assert proba.dtype == X.dtype and proba.shape == expected.shape
    assert _max_diff(proba, expected) < TOL
    np.testing.assert_array_equal(label, clf.predict(X))
    return label, proba


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("estimator", list(CLASSIFIERS))
def test_classifier_matches(run_onnx, estimator, target):
    clf = CLASSIFIERS[estimator]().fit(X, TARGETS[target])
    assert clf.coefs_[0].dtype == np.float32
    label, proba = _check_classifier(run_onnx, clf, X)
    if target == "multilabel":
        assert label.dtype == np.int64 and label.shape == TARGETS[target].shape
        assert clf.out_activation_ == "logistic"
    else:
        assert label.dtype == (object if target == "string" else np.int64)
        assert proba.shape == (X.shape[0], len(clf.classes_))
        np.testing.assert_allclose(proba.sum(axis=1), 1, atol=TOL)


def test_every_activation_has_a_conversion():
    from sknumpynet.onnx import _HIDDEN_ACTIVATIONS

    assert set(ACTIVATIONS) <= set(_HIDDEN_ACTIVATIONS)


@pytest.mark.parametrize(
    "y",
    [
        np.array([False, True])[TARGETS["binary"]],
        np.array([-1.0, 0.0, 2.0])[CLASS],
        np.array([5, 6, 7], dtype=np.uint8)[CLASS],
        np.array(["ant", "bee", "cat"], dtype=object)[CLASS],
    ],
    ids=["bool", "integral-float", "uint8", "object-str"],
)
def test_label_types(run_onnx, y):
    """Integer-like labels come out as int64 and strings as strings, as skl2onnx's."""
    clf = SoftmaxClassifier(max_iter=10, random_state=0).fit(X, y)
    label, _ = _check_classifier(run_onnx, clf, X)
    assert label.dtype == (object if y.dtype == object else np.int64)


def test_labels_neither_integer_nor_string_are_refused():
    """scikit-learn fits no such labels; the converter refuses them all the same."""
    from sknumpynet.onnx import _label_classes

    with pytest.raises(ValueError, match="integer or string labels"):
        _label_classes(np.array([0.5, 1.5]))
    with pytest.raises(ValueError, match="integer or string labels"):
        _label_classes(np.array([1, "a"], dtype=object))


@pytest.mark.parametrize("target", ["binary", "string", "multilabel"])
def test_zipmap(run_onnx, target):
    """The default output: one {class: probability} dictionary per row."""
    clf = CLASSIFIERS["mlp"]().fit(X, TARGETS[target])
    label, dicts = run_onnx(clf, X)
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(label, clf.predict(X))
    keys = list(range(proba.shape[1])) if target == "multilabel" else list(clf.classes_)
    assert list(dicts[0]) == keys
    got = np.array([[row[k] for k in keys] for row in dicts])
    assert _max_diff(got, proba) < TOL


def test_zipmap_columns_nocl_and_class_labels(run_onnx):
    clf = CLASSIFIERS["mlp"]().fit(X, TARGETS["string"])
    proba = clf.predict_proba(X)
    label, *columns = run_onnx(clf, X, {"zipmap": "columns"})
    np.testing.assert_array_equal(label, clf.predict(X))
    assert _max_diff(np.column_stack(columns), proba) < TOL
    label, _ = run_onnx(clf, X, {"zipmap": False, "nocl": True})
    np.testing.assert_array_equal(label, np.searchsorted(clf.classes_, clf.predict(X)))
    _, _, class_labels = run_onnx(clf, X, {"zipmap": False, "output_class_labels": True})
    np.testing.assert_array_equal(class_labels, clf.classes_)


def test_float64(run_onnx):
    """A float64 input gives a float64 graph; a float32 input casts the weights."""
    X64 = X.astype(np.float64)
    clf = CLASSIFIERS["mlp"]().fit(X64, TARGETS["multiclass"])
    label, proba = run_onnx(clf, X64, {"zipmap": False})
    assert proba.dtype == np.float64
    np.testing.assert_array_equal(label, clf.predict(X64))
    assert _max_diff(proba, clf.predict_proba(X64)) < 1e-12
    _, proba32 = run_onnx(clf, X, {"zipmap": False})
    assert proba32.dtype == np.float32
    assert _max_diff(proba32, clf.predict_proba(X64)) < TOL


def test_pipeline(run_onnx):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(), CLASSIFIERS["mlp"]()).fit(X, TARGETS["string"])
    label, proba = run_onnx(pipe, X, {"zipmap": False})
    np.testing.assert_array_equal(label, pipe.predict(X))
    assert _max_diff(proba, pipe.predict_proba(X)) < TOL


def test_dropout_is_left_out(run_onnx):
    """Dropout only acts in training: the graph is the plain forward pass."""
    clf = MLPClassifierNP((8,), dropout=0.5, **FAST)
    _check_classifier(run_onnx, clf.fit(X, TARGETS["multiclass"]), X)


def test_unknown_activation_is_a_clear_error(run_onnx):
    clf = CLASSIFIERS["mlp"]().fit(X, TARGETS["binary"])
    clf._activation = "no-such-activation"
    with pytest.raises(ValueError, match="'no-such-activation', which has no ONNX conversion"):
        run_onnx(clf, X, {"zipmap": False})


ESTIMATORS = [SoftmaxClassifier, MLPClassifierNP, MLPRegressorNP]


@pytest.mark.parametrize("options", [None, {"zipmap": False}], ids=["default", "no-zipmap"])
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_unfitted_model_is_refused(run_onnx, Estimator, options):
    """scikit-learn's NotFittedError, before skl2onnx looks for the classes."""
    from sklearn.exceptions import NotFittedError
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sknumpynet.onnx import to_onnx

    match = f"This {Estimator.__name__} instance is not fitted yet"
    with pytest.raises(NotFittedError, match=match):
        run_onnx(Estimator(), X, options)
    with pytest.raises(NotFittedError, match=match):
        to_onnx(Estimator(), X[:1], options=options)
    pipe = make_pipeline(StandardScaler().fit(X), Estimator())
    with pytest.raises(NotFittedError, match=match):
        to_onnx(pipe, X[:1], options=options)


def test_register_twice(run_onnx):
    from sknumpynet.onnx import register_converters

    register_converters()
    clf = CLASSIFIERS["softmax"]().fit(X, TARGETS["binary"])
    _check_classifier(run_onnx, clf, X)


# ------------------------------------------------------------- regression
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_regressor_matches(run_onnx, loss, n_outputs):
    y = np.abs(X[:, :n_outputs] + 0.5 * X[:, 2:3])
    if n_outputs == 1:
        y = y[:, 0]
    reg = MLPRegressorNP(loss=loss, hidden_layer_sizes=(6, 4), **FAST).fit(X, y)
    (pred,) = run_onnx(reg, X)
    expected = reg.predict(X)
    assert pred.dtype == np.float32 and pred.shape == (X.shape[0], n_outputs)
    assert _max_diff(pred, expected.reshape(X.shape[0], n_outputs)) < TOL


# ------------------------------------- every activation, dtype and estimator
# The documentation says that every hidden activation exports, in float32 and
# float64, for every estimator: the grid takes the activations from the
# library's own table, so that a new one is in it. Agreement (_assert_agree):
# float64, 1e-12 relative per entry, with an absolute floor of 1e-14 times
# the largest |entry| for entries that cancel to near zero (measured: 2.4e-13
# relative at worst); float32, 1e-6 relative plus 1e-6 absolute (measured:
# 2.4e-7 absolute at worst; onnxruntime's float32 Sigmoid and Elu are
# accurate to an absolute, not a relative, 1e-7 or so).
RTOL = {np.float64: 1e-12, np.float32: 1e-6}
FLOOR = {np.float64: 1e-14, np.float32: 1e-6}


def _assert_agree(got, expected, dtype):
    expected = np.asarray(expected)
    assert got.dtype == dtype and got.shape == expected.shape
    assert np.isfinite(expected).all()
    scale = float(np.abs(expected).max())
    atol = FLOOR[dtype] * (scale if dtype == np.float64 else max(1.0, scale))
    np.testing.assert_allclose(got, expected, rtol=RTOL[dtype], atol=atol)


GRID_X = np.random.default_rng(1).normal(size=(40, 4))
GRID_X[:4] *= 15  # rows far out: hidden units in the tails of every activation
GRID_Y = {
    "binary": (GRID_X[:, 0] + GRID_X[:, 1] > 0).astype(np.int64),
    "multiclass": np.array([3, 7, 11])[np.digitize(GRID_X[:, 0] - GRID_X[:, 1], [-0.5, 0.5])],
    "multilabel": (GRID_X[:, :3] + 0.3 * GRID_X[:, 3:4] > 0).astype(np.int64),
    "squared_error-1": GRID_X[:, 0] - 0.5 * GRID_X[:, 2],
    "squared_error-2": GRID_X[:, :2] - 0.5 * GRID_X[:, 2:3],
    "poisson-1": np.abs(GRID_X[:, 0] + 0.5 * GRID_X[:, 2]) / 3,
    "poisson-2": np.abs(GRID_X[:, :2] + 0.5 * GRID_X[:, 2:3]) / 3,
}
GRID_FIT = dict(solver="adam", learning_rate_init=0.05, max_iter=15, random_state=0)
DTYPES = [np.float32, np.float64]


def _check_grid_model(run_onnx, model, X, dtype):
    if hasattr(model, "classes_"):
        label, proba = run_onnx(model, X, {"zipmap": False})
        np.testing.assert_array_equal(label, model.predict(X))
        _assert_agree(proba, model.predict_proba(X), dtype)
    else:
        (pred,) = run_onnx(model, X)
        _assert_agree(pred, model.predict(X).reshape(pred.shape), dtype)


@pytest.mark.parametrize("kind", list(GRID_Y))
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_dtype_and_estimator(run_onnx, activation, dtype, kind):
    X, y = GRID_X.astype(dtype), GRID_Y[kind]
    if kind in ("binary", "multiclass", "multilabel"):
        model = MLPClassifierNP((4, 3), activation=activation, **GRID_FIT)
    else:
        loss = kind.split("-")[0]
        model = MLPRegressorNP(
            hidden_layer_sizes=(4, 3), activation=activation, loss=loss, **GRID_FIT
        )
        y = y.astype(dtype)
    model.fit(X, y)
    assert model.coefs_[0].dtype == dtype
    _check_grid_model(run_onnx, model, X, dtype)


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_softmax_classifier_both_dtypes(run_onnx, dtype, kind):
    X = GRID_X.astype(dtype)
    model = SoftmaxClassifier(max_iter=15, random_state=0).fit(X, GRID_Y[kind])
    _check_grid_model(run_onnx, model, X, dtype)


# Pre-activations from the tiniest to the largest, where a formula such as
# log(1 + exp(z)) or exp(z) - 1 overflows, or exp(z) - 1 and log(1 + t) lose
# the relative precision of small values.
EXTREMES = np.array([1e-300, 1e-17, 1e-8, 1e-3, 0.5, 1, 3, 10, 20, 30, 37.5, 40, 100, 700, 800])
EXTREMES = np.concatenate([-EXTREMES[::-1], [0.0], EXTREMES, [1e4, 1e30, 1e300]])
EXTREMES = np.concatenate([[-1e300, -1e30, -1e4], EXTREMES])


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_activation_extremes(run_onnx, activation, dtype):
    """One unit with weights 1 computes the activation itself, at every magnitude.

    float64: 1e-12 relative per entry, where the values are normal numbers
    (measured: 7e-15 at worst, GELU, whose erfc is Cody's approximation in
    the graph and scipy's in the library). float32: 1e-6 relative plus 1e-7
    absolute, as onnxruntime's float32 Sigmoid, Elu and Erf give.
    """
    info = np.finfo(dtype)
    z = EXTREMES[np.abs(EXTREMES) < info.max].astype(dtype)
    reg = MLPRegressorNP(hidden_layer_sizes=(1,), activation=activation, max_iter=1)
    reg.fit(np.zeros((2, 1), dtype=dtype), np.zeros(2, dtype=dtype))
    reg.coefs_ = [np.ones((1, 1), dtype=dtype), np.ones((1, 1), dtype=dtype)]
    reg.intercepts_ = [np.zeros(1, dtype=dtype), np.zeros(1, dtype=dtype)]
    expected = reg.predict(z[:, None])
    assert np.isfinite(expected).all()
    (got,) = run_onnx(reg, z[:, None])
    assert got.dtype == dtype and np.isfinite(got).all()
    atol = info.tiny * 1e8 if dtype == np.float64 else 1e-7
    np.testing.assert_allclose(got[:, 0], expected, rtol=RTOL[dtype], atol=atol)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_at_old_and_new_opsets(run_onnx, activation):
    """The graphs use operators (and types) that opset 9 already has.

    At opset 18 onnxruntime expands some operators into functions, and at 22
    it has no float64 kernel for them: both run too.
    """
    import onnxruntime as ort

    from sknumpynet.onnx import to_onnx

    for dtype in DTYPES:
        X = GRID_X.astype(dtype)
        model = MLPRegressorNP(hidden_layer_sizes=(3,), activation=activation, **GRID_FIT)
        expected = model.fit(X, GRID_Y["squared_error-1"].astype(dtype)).predict(X)
        for opset in (9, 18, 22):
            onx = to_onnx(model, X[:1], target_opset=opset)
            sess = ort.InferenceSession(
                onx.SerializeToString(), providers=["CPUExecutionProvider"]
            )
            (got,) = sess.run(None, {"X": X})
            _assert_agree(got[:, 0], expected, dtype)


# --------------------------------------------------------- registration
@pytest.fixture
def unregistered(run_onnx, monkeypatch):
    """skl2onnx's registries as in a process that never imported sknumpynet.onnx."""
    from skl2onnx import _parse, _supported_operators

    for cls in ESTIMATORS:
        monkeypatch.delitem(_supported_operators.sklearn_operator_name_map, cls)
        monkeypatch.delitem(_parse.sklearn_parsers_map, cls)


def test_to_onnx_registers_the_converters(unregistered):
    import onnxruntime as ort

    from sknumpynet.onnx import to_onnx

    clf = CLASSIFIERS["mlp"]().fit(X, TARGETS["string"])
    onx = to_onnx(clf, X[:1], options={"zipmap": False})
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    label, proba = sess.run(None, {"X": X})
    np.testing.assert_array_equal(label, clf.predict(X))
    assert _max_diff(proba, clf.predict_proba(X)) < TOL


_FRESH_PROCESS = """
import sys
import numpy as np
import onnxruntime as ort
import skl2onnx
from sknumpynet import MLPClassifierNP, MLPRegressorNP

X = np.random.RandomState(0).randn(60, 3).astype(np.float32)
clf = MLPClassifierNP(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=50, random_state=0)
clf.fit(X, np.where(X[:, 0] > 0, "a", "b"))
reg = MLPRegressorNP(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=50, random_state=0)
reg.fit(X, X[:, 0])
assert "sknumpynet.onnx" not in sys.modules
worst = 0.0
for model, options in ((clf, {"zipmap": False}), (clf, None), (reg, None)):
    onx = skl2onnx.to_onnx(model, X[:1], options=options)
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    out = sess.run(None, {"X": X})
    if model is reg:
        worst = max(worst, float(np.abs(out[0][:, 0] - reg.predict(X)).max()))
    else:
        assert (out[0] == clf.predict(X)).all()
        if options:
            worst = max(worst, float(np.abs(out[1] - clf.predict_proba(X)).max()))
print(worst)
"""


@pytest.mark.slow
def test_skl2onnx_alone_converts_in_a_fresh_process(run_onnx):
    """A process that never imports sknumpynet.onnx: skl2onnx finds the
    estimators' own onnx_shape_calculator and onnx_converter instead of
    raising MissingShapeCalculator."""
    result = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", "-c", _FRESH_PROCESS],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) < TOL


def test_importing_the_module_registers_the_converters(unregistered, monkeypatch):
    import skl2onnx

    reg = MLPRegressorNP(hidden_layer_sizes=(3,), **FAST).fit(X, X[:, 0])
    monkeypatch.setattr(sknumpynet, "onnx", sknumpynet.onnx)  # both put back afterwards
    monkeypatch.delitem(sys.modules, "sknumpynet.onnx")
    importlib.import_module("sknumpynet.onnx")
    assert skl2onnx.to_onnx(reg, X[:1]).graph.output[0].name == "variable"


# ----------------------------------------------------------- missing extra
@pytest.mark.parametrize("missing", ["skl2onnx", "onnx"])
def test_missing_extra_names_the_install_command(monkeypatch, missing):
    from sknumpynet.onnx import register_converters, to_onnx

    monkeypatch.setitem(sys.modules, missing, None)  # import skl2onnx (or onnx) fails
    match = r'pip install "sknumpynet\[onnx\]"'
    with pytest.raises(ImportError, match=match):
        register_converters()
    clf = CLASSIFIERS["softmax"]().fit(X, TARGETS["binary"])
    with pytest.raises(ImportError, match=match):
        to_onnx(clf, X[:1])


def test_the_module_imports_without_the_extra(monkeypatch):
    """Its functions, not the import, say what to install (so the docs build without it)."""
    monkeypatch.setattr(sknumpynet, "onnx", sknumpynet.onnx)  # both put back afterwards
    monkeypatch.delitem(sys.modules, "sknumpynet.onnx")
    monkeypatch.setitem(sys.modules, "skl2onnx", None)
    original = sknumpynet.onnx
    module = importlib.import_module("sknumpynet.onnx")
    assert module is not original and module.__all__ == original.__all__
    with pytest.raises(ImportError, match=r'pip install "sknumpynet\[onnx\]"'):
        module.to_onnx(CLASSIFIERS["softmax"]().fit(X, TARGETS["binary"]), X[:1])


def test_converting_needs_no_onnxruntime(run_onnx, monkeypatch):
    from sknumpynet.onnx import to_onnx

    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    clf = CLASSIFIERS["softmax"]().fit(X, TARGETS["binary"])
    assert [out.name for out in to_onnx(clf, X[:1]).graph.output] == [
        "output_label",
        "output_probability",
    ]
