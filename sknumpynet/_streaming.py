"""Where training batches come from: rows in memory, or blocks streamed from disk or Dask.

The training loop asks a batch source for the batches of an epoch and does
not know where they come from. :class:`MemoryBatches` gathers them from
arrays in memory (the fit of data that fits). :class:`StreamBatches` reads
the rows of a :class:`BlockStream` (a numpy memory map, or a Dask array) a
block at a time, in a background thread, into a shuffle buffer of several
blocks whose rows are shuffled and cut into batches; the targets and sample
weights, one row each per sample, stay in memory.

Dask is never imported here unless the data is a Dask collection, which
means that Dask is installed.
"""

from __future__ import annotations

import mmap
import queue
import sys
import threading
import weakref
from numbers import Integral

import numpy as np
import scipy.sparse as sp

__all__ = ["BlockStream", "stream"]

# A memory map larger than this streams by default; a smaller one is read
# like any array (the operating system keeps the file's pages in memory).
STREAM_MIN_BYTES = 512 * 2**20
# Rows per block of a numpy source: about this many bytes of float64.
BLOCK_BYTES = 4 * 2**20
BUFFER_BLOCKS = 8
PREFETCH = 2


def _dask_array_type():
    module = sys.modules.get("dask.array")
    return None if module is None else module.Array


def _dask_frame_type():
    module = sys.modules.get("dask.dataframe")
    return None if module is None else getattr(module, "DataFrame", None)


def is_dask(X) -> bool:
    """Whether ``X`` is a Dask array or DataFrame (without importing Dask)."""
    types = tuple(t for t in (_dask_array_type(), _dask_frame_type()) if t is not None)
    return bool(types) and isinstance(X, types)


def as_stream(X) -> BlockStream | None:
    """The stream that ``fit`` reads ``X`` from, or None to read it in memory.

    A :class:`BlockStream` as it is, a Dask array or DataFrame, or a numpy
    memory map of more than :data:`STREAM_MIN_BYTES` bytes, streamed with
    the default settings.
    """
    if isinstance(X, BlockStream):
        return X
    if is_dask(X) or (isinstance(X, np.memmap) and X.nbytes > STREAM_MIN_BYTES):
        return BlockStream(X)
    return None


def _mapped_region(array: np.ndarray):
    """The ``mmap`` object under ``array`` and its start address, or None.

    None for a copy-on-write map (``mode="c"``): giving its pages back would
    discard the changes made to it in memory.
    """
    base = array
    while base is not None and not isinstance(base, mmap.mmap):
        if getattr(base, "mode", None) in ("c", "copyonwrite"):
            return None
        base = getattr(base, "base", None)
    if base is None:
        return None
    try:
        start = np.frombuffer(base, dtype=np.uint8).ctypes.data
    except (TypeError, ValueError):  # a closed or empty map
        return None
    return base, start


