"""The models of the ``compare`` command: ours beside scikit-learn's, with matching parameters."""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.compose import TransformedTargetRegressor
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier, SGDRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from .._mlp import MLPClassifierNP
from .._regressor import MLPRegressorNP
from .._softmax import SoftmaxClassifier

# Epochs per data set when --max-iter is not given: enough for the models to
# be compared near convergence, few enough that the default run of the
# built-in sets takes well under a minute on two cores. Both MLPs stop on
# their own before the regression sets' limits (diabetes after about 1100
# epochs, friedman1 after about 230, with the default options).
DEFAULT_MAX_ITER = {
    "digits": 100,
    "spiral": 1000,
    "mnist-like": 15,
    "diabetes": 1500,
    "friedman1": 500,
    "csv": 200,
}
# A linear model on the MNIST-shaped set needs more (and cheaper) epochs than
# the network to come near LogisticRegression's exact optimum.
DEFAULT_LINEAR_MAX_ITER = {"mnist-like": 60}


@dataclass(frozen=True)
class Model:
    """One estimator to fit, its family (``"linear"`` or ``"mlp"``) and whether it is ours."""

    family: str
    name: str
    estimator: object
    ours: bool

    @property
    def fitted(self):
        """The fitted model itself: inside a ``TransformedTargetRegressor``, its regressor.

        That is where ``n_iter_`` and ``loss_curve_`` are.
        """
        return getattr(self.estimator, "regressor_", self.estimator)


def make_models(
    dataset_key: str,
    n_train: int,
    *,
    task="classification",
    hidden=(100,),
    solver=None,
    max_iter=None,
    batch_size="auto",
    alpha=1e-4,
    seed=0,
) -> list[Model]:
    """The models of one data set, in report order, unfitted.

    For classification, five: :class:`SoftmaxClassifier` beside
    ``LogisticRegression`` and ``SGDClassifier(loss="log_loss")``, then
    :class:`MLPClassifierNP` beside ``MLPClassifier``. For regression, four:
    :class:`MLPRegressorNP` beside ``MLPRegressor``, then the linear
    baselines ``Ridge`` and ``SGDRegressor`` (see :func:`regression_models`).
    ``solver`` (None: each estimator's default) applies to ours and to
    scikit-learn's MLP; ``max_iter`` None takes the data set's default from
    :data:`DEFAULT_MAX_ITER`.

    Parameters
    ----------
    dataset_key : str
        A built-in data set's name, or ``"csv"``: which default ``max_iter``.
    n_train : int
        Training samples: the SGD models' penalty is per sample.
    task : {"classification", "regression"}, default="classification"
        Which models.
    hidden : tuple of int, default=(100,)
        Hidden layer sizes of both MLPs.
    solver : {"sgd", "adam", "lbfgs"} or None, default=None
        Solver of ours and of scikit-learn's MLP.
    max_iter : int or None, default=None
        Epochs (iterations for L-BFGS).
    batch_size : int or "auto", default="auto"
        Mini-batch size of ours and of scikit-learn's MLP.
    alpha : float, default=1e-4
        L2 penalty, with the meaning of scikit-learn's MLPs.
    seed : int, default=0
        ``random_state`` of every model that takes one.

    Returns
    -------
    models : list of Model

    Examples
    --------
    >>> models = make_models("spiral", 450, hidden=(8,), max_iter=5)
    >>> [(m.family, m.name, m.ours) for m in models][-2:]
    [('mlp', 'MLPClassifierNP', True), ('mlp', 'MLPClassifier', False)]
    >>> models[-1].estimator.get_params()["hidden_layer_sizes"]
    (8,)
    >>> [m.name for m in make_models("diabetes", 331, task="regression")]
    ['MLPRegressorNP', 'MLPRegressor', 'Ridge', 'SGDRegressor']
    """
    mlp_iter = max_iter or DEFAULT_MAX_ITER[dataset_key]
    linear_iter = max_iter or DEFAULT_LINEAR_MAX_ITER.get(dataset_key, mlp_iter)
    common = dict(alpha=alpha, batch_size=batch_size, random_state=seed)
    solver = {} if solver is None else {"solver": solver}
    mlp = dict(hidden_layer_sizes=tuple(hidden), max_iter=mlp_iter, **solver, **common)
    if task == "regression":
        return regression_models(mlp, n_train, linear_iter=linear_iter, alpha=alpha, seed=seed)
    return [
        Model(
            "linear",
            "SoftmaxClassifier",
            SoftmaxClassifier(max_iter=linear_iter, **solver, **common),
            True,
        ),
        # LogisticRegression(C=1 / alpha) minimizes SoftmaxClassifier's objective.
        Model(
            "linear", "LogisticRegression", LogisticRegression(C=1.0 / max(alpha, 1e-12)), False
        ),
        # SGDClassifier penalizes alpha / 2 ||w||^2 per sample; ours alpha / 2 ||w||^2 per epoch.
        Model(
            "linear",
            "SGDClassifier",
            SGDClassifier(
                loss="log_loss", alpha=alpha / n_train, max_iter=linear_iter, random_state=seed
            ),
            False,
        ),
        Model("mlp", "MLPClassifierNP", MLPClassifierNP(**mlp), True),
        Model("mlp", "MLPClassifier", MLPClassifier(**mlp), False),
    ]


def regression_models(mlp: dict, n_train: int, *, linear_iter, alpha, seed) -> list[Model]:
    """:class:`MLPRegressorNP` and ``MLPRegressor`` with the parameters ``mlp``, then
    ``Ridge`` and ``SGDRegressor`` with the same L2 penalty.

    Every one of the four fits the target standardized on the training set
    and predicts in the target's own units: each is wrapped in a
    ``TransformedTargetRegressor`` with a ``StandardScaler``. The MLPs need
    it (their output starts near 0, and a target of about 150, as in the
    diabetes set, takes thousands of epochs to reach); giving it to all four
    keeps the comparison fair. It does not change the linear models'
    optimum: their objectives are quadratic in the weights, and scaling the
    target scales the minimizer.

    Parameters
    ----------
    mlp : dict
        Parameters of both MLPs.
    n_train : int
        Training samples, for ``SGDRegressor``'s per-sample penalty.
    linear_iter : int
        ``SGDRegressor``'s epochs.
    alpha : float
        L2 penalty, with the meaning of scikit-learn's MLPs.
    seed : int
        ``SGDRegressor``'s ``random_state``.

    Returns
    -------
    models : list of Model
    """

    def scaled(regressor):
        return TransformedTargetRegressor(regressor, transformer=StandardScaler())

    return [
        Model("mlp", "MLPRegressorNP", scaled(MLPRegressorNP(**mlp)), True),
        Model("mlp", "MLPRegressor", scaled(MLPRegressor(**mlp)), False),
        # The MLPs minimize mean((y - p)^2) / 2 + alpha / (2 n) ||w||^2, n samples:
        # n times that is half of Ridge's ||y - Xw||^2 + alpha ||w||^2, so
        # Ridge(alpha) has the optimum of a network with no hidden layer.
        Model("linear", "Ridge", scaled(Ridge(alpha=alpha)), False),
        # SGDRegressor minimizes mean((y - p)^2) / 2 + alpha' / 2 ||w||^2: the same
        # objective with alpha' = alpha / n (as SGDClassifier's, above).
        Model(
            "linear",
            "SGDRegressor",
            scaled(SGDRegressor(alpha=alpha / n_train, max_iter=linear_iter, random_state=seed)),
            False,
        ),
    ]
