"""``sknumpynet compare`` on regression data: the built-in sets, the tables and the results."""

import csv
import json
import math

import numpy as np
import pytest
from figure_checks import clipped_texts
from sklearn.linear_model import Ridge
from sklearn.preprocessing import StandardScaler

from sknumpynet import MLPRegressorNP
from sknumpynet.__main__ import main
from sknumpynet._compare import cli
from sknumpynet._compare.cli import build_parser, run
from sknumpynet._compare.data import Dataset
from sknumpynet._compare.figures import (
    decision_boundary_figure,
    loss_curve_figure,
    prediction_figure,
)
from sknumpynet._compare.models import make_models
from sknumpynet._compare.report import ROW_KEYS

REGRESSORS = ["MLPRegressorNP", "MLPRegressor", "Ridge", "SGDRegressor"]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def regression_run(tmp_path_factory):
    """Both built-in regression sets with the default options, as the default run fits
    them: (stdout, results.json rows, results.csv rows, out directory).

    Its tests run with ``-m slow`` (as ``.ci/run`` does); the default test run
    checks the regression path on a short friedman1 fit (``friedman1_fitted``)."""
    out = tmp_path_factory.mktemp("out")
    argv = ["compare", "--dataset", "diabetes", "--dataset", "friedman1", "--out", str(out)]
    return _run_main([*argv, "--quiet"], out)


def _run_main(argv, out):
    import contextlib
    import io

    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert main(argv) == 0
    rows = json.loads((out / "results.json").read_text())
    with open(out / "results.csv", newline="") as f:
        csv_rows = list(csv.DictReader(f))
    return stdout.getvalue(), rows, csv_rows, out


@pytest.mark.slow  # the default run of both sets: about 8 s
def test_regression_rows_have_finite_r2_and_rmse(regression_run):
    _, rows, _, _ = regression_run
    assert [(row["dataset"], row["model"]) for row in rows] == [
        (dataset, model) for dataset in ("diabetes", "friedman1") for model in REGRESSORS
    ]
    for row in rows:
        assert list(row) == list(ROW_KEYS)
        assert row["task"] == "regression"
        assert math.isfinite(row["r2"]) and row["rmse"] > 0
        assert row["accuracy"] is None and row["log_loss"] is None  # not a classification
        assert row["fit_s"] >= 0 and row["peak_mb"] >= 0
    by = {(row["dataset"], row["model"]): row for row in rows}
    assert (by["diabetes", "Ridge"]["n_train"], by["diabetes", "Ridge"]["n_features"]) == (331, 10)
    assert (by["friedman1", "Ridge"]["n_train"], by["friedman1", "Ridge"]["n_features"]) == (
        1500,
        10,
    )
    # Ridge is solved in closed form: no epochs; the others count theirs
    assert by["diabetes", "Ridge"]["epochs"] is None
    assert by["diabetes", "Ridge"]["ms_per_epoch"] is None
    assert by["friedman1", "SGDRegressor"]["epochs"] >= 1


@pytest.mark.slow  # the default run of both sets: about 8 s
@pytest.mark.parametrize("dataset", ["diabetes", "friedman1"])
def test_our_mlp_regressor_reaches_scikit_learns_model(regression_run, dataset):
    _, rows, _, _ = regression_run
    by = {row["model"]: row for row in rows if row["dataset"] == dataset}
    ours, theirs = by["MLPRegressorNP"], by["MLPRegressor"]
    # same parameters and seed: the same weights at the start, the same steps after
    assert ours["r2"] == pytest.approx(theirs["r2"], abs=1e-4)
    assert ours["rmse"] == pytest.approx(theirs["rmse"], rel=1e-4)
    assert ours["epochs"] == theirs["epochs"]
    # both stop on their own (the loss no longer improves) before the default limit
    assert ours["epochs"] < {"diabetes": 1500, "friedman1": 500}[dataset]


@pytest.mark.slow  # the default run of both sets: about 8 s
def test_the_mlps_beat_the_linear_baselines_on_friedman1(regression_run):
    _, rows, _, _ = regression_run
    by = {row["model"]: row for row in rows if row["dataset"] == "friedman1"}
    # y = 10 sin(pi x0 x1) + 20 (x2 - 0.5)^2 + 10 x3 + 5 x4 + noise (standard deviation 1)
    assert by["MLPRegressorNP"]["r2"] > 0.9
    assert by["MLPRegressorNP"]["rmse"] < 1.5
    for linear in ("Ridge", "SGDRegressor"):
        assert 0.6 < by[linear]["r2"] < 0.8
    # the two linear models minimize the same objective (see the mapping of alpha)
    assert by["SGDRegressor"]["r2"] == pytest.approx(by["Ridge"]["r2"], abs=0.01)


@pytest.mark.slow  # the default run of both sets: about 8 s
def test_diabetes_linear_baselines(regression_run):
    _, rows, _, _ = regression_run
    by = {row["model"]: row for row in rows if row["dataset"] == "diabetes"}
    for linear in ("Ridge", "SGDRegressor"):
        assert by[linear]["r2"] > 0.3
        assert 50 < by[linear]["rmse"] < 65  # in the target's units (25 to 346)


