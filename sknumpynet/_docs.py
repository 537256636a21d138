"""Docstring fragments shared by both estimators."""


def shared_parameters(
    solver: str, learning_rate_init: float, classifier: bool = True, alpha: float = 0.0001
) -> str:
    """The common parameter section, with the estimator's own defaults."""
    text = (
        SHARED_PARAMETERS.replace("SOLVER_DEFAULT", f'"{solver}"')
        .replace("LR_DEFAULT", str(learning_rate_init))
        .replace("ALPHA_DEFAULT", str(alpha))
    )
    if classifier:
        return text + CLASS_WEIGHT_PARAMETER
    return text.replace(
        """        Hold out ``validation_fraction`` of the training data (stratified)
        and stop when the validation accuracy stops improving; the weights of""",
        """        Hold out ``validation_fraction`` of the training data (at random)
        and stop when the validation R^2 stops improving; the weights of""",
    )


SHARED_PARAMETERS = """\
    solver : {"adam", "sgd", "lbfgs"}, default=SOLVER_DEFAULT
        ``"sgd"``: mini-batch stochastic gradient descent with momentum;
        ``"adam"``: Adam; ``"lbfgs"``: scipy's L-BFGS-B on the full-batch loss
        and its analytic gradient (often best on small data sets).
    alpha : float, default=ALPHA_DEFAULT
        Strength of the L2 penalty on the coefficients (not the intercepts).
        The loss of a batch of ``n`` samples is
        ``sum_i w_i l_i / n + 0.5 * alpha * ||W||^2 / n``, as in scikit-learn's
        ``MLPClassifier``; the regularization ``reg`` of the classic
        CS231n-style notes, ``0.5 * reg * ||W||^2`` added to a mean loss,
        is ``alpha / n``.
    batch_size : int or "auto", default="auto"
        Mini-batch size for ``"sgd"`` and ``"adam"``; ``"auto"`` is
        ``min(200, n_samples)``. ``batch_size >= n_samples`` is full-batch
        gradient descent and ``1`` is per-sample SGD.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Step-size schedule of ``"sgd"``: constant; ``learning_rate_init /
        (t + 1) ** power_t`` after each epoch, ``t`` being the number of samples
        seen; or divided by 5 whenever the loss (or validation score) stops
        improving for ``n_iter_no_change`` epochs.
    learning_rate_init : float, default=LR_DEFAULT
        Initial step size of ``"sgd"`` and ``"adam"``.
    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.
    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or of iterations
        (``"lbfgs"``).
    shuffle : bool, default=True
        Shuffle the samples before each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialization, the validation split and the
        shuffling. An int gives bit-identical models from run to run.
    tol : float, default=1e-4
        Training stops when the loss (or validation score) has not improved by
        at least ``tol`` for ``n_iter_no_change`` consecutive epochs.
    verbose : bool, default=False
        Print the loss after each epoch.
    warm_start : bool, default=False
        Start ``fit`` from the previous solution instead of a new
        initialization.
    momentum : float, default=0.9
        Momentum of ``"sgd"``, in [0, 1].
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with ``"sgd"``.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified)
        and stop when the validation accuracy stops improving; the weights of
        the best epoch are restored. Stochastic solvers only.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping.
    beta_1 : float, default=0.9
        Decay rate of Adam's first-moment estimate, in [0, 1).
    beta_2 : float, default=0.999
        Decay rate of Adam's second-moment estimate, in [0, 1).
    epsilon : float, default=1e-8
        Adam's numerical-stability constant.
    n_iter_no_change : int, default=10
        Number of epochs without improvement of ``tol`` before stopping.
    max_fun : int, default=15000
        Maximum number of loss evaluations of ``"lbfgs"``.
    weight_decay : float, default=0.0
        Decoupled weight decay (Loshchilov and Hutter, 2019, "Decoupled
        Weight Decay Regularization"): before each step of ``"adam"`` (then
        AdamW) or ``"sgd"`` (SGDW), the coefficients, not the intercepts,
        are multiplied by ``1 - lr * weight_decay``, ``lr`` being the step's
        learning rate, apart from the gradient: unlike ``alpha``'s L2
        penalty, the decay is not divided by Adam's second moments. ``alpha``
        keeps its meaning; the two add up. ``"lbfgs"`` refuses a positive
        value. The same parameter as PyTorch's ``AdamW``.
    lr_schedule : {"cosine", "linear", "coslog4", "flat_cos"} or None, \
default=None
        A learning-rate schedule over the ``max_iter`` epochs of
        ``"adam"`` and ``"sgd"``, updated every mini-batch: the learning
        rate of step ``s`` of ``S = max_iter * n_batches`` is
        ``learning_rate_init`` times ``f(q)``, ``q = (s / S - w) / (1 - w)``
        the progress after the warm-up ``w = warmup_fraction``.
        ``"cosine"``: ``(1 + cos(pi q)) / 2``, from 1 to 0; ``"linear"``:
        ``1 - q``; ``"coslog4"``: ``(1 - cos(2 pi log2(1 + 15 q))) / 2``,
        four cosine cycles on a log scale starting from 0, RealMLP's schedule
        (Holzmüller et al., 2024, arXiv 2407.04491); ``"flat_cos"``: 1 for
        the first half, then a cosine to 0. None: constant (TabM, Gorishniy
        et al., ICLR 2025, trains with a constant rate and AdamW). Training
        may still stop before the end of the schedule (``tol``,
        ``n_iter_no_change``, ``early_stopping``); a fit that runs the whole
        schedule is complete, and does not warn that it reached ``max_iter``
        without converging. ``partial_fit`` continues
        the schedule from call to call, ``max_iter`` calls spanning it; past
        its end the rate stays at its final value, zero for all four. A
        warm-started ``fit`` starts it anew, as it starts a new optimizer.
        With ``"sgd"``, ``learning_rate`` must then be ``"constant"``.
    warmup_fraction : float, default=0.0
        Share of the steps, in [0, 1), over which the learning rate rises
        linearly to its scheduled value: step ``s`` is multiplied by
        ``min(1, (s + 1) / (warmup_fraction * S))``. Works with and without
        ``lr_schedule``.
    max_grad_norm : float or None, default=None
        Clip the gradient by its global norm: a mini-batch gradient (``alpha``'s
        penalty included) whose Euclidean norm over all parameters exceeds
        ``max_grad_norm`` is scaled down to that norm before the step.
        Stochastic solvers only."""

