"""``sknumpynet compare``: our estimators beside scikit-learn's, on the same data.

For every data set the command fits :class:`~sknumpynet.SoftmaxClassifier`
beside ``LogisticRegression`` and ``SGDClassifier(loss="log_loss")``, and
:class:`~sknumpynet.MLPClassifierNP` beside ``MLPClassifier`` with identical
parameters, then prints one table of test accuracy, log loss, fit time, time
per epoch and peak memory.

Modules, one job each:

- :mod:`.cli`: the options, and the run from data to report;
- :mod:`.data`: the built-in data sets and the train/test split;
- :mod:`.csvfile`: reading a CSV file into features and labels;
- :mod:`.models`: the model pairs, with matching parameters;
- :mod:`.measure`: fitting, timing and measuring one model;
- :mod:`.report`: the text table, ``results.json`` and ``results.csv``;
- :mod:`.figures`: the loss curves and decision boundaries.
"""

from .cli import build_parser, compare, main
from .errors import CommandError

__all__ = ["CommandError", "build_parser", "compare", "main"]
