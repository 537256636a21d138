"""The scikit-learn face shared by both estimators.

The public methods validate their input, turn labels into target matrices and
sample weights into one weight vector, and hand plain arrays to the engine
(``_network``, ``_optimizers``, ``_training``).  The engine's results become the
fitted attributes only once training has succeeded, so a failed fit leaves a
previously fitted model as it was.
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._losses import log_expit, log_softmax
from ._network import Network, predict_logits
from ._optimizers import AdamOptimizer, SGDOptimizer
from ._training import DivergenceError, TrainingState, run_epochs, run_lbfgs

_SPARSE_FORMATS = ["csr", "csc"]
_FLOAT_DTYPES = [np.float64, np.float32]


def _check_sample_weight(sample_weight, n_samples: int, dtype) -> np.ndarray | None:
    """Validate ``sample_weight``: 1-D, one finite non-negative value per sample."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, Real) and not isinstance(sample_weight, bool):
        sample_weight = np.full(n_samples, sample_weight, dtype=dtype)
    sw = np.asarray(sample_weight)
    if sw.dtype.kind not in "biuf":
        raise TypeError(f"sample_weight must be numeric, got an array of dtype {sw.dtype}.")
    if sw.ndim != 1:
        raise ValueError(
            f"Sample weights must be 1D array or scalar, got an array of shape {sw.shape}."
        )
    if sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight.shape == {sw.shape}, expected ({n_samples},): one weight per sample."
        )
    sw = sw.astype(dtype)  # always a copy: the caller's array is never modified
    if not np.isfinite(sw).all():
        raise ValueError("sample_weight contains NaN or infinity.")
    if (sw < 0).any():
        raise ValueError("Negative values in sample_weight are not allowed.")
    return sw


@contextmanager
def _restore_input_attributes_on_error(estimator):
    """Undo what input validation recorded on ``estimator`` if the fit fails.

    ``validate_data(reset=True)`` sets ``n_features_in_`` and
    ``feature_names_in_`` as soon as ``X`` is valid, before the targets, the
    weights and the training itself are checked. A fit that fails later must
    not leave a previously fitted model expecting the rejected data's columns.
    """
    names = ("n_features_in_", "feature_names_in_")
    saved = {name: estimator.__dict__[name] for name in names if name in estimator.__dict__}
    try:
        yield
    except BaseException:
        for name in names:
            estimator.__dict__.pop(name, None)
        estimator.__dict__.update(saved)
        raise


