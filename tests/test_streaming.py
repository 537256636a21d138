"""Training on data read a block at a time: memory maps and Dask arrays (in-process)."""

import pickle
import sys
import threading
import time
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

import sknumpynet
from sknumpynet import (
    BlockStream,
    MLPClassifierNP,
    MLPRegressorNP,
    SoftmaxClassifier,
    _streaming,
    stream,
)
from sknumpynet._streaming import StreamBatches, validation_rows

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.RandomState(0)
X = RNG.normal(size=(1200, 6))
Y3 = np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5])  # three classes
Y_REG = X[:, 0] - 2 * X[:, 2] + 0.1 * RNG.normal(size=1200)


def _weights(est):
    return est.coefs_ + est.intercepts_


def _equal(a, b):
    return all(np.array_equal(p, q) for p, q in zip(_weights(a), _weights(b)))


@pytest.fixture
def memmap(tmp_path):
    path = tmp_path / "X.npy"
    np.save(path, X)
    return np.load(path, mmap_mode="r")


def _prefetch_threads():
    return [t for t in threading.enumerate() if t.name == "sknumpynet-prefetch"]


@pytest.mark.parametrize(
    "est",
    [
        MLPClassifierNP((7,), max_iter=4, dropout=0.2, random_state=0),
        MLPClassifierNP((5,), solver="sgd", max_iter=3, batch_size=64, random_state=1),
        SoftmaxClassifier(max_iter=3, random_state=0),
        MLPRegressorNP(hidden_layer_sizes=(6,), max_iter=3, random_state=0),
        MLPClassifierNP(
            (6,),
            max_iter=3,
            lr_schedule="cosine",
            warmup_fraction=0.2,
            max_grad_norm=0.5,
            random_state=0,
        ),
    ],
    ids=["mlp-adam-dropout", "mlp-sgd", "softmax", "regressor", "schedule-clipping"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_block_of_all_rows_is_the_in_memory_fit_exactly(est, dtype):
    y = Y_REG if isinstance(est, MLPRegressorNP) else Y3
    data = X.astype(dtype)
    memory = clone(est).fit(data, y)
    streamed = clone(est).fit(stream(data, block_rows=data.shape[0]), y)
    assert _equal(memory, streamed)
    assert streamed.coefs_[0].dtype == dtype
    assert streamed.loss_curve_ == memory.loss_curve_
    assert streamed.t_ == memory.t_ and streamed.n_iter_ == memory.n_iter_


def test_one_block_equals_memory_with_sample_and_class_weights_and_partial_fit():
    w = RNG.uniform(0.1, 3.0, size=X.shape[0])
    est = MLPClassifierNP((6,), max_iter=3, class_weight="balanced", random_state=0)
    memory = clone(est).fit(X, Y3, sample_weight=w)
    streamed = clone(est).fit(stream(X, block_rows=len(X)), Y3, sample_weight=w)
    assert _equal(memory, streamed)
    inc = MLPClassifierNP((6,), class_weight={0: 2.0, 1: 1.0, 2: 0.5}, random_state=0)
    memory, streamed = clone(inc), clone(inc)
    for _ in range(2):
        memory.partial_fit(X, Y3, classes=[0, 1, 2], sample_weight=w)
        streamed.partial_fit(stream(X, block_rows=len(X)), Y3, classes=[0, 1, 2], sample_weight=w)
    assert _equal(memory, streamed)


def test_a_memory_map_streams_the_same_model_for_the_same_seed(memmap):
    est = MLPClassifierNP((8,), max_iter=3, random_state=0)
    blocks = dict(block_rows=100, buffer_blocks=3)
    a = clone(est).fit(stream(memmap, **blocks), Y3)
    b = clone(est).fit(stream(memmap, **blocks), Y3)
    c = clone(est).set_params(random_state=1).fit(stream(memmap, **blocks), Y3)
    assert _equal(a, b)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])
    # a model worth its name: close to the in-memory one's accuracy
    memory = clone(est).fit(X, Y3)
    assert a.score(X, Y3) > memory.score(X, Y3) - 0.05
    assert not _prefetch_threads()


