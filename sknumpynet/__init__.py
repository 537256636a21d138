"""Neural-network classifiers in plain numpy that are scikit-learn estimators."""

from ._mlp import MLPClassifierNP
from ._softmax import SoftmaxClassifier
from ._training import DivergenceError

__all__ = ["MLPClassifierNP", "SoftmaxClassifier", "DivergenceError"]
__version__ = "0.1.0"
