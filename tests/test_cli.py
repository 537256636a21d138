import csv
import json
import math
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.linear_model import LogisticRegression

from sknumpynet.__main__ import main
from sknumpynet._compare.cli import build_parser, run
from sknumpynet._compare.csvfile import read_csv
from sknumpynet._compare.figures import (
    decision_boundary_figure,
    loss_curve_figure,
    plot_decision_boundary,
)
from sknumpynet._compare.report import write_results

MODELS = [
    "SoftmaxClassifier",
    "LogisticRegression",
    "SGDClassifier",
    "MLPClassifierNP",
    "MLPClassifier",
]
PNG = b"\x89PNG\r\n\x1a\n"


def test_compare_spiral_prints_one_table_and_writes_outputs(tmp_path, capsys):
    out = tmp_path / "out"
    status = main(
        ["compare", "--dataset", "spiral", "--max-iter", "20", "--hidden", "8", "--out", str(out)]
    )
    assert status == 0
    captured = capsys.readouterr()
    for name in MODELS:
        assert f"spiral   {name}" in captured.out
    for column in ("accuracy", "log loss", "fit s", "ms/epoch", "peak MiB"):
        assert column in captured.out
    assert "fitting MLPClassifier (5/5)" in captured.err  # progress goes to stderr
    assert "wrote" not in captured.out and "wrote" in captured.err

    rows = json.loads((out / "results.json").read_text())
    assert [row["model"] for row in rows] == MODELS
    for row in rows:
        assert 0 <= row["accuracy"] <= 1 and row["log_loss"] > 0 and row["fit_s"] >= 0
        assert (row["dataset"], row["n_train"], row["n_features"]) == ("spiral", 450, 2)
    assert [row["epochs"] for row in rows if row["family"] == "mlp"] == [20, 20]
    with open(out / "results.csv", newline="") as f:
        assert [row["model"] for row in csv.DictReader(f)] == MODELS
    for png in ("loss_curves_spiral.png", "decision_boundaries_spiral.png"):
        assert (out / png).read_bytes()[:8] == PNG


