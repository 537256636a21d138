"""TabularMLPClassifier and TabularMLPRegressor: RealMLP's recipe in the numpy engine.

A table goes in as it is (a DataFrame of numbers, categories, strings,
booleans and missing cells, or an array); ``_tables.TableEncoder``, fitted
inside ``fit``, turns it into float columns and category codes; an input
block (``_front``) embeds them; the dense layers of the engine do the rest.
The defaults are those of RealMLP-TD (Holzmüller, Grinsztajn and Steinwart,
2024, "Better by Default: Strong Pre-Tuned MLPs and Boosted Trees on Tabular
Data", arXiv 2407.04491), as its reference code (pytabkit) runs them, but for
the numerical embedding: TabM's piecewise-linear one (Gorishniy, Kotelnikov
and Babenko, 2025, "TabM: Advancing Tabular Deep Learning with
Parameter-Efficient Ensembling", ICLR) rather than RealMLP's periodic one.
"""

from __future__ import annotations

import copy
import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    _num_samples,
    check_array,
    check_consistent_length,
    column_or_1d,
)

from . import _streaming
from ._activations import ACTIVATIONS, NEEDS_INPUT
from ._base import (
    BaseNumpyNet,
    BaseNumpyNetClassifier,
    BaseNumpyNetRegressor,
)
from ._callbacks import wants_callbacks, with_callbacks
from ._docs import REGRESSOR_ATTRIBUTES, SHARED_ATTRIBUTES
from ._front import InputBlock
from ._hooks import Hook
from ._network import Network, combine_members, predict_chunks
from ._optimizers import LR_SCHEDULES
from ._tables import TableEncoder, repeat_counts, weighted_quantiles
from ._weights import check_sample_weight

# RealMLP-TD's learning-rate factors of the weight arrays (pytabkit,
# ``nn_models/nn.py``): biases 0.1, the numerical embeddings 0.1, the scale
# layer 6, category tables 1, parametric activations 0.1 (``act_lr_factor``;
# pytabkit ``nn_models/activations.py``); the dense weights are in the neural tangent
# parametrization (see TabularMLPClassifier's Notes). The piecewise-linear
# embedding's maps train as RealMLP's embeddings do.
_LR_FACTORS = {
    "intercepts_": 0.1,
    "frequencies": 0.1,
    "phases": 0.1,
    "embedding_weights": 0.1,
    "embedding_biases": 0.1,
    "bin_weights": 0.1,
    "bin_biases": 0.1,
    "scale": 6.0,
    "category_tables": 1.0,
    "activation_weights_": 0.1,
    # TabM's adapters train at the network's learning rate
    "member_scales": 1.0,
}


# The mini-batch steps that ``max_iter="auto"`` allows a fit, shared by its
# networks when it has several (see ``_max_epochs``).
STEP_BUDGET = 1024

# ``n_cv="auto"`` trains AUTO_CV networks on tables of at most AUTO_CV_MAX_ROWS
# rows: there, each of the five runs its 256 epochs, or fewer to share the
# STEP_BUDGET, on at most 410 rows, so that the five cost about one fit of a
# large table. Above, each network's share is a few dozen epochs: on the 10
# development tables of 900 to 10,000 rows, five networks of 16 to 68 epochs
# scored 0.005 +- 0.005 above one network (2 seeds), for 1.2 times its time.
AUTO_CV = 5
AUTO_CV_MAX_ROWS = 512

# The fitted attributes a model of several members shares with them: what its
# predictions need beyond the members, and the input's description.
_SHARED_WITH_MEMBERS = (
    "n_features_in_",
    "feature_names_in_",
    "classes_",
    "_label_binarizer",
    "out_activation_",
    "n_outputs_",
    "_target_scaling",
)

# The narrowest bin of the piecewise-linear embedding, in scaled units.
MIN_BIN_WIDTH = 1e-5

# RealMLP's data-dependent start divides a unit's weights by the spread of its
# pre-activation; at most this many times the layer's median spread
# (see ``_initialize``).
MAX_START_GAIN = 10.0


class DropoutSchedule(Hook):
    """Scale the dropout rates by ``LR_SCHEDULES[schedule]`` of the progress, per epoch.

    RealMLP lowers its dropout with the "flat_cos" schedule: the full rate
    for the first half of the epochs, then a cosine decay to none.
    """

    def __init__(self, rates: tuple, schedule: str, n_epochs: int):
        self.rates = tuple(rates)
        self.schedule = LR_SCHEDULES[schedule]
        self.n_epochs = max(int(n_epochs), 1)
        self.epoch = 0

    def on_epoch_end(self, state, net):
        self.epoch += 1
        factor = self.schedule(min(self.epoch / self.n_epochs, 1.0))
        net.dropout = tuple(rate * factor for rate in self.rates)
        return False

    def on_train_end(self, state, net):
        net.dropout = self.rates