CLASS_WEIGHT_PARAMETER = """
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``: a dict
        ``{label: weight}``, or ``"balanced"`` for ``n_samples / (n_classes *
        np.bincount(y))``. Not for multilabel targets; ``partial_fit``
        accepts a dict only.
    label_smoothing : float, default=0.0
        Label smoothing ``eps`` in [0, 1) (Szegedy et al., 2016): the
        training cross-entropy is taken against ``(1 - eps) * y + eps / K``
        for one-hot targets of ``K`` classes, and ``(1 - eps) * y + eps / 2``
        for each logistic output (binary and multilabel targets). The
        gradient is ``p - y_smoothed``, ``loss_curve_`` records the smoothed
        loss; the validation scores and ``validation_loss_curve_`` use the
        true targets. RealMLP uses ``0.1``. Works with every solver."""

CLASSES_ATTRIBUTE = """\
    classes_ : ndarray of shape (n_classes,)
        Class labels (the label indices for multilabel targets).
"""

_NETWORK_ATTRIBUTES = """\
    coefs_ : list of ndarray
        ``coefs_[i]`` has shape ``(n_units_in, n_units_out)``: the weights of
        layer ``i``.
    intercepts_ : list of ndarray
        ``intercepts_[i]`` has shape ``(n_units_out,)``.
    loss_ : float
        Loss at the last epoch (or last L-BFGS iterate).
    loss_curve_ : list of float
        Loss after each epoch (L-BFGS: after each iteration).
    best_loss_ : float or None
        Lowest training loss seen; None with early stopping.
    validation_scores_ : list of float or None
        Validation accuracy after each epoch with early stopping, else None.
    best_validation_score_ : float or None
        Best validation accuracy with early stopping, else None.
    validation_loss_curve_ : list of float or None
        Loss of the held-out set (without the penalty) after each epoch with
        early stopping, else None.
    epoch_times_ : list of float
        Seconds each epoch (L-BFGS: each iteration) took. Like
        ``loss_curve_``, the whole history of the model: warm starts and
        ``partial_fit`` continue it.
    n_iter_ : int
        Epochs (or L-BFGS iterations) run.
    t_ : int
        Training samples seen by the stochastic solver.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Units of the output layer: 1 for binary targets, else one per class
        or label.
    out_activation_ : {"softmax", "logistic"}
        Output activation: softmax for multiclass, logistic for binary and
        multilabel targets.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when ``X`` had string column names."""

