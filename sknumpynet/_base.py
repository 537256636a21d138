"""The scikit-learn face shared by the estimators.

A public method validates its input, builds one :class:`TrainingProblem`
(targets, weights, a network of the right shape, the early-stopping split),
hands it to :func:`~sknumpynet._training.train` and publishes what comes
back. Publishing replaces the estimator's fitted state in one assignment, so
a call that fails or is interrupted before it leaves the estimator exactly as
it was, and one that succeeds leaves a whole, consistent model.
"""

from __future__ import annotations

import copy
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.sparsefuncs import mean_variance_axis
from sklearn.utils.validation import (
    assert_all_finite,
    check_array,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from . import _export, _streaming
from . import _targets as targets
from ._activations import ACTIVATIONS
from ._callbacks import CallbackSupportMixin, SklearnCallbacks, wants_callbacks, with_callbacks
from ._hooks import ChanceLevelCheck, EarlyStopping, TrainingLossStopping
from ._losses import LOSSES, log_expit, log_softmax
from ._network import Network, _dropout_rates, logits, predict_chunks
from ._optimizers import LR_SCHEDULES, make_optimizer, optimizer_from_state
from ._training import TrainingConfig, TrainingProblem, TrainingState, train
from ._weights import check_sample_weight, class_weights, rescale_weights

_SPARSE_FORMATS = ["csr", "csc"]
_FLOAT_DTYPES = [np.float64, np.float32]
# What validate_data(reset=True) records on the estimator.
_INPUT_ATTRIBUTES = ("n_features_in_", "feature_names_in_")
# Private fitted state, replaced with the public attributes on every publish.
# Parameters that say how to train, handed to the engine as they are.
_CONFIG_PARAMETERS = ("solver", "batch_size", "max_iter", "shuffle", "tol", "max_fun", "verbose")
_PRIVATE_FITTED = (
    "_label_binarizer",
    "_activation",
    "_optimizer_state",
    "_no_improvement_count",
    # the tabular estimators' table encoder, input block and target scaling
    "_encoder",
    "_input_spec",
    "_target_scaling",
)


def _check_hidden_layer_sizes(hidden) -> list[int]:
    """The hidden layer sizes as a list: an int is one layer, a flat sequence one per layer.

    As scikit-learn's MLP, a nested sequence such as ``[[5, 3]]`` is refused,
    not flattened.
    """
    if hidden is None:
        return []
    if isinstance(hidden, Integral) and not isinstance(hidden, bool):
        hidden = [hidden]
    try:
        # dtype=object keeps the items as they are (2.5 stays a float); a
        # ragged nesting gives a 1-D array of lists, refused item by item.
        ndim = np.asarray(hidden, dtype=object).ndim
    except ValueError:  # nested deeper than numpy can hold as objects
        ndim = 2
    if ndim != 1:
        raise ValueError(
            "hidden_layer_sizes must be an int or a flat sequence of ints, one size per "
            f"hidden layer, e.g. (100,) or (64, 32); got {hidden!r}."
        )
    sizes = []
    for size in hidden:
        if not isinstance(size, Integral) or isinstance(size, bool) or size < 1:
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {hidden!r}.")
        sizes.append(int(size))
    return sizes


def _is_fitted_attribute(name: str) -> bool:
    return (name.endswith("_") and not name.startswith("__")) or name in _PRIVATE_FITTED


def _reconstruction(attributes: dict, estimator) -> dict:
    """Fitted attributes for scikit-learn's callbacks, which set them on a copy of
    the estimator as it stands: the fitted attributes the new fit did not
    record (``feature_names_in_`` of a fit without names, the networks of a
    model of several refitted as one) are cleared, not inherited."""
    stale = [k for k in estimator.__dict__ if _is_fitted_attribute(k)]
    return {**dict.fromkeys((*_INPUT_ATTRIBUTES, *stale)), **attributes}


class BaseNumpyNet(CallbackSupportMixin, BaseEstimator):
    """Fitting shared by every estimator: validate, build the problem, train, publish.

    Subclasses define ``__init__`` (their parameters), ``_architecture()``
    (hidden layer sizes and activation), and the target-specific pieces
    ``_encode_targets``, ``_validation_score`` and ``_chance_level``.
    """

    _parameter_constraints: dict = {
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "lr_schedule": [None, StrOptions(set(LR_SCHEDULES))],
        "warmup_fraction": [Interval(Real, 0, 1, closed="left")],
        "max_grad_norm": [None, Interval(Real, 0, None, closed="neither")],
    }

    # How a first fit initializes the weights ("glorot" or "zeros") and extra
    # options of scipy's L-BFGS-B (``ftol``, ``maxls``).
    _init_method = "glorot"
    _lbfgs_options: dict = {}
    _y_numeric = False  # regressors: y must be numbers (see targets.numeric)
    # partial_fit with early_stopping=True: refused, or (estimators whose
    # default it is) trained on every row, as scikit-learn's MLP does
    _partial_fit_skips_early_stopping = False
    # early stopping keeps the first epoch of the best validation score, or the last
    _best_epoch_ties_to_later = False

    def _architecture(self) -> tuple[list[int], str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _network_options(self, n_hidden: int) -> dict:
        """Further keyword arguments of :class:`~sknumpynet._network.Network`: the
        dropout rates, one per hidden layer, checked (``TypeError`` or
        ``ValueError`` naming ``dropout``), and the classifiers' label smoothing."""
        params = self.get_params()
        options = {}
        if params.get("label_smoothing"):
            options["label_smoothing"] = float(self.label_smoothing)
        if "dropout" not in params:  # estimators with hidden layers have it
            return options
        rates = _dropout_rates(self.dropout, n_hidden)
        if self.solver == "lbfgs" and any(rates):
            raise ValueError(
                f"dropout={self.dropout!r} needs a stochastic solver: it draws new masks "
                "for every mini-batch, and L-BFGS minimizes one deterministic full-batch "
                "loss. Use solver='adam' or 'sgd', or dropout=0."
            )
        return options | {"dropout": rates}

    def _check_step_options(self) -> None:
        """Refuse step options that the solver cannot honour (``ValueError`` naming them)."""
        options = {
            "weight_decay": self.weight_decay != 0,
            "lr_schedule": self.lr_schedule is not None,
            "warmup_fraction": self.warmup_fraction != 0,
            "max_grad_norm": self.max_grad_norm is not None,
        }
        given = ", ".join(f"{k}={getattr(self, k)!r}" for k, on in options.items() if on)
        if self.solver == "lbfgs" and given:
            raise ValueError(
                f"{given} act on the steps of a stochastic solver; L-BFGS has no learning "
                "rate nor mini-batch steps. Use solver='adam' or 'sgd', or leave them at "
                "their defaults."
            )
        if (
            self.solver == "sgd"
            and self.learning_rate != "constant"
            and (options["lr_schedule"] or options["warmup_fraction"])
        ):
            raise ValueError(
                f"lr_schedule={self.lr_schedule!r} with warmup_fraction="
                f"{self.warmup_fraction!r} sets the learning rate of every step, which "
                f"learning_rate={self.learning_rate!r} would change too. Use "
                "learning_rate='constant' with a schedule."
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # skl2onnx asks a model that has no registered converter for its own, by
    # these two names: ``skl2onnx.to_onnx`` then converts the estimators even
    # when ``sknumpynet.onnx`` was never imported.
    def onnx_shape_calculator(self):
        """The skl2onnx shape calculator of this estimator (see :mod:`sknumpynet.onnx`).

        Returns
        -------
        shape_calculator : callable
            ``shape_calculator(operator)``, as skl2onnx calls it.
        """
        from . import onnx

        return onnx.own_converter(self)[0]

    def onnx_converter(self):
        """The skl2onnx converter of this estimator (see :mod:`sknumpynet.onnx`).

        Returns
        -------
        converter : callable
            ``converter(scope, operator, container)``, as skl2onnx calls it.
        """
        from . import onnx

        return onnx.own_converter(self)[1]

    # ------------------------------------------------------------ fitting
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data ``X`` and targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 data trains in float32, anything else in
            float64. Sparse data is used as CSR without densifying it.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels, or a binary indicator matrix for multilabel problems.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights. A weight of ``k`` counts as ``k`` repeats of
            the sample; see the class docstring for the exact objective.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        first = not (self.warm_start and hasattr(self, "coefs_"))
        return self._fit(X, y, sample_weight, None, incremental=False, first=first)

    def _can_partial_fit(self):
        if self.solver not in ("sgd", "adam"):
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers; "
                f"{self.solver!r} is not stochastic."
            )
        return True

    def _partial_fit(self, X, y, classes, sample_weight):
        first = not hasattr(self, "coefs_")
        if first:
            self._validate_params()
        return self._fit(X, y, sample_weight, classes, incremental=True, first=first)

    def _fit(self, X, y, sample_weight, classes, *, incremental: bool, first: bool):
        """Train, then publish the new model in one assignment, or change nothing.

        Whatever can fail runs before the publication: the training and
        scikit-learn's callbacks, whose end of the fit task is shown the new
        model and whose teardown comes after it. An exception from any of them
        leaves the estimator (and a generator given as ``random_state``) as
        it was.
        """
        if incremental and self.early_stopping and not self._partial_fit_skips_early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        return self._publish_fit(
            lambda random_state: self._fit_with_callbacks(
                X, y, sample_weight, classes, incremental, first, random_state
            )
        )

    def _publish_fit(self, train):
        """Publish ``train(random_state)``'s fitted attributes, or change nothing.

        A new generator from random_state on every call, as scikit-learn's
        MLP: the same seed gives the same fit, and nothing hidden carries
        over. A generator given by the caller (or numpy's global one) is put
        back as it was if the call fails.
        """
        random_state = check_random_state(self.random_state)
        shared = not isinstance(self.random_state, Integral)
        rng_state = random_state.get_state() if shared else None
        try:
            attributes = train(random_state)
        except BaseException:
            if shared:
                random_state.set_state(rng_state)
            raise
        self._publish(attributes)
        return self

    @with_callbacks
    def _fit_with_callbacks(self, X, y, sample_weight, classes, incremental, first, random_state):
        """The new model's fitted attributes, trained within the callbacks' lifetime.

        ``with_callbacks`` tears the callbacks down when this returns or
        raises, before anything is published.
        """
        attributes = self._fitted_attributes(
            *self._train(X, y, sample_weight, classes, incremental, first, random_state)
        )
        self._end_fit_task(X, y, attributes)
        return attributes

    def _begin_fit_task(self, X, y, sample_weight, max_subtasks: int):
        """This call's callback context with its fit task begun, and the
        metadata the callbacks are shown (scikit-learn's callbacks only)."""
        context = self._init_callback_context(max_subtasks=max_subtasks)
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        context.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        return context, metadata

    def _end_fit_task(self, X, y, attributes: dict) -> None:
        """Show the end of this call's fit task the new model, where callbacks are set."""
        context = getattr(self, "_callback_fit_ctx", None)
        if context is not None:
            context.call_on_fit_task_end(
                estimator=self,
                X=X,
                y=y,
                reconstruction_attributes=lambda: _reconstruction(attributes, self),
            )

    def _train(self, X, y, sample_weight, classes, incremental, first, random_state):
        """Build the problem and train; returns what ``_fitted_attributes`` needs."""
        problem, score, fitted = self._build_problem(
            X,
            y,
            sample_weight,
            classes,
            incremental=incremental,
            first=first,
            random_state=random_state,
        )
        self._check_step_options()
        state = self._initial_state(first, early_stopping=score is not None)
        optimizer = None
        hooks = []
        if self.solver != "lbfgs":
            optimizer = self._optimizer_for(problem.net, resume=incremental and not first)
            rule = dict(
                optimizer=optimizer,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                verbose=self.verbose,
            )
            hooks.append(
                TrainingLossStopping(**rule)
                if score is None
                else EarlyStopping(score, ties_to_later=self._best_epoch_ties_to_later, **rule)
            )
        hooks += self._extra_hooks(problem)
        if not incremental:
            if isinstance(problem.X, _streaming.BlockStream):
                # streamed rows are read when the check runs, after training
                def check(net, build=lambda: self._chance_level(problem, y, fitted)):
                    return build()(net)
            else:
                check = self._chance_level(problem, y, fitted)
            hooks.append(ChanceLevelCheck(check))
        max_iter = self._max_epochs(problem)
        if wants_callbacks(self):
            hooks.append(
                self._callback_hook(problem, X, y, sample_weight, incremental, fitted, max_iter)
            )
        config = TrainingConfig(
            **{name: getattr(self, name) for name in _CONFIG_PARAMETERS if name != "max_iter"},
            max_iter=max_iter,
            lbfgs_options=self._lbfgs_options,
            scaling_advice=self._scaling_advice,
            finite_spikes=self._spikes_pass_with_best_epoch and score is not None,
        )
        train(
            problem,
            state,
            config,
            optimizer=optimizer,
            hooks=hooks,
            random_state=random_state,
            incremental=incremental,
        )
        return fitted, problem.net, state, optimizer

    def _callback_hook(self, problem, X, y, sample_weight, incremental, fitted, max_iter):
        """scikit-learn's callbacks, with each epoch a subtask of this fit.

        They see the data as the estimator's own methods take it: ``X`` as
        validated (``problem.X``), or as given for an estimator that encodes
        its input itself (:meth:`_callback_input`).
        """
        X = self._callback_input(problem, X)
        n_epochs = 1 if incremental else max_iter
        # one more subtask than epochs: the one begun after the last epoch
        context, metadata = self._begin_fit_task(X, y, sample_weight, n_epochs + 1)
        net = problem.net

        def attributes(net: Network) -> dict:
            return (
                _reconstruction(fitted, self)
                | {
                    "coefs_": [W.copy() for W in net.coefs],
                    "intercepts_": [b.copy() for b in net.intercepts],
                    "n_layers_": net.n_layers,
                    "n_outputs_": net.layer_units[-1],
                    "out_activation_": net.out_activation,
                    "_activation": net.activation,
                }
                | self._snapshot_extra(net)
            )

        return SklearnCallbacks(context, self, X, y, metadata, attributes, net)

    def _callback_input(self, problem: TrainingProblem, X):
        """The ``X`` that callbacks see: the validated rows."""
        return problem.X

    def _snapshot_extra(self, net: Network) -> dict:
        """Fitted attributes of the model after an epoch beyond the dense layers'."""
        return {}

    # whether a failed fit's message may advise scaling the features: not where
    # the estimator scales them itself (see _failure_advice)
    _scaling_advice = True
    # whether a finite explosion of the loss goes on where early stopping will
    # restore the best epoch (DivergenceGuard's finite_spikes); scikit-learn's
    # MLPs stop, as their fits stop at any divergence
    _spikes_pass_with_best_epoch = False

    def _failure_advice(self, X, other: bool = False) -> str:
        """What a fit no better than chance suggests: see :func:`_feature_advice`."""
        return _feature_advice(X, other) if self._scaling_advice else _retry_advice(other)

    @staticmethod
    def _check_rows(problem: TrainingProblem, n_max: int = 2000) -> np.ndarray:
        """Up to ``n_max`` training rows spread over the data, for post-training checks.

        From streamed data, rows of at most 4 blocks spread over it: reading
        them costs a few blocks, not a pass over the data.
        """
        X = problem.X
        if isinstance(X, _streaming.BlockStream):
            picked = np.unique(np.linspace(0, X.n_blocks - 1, 4).astype(np.intp))
            rows = np.concatenate([np.arange(X.bounds[i], X.bounds[i + 1]) for i in picked])
            if problem.rows is not None:
                rows = rows[np.isin(rows, problem.rows)]
        else:
            rows = np.arange(X.shape[0]) if problem.rows is None else np.sort(problem.rows)
        if rows.shape[0] > n_max:
            rows = rows[np.linspace(0, rows.shape[0] - 1, n_max).astype(np.intp)]
        return rows

    def _build_problem(
        self,
        X,
        y,
        sample_weight,
        classes,
        *,
        incremental,
        first,
        random_state,
        dtype=None,
        split=True,
    ):
        """Validate the data and build the objective to minimize, changing nothing.

        This is the one place where the objective is defined: ``fit``,
        ``partial_fit`` and :func:`~sknumpynet.check_gradients` all use it.
        ``first`` is true for a fresh fit (the network is initialized from
        ``random_state``); otherwise the fitted classes, dtype, activation and
        weights apply. With ``split`` and early stopping, a validation set is
        held out and a scorer of it returned.

        Returns
        -------
        problem : TrainingProblem
        score : callable or None
            ``score(net)``, the validation score, with early stopping.
        fitted : dict
            Attributes to publish besides the training results (input
            features, classes).
        """
        hidden, activation = self._architecture()
        hidden = _check_hidden_layer_sizes(hidden)
        network_options = self._network_options(len(hidden))
        if not first:
            activation = self._activation  # the activation the model was fitted with
        if dtype is None:
            dtype = _FLOAT_DTYPES if first else self.coefs_[0].dtype
        stream = _streaming.as_stream(X)
        if stream is None:
            X, y, fitted = self._validate_input(
                X, y, dtype, reset=first, sample_weight=sample_weight
            )
        else:
            X, y, fitted = self._validate_stream(stream, y, dtype, classes, first=first)
        Y, out_activation, target_info = self._encode_targets(
            y, classes, X.dtype, first=first, incremental=incremental
        )
        fitted.update(target_info)
        weights = self._sample_weights(y, sample_weight, X.dtype, incremental, fitted)
        front = self._input_block(fitted)
        net = Network(
            [X.shape[1] if front is None else front.n_outputs, *hidden, Y.shape[1]],
            activation,
            out_activation,
            X.dtype,
            front=front,
            **network_options,
        )
        if first:
            self._initialize(net, X, random_state)
        else:
            self._check_architecture(net)
            net.set_weights(self.coefs_, self.intercepts_)
            self._restore_extra_weights(net)

        rows = score = None
        if split and self.early_stopping and not incremental and self.solver != "lbfgs":
            if stream is None:
                rows, val_rows = self._validation_split(Y, random_state)
            else:
                rows, val_rows = self._stream_validation_split(Y, random_state)
            w_val = None if weights is None else weights[val_rows]
            if w_val is not None and not w_val.any():
                raise ValueError(
                    f"early_stopping holds out {val_rows.shape[0]} validation samples "
                    f"(validation_fraction={self.validation_fraction}) whose sample weights "
                    "are all zero, so the validation score is undefined. Give some of them a "
                    "positive weight, change validation_fraction or random_state, or turn "
                    "early_stopping off."
                )
            X_val = X[val_rows] if stream is None else stream.take(val_rows)
            score = self._validation_score(X_val, y[val_rows], Y[val_rows], w_val, fitted)
        alpha = float(self.alpha)
        if weights is not None:
            if not incremental:
                alpha = rescale_weights(weights, alpha, rows)
            weights = weights.astype(X.dtype, copy=False)
        return TrainingProblem(net, X, Y, weights, alpha, rows), score, fitted

    # Extension points of the problem builder, for networks with an input
    # block (see ``_front``); a plain network has none.
    def _input_block(self, fitted: dict):
        """The input block of a network fitted with ``fitted``, or None."""
        return None

    def _initialize(self, net: Network, X, random_state) -> None:
        """The first fit's initial weights."""
        net.initialize(random_state, self._init_method)

    def _restore_extra_weights(self, net: Network) -> None:
        """Copy the fitted weights beyond the dense layers' (an input block's,
        parametric activations') into ``net`` (warm start, partial_fit); the
        counterpart of :meth:`_snapshot_extra`."""

    def _lr_factors(self, net: Network):
        """Per-parameter factors of the learning rate, or None for one rate."""
        return None

    def _decay_factors(self, net: Network):
        """Per-parameter factors of the weight decay, or None to decay the
        coefficients alone."""
        return None

    def _extra_hooks(self, problem: TrainingProblem) -> list:
        """Hooks of the estimator's own, run after the stopping rule."""
        return []

    def _n_ensemble_members(self) -> int:
        """Members of the fitted model's ensemble (1: a single network)."""
        return 1

    def _max_epochs(self, problem: TrainingProblem) -> int:
        """Epochs (or L-BFGS iterations) of a fit at most: ``max_iter``."""
        return self.max_iter

    def _first_layer_inputs(self, default: int) -> int:
        """Inputs of the first dense layer of the fitted model."""
        return getattr(self, "n_features_in_", default)

    def _validate_input(self, X, y, dtype, reset: bool, sample_weight=None):
        """``validate_data`` without its side effect: what it would record is returned.

        ``sample_weight`` is for estimators whose input encoding is fitted
        with the weights; it is checked later, by ``_sample_weights``.

        It runs on a copy of the estimator, so that a fit which fails later,
        or a prediction running meanwhile in another thread, never sees the
        new data's ``n_features_in_`` beside the old model.
        """
        scratch = object.__new__(type(self))
        scratch.__dict__ = dict(self.__dict__)
        X, y = validate_data(
            scratch,
            X,
            y,
            accept_sparse=_SPARSE_FORMATS,
            dtype=dtype,
            multi_output=True,
            reset=reset,
        )
        if self._y_numeric:
            y = targets.numeric(y)
        recorded = {k: scratch.__dict__[k] for k in _INPUT_ATTRIBUTES if k in scratch.__dict__}
        if sp.issparse(X):
            X = X.tocsr()
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y, recorded

    def _validate_stream(self, stream, y, dtype, classes, *, first: bool):
        """What :meth:`_validate_input` does, for a :class:`BlockStream`: the rows are
        checked block by block as they are read, the targets here, in memory."""
        n_samples, n_features = stream.shape
        if not first and n_features != self.n_features_in_:
            raise ValueError(
                f"X has {n_features} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        if not isinstance(dtype, list) and stream.dtype != np.dtype(dtype):
            stream = copy.copy(stream)  # read in the fitted model's dtype
            stream.dtype = np.dtype(dtype)
        if n_samples < 1:
            raise ValueError(f"Found array with 0 sample(s) (shape={stream.shape}).")
        if _streaming.is_dask(y) or hasattr(y, "compute"):
            y = y.compute()
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        if y.shape[0] != n_samples:
            raise ValueError(
                f"X and y have different numbers of rows: {n_samples} and {y.shape[0]}."
            )
        if self._y_numeric:
            y = targets.numeric(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if is_classifier(self) and y.ndim == 1:
            allowed = classes if first else self.classes_
            if allowed is not None:
                stream.check_labels(y, allowed)
        recorded = {"n_features_in_": n_features}
        if stream.feature_names is not None:
            recorded["feature_names_in_"] = stream.feature_names
        return stream, y, recorded

    def _stream_validation_split(self, Y, random_state):
        """Training and validation rows of a streamed fit, chosen by the rows' indices.

        Row ``i`` is held out when a seeded hash of ``i`` says so (see
        ``_streaming.validation_rows``): about ``validation_fraction`` of every
        block, with no pass over the data. The seed is drawn from
        ``random_state``. The held-out rows are read once, into memory.
        """
        n_samples = Y.shape[0]
        seed = random_state.randint(np.iinfo(np.int32).max)
        held = _streaming.validation_rows(n_samples, self.validation_fraction, seed)
        val_rows = np.flatnonzero(held)
        if val_rows.shape[0] < 2 or val_rows.shape[0] == n_samples:
            raise ValueError(
                f"The validation set is too small or too large: early_stopping holds out "
                f"validation_fraction={self.validation_fraction} of {n_samples} samples, "
                f"{val_rows.shape[0]} sample(s). Change validation_fraction, add samples "
                "or turn early_stopping off."
            )
        return np.flatnonzero(~held), val_rows

    def _validation_split(self, Y, random_state):
        """Training and validation rows, split as scikit-learn's MLP splits them.

        The split is stratified for single-output classifiers only, on the same
        random stream, so that the same parameters and seed hold out the same
        rows. The training rows keep the split's order, as scikit-learn's.
        """
        n_samples = Y.shape[0]
        stratify = Y.astype(bool) if is_classifier(self) and Y.shape[1] == 1 else None
        try:
            rows, val_rows = train_test_split(
                np.arange(n_samples),
                test_size=self.validation_fraction,
                random_state=random_state,
                stratify=stratify,
            )
        except ValueError as exc:  # e.g. a class with a single sample
            raise ValueError(
                f"early_stopping cannot hold out validation_fraction="
                f"{self.validation_fraction} of {n_samples} samples: {exc} Change "
                "validation_fraction, add samples or turn early_stopping off."
            ) from exc
        if val_rows.shape[0] < 2:
            raise ValueError(
                f"The validation set is too small: early_stopping holds out "
                f"validation_fraction={self.validation_fraction} of {n_samples} samples, "
                f"{val_rows.shape[0]} sample(s). Increase validation_fraction or the "
                "size of the data set, or turn early_stopping off."
            )
        return rows, val_rows

    def _sample_weights(self, y, sample_weight, dtype, incremental, fitted):
        weights = check_sample_weight(sample_weight, y.shape[0], dtype)
        if weights is not None and not incremental and not weights.any():
            raise ValueError("All sample weights are zero: there is nothing to learn from.")
        return weights

    def _initial_state(self, first: bool, early_stopping: bool) -> TrainingState:
        """A fresh state, or the fitted model's for a warm start or ``partial_fit``."""
        if first:
            state = TrainingState()
        else:
            scores, losses = self.validation_scores_, self.validation_loss_curve_
            state = TrainingState(
                loss_curve=list(self.loss_curve_),
                epoch_times=list(self.epoch_times_),
                t_start=self.t_,
                best_loss=self.best_loss_,
                validation_scores=None if scores is None else list(scores),
                validation_loss_curve=None if losses is None else list(losses),
                best_validation_score=self.best_validation_score_,
                no_improvement_count=self._no_improvement_count,
            )
        if early_stopping:
            if state.validation_scores is None:
                state.validation_scores = []
            if state.validation_loss_curve is None:
                state.validation_loss_curve = []
            if state.best_validation_score is None:
                state.best_validation_score = -np.inf
            state.best_loss = None
        elif state.best_loss is None:  # after an early-stopping fit
            state.best_loss = np.inf
        return state

    @property
    def _optimizer(self):
        """The optimizer a ``partial_fit`` continues with, rebuilt from its plain state."""
        state = self.__dict__.get("_optimizer_state")
        return None if state is None else optimizer_from_state(state)

    def _optimizer_for(self, net: Network, resume: bool):
        """The optimizer to go on with (a copy: a failed call changes nothing), or a new one."""
        previous = self._optimizer if resume else None
        if previous is not None and previous.fits(self.solver, net.params.shape[0]):
            return previous
        return make_optimizer(
            self.solver,
            net.params.shape[0],
            net.dtype,
            self.get_params(),
            n_decayed=net.n_coef,
            lr_factors=self._lr_factors(net),
            decay_factors=self._decay_factors(net),
        )

    def _check_architecture(self, net: Network) -> None:
        expected = [W.shape for W in self.coefs_]
        got = [W.shape for W in net.coefs]
        if expected != got:
            raise ValueError(
                f"The network's layer shapes changed from {expected} to {got}: "
                "warm_start and partial_fit need the same hidden_layer_sizes, "
                "features and classes as the first fit."
            )

    def _fitted_attributes(
        self, fitted: dict, net: Network, state: TrainingState, optimizer
    ) -> dict:
        """Every fitted attribute of the trained model, public and private."""
        return dict(
            fitted,
            coefs_=net.coefs,
            intercepts_=net.intercepts,
            n_layers_=net.n_layers,
            n_outputs_=net.layer_units[-1],
            out_activation_=net.out_activation,
            _activation=net.activation,
            n_iter_=state.n_iter,
            t_=state.t,
            loss_curve_=list(state.loss_curve),
            loss_=state.loss_curve[-1],
            best_loss_=(min(state.loss_curve) if self.solver == "lbfgs" else state.best_loss),
            validation_scores_=(
                None if state.validation_scores is None else list(state.validation_scores)
            ),
            best_validation_score_=state.best_validation_score,
            validation_loss_curve_=(
                None if state.validation_loss_curve is None else list(state.validation_loss_curve)
            ),
            epoch_times_=list(state.epoch_times),
            _no_improvement_count=state.no_improvement_count,
            _optimizer_state=None if optimizer is None else optimizer.state(),
        )

    def _publish(self, attributes: dict) -> None:
        """Replace the fitted state with the new model's ``attributes`` in one assignment."""
        new = {k: v for k, v in self.__dict__.items() if not _is_fitted_attribute(k)}
        new.update(attributes)
        self.__dict__ = new

    # --------------------------------------------------------- prediction
    def _snapshot(self):
        """The estimator's state as of now, as an estimator of its own (see
        :meth:`_fitted_model`)."""
        model = object.__new__(type(self))
        model.__dict__ = self.__dict__
        return model

    def _fitted_model(self):
        """The fitted state as of now, as an estimator of its own.

        Publishing a refit replaces ``__dict__`` by a new one and never changes
        the old one, so a prediction that reads everything from this snapshot
        gives the old model's answer or the new model's, never a mixture, even
        while another thread refits. Fitted state that no fit could have
        published (weights changed by hand or loaded from a tampered file) is
        refused here, once per call, by :func:`_check_fitted_state`.
        """
        model = self._snapshot()
        check_is_fitted(model)
        _check_fitted_state(model)
        return model

    def _predict(self, X, transform):
        """``transform(z, model)`` of the output logits ``z`` of ``X``, chunk by chunk.

        ``model`` is the fitted state that computed them (see
        :meth:`_fitted_model`). The rows are run through the network a chunk
        at a time (see ``predict_chunks``), so that a prediction needs memory
        for its result and one chunk's layers, whatever the number of rows.
        Returns the assembled result and ``model``.
        """
        model = self._fitted_model()
        if isinstance(X, _streaming.BlockStream):
            X = X.data
        if _streaming.is_dask(X):
            return _streaming.predict_dask(model, X, transform), model
        # NaN and infinity are looked for in the first layer's output rather
        # than in a pass of their own over all of X (see logits()).
        X = validate_data(
            model,
            X,
            accept_sparse=_SPARSE_FORMATS,
            dtype=model.coefs_[0].dtype,
            reset=False,
            ensure_all_finite=False,
        )
        caller_errstate = np.geterr()
        name = type(self).__name__

        def check(rows, Z):
            # A finite sum of Z proves the rows finite; otherwise scikit-learn's
            # check of the rows finds the culprit (or that only the products
            # overflowed) and words the error.
            if not np.isfinite(np.add.reduce(Z, axis=None)):
                assert_all_finite(rows, input_name="X", estimator_name=name)

        def part(z, start, stop):
            with np.errstate(**caller_errstate):
                if not np.isfinite(z).all():
                    z = _finite_logits(X[start:stop], z, model)
                return transform(z, model)

        with np.errstate(over="ignore", invalid="ignore"):  # overflow is mended in part()
            result = predict_chunks(
                X,
                model.coefs_,
                model.intercepts_,
                model._activation,
                part,
                check=None if get_config()["assume_finite"] else check,
            )
        return result, model


class BaseNumpyNetClassifier(ClassifierMixin, BaseNumpyNet):
    """Shared implementation of :class:`SoftmaxClassifier` and :class:`MLPClassifierNP`."""

    _parameter_constraints: dict = {
        **BaseNumpyNet._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    @available_if(BaseNumpyNet._can_partial_fit)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with one epoch of mini-batch steps over ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its class labels, or a binary indicator matrix for multilabel
            problems.
        classes : array-like of shape (n_classes,), default=None
            All the classes that ``y`` may ever contain. Required on the first
            call (except for multilabel indicator targets); when passed again
            it must be the same set.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, used as given (not rescaled per call), so
            that a weight means the same in every call.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, classes, sample_weight)

    _to_sklearn = staticmethod(_export.mlp_classifier)

    def to_sklearn(self):
        """The fitted model as a scikit-learn estimator that predicts the same.

        ``MLPClassifierNP`` gives an ``MLPClassifier`` and ``SoftmaxClassifier`` a
        ``LogisticRegression``, with the same weights, classes and training
        history, built through their public API. Models whose hidden activation
        scikit-learn lacks cannot be converted (``ValueError``).

        Returns
        -------
        estimator : MLPClassifier or LogisticRegression
            A fitted scikit-learn estimator.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from sknumpynet import MLPClassifierNP
        >>> X, y = load_iris(return_X_y=True)
        >>> ours = MLPClassifierNP((8,), solver="lbfgs", random_state=0).fit(X, y)
        >>> theirs = ours.to_sklearn()
        >>> type(theirs).__name__, bool((theirs.predict(X) == ours.predict(X)).all())
        ('MLPClassifier', True)
        >>> bool(abs(theirs.predict_proba(X) - ours.predict_proba(X)).max() < 1e-12)
        True
        """
        return self._to_sklearn(self)

    def _encode_targets(self, y, classes, dtype, *, first: bool, incremental: bool):
        """The target matrix and output activation of ``y``, and the label attributes."""
        if incremental and first and classes is None and not targets.is_indicator(y):
            raise ValueError(
                "classes must be passed on the first call to partial_fit: the list "
                "of every class that y may contain."
            )
        if first:
            binarizer = targets.fit_binarizer(y, classes)
        else:
            binarizer = self._label_binarizer
            if classes is not None and not targets.is_multilabel(binarizer):
                targets.check_same_classes(classes, binarizer)
            if not incremental:
                targets.check_all_classes(y, binarizer)
            targets.check_known_labels(y, binarizer)
        Y, out_activation = targets.target_matrix(y, binarizer, dtype)
        return Y, out_activation, {"_label_binarizer": binarizer, "classes_": binarizer.classes_}

    def _sample_weights(self, y, sample_weight, dtype, incremental, fitted):
        """Sample weights times class weights, or None when all are one."""
        binarizer = fitted["_label_binarizer"]
        weights = check_sample_weight(sample_weight, y.shape[0], dtype)
        multilabel = targets.is_multilabel(binarizer)
        if self.class_weight is not None:
            if multilabel:
                raise ValueError("class_weight is not supported for multilabel targets.")
            if incremental and isinstance(self.class_weight, str):
                raise ValueError(
                    "class_weight='balanced' is not supported by partial_fit, which sees "
                    "one chunk at a time; pass a dict, e.g. from sklearn.utils."
                    "compute_class_weight('balanced', classes=classes, y=y_all)."
                )
            class_index = np.searchsorted(binarizer.classes_, y)
            per_class = class_weights(self.class_weight, binarizer.classes_, class_index, weights)
            # multiplied in float64: large weights times a class weight above one
            # must not overflow a float32 dtype before they are rescaled
            per_sample = per_class[class_index]
            weights = per_sample if weights is None else weights.astype(np.float64) * per_sample
        if weights is None or incremental:
            return weights
        if not weights.any():
            raise ValueError(
                "All sample weights are zero (after class weights): there is nothing "
                "to learn from."
            )
        if not multilabel and np.unique(np.asarray(y)[weights > 0]).shape[0] < 2:
            raise ValueError(
                "The classifier needs samples of at least 2 classes with a positive "
                f"sample weight; only {np.unique(np.asarray(y)[weights > 0]).tolist()!r} "
                "have one."
            )
        return weights

    def _chance_level(self, problem: TrainingProblem, y, fitted):
        """A check that the fitted network does better than a constant answer.

        It fails when the network predicts one class for every training row
        of data with several (unless the sample and class weights make it the
        heaviest class), or when its training loss (without the penalty) is no
        lower than that of the class frequencies themselves.
        """
        rows = self._check_rows(problem)
        X, Y, y = problem.X[rows], problem.Y[rows], np.asarray(y)[rows]
        w = None if problem.sample_weight is None else problem.sample_weight[rows]
        binarizer = fitted["_label_binarizer"]

        def check(net: Network) -> str | None:
            z = net.logits(X)
            if not targets.is_multilabel(binarizer):
                present, predicted = np.unique(y), np.unique(targets.decode(z, binarizer))
                # With weights, one class may carry nearly all of them (class_weight
                # {0: 1000, 1: 1e-4}): predicting it everywhere is then no failure.
                heaviest = (
                    w is not None
                    and predicted.shape[0] == 1
                    and (present[np.argmax([w[y == c].sum() for c in present])] == predicted[0])
                )
                if present.shape[0] > 1 and predicted.shape[0] == 1 and not heaviest:
                    return (
                        f"The fitted model predicts the single class {predicted.tolist()[0]!r} "
                        f"for every training sample, on data of {present.shape[0]} classes: "
                        "training failed, typically because the steps were too large "
                        f"(hidden units died).{self._failure_advice(X)}"
                    )
            # Both losses against the targets the model was trained on (smoothed
            # ones with label smoothing, whose best constant answer is the
            # smoothed frequencies), both as weighted averages.
            eps = net.label_smoothing
            if eps:
                loss = LOSSES[net.out_activation](z, Y, w, 1.0, eps)
            else:
                loss = LOSSES[net.out_activation](z, Y, w)
            if w is not None:
                loss *= Y.shape[0] / float(w.sum())
            prior = _prior_loss(Y, w, net.out_activation, eps)
            # Frequencies (nearly) one-hot under the weights leave nothing to
            # learn: the prior is then at the loss's floor, as is any model.
            floor = _loss_floor(Y, net.out_activation, eps)
            if loss >= prior and prior - floor > 1e-3 * prior:
                return (
                    f"The fitted model's training loss ({loss:.4g}) is no better than "
                    f"predicting the class frequencies ({prior:.4g}): it learned nothing."
                    f"{self._failure_advice(X)}"
                )
            return None

        return check

    def _validation_score(self, X_val, y_val, Y_val, w_val, fitted):
        """Accuracy and loss on the held-out set, weighted by its sample and class weights."""
        binarizer = fitted["_label_binarizer"]

        def score(net: Network) -> tuple[float, float]:
            z = net.logits(X_val)
            predicted = targets.decode(z, binarizer)
            accuracy = float(accuracy_score(y_val, predicted, sample_weight=w_val))
            return accuracy, LOSSES[net.out_activation](z, Y_val, w_val)

        return score

    def _expected_outputs(self) -> list[tuple[str, int]]:
        """What the fitted output layer's width must be, and the attribute that says so."""
        binarizer = self._label_binarizer
        classes = self.classes_
        if classes is not binarizer.classes_ and not np.array_equal(
            np.asarray(classes), binarizer.classes_
        ):
            raise ValueError(
                f"The fitted attribute classes_ is {np.asarray(self.classes_).tolist()!r}, "
                f"but the model was fitted with the classes {binarizer.classes_.tolist()!r}."
            )
        n_classes = len(binarizer.classes_)
        if targets.is_multilabel(binarizer):
            return [
                ("classes_ (one output per label)", n_classes),
                ("n_outputs_", self.n_outputs_),
            ]
        if n_classes == 2:
            return [("classes_ (one output for two classes)", 1), ("n_outputs_", self.n_outputs_)]
        return [("classes_ (one output per class)", n_classes), ("n_outputs_", self.n_outputs_)]

    def _output_activations(self) -> tuple[str, ...]:
        binarizer = self._label_binarizer
        if targets.is_multilabel(binarizer) or len(binarizer.classes_) == 2:
            return ("logistic",)
        return ("softmax",)

    def decision_function(self, X) -> np.ndarray:
        """Logits of the output layer: the model's confidence scores.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            For binary problems, the logit of the positive class
            ``classes_[1]`` (positive means that class is predicted);
            otherwise one logit per class or label.
        """
        z, model = self._predict(X, lambda z, model: z)
        binary = z.shape[1] == 1 and not targets.is_multilabel(model._label_binarizer)
        return z[:, 0] if binary else z

    def predict(self, X) -> np.ndarray:
        """Predict class labels (or label indicators for multilabel targets).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted classes.
        """
        return self._predict(X, lambda z, model: targets.decode(z, model._label_binarizer))[0]

    def predict_log_proba(self, X) -> np.ndarray:
        """Log of the class probabilities, computed from the logits by log-sum-exp.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Finite even where a probability rounds to zero.
        """
        return self._predict(X, _log_proba)[0]

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (per-label probabilities for multilabel targets).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to one, except for multilabel targets, where each column
            is the probability of its own label.
        """
        return self._predict(X, _proba)[0]


class BaseNumpyNetRegressor(RegressorMixin, BaseNumpyNet):
    """Shared implementation of the regressors: numeric targets, one output per column."""

    _parameter_constraints: dict = {
        **BaseNumpyNet._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }
    _y_numeric = True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.positive_only = self.loss == "poisson"
        return tags

    def fit(self, X, y, sample_weight=None):
        """Fit the model to data ``X`` and target values ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 data trains in float32, anything else in
            float64. Sparse data is used as CSR without densifying it.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values, one column per output: numbers. Booleans and
            strings that spell numbers are converted to float; anything else
            is refused. ``loss="poisson"`` needs ``y >= 0``.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights. A weight of ``k`` counts as ``k`` repeats of
            the sample; see the class docstring for the exact objective.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return super().fit(X, y, sample_weight=sample_weight)

    @available_if(BaseNumpyNet._can_partial_fit)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch of mini-batch steps over ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its target values, numbers as for :meth:`fit`, with as many
            columns as in the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, used as given (not rescaled per call), so
            that a weight means the same in every call.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, None, sample_weight)

    def _encode_targets(self, y, classes, dtype, *, first: bool, incremental: bool):
        """The targets as a 2-D array in ``dtype``, and the output activation of the loss."""
        Y = np.asarray(y, dtype=dtype).reshape(y.shape[0], -1)
        if self.loss == "poisson" and (Y < 0).any():
            raise ValueError(
                "Some value(s) of y are negative, which is not allowed for "
                "loss='poisson': it models counts or rates."
            )
        if not first and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} target column(s), but the model was fitted with "
                f"{self.n_outputs_}."
            )
        return Y, ("exp" if self.loss == "poisson" else "identity"), {}

    def _chance_level(self, problem: TrainingProblem, y, fitted):
        """A check that the fitted network beats predicting the mean of the targets.

        The targets are the problem's (numbers in the training dtype), not the
        ``y`` the caller passed, which may hold booleans or numeric strings.
        """
        rows = self._check_rows(problem)
        X, Y = problem.X[rows], problem.Y[rows]
        y = Y[:, 0] if Y.shape[1] == 1 else Y
        w = None if problem.sample_weight is None else problem.sample_weight[rows]

        def check(net: Network) -> str | None:
            predicted = self._output(net.logits(X), net.out_activation)
            if y.shape[0] < 2 or np.ptp(y, axis=0).max() == 0:
                return None  # constant targets: the mean is the answer
            r2 = float(r2_score(y, predicted, sample_weight=w))
            if r2 > 0:
                return None
            message = (
                f"The fitted model's R^2 on its training data is {r2:.3g}: it does no "
                "better than predicting the mean."
            )
            mean, std = Y.mean(axis=0, dtype=np.float64), Y.std(axis=0, dtype=np.float64)
            if net.out_activation == "identity" and _far_from_standard(mean, std).any():
                # (a log link reaches any positive scale, and standardized
                # targets would be negative: Poisson targets are left alone)
                return (
                    f"{message} The targets are far from standardized (mean "
                    f"{_span(mean)}, standard deviation {_span(std)}), while the "
                    "network's outputs start near 0 with a scale near 1: standardize "
                    "them, e.g. with sklearn.compose.TransformedTargetRegressor("
                    "regressor=..., transformer=sklearn.preprocessing.StandardScaler()), "
                    "which also maps the predictions back."
                    f"{self._failure_advice(X, other=True)}"
                )
            return (
                f"{message} Training failed, typically because the steps were too "
                f"large.{self._failure_advice(X)}"
            )

        return check

    def _validation_score(self, X_val, y_val, Y_val, w_val, fitted):
        """R^2 (NaN where the predictions are not finite) and loss on the held-out set."""

        def score(net: Network) -> tuple[float, float]:
            z = net.logits(X_val)
            predicted = self._output(z.copy(), net.out_activation)
            loss = LOSSES[net.out_activation](z, Y_val, w_val)
            if not np.isfinite(predicted).all():
                return np.nan, loss
            return float(r2_score(y_val, predicted, sample_weight=w_val)), loss

        return score

    def to_sklearn(self):
        """The fitted model as scikit-learn's ``MLPRegressor``, predicting the same.

        Built through ``MLPRegressor``'s public API with the same weights and
        training history. Models whose hidden activation scikit-learn lacks
        cannot be converted (``ValueError``).

        Returns
        -------
        estimator : MLPRegressor
            A fitted scikit-learn estimator.

        Examples
        --------
        >>> from sklearn.datasets import load_diabetes
        >>> from sknumpynet import MLPRegressorNP
        >>> X, y = load_diabetes(return_X_y=True)
        >>> ours = MLPRegressorNP(hidden_layer_sizes=(), solver="lbfgs").fit(X, y)
        >>> bool(abs(ours.to_sklearn().predict(X) - ours.predict(X)).max() < 1e-9)
        True
        """
        return _export.mlp_regressor(self)

    def _expected_outputs(self) -> list[tuple[str, int]]:
        """What the fitted output layer's width must be, and the attribute that says so."""
        return [("n_outputs_", self.n_outputs_)]

    def _output_activations(self) -> tuple[str, ...]:
        return ("identity", "exp")

    @staticmethod
    def _output(z: np.ndarray, out_activation: str, capped: bool = False) -> np.ndarray:
        """Predictions from the output logits (in place): 1-D for a single target.

        With ``capped``, ``exp`` of a logit beyond the dtype's range gives the
        dtype's largest finite value rather than an overflow to infinity.
        """
        if out_activation == "exp":
            if capped:
                with np.errstate(over="ignore"):
                    z = np.exp(z, out=z)
                z = np.minimum(z, np.finfo(z.dtype).max, out=z)
            else:
                z = np.exp(z, out=z)
        return z[:, 0] if z.shape[1] == 1 else z

    def predict(self, X) -> np.ndarray:
        """Predict the targets of ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values, in the dtype of the fitted weights (float32 for a
            model fitted on float32 data). For ``loss="poisson"`` they are
            ``exp`` of the output layer, capped at the dtype's largest finite
            value (``np.finfo(dtype).max``) where that ``exp`` would overflow:
            finite inputs always give finite predictions, as for the squared
            error, whose output layer is kept within the dtype's range.
        """
        return self._predict(
            X, lambda z, model: self._output(z, model.out_activation_, capped=True)
        )[0]


_WEIGHT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _check_fitted_state(model) -> None:
    """Refuse fitted weights that no fit of this package could have published.

    A model whose attributes were changed by hand or loaded from a tampered
    file would otherwise predict garbage, or fail deep in the forward pass:
    ``coefs_`` and ``intercepts_`` must be lists of float32 or float64 arrays
    of one dtype, of shapes that chain from ``n_features_in_`` to the outputs
    (``n_outputs_``, and one per class or label for a classifier), as many as
    ``n_layers_`` says, all finite, and the activations must be known ones.
    Run once per prediction call, before any row: a pass over the weights,
    which costs about as much as predicting one row.
    """
    coefs, intercepts = model.coefs_, model.intercepts_
    for name, arrays in (("coefs_", coefs), ("intercepts_", intercepts)):
        if not isinstance(arrays, (list, tuple)) or not arrays:
            raise ValueError(
                f"The fitted attribute {name} must be a non-empty list of arrays, one per "
                f"layer, got {type(arrays).__name__}: the model cannot predict. Refit it."
            )
    if len(coefs) != len(intercepts):
        raise ValueError(
            f"The fitted attributes coefs_ and intercepts_ disagree on the number of "
            f"layers: {len(coefs)} weight matrices but {len(intercepts)} intercept vectors."
        )
    n_layers = getattr(model, "n_layers_", len(coefs) + 1)
    if n_layers != len(coefs) + 1:
        raise ValueError(
            f"The fitted attribute n_layers_ is {n_layers!r}, but coefs_ holds "
            f"{len(coefs)} weight matrices, for {len(coefs) + 1} layers."
        )
    dtype = getattr(coefs[0], "dtype", None)
    members = model._n_ensemble_members()
    # (names are formatted only for an error: this runs on every prediction)
    with np.errstate(over="ignore", invalid="ignore"):
        for attribute, arrays, ndim in (("coefs_", coefs, 2), ("intercepts_", intercepts, 1)):
            for i, array in enumerate(arrays):
                if members > 1 and i == len(arrays) - 1:
                    ndim += 1  # one output layer per member of an ensemble
                kind = getattr(array, "dtype", None)
                if not isinstance(array, np.ndarray) or kind not in _WEIGHT_DTYPES:
                    what = type(array).__name__ if kind is None else f"array of dtype {kind}"
                    raise ValueError(
                        f"The fitted attribute {attribute}[{i}] must be a float32 or float64 "
                        f"array, got {what}."
                    )
                if kind != dtype:
                    raise ValueError(
                        f"The fitted weights must all have one dtype: coefs_[0] is {dtype} "
                        f"but {attribute}[{i}] is {kind}."
                    )
                if array.ndim != ndim:
                    raise ValueError(
                        f"The fitted attribute {attribute}[{i}] must have {ndim} "
                        f"dimension(s), got shape {array.shape}."
                    )
                # A finite sum proves every term finite; only a non-finite one
                # (or an overflow of huge finite weights) needs the exact check.
                if not np.isfinite(np.add.reduce(array, axis=None)):
                    bad = np.argwhere(~np.isfinite(array))
                    if bad.size:
                        raise ValueError(
                            f"The fitted attribute {attribute}[{i}] holds {bad.shape[0]} "
                            "NaN or infinite value(s) (the first at "
                            f"{tuple(bad[0].tolist())}): the model cannot predict. Refit it."
                        )
    units = model._first_layer_inputs(coefs[0].shape[-2])
    if members > 1 and (coefs[-1].shape[0] != members or intercepts[-1].shape[0] != members):
        raise ValueError(
            f"The fitted output layer has {coefs[-1].shape[0]} weight matrices and "
            f"{intercepts[-1].shape[0]} intercept vectors, for {members} members."
        )
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        if members > 1 and i == len(coefs) - 1:
            W, b = W[0], b[0]
        if W.shape[0] != units:
            source = "n_features_in_" if i == 0 else f"coefs_[{i - 1}]"
            raise ValueError(
                f"The fitted attribute coefs_[{i}] has shape {W.shape}, but {source} "
                f"gives layer {i} {units} units: the weights do not chain."
            )
        units = W.shape[1]
        if b.shape[0] != units:
            raise ValueError(
                f"The fitted attribute intercepts_[{i}] has shape {b.shape}, but "
                f"coefs_[{i}] has shape {W.shape}: {units} intercepts expected."
            )
    for name, expected in model._expected_outputs():
        if units != expected:
            raise ValueError(
                f"The fitted output layer has {units} units (coefs_[{len(coefs) - 1}] "
                f"has shape {coefs[-1].shape}), but {name} needs {expected}."
            )
    if not isinstance(model._activation, str) or model._activation not in ACTIVATIONS:
        raise ValueError(
            f"The fitted hidden activation (_activation) is {model._activation!r}, not one "
            f"of {sorted(ACTIVATIONS)}."
        )
    allowed = model._output_activations()
    if model.out_activation_ not in allowed:
        raise ValueError(
            f"The fitted attribute out_activation_ is {model.out_activation_!r}; this "
            f"model's output needs {' or '.join(map(repr, allowed))}."
        )


def _far_from_standard(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Which columns are far from mean 0 and standard deviation 1.

    A mean beyond 3 in absolute value, or a (non-zero) standard deviation
    outside [0.1, 10]: a scale that the network's initial weights, drawn for
    standardized data, and the default step sizes do not suit.
    """
    return (np.abs(mean) > 3) | (std > 10) | ((std > 0) & (std < 0.1))


def _span(values: np.ndarray) -> str:
    """``values`` in words: the one value, or the range of several."""
    low, high = float(np.min(values)), float(np.max(values))
    return f"{low:.3g}" if low == high else f"from {low:.3g} to {high:.3g}"


def _retry_advice(other: bool = False) -> str:
    """What to try after a failed fit; ``other`` says another cause was named first."""
    return (
        " Otherwise try a smaller learning_rate_init or more iterations."
        if other
        else " Try a smaller learning_rate_init or more iterations."
    )


def _feature_advice(X, other: bool = False) -> str:
    """What to try after a failed fit, naming the features' scale when it is far off.

    ``other`` says that another cause was named first. ``X`` is a sample of
    the training rows (dense or CSR).
    """
    if sp.issparse(X):
        mean, var = mean_variance_axis(X, axis=0)
        std = np.sqrt(var)
    else:
        mean, std = X.mean(axis=0, dtype=np.float64), X.std(axis=0, dtype=np.float64)
    far = _far_from_standard(mean, std)
    if not far.any():
        return _retry_advice(other)
    plural = "s" if far.sum() > 1 else ""
    return (
        f" The features are not scaled {'either ' if other else ''}({far.sum()} of "
        f"{far.shape[0]} columns far from standardized: mean{plural} {_span(mean[far])}, "
        f"standard deviation{plural} {_span(std[far])}): scale them, e.g. with "
        "sklearn.preprocessing.StandardScaler. Otherwise try a smaller learning_rate_init "
        "or more iterations."
    )


def _prior_loss(Y: np.ndarray, w, out_activation: str, label_smoothing: float = 0.0) -> float:
    """The loss of always predicting the (weighted) class or label frequencies.

    With label smoothing ``eps``, the loss against the smoothed targets of
    always predicting their frequencies, ``(1 - eps) * freq + eps / K``.
    """
    freq = np.average(Y, axis=0, weights=w)
    if label_smoothing:
        k = Y.shape[1] if out_activation == "softmax" else 2
        freq = (1.0 - label_smoothing) * freq + label_smoothing / k
    with np.errstate(divide="ignore", invalid="ignore"):
        if out_activation == "softmax":
            return float(-np.sum(np.where(freq > 0, freq * np.log(freq), 0.0)))
        entropy = -(
            np.where(freq > 0, freq * np.log(freq), 0.0)
            + np.where(freq < 1, (1 - freq) * np.log1p(-freq), 0.0)
        )
    return float(entropy.sum())


def _loss_floor(Y: np.ndarray, out_activation: str, label_smoothing: float) -> float:
    """The smallest cross-entropy of any answer against one-hot (or 0/1) targets:
    0, or with label smoothing the entropy of a smoothed target."""
    if not label_smoothing:
        return 0.0
    k = Y.shape[1] if out_activation == "softmax" else 2
    low = label_smoothing / k
    high = 1.0 - label_smoothing + low
    entropy = -(high * np.log(high) + (k - 1) * low * np.log(low))
    return float(entropy if out_activation == "softmax" else entropy * Y.shape[1])


def _log_proba(z: np.ndarray, model) -> np.ndarray:
    """Log-probabilities from the logits, by log-sum-exp (a new array)."""
    if targets.is_multilabel(model._label_binarizer):
        return log_expit(z)
    if z.shape[1] == 1:
        return np.hstack([log_expit(-z), log_expit(z)])
    return log_softmax(z)


def _proba(z: np.ndarray, model) -> np.ndarray:
    """Probabilities from the logits (in place where it can), never exactly 0 or 1.

    Clipped to ``[tiny, 1 - epsneg]`` of the dtype, so that ``log(proba)`` and
    the logit stay finite.
    """
    info = np.finfo(z.dtype)
    if targets.is_multilabel(model._label_binarizer) or z.shape[1] == 1:
        proba = np.exp(_log_proba(z, model))
    else:
        # The softmax in place in ``z`` (a buffer of the chunk): one exp per
        # entry and no log, which is also more accurate than exp(log_softmax)
        # (whose argument carries the rounding of the log). The clip keeps
        # differences of logits from overflowing.
        big = info.max / 4
        proba = np.clip(z, -big, big, out=z)
        proba -= np.maximum.reduce(proba, axis=1, keepdims=True)
        np.exp(proba, out=proba)
        proba /= np.add.reduce(proba, axis=1, keepdims=True)
    return np.clip(proba, info.tiny, 1 - info.epsneg, out=proba)


def _finite_logits(X, z: np.ndarray, model) -> np.ndarray:
    """Logits of finite inputs whose forward pass overflowed, made finite.

    Rows of float32 data are recomputed in float64, whose range holds any
    float32 input times moderate weights; what still overflows (inputs near
    float64's limit) is clipped, and a NaN (inf - inf) becomes 0. The logits
    stay within a quarter of the dtype's range, so that log-sum-exp over them
    cannot overflow: probabilities stay finite and sum to one.
    """
    z = z.copy()
    bad = ~np.isfinite(z).all(axis=1)
    with np.errstate(over="ignore", invalid="ignore"):
        if z.dtype == np.float32:
            rows = X[bad].astype(np.float64)
            coefs = [W.astype(np.float64) for W in model.coefs_]
            intercepts = [b.astype(np.float64) for b in model.intercepts_]
            wide = logits(rows, coefs, intercepts, model._activation)
        else:
            wide = z[bad]
        big = np.finfo(z.dtype).max / 4
        z[bad] = np.clip(np.nan_to_num(wide, nan=0.0, posinf=big, neginf=-big), -big, big)
    return z
