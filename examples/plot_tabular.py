"""
A table as it is: TabularMLPClassifier
======================================

A table of customers: a skewed income, an age with missing cells, one of 60
cities (a category with many values, each with its own effect), a plan
written as text (some missing) and a membership flag. Which customers buy?

:class:`~sknumpynet.TabularMLPClassifier` takes the DataFrame as it is and
trains with RealMLP's recipe (robust scaling and smooth clipping, numerical
embeddings, embedded categories, the best epoch on held-out rows). Beside
it, with the same split: scikit-learn's MLP recipe, ``MLPClassifierNP`` with
its defaults behind the ``ColumnTransformer`` it needs (standardized numbers,
imputed missing values, one-hot categories), and gradient boosting,
``HistGradientBoostingClassifier(categorical_features="from_dtype")``.

Figures: ``tabular_scores.png`` (test accuracy and fit time of the three)
and ``tabular_loss_curves.png`` (the tabular network's training loss and its
validation accuracy per epoch; the model kept is that of the best epoch).

Run ``python examples/plot_tabular.py [OUTPUT_DIR]``; the directory defaults
to ``$SKNUMPYNET_EXAMPLE_OUT`` or ``./out``.
"""

import os
import sys
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sknumpynet import LossCurveDisplay, MLPClassifierNP, TabularMLPClassifier

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SKNUMPYNET_EXAMPLE_OUT", "out"))
OUT.mkdir(parents=True, exist_ok=True)

rng = np.random.RandomState(0)
n = 3000
cities = [f"city {i:02d}" for i in range(60)]
city_effect = dict(zip(cities, rng.normal(0.0, 1.2, len(cities))))
table = pd.DataFrame(
    {
        "income": rng.lognormal(10.0, 0.8, n),
        "age": rng.uniform(18, 90, n).round(),
        "city": pd.Categorical(rng.choice(cities, n), categories=cities),
        "plan": rng.choice(["basic", "plus", "premium", None], n, p=[0.4, 0.3, 0.2, 0.1]),
        "member": rng.rand(n) < 0.4,
    }
)
score = (
    1.5 * np.tanh(np.log(table["income"]) - 10.0)
    + np.sin(table["age"] / 9.0)
    + table["city"].map(city_effect).astype(float)
    + table["plan"].map({"basic": -0.5, "plus": 0.3, "premium": 0.8}).fillna(0.0)
    + 0.7 * table["member"] * (table["age"] > 50)
)
y = (score + rng.logistic(0.0, 0.5, n) > 0.3).astype(int)
table.loc[rng.rand(n) < 0.15, "age"] = np.nan  # missing after the target was drawn
X_train, X_test, y_train, y_test = train_test_split(table, y, test_size=0.3, random_state=0)

numbers = make_column_selector(dtype_include="number")
categories = make_column_selector(dtype_exclude="number")
encoder = ColumnTransformer(
    [
        ("numbers", make_pipeline(SimpleImputer(), StandardScaler()), numbers),
        (
            "categories",
            make_pipeline(
                SimpleImputer(strategy="constant", fill_value="missing"),
                OneHotEncoder(handle_unknown="ignore"),
            ),
            categories,
        ),
    ]
)
X_train_hgb = X_train.assign(plan=X_train["plan"].astype("category"))
X_test_hgb = X_test.assign(plan=X_test["plan"].astype("category"))
models = {
    "TabularMLPClassifier": (TabularMLPClassifier(random_state=0), X_train, X_test),
    "MLPClassifierNP\nin a pipeline": (
        make_pipeline(encoder, MLPClassifierNP(random_state=0)),
        X_train.astype({"member": int, "plan": object}),
        X_test.astype({"member": int, "plan": object}),
    ),
    "HistGradient-\nBoostingClassifier": (
        HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0),
        X_train_hgb,
        X_test_hgb,
    ),
}
# scikit-learn's MLP defaults stop after 200 epochs, before their tolerance is met
warnings.simplefilter("ignore", ConvergenceWarning)
accuracy, seconds = {}, {}
for name, (model, train, test) in models.items():
    start = time.perf_counter()
    model.fit(train, y_train)
    seconds[name] = time.perf_counter() - start
    accuracy[name] = model.score(test, y_test)
    label = name.replace("\n", " ")
    print(f"{label}: test accuracy {accuracy[name]:.3f}, fit {seconds[name]:.1f} s")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
names = list(models)
left.barh(names, [accuracy[m] for m in names], color=["C0", "C1", "C2"])
left.set_xlim(0.5, 1.0)
left.set_xlabel("test accuracy")
left.invert_yaxis()
for i, m in enumerate(names):
    left.text(accuracy[m] + 0.005, i, f"{accuracy[m]:.3f}", va="center")
right.barh(names, [seconds[m] for m in names], color=["C0", "C1", "C2"])
right.set_xlabel("fit time (s)")
right.invert_yaxis()
right.set_yticklabels([])
fig.suptitle(
    f"{len(X_train)} training rows, {len(X_test)} test rows: "
    f"TabularMLPClassifier {accuracy[names[0]]:.3f}, "
    f"MLPClassifierNP {accuracy[names[1]]:.3f}, "
    f"gradient boosting {accuracy[names[2]]:.3f}"
)
fig.savefig(OUT / "tabular_scores.png", dpi=100)

clf = models["TabularMLPClassifier"][0]
display = LossCurveDisplay.from_estimator(clf, name="TabularMLPClassifier")
best_epoch = int(np.argmax(clf.validation_scores_[::-1]) * -1 + len(clf.validation_scores_))
display.ax_.set_title(
    f"{clf.n_iter_} epochs; the model kept is that of epoch {best_epoch}, "
    f"validation accuracy {clf.best_validation_score_:.3f}"
)
display.figure_.savefig(OUT / "tabular_loss_curves.png", dpi=100)
print(f"figures saved in {OUT.resolve()}")