def test_every_row_is_seen_once_per_epoch_and_only_the_last_batch_is_short():
    index = np.arange(1003, dtype=np.float64)[:, None] * np.ones((1, 2))
    blocks = stream(index, block_rows=97, buffer_blocks=3, prefetch=1)
    Y = np.zeros((1003, 1))
    rng = np.random.RandomState(0)
    rows = np.flatnonzero(np.arange(1003) % 7 != 3)  # e.g. held-out rows excluded
    for subset in (None, rows):
        source = StreamBatches(blocks, Y, None, subset, 50, True, rng)
        expected = np.arange(1003) if subset is None else subset
        with source:
            orders = []
            for _ in range(3):
                sizes, seen = [], []
                for Xb, _, _ in source.epoch():
                    sizes.append(Xb.shape[0])
                    seen.append(Xb[:, 0].copy())
                seen = np.concatenate(seen).astype(int)
                np.testing.assert_array_equal(np.sort(seen), expected)
                assert len(sizes) == source.n_batches == -(-expected.shape[0] // 50)
                assert all(s == 50 for s in sizes[:-1])
                orders.append(seen)
        # shuffled across blocks and differently every epoch
        assert not np.array_equal(orders[0], orders[1])
        assert np.abs(np.diff(orders[0][:50])).max() > 97
    assert not _prefetch_threads()


def test_float32_streams_in_float32():
    data = X.astype(np.float32)
    blocks = stream(data, block_rows=300)
    source = StreamBatches(blocks, np.zeros((1200, 1), np.float32), None, None, 64, True, RNG)
    with source:
        Xb, Yb, _ = next(source.epoch())
    assert Xb.dtype == np.float32 and blocks.read(0).dtype == np.float32
    est = MLPRegressorNP(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    assert est.fit(blocks, Y_REG).coefs_[0].dtype == np.float32
    assert est.predict(data).dtype == np.float32


def test_a_block_with_nan_is_named_and_nothing_changes(memmap, tmp_path):
    bad = X.copy()
    bad[250, 3] = np.nan
    est = MLPClassifierNP((5,), max_iter=2, random_state=0).fit(X, Y3)
    before = dict(est.__dict__)
    with pytest.raises(
        ValueError, match=r"block 2 \(rows 200 to 299\) of X contains NaN.*row 250"
    ):
        est.fit(stream(bad, block_rows=100), Y3)
    assert all(est.__dict__[k] is v for k, v in before.items())
    assert not _prefetch_threads()
    # the same from Dask, and from the L-BFGS objective
    with dask.config.set(scheduler="synchronous"):
        with pytest.raises(ValueError, match=r"block 2 \(rows 200 to 299\)"):
            clone(est).set_params(solver="lbfgs").fit(da.from_array(bad, chunks=100), Y3)


def test_a_dask_block_of_the_wrong_width_is_named():
    from dask import delayed

    parts = [da.from_array(X[:400], chunks=200)]
    # metadata that promise 6 columns, data that has 5
    parts.append(da.from_delayed(delayed(lambda: X[400:800, :5])(), (400, 6), X.dtype))
    parts.append(da.from_array(X[800:], chunks=400))
    wrong = da.concatenate(parts)
    with dask.config.set(scheduler="synchronous"):
        with pytest.raises(ValueError, match=r"block 2 \(rows 400 to 799\) of X has 5 columns"):
            MLPClassifierNP((5,), max_iter=2, random_state=0).fit(wrong, Y3)


def test_unknown_labels_of_partial_fit_are_named_with_their_block():
    y = Y3.copy()
    y[730] = 7
    est = MLPClassifierNP((5,), random_state=0)
    with pytest.raises(ValueError, match=r"\[7\] not in classes .*row 730, in block 7 "):
        est.partial_fit(stream(X, block_rows=100), y, classes=[0, 1, 2])
    est.partial_fit(stream(X, block_rows=100), Y3, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"row 730, in block 3 \(rows 600 to 799\)"):
        est.partial_fit(stream(X, block_rows=200), y)


def test_the_number_of_features_is_checked_before_streaming():
    est = MLPClassifierNP((5,), max_iter=2, random_state=0).fit(X, Y3)
    with pytest.raises(ValueError, match="X has 5 features, but MLPClassifierNP is expecting 6"):
        est.partial_fit(stream(X[:, :5]), Y3)
    with pytest.raises(ValueError, match="X has 5 features"):
        est.predict(da.from_array(X[:, :5]))
    with pytest.raises(ValueError, match="different numbers of rows: 1200 and 1199"):
        clone(est).fit(stream(X), Y3[:-1])


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("block_rows", {"block_rows": 0}),
        ("buffer_blocks", {"buffer_blocks": 0}),
        ("prefetch", {"prefetch": 0}),
    ],
)
def test_stream_settings_are_checked(name, kwargs):
    with pytest.raises(ValueError, match=name):
        stream(X, **kwargs)
    with pytest.raises(TypeError, match="buffer_blocks must be an integer"):
        stream(X, buffer_blocks=2.5)
    with pytest.raises(ValueError, match="2-D"):
        stream(X[:, 0])


