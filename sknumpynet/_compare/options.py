"""The numeric options of ``compare``: their ranges and the checks of what they ask for.

Each numeric option is parsed by an argparse ``type`` function here, which
refuses a value out of its range while the command line is parsed, naming
the option (argparse puts ``argument --max-iter:`` before the message).
:func:`check_network_memory` checks what ``--hidden`` asks for once the
width of the data is known.
"""

from __future__ import annotations

import argparse
import math
import os

import numpy as np

from .errors import CommandError

# The ranges of the numeric options, checked while parsing. The largest seed
# numpy's RandomState takes: the seed of the data, the split and the models.
MAX_SEED = 2**32 - 1
# Epochs: a million is days of fitting for the largest built-in set, and far
# past where any model here stops improving.
MAX_ITER = 1_000_000
# A hidden layer's units, and the layers: a layer of 100,000 units on the
# 784 pixels of mnist-like has 78 million weights (0.6 GB in float64); the
# memory of a whole network is checked once the data's width is known (see
# check_network_memory).
MAX_LAYER_SIZE = 100_000
MAX_LAYERS = 100
# A mini-batch larger than the training set is the training set: a larger
# one is cut to it (with a note), and beyond this one is a typo.
MAX_BATCH_SIZE = 1_000_000
# Past an L2 penalty of 10,000 every model of the built-in sets is at chance
# level, and the stochastic solvers diverge.
MAX_ALPHA = 1e4


def parse_hidden(text: str) -> tuple[int, ...]:
    """``"100,50"`` -> ``(100, 50)``; an empty string gives no hidden layer.

    Each size is an integer from 1 to :data:`MAX_LAYER_SIZE`, and there are
    at most :data:`MAX_LAYERS` of them.

    Examples
    --------
    >>> parse_hidden("100, 50")
    (100, 50)
    """
    try:
        sizes = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers, e.g. 100,50; got {text!r}"
        ) from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"sizes must be positive, got {text!r}")
    too_large = [size for size in sizes if size > MAX_LAYER_SIZE]
    if too_large:
        raise argparse.ArgumentTypeError(
            f"a hidden layer may have at most {MAX_LAYER_SIZE} units, got {too_large[0]}"
        )
    if len(sizes) > MAX_LAYERS:
        raise argparse.ArgumentTypeError(f"at most {MAX_LAYERS} hidden layers, got {len(sizes)}")
    return sizes


def _int_from(low: int, high: int, what: str):
    """An argparse ``type``: an integer from ``low`` to ``high``, called ``what``."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:  # also a number of more than 4300 digits
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {what} up to {high}, got {text!r}")
        return value

    return parse


# --max-iter: an integer from 1 to MAX_ITER
parse_max_iter = _int_from(1, MAX_ITER, "a positive integer")
_batch_size_int = _int_from(1, MAX_BATCH_SIZE, "a positive integer")


def parse_seed(text):
    """``--seed``: an integer from 0 to :data:`MAX_SEED`."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected an integer from 0 to {MAX_SEED}, got {text!r}")
    return value


def parse_batch_size(text):
    """``--batch-size``: ``auto``, or an integer from 1 to :data:`MAX_BATCH_SIZE`."""
    return "auto" if text == "auto" else _batch_size_int(text)


def parse_alpha(text):
    """``--alpha``: a number from 0 to :data:`MAX_ALPHA`."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text!r}")
    if value > MAX_ALPHA:
        raise argparse.ArgumentTypeError(
            f"expected a number from 0 to {MAX_ALPHA:g} (a larger L2 penalty leaves every "
            f"model at chance level), got {text!r}"
        )
    return value


def _physical_memory() -> int | None:
    """Bytes of physical memory, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None


def check_network_memory(hidden, n_features, n_outputs, *, dtype, name, memory=None) -> None:
    """Refuse ``--hidden`` sizes whose network would not fit in memory.

    A fit holds four arrays the size of the weights (the weights, their
    gradients and the two moments of Adam); the check refuses a network
    whose four arrays take more than the machine's physical memory.

    Parameters
    ----------
    hidden : tuple of int
        The hidden layer sizes.
    n_features, n_outputs : int
        The widths of the input and output layers.
    dtype : str or numpy dtype
        The dtype of the weights.
    name : str
        The data set, for the message.
    memory : int, default=None
        Bytes available; None for the machine's physical memory (no check
        where the system does not say).

    Examples
    --------
    >>> check_network_memory((100,), 64, 10, dtype="float64", name="digits", memory=2**30)
    >>> check_network_memory((100_000, 100_000), 64, 10, dtype="float64", name="digits",
    ...                      memory=2**34)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sknumpynet._compare.errors.CommandError: --hidden 100000,100000: the MLPs on digits would ...
    """
    memory = _physical_memory() if memory is None else memory
    if memory is None:
        return
    widths = [n_features, *hidden, n_outputs]
    n_weights = sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:]))
    size = n_weights * np.dtype(dtype).itemsize
    if 4 * size > memory:
        shapes = ", ".join(f"{a} x {b}" for a, b in zip(widths[:-1], widths[1:]))
        raise CommandError(
            f"--hidden {','.join(map(str, hidden))}: the MLPs on {name} would have "
            f"{n_weights:,} weights ({shapes}), {_gib(size)} in {np.dtype(dtype).name}; a fit "
            f"holds four arrays of that size, more than the {_gib(memory)} of memory"
        )


def _gib(n_bytes) -> str:
    return f"{n_bytes / 2**30:.1f} GiB"