def test_quiet_prints_the_table_only(capsys):
    argv = ["compare", "--dataset", "spiral", "--max-iter", "2", "--hidden", "4", "--quiet"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith("dataset  model ") and captured.out.count("spiral ") == 5


def test_same_parameters_give_the_same_mlp_as_scikit_learn(capsys):
    argv = ["compare", "--dataset", "digits", "--max-iter", "3", "--hidden", "16", "--quiet"]
    argv += ["--solver", "sgd", "--batch-size", "64", "--dtype", "float32", "--seed", "1"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    ours = next(line for line in lines if "MLPClassifierNP" in line).split()
    theirs = next(line for line in lines if " MLPClassifier " in line).split()
    assert ours[2:4] == theirs[2:4]  # same accuracy and log loss to 3 decimals


@pytest.fixture(scope="module")
def spiral_run():
    """The five models fitted on the spiral, briefly: (data, models)."""
    args = build_parser().parse_args(
        ["compare", "--dataset", "spiral", "--max-iter", "30", "--hidden", "16"]
    )
    rows, fitted = run(args)
    assert [row["model"] for row in rows] == MODELS
    (data, models), = fitted  # fmt: skip
    return data, models


def test_loss_curves_ours_stays_visible_under_scikit_learns(spiral_run):
    data, models = spiral_run
    figure = loss_curve_figure(data.name, models)
    (ax,) = figure.axes
    lines = {line.get_label().split(":")[0]: line for line in ax.get_lines()}
    # the two linear references record no loss curve
    assert sorted(lines) == ["MLPClassifier", "MLPClassifierNP", "SoftmaxClassifier"]
    ours, theirs = lines["MLPClassifierNP"], lines["MLPClassifier"]
    # same parameters, same start: the curves coincide ...
    np.testing.assert_allclose(ours.get_ydata(), theirs.get_ydata(), rtol=1e-6)
    # ... so ours is broad and below, scikit-learn's thin, dashed and on top
    assert ours.get_linewidth() >= 2 * theirs.get_linewidth()
    assert ours.get_linestyle() == "-" and theirs.get_linestyle() == "--"
    assert theirs.get_zorder() > ours.get_zorder()
    assert ours.get_color() == theirs.get_color() != lines["SoftmaxClassifier"].get_color()
    assert ax.get_yscale() == "log"
    assert ax.get_legend() is not None


def test_decision_boundaries_color_points_like_the_regions_of_their_class(spiral_run):
    data, models = spiral_run
    figure = decision_boundary_figure(data, models)
    assert [ax.get_title() for ax in figure.axes] == MODELS

    estimator = next(m.estimator for m in models if m.name == "MLPClassifierNP")
    ax = Figure().subplots()
    display = plot_decision_boundary(estimator, data.X_train, data.X_test, data.y_test, ax=ax)
    points = ax.collections[-1].get_facecolors()[:, :3]
    surface = display.surface_
    # contour level k holds the grid points predicted as class k ...
    assert display.response.shape == display.xx0.shape
    np.testing.assert_array_equal(
        estimator.classes_[display.response.ravel()],
        estimator.predict(np.c_[display.xx0.ravel(), display.xx1.ravel()]),
    )
    np.testing.assert_array_equal(surface.levels, [-0.5, 0.5, 1.5, 2.5])
    region_colors = surface.get_facecolor()[:, :3]
    assert np.unique(region_colors, axis=0).shape[0] == 3
    # ... and takes the colour of the points of class k
    codes = np.searchsorted(estimator.classes_, data.y_test)
    np.testing.assert_allclose(points, region_colors[codes])
    # so a correctly classified point lies in a region of its own colour (bar a
    # point or two on a boundary, where the grid is coarse)
    inside = np.array([path.contains_points(data.X_test) for path in surface.get_paths()])
    correct = np.flatnonzero(estimator.predict(data.X_test) == data.y_test)
    assert correct.shape[0] > 0.5 * data.y_test.shape[0]
    region = inside.argmax(axis=0)
    same = np.all(np.isclose(region_colors[region], points), axis=1)
    assert same[correct].mean() > 0.95


def test_decision_boundary_of_two_text_classes():
    # the binary case, with text labels: scikit-learn draws it apart from the multiclass one
    rng = np.random.RandomState(0)
    X = rng.randn(80, 2)
    y = np.where(X[:, 0] > 0, "right", "left")
    estimator = LogisticRegression().fit(X, y)
    ax = Figure().subplots()
    display = plot_decision_boundary(estimator, X, X, y, ax=ax)
    region_colors = display.surface_.get_facecolor()[:, :3]
    assert region_colors.shape == (2, 3) and not np.allclose(*region_colors)
    points = ax.collections[-1].get_facecolors()[:, :3]
    np.testing.assert_allclose(points, region_colors[(y == "right").astype(int)])


def _write_csv(path, header, rows, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def test_compare_a_csv_file_with_a_text_target(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    rows = [[*row, "big" if row.sum() > 0 else "small"] for row in X]
    path = _write_csv(tmp_path / "data.csv", ["a", "b", "c", "kind"], rows)
    out = tmp_path / "out"
    argv = ["compare", "--csv", path, "--target", "kind", "--max-iter", "5", "--out", str(out)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out.count("data.csv") == len(MODELS)
    assert "data.csv: 45 training samples, 3 features" in captured.err
    rows = json.loads((out / "results.json").read_text())
    assert {row["n_features"] for row in rows} == {3}
    by_model = {row["model"]: row for row in rows}
    assert by_model["LogisticRegression"]["accuracy"] == 1.0  # linearly separable classes
    assert by_model["MLPClassifierNP"]["log_loss"] == pytest.approx(
        by_model["MLPClassifier"]["log_loss"], rel=1e-6
    )
    assert set(read_csv(path, "kind").y) == {"big", "small"}
    assert (out / "loss_curves_data_csv.png").read_bytes()[:8] == PNG
    assert not (out / "decision_boundaries_data_csv.png").exists()  # three features


def test_csv_text_feature_is_one_hot_encoded_with_a_note(tmp_path, capsys):
    rng = np.random.RandomState(0)
    colours = rng.choice(["red", "green, dark", "blue"], size=80)
    size = rng.randn(80)
    label = np.where(colours == "red", 1, 2)  # integer labels, told by the colour alone
    rows = [[k, f"{s:.3f}", c] for s, c, k in zip(size, colours, label)]
    # a byte-order mark before the target's name, as spreadsheets write it, and a quoted comma
    path = _write_csv(tmp_path / "paint.csv", ["y", "size", "colour"], rows, "utf-8-sig")
    assert (tmp_path / "paint.csv").read_bytes()[:4] == b"\xef\xbb\xbfy"
    assert read_csv(path, "y").y.dtype.kind == "i"  # labels that read as integers are integers
    out = tmp_path / "out"
    argv = ["compare", "--csv", path, "--target", "y", "--max-iter", "30", "--hidden", "4"]
    assert main([*argv, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "paint.csv: one-hot encoded the text column 'colour' (3 values)" in err
    assert "60 training samples, 4 features" in err
    results = json.loads((out / "results.json").read_text())
    by_model = {row["model"]: row for row in results}
    assert by_model["LogisticRegression"]["accuracy"] == 1.0
    assert by_model["MLPClassifierNP"]["accuracy"] == by_model["MLPClassifier"]["accuracy"]


def test_results_json_writes_nan_as_null(tmp_path):
    row = dict(dataset="d", model="m", accuracy=0.5, log_loss=float("nan"), epochs=3)
    paths = write_results(str(tmp_path), [row])
    assert [p.rsplit("/", 1)[-1] for p in paths] == ["results.json", "results.csv"]
    text = (tmp_path / "results.json").read_text()

    def strict(constant):
        raise AssertionError(f"{constant} is not JSON")

    assert json.loads(text, parse_constant=strict) == [{**row, "log_loss": None}]
    with open(tmp_path / "results.csv", newline="") as f:
        (read,) = csv.DictReader(f)
    assert math.isnan(float(read["log_loss"]))


def _bad_csv(tmp_path, text):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "required"),
        (["compare", "--bogus"], "unrecognized arguments"),
        (["compare", "--dataset", "mnist"], "invalid choice"),
        (["compare", "--max-iter", "0"], "positive integer"),
        (["compare", "--batch-size", "ten"], "positive integer"),
        (["compare", "--hidden", "10,x"], "--hidden"),
        (["compare", "--hidden", "0"], "positive"),
        (["compare", "--alpha", "-1"], ">= 0"),
        (["compare", "--alpha", "inf"], "finite"),
        (["compare", "--dtype", "float16"], "invalid choice"),
        (["compare", "--target", "y"], "--target needs --csv"),
        (["compare", "--csv", "{tmp}/missing.csv", "--target", "y"], "no such file"),
        (["compare", "--csv", "{tmp}/x.csv"], "--csv needs --target"),
        (["compare", "--csv", "{tmp}/x.csv", "--target", "y", "--dataset", "spiral"], "not both"),
        (["compare", "--out", "{tmp}/x.csv"], "cannot create --out directory"),
        (["compare", "--csv", "{bad:a,b\n1,2\n2,1\n}", "--target", "y"], "no column 'y'"),
        (["compare", "--csv", "{bad:a,y\n1,p\nq,p\n}", "--target", "y"], "line 3 holds 'q'"),
        (["compare", "--csv", "{bad:a,y\n1,p\nq,p\n}", "--target", "y"], "not numeric"),
        (["compare", "--csv", "{bad:a,y\n1,p\n2\n}", "--target", "y"], "line 3: 1 fields"),
        (["compare", "--csv", "{bad:a,y\n1,p\n,q\n}", "--target", "y"], "line 3: column 'a'"),
        (["compare", "--csv", "{bad:a,y\n1,p\nnan,q\n}", "--target", "y"], "finite numbers"),
        (["compare", "--csv", "{bad:a,y\n1,p\n2,\n}", "--target", "y"], "line 3: no label"),
        (["compare", "--csv", "{bad:a,y,y\n1,p,q\n}", "--target", "y"], "names 'y' 2 times"),
        (["compare", "--csv", "{bad:y\np\nq\n}", "--target", "y"], "no feature columns"),
        (["compare", "--csv", "{bad:a,y\n1,p\n2,p\n}", "--target", "y"], "single class"),
        (["compare", "--csv", "{bad:a,y\n1,p\n2,q\n}", "--target", "y"], "cannot split"),
        (["compare", "--csv", "{bad:a,y\n}", "--target", "y"], "at least one data row"),
        (["compare", "--csv", "{bad:\n\n}", "--target", "y"], "at least one data row"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, message, tmp_path, capsys):
    resolved = []
    for arg in argv:
        if arg.startswith("{bad:"):
            arg = _bad_csv(tmp_path, arg[5:-1])
        resolved.append(arg.replace("{tmp}", str(tmp_path)))
    (tmp_path / "x.csv").write_text("a,y\n1,2\n")
    assert main(resolved) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("sknumpynet: error:")
    assert message in err


def test_too_many_text_values_to_one_hot_encode_exit_2(tmp_path, capsys):
    rows = [[f"name {i}", i % 2] for i in range(60)]
    path = _write_csv(tmp_path / "names.csv", ["name", "y"], rows)
    assert main(["compare", "--csv", path, "--target", "y"]) == 2
    err = capsys.readouterr().err.strip()
    assert "column 'name' holds text with 60 distinct values" in err and "\n" not in err


def test_unreadable_binary_csv_exits_2(tmp_path, capsys):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x9f")
    assert main(["compare", "--csv", str(path), "--target", "y"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sknumpynet: error: cannot read") and "\n" not in err


def test_malformed_csv_field_exits_2_naming_the_line(tmp_path, capsys):
    # the csv module refuses a field over its limit (128 KiB), e.g. an unclosed quote
    path = tmp_path / "quote.csv"
    path.write_text('a,y\n1,p\n2,"q\n' + "x" * 200_000 + "\n")
    assert main(["compare", "--csv", str(path), "--target", "y"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"sknumpynet: error: cannot read {path}, line ") and "\n" not in err
    assert "field larger than field limit" in err


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["compare", "--help"])
    assert exit_.value.code == 0
    help_text = capsys.readouterr().out
    for option in ("--dataset", "--csv", "--target", "--hidden", "--solver", "--max-iter"):
        assert option in help_text


@pytest.mark.slow
def test_python_dash_m_runs_and_reports_errors_in_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "sknumpynet", "compare", "--max-iter", "-3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("sknumpynet: error: argument --max-iter:")
    assert result.stdout == ""