class BlockStream:
    """The rows of a 2-D array, read a block of rows at a time.

    Pass one to ``fit``, ``partial_fit`` or ``predict`` in place of ``X``
    to stream it with settings of your own; a Dask array and a numpy memory
    map larger than 512 MiB stream without one. Create it with
    :func:`stream`, which documents the parameters.

    Attributes
    ----------
    data : ndarray or dask.array.Array
        The rows, as given (a Dask DataFrame becomes a Dask array).
    shape : tuple of int
        ``(n_samples, n_features)``.
    dtype : numpy dtype
        The dtype the rows are read in: float32 for float32 data, float64
        for anything else.
    bounds : ndarray of shape (n_blocks + 1,)
        Block ``i`` holds rows ``bounds[i]`` to ``bounds[i + 1] - 1``.
    buffer_blocks, prefetch : int
        The shuffle buffer's size in blocks, and the blocks read ahead.
    feature_names : ndarray of str or None
        The column names of a DataFrame.

    See Also
    --------
    stream : Create one, with the meaning of every setting.

    Examples
    --------
    >>> import numpy as np
    >>> from sknumpynet import stream
    >>> blocks = stream(np.zeros((1000, 3)), block_rows=300)
    >>> blocks.shape, blocks.n_blocks, blocks.bounds.tolist()
    ((1000, 3), 4, [0, 300, 600, 900, 1000])
    """

    def __init__(self, data, *, block_rows=None, buffer_blocks=BUFFER_BLOCKS, prefetch=PREFETCH):
        for name, value, low in (
            ("block_rows", block_rows, 1),
            ("buffer_blocks", buffer_blocks, 1),
            ("prefetch", prefetch, 1),
        ):
            if value is None and name == "block_rows":
                continue
            if not isinstance(value, Integral) or isinstance(value, bool):
                raise TypeError(f"{name} must be an integer, got {value!r}.")
            if value < low:
                raise ValueError(f"{name} must be at least {low}, got {value!r}.")
        self.buffer_blocks, self.prefetch = int(buffer_blocks), int(prefetch)
        self.feature_names = None
        frame = _dask_frame_type()
        if frame is not None and isinstance(data, frame):
            self.feature_names = np.asarray([str(c) for c in data.columns], dtype=object)
            data = data.to_dask_array(lengths=True)
        self.is_dask = is_dask(data)
        if self.is_dask:
            if data.ndim != 2:
                raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {data.shape}.")
            if any(np.isnan(c) for c in data.chunks[0]) or np.isnan(data.shape[1]):
                raise ValueError(
                    "X is a Dask array of unknown chunk sizes: call "
                    "X.compute_chunk_sizes() (or to_dask_array(lengths=True)) first."
                )
            rows = int(block_rows) if block_rows else data.chunks[0]
            if len(data.chunks[1]) > 1 or block_rows:
                data = data.rechunk({0: rows, 1: -1})
            sizes = np.asarray(data.chunks[0], dtype=np.intp)
        else:
            if sp.issparse(data):
                raise TypeError("stream() reads dense arrays; sparse X trains in memory.")
            if not hasattr(data, "shape") or not hasattr(data, "dtype"):
                data = np.asarray(data)
            if len(data.shape) != 2:
                raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {data.shape}.")
            n = data.shape[0]
            if block_rows is None:
                block_rows = max(1, BLOCK_BYTES // (8 * max(1, data.shape[1])))
            block_rows = max(1, min(int(block_rows), n))
            sizes = np.full(-(-n // block_rows), block_rows, dtype=np.intp)
            if n:
                sizes[-1] = n - block_rows * (sizes.shape[0] - 1)
        if data.dtype.kind not in "biuf":
            raise TypeError(f"X must hold numbers, got dtype {data.dtype}.")
        self.data = data
        self.shape = (int(data.shape[0]), int(data.shape[1]))
        self.dtype = np.dtype(np.float32 if data.dtype == np.float32 else np.float64)
        self.bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)
        self._region = None if self.is_dask else _mapped_region(data)

    @property
    def n_blocks(self) -> int:
        """The number of blocks."""
        return self.bounds.shape[0] - 1

    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        kind = type(self.data).__name__
        return (
            f"BlockStream({kind} of shape {self.shape}, {self.n_blocks} block(s), "
            f"buffer_blocks={self.buffer_blocks}, prefetch={self.prefetch})"
        )

    def describe(self, i: int) -> str:
        """Block ``i`` in words, for error messages."""
        return f"block {i} (rows {self.bounds[i]} to {self.bounds[i + 1] - 1}) of X"

    def read(self, i: int, dtype=None) -> np.ndarray:
        """Block ``i`` as a new C-contiguous array of ``dtype`` (``self.dtype`` by default).

        Its values are checked: a block with NaN or infinity, or whose shape
        is not what the array's metadata promise, raises ``ValueError``
        naming the block. The pages of a memory map that the block was read
        from are given back to the operating system, so that reading a file
        larger than memory does not fill the process's resident memory.
        """
        dtype = self.dtype if dtype is None else dtype
        start, stop = int(self.bounds[i]), int(self.bounds[i + 1])
        if self.is_dask:
            try:
                block = self.data.blocks[i].compute()
            except ValueError:
                raise
            except Exception as exc:
                raise RuntimeError(
                    f"Computing {self.describe(i)} failed ({type(exc).__name__}: {exc})."
                ) from exc
            if not hasattr(block, "shape") or getattr(block, "ndim", 0) != 2:
                raise ValueError(
                    f"{self.describe(i)} computed to an object of shape "
                    f"{getattr(block, 'shape', None)}, not a 2-D array."
                )
            block = np.ascontiguousarray(block, dtype=dtype)
        else:
            block = np.array(self.data[start:stop], dtype=dtype, order="C")
            self._drop_pages(start, stop)
        self._check_block(i, block)
        return block

    def _check_block(self, i: int, block: np.ndarray) -> None:
        start, stop = int(self.bounds[i]), int(self.bounds[i + 1])
        if block.shape[1] != self.shape[1]:
            raise ValueError(
                f"{self.describe(i)} has {block.shape[1]} columns, but X has "
                f"{self.shape[1]} features."
            )
        if block.shape[0] != stop - start:
            raise ValueError(
                f"{self.describe(i)} has {block.shape[0]} rows, but the array's chunk "
                f"sizes promise {stop - start}."
            )
        # A finite sum proves every value finite; otherwise find the culprit.
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.add.reduce(block, axis=None)
        if not np.isfinite(total):
            bad = np.argwhere(~np.isfinite(block))
            if bad.size:
                row, col = bad[0].tolist()
                raise ValueError(
                    f"{self.describe(i)} contains NaN or infinity: {bad.shape[0]} value(s), "
                    f"the first at row {start + row}, column {col}."
                )

    def _drop_pages(self, start: int, stop: int) -> None:
        if self._region is None or stop <= start:
            return
        mm, base = self._region
        rows = self.data[start:stop]
        if not rows.flags.c_contiguous:
            return
        page = mmap.PAGESIZE
        begin = rows.ctypes.data - base
        end = begin + rows.nbytes
        begin -= begin % page
        try:
            mm.madvise(mmap.MADV_DONTNEED, begin, end - begin)
        except (AttributeError, OSError, ValueError):  # not on this platform
            self._region = None

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The rows ``rows`` (sorted indices), read block by block into one new array."""
        rows = np.asarray(rows, dtype=np.intp)
        out = np.empty((rows.shape[0], self.shape[1]), dtype=self.dtype)
        if not rows.size:
            return out
        blocks = np.searchsorted(self.bounds, rows, side="right") - 1
        splits = np.flatnonzero(np.diff(blocks)) + 1
        for chunk in np.split(np.arange(rows.shape[0]), splits):
            i = int(blocks[chunk[0]])
            out[chunk] = self.read(i)[rows[chunk] - self.bounds[i]]
        return out

    def __getitem__(self, rows) -> np.ndarray:
        """Rows as a numpy array: a slice of rows, or an array of row indices."""
        if isinstance(rows, slice):
            rows = np.arange(self.shape[0])[rows]
        rows = np.asarray(rows)
        order = np.argsort(rows, kind="stable")
        out = np.empty((rows.shape[0], self.shape[1]), dtype=self.dtype)
        out[order] = self.take(rows[order])
        return out

    def check_labels(self, y, allowed) -> None:
        """Refuse labels of ``y`` outside ``allowed``, naming the first block that holds one."""
        y = np.asarray(y)
        if y.ndim != 1:
            return
        known = np.isin(y, np.asarray(allowed))
        if known.all():
            return
        row = int(np.flatnonzero(~known)[0])
        i = int(np.searchsorted(self.bounds, row, side="right") - 1)
        unknown = np.unique(y[~known]).tolist()
        raise ValueError(
            f"y has label(s) {unknown!r} not in classes {np.asarray(allowed).tolist()!r}: "
            f"the first at row {row}, in {self.describe(i)}."
        )


def stream(X, *, block_rows=None, buffer_blocks=BUFFER_BLOCKS, prefetch=PREFETCH) -> BlockStream:
    """Train on ``X`` a block of rows at a time, without loading it whole.

    Pass the result to ``fit`` or ``partial_fit`` in place of ``X``. Each
    epoch then reads the blocks in an order drawn from the estimator's
    ``random_state``, ``buffer_blocks`` at a time into a shuffle buffer,
    whose rows are shuffled and cut into batches; the next blocks are read
    in a background thread while the current ones train. Every row is seen
    once per epoch. The same seed, data and blocks give the same model, and
    one block holding every row gives exactly the model of the in-memory
    fit. Dask arrays and memory maps larger than 512 MiB stream with the
    default settings without this call.

    Parameters
    ----------
    X : ndarray, numpy memory map, dask.array.Array or dask DataFrame
        The training rows, shape (n_samples, n_features), of numbers.
    block_rows : int, default=None
        Rows per block. None: blocks of about 4 MiB for a numpy array, the
        array's own row chunks for a Dask array.
    buffer_blocks : int, default=8
        The shuffle buffer, in blocks: a batch mixes rows of up to this many
        blocks. The whole data in one buffer is a full shuffle.
    prefetch : int, default=2
        Blocks read ahead (at least one) while the current buffer trains.

    Returns
    -------
    blocks : BlockStream
        The stream, which ``fit``, ``partial_fit`` and the predictions take.

    Examples
    --------
    >>> import numpy as np
    >>> from sknumpynet import MLPClassifierNP, stream
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(2000, 5)).astype(np.float32)
    >>> y = (X[:, 0] + X[:, 1] > 0).astype(int)
    >>> clf = MLPClassifierNP((8,), learning_rate_init=0.01, max_iter=50, random_state=0)
    >>> clf = clf.set_params(tol=1e-3, n_iter_no_change=2)
    >>> clf = clf.fit(stream(X, block_rows=250, buffer_blocks=4), y)
    >>> clf.coefs_[0].dtype, bool(clf.score(X, y) > 0.95)
    (dtype('float32'), True)
    """
    return BlockStream(X, block_rows=block_rows, buffer_blocks=buffer_blocks, prefetch=prefetch)


class MemoryBatches:
    """The batches of an epoch, gathered from arrays in memory.

    The rows (``rows``, all when None) are shuffled once per epoch, in place
    (each epoch shuffles the previous epoch's order, as scikit-learn's MLP
    does), and gathered batch by batch into one preallocated buffer;
    without shuffling, the batches are slices of ``X``.
    """

    def __init__(self, X, Y, sample_weight, rows, batch_size, shuffle, random_state):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.order = np.arange(X.shape[0]) if rows is None else rows.copy()
        self.n = n = self.order.shape[0]
        self.batch_size = batch_size = int(np.clip(batch_size, 1, n))
        self.random_state = random_state
        self.reorder = shuffle and batch_size < n
        # Rows are gathered into a preallocated buffer unless the batches are
        # plain slices of X (all rows, in order).
        self.indexed = self.reorder or rows is not None
        self.gather = self.indexed and not sp.issparse(X)
        if self.gather:
            self.X_buf = np.empty((batch_size, X.shape[1]), dtype=X.dtype)
            self.Y_buf = np.empty((batch_size, Y.shape[1]), dtype=Y.dtype)
            self.w_buf = None if sample_weight is None else np.empty(batch_size, dtype=X.dtype)
        self.batches = [(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]
        self.n_batches = len(self.batches)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def epoch(self):
        """Yield ``(Xb, Yb, wb)`` for every batch of one epoch."""
        X, Y, sample_weight, order = self.X, self.Y, self.sample_weight, self.order
        if self.reorder:
            self.random_state.shuffle(order)
        for start, stop in self.batches:
            if self.gather:
                idx = order[start:stop]
                m = stop - start
                # mode="clip" gathers straight into the buffer (the default
                # "raise" goes through a temporary); a permutation's indices
                # are always in range.
                Xb = X.take(idx, axis=0, out=self.X_buf[:m], mode="clip")
                Yb = Y.take(idx, axis=0, out=self.Y_buf[:m], mode="clip")
                wb = (
                    None
                    if sample_weight is None
                    else sample_weight.take(idx, out=self.w_buf[:m], mode="clip")
                )
            elif self.indexed:  # sparse X
                idx = order[start:stop]
                Xb, Yb = X[idx], Y[idx]
                wb = None if sample_weight is None else sample_weight[idx]
            else:
                Xb, Yb = X[start:stop], Y[start:stop]
                wb = None if sample_weight is None else sample_weight[start:stop]
            yield Xb, Yb, wb


_DONE = object()


def _read_ahead(read, order, out: queue.Queue, stop: threading.Event, owner) -> None:
    """Read the blocks of ``order`` into ``out``, in order, until told to stop.

    Runs in the prefetch thread. It holds no reference to the batch source
    (``owner`` is a weak one): a source dropped without being closed (an
    interrupt in the middle of its cleanup) still ends the thread.
    """

    def put(item) -> bool:
        while not stop.is_set() and owner() is not None:
            try:
                out.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    for i in order:
        if stop.is_set() or owner() is None:
            return
        try:
            item = (i, read(i))
        except BaseException as exc:  # handed to the training thread, raised there
            put((i, exc))
            return
        if not put(item):
            return
    put(_DONE)


class StreamBatches:
    """The batches of an epoch, read from a :class:`BlockStream` through a shuffle buffer.

    Per epoch: the block order is permuted (``random_state.shuffle``), the
    blocks are read in that order by a background thread (``prefetch``
    ahead), and every ``buffer_blocks`` blocks fill the shuffle buffer,
    whose rows (with the few rows left over from the previous buffer) are
    shuffled and cut into batches. Only the epoch's last batch can be short,
    so an epoch has as many batches as in memory. A buffer of the same size
    as the previous one shuffles the previous order again, as the in-memory
    epochs do: one block of all rows gives the in-memory batches exactly.
    ``rows`` (sorted global indices, all when None) are the rows trained on;
    ``Y`` and ``sample_weight`` hold every row, in memory.
    """

    def __init__(self, stream, Y, sample_weight, rows, batch_size, shuffle, random_state):
        self.stream, self.Y, self.sample_weight = stream, Y, sample_weight
        self.random_state, self.shuffle = random_state, shuffle
        n_all = stream.shape[0]
        keep = None
        if rows is not None:
            keep = np.zeros(n_all, dtype=bool)
            keep[rows] = True
        self.keep = keep
        bounds = stream.bounds
        if keep is None:
            sizes = np.diff(bounds)
        else:
            kept = np.concatenate([[0], np.cumsum(keep)])
            sizes = kept[bounds[1:]] - kept[bounds[:-1]]
        self.sizes = sizes
        self.n = n = int(sizes.sum())
        self.batch_size = batch_size = int(np.clip(batch_size, 1, max(n, 1)))
        self.n_batches = -(-n // batch_size)
        self.block_order = np.arange(stream.n_blocks)
        k = stream.buffer_blocks
        capacity = int(np.sort(sizes)[::-1][:k].sum()) + batch_size
        dtype = stream.dtype
        self.X_win = np.empty((capacity, stream.shape[1]), dtype=dtype)
        self.G_win = np.empty(capacity, dtype=np.intp)
        self.order = np.empty(capacity, dtype=np.intp)
        self.arange = np.arange(capacity, dtype=np.intp)
        self.X_carry = np.empty((batch_size, stream.shape[1]), dtype=dtype)
        self.G_carry = np.empty(batch_size, dtype=np.intp)
        self.X_buf = np.empty((batch_size, stream.shape[1]), dtype=dtype)
        self.Y_buf = np.empty((batch_size, Y.shape[1]), dtype=Y.dtype)
        self.G_buf = np.empty(batch_size, dtype=np.intp)
        self.w_buf = None if sample_weight is None else np.empty(batch_size, dtype=dtype)
        self.previous = -1  # the size of the last buffer shuffled
        self._thread = None
        self._stop = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        """Stop the prefetch thread and wait for it."""
        if self._stop is not None:
            self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _reader(self):
        stream, keep = self.stream, self.keep
        bounds = stream.bounds

        def read(i):
            block = stream.read(i)
            start = bounds[i]
            if keep is None:
                return block, np.arange(start, bounds[i + 1], dtype=np.intp)
            mask = keep[start : bounds[i + 1]]
            return block[mask], start + np.flatnonzero(mask)

        return read

    def _blocks(self, order):
        """The blocks of ``order``, read ahead in a thread: ``(i, (X, global rows))``."""
        self.close()
        out = queue.Queue(maxsize=self.stream.prefetch)
        self._stop = threading.Event()
        thread = threading.Thread(
            target=_read_ahead,
            args=(self._reader(), order.tolist(), out, self._stop, weakref.ref(self)),
            name="sknumpynet-prefetch",
            daemon=True,
        )
        # recorded once started (close() joins it); a thread started but not
        # yet recorded still ends: close() sets the event it watches
        thread.start()
        self._thread = thread
        while True:
            item = out.get()
            if item is _DONE:
                break
            i, value = item
            if isinstance(value, BaseException):
                self.close()
                raise value
            yield value
        self.close()

    def _windows(self):
        """The epoch's shuffle buffers: ``(rows in the buffer, whether it is the last)``."""
        if self.shuffle:
            self.random_state.shuffle(self.block_order)
        order = self.block_order[self.sizes[self.block_order] > 0]
        k = self.stream.buffer_blocks
        n_windows = -(-order.shape[0] // k)
        blocks = self._blocks(order)
        carry = 0
        for w in range(n_windows):
            m = carry
            if carry:
                self.X_win[:carry] = self.X_carry[:carry]
                self.G_win[:carry] = self.G_carry[:carry]
            for _ in range(min(k, order.shape[0] - w * k)):
                Xb, Gb = next(blocks)
                r = Xb.shape[0]
                self.X_win[m : m + r] = Xb
                self.G_win[m : m + r] = Gb
                m += r
                del Xb, Gb
            last = w == n_windows - 1
            yield m, last
            if not last:
                carry = m % self.batch_size
                if carry:
                    idx = self.order[m - carry : m]
                    self.X_win.take(idx, axis=0, out=self.X_carry[:carry], mode="clip")
                    self.G_win.take(idx, out=self.G_carry[:carry], mode="clip")
        for _ in blocks:  # ends the thread (the generator has no blocks left)
            pass

    def epoch(self):
        """Yield ``(Xb, Yb, wb)`` for every batch of one epoch."""
        bs = self.batch_size
        reorder = self.shuffle and bs < self.n
        Y, w = self.Y, self.sample_weight
        for m, last in self._windows():
            order = self.order[:m]
            if m != self.previous:
                order[...] = self.arange[:m]
                self.previous = m
            if reorder:
                self.random_state.shuffle(order)
            stop_at = m if last else m - m % bs
            for start in range(0, stop_at, bs):
                stop = min(start + bs, stop_at)
                b = stop - start
                idx = order[start:stop]
                Xb = self.X_win.take(idx, axis=0, out=self.X_buf[:b], mode="clip")
                G = self.G_win.take(idx, out=self.G_buf[:b], mode="clip")
                Yb = Y.take(G, axis=0, out=self.Y_buf[:b], mode="clip")
                wb = None if w is None else w.take(G, out=self.w_buf[:b], mode="clip")
                yield Xb, Yb, wb


def open_batches(problem, batch_size, shuffle, random_state):
    """The batch source of ``problem``: in memory, or streamed from its :class:`BlockStream`."""
    kind = StreamBatches if isinstance(problem.X, BlockStream) else MemoryBatches
    return kind(
        problem.X,
        problem.Y,
        problem.sample_weight,
        problem.rows,
        batch_size,
        shuffle,
        random_state,
    )


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """A well-mixed 64-bit hash of each value of ``x`` (uint64), vectorized."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def validation_rows(n_samples: int, fraction: float, seed: int) -> np.ndarray:
    """Which rows a streamed fit holds out for early stopping: a boolean mask.

    Row ``i`` is held out when a 64-bit hash of ``(seed, i)`` falls in the
    lowest ``fraction`` of its range: about ``fraction`` of every block,
    chosen by the row's global index alone, so that the choice needs no
    pass over the data and the same seed holds out the same rows.
    """
    index = np.arange(n_samples, dtype=np.uint64)
    salt = _splitmix64(np.asarray([seed], dtype=np.uint64))[0]
    uniform = (_splitmix64(index ^ salt) >> np.uint64(11)).astype(np.float64) / 2.0**53
    return uniform < fraction


def block_sums(net, X, Y, sample_weight) -> tuple[float, np.ndarray]:
    """The unpenalized loss and its gradient summed over the rows of one block (float64)."""
    m = X.shape[0]
    loss = net.loss_grad(X, Y, sample_weight, 0.0)
    return loss * m, net.grads.astype(np.float64) * m


def add_penalty(net, loss: float, grad: np.ndarray, alpha: float, n: int):
    """Divide the summed loss and gradient by ``n`` and add the L2 penalty, as in memory."""
    loss /= n
    grad /= n
    if alpha:
        W = net.params[: net.n_coef].astype(np.float64)
        loss += 0.5 * alpha * float(W @ W) / n
        grad[: net.n_coef] += (alpha / n) * W
    return loss, grad


def stream_objective(problem):
    """``fun(theta) -> (loss, gradient)`` of the full objective, a block at a time.

    The blocks are read here one after another (``_distributed`` evaluates
    them on a Dask cluster instead).
    """
    stream = problem.X
    net, Y, w = problem.net, problem.Y, problem.sample_weight
    bounds = stream.bounds
    net.allocate(int(np.diff(bounds).max(initial=1)))

    def fun(theta):
        net.params[...] = theta
        loss, grad = 0.0, np.zeros(net.params.shape[0])
        for i in range(stream.n_blocks):
            a, b = bounds[i], bounds[i + 1]
            part, g = block_sums(net, stream.read(i), Y[a:b], None if w is None else w[a:b])
            loss += part
            grad += g
        return add_penalty(net, loss, grad, problem.alpha, stream.shape[0])

    return fun


def predict_dask(model, X, transform):
    """``model._predict(block, transform)`` of every row block of the Dask array ``X``:
    a lazy Dask array with ``X``'s row chunks, computed where the blocks are."""
    name = type(model).__name__
    frame = _dask_frame_type()
    if frame is not None and isinstance(X, frame):
        names = getattr(model, "feature_names_in_", None)
        columns = [str(c) for c in X.columns]
        if names is not None and columns != list(names):
            raise ValueError(
                f"The columns of X, {columns!r}, are not the features that {name} was "
                f"fitted with, {list(names)!r}, in that order."
            )
        X = X.to_dask_array(lengths=True)
        if names is not None:  # checked here: the blocks are arrays without names
            unnamed = object.__new__(type(model))
            unnamed.__dict__ = {
                k: v for k, v in model.__dict__.items() if k != "feature_names_in_"
            }
            model = unnamed
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got shape {X.shape}.")
    if X.shape[1] != model.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {name} is expecting "
            f"{model.n_features_in_} features as input."
        )
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    # the shape and dtype of one row's result give those of every block's
    sample = model._predict(np.zeros((1, X.shape[1]), model.coefs_[0].dtype), transform)[0]
    tail = sample.shape[1:]

    def block(rows):
        return model._predict(rows, transform)[0]

    meta = np.empty((0, *tail), dtype=sample.dtype)
    if tail:
        chunks = (X.chunks[0], *((t,) for t in tail))
        return X.map_blocks(block, dtype=sample.dtype, chunks=chunks, meta=meta)
    return X.map_blocks(block, dtype=sample.dtype, drop_axis=1, chunks=(X.chunks[0],), meta=meta)