@pytest.mark.slow  # the default run of both sets: about 8 s, and diabetes with alpha 10
def test_a_note_says_when_the_mlps_fall_below_the_linear_baseline(regression_run, capsys):
    stdout, rows, _, _ = regression_run
    by = {row["model"]: row for row in rows if row["dataset"] == "diabetes"}
    # both MLPs overfit the 331 training rows when trained to convergence
    assert by["MLPRegressorNP"]["r2"] < 0 < 0.3 < by["Ridge"]["r2"]
    (note,) = [line for line in stdout.splitlines() if "below the linear" in line]
    assert note.startswith(
        "diabetes: MLPRegressorNP and MLPRegressor have a test R2 of -0.157 and -0.157, "
        "below the linear Ridge's 0.359, and 0."
    )
    assert note.endswith(
        "on their 331 training samples: they overfit them; a larger L2 penalty regularizes "
        "them (--alpha, 0.0001 in this run: try 1, 10 or 100)"
    )
    # friedman1: the MLPs beat the baselines, no note; diabetes with --alpha 10: also
    argv = ["compare", "--dataset", "diabetes", "--alpha", "10", "--quiet"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "below the linear" not in out
    r2 = {line.split()[1]: float(line.split()[2]) for line in out.splitlines()[2:6]}
    assert r2["MLPRegressorNP"] == pytest.approx(0.373, abs=0.002)
    assert r2["Ridge"] == pytest.approx(0.358, abs=0.002)


def test_a_short_fit_below_the_linear_baseline_is_said_to_underfit(capsys):
    argv = ["compare", "--dataset", "diabetes", "--max-iter", "3", "--hidden", "4", "--quiet"]
    assert main(argv) == 0
    (note,) = [line for line in capsys.readouterr().out.splitlines() if "below the" in line]
    assert note.startswith("diabetes: MLPRegressorNP and MLPRegressor have a test R2 of ")
    assert note.endswith(
        "on their 331 training samples: they underfit; more epochs (--max-iter) or another "
        "--solver may help"
    )


@pytest.mark.slow  # the default run of both sets: about 8 s
def test_the_table_shows_r2_and_rmse_and_says_how_the_target_was_fitted(regression_run):
    stdout, _, _, _ = regression_run
    lines = stdout.splitlines()
    assert lines[0].split() == [
        "dataset", "model", "R2", "RMSE", "fit", "s", "epochs", "ms/epoch", "peak", "MiB",
    ]  # fmt: skip
    assert "accuracy" not in stdout
    ridge = next(line for line in lines if line.startswith("diabetes   Ridge")).split()
    assert ridge[5:7] == ["-", "-"]  # no epochs, no time per epoch
    assert "standardized on the training set (TransformedTargetRegressor" in stdout


@pytest.mark.slow  # the default run of both sets: about 8 s
def test_results_csv_carries_the_task_and_blank_scores_of_the_other_task(regression_run):
    _, rows, csv_rows, _ = regression_run
    assert list(csv_rows[0]) == list(ROW_KEYS)
    for row, read in zip(rows, csv_rows):
        assert read["task"] == "regression"
        assert read["accuracy"] == read["log_loss"] == ""
        assert float(read["r2"]) == pytest.approx(row["r2"])


@pytest.mark.slow  # the default run of both sets: about 8 s
def test_regression_figures_are_written_and_show_all_their_text(regression_run):
    _, _, _, out = regression_run
    for name in ("diabetes", "friedman1"):
        for png in (f"loss_curves_{name}.png", f"predictions_{name}.png"):
            assert (out / png).read_bytes()[:8] == PNG
    assert not list(out.glob("decision_boundaries_*"))


@pytest.fixture(scope="module")
def friedman1_fitted():
    args = build_parser().parse_args(
        ["compare", "--dataset", "friedman1", "--max-iter", "40", "--hidden", "16"]
    )
    _, fitted = run(args)
    ((data, models),) = fitted
    return data, models


def test_prediction_figure_plots_each_models_test_predictions(friedman1_fitted):
    data, models = friedman1_fitted
    figure = prediction_figure(data, models)
    assert clipped_texts(figure) == []
    assert [ax.get_title().split("\n")[0] for ax in figure.axes] == REGRESSORS
    for ax, model in zip(figure.axes, models):
        (points,) = ax.collections
        np.testing.assert_allclose(
            points.get_offsets(), np.c_[data.y_test, model.estimator.predict(data.X_test)]
        )
        (diagonal,) = ax.get_lines()
        np.testing.assert_array_equal(diagonal.get_xdata(), diagonal.get_ydata())
        assert ax.get_xlim() == ax.get_ylim()
        assert ax.get_xlabel() == "true y"  # friedman1's target
        r2 = model.estimator.score(data.X_test, data.y_test)
        assert ax.get_title() == f"{model.name}\ntest R2 {r2:.3f}"
    assert figure.axes[0].get_ylabel() == "predicted y"
    # what is drawn, in a legend inside the figure (clipped_texts checks its texts)
    (legend,) = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == [
        "a test sample, predicted by an MLP",
        "a test sample, predicted by a linear model",
        "predicted = true",
    ]
    assert decision_boundary_figure(data, models) is None  # a regression has no classes


def test_loss_curves_of_the_two_mlp_regressors_coincide(friedman1_fitted):
    data, models = friedman1_fitted
    figure = loss_curve_figure(data.name, models)
    assert clipped_texts(figure) == []
    (ax,) = figure.axes
    lines = {line.get_label().split(":")[0]: line for line in ax.get_lines()}
    assert sorted(lines) == ["MLPRegressor", "MLPRegressorNP"]  # Ridge, SGD: no curve
    np.testing.assert_allclose(
        lines["MLPRegressorNP"].get_ydata(), lines["MLPRegressor"].get_ydata(), rtol=1e-6
    )
    assert "standardized target" in ax.get_ylabel()


def test_a_long_data_set_name_keeps_the_loss_curve_title_inside_the_figure(friedman1_fitted):
    _, models = friedman1_fitted
    figure = loss_curve_figure("measurements_of_the_second_field_season_2024.csv", models)
    assert clipped_texts(figure) == []


def test_classification_and_regression_print_a_table_each(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["compare", "--dataset", "spiral", "--dataset", "diabetes", "--max-iter", "5"]
    assert main([*argv, "--hidden", "4", "--quiet", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    tables = stdout.split("\n\n")
    assert tables[0].split()[:4] == ["dataset", "model", "accuracy", "log"]
    assert tables[0].count("spiral ") == 5
    assert tables[1].split()[:4] == ["dataset", "model", "R2", "RMSE"]
    assert tables[1].count("diabetes ") == 4
    rows = json.loads((out / "results.json").read_text())
    assert [row["task"] for row in rows] == ["classification"] * 5 + ["regression"] * 4
    assert all(list(row) == list(ROW_KEYS) for row in rows)
    assert all(row["r2"] is None and 0 <= row["accuracy"] <= 1 for row in rows[:5])
    assert all(row["accuracy"] is None and row["r2"] is not None for row in rows[5:])


def test_ridge_alpha_is_the_penalty_of_a_network_without_hidden_layer():
    # The mapping of make_models: a network with no hidden layer, fitted to its
    # optimum, is Ridge with the same alpha.
    rng = np.random.RandomState(0)
    X = StandardScaler().fit_transform(rng.randn(200, 5))
    y = X @ rng.randn(5) + 0.5 * rng.randn(200)
    alpha = 30.0
    net = MLPRegressorNP(
        hidden_layer_sizes=(), solver="lbfgs", alpha=alpha, tol=1e-12, max_iter=2000
    ).fit(X, y)
    ridge = Ridge(alpha=alpha).fit(X, y)
    np.testing.assert_allclose(net.coefs_[0].ravel(), ridge.coef_, rtol=1e-4)
    (models,) = [make_models("csv", 200, task="regression", alpha=alpha)]
    assert models[2].estimator.regressor.alpha == alpha
    assert models[3].estimator.regressor.alpha == pytest.approx(alpha / 200)


@pytest.mark.parametrize(
    "task, datasets",
    [
        ("regression", ["diabetes", "friedman1"]),
        ("classification", ["digits", "spiral", "mnist-like"]),
        ("auto", ["digits", "spiral", "mnist-like", "diabetes", "friedman1"]),
    ],
)
def test_task_picks_the_built_in_sets_of_that_task(task, datasets, monkeypatch):
    # which sets a run loads, without loading or fitting them
    loaded = []

    def load(key, **kwargs):
        loaded.append(key)
        return Dataset(key, np.zeros((3, 1)), np.zeros((1, 1)), np.zeros(3), np.zeros(1))

    monkeypatch.setattr(cli, "load_dataset", load)
    monkeypatch.setattr(cli, "make_models", lambda *args, **kwargs: [])
    rows, _ = run(build_parser().parse_args(["compare", "--task", task]))
    assert loaded == datasets and rows == []


def test_a_diverged_model_keeps_the_others_readable(friedman1_fitted):
    data, models = friedman1_fitted

    class Diverged:
        def predict(self, X):
            return np.r_[1e30, np.nan, np.zeros(len(X) - 2)]

    broken = [*models[:-1], type(models[-1])("linear", "SGDRegressor", Diverged(), False)]
    figure = prediction_figure(data, broken)
    assert clipped_texts(figure) == []
    span = np.ptp(data.y_test)
    for ax in figure.axes:
        low, high = ax.get_xlim()
        assert data.y_test.min() - 1.25 * span < low <= data.y_test.min()
        assert data.y_test.max() <= high < data.y_test.max() + 1.25 * span
    assert figure.axes[-1].get_title() == "SGDRegressor\ntest R2 nan"