class BaseNumpyNetClassifier(ClassifierMixin, BaseEstimator):
    """Shared implementation of :class:`SoftmaxClassifier` and :class:`MLPClassifierNP`.

    Subclasses define ``__init__`` (their parameters) and ``_architecture()``,
    which returns the hidden layer sizes and the hidden activation.
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
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def _architecture(self) -> tuple[list[int], str]:  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------------ tags
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags

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
        warm = self.warm_start and hasattr(self, "coefs_")
        with _restore_input_attributes_on_error(self):
            return self._fit(X, y, sample_weight, classes=None, incremental=False, reset=not warm)

    def _can_partial_fit(self):
        if self.solver not in ("sgd", "adam"):
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers; "
                f"{self.solver!r} is not stochastic."
            )
        return True

    @available_if(_can_partial_fit)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with one epoch of mini-batch steps over ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its targets.
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
        first = not hasattr(self, "coefs_")
        if first:
            self._validate_params()
        with _restore_input_attributes_on_error(self):
            return self._fit(X, y, sample_weight, classes=classes, incremental=True, reset=first)

    def _prepare(
        self, X, y, sample_weight, classes, *, incremental: bool, reset: bool, dtype=None
    ):
        """Validate the data and build what training needs, changing nothing fitted.

        Returns the validated ``X`` and ``y``, the label binarizer, the target
        matrix ``Y``, the combined sample and class weights (or None) and a
        network of the right shape, not yet initialized. ``reset`` is true for
        a first fit; otherwise the fitted classes, dtype and activation apply.
        """
        hidden, activation = self._architecture()
        hidden = self._check_hidden_layer_sizes(hidden)
        if not reset:
            activation = self._activation
        if dtype is None:
            dtype = _FLOAT_DTYPES if reset else self.coefs_[0].dtype
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=_SPARSE_FORMATS,
            dtype=dtype,
            multi_output=True,
            reset=reset,
        )
        if sp.issparse(X):
            X = X.tocsr()
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if incremental and reset and classes is None and not self._is_indicator(y):
            raise ValueError(
                "classes must be passed on the first call to partial_fit: the list "
                "of every class that y may contain."
            )
        binarizer = self._fit_binarizer(y, classes) if reset else self._label_binarizer
        if not reset:
            if classes is not None and not self._is_multilabel(binarizer):
                self._check_same_classes(classes, binarizer)
            self._check_known_labels(y, binarizer)
        Y = binarizer.transform(y).astype(X.dtype, copy=False)
        if Y.ndim == 1 or (binarizer.y_type_ != "multilabel-indicator" and Y.shape[1] == 1):
            Y = Y.reshape(-1, 1)
        if incremental and isinstance(self.class_weight, str):
            raise ValueError(
                "class_weight='balanced' is not supported by partial_fit, which sees one "
                "chunk at a time; pass a dict, e.g. from sklearn.utils."
                "compute_class_weight('balanced', classes=classes, y=y_all)."
            )
        weights = self._sample_weights(
            y, Y, sample_weight, binarizer, X.dtype, whole_data=not incremental
        )
        out_activation = (
            "logistic" if Y.shape[1] == 1 or self._is_multilabel(binarizer) else "softmax"
        )
        net = Network([X.shape[1], *hidden, Y.shape[1]], activation, out_activation, X.dtype)
        if not reset:
            self._check_architecture(net)
        return X, y, binarizer, Y, weights, net

    @staticmethod
    def _rescale_weights(weights, alpha: float, rows=None) -> float:
        """Rescale ``weights`` in place to mean one over ``rows``; returns alpha / scale.

        The objective is only multiplied by a constant, so its minimizer is
        unchanged, and unit weights give exactly the unweighted fit.
        """
        scale = float(weights.mean() if rows is None else weights[rows].mean())
        if scale <= 0:
            raise ValueError(
                "The sample weights of the training samples are all zero: there is "
                "nothing to learn from."
            )
        weights /= scale
        return alpha / scale

    def _fit(self, X, y, sample_weight, classes, incremental: bool, reset: bool):
        X, y, binarizer, Y, weights, net = self._prepare(
            X, y, sample_weight, classes, incremental=incremental, reset=reset
        )
        random_state = check_random_state(self.random_state) if reset else self._random_state
        if reset:
            net.initialize(random_state)
            state = TrainingState()
        else:
            net.set_weights(self.coefs_, self.intercepts_)
            state = copy.deepcopy(self._state)

        n_samples = X.shape[0]
        rows = validation = None
        if self.early_stopping and not incremental and self.solver != "lbfgs":
            rows, validation = self._validation_split(X, y, weights, binarizer, random_state)
            state.validation_scores = state.validation_scores or []
            if state.best_validation_score is None:
                state.best_validation_score = -np.inf
            state.best_loss = None
        elif state.best_loss is None:  # after an early-stopping fit
            state.best_loss = np.inf
        n_train = n_samples if rows is None else rows.shape[0]

        alpha = float(self.alpha)
        if weights is not None and not incremental:
            alpha = self._rescale_weights(weights, alpha, rows)

        optimizer = None
        if self.solver == "lbfgs":
            run_lbfgs(
                net,
                X,
                Y,
                weights,
                state=state,
                alpha=alpha,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
                verbose=self.verbose,
            )
        else:
            if incremental and not reset and getattr(self, "_optimizer", None) is not None:
                optimizer = copy.deepcopy(self._optimizer)
            else:
                optimizer = self._new_optimizer(net)
            batch_size = min(200, n_train) if self.batch_size == "auto" else self.batch_size
            run_epochs(
                net,
                optimizer,
                X,
                Y,
                weights,
                state=state,
                alpha=alpha,
                batch_size=batch_size,
                max_iter=self.max_iter,
                shuffle=self.shuffle,
                random_state=random_state,
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                rows=rows,
                validation=validation,
                incremental=incremental,
                verbose=self.verbose,
            )

        self._check_finite_model(net, X)

        # Training succeeded: publish the results.
        self._label_binarizer = binarizer
        self.classes_ = binarizer.classes_
        self._random_state = random_state
        self._optimizer = optimizer
        self._state = state
        self.coefs_ = net.coefs
        self.intercepts_ = net.intercepts
        self.n_layers_ = net.n_layers
        self.n_outputs_ = Y.shape[1]
        self.out_activation_ = net.out_activation
        self._activation = net.activation  # predict uses the activation it was fitted with
        self.n_iter_ = state.n_iter
        self.t_ = state.t
        self.loss_curve_ = state.loss_curve
        self.loss_ = state.loss_curve[-1] if state.loss_curve else np.nan
        self.best_loss_ = state.best_loss
        if state.validation_scores is not None:
            self.validation_scores_ = state.validation_scores
            self.best_validation_score_ = state.best_validation_score
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
        return self

    def _loss_problem(self, X, y, sample_weight=None, *, dtype=np.float64):
        """The network, arrays and alpha of the objective that ``fit`` minimizes.

        Used by :func:`sknumpynet.check_gradients`. Labels become the target
        matrix, sample and class weights are combined and rescaled to mean one
        (alpha with them) exactly as in ``_fit`` on the whole data (no
        early-stopping split). A fitted estimator's network holds its fitted
        weights and ``y`` must use its classes; otherwise the network is
        initialized from ``random_state`` as ``fit`` would, and
        ``n_features_in_`` is set on ``self`` (call this on a clone).
        Everything is in ``dtype``.

        Returns
        -------
        net : Network
        X : ndarray or CSR matrix
        Y : ndarray of shape (n_samples, n_outputs)
        weights : ndarray of shape (n_samples,) or None
        alpha : float
        """
        fitted = hasattr(self, "coefs_")
        X, y, binarizer, Y, weights, net = self._prepare(
            X, y, sample_weight, None, incremental=False, reset=not fitted, dtype=dtype
        )
        if fitted:
            net.set_weights(self.coefs_, self.intercepts_)
        else:
            net.initialize(check_random_state(self.random_state))
        alpha = float(self.alpha)
        if weights is not None:
            alpha = self._rescale_weights(weights, alpha)
        return net, X, Y, weights, alpha

    # ------------------------------------------------------- fit helpers
    @staticmethod
    def _check_finite_model(net: Network, X) -> None:
        """Refuse to publish weights that are, or predict, infinite or NaN.

        The training loop checks the loss before each step; the last step can
        still blow the weights up. The logits of a few training rows (all of
        them overflow once the weights have exploded) are a cheap check.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            finite = (
                np.isfinite(net.params).all() and np.isfinite(net.predict_logits(X[:256])).all()
            )
        if not finite:
            raise DivergenceError(
                "The fit produced weights whose outputs are infinite or NaN: it diverged. "
                "Try a smaller learning_rate_init or scaling the input features."
            )

    @staticmethod
    def _check_hidden_layer_sizes(hidden) -> list[int]:
        sizes = (
            list(np.atleast_1d(np.asarray(hidden, dtype=object)).ravel())
            if hidden is not None
            else []
        )
        out = []
        for size in sizes:
            if not isinstance(size, Integral) or isinstance(size, bool) or size < 1:
                raise ValueError(f"hidden_layer_sizes must be positive integers, got {hidden!r}.")
            out.append(int(size))
        return out

    @staticmethod
    def _is_indicator(y) -> bool:
        return y.ndim == 2 and type_of_target(y) == "multilabel-indicator"

    @staticmethod
    def _is_multilabel(binarizer) -> bool:
        return binarizer.y_type_ == "multilabel-indicator"

    def _fit_binarizer(self, y, classes) -> LabelBinarizer:
        try:
            check_classification_targets(y)
        except TypeError as exc:  # raised by sorting, e.g. None among strings
            raise TypeError(
                f"y mixes labels of types that cannot be compared ({exc}); "
                "use labels of one type, e.g. all str."
            ) from exc
        binarizer = LabelBinarizer()
        if classes is not None and not self._is_indicator(y):
            classes = np.asarray(classes)
            if np.unique(classes).shape[0] != classes.shape[0]:
                raise ValueError(f"classes contains duplicate labels: {classes!r}.")
            binarizer.fit(classes)
            self._check_known_labels(y, binarizer)
        else:
            binarizer.fit(y)
        if binarizer.y_type_ == "multilabel-indicator":
            if y.shape[1] < 1:
                raise ValueError("y has no label columns.")
        elif len(binarizer.classes_) < 2:
            raise ValueError(
                f"The classifier needs samples of at least 2 classes in the data, but "
                f"the data contains only one class: {binarizer.classes_[0]!r}."
            )
        return binarizer

    @staticmethod
    def _check_same_classes(classes, binarizer) -> None:
        classes = np.unique(np.asarray(classes))
        if not np.array_equal(classes, binarizer.classes_):
            raise ValueError(
                f"classes={classes.tolist()!r} is not the same as on the first call to "
                f"partial_fit, {binarizer.classes_.tolist()!r}."
            )

    def _check_known_labels(self, y, binarizer) -> None:
        if self._is_multilabel(binarizer):
            if not self._is_indicator(y) and not (y.ndim == 2 and np.isin(y, (0, 1)).all()):
                raise ValueError(
                    "The model was fitted on a multilabel indicator matrix; y must be one too."
                )
            if y.shape[1] != len(binarizer.classes_):
                raise ValueError(
                    f"y has {y.shape[1]} label columns, but the model was fitted with "
                    f"{len(binarizer.classes_)}."
                )
            return
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D for this model, got shape {y.shape}.")
        unknown = np.setdiff1d(np.unique(y), binarizer.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels that are not in classes_: {unknown.tolist()!r}; "
                f"classes_ is {binarizer.classes_.tolist()!r}."
            )

    def _sample_weights(self, y, Y, sample_weight, binarizer, dtype, whole_data: bool):
        """Sample weights times class weights, or None when all are one."""
        weights = _check_sample_weight(sample_weight, Y.shape[0], dtype)
        if self.class_weight is not None:
            if self._is_multilabel(binarizer):
                raise ValueError("class_weight is not supported for multilabel targets.")
            class_index = np.searchsorted(binarizer.classes_, y)
            if isinstance(self.class_weight, str):
                # "balanced": n_samples / (n_classes * count), counts weighted by
                # sample_weight so that weighting and repeating samples agree
                counts = np.bincount(
                    class_index, weights=weights, minlength=len(binarizer.classes_)
                )
                present = counts > 0
                per_class = np.ones(len(binarizer.classes_))
                per_class[present] = counts.sum() / (present.sum() * counts[present])
            else:
                per_class = self._dict_class_weight(binarizer.classes_)
            per_sample = per_class[class_index].astype(dtype)
            weights = per_sample if weights is None else weights * per_sample
        if weights is None:
            return None
        if whole_data and not weights.any():
            raise ValueError(
                "All sample weights are zero (after class weights): there is nothing "
                "to learn from."
            )
        if not self._is_multilabel(binarizer):
            positive = np.unique(np.asarray(y)[weights > 0])
            if whole_data and positive.shape[0] < 2:
                raise ValueError(
                    "The classifier needs samples of at least 2 classes with a positive "
                    f"sample weight; only {positive.tolist()!r} have one."
                )
        return weights

    def _dict_class_weight(self, classes) -> np.ndarray:
        """Weights of ``classes`` from the ``class_weight`` dict; those left out weigh 1."""
        labels = classes.tolist()
        unknown = [label for label in self.class_weight if label not in labels]
        if unknown:
            raise ValueError(
                f"class_weight has weights for labels that are not classes: {unknown!r}; "
                f"the classes are {labels!r}."
            )
        not_numbers = {k: v for k, v in self.class_weight.items() if not isinstance(v, Real)}
        if not_numbers:
            raise TypeError(f"class_weight values must be numbers, got {not_numbers!r}.")
        per_class = np.array([self.class_weight.get(label, 1.0) for label in labels], float)
        if not np.isfinite(per_class).all() or (per_class < 0).any():
            raise ValueError(
                f"class_weight values must be finite and non-negative, got {self.class_weight!r}."
            )
        return per_class

    def _check_architecture(self, net: Network) -> None:
        expected = [W.shape for W in self.coefs_]
        got = [W.shape for W in net.coefs]
        if expected != got:
            raise ValueError(
                f"The network's layer shapes changed from {expected} to {got}: "
                "warm_start and partial_fit need the same hidden_layer_sizes, "
                "features and classes as the first fit."
            )

    def _validation_split(self, X, y, weights, binarizer, random_state):
        """Hold out a (stratified) validation set; returns train rows and the scorer."""
        stratify = None if y.ndim == 2 else y
        n_samples = X.shape[0]
        n_val = int(np.ceil(self.validation_fraction * n_samples))  # as train_test_split
        n_classes = 1 if stratify is None else np.unique(stratify).shape[0]
        if n_val < max(2, n_classes) or n_samples - n_val < n_classes:
            raise ValueError(
                f"early_stopping holds out validation_fraction={self.validation_fraction} "
                f"of {n_samples} samples, which leaves {n_val} for validation and "
                f"{n_samples - n_val} for training, with {n_classes} classes: too few. "
                "Change validation_fraction or turn early_stopping off."
            )
        try:
            rows, val_rows = train_test_split(
                np.arange(n_samples),
                test_size=self.validation_fraction,
                random_state=random_state,
                stratify=stratify,
            )
        except ValueError as exc:  # e.g. a class with a single sample
            raise ValueError(
                f"early_stopping cannot hold out a stratified validation set: {exc} "
                "Turn early_stopping off or add samples of the rare classes."
            ) from exc
        X_val, y_val = X[val_rows], y[val_rows]
        w_val = None if weights is None else weights[val_rows]

        def score(net, X_val, y_val, w_val):
            predicted = self._decode(net.predict_logits(X_val), binarizer)
            return float(accuracy_score(y_val, predicted, sample_weight=w_val))

        return np.sort(rows), (score, X_val, y_val, w_val)

    def _new_optimizer(self, net: Network):
        if self.solver == "sgd":
            return SGDOptimizer(
                net.params.shape[0],
                net.dtype,
                learning_rate_init=self.learning_rate_init,
                learning_rate=self.learning_rate,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum,
                power_t=self.power_t,
            )
        return AdamOptimizer(
            net.params.shape[0],
            net.dtype,
            learning_rate_init=self.learning_rate_init,
            beta_1=self.beta_1,
            beta_2=self.beta_2,
            epsilon=self.epsilon,
        )

    # --------------------------------------------------------- prediction
    def _logits(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=_SPARSE_FORMATS, dtype=self.coefs_[0].dtype, reset=False
        )
        return predict_logits(X, self.coefs_, self.intercepts_, self._activation)

    def _decode(self, logits: np.ndarray, binarizer) -> np.ndarray:
        if self._is_multilabel(binarizer):
            return (logits > 0).astype(int)
        if logits.shape[1] == 1:
            return binarizer.classes_[(logits[:, 0] > 0).astype(np.intp)]
        return binarizer.classes_[np.argmax(logits, axis=1)]

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
        logits = self._logits(X)
        return (
            logits[:, 0]
            if logits.shape[1] == 1 and not self._is_multilabel(self._label_binarizer)
            else logits
        )

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
        return self._decode(self._logits(X), self._label_binarizer)

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
        logits = self._logits(X)
        if self._is_multilabel(self._label_binarizer):
            return log_expit(logits)
        if logits.shape[1] == 1:
            return np.hstack([log_expit(-logits), log_expit(logits)])
        return log_softmax(logits)

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
        proba = np.exp(self.predict_log_proba(X))
        # Never exactly 0 or 1, so that log(proba) and the logit stay finite.
        info = np.finfo(proba.dtype)
        return np.clip(proba, info.tiny, 1 - info.epsneg, out=proba)