def test_a_small_memory_map_trains_in_memory_and_a_large_one_streams(memmap, monkeypatch):
    assert _streaming.as_stream(memmap) is None
    assert _streaming.as_stream(X) is None
    monkeypatch.setattr(_streaming, "STREAM_MIN_BYTES", memmap.nbytes - 1)
    blocks = _streaming.as_stream(memmap)
    assert isinstance(blocks, BlockStream) and blocks.n_blocks == 1  # 4 MiB blocks
    # the memory map's pages are found, to give them back after each block
    assert blocks._region is not None
    est = MLPClassifierNP((6,), max_iter=3, random_state=0)
    assert _equal(clone(est).fit(memmap, Y3), clone(est).fit(X, Y3))


def test_dask_arrays_stream_with_their_chunks_and_reproduce():
    Xd = da.from_array(X, chunks=(150, 3))
    est = MLPClassifierNP((6,), max_iter=3, random_state=0)
    with dask.config.set(scheduler="threads"):
        a = clone(est).fit(Xd, Y3)
        b = clone(est).fit(stream(X, block_rows=150), Y3)  # the same blocks from numpy
    assert _equal(a, b)
    one = clone(est).fit(da.from_array(X, chunks=(len(X), 2)), da.from_array(Y3))
    assert _equal(one, clone(est).fit(X, Y3))


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_predictions_on_a_dask_array_are_lazy_and_equal_to_memory(scheduler):
    Xd = da.from_array(X, chunks=(250, 4))
    clf = MLPClassifierNP((6,), max_iter=5, random_state=0).fit(X, Y3)
    binary = MLPClassifierNP((6,), max_iter=5, random_state=0).fit(X, Y3 > 0)
    reg = MLPRegressorNP(hidden_layer_sizes=(6,), max_iter=5, random_state=0).fit(X, Y_REG)
    with dask.config.set(scheduler=scheduler):
        for model, method in [
            (clf, "predict"),
            (clf, "predict_proba"),
            (clf, "predict_log_proba"),
            (clf, "decision_function"),
            (binary, "decision_function"),
            (binary, "predict"),
            (reg, "predict"),
        ]:
            lazy = getattr(model, method)(Xd)
            assert isinstance(lazy, da.Array), method
            expected = getattr(model, method)(X)
            assert lazy.shape == expected.shape and lazy.dtype == expected.dtype
            np.testing.assert_array_equal(lazy.compute(), expected)
        # a BlockStream predicts from its data
        np.testing.assert_array_equal(clf.predict(stream(X)), clf.predict(X))


def test_lbfgs_over_blocks_equals_lbfgs_in_memory(memmap):
    est = MLPRegressorNP(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=20, random_state=0)
    memory = clone(est).fit(X, Y_REG)
    blocks = clone(est).fit(stream(memmap, block_rows=130), Y_REG)
    with dask.config.set(scheduler="synchronous"):
        lazy = clone(est).fit(da.from_array(X, chunks=200), Y_REG)
    for model in (blocks, lazy):
        assert model.n_iter_ == memory.n_iter_ == 20
        for p, q in zip(_weights(model), _weights(memory)):
            np.testing.assert_allclose(p, q, rtol=0, atol=1e-8)


def test_early_stopping_holds_out_rows_chosen_by_their_index():
    held = validation_rows(100_000, 0.1, seed=3)
    assert abs(held.mean() - 0.1) < 0.005
    np.testing.assert_array_equal(held, validation_rows(100_000, 0.1, seed=3))
    assert not np.array_equal(held, validation_rows(100_000, 0.1, seed=4))
    # about the same fraction in every block of 1000 rows
    per_block = held.reshape(100, 1000).mean(axis=1)
    assert per_block.min() > 0.06 and per_block.max() < 0.14
    w = RNG.uniform(0.5, 2.0, size=X.shape[0])
    est = MLPClassifierNP((8,), early_stopping=True, max_iter=40, random_state=0)
    est.set_params(class_weight="balanced", n_iter_no_change=3, learning_rate_init=0.02)
    a = clone(est).fit(stream(X, block_rows=200, buffer_blocks=2), Y3, sample_weight=w)
    b = clone(est).fit(stream(X, block_rows=200, buffer_blocks=2), Y3, sample_weight=w)
    assert _equal(a, b)
    assert len(a.validation_scores_) == len(a.loss_curve_) == a.n_iter_
    assert a.best_validation_score_ == max(a.validation_scores_) > 0.8
    assert a.t_ < a.n_iter_ * X.shape[0]  # trained on the rows not held out


