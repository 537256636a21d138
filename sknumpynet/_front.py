"""The input block of a tabular network: embeddings and a per-feature scale.

A tabular network reads one float matrix whose columns are, in this order,
``n_continuous`` continuous numbers (already robust-scaled), ``n_other`` other
numeric columns (indicators, booleans, one-hot categories) and one integer
code per embedded categorical column (stored as floats; code 0 means
missing or unknown). The block maps a batch of such rows to the input of
the first dense layer:

* each continuous number ``x_j`` gets a **periodic embedding** followed by a
  per-feature linear map, with ``x_j`` itself kept beside it (RealMLP's
  "PBLD" embedding: periodic, bias, linear, DenseNet-style; Holzmüller et
  al., 2024, arXiv 2407.04491, following the periodic embeddings of
  Gorishniy et al., 2022, arXiv 2203.05556)::

      u_jf = 2 pi w_jf x_j + b_jf                       (f = 1..n_frequencies)
      e_j  = [x_j, cos(u_j) @ V_j + c_j]                  (embedding_dim values)

* or, with ``numerical="piecewise"``, a **piecewise-linear encoding**
  followed by a per-feature linear map, ``x_j`` again kept beside it
  (Gorishniy et al., 2022, the encoding TabM's best variant uses, with the
  bin edges at quantiles of the training column)::

      q_jt = clip((x_j - b_j,t-1) / (b_jt - b_j,t-1), 0, 1)  (t = 1..T_j)
      e_j  = [x_j, q_j @ V_j + c_j]

  where the first bin is not clipped below and the last not above, so that
  ``q_j`` extends linearly beyond the edges. ``V_j`` and ``c_j`` start
  LeCun-uniform, as the periodic embedding's map does, rather than at zero
  as in TabM: the first dense layer's data-dependent start (RealMLP's)
  divides each unit's weights by the spread of its pre-activation on the
  data, and inputs that start at zero leave some units almost constant,
  whose weights that division then blows up (on tables of 10 to 30 rows, 21
  of 500 regressor fits diverged so; none with this start);
* the other numeric columns are passed through;
* each categorical code indexes an **embedding table** of its column
  (``category_dim`` values per category);
* every resulting value is multiplied by a learned **scale** ``s`` (RealMLP's
  scaling layer, initialized to one), which lets the optimizer weigh the
  features before the first dense layer mixes them;
* with ``members = k > 1``, each row is repeated for ``k`` members of an
  ensemble, member ``m`` multiplying it by its own learned vector ``r_m``
  (TabM-mini's adapter, Gorishniy et al., 2025, "TabM: Advancing Tabular
  Deep Learning with Parameter-Efficient Ensembling", ICLR; initialized
  with random signs, as their TabM-mini with numerical embeddings): the block
  returns ``k * n`` rows, member by member, which the shared dense layers
  read as one batch.

All weights are named views into the network's flat parameter vector, and
the backward pass writes their gradients into the same positions of the
flat gradient, so the optimizers and :func:`~sknumpynet.check_gradients`
see them as they see the dense layers. The gradient of a category table is a
segment sum, computed with one ``np.bincount`` per embedding dimension over
all columns at once (the tables are stacked): ``np.add.at`` would be the
obvious code and is several times slower.

This module knows nothing of pandas or scikit-learn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

TWO_PI = 2.0 * math.pi


@dataclass
class InputBlock:
    """Shapes and options of an input block (see the module docstring).

    Parameters
    ----------
    n_continuous, n_other : int
        Number of continuous and of other numeric input columns.
    cardinalities : list of int
        Categories (code 0 included) of each embedded categorical column.
    n_frequencies : int
        Periodic features per continuous column (0, or ``numerical=None``:
        no numerical embedding, the continuous columns pass through as the
        others do).
    embedding_dim : int
        Values per continuous column after the embedding: the number itself
        and ``embedding_dim - 1`` outputs of the per-feature linear map.
    frequency_scale : float
        Standard deviation of the initial frequencies ``w``.
    category_dim : int
        Values per category in the embedding tables.
    scale : bool
        Whether the block ends with the learned per-feature scale.
    members : int
        Members of the ensemble (1: none); see the module docstring.
    numerical : {"periodic", "piecewise", None}
        The embedding of the continuous columns.
    bins : list of list of float
        With ``numerical="piecewise"``, the increasing bin edges of each
        continuous column (at least two per column).
    """

    n_continuous: int
    n_other: int
    cardinalities: list = field(default_factory=list)
    n_frequencies: int = 16
    embedding_dim: int = 4
    frequency_scale: float = 0.1
    category_dim: int = 8
    scale: bool = True
    members: int = 1
    numerical: str | None = "periodic"
    bins: list = field(default_factory=list)

    def __post_init__(self):
        self.cardinalities = [int(c) for c in self.cardinalities]
        if self.numerical not in ("periodic", "piecewise", None):
            raise ValueError(f"Unknown numerical embedding {self.numerical!r}.")
        if self.embeds_numbers and self.embedding_dim < 2:
            raise ValueError("embedding_dim must be at least 2 with numerical embeddings.")
        self.offsets = np.concatenate([[0], np.cumsum(self.cardinalities)[:-1]]).astype(np.intp)
        self._bin_arrays = {}
        if self.numerical == "piecewise":
            self.bins = [[float(b) for b in edges] for edges in self.bins]
            if len(self.bins) != self.n_continuous or any(
                len(edges) < 2 or not np.all(np.diff(edges) > 0) for edges in self.bins
            ):
                raise ValueError(
                    "Piecewise-linear embeddings need increasing bin edges, at least "
                    f"two, for each of the {self.n_continuous} continuous columns."
                )

    @property
    def n_bins(self) -> int:
        """Bins of the piecewise-linear encoding: the most of any column
        (the others' encodings are padded with zeros)."""
        return max((len(edges) - 1 for edges in self.bins), default=0)

    def _piecewise(self, dtype) -> tuple[np.ndarray, ...]:
        """``(low, inverse_width, clip_low, clip_high)``, each ``(c, n_bins)``:
        ``q = clip((x - low) * inverse_width, clip_low, clip_high)``."""
        dtype = np.dtype(dtype)
        arrays = self._bin_arrays.get(dtype)
        if arrays is None:
            c, t = self.n_continuous, self.n_bins
            low, inverse = np.zeros((c, t)), np.zeros((c, t))
            clip_low, clip_high = np.zeros((c, t)), np.zeros((c, t))
            for j, edges in enumerate(self.bins):
                edges = np.asarray(edges)
                k = edges.shape[0] - 1
                low[j, :k] = edges[:-1]
                inverse[j, :k] = 1.0 / np.diff(edges)
                clip_high[j, :k] = 1.0
                clip_low[j, 0] = -np.inf  # the first bin extends below its edge
                clip_high[j, k - 1] = np.inf  # and the last above
            arrays = self._bin_arrays[dtype] = tuple(
                a.astype(dtype) for a in (low, inverse, clip_low, clip_high)
            )
        return arrays

    # ------------------------------------------------------------- shapes
    @property
    def embeds_numbers(self) -> bool:
        if self.numerical == "piecewise":
            return self.n_continuous > 0
        return self.numerical == "periodic" and self.n_frequencies > 0 and self.n_continuous > 0

    @property
    def n_inputs(self) -> int:
        """Columns of the block's input."""
        return self.n_continuous + self.n_other + len(self.cardinalities)

    @property
    def n_outputs(self) -> int:
        """Columns of the block's output, the first dense layer's input."""
        numbers = self.n_continuous * (self.embedding_dim if self.embeds_numbers else 1)
        return numbers + self.n_other + len(self.cardinalities) * self.category_dim

    def shapes(self) -> list[tuple[str, tuple]]:
        """Name and shape of each weight array, in their order in the flat vector."""
        shapes = []
        c, f = self.n_continuous, self.n_frequencies
        if self.embeds_numbers and self.numerical == "piecewise":
            shapes += [
                ("bin_weights", (c, self.n_bins, self.embedding_dim - 1)),
                ("bin_biases", (c, self.embedding_dim - 1)),
            ]
        elif self.embeds_numbers:
            shapes += [
                ("frequencies", (c, f)),
                ("phases", (c, f)),
                ("embedding_weights", (c, f, self.embedding_dim - 1)),
                ("embedding_biases", (c, self.embedding_dim - 1)),
            ]
        if self.cardinalities:
            shapes.append(("category_tables", (sum(self.cardinalities), self.category_dim)))
        if self.scale:
            shapes.append(("scale", (self.n_outputs,)))
        if self.members > 1:
            shapes.append(("member_scales", (self.members, self.n_outputs)))
        return shapes

    @property
    def size(self) -> int:
        return sum(math.prod(shape) for _, shape in self.shapes())

    def spec(self) -> dict:
        """The constructor's arguments, as plain values (for a fitted estimator)."""
        return {
            "n_continuous": self.n_continuous,
            "n_other": self.n_other,
            "cardinalities": list(self.cardinalities),
            "n_frequencies": self.n_frequencies,
            "embedding_dim": self.embedding_dim,
            "frequency_scale": self.frequency_scale,
            "category_dim": self.category_dim,
            "scale": self.scale,
            "members": self.members,
            "numerical": self.numerical,
            "bins": [list(edges) for edges in self.bins],
        }

    def views(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """Named views of ``flat`` (the block's part of a flat vector)."""
        out, start = {}, 0
        for name, shape in self.shapes():
            stop = start + math.prod(shape)
            out[name] = flat[start:stop].reshape(shape)
            start = stop
        return out

    def initialize(self, weights: dict, random_state) -> None:
        """Initial weights: frequencies ``N(0, frequency_scale**2)``, phases
        ``U(-pi, pi)``, the per-feature linear maps LeCun-uniform over their
        ``n_frequencies`` inputs, category tables ``N(0, 1)`` (as RealMLP)
        and the scale at one; the piecewise-linear maps LeCun-uniform over
        their ``n_bins`` inputs (see the module docstring)."""
        if self.embeds_numbers and self.numerical == "piecewise":
            bound = math.sqrt(3.0 / self.n_bins)
            for name in ("bin_weights", "bin_biases"):
                weights[name][...] = random_state.uniform(-bound, bound, weights[name].shape)
        elif self.embeds_numbers:
            weights["frequencies"][...] = random_state.normal(
                0.0, self.frequency_scale, weights["frequencies"].shape
            )
            weights["phases"][...] = random_state.uniform(
                -math.pi, math.pi, weights["phases"].shape
            )
            bound = math.sqrt(3.0 / self.n_frequencies)
            for name in ("embedding_weights", "embedding_biases"):
                weights[name][...] = random_state.uniform(-bound, bound, weights[name].shape)
        if self.cardinalities:
            tables = weights["category_tables"]
            tables[...] = random_state.normal(0.0, 1.0, tables.shape)
        if self.scale:
            weights["scale"][...] = 1.0
        if self.members > 1:
            shape = weights["member_scales"].shape
            weights["member_scales"][...] = 2.0 * random_state.randint(0, 2, shape) - 1.0

    # ------------------------------------------------------ forward/backward
    def _clip_bounds(self, cache: dict, n: int, dtype) -> tuple[np.ndarray, np.ndarray]:
        """The piecewise-linear embedding's clip bounds, each ``(c, n, n_bins)``,
        made once per batch size and kept in ``cache``: contiguous bounds make
        ``maximum`` and ``minimum`` five times as fast as broadcast ones."""
        key = ("clip bounds", n, np.dtype(dtype))
        bounds = cache.get(key)
        if bounds is None:
            _, _, clip_low, clip_high = self._piecewise(dtype)
            shape = (self.n_continuous, n, self.n_bins)
            bounds = cache[key] = tuple(
                np.ascontiguousarray(np.broadcast_to(bound[:, None, :], shape))
                for bound in (clip_low, clip_high)
            )
        return bounds

    @staticmethod
    def _buffer(cache: dict, name: str, shape: tuple, dtype) -> np.ndarray:
        """A work array kept in ``cache`` from batch to batch: an epoch has at
        most two batch sizes, so training allocates these once."""
        key = (name, shape, np.dtype(dtype))
        array = cache.get(key)
        if array is None:
            if len(cache) > 64:  # batch sizes come and go (partial_fit)
                for stale in [k for k in cache if isinstance(k, tuple)]:
                    del cache[stale]
            array = cache[key] = np.empty(shape, dtype=dtype)
        return array

    def forward(self, X: np.ndarray, weights: dict, cache: dict | None = None) -> np.ndarray:
        """The block's output for rows ``X``, a ``(members * n, n_outputs)`` array.

        ``cache``, when given, receives what :meth:`backward` needs and keeps
        the work arrays from batch to batch: the output is then one of them,
        valid until the next call with the same cache. Without a cache the
        output is a new array.
        """
        n, c, o = X.shape[0], self.n_continuous, self.n_other
        dtype = X.dtype
        if cache is None:
            work = lambda name, shape, dtype=dtype: np.empty(shape, dtype=dtype)  # noqa: E731
        else:
            work = lambda name, shape, dtype=dtype: self._buffer(cache, name, shape, dtype)  # noqa: E731
        H = work("output", (n, self.n_outputs))
        col = 0
        if self.embeds_numbers and self.numerical == "piecewise":
            e, t = self.embedding_dim, self.n_bins
            x = X[:, :c]
            low, inverse, clip_low, clip_high = self._piecewise(dtype)
            # q[j]: the encoding of column j, (c, n, t), feature-major
            q = np.subtract(x.T[:, :, None], low[:, None, :], out=work("q", (c, n, t)))
            q *= inverse[:, None, :]
            if cache is None:
                clip_low, clip_high = clip_low[:, None, :], clip_high[:, None, :]
            else:
                clip_low, clip_high = self._clip_bounds(cache, n, dtype)
            # maximum and minimum: np.clip runs 3 times as long on these shapes
            np.maximum(q, clip_low, out=q)
            np.minimum(q, clip_high, out=q)
            h = np.matmul(q, weights["bin_weights"], out=work("h", (c, n, e - 1)))
            h += weights["bin_biases"][:, None, :]
            block = H[:, : c * e].reshape(n, c, e)
            block[:, :, 0] = x
            block[:, :, 1:] = h.transpose(1, 0, 2)
            col = c * e
            if cache is not None:
                cache["q"] = q
        elif self.embeds_numbers:
            e, f = self.embedding_dim, self.n_frequencies
            x = X[:, :c]
            # u[j] = 2 pi w_j x_j + b_j: (c, n, f), feature-major for the
            # per-feature matrix products below
            scaled = np.multiply(weights["frequencies"], TWO_PI, out=work("2pi w", (c, f)))
            u = np.multiply(x.T[:, :, None], scaled[:, None, :], out=work("u", (c, n, f)))
            u += weights["phases"][:, None, :]
            p = np.cos(u, out=work("p", (c, n, f)))
            h = np.matmul(p, weights["embedding_weights"], out=work("h", (c, n, e - 1)))
            h += weights["embedding_biases"][:, None, :]
            block = H[:, : c * e].reshape(n, c, e)
            block[:, :, 0] = x
            block[:, :, 1:] = h.transpose(1, 0, 2)
            col = c * e
            if cache is not None:
                cache["u"], cache["p"] = u, p
        else:
            H[:, :c] = X[:, :c]
            col = c
        H[:, col : col + o] = X[:, c : c + o]
        col += o
        if self.cardinalities:
            # row indices into the stacked tables: the codes (integers stored
            # as floats) plus each column's offset
            codes = work("codes", (n, len(self.cardinalities)), np.intp)
            np.add(X[:, c + o :], self.offsets, out=codes, casting="unsafe")
            shape = (n, len(self.cardinalities), self.category_dim)
            # the encoder's codes are in range: "clip" spares take its checks
            rows = np.take(
                weights["category_tables"], codes, axis=0, out=work("rows", shape), mode="clip"
            )
            H[:, col:].reshape(shape)[...] = rows
            if cache is not None:
                cache["codes"] = codes
        if self.scale:
            if cache is not None:
                unscaled = cache["unscaled"] = work("unscaled", H.shape)
                np.copyto(unscaled, H)
            H *= weights["scale"]
        if self.members > 1:
            if cache is not None:
                cache["shared"] = H
            k = self.members
            E = work("members", (k * n, H.shape[1]))
            np.multiply(H[None], weights["member_scales"][:, None, :], out=E.reshape(k, n, -1))
            return E
        return H

    def gradient_buffer(self, cache: dict, n_rows: int, dtype) -> np.ndarray:
        """A work array for the gradient with respect to the block's output
        (``n_rows`` rows: every member's), which :meth:`backward` takes."""
        return self._buffer(cache, "output gradient", (n_rows, self.n_outputs), dtype)

    def backward(self, X: np.ndarray, G: np.ndarray, weights: dict, grads: dict, cache: dict):
        """Write the gradients of the block's weights, given ``G``, the gradient
        of the loss with respect to the block's output (overwritten), and the
        ``cache`` that :meth:`forward` filled for the same rows ``X``: once
        per forward pass, whose cosines it overwrites."""
        n, c, o = X.shape[0], self.n_continuous, self.n_other
        if self.members > 1:
            G3 = G.reshape(self.members, n, -1)
            np.einsum("mnd,nd->md", G3, cache["shared"], out=grads["member_scales"])
            shared = self._buffer(cache, "shared gradient", (n, G.shape[1]), G.dtype)
            G = np.einsum("mnd,md->nd", G3, weights["member_scales"], out=shared)
        if self.scale:
            np.einsum("ij,ij->j", G, cache["unscaled"], out=grads["scale"])
            G *= weights["scale"]
        if self.embeds_numbers and self.numerical == "piecewise":
            e = self.embedding_dim
            Gh = G[:, : c * e].reshape(n, c, e)[:, :, 1:].transpose(1, 0, 2)  # (c, n, e - 1)
            np.add.reduce(Gh, axis=1, out=grads["bin_biases"])
            np.matmul(cache["q"].transpose(0, 2, 1), Gh, out=grads["bin_weights"])
        elif self.embeds_numbers:
            e, f = self.embedding_dim, self.n_frequencies
            Gh = G[:, : c * e].reshape(n, c, e)[:, :, 1:].transpose(1, 0, 2)  # (c, n, e - 1)
            np.add.reduce(Gh, axis=1, out=grads["embedding_biases"])
            p, u = cache["p"], cache["u"]
            np.matmul(p.transpose(0, 2, 1), Gh, out=grads["embedding_weights"])
            Gp = self._buffer(cache, "periodic gradient", (c, n, f), G.dtype)
            np.matmul(Gh, weights["embedding_weights"].transpose(0, 2, 1), out=Gp)
            # d cos(u) = -sin(u) du; du/db = 1, du/dw = 2 pi x. The cosines
            # are read no more: their array takes -sin(u).
            sine = np.sin(u, out=p)
            np.negative(sine, out=sine)
            Gp *= sine
            np.add.reduce(Gp, axis=1, out=grads["phases"])
            np.einsum("jnf,nj->jf", Gp, X[:, :c], out=grads["frequencies"])
            grads["frequencies"] *= TWO_PI
        if self.cardinalities:
            start = c * (self.embedding_dim if self.embeds_numbers else 1) + o
            d = self.category_dim
            Gc = G[:, start:].reshape(-1, d)
            codes = cache["codes"].ravel()
            tables = grads["category_tables"]
            rows = tables.shape[0]
            for k in range(d):
                tables[:, k] = np.bincount(codes, weights=Gc[:, k], minlength=rows)
