"""Neural networks in plain numpy that are scikit-learn estimators."""

from ._export import ConversionWarning
from ._hooks import ChanceLevelWarning, DivergenceError
from ._mlp import MLPClassifierNP
from ._regressor import MLPRegressorNP
from ._softmax import SoftmaxClassifier
from ._streaming import BlockStream, stream
from ._tabular import TabularMLPClassifier, TabularMLPRegressor
from .datasets import make_mnist_like, make_spiral
from .gradient_check import GradientCheckReport, check_gradients
from .plotting import (
    LossCurveDisplay,
    ProbabilityDisplay,
    WeightImageDisplay,
    WorstPredictionsDisplay,
)

__all__ = [
    "MLPClassifierNP",
    "MLPRegressorNP",
    "SoftmaxClassifier",
    "TabularMLPClassifier",
    "TabularMLPRegressor",
    "DivergenceError",
    "ChanceLevelWarning",
    "ConversionWarning",
    "make_spiral",
    "make_mnist_like",
    "check_gradients",
    "stream",
    "BlockStream",
    "GradientCheckReport",
    "LossCurveDisplay",
    "WeightImageDisplay",
    "ProbabilityDisplay",
    "WorstPredictionsDisplay",
]
__version__ = "0.1.0"

# The public classes say they live where users import them from, so that
# pickles and skops files name public types (e.g. sknumpynet.MLPClassifierNP).
for _public in (
    MLPClassifierNP,
    MLPRegressorNP,
    SoftmaxClassifier,
    TabularMLPClassifier,
    TabularMLPRegressor,
    DivergenceError,
    ChanceLevelWarning,
    ConversionWarning,
    BlockStream,
):
    _public.__module__ = __name__
del _public
