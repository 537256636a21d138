"""``sknumpynet compare``: our estimators beside scikit-learn's, on the same data.

For every classification data set the command fits
:class:`~sknumpynet.SoftmaxClassifier` beside ``LogisticRegression`` and
``SGDClassifier(loss="log_loss")``, and :class:`~sknumpynet.MLPClassifierNP`
beside ``MLPClassifier`` with identical parameters; for every regression data
set, :class:`~sknumpynet.MLPRegressorNP` beside ``MLPRegressor`` with
identical parameters, and the linear baselines ``Ridge`` and
``SGDRegressor``. It prints a table per task: test accuracy and log loss, or
test R² and RMSE, then fit time, epochs, time per epoch and peak memory.

Modules, one job each:

- :mod:`.cli`: the command line, and the run from data to report;
- :mod:`.options`: the ranges of the numeric options, checked while parsing;
- :mod:`.data`: the built-in data sets and the train/test split;
- :mod:`.csvfile`: reading a CSV file's header and rows into feature columns
  and a target;
- :mod:`.columns`: the kind of each feature column (numbers or text
  categories) and its missing cells;
- :mod:`.target`: the target column, and the task that it makes;
- :mod:`.encoding`: the features of a CSV file through scikit-learn's
  ``ColumnTransformer`` (imputation, scaling, one-hot encoding), fitted on
  the training set;
- :mod:`.models`: the model pairs, with matching parameters;
- :mod:`.measure`: fitting, timing and measuring one model;
- :mod:`.report`: the text tables, ``results.json`` and ``results.csv``;
- :mod:`.figures`: the loss curves, decision boundaries and predictions.
"""

from .cli import build_parser, compare, main
from .errors import CommandError

__all__ = ["CommandError", "build_parser", "compare", "main"]
