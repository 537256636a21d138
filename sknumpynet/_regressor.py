"""MLPRegressorNP: a multi-layer perceptron regressor with hand-written backpropagation."""

from __future__ import annotations

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from ._activations import ACTIVATIONS
from ._base import BaseNumpyNetRegressor
from ._docs import (
    ACTIVATION_PARAMETER,
    DROPOUT_PARAMETER,
    ENGINE_NOTES,
    REGRESSOR_ATTRIBUTES,
    shared_parameters,
)


class MLPRegressorNP(BaseNumpyNetRegressor):
    __doc__ = f"""Multi-layer perceptron regressor in plain numpy.

    A drop-in counterpart of scikit-learn's ``MLPRegressor``: the same
    parameters with the same meaning and the same fitted attributes. The
    output layer is linear (``loss="squared_error"``) or exponential
    (``loss="poisson"``, a log link), each fused with its loss.

    Parameters
    ----------
    loss : {{"squared_error", "poisson"}}, default="squared_error"
        ``"squared_error"``: half the squared error, identity output.
        ``"poisson"``: half the Poisson deviance with predictions
        ``exp(output)``, for counts and rates (``y >= 0``); where that
        ``exp`` would overflow, the prediction is the dtype's largest finite
        value, so that finite inputs always give finite predictions.
    hidden_layer_sizes : array-like of int, default=(100,)
        Units of each hidden layer; ``()`` gives a linear (or log-linear) model.
{ACTIVATION_PARAMETER}
{shared_parameters("adam", 0.001, classifier=False)}
{DROPOUT_PARAMETER}

    Attributes
    ----------
{REGRESSOR_ATTRIBUTES}

    See Also
    --------
    MLPClassifierNP : The classifier on the same engine.
    sklearn.neural_network.MLPRegressor : scikit-learn's implementation.

    Notes
    -----
    The loss of a batch of ``n`` samples with weights ``w`` is
    ``(sum_i w_i l_i + 0.5 * alpha * ||W||^2) / n`` where ``l_i`` is summed
    over the targets: half the squared error or half the Poisson deviance.
    This is the function whose gradient scikit-learn's ``MLPRegressor``
    follows, so that the same parameters and seed give the same model; for
    several targets scikit-learn reports the mean over targets instead, and
    ``loss_`` here is the sum. Sample weights are rescaled to mean one over
    the training set, as in the classifiers.

    The targets are numbers: booleans and strings that spell numbers are
    converted to float, as scikit-learn converts object targets. The output
    layer starts near zero with a scale near one, so a squared-error target
    far from standardized (prices in the hundreds, say) trains slowly or not
    at all; standardize it with
    ``sklearn.compose.TransformedTargetRegressor(regressor,
    transformer=StandardScaler())``, which also maps the predictions back. A
    fit no better than predicting the mean warns with a
    :class:`~sknumpynet.ChanceLevelWarning` that names the target's mean and
    standard deviation when they are the likely cause.

{ENGINE_NOTES}

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknumpynet import MLPRegressorNP
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> reg = MLPRegressorNP(
    ...     hidden_layer_sizes=(32,), learning_rate_init=0.01, early_stopping=True, random_state=0
    ... )
    >>> reg = make_pipeline(StandardScaler(), reg).fit(X_train, y_train)
    >>> print(f"{{reg.score(X_test, y_test):.2f}}")
    0.31
    """

    _parameter_constraints: dict = {
        **BaseNumpyNetRegressor._parameter_constraints,
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        weight_decay=0.0,
        lr_schedule=None,
        warmup_fraction=0.0,
        max_grad_norm=None,
        dropout=0.0,
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.warmup_fraction = warmup_fraction
        self.max_grad_norm = max_grad_norm
        self.dropout = dropout

    def _architecture(self):
        return self.hidden_layer_sizes, self.activation
