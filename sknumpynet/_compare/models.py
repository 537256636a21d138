"""The models of the ``compare`` command: ours beside scikit-learn's, with matching parameters."""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neural_network import MLPClassifier

from .._mlp import MLPClassifierNP
from .._softmax import SoftmaxClassifier

# Epochs per data set when --max-iter is not given: enough for the models to
# be compared near convergence, few enough that the default run of the three
# built-in sets takes well under a minute on two cores.
DEFAULT_MAX_ITER = {"digits": 100, "spiral": 1000, "mnist-like": 15, "csv": 200}
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


def make_models(
    dataset_key: str,
    n_train: int,
    *,
    hidden=(100,),
    solver=None,
    max_iter=None,
    batch_size="auto",
    alpha=1e-4,
    seed=0,
) -> list[Model]:
    """The five models, in report order, unfitted.

    :class:`SoftmaxClassifier` beside ``LogisticRegression`` and
    ``SGDClassifier(loss="log_loss")``, then :class:`MLPClassifierNP` beside
    ``MLPClassifier``. ``solver`` (None: each estimator's default) applies to
    ours and to ``MLPClassifier``; ``max_iter`` None takes the data set's
    default from :data:`DEFAULT_MAX_ITER`.

    Examples
    --------
    >>> models = make_models("spiral", 450, hidden=(8,), max_iter=5)
    >>> [(m.family, m.name, m.ours) for m in models][-2:]
    [('mlp', 'MLPClassifierNP', True), ('mlp', 'MLPClassifier', False)]
    >>> models[-1].estimator.get_params()["hidden_layer_sizes"]
    (8,)
    """
    mlp_iter = max_iter or DEFAULT_MAX_ITER[dataset_key]
    linear_iter = max_iter or DEFAULT_LINEAR_MAX_ITER.get(dataset_key, mlp_iter)
    common = dict(alpha=alpha, batch_size=batch_size, random_state=seed)
    solver = {} if solver is None else {"solver": solver}
    mlp = dict(hidden_layer_sizes=tuple(hidden), max_iter=mlp_iter, **solver, **common)
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
