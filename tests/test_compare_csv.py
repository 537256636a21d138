"""``sknumpynet compare --csv``: the task the target makes, and the features through
scikit-learn's ColumnTransformer, fitted on the training set only."""

import csv
import json

import numpy as np
import pytest
from csv_files import write_numbers_csv
from figure_checks import clipped_texts

from sknumpynet.__main__ import main
from sknumpynet._compare.cli import build_parser, run
from sknumpynet._compare.csvfile import CsvColumn, read_csv
from sknumpynet._compare.data import load_dataset
from sknumpynet._compare.encoding import encode
from sknumpynet._compare.figures import decision_boundary_figure, prediction_figure

REGRESSORS = ["MLPRegressorNP", "MLPRegressor", "Ridge", "SGDRegressor"]


def _write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def _plants(tmp_path, n=400, seed=0, missing=()):
    """A CSV of two measurements, a soil (text) and a continuous height that depends on
    all three; ``missing`` are (row, column) cells written as NA."""
    rng = np.random.RandomState(seed)
    water, light = rng.uniform(0, 10, n), rng.uniform(0, 10, n)
    soil = rng.choice(["clay", "loam", "sand"], n)
    height = 2.0 * water + 1.0 * light + np.select([soil == "clay", soil == "loam"], [5, 0], -5)
    height = height + rng.normal(0, 1.0, n)
    rows = [
        [f"{w:.3f}", f"{li:.3f}", s, f"{h:.2f}"] for w, li, s, h in zip(water, light, soil, height)
    ]
    for i, j in missing:
        rows[i][j] = "NA"
    return _write_csv(tmp_path / "plants.csv", ["water", "light", "soil", "height"], rows)


