"""MLPClassifierNP: a multi-layer perceptron with hand-written backpropagation."""

from __future__ import annotations

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from ._activations import ACTIVATIONS
from ._base import BaseNumpyNetClassifier
from ._docs import (
    ACTIVATION_PARAMETER,
    DROPOUT_PARAMETER,
    OBJECTIVE_NOTES,
    SHARED_ATTRIBUTES,
    shared_parameters,
)


class MLPClassifierNP(BaseNumpyNetClassifier):
    __doc__ = f"""Multi-layer perceptron classifier in plain numpy.

    A drop-in counterpart of scikit-learn's ``MLPClassifier``: the same
    parameters with the same meaning (plus ``class_weight``), the same fitted
    attributes, and a ``decision_function``.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(100,)
        Units of each hidden layer; ``()`` gives a softmax regression.
{ACTIVATION_PARAMETER}
{shared_parameters("adam", 0.001)}
{DROPOUT_PARAMETER}

    Attributes
    ----------
{SHARED_ATTRIBUTES}

    See Also
    --------
    SoftmaxClassifier : The same with no hidden layer.
    sklearn.neural_network.MLPClassifier : scikit-learn's implementation.

    Notes
    -----
{OBJECTIVE_NOTES}

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sknumpynet import MLPClassifierNP
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = make_pipeline(StandardScaler(), MLPClassifierNP(random_state=0))
    >>> print(f"{{clf.fit(X_train, y_train).score(X_test, y_test):.2f}}")
    0.97

    The building blocks of RealMLP's training recipe (Holzmüller et al., 2024,
    arXiv 2407.04491): Mish units, AdamW, the "coslog4" schedule, label
    smoothing and gradient clipping, over a fixed number of epochs:

    >>> recipe = MLPClassifierNP(
    ...     (64, 64),
    ...     activation="mish",
    ...     learning_rate_init=0.01,
    ...     weight_decay=0.01,
    ...     lr_schedule="coslog4",
    ...     label_smoothing=0.1,
    ...     max_grad_norm=1.0,
    ...     max_iter=20,
    ...     random_state=0,
    ... )
    >>> clf = make_pipeline(StandardScaler(), recipe).fit(X_train, y_train)
    >>> print(f"{{clf.score(X_test, y_test):.2f}}")
    0.98
    """

    _parameter_constraints: dict = {
        **BaseNumpyNetClassifier._parameter_constraints,
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
    }

    def __init__(
        self,
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
        class_weight=None,
        label_smoothing=0.0,
        dropout=0.0,
    ):
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
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing
        self.dropout = dropout

    def _architecture(self):
        return self.hidden_layer_sizes, self.activation
