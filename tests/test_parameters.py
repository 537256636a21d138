"""The parameter list is declared in four places that must agree: each
estimator's ``__init__``, its ``_parameter_constraints``, its docstring and,
for the drop-in promise, scikit-learn's ``MLPClassifier``."""

import ast
import inspect
import re

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier

from sknumpynet import MLPClassifierNP, SoftmaxClassifier

ESTIMATORS = [SoftmaxClassifier, MLPClassifierNP]


def documented_parameters(cls) -> dict:
    """``name -> default text`` of the numpydoc Parameters section, in order."""
    doc = inspect.getdoc(cls)
    section = doc.split("Parameters\n----------\n", 1)[1].split("\nAttributes\n", 1)[0]
    return dict(re.findall(r"^(\w+) : .*?default=(.+)$", section, flags=re.M))


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_init_constraints_and_docstring_name_the_same_parameters(cls):
    params = list(inspect.signature(cls).parameters)
    assert sorted(cls._parameter_constraints) == sorted(params)
    documented = documented_parameters(cls)
    assert list(documented) == params  # same names, same order
    defaults = {k: p.default for k, p in inspect.signature(cls).parameters.items()}
    for name, text in documented.items():
        value = defaults[name]
        documented_value = text.strip('"') if isinstance(value, str) else ast.literal_eval(text)
        assert documented_value == value, (
            f"{cls.__name__}.{name}: docstring {text}, code {value!r}"
        )


def test_mlp_takes_mlpclassifiers_parameters_with_its_defaults():
    ours = MLPClassifierNP().get_params()
    theirs = MLPClassifier().get_params()
    assert set(ours) - set(theirs) == {
        "class_weight",
        "dropout",
        "weight_decay",
        "lr_schedule",
        "warmup_fraction",
        "max_grad_norm",
        "label_smoothing",
    }
    assert set(theirs) <= set(ours)
    for name, value in theirs.items():
        assert ours[name] == value, name


def _comparable(constraint):
    """A constraint as plain data: its type and attributes (sets compare unordered)."""
    if isinstance(constraint, str):
        return constraint
    return type(constraint).__name__, vars(constraint)


def test_constraints_accept_what_mlpclassifiers_accept():
    # n_iter_no_change=np.inf (never stop on a plateau) is valid for both.
    for cls in ESTIMATORS:
        cls(n_iter_no_change=np.inf)._validate_params()
    theirs = MLPClassifier._parameter_constraints
    for name, constraints in MLPClassifierNP._parameter_constraints.items():
        if name == "activation":  # scikit-learn's four and more
            [ours_options], [their_options] = constraints, theirs[name]
            assert ours_options.options > their_options.options
        elif name in theirs:
            assert [_comparable(c) for c in constraints] == [
                _comparable(c) for c in theirs[name]
            ], name