def test_a_dask_dataframe_of_numbers_streams_with_its_column_names():
    # (dask.dataframe imports with pandas 1.x but then needs pandas >= 2.0)
    pd = pytest.importorskip("pandas", minversion="2.0")
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    ddf = dd.from_pandas(frame, npartitions=4)
    with dask.config.set(scheduler="synchronous"):
        est = MLPClassifierNP((6,), max_iter=3, random_state=0).fit(ddf, Y3)
    assert est.feature_names_in_.tolist() == list(frame.columns)
    # its partitions are the blocks: the model of the same blocks from numpy
    same = clone(est).fit(stream(X, block_rows=300), Y3)
    assert _equal(est, same)
    np.testing.assert_array_equal(est.predict(frame), same.predict(X))
    with dask.config.set(scheduler="synchronous"):
        lazy = est.predict_proba(ddf)
        assert isinstance(lazy, da.Array)
        np.testing.assert_array_equal(lazy.compute(), same.predict_proba(X))
        with pytest.raises(ValueError, match="not the features"):
            est.predict(ddf[["f1", "f0", "f2", "f3", "f4", "f5"]])


class _Interrupt:
    """A tracer that raises KeyboardInterrupt at the n-th line run in the package."""

    def __init__(self, at):
        self.at, self.count = at, 0
        self.package = sknumpynet.__file__.rsplit("/", 1)[0]

    def __call__(self, frame, event, arg):
        if not frame.f_code.co_filename.startswith(self.package):
            return None
        if event == "line":
            self.count += 1
            if self.count == self.at:
                raise KeyboardInterrupt
        return self


@pytest.mark.parametrize(
    "every", [pytest.param(False, id="30-lines"), pytest.param(True, marks=pytest.mark.slow)]
)
def test_an_interrupted_streamed_fit_changes_nothing_and_leaves_no_thread(every):
    est = MLPClassifierNP((5,), max_iter=2, random_state=0).fit(X, Y3)
    data = stream(X, block_rows=150, buffer_blocks=2)
    counter = _Interrupt(-1)
    sys.settrace(counter)
    try:
        clone(est).fit(data, Y3)
    finally:
        sys.settrace(None)
    tried = 0
    for at in range(1, counter.count, 1 if every else max(1, counter.count // 30)):
        model = pickle.loads(pickle.dumps(est))
        before = dict(model.__dict__)
        sys.settrace(_Interrupt(at))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(data, Y3)
        except KeyboardInterrupt:
            assert all(model.__dict__[k] is v for k, v in before.items()), at
        else:
            assert model.coefs_[0] is not before["coefs_"][0]
        finally:
            sys.settrace(None)
        tried += 1
    assert tried > (1000 if every else 25)
    deadline = time.monotonic() + 5
    while _prefetch_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _prefetch_threads()


@pytest.mark.slow  # a subprocess
def test_importing_the_package_does_not_import_dask():
    import subprocess

    code = "import sys, sknumpynet; print(any(m.startswith('dask') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_a_convergence_warning_still_comes_from_a_streamed_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        with pytest.raises(ConvergenceWarning):
            MLPClassifierNP((5,), max_iter=1, random_state=0).fit(stream(X), Y3)


def _lost_block():
    raise OSError("the file holding this block is gone")


def test_a_dask_block_that_cannot_be_computed_is_named():
    from dask import delayed

    broken = da.concatenate(
        [
            da.from_array(X[:600], chunks=300),
            da.from_delayed(delayed(_lost_block)(), (600, 6), X.dtype),
        ]
    )
    est = MLPClassifierNP((5,), max_iter=2, random_state=0)
    with dask.config.set(scheduler="synchronous"):
        with pytest.raises(
            RuntimeError, match=r"Computing block 2 \(rows 600 to 1199\) of X failed"
        ):
            est.fit(broken, Y3)
    assert not hasattr(est, "coefs_")
    assert not _prefetch_threads()


def test_without_dask_distributed_the_error_says_what_to_install(monkeypatch):
    from sknumpynet import _distributed

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r'pip install "sknumpynet\[dask\]"'):
        _distributed.require_distributed()
    assert _distributed.active_client() is None


def test_a_copy_on_write_map_keeps_its_changes_in_memory(tmp_path):
    path = tmp_path / "X.npy"
    np.save(path, X)
    changed = np.load(path, mmap_mode="c")
    changed[5, 0] = 123.0  # a change in memory only, which the file does not hold
    blocks = stream(changed, block_rows=100)
    assert blocks.read(0)[5, 0] == 123.0 and blocks.read(0)[5, 0] == 123.0
    assert blocks._region is None
    shared = stream(np.load(path, mmap_mode="r"), block_rows=100)
    assert shared._region is not None
    np.testing.assert_array_equal(shared.read(3), X[300:400])
    np.testing.assert_array_equal(shared.read(3), X[300:400])  # read again after dropping
