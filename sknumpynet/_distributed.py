"""L-BFGS over a Dask cluster: the loss and gradient computed where the blocks live.

Each evaluation of the objective sends the weights to every worker once
(``client.scatter(..., broadcast=True)``), runs one task per row block that
returns the block's summed loss and gradient, and adds these up in a binary
tree of tasks on the workers; the client receives one gradient vector and
runs scipy's optimizer, as in memory. This is the scheme of Spark MLlib's
multilayer perceptron. Only imported when the data is a Dask array.
"""

from __future__ import annotations

import threading

import numpy as np

from ._network import Network
from ._streaming import add_penalty, block_sums

INSTALL = 'pip install "sknumpynet[dask]"'


def require_distributed():
    """The ``distributed`` module, or an ``ImportError`` saying how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(
            f"Training on a Dask cluster needs dask.distributed: {INSTALL}."
        ) from exc
    return distributed


def active_client():
    """The ``dask.distributed`` client in use, or None when there is none."""
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:  # no client
        return None


# One network per worker thread and architecture, reused across evaluations:
# its buffers are allocated once per fit, not once per task.
_local = threading.local()


def _network(spec) -> Network:
    cache = getattr(_local, "nets", None)
    if cache is None:
        cache = _local.nets = {}
    net = cache.get(spec)
    if net is None:
        if len(cache) > 4:
            cache.clear()
        units, activation, out_activation, dtype, smoothing = spec
        net = cache[spec] = Network(
            list(units), activation, out_activation, dtype, label_smoothing=smoothing
        )
    return net


def _block_task(params, spec, where, X, Y, w):
    """Runs on a worker: the summed loss and gradient of one block, checked first."""
    net = _network(spec)
    X = np.ascontiguousarray(X, dtype=net.dtype)
    if X.ndim != 2 or X.shape[1] != spec[0][0]:
        raise ValueError(f"{where} has shape {X.shape}, not (n_rows, {spec[0][0]}).")
    with np.errstate(over="ignore", invalid="ignore"):
        finite = np.isfinite(np.add.reduce(X, axis=None)) or np.isfinite(X).all()
    if not finite:
        raise ValueError(f"{where} contains NaN or infinity.")
    net.params[...] = params
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss, grad = block_sums(net, X, Y, w)
    return np.concatenate([[loss], grad])


def _add(a, b):
    return a + b


class DistributedError(RuntimeError):
    """An evaluation of the distributed objective failed on the cluster."""


def distributed_objective(client, problem):
    """``fun(theta) -> (loss, gradient)`` of ``problem``'s full objective, on ``client``'s cluster.

    The row blocks of ``X`` (with the matching blocks of the targets and
    weights) are persisted on the workers once per fit; each call scatters
    the weights once to every worker and reduces the per-block sums in a
    tree of tasks. An evaluation that fails on the cluster (a lost worker
    whose blocks cannot be recomputed, a bad block) raises an error naming
    it; Dask recomputes the blocks of a lost worker when it can.
    """
    require_distributed()
    from distributed import futures_of

    stream, net = problem.X, problem.net
    bounds = stream.bounds
    [X] = client.persist([stream.data])
    by_key = {f.key: f for f in futures_of(X)}
    x_blocks = [by_key[key] for key in _flat_keys(X.__dask_keys__())]

    # The targets and weights are in the client's memory: scattered once, a
    # block each, rather than written into a task graph.
    def scattered(array):
        if array is None:
            return [None] * len(x_blocks)
        parts = [array[bounds[i] : bounds[i + 1]] for i in range(len(x_blocks))]
        return client.scatter(parts, hash=False)

    blocks = [x_blocks, scattered(problem.Y)]
    weights = scattered(problem.sample_weight)
    spec = (
        tuple(net.layer_units),
        net.activation,
        net.out_activation,
        net.dtype.str,
        net.label_smoothing,
    )
    where = [stream.describe(i) for i in range(stream.n_blocks)]
    n = stream.shape[0]

    def evaluate(theta):
        net.params[...] = theta
        [params] = client.scatter([net.params.copy()], broadcast=True, hash=False)
        parts = [
            client.submit(_block_task, params, spec, where[i], x, y, w, pure=False)
            for i, (x, y, w) in enumerate(zip(blocks[0], blocks[1], weights))
        ]
        while len(parts) > 1:
            pairs = [
                client.submit(_add, parts[j], parts[j + 1], pure=False)
                for j in range(0, len(parts) - 1, 2)
            ]
            parts = pairs + ([parts[-1]] if len(parts) % 2 else [])
        return parts[0].result()

    def fun(theta):
        try:
            try:
                total = evaluate(theta)
            except ValueError:  # a bad block, named by the task
                raise
            except Exception:
                # Scattered targets live on one worker each: after a worker
                # died, send them again (Dask recomputes the blocks of X).
                blocks[1], weights[:] = scattered(problem.Y), scattered(problem.sample_weight)
                total = evaluate(theta)
        except ValueError:
            raise
        except Exception as exc:
            raise DistributedError(
                f"An L-BFGS evaluation on the Dask cluster failed ({type(exc).__name__}: "
                f"{exc}); the estimator is unchanged. A worker may have died with blocks "
                "that Dask could not recompute: check the cluster and fit again."
            ) from exc
        # a float64 array of its own: older scipy's L-BFGS-B takes no other gradient
        gradient = np.array(total[1:], dtype=np.float64)
        return add_penalty(net, float(total[0]), gradient, problem.alpha, n)

    fun.blocks = (X, blocks, weights)  # the blocks stay on the workers while the fit runs
    return fun


def _flat_keys(keys):
    if isinstance(keys, list):
        return [k for sub in keys for k in _flat_keys(sub)]
    return [keys]