SHARED_ATTRIBUTES = CLASSES_ATTRIBUTE + _NETWORK_ATTRIBUTES

REGRESSOR_ATTRIBUTES = (
    _NETWORK_ATTRIBUTES.replace("Validation accuracy", "Validation R^2")
    .replace("Best validation accuracy", "Best validation R^2")
    .replace(
        """Units of the output layer: 1 for binary targets, else one per class
        or label.""",
        "Number of targets (columns of ``y``).",
    )
    .replace(
        """out_activation_ : {"softmax", "logistic"}
        Output activation: softmax for multiclass, logistic for binary and
        multilabel targets.""",
        """out_activation_ : {"identity", "exp"}
        Output activation: identity for the squared error, exp (a log link)
        for the Poisson loss.""",
    )
)

ENGINE_NOTES = """\
    A fit whose loss becomes infinite or NaN, or a thousand times the loss
    of the network before the call's first step, stops at once with a
    :class:`~sknumpynet.DivergenceError` (a ``ValueError``) rather than
    returning a blown-up model. Interrupting a fit with Ctrl-C keeps the
    weights trained so far, with a warning, once an epoch is complete."""

OBJECTIVE_NOTES = (
    """\
    All arithmetic, forward pass, loss, back-propagation and optimizer steps,
    is this package's own numpy code, in the dtype of the training data
    (float32 stays float32). Binary targets use one logistic output, multiclass
    targets a softmax and multilabel indicator targets one logistic output per
    label; the loss is the matching cross-entropy.

    With sample weights ``w`` (times the class weights), ``fit`` minimizes
    ``(sum_i w_i l_i + 0.5 * alpha * ||W||^2) / sum_i w_i``: an integer weight
    ``k`` is the same as ``k`` copies of the sample. Internally the weights are
    rescaled to mean one over the training set (and ``alpha`` with them), so
    that every mini-batch sees weights on one global scale and a batch whose
    weights are all zero simply takes a penalty-only step.

"""
    + ENGINE_NOTES
)

ACTIVATION_PARAMETER = """\
    activation : {"relu", "tanh", "logistic", "identity", "leaky_relu", "elu", \
"selu", "softplus", "gelu", "silu", "mish"}, default="relu"
        Activation of the hidden layers. Besides scikit-learn's four:
        ``"leaky_relu"``, ``max(z, 0.01 z)``; ``"elu"``, ``z`` for ``z > 0``
        and ``exp(z) - 1`` elsewhere; ``"softplus"``, ``log(1 + exp(z))``;
        ``"gelu"``, ``z * Phi(z)`` with ``Phi`` the standard normal
        distribution function (the exact form, through ``erfc``, not the tanh
        approximation); ``"silu"`` (swish), ``z * sigmoid(z)``; ``"selu"``,
        ``1.0507 z`` for ``z > 0`` and ``1.0507 * 1.6733 * (exp(z) - 1)``
        elsewhere (Klambauer et al., 2017); ``"mish"``, ``z *
        tanh(softplus(z))`` (Misra, 2019; RealMLP's activation). All are
        computed without overflow for any finite ``z``. The initial weights
        are Glorot-uniform as in scikit-learn, with the logistic factor only
        for ``"logistic"``, except for ``"selu"``: LeCun-normal weights
        ``N(0, 1 / fan_in)`` and zero intercepts, the initialization under
        which SELU layers self-normalize."""

DROPOUT_PARAMETER = """\
    dropout : float or array-like of float, default=0.0
        Dropout rate of the hidden units, in [0, 1): one rate for all hidden
        layers, or one per hidden layer. In each training mini-batch of
        ``"sgd"`` and ``"adam"``, every hidden unit of every sample is set to
        zero with that probability and the units kept are scaled by
        ``1 / (1 - rate)`` (inverted dropout), so that the trained network is
        used whole and unchanged. The masks are drawn from ``random_state``:
        the same seed gives the same fit. ``predict`` and the other
        prediction methods, the early-stopping validation score and
        :func:`~sknumpynet.check_gradients` never drop units;
        ``loss_curve_`` records the training loss with dropout. With
        ``dropout=0`` nothing is drawn, and the fit is the same as without
        the parameter. ``"lbfgs"`` refuses a positive rate."""