class _TabularMixin:
    """What both tabular estimators add to the engine's estimators."""

    # early stopping is on by default; partial_fit trains on every row it is given
    _partial_fit_skips_early_stopping = True
    # RealMLP keeps the last of the epochs with the best validation score
    # (pytabkit ``training/lightning_modules.py``)
    _best_epoch_ties_to_later = True
    # A failed fit's message does not advise scaling the features: the encoder
    # scales the numbers, and the network's other inputs are indicators and
    # category codes, far from standardized by design.
    _scaling_advice = False
    # RealMLP's learning rates (0.04, 0.2) without warm-up spike the loss in the
    # first epochs of a short schedule (one step per epoch on a small table, an
    # integer max_iter): it comes back, and the best epoch is restored anyway
    _spikes_pass_with_best_epoch = True

    _tabular_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "dropout_schedule": [None, StrOptions(set(LR_SCHEDULES))],
        "numerical_embedding": [None, StrOptions({"periodic", "piecewise"})],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "weight_decay_schedule": [None, StrOptions(set(LR_SCHEDULES))],
        "n_frequencies": [Interval(Integral, 1, None, closed="left")],
        "frequency_scale": [Interval(Real, 0, None, closed="neither")],
        "embedding_dim": [Interval(Integral, 2, None, closed="left")],
        "category_embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "max_one_hot": [Interval(Integral, 0, None, closed="left")],
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "feature_scale": ["boolean"],
        "parametric_activation": ["boolean"],
        "parametrization": [StrOptions({"ntk", "standard"})],
        "dtype": [StrOptions({"float32", "float64"})],
        "n_members": [Interval(Integral, 1, None, closed="left")],
        "n_cv": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    }

    def _architecture(self):
        return self.hidden_layer_sizes, self.activation

    # ------------------------------------------------------ several members
    def _fit_tabular(self, X, y, sample_weight):
        """``fit``: one network, or with ``n_cv`` above 1 that many members."""
        self._validate_params()
        n_members = self._n_cv_members(X)
        if n_members > 1:
            return self._publish_fit(
                lambda random_state: self._fit_members(
                    X, y, sample_weight, n_members, random_state
                )
            )
        if self.warm_start and _has_networks(self):
            raise ValueError(
                f"warm_start=True goes on training one network, and this model is "
                f"{len(self.estimators_)} networks (n_cv). Fit with warm_start=False."
            )
        return super().fit(X, y, sample_weight=sample_weight)

    def _n_cv_members(self, X) -> int:
        """The networks that ``fit`` trains: ``n_cv``, or "auto"'s choice."""
        try:
            n_samples = _num_samples(X)
        except TypeError:  # not a table: the fit refuses it with its own words
            n_samples = 0
        held_out = self.early_stopping and self.solver != "lbfgs"
        if self.n_cv == "auto":
            fits = held_out and not self.warm_start and 2 * AUTO_CV <= n_samples
            return AUTO_CV if fits and n_samples <= AUTO_CV_MAX_ROWS else 1
        if self.n_cv == 1:
            return 1
        if not held_out:
            raise ValueError(
                f"n_cv={self.n_cv} chooses each member's best epoch on the rows held "
                f"out from it: it needs early_stopping=True and the 'adam' or 'sgd' "
                f"solver (got early_stopping={self.early_stopping}, "
                f"solver={self.solver!r})."
            )
        if self.warm_start:
            raise ValueError(
                f"warm_start=True goes on training one network; n_cv={self.n_cv} "
                "trains several from their start. Set n_cv=1 or warm_start=False."
            )
        if n_samples and n_samples < 2 * self.n_cv:
            raise ValueError(
                f"n_cv={self.n_cv} holds out one of {self.n_cv} folds of the "
                f"{n_samples} samples for each member: it needs at least "
                f"{2 * self.n_cv} samples, 2 per fold."
            )
        return self.n_cv

    @with_callbacks
    def _fit_members(self, X, y, sample_weight, n_members: int, random_state) -> dict:
        """The fitted attributes of ``n_members`` networks, each with a fold held out.

        Each member is a clone with ``n_cv=1`` fitted on every row, its own
        fold held out for the best epoch, and a seed of its own drawn from
        ``random_state``.
        """
        members = []
        for held_out in self._folds(X, y, n_members, random_state):
            seed = int(random_state.randint(np.iinfo(np.int32).max))
            member = clone(self).set_params(n_cv=1, random_state=seed)
            # callbacks reach the members from this call's context, not by cloning
            member.__dict__.pop("_skl_callbacks", None)
            member._held_out_rows = held_out
            # max_iter="auto"'s steps, shared by the members
            member._step_budget = STEP_BUDGET // n_members
            members.append(member)

        def fit(member):
            try:
                member.fit(X, y, sample_weight=sample_weight)
            finally:
                del member._held_out_rows, member._step_budget

        return self._train_members(members, fit, X, y, sample_weight)

    @with_callbacks
    def _partial_fit_members(self, X, y, classes, sample_weight) -> dict:
        """The fitted attributes of the networks trained on the rows given, each
        in a copy, with the model's parameters of now but ``n_cv`` and
        ``random_state`` (each network goes on with its own seed)."""
        params = {
            name: value
            for name, value in self.get_params(deep=False).items()
            if name not in ("n_cv", "random_state")
        }
        members = [copy.copy(member).set_params(**params) for member in self.estimators_]

        def partial_fit(member):
            if is_classifier(self):
                member.partial_fit(X, y, classes=classes, sample_weight=sample_weight)
            else:
                member.partial_fit(X, y, sample_weight=sample_weight)

        return self._train_members(members, partial_fit, X, y, sample_weight)

    def _train_members(self, members: list, train, X, y, sample_weight) -> dict:
        """``train(member)`` for each member, then the fitted attributes of them all.

        scikit-learn's callbacks see each member's training as a subtask of
        this call, and the end of the call is shown the model of them all.
        """
        context = metadata = None
        if wants_callbacks(self):
            context, metadata = self._begin_fit_task(X, y, sample_weight, len(members))
        for member in members:
            if context is None:
                train(member)
                continue
            task = context.subcontext(task_name="member")
            with task.propagate_callback_context(member):
                task.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
                train(member)
                task.call_on_fit_task_end(estimator=self, X=X, y=y)
        attributes = _members_attributes(members)
        self._end_fit_task(X, y, attributes)
        return attributes

    def _folds(self, X, y, n_members: int, random_state) -> list:
        """The rows each member holds out: the folds of a shuffled k-fold split,
        stratified by class where every class has a row in each fold."""
        n_samples = _num_samples(X)
        seed = int(random_state.randint(np.iinfo(np.int32).max))
        labels = None
        if is_classifier(self):
            try:
                labels = np.asarray(y)
                labels = (
                    column_or_1d(labels) if labels.ndim == 2 and labels.shape[1] == 1 else labels
                )
                if labels.dtype.kind == "f" and not np.isfinite(labels).all():
                    labels = None  # the members' fit refuses them
                elif type_of_target(labels) not in ("binary", "multiclass"):
                    labels = None
                elif np.unique(labels, return_counts=True)[1].min() < n_members:
                    labels = None
            except (TypeError, ValueError):  # the members' fit words the problem
                labels = None
        if labels is None:
            splitter = KFold(n_members, shuffle=True, random_state=seed)
        else:
            splitter = StratifiedKFold(n_members, shuffle=True, random_state=seed)
        return [rows for _, rows in splitter.split(np.empty((n_samples, 0)), labels)]

    def _validation_split(self, Y, random_state):
        held_out = self.__dict__.get("_held_out_rows")
        if held_out is None:
            return super()._validation_split(Y, random_state)
        mask = np.zeros(Y.shape[0], dtype=bool)
        mask[held_out] = True
        return np.flatnonzero(~mask), np.flatnonzero(mask)

    def _partial_fit(self, X, y, classes, sample_weight):
        """One network, or each network of a model of several, trained on the
        rows given: the networks each go on in a copy, and the copies replace
        them once all are trained."""
        if not _has_networks(self):
            return super()._partial_fit(X, y, classes, sample_weight)
        self._publish(self._partial_fit_members(X, y, classes, sample_weight))
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

    # ------------------------------------------------------------- input
    def _validate_input(self, X, y, dtype, reset: bool, sample_weight=None):
        """Encode the table (the encoder is fitted on a first fit, with the
        sample weights as repeats of the rows) and check ``y``."""
        # a first fit computes in the estimator's dtype; check_gradients asks for float64
        dtype = np.dtype(self.dtype if isinstance(dtype, list) else dtype)
        if reset:
            # the encoder counts the code of missing and unknown values among the categories
            if sample_weight is not None:
                sample_weight = check_sample_weight(sample_weight, _num_samples(X), np.float64)
            encoder = TableEncoder(
                max_one_hot=self.max_one_hot + 1,
                # a name, not a numpy.dtype: skops then trusts it without being told
                dtype=dtype.name,
                categorical_features=self.categorical_features,
            )
            # its messages about the columns then name the estimator the user called
            encoder._owner = type(self).__name__
            encoder.fit(X, sample_weight=sample_weight)
        else:
            encoder = self._encoder
            _check_same_encoding(encoder, self)
        table = encoder.transform(X)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        # as scikit-learn's validate_data checks y for multi-output estimators
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_consistent_length(table.num, y)
        if self._y_numeric:
            from . import _targets as targets

            y = targets.numeric(y)
        X = _engine_input(table, encoder.dtype if hasattr(encoder, "dtype") else dtype)
        recorded = {"n_features_in_": encoder.n_features_in_, "_encoder": encoder}
        if hasattr(encoder, "feature_names_in_"):
            recorded["feature_names_in_"] = encoder.feature_names_in_
        recorded["_input_spec"] = self._block_spec(encoder, table, reset, sample_weight)
        return X, y, recorded

    def _validate_stream(self, stream, y, dtype, classes, *, first):
        raise TypeError(
            f"{type(self).__name__} fits tables in memory (a DataFrame, an array or a "
            "sparse matrix): its encoder learns each column's statistics from all rows. "
            "Streamed data (Dask arrays and DataFrames, large memory maps, "
            "sknumpynet.stream) trains MLPClassifierNP and MLPRegressorNP."
        )

    def _block_spec(self, encoder, table, reset: bool, sample_weight=None) -> dict:
        embed = self.numerical_embedding
        c = encoder.n_continuous_
        options = {
            "numerical": embed,
            "n_frequencies": self.n_frequencies if embed else 0,
            "embedding_dim": self.embedding_dim,
            "category_dim": self.category_embedding_dim,
            "scale": self.feature_scale,
            "members": self.n_members,
        }
        if not reset:
            # the edges, like the encoder, are learned by a first fit
            fitted = InputBlock(**self._input_spec).spec()
            _check_same_block(fitted, options)
            bins = fitted["bins"]
        elif embed == "piecewise":
            bins = _quantile_bins(table.num[:, :c], sample_weight, self.n_bins)
        else:
            bins = []
        return InputBlock(
            n_continuous=c,
            n_other=table.num.shape[1] - c,
            cardinalities=list(encoder.cardinalities_),
            bins=bins,
            frequency_scale=self.frequency_scale,
            **options,
        ).spec()

    def _network_options(self, n_hidden):
        # dropout masks from random bits: a quarter of the cost of float draws
        return super()._network_options(n_hidden) | {
            "dropout_bits": True,
            "parametric": bool(self.parametric_activation),
        }

    def _input_block(self, fitted):
        if self.n_members > 1 and not len(self.hidden_layer_sizes):
            raise ValueError(
                f"n_members={self.n_members} needs hidden layers: the members share "
                "them and differ in their input scales and output layers."
            )
        return InputBlock(**fitted["_input_spec"])

    def _restore_extra_weights(self, net):
        fitted = self.__dict__.get("activation_weights_")
        if net.parametric != (fitted is not None):
            raise ValueError(
                "warm_start and partial_fit go on with the network of the first fit: "
                f"parametric_activation gave {fitted is not None!r} there and "
                f"{net.parametric!r} now. Set parametric_activation="
                f"{fitted is not None!r} to go on, or fit with warm_start=False to "
                "change it."
            )
        for name, array in self.input_weights_.items():
            net.front_weights[name][...] = array
        for a, array in zip(net.act_weights or (), fitted or ()):
            a[...] = array

    def _n_ensemble_members(self):
        spec = getattr(self, "_input_spec", None)
        return 1 if spec is None else spec.get("members", 1)

    def _first_layer_inputs(self, default):
        spec = getattr(self, "_input_spec", None)
        return default if spec is None else InputBlock(**spec).n_outputs

    # ----------------------------------------------------------- training
    def _initialize(self, net: Network, X, random_state) -> None:
        """RealMLP-TD's data-dependent start (pytabkit's "std" and "he+5" modes).

        Weights are drawn ``N(0, 1 / fan_in)``; then, layer by layer on up to
        1,000 training rows, each unit's weights are divided by the standard
        deviation of its pre-activation and its intercept is minus a random
        convex combination (weights ``Exp(1)``, normalized) of its
        pre-activations at 5 random rows, so that every unit starts with unit
        variance and a kink among the data.
        """
        net.initialize(random_state)
        if self.parametrization != "ntk":
            return
        for W, b in zip(net.coefs, net.intercepts):
            W[...] = random_state.normal(0.0, 1.0 / math.sqrt(max(W.shape[-2], 1)), W.shape)
            b[...] = 0.0
        n = X.shape[0]
        rows = np.sort(random_state.choice(n, min(n, 1000), replace=False))
        A = net.front.forward(X[rows], net.front_weights)  # every member's rows
        act = ACTIVATIONS[net.activation]
        last = len(net.coefs) - 1
        for i, (W, b) in enumerate(zip(net.coefs, net.intercepts)):
            if W.ndim == 3:  # the members' output layers, each on its rows
                Z = np.matmul(A.reshape(W.shape[0], -1, A.shape[1]), W)
            else:
                Z = (A @ W)[None]
            std = Z.std(axis=1)
            # A unit whose pre-activation barely varies on the rows (on a
            # few rows in tight clusters, its weights nearly orthogonal to
            # what varies) would have its weights multiplied a thousandfold:
            # the division is capped at MAX_START_GAIN times the layer's
            # typical one, and a constant unit is left as drawn.
            np.maximum(std, np.median(std, axis=-1, keepdims=True) / MAX_START_GAIN, out=std)
            std[std == 0] = 1.0
            W /= std[:, None, :] if W.ndim == 3 else std[0]
            Z /= std[:, None, :]
            picks = random_state.choice(Z.shape[1], min(5, Z.shape[1]), replace=False)
            mix = random_state.exponential(1.0, size=(picks.shape[0], Z.shape[2]))
            mix /= mix.sum(axis=0)
            offsets = -np.einsum("pu,kpu->ku", mix, Z[:, picks])
            b[...] = offsets if W.ndim == 3 else offsets[0]
            if i == last:
                break
            Z = Z[0]
            Z += b
            if net.activation in NEEDS_INPUT:
                A = np.empty_like(Z)
                act(Z, A, np.empty_like(Z))
            else:
                act(Z, np.empty_like(Z))
                A = Z

    def _lr_factors(self, net: Network):
        """The learning rate of each weight array, RealMLP-TD's factors.

        In the neural tangent parametrization a layer computes ``x @ V /
        sqrt(fan_in)``; Adam's steps on ``V`` are those on ``W = V /
        sqrt(fan_in)`` divided by ``sqrt(fan_in)``, which is how they are
        taken here: the weights are stored as ``W``.
        """
        if self.parametrization != "ntk":
            return None
        factors = np.ones(net.params.shape[0], dtype=net.dtype)
        for array in net.param_arrays:
            part = factors[array.offset : array.offset + array.view.size]
            if array.name.startswith("coefs_"):
                part[...] = 1.0 / math.sqrt(max(array.view.shape[-2], 1))
            else:
                # "intercepts_[1]" -> "intercepts_", "input_weights_['scale']" -> "scale"
                name = array.name.split("'")[1] if "'" in array.name else array.name.split("[")[0]
                part[...] = _LR_FACTORS[name]
        return factors

    def _decay_factors(self, net: Network):
        """RealMLP-TD's weight decay of each weight array (pytabkit,
        ``optim/optimizers.py``): a parameter is multiplied by ``1 - lr *
        weight_decay * lr_factor * wd_factor`` before each step, where
        ``wd_factor`` is 0 for the biases and 1 for the rest. The dense
        weights decay at the full rate: their factor ``1/sqrt(fan_in)``
        rescales the weights of the neural tangent parametrization, which
        decay as the stored ones do. In the standard parametrization, the
        dense weights alone decay.
        """
        if self.parametrization != "ntk":
            return None
        factors = self._lr_factors(net)
        for array in net.param_arrays:
            part = factors[array.offset : array.offset + array.view.size]
            if array.name.startswith("coefs_"):
                part[...] = 1.0
            elif array.name.startswith("intercepts_"):
                part[...] = 0.0
        return factors

    def _extra_hooks(self, problem):
        rates = problem.net.dropout
        if self.dropout_schedule is None or not any(rates) or self.solver == "lbfgs":
            return []
        return [DropoutSchedule(rates, self.dropout_schedule, self._max_epochs(problem))]

    def _max_epochs(self, problem) -> int:
        """``max_iter``, or with "auto" RealMLP-TD's 256 epochs, fewer on large
        tables: at most :data:`STEP_BUDGET` mini-batch steps (a network of a
        model of ``k`` networks, its ``k``-th of them), and at least 16 epochs."""
        if self.max_iter != "auto":
            return self.max_iter
        if self.solver == "lbfgs":
            return 256
        n = problem.n_train
        batch = n if self.batch_size == "auto" else min(self.batch_size, n)
        steps = -(-n // max(batch, 1))
        budget = self.__dict__.get("_step_budget", STEP_BUDGET)
        return int(min(256, max(16, budget // steps)))

    def _callback_input(self, problem, X):
        # the table as given: the model after an epoch encodes it itself
        return X

    def _snapshot_extra(self, net):
        return {
            "input_weights_": {k: v.copy() for k, v in net.front_weights.items()},
            "activation_weights_": (
                None if net.act_weights is None else [a.copy() for a in net.act_weights]
            ),
        }

    def _fitted_attributes(self, fitted, net, state, optimizer):
        attributes = super()._fitted_attributes(fitted, net, state, optimizer)
        attributes["input_weights_"] = {k: v for k, v in net.front_weights.items()}
        attributes["activation_weights_"] = net.act_weights
        return attributes

    # --------------------------------------------------------- prediction
    def _predict(self, X, transform):
        """``transform(z, model)`` of the logits of the encoded rows of ``X``.

        For a model of several members (``n_cv``), ``z`` are the logits of
        the mean of their predictions (see ``combine_members``).
        """
        model = self._fitted_model()
        if _has_networks(model):
            z = np.stack([member._predict(X, _logits)[0] for member in model.estimators_])
            with np.errstate(over="ignore"):
                return transform(combine_members(z, model.out_activation_), model), model
        if _streaming.is_dask(X):
            raise TypeError(
                f"{type(self).__name__} predicts tables in memory; for a Dask "
                "collection, predict its partitions, e.g. with map_partitions."
            )
        # In float64 whatever the model's dtype: a row's prediction is then the
        # same to rounding whatever rows it is predicted with (float32 matrix
        # products of different shapes round differently).
        X = _engine_input(model._encoder.transform(X), np.float64)
        block = InputBlock(**model._input_spec)
        weights = {k: v.astype(np.float64) for k, v in model.input_weights_.items()}
        coefs = [W.astype(np.float64) for W in model.coefs_]
        intercepts = [b.astype(np.float64) for b in model.intercepts_]
        mixes = model.__dict__.get("activation_weights_")
        if mixes is not None:
            mixes = [a.astype(np.float64) for a in mixes]

        def part(z, start, stop):
            return transform(z, model)

        with np.errstate(over="ignore"):
            result = predict_chunks(
                X,
                coefs,
                intercepts,
                model._activation,
                part,
                front=(block, weights),
                out_activation=model.out_activation_,
                act_weights=mixes,
            )
        return result, model

    def _fitted_model(self):
        if not _has_networks(self):
            model = BaseNumpyNet._fitted_model(self)
            _check_input_weights(model)
            return model
        # a snapshot, as for one network; each member checks its own state
        model = self._snapshot()
        members = model.estimators_
        name = type(self).__name__
        if not (
            isinstance(members, list)
            and members
            and all(type(m) is type(self) and not _has_networks(m) for m in members)
        ):
            raise ValueError(
                f"estimators_ of a fitted {name} must be a non-empty list of {name}s "
                "fitted with one network each, as fit leaves it."
            )
        return model

    def _no_onnx(self):
        return TypeError(
            f"{type(self).__name__} cannot be exported to ONNX: its table encoder reads "
            "DataFrames (strings, categories, missing cells) that an ONNX graph of "
            "floats does not take, and its input block has no converter. Export "
            "MLPClassifierNP or MLPRegressorNP in a pipeline instead."
        )

    def onnx_shape_calculator(self):
        """Refused: see :meth:`onnx_converter`.

        Raises
        ------
        TypeError
            Always.
        """
        raise self._no_onnx()

    def onnx_converter(self):
        """Refused: the model has no ONNX form (its table encoder reads DataFrames).

        Raises
        ------
        TypeError
            Always.
        """
        raise self._no_onnx()

    def to_sklearn(self):
        """Refused: scikit-learn's MLP has no input block nor table encoder.

        Raises
        ------
        TypeError
            Always.
        """
        raise TypeError(
            f"{type(self).__name__} has no scikit-learn counterpart: its table encoder "
            "and its input block (numerical embeddings, category embeddings, the scale "
            "layer) are layers scikit-learn's MLP does not have."
        )


def _logits(z, model):
    return z


def _has_networks(model) -> bool:
    """Whether ``model`` is fitted as several networks (a copy that scikit-learn's
    callbacks reconstruct from one network has ``estimators_`` set to None)."""
    return model.__dict__.get("estimators_") is not None


def _members_attributes(members: list) -> dict:
    """The fitted attributes of a model of several networks: them, each one's
    epochs, and what they share."""
    first = members[0].__dict__
    attributes = {
        "estimators_": members,
        "n_iter_": np.array([member.n_iter_ for member in members]),
    }
    return attributes | {name: first[name] for name in _SHARED_WITH_MEMBERS if name in first}


def _quantile_bins(columns: np.ndarray, sample_weight, n_bins: int) -> list:
    """The bin edges of each column: ``n_bins + 1`` quantiles, duplicates
    dropped, the sample weights counting as repeats of the rows as they do
    in the encoder (rows of weight 0 left out, weights that are not whole
    numbers scaled to a mean of one). An edge less than
    :data:`MIN_BIN_WIDTH` above the previous one is dropped: the scaled
    numbers lie in about [-3, 3], and a narrower bin would multiply the
    rounding of float32 by its inverse width. A column whose quantiles all
    coincide (the encoder keeps it when its few other values are rare) gets
    one bin of width one: a linear map of the number."""
    kept, counts = repeat_counts(sample_weight, columns.shape[0])
    levels = np.linspace(0.0, 1.0, n_bins + 1)
    bins = []
    for j in range(columns.shape[1]):
        values = columns[:, j] if kept is None else columns[kept, j]
        edges = [float(edge) for edge in weighted_quantiles(values, counts, levels)]
        kept_edges = edges[:1]
        for edge in edges[1:]:
            if edge - kept_edges[-1] >= MIN_BIN_WIDTH:
                kept_edges.append(edge)
        if len(kept_edges) < 2:
            kept_edges.append(kept_edges[0] + 1.0)
        bins.append(kept_edges)
    return bins


# What warm_start and partial_fit cannot change: the input block's layout,
# by the parameter that sets each part.
_BLOCK_OPTIONS = {
    "numerical": "numerical_embedding",
    "n_frequencies": "n_frequencies",
    "embedding_dim": "embedding_dim",
    "category_dim": "category_embedding_dim",
    "scale": "feature_scale",
    "members": "n_members",
}


def _check_same_block(fitted: dict, requested: dict) -> None:
    """Refuse, naming the parameter, a warm start or partial fit whose
    parameters ask for another input block than the fitted one."""
    for key, parameter in _BLOCK_OPTIONS.items():
        new = requested[key]
        if key == "n_frequencies" and fitted["numerical"] != "periodic":
            continue  # only the periodic embedding has frequencies
        if fitted[key] != new:
            raise ValueError(
                f"warm_start and partial_fit go on with the input block of the first "
                f"fit: {parameter} gave {fitted[key]!r} there and {new!r} now. "
                "Fit with warm_start=False to change it."
            )


def _check_same_encoding(encoder: TableEncoder, estimator) -> None:
    """Refuse, naming the parameter, a warm start or partial fit whose
    parameters ask for another encoding of the columns than the fitted one."""
    asked = {
        "max_one_hot": (encoder.max_one_hot - 1, estimator.max_one_hot),
        "categorical_features": (
            encoder.categorical_features,
            estimator.categorical_features,
        ),
    }
    for parameter, (fitted, new) in asked.items():
        if _as_setting(fitted) != _as_setting(new):
            raise ValueError(
                f"warm_start and partial_fit go on with the column encoding of the first "
                f"fit: {parameter} gave {fitted!r} there and {new!r} now. "
                "Fit with warm_start=False to change it."
            )


def _as_setting(value):
    """A parameter's value in a form that compares by content (arrays as lists)."""
    if value is None or isinstance(value, (str, Integral)):
        return value
    return np.asarray(value).tolist()


def _engine_input(table, dtype) -> np.ndarray:
    """The engine's input: the numeric columns, then the category codes as floats."""
    num, cat = table.num, table.cat
    if cat.shape[1] == 0:
        return np.ascontiguousarray(num, dtype=dtype)
    X = np.empty((num.shape[0], num.shape[1] + cat.shape[1]), dtype=dtype)
    X[:, : num.shape[1]] = num
    X[:, num.shape[1] :] = cat
    return X


def _check_input_weights(model) -> None:
    """Refuse an input block whose weights no fit could have published."""
    block = InputBlock(**model._input_spec)
    weights = model.input_weights_
    dtype = model.coefs_[0].dtype
    for name, shape in block.shapes():
        array = weights.get(name) if isinstance(weights, dict) else None
        if not isinstance(array, np.ndarray) or array.shape != shape or array.dtype != dtype:
            raise ValueError(
                f"The fitted attribute input_weights_[{name!r}] must be a {dtype} array "
                f"of shape {shape}: the model cannot predict. Refit it."
            )
        if not np.isfinite(array).all():
            raise ValueError(
                f"The fitted attribute input_weights_[{name!r}] holds NaN or infinite "
                "values: the model cannot predict. Refit it."
            )
    mixes = model.__dict__.get("activation_weights_")
    if mixes is None:
        return
    shapes = [W.shape[1:] for W in model.coefs_[:-1]]
    if not (
        isinstance(mixes, list)
        and len(mixes) == len(shapes)
        and all(
            isinstance(a, np.ndarray) and a.shape == shape and a.dtype == dtype
            for a, shape in zip(mixes, shapes)
        )
    ):
        raise ValueError(
            f"The fitted attribute activation_weights_ must be a list of {dtype} "
            f"arrays, one per hidden layer, of shapes {shapes}: the model cannot "
            "predict. Refit it."
        )
    if not all(np.isfinite(a).all() for a in mixes):
        raise ValueError(
            "The fitted attribute activation_weights_ holds NaN or infinite values: "
            "the model cannot predict. Refit it."
        )


# ``fit`` of each estimator, which names its targets
_FIT_DOC = """Fit the model to the table ``X`` and the {what} ``y``.

        With ``n_cv`` (or "auto"'s choice) above 1, the model is that many
        networks, each fitted with its own fold held out (see ``n_cv``).

        Parameters
        ----------
        X : {{array-like, sparse matrix, DataFrame}} of shape (n_samples, n_features)
            The table: a DataFrame of numbers, categories, strings, booleans
            and missing cells, or an array or a sparse matrix of numbers.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            {y}
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights. A weight of ``k`` counts as ``k`` repeats of
            the row.

        Returns
        -------
        self : object
            The fitted estimator.
        """


def _init_shared(self, params: dict) -> None:
    for name, value in params.items():
        setattr(self, name, value)


class TabularMLPClassifier(_TabularMixin, BaseNumpyNetClassifier):
    """A multi-layer perceptron for tables, trained with RealMLP's recipe, in plain numpy.

    It takes a table as it is: a pandas DataFrame of numbers, categories,
    strings, booleans and missing cells (as scikit-learn's
    ``HistGradientBoostingClassifier(categorical_features="from_dtype")``),
    a numpy array or a sparse matrix. Everything it learns from the data,
    the encoding included, is learned inside :meth:`fit`, so it can be
    cross-validated and grid-searched without leakage.

    The defaults are RealMLP-TD's (Holzmüller, Grinsztajn and Steinwart,
    2024, arXiv 2407.04491, meta-tuned on 118 data sets), as its reference
    code runs them, but for the numerical embedding and the averaged
    networks of small tables:

    * the table: numbers centered on their median, divided by their
      interquartile range and smoothly clipped to about [-3, 3]; categories
      with at most ``max_one_hot`` values one-hot encoded, larger ones
      embedded in ``category_embedding_dim`` learned values; missing numbers
      imputed with an indicator column;
    * the input block: a learned scale per input value, after an embedding
      of each number; here the estimator departs from RealMLP-TD, whose
      periodic embedding (``numerical_embedding="periodic"``) gives way to
      the piecewise-linear one of Gorishniy et al. (2022), which TabM
      (Gorishniy et al., 2025, ICLR) recommends: ``n_bins`` bins between
      quantiles of the column, a linear map of their encoding to
      ``embedding_dim - 1`` values, the number kept beside them;
    * three hidden layers of 256 SELU units with dropout 0.15 that fades out
      over the second half of training ("flat_cos");
    * Adam with ``beta_2=0.95``, learning rate 0.04 in the neural tangent
      parametrization with RealMLP's per-layer factors, the "coslog4"
      schedule, decoupled weight decay 0.02 that fades out as the dropout
      does, label smoothing 0.1, batches of
      256 rows, 256 epochs (fewer on large tables, see ``max_iter``);
    * the epoch with the best accuracy on a random 20% of the training rows
      is the model kept (``scoring``);
    * on tables of at most 512 rows, five networks, each with its own fifth
      of the rows held out for its best epoch, averaged (``n_cv``): this is
      pytabkit's ``n_cv=5``, which RealMLP-TD leaves at 1. There the
      held-out rows are a few dozen and a single fit's score swings with
      them. The five share the 1,024 steps of one fit: 204 epochs each
      on up to 320 rows, 102 on more.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(256, 256, 256)
        Units of each hidden layer.
    activation : str, default="selu"
        Hidden activation (see ``MLPClassifierNP``).
    solver : {"adam", "sgd", "lbfgs"}, default="adam"
        The optimizer; the recipe's learning rates are Adam's.
    alpha : float, default=0.0
        L2 penalty on the dense weights (scikit-learn's meaning).
    batch_size : int or "auto", default=256
        Rows per mini-batch.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        SGD's schedule (scikit-learn's meaning).
    learning_rate_init : float, default=0.04
        Adam's learning rate before the schedule and the per-layer factors.
    power_t : float, default=0.5
        SGD's "invscaling" exponent.
    max_iter : int or "auto", default="auto"
        Epochs. "auto": RealMLP-TD's 256, or fewer where 256 epochs would take
        more than 1,024 mini-batch steps (at least 16 epochs): on more than
        1,024 training rows, so that a fit takes seconds. The networks of
        ``n_cv`` share the 1,024 steps: each takes at most ``1024 // n_cv``.
    shuffle : bool, default=True
        Shuffle the rows every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split, the initial weights, the batches and
        dropout; with ``n_cv`` above 1, the folds and each network's own seed.
    tol : float, default=1e-4
        Improvement that counts for the stopping rule.
    verbose : bool, default=False
        Print the loss of every epoch.
    warm_start : bool, default=False
        Start from the fitted model's weights and encoder.
    momentum : float, default=0.9
        SGD's momentum.
    nesterovs_momentum : bool, default=True
        SGD's Nesterov momentum.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows, score them after every
        epoch and keep the best epoch's weights.
    validation_fraction : float, default=0.2
        The held-out share of the rows.
    scoring : {"accuracy", "loss"}, default="accuracy"
        What chooses the best epoch on the held-out rows: their accuracy
        (RealMLP's rule), or their cross-entropy ("loss", against the
        labels as they are, as ``HistGradientBoostingClassifier``'s default
        rule). Accuracy on a few hundred rows moves by whole rows and can
        keep a late, overconfident epoch; where the probabilities matter
        (log loss, AUC), "loss" is the better rule. On 11 real tables (4
        seeds each) it lowered the test log loss by 0.032 on average (on 33
        of 44 fits) for 0.001 of accuracy; dropping the label smoothing as
        well, which pytabkit advises, lowered it by less there (0.020) and
        cost 0.004 of accuracy. With
        "loss", ``validation_scores_`` and ``best_validation_score_`` hold
        minus the loss (greater is better, as scikit-learn's scorers). Without
        ``early_stopping``, and in :meth:`partial_fit`, no epoch is chosen and
        ``scoring`` is not used; a warm start keeps the rule of the first fit.
    beta_1, beta_2, epsilon : float, default=0.9, 0.95, 1e-8
        Adam's parameters.
    n_iter_no_change : int or inf, default=inf
        Epochs without improvement before stopping; ``inf`` trains every
        epoch and keeps the best (RealMLP's best-epoch selection).
    max_fun : int, default=15000
        L-BFGS's limit on loss evaluations.
    weight_decay : float, default=0.02
        Decoupled weight decay (AdamW), RealMLP's: before each step a weight
        is multiplied by ``1 - lr * weight_decay * f``, where ``f`` is 1 for
        the dense weights, 0 for the biases and the learning-rate factor of
        the input block's arrays and of the parametric activations' weights
        (6 for the scale layer, 0.1 for the activations); in the standard
        parametrization the dense weights alone decay.
    weight_decay_schedule : str or None, default="flat_cos"
        Scales ``weight_decay`` over the steps of the fit (one of the
        learning-rate schedules; RealMLP's "flat_cos" holds it for the first
        half, then lowers it to zero along a half cosine); None keeps it
        constant.
    lr_schedule : str or None, default="coslog4"
        Learning-rate schedule over the steps of the fit.
    warmup_fraction : float, default=0.0
        Share of the steps with a linear warm-up.
    max_grad_norm : float or None, default=None
        Clip the gradient to this norm.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes (scikit-learn's meaning).
    label_smoothing : float, default=0.1
        Cross-entropy against ``(1 - eps) * onehot + eps / n_classes``.
    dropout : float or sequence of float, default=0.15
        Dropout rate of the hidden layers.
    dropout_schedule : str or None, default="flat_cos"
        Scales the dropout rates over the epochs (one of the learning-rate
        schedules); None keeps them constant.
    numerical_embedding : {"piecewise", "periodic", None}, default="piecewise"
        The embedding of each continuous column: piecewise-linear over
        ``n_bins`` quantile bins (Gorishniy et al., 2022, as TabM uses it,
        Gorishniy et al., 2025), RealMLP's periodic one, or None to pass the
        scaled numbers through. Each gives ``embedding_dim`` values per
        column, the number itself among them.
    n_frequencies : int, default=16
        Cosines per continuous column (periodic embeddings).
    n_bins : int, default=48
        Bins per continuous column (piecewise-linear embeddings), their edges
        at quantiles of the column; fewer for a column with fewer values.
    frequency_scale : float, default=0.1
        Standard deviation of the initial frequencies.
    embedding_dim : int, default=4
        Values per continuous column after its embedding.
    category_embedding_dim : int, default=8
        Values per category of the embedded categorical columns.
    max_one_hot : int, default=8
        Categorical columns with at most this many categories are one-hot
        encoded; larger ones are embedded.
    categorical_features : "from_dtype", array-like of bool, int or str, default="from_dtype"
        Which columns are categorical, as
        ``HistGradientBoostingClassifier``'s parameter: "from_dtype" (or
        None) reads it from the dtypes (pandas ``category``, strings); an
        array-like adds the columns it names: a boolean mask of shape
        ``(n_features,)``, column positions, or column names (of a
        DataFrame). Columns whose dtype is categorical stay so. A column of
        numbers named here (an integer code of a place or a product, say) is
        one-hot encoded or embedded, its distinct values at fit being its
        categories and NaN a missing cell; a number not seen at fit is an
        unknown category. A numpy array has no other way to mark a column
        categorical.
    feature_scale : bool, default=True
        A learned scale per input value of the first dense layer.
    parametric_activation : bool, default=True
        RealMLP's parametric activations: each hidden unit outputs ``z + a *
        (f(z) - z)``, a mix of the activation ``f`` and the identity whose
        weight ``a`` starts at 1 and is learned (learning-rate factor 0.1 in
        the "ntk" parametrization, weight decay at that factor, as pytabkit's
        ``act_lr_factor``). The weights are in ``activation_weights_``. They
        cost about 8% more time per fit; on the development tables they
        raised the mean ratio to the best model from 0.936 to 0.943 (see the
        tables guide).
    parametrization : {"ntk", "standard"}, default="ntk"
        "ntk": RealMLP's neural tangent parametrization (per-layer learning
        rates, a data-dependent start, RealMLP's factors for biases,
        embeddings and the scale); "standard": one learning rate, the
        engine's usual start.
    dtype : {"float32", "float64"}, default="float32"
        The precision of the weights and of training, whatever the table's
        dtypes. float32, RealMLP's, takes about half the time. Predictions
        are computed in float64 either way.
    n_members : int, default=1
        Members of an ensemble trained in one pass, TabM-mini's way
        (Gorishniy et al., 2025): the members share the hidden layers, each
        scales the input of the first one by its own learned vector
        (initialized with random signs) and has its own output layer; each is
        trained on every batch, and the model predicts the mean of their
        probabilities. A fit takes about ``n_members`` times as long.
    n_cv : int or "auto", default="auto"
        Networks fitted, each with its own fold of a k-fold split held out for
        its best epoch (stratified by class where every class has ``n_cv``
        rows), averaged: the model predicts the mean of their probabilities.
        This is pytabkit's ``n_cv`` (RealMLP's bagging, as AutoGluon's);
        ``validation_fraction`` is then unused. Where the held-out rows are a
        few dozen, the best epoch and the start vary from fit to fit, and
        averaging evens them out (see the tables guide for measurements).
        "auto": 5 on tables of 10 to 512 rows, where the five, sharing the
        1,024 steps of ``max_iter="auto"``, cost about one fit of a large
        table (on 512 rows of 18 columns, 5.1 to 5.4 s here on a quiet
        machine, against 5.1 to 5.7 s for one network on 5,000 rows); 1
        otherwise, and with ``warm_start``, without ``early_stopping`` or with "lbfgs". So in a
        cross-validation of a table of 600 rows, each fit on 400 rows
        averages five networks and the refit on all 600 is one: set an
        integer for the same model throughout. With an integer ``max_iter``,
        a fit of ``n_cv`` networks takes about ``n_cv`` times as long as
        one. The networks are in ``estimators_``; the attributes of the
        training (``coefs_``, ``loss_curve_``...) are theirs. ``partial_fit``
        trains one network, or each network of a model of several (each
        with its own seed).

    See Also
    --------
    TabularMLPRegressor : The same for regression.
    MLPClassifierNP : scikit-learn's MLP, in numpy.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.model_selection import train_test_split
    >>> from sknumpynet import TabularMLPClassifier
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = TabularMLPClassifier((64, 64), max_iter=64, random_state=0)
    >>> print(f"{clf.fit(X_train, y_train).score(X_test, y_test):.2f}")
    0.97
    >>> len(clf.estimators_)  # n_cv="auto": 5 networks on 426 rows
    5
    """

    _parameter_constraints: dict = {
        **BaseNumpyNetClassifier._parameter_constraints,
        **_TabularMixin._tabular_constraints,
        "scoring": [StrOptions({"accuracy", "loss"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(256, 256, 256),
        activation="selu",
        *,
        solver="adam",
        alpha=0.0,
        batch_size=256,
        learning_rate="constant",
        learning_rate_init=0.04,
        power_t=0.5,
        max_iter="auto",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=True,
        validation_fraction=0.2,
        beta_1=0.9,
        beta_2=0.95,
        epsilon=1e-8,
        n_iter_no_change=np.inf,
        max_fun=15000,
        weight_decay=0.02,
        weight_decay_schedule="flat_cos",
        lr_schedule="coslog4",
        warmup_fraction=0.0,
        max_grad_norm=None,
        class_weight=None,
        label_smoothing=0.1,
        scoring="accuracy",
        dropout=0.15,
        dropout_schedule="flat_cos",
        numerical_embedding="piecewise",
        n_frequencies=16,
        n_bins=48,
        frequency_scale=0.1,
        embedding_dim=4,
        category_embedding_dim=8,
        max_one_hot=8,
        categorical_features="from_dtype",
        feature_scale=True,
        parametric_activation=True,
        parametrization="ntk",
        dtype="float32",
        n_members=1,
        n_cv="auto",
    ):
        _init_shared(self, {k: v for k, v in locals().items() if k != "self"})

    def fit(self, X, y, sample_weight=None):
        return self._fit_tabular(X, y, sample_weight)

    fit.__doc__ = _FIT_DOC.format(
        what="classes", y="Class labels, or a binary indicator matrix for multilabel problems."
    )

    def _initial_state(self, first: bool, early_stopping: bool):
        state = super()._initial_state(first, early_stopping)
        scores = state.validation_scores
        if not first and early_stopping and scores:
            # the rule of the fitted history: minus the losses, or accuracies
            # (which are never both equal to them: accuracy >= 0 >= -loss)
            losses = -np.asarray(state.validation_loss_curve[-len(scores) :])
            fitted = "loss" if np.array_equal(np.asarray(scores), losses) else "accuracy"
            if fitted != self.scoring:
                raise ValueError(
                    f"warm_start goes on with the best-epoch rule of the first fit: "
                    f"scoring gave {fitted!r} there and {self.scoring!r} now. Fit with "
                    "warm_start=False to change it."
                )
        return state

    def _validation_score(self, X_val, y_val, Y_val, w_val, fitted):
        score = super()._validation_score(X_val, y_val, Y_val, w_val, fitted)
        if self.scoring == "accuracy":
            return score

        def negative_loss(net):
            loss = score(net)[1]
            return -loss, loss

        return negative_loss


class TabularMLPRegressor(_TabularMixin, BaseNumpyNetRegressor):
    """A multi-layer perceptron regressor for tables, RealMLP's recipe in plain numpy.

    The same as :class:`TabularMLPClassifier` (see there) with RealMLP-TD's
    regression defaults: Mish units, learning rate 0.2, no label smoothing,
    the best epoch by validation R^2. The targets are standardized with
    their training mean and standard deviation before training, and the
    predictions are mapped back and clipped to the range of the training
    targets, as RealMLP does. With ``loss="poisson"`` the targets are only
    divided by their mean (they stay counts or rates) and nothing is clipped.
    Sample weights count as repeats of the rows in these statistics, as in
    the table's encoding.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(256, 256, 256)
        Units of each hidden layer.
    activation : str, default="mish"
        Hidden activation.
    loss : {"squared_error", "poisson"}, default="squared_error"
        The loss (see ``MLPRegressorNP``).
    solver : {"adam", "sgd", "lbfgs"}, default="adam"
        The optimizer.
    alpha : float, default=0.0
        L2 penalty on the dense weights.
    batch_size : int or "auto", default=256
        Rows per mini-batch.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        SGD's schedule.
    learning_rate_init : float, default=0.2
        Adam's learning rate before the schedule and the per-layer factors.
    power_t : float, default=0.5
        SGD's "invscaling" exponent.
    max_iter : int or "auto", default="auto"
        Epochs. "auto": RealMLP-TD's 256, or fewer where 256 epochs would take
        more than 1,024 mini-batch steps (at least 16 epochs): on more than
        1,024 training rows, so that a fit takes seconds. The networks of
        ``n_cv`` share the 1,024 steps: each takes at most ``1024 // n_cv``.
    shuffle : bool, default=True
        Shuffle the rows every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split, the initial weights, the batches and
        dropout; with ``n_cv`` above 1, the folds and each network's own seed.
    tol : float, default=1e-4
        Improvement that counts for the stopping rule.
    verbose : bool, default=False
        Print the loss of every epoch.
    warm_start : bool, default=False
        Start from the fitted model.
    momentum : float, default=0.9
        SGD's momentum.
    nesterovs_momentum : bool, default=True
        SGD's Nesterov momentum.
    early_stopping : bool, default=True
        Keep the epoch with the best validation R^2.
    validation_fraction : float, default=0.2
        The held-out share of the rows.
    beta_1, beta_2, epsilon : float, default=0.9, 0.95, 1e-8
        Adam's parameters.
    n_iter_no_change : int or inf, default=inf
        Epochs without improvement before stopping.
    max_fun : int, default=15000
        L-BFGS's limit on loss evaluations.
    weight_decay : float, default=0.02
        Decoupled weight decay (see :class:`TabularMLPClassifier`).
    weight_decay_schedule : str or None, default="flat_cos"
        Scales ``weight_decay`` over the steps of the fit.
    lr_schedule : str or None, default="coslog4"
        Learning-rate schedule.
    warmup_fraction : float, default=0.0
        Share of the steps with a linear warm-up.
    max_grad_norm : float or None, default=None
        Clip the gradient to this norm.
    dropout : float or sequence of float, default=0.15
        Dropout rate of the hidden layers.
    dropout_schedule : str or None, default="flat_cos"
        Scales the dropout rates over the epochs.
    numerical_embedding : {"piecewise", "periodic", None}, default="piecewise"
        See :class:`TabularMLPClassifier`.
    n_frequencies : int, default=16
        Cosines per continuous column (periodic embeddings).
    n_bins : int, default=48
        Bins per continuous column (piecewise-linear embeddings).
    frequency_scale : float, default=0.1
        Standard deviation of the initial frequencies.
    embedding_dim : int, default=4
        Values per continuous column after its embedding.
    category_embedding_dim : int, default=8
        Values per category of the embedded categorical columns.
    max_one_hot : int, default=8
        Categorical columns with at most this many categories are one-hot encoded.
    categorical_features : "from_dtype", array-like of bool, int or str, default="from_dtype"
        Which columns are categorical beyond those whose dtype is (see
        :class:`TabularMLPClassifier`).
    feature_scale : bool, default=True
        A learned scale per input value of the first dense layer.
    parametric_activation : bool, default=True
        RealMLP's parametric activations (see :class:`TabularMLPClassifier`).
    parametrization : {"ntk", "standard"}, default="ntk"
        See :class:`TabularMLPClassifier`.
    dtype : {"float32", "float64"}, default="float32"
        The precision of the weights and of training; predictions are
        computed in float64.
    n_members : int, default=1
        Members of an ensemble trained in one pass (see
        :class:`TabularMLPClassifier`); the model predicts the mean of their
        predictions.
    n_cv : int or "auto", default="auto"
        Networks fitted, each with its own fold held out for its best epoch,
        averaged (see :class:`TabularMLPClassifier`): the model predicts the
        mean of their outputs, clipped to the range of the training targets
        as one network's are ("auto": 5 on tables of 10 to 512 rows).

    See Also
    --------
    TabularMLPClassifier : The same for classification.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import train_test_split
    >>> from sknumpynet import TabularMLPRegressor
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> reg = TabularMLPRegressor((64, 64), max_iter=64, random_state=0)
    >>> print(f"{reg.fit(X_train, y_train).score(X_test, y_test):.2f}")
    0.36
    """

    _parameter_constraints: dict = {
        **BaseNumpyNetRegressor._parameter_constraints,
        **_TabularMixin._tabular_constraints,
    }

    def __init__(
        self,
        hidden_layer_sizes=(256, 256, 256),
        activation="mish",
        *,
        loss="squared_error",
        solver="adam",
        alpha=0.0,
        batch_size=256,
        learning_rate="constant",
        learning_rate_init=0.2,
        power_t=0.5,
        max_iter="auto",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=True,
        validation_fraction=0.2,
        beta_1=0.9,
        beta_2=0.95,
        epsilon=1e-8,
        n_iter_no_change=np.inf,
        max_fun=15000,
        weight_decay=0.02,
        weight_decay_schedule="flat_cos",
        lr_schedule="coslog4",
        warmup_fraction=0.0,
        max_grad_norm=None,
        dropout=0.15,
        dropout_schedule="flat_cos",
        numerical_embedding="piecewise",
        n_frequencies=16,
        n_bins=48,
        frequency_scale=0.1,
        embedding_dim=4,
        category_embedding_dim=8,
        max_one_hot=8,
        categorical_features="from_dtype",
        feature_scale=True,
        parametric_activation=True,
        parametrization="ntk",
        dtype="float32",
        n_members=1,
        n_cv="auto",
    ):
        _init_shared(self, {k: v for k, v in locals().items() if k != "self"})

    def fit(self, X, y, sample_weight=None):
        return self._fit_tabular(X, y, sample_weight)

    fit.__doc__ = _FIT_DOC.format(
        what="targets", y='Target values, numbers; ``loss="poisson"`` needs ``y >= 0``.'
    )

    def _validate_input(self, X, y, dtype, reset, sample_weight=None):
        """Encode the table; standardize the targets (their scale is learned on a first fit)."""
        X, y, recorded = super()._validate_input(X, y, dtype, reset, sample_weight)
        y = np.asarray(y, dtype=np.float64)
        if reset:
            # weighted as repeats of the rows; rows of weight 0 are left out
            w = check_sample_weight(sample_weight, y.shape[0], np.float64)
            Y = y.reshape(y.shape[0], -1)
            if w is not None and w.any():
                Y, w = Y[w > 0], w[w > 0]
            mean = np.average(Y, axis=0, weights=w)
            if self.loss == "poisson":
                center, scale = np.zeros(Y.shape[1]), mean
            else:
                center = mean
                scale = np.sqrt(np.average((Y - mean) ** 2, axis=0, weights=w))
            scale[~(scale > 0)] = 1.0
            low, high = Y.min(axis=0), Y.max(axis=0)
            target = {"center": center, "scale": scale, "low": low, "high": high}
        else:
            target = self._target_scaling
        recorded["_target_scaling"] = target
        shape = y.shape
        y = ((y.reshape(shape[0], -1) - target["center"]) / target["scale"]).astype(X.dtype)
        return X, y.reshape(shape), recorded

    def predict(self, X) -> np.ndarray:
        """Predict the targets of ``X``, mapped back to their scale.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            The table, with the columns seen in :meth:`fit`.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values, float64.
        """
        result, model = self._predict(
            X, lambda z, model: self._output(z, model.out_activation_, capped=True)
        )
        target = model._target_scaling
        # in float64, scikit-learn's type of predicted values, whatever the model's dtype
        out = result.reshape(result.shape[0], -1) * target["scale"] + target["center"]
        if model.loss != "poisson":
            np.clip(out, target["low"], target["high"], out=out)
        return out.reshape(result.shape)


_INPUT_WEIGHTS_ATTRIBUTE = """
    input_weights_ : dict of str to ndarray
        The input block's weights, those the model has:
        ``"frequencies"``, ``"phases"``, ``"embedding_weights"`` and
        ``"embedding_biases"`` (the numerical embeddings), ``"category_tables"``
        (the embedded categories, stacked), ``"scale"`` (the scale layer) and
        ``"member_scales"`` (with ``n_members > 1``). With ``n_members > 1``
        the last of ``coefs_`` and ``intercepts_`` hold one output layer per
        member, stacked on a first axis.
    activation_weights_ : list of ndarray or None
        With ``parametric_activation``, the weight of the activation in each
        hidden unit's mix, one array of shape ``(n_units,)`` per hidden
        layer; None without.
    estimators_ : list of estimators
        Only for a model of several networks (``n_cv``): the fitted networks,
        each an estimator with ``n_cv=1``. Such a model has, of the
        attributes above, only ``n_features_in_``, ``feature_names_in_``,
        ``classes_`` (a classifier), ``n_outputs_``, ``out_activation_`` and
        ``n_iter_``, an array of each network's epochs: each network has the
        others."""


def _with_attributes(doc: str, attributes: str) -> str:
    """``doc`` with an Attributes section, the other estimators' ``attributes``
    and the input block's weights, inserted before its See Also section."""
    head, tail = doc.split("    See Also\n", 1)
    section = "    Attributes\n    ----------\n" + attributes + _INPUT_WEIGHTS_ATTRIBUTE
    return head + section + "\n\n    See Also\n" + tail


# the classifier's validation scores follow its ``scoring``
_ACCURACY_LINES = (
    "        Validation accuracy after each epoch with early stopping, else None.\n",
    "        Best validation accuracy with early stopping, else None.\n",
)
_SCORING_LINES = (
    '        Validation accuracy (with ``scoring="loss"``: minus the validation\n'
    "        loss) after each epoch with early stopping, else None.\n",
    '        Best validation accuracy (with ``scoring="loss"``: minus the lowest\n'
    "        validation loss) with early stopping, else None.\n",
)
_CLASSIFIER_ATTRIBUTES = SHARED_ATTRIBUTES
for _old, _new in zip(_ACCURACY_LINES, _SCORING_LINES):  # (a test checks both)
    _CLASSIFIER_ATTRIBUTES = _CLASSIFIER_ATTRIBUTES.replace(_old, _new)

TabularMLPClassifier.__doc__ = _with_attributes(
    TabularMLPClassifier.__doc__, _CLASSIFIER_ATTRIBUTES
)
TabularMLPRegressor.__doc__ = _with_attributes(TabularMLPRegressor.__doc__, REGRESSOR_ATTRIBUTES)