def test_a_continuous_target_compares_regressors(tmp_path, capsys):
    path = _plants(tmp_path)
    out = tmp_path / "out"
    argv = ["compare", "--csv", path, "--target", "height", "--max-iter", "300", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert stdout.split()[:4] == ["dataset", "model", "R2", "RMSE"]
    assert "plants.csv: regression: the target column 'height' holds" in stdout
    rows = json.loads((out / "results.json").read_text())
    assert [row["model"] for row in rows] == REGRESSORS
    assert {row["task"] for row in rows} == {"regression"}
    by = {row["model"]: row for row in rows}
    assert by["Ridge"]["n_features"] == 5  # two numbers and three soils
    # the target is linear in the features: every model fits it, to the noise (sd 1)
    for model in REGRESSORS:
        assert by[model]["r2"] > 0.95, model
        assert by[model]["rmse"] < 1.5, model
    assert by["MLPRegressorNP"]["r2"] == pytest.approx(by["MLPRegressor"]["r2"], abs=1e-4)
    with open(out / "results.csv", newline="") as f:
        assert {row["task"] for row in csv.DictReader(f)} == {"regression"}
    assert (out / "predictions_plants_csv.png").exists()


def test_task_regression_reads_whole_numbers_as_a_quantity(tmp_path, capsys):
    rng = np.random.RandomState(1)
    x = rng.uniform(0, 100, 200)
    rows = [[f"{v:.2f}", int(3 * v + rng.randint(0, 5))] for v in x]  # whole numbers
    path = _write_csv(tmp_path / "counts.csv", ["x", "y"], rows)
    assert read_csv(path, "y", task="classification").task == "classification"
    data = read_csv(path, "y", task="regression")
    assert data.task == "regression" and data.y.dtype == np.float64
    argv = ["compare", "--csv", path, "--target", "y", "--task", "regression", "--quiet"]
    assert main([*argv, "--max-iter", "50"]) == 0
    stdout = capsys.readouterr().out
    ridge = next(line for line in stdout.splitlines() if line.startswith("counts.csv  Ridge"))
    assert float(ridge.split()[2]) > 0.99  # R2


def test_auto_task_follows_type_of_target(tmp_path):
    def task_of(values):
        rows = [[i, v] for i, v in enumerate(values)]
        return read_csv(_write_csv(tmp_path / "t.csv", ["a", "y"], rows), "y").task

    assert task_of(["1", "2", "1", "2"]) == "classification"
    assert task_of(["1.0", "2.0", "1.0"]) == "classification"  # whole, written as floats
    assert task_of(["cat", "dog", "7"]) == "classification"  # text
    assert task_of(["0.5", "1.5", "0.5"]) == "regression"  # two values, but not whole
    assert task_of(["1", "2", "2.25"]) == "regression"
    assert task_of(["1e3", "2.5e-1", "3"]) == "regression"


def test_whole_numbers_are_classes_up_to_20_distinct_values_and_a_quantity_past(tmp_path):
    def read(values, **kwargs):
        rows = [[i % 7, v] for i, v in enumerate(values)]
        return read_csv(_write_csv(tmp_path / "t.csv", ["a", "y"], rows), "y", **kwargs)

    stars = read([1 + i % 5 for i in range(100)])
    assert stars.task == "classification"
    assert stars.notes == [
        "classification: the target column 'y' holds 5 classes (whole numbers, at most 20 "
        "distinct); if they are a quantity, give --task regression"
    ]
    assert read([i % 20 for i in range(100)]).task == "classification"
    assert read([i % 21 for i in range(100)]).task == "regression"
    assert read([i % 21 for i in range(100)], task="classification").task == "classification"
    many = read(range(1200))  # past the 1000 classes at most, read as numbers
    assert many.task == "regression" and many.y.dtype == np.float64
    assert many.notes == [
        "regression: the target column 'y' holds 1200 distinct values from 0 to 1199 (whole "
        "numbers, more than 20 distinct: a quantity); if they are classes, give --task "
        "classification"
    ]


def test_a_count_target_is_compared_by_regressors_with_a_note(tmp_path, capsys):
    # visits per day, Poisson with mean 20: about 24 distinct whole numbers
    rng = np.random.RandomState(0)
    x = rng.uniform(0, 1, 200)
    visits = rng.poisson(10 + 20 * x)
    path = _write_csv(tmp_path / "visits.csv", ["x", "visits"], list(zip(x.round(4), visits)))
    argv = ["compare", "--csv", path, "--target", "visits", "--max-iter", "50", "--quiet"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.split()[:4] == ["dataset", "model", "R2", "RMSE"]
    n = np.unique(visits).shape[0]
    assert n > 20
    assert (
        f"visits.csv: regression: the target column 'visits' holds {n} distinct values from "
        f"{visits.min()} to {visits.max()} (whole numbers, more than 20 distinct: a quantity); "
        "if they are classes, give --task classification"
    ) in out
    ridge = next(line for line in out.splitlines() if " Ridge " in line)
    assert float(ridge.split()[2]) > 0.5  # R2: the mean of the counts is linear in x


def test_a_continuous_target_past_1000_distinct_values_is_read_in_full(tmp_path):
    rng = np.random.RandomState(0)
    y = rng.randn(3000)
    rows = [[i, f"{v:.6f}"] for i, v in enumerate(y)]
    data = read_csv(_write_csv(tmp_path / "many.csv", ["a", "y"], rows), "y")
    assert data.task == "regression"
    np.testing.assert_allclose(data.y, y, atol=5e-7)


def test_features_are_encoded_on_the_training_set_only(tmp_path):
    path = _plants(tmp_path, n=200)
    data = load_dataset("csv", seed=0, dtype="float64", csv_path=path, target="height")
    assert data.task == "regression"
    assert data.X_train.shape == (150, 5) and data.X_test.shape == (50, 5)
    # the scaler's statistics are the training set's: exactly standard there, not in the test
    np.testing.assert_allclose(data.X_train[:, :2].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(data.X_train[:, :2].std(axis=0), 1, atol=1e-12)
    assert np.all(np.abs(data.X_test[:, :2].mean(axis=0)) > 1e-3)
    # one-hot columns: one 1 per row
    np.testing.assert_array_equal(data.X_train[:, 2:].sum(axis=1), 1)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_dtype_option_is_the_dtype_of_the_encoded_features(tmp_path, dtype):
    path = _plants(tmp_path, n=60, missing=[(3, 0), (4, 2)])
    data = load_dataset("csv", seed=0, dtype=dtype, csv_path=path, target="height")
    assert data.X_train.dtype == data.X_test.dtype == np.dtype(dtype)
    assert np.isfinite(data.X_train).all() and np.isfinite(data.X_test).all()


def _columns(*specs):
    return [
        CsvColumn(name, kind, np.empty(0), categories, n_missing, first)
        for name, kind, categories, n_missing, first in specs
    ]


def test_missing_values_are_imputed_from_the_training_set():
    columns = _columns(
        ("size", "numeric", [], 2, 3),
        ("colour", "text", ["blue", "green", "red"], 2, 4),
    )
    nan = np.nan
    X_train = np.array([[1.0, 0], [2.0, 1], [nan, nan], [4.0, 1], [10.0, 0]])
    X_test = np.array([[nan, nan], [100.0, 2]])  # red: a colour of the test set only
    X_train, X_test, notes, names = encode(columns, X_train, X_test, dtype="float64")
    assert names == ["size", "colour=missing", "colour=blue", "colour=green"]
    # the median of the training set (3, not 4 with the test set's 100) fills the gap ...
    mean, std = np.mean([1, 2, 3, 4, 10]), np.std([1, 2, 3, 4, 10])
    assert X_train[2, 0] == pytest.approx((3 - mean) / std)
    assert X_test[0, 0] == pytest.approx((3 - mean) / std)
    # ... and a missing colour is a category of its own: missing, blue, green
    np.testing.assert_array_equal(
        X_train[:, 1:], [[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 1], [0, 1, 0]]
    )
    np.testing.assert_array_equal(X_test[:, 1:], [[1, 0, 0], [0, 0, 0]])  # red: none of them
    assert notes == [
        "one-hot encoded the text column 'colour' (3 values); 1 of them only in the test set, "
        "where they are encoded as none of the values seen in training",
        "column 'size': 2 cells are missing (the first on line 3), imputed with the column's "
        "median in the training set",
        "column 'colour': 2 cells are missing (the first on line 4), encoded as the category "
        "'missing'",
    ]


def test_missing_cells_of_every_spelling_are_counted_and_reported(tmp_path, capsys):
    rows = [[f"{i % 7}", "x" if i % 2 else "z", i % 2] for i in range(40)]
    for i, cell in enumerate(["", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "-nan"]):
        rows[2 * i + 1][0] = cell
    rows[5][1] = " NA "
    path = _write_csv(tmp_path / "gaps.csv", ["a", "b", "y"], rows)
    data = read_csv(path, "y")
    assert [c.n_missing for c in data.columns] == [9, 1]
    assert [c.first_missing for c in data.columns] == [3, 7]
    assert np.isnan(data.columns[0].values).sum() == 9
    # in the report, on stdout, also with --quiet: nothing is imputed silently
    argv = ["compare", "--csv", path, "--target", "y", "--max-iter", "5", "--hidden", "4"]
    assert main([*argv, "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert (
        "gaps.csv: column 'a': 9 cells are missing (the first on line 3), imputed with the "
        "column's median in the training set" in captured.out
    )
    assert "gaps.csv: column 'b': 1 cell is missing (the first on line 7)" in captured.out


def test_a_column_whose_first_cells_are_missing_takes_the_kind_of_the_others(tmp_path):
    rows = [["", "NA", 0], ["", "", 1], ["2.5", "red", 0], ["4", "blue", 1]]
    data = read_csv(_write_csv(tmp_path / "late.csv", ["a", "b", "y"], rows), "y")
    assert data.kinds == ["numeric", "text"]
    np.testing.assert_array_equal(data.columns[0].values, [np.nan, np.nan, 2.5, 4.0])
    np.testing.assert_array_equal(data.columns[1].values, [np.nan, np.nan, 1.0, 0.0])
    assert data.columns[1].categories == ["blue", "red"]


def test_prediction_figure_of_a_csv_file_with_a_long_name(tmp_path):
    path = _plants(tmp_path, n=120)
    long_path = tmp_path / "heights_of_the_plants_of_the_second_greenhouse_in_2024.csv"
    (tmp_path / "plants.csv").rename(long_path)
    args = build_parser().parse_args(
        ["compare", "--csv", str(long_path), "--target", "height", "--max-iter", "20"]
    )
    del path
    _, fitted = run(args)
    ((data, models),) = fitted
    figure = prediction_figure(data, models)
    assert clipped_texts(figure) == []


@pytest.mark.slow  # writes and reads a 40,000-row file
def test_encoding_a_csv_file_takes_memory_in_proportion_to_its_numbers(tmp_path):
    # From the file to encoded train and test sets: the columns as read, one
    # matrix, its split, and the ColumnTransformer's output (which stacks the
    # encoded blocks), never rows of strings.
    import tracemalloc

    path = tmp_path / "numbers.csv"
    write_numbers_csv(path, 40_000)
    tracemalloc.start()
    try:
        data = load_dataset("csv", seed=0, dtype="float64", csv_path=str(path), target="y")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert data.X_train.shape == (30_000, 11)  # eight numbers, three colours
    size = path.stat().st_size
    assert peak < 3 * size, f"peak {peak / size:.1f} times the size of the file"


def _extreme_csv(tmp_path, target_of, feature_of=lambda i, a: a, n=40):
    """A CSV of a feature ``a`` (standard normal, or ``feature_of(row, a)``), a second
    feature and a target ``target_of(row, a)`` written as is."""
    rng = np.random.RandomState(0)
    a, b = rng.randn(n), rng.randn(n)
    rows = [
        [repr(float(feature_of(i, a[i]))), f"{b[i]:.4f}", target_of(i, a[i])] for i in range(n)
    ]
    return _write_csv(tmp_path / "extreme.csv", ["a", "b", "y"], rows)


@pytest.mark.parametrize(
    "feature_of, target_of, options, message",
    [
        pytest.param(
            lambda i, a: {3: 1.7e308, 7: -1.7e308}.get(i, a),
            lambda i, a: i % 2,
            [],
            "extreme.csv, line 5: column 'a' holds 1.7e+308, too large to standardize "
            "(features must lie within ±1e+150); if it stands for a missing value, write NA",
            id="feature-of-1.7e308",
        ),
        pytest.param(
            lambda i, a: a,
            lambda i, a: repr(float((a + 0.5) * 1e200)),
            [],
            "extreme.csv, line 2: the target column 'y' holds 2.26405e+200, too large to fit "
            "and score (a target must lie within ±1e+150: its squares overflow past that); "
            "rescale it, e.g. to its logarithm",
            id="target-near-1e200",
        ),
        pytest.param(
            lambda i, a: a,
            lambda i, a: repr(float((a + 0.5) * 1e39)),
            ["--dtype", "float32"],
            "extreme.csv, line 2: the target column 'y' holds 2.26405e+39, beyond what --dtype "
            "float32 can predict (within ±3.4e+36); give --dtype float64, or rescale the target",
            id="target-near-1e39-in-float32",
        ),
    ],
)
def test_numbers_too_large_to_fit_are_refused_in_one_line(
    tmp_path, capsys, feature_of, target_of, options, message
):
    path = _extreme_csv(tmp_path, target_of, feature_of)
    argv = ["compare", "--csv", path, "--target", "y", "--max-iter", "5", "--hidden", "4"]
    assert main([*argv, *options]) == 2  # a RuntimeWarning would be an error here
    captured = capsys.readouterr()
    assert captured.err == f"sknumpynet: error: {tmp_path / message}\n"
    assert captured.out == ""


def test_a_target_near_1e39_in_float64_is_scored(tmp_path, capsys):
    path = _extreme_csv(tmp_path, lambda i, a: repr(float((a + 0.1 * np.sin(i)) * 1e39)))
    argv = ["compare", "--csv", path, "--target", "y", "--max-iter", "5", "--hidden", "4"]
    assert main([*argv, "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    ridge = next(line for line in captured.out.splitlines() if " Ridge " in line).split()
    assert float(ridge[2]) > 0.95  # R2: the target is nearly linear in a
    assert ridge[3].endswith("e+37") or ridge[3].endswith("e+38")  # RMSE, 4 digits


def test_integer_labels_beyond_float_precision_are_two_classes(tmp_path, capsys):
    # 10**30 and 10**30 + 1 are one float: as numbers they would be a single value
    path = _extreme_csv(tmp_path, lambda i, a: str(10**30 + int(a > 0)))
    data = read_csv(path, "y")
    assert data.task == "classification"
    assert sorted(set(data.y)) == [str(10**30), str(10**30 + 1)]
    argv = ["compare", "--csv", path, "--target", "y", "--max-iter", "20", "--hidden", "4"]
    assert main([*argv, "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "extreme.csv: classification: the target column 'y' holds 2 classes" in captured.out
    logistic = next(line for line in captured.out.splitlines() if "LogisticRegression" in line)
    assert float(logistic.split()[2]) >= 0.9  # accuracy: the classes are the sign of a


def _patients(tmp_path, n=40):
    """A CSV of a row number, a name (different in every row), a measurement and a class."""
    rng = np.random.RandomState(0)
    weight = rng.randn(n)
    rows = [[1001 + i, f"patient {i}", f"{w:.3f}", int(w > 0)] for i, w in enumerate(weight)]
    return _write_csv(tmp_path / "patients.csv", ["patient id", "name", "weight", "ill"], rows)


def test_columns_like_identifiers_are_named_in_the_report(tmp_path, capsys):
    path = _patients(tmp_path)
    argv = ["compare", "--csv", path, "--target", "ill", "--max-iter", "5", "--hidden", "4"]
    assert main([*argv, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert (
        "patients.csv: column 'patient id' holds a different whole number in each of its 40 "
        "rows, like an identifier, and is a feature of every model; if it is one, leave it "
        "out with --drop 'patient id'"
    ) in out
    assert (
        "patients.csv: column 'name' holds a different text in each of its 40 rows, like an "
        "identifier, and is a feature of every model; if it is one, leave it out with "
        "--drop name"
    ) in out
    assert "'weight' holds a different" not in out  # not whole numbers


def test_drop_leaves_columns_out(tmp_path, capsys):
    path = _patients(tmp_path, n=80)
    argv = ["compare", "--csv", path, "--target", "ill", "--max-iter", "5", "--hidden", "4"]
    out_dir = tmp_path / "out"
    argv += ["--drop", "patient id", "--drop", "name", "--quiet", "--out", str(out_dir)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "like an identifier" not in out
    assert "patients.csv: left out the columns 'patient id', 'name' (--drop)" in out
    rows = json.loads((out_dir / "results.json").read_text())
    assert {row["n_features"] for row in rows} == {1}  # the weight alone
    # a text column of more than 50 values is not read at all
    data = read_csv(path, "ill", drop=["name"])
    assert data.feature_names == ["patient id", "weight"]


def test_decision_boundaries_of_a_csv_file_name_its_two_columns(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 2)
    rows = [[f"{h:.3f}", f"{w:.3f}", "tall" if h > 0 else "short"] for h, w in X]
    path = _write_csv(tmp_path / "people.csv", ["height", "weight", "kind"], rows)
    args = build_parser().parse_args(
        ["compare", "--csv", path, "--target", "kind", "--max-iter", "5", "--hidden", "4"]
    )
    _, ((data, models),) = run(args)
    assert data.feature_names == ["height", "weight"]
    figure = decision_boundary_figure(data, models)
    assert [ax.get_xlabel() for ax in figure.axes] == ["height"] * 5
    assert figure.axes[0].get_ylabel() == "weight"
    (legend,) = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == ["class short", "class tall"]
    assert clipped_texts(figure) == []
