import csv
import json
import math
import os
import subprocess
import sys
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from csv_files import write_numbers_csv
from figure_checks import clipped_texts
from matplotlib import colormaps
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from sklearn.linear_model import LogisticRegression

from sknumpynet.__main__ import main
from sknumpynet._compare import cli, options
from sknumpynet._compare.cli import build_parser, run
from sknumpynet._compare.csvfile import read_csv
from sknumpynet._compare.data import split
from sknumpynet._compare.errors import CommandError
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


def _inside_levels(surface, X):
    """Which filled level holds each point: one row per level (matplotlib < 3.8 splits
    a level into several paths, each in the level's own collection)."""
    if hasattr(surface, "get_paths"):
        return np.array([path.contains_points(X) for path in surface.get_paths()])
    return np.array(
        [
            np.any(
                [path.contains_points(X) for path in c.get_paths()] or [np.zeros(len(X), bool)],
                axis=0,
            )
            for c in surface.collections
        ]
    )


def _region_colors(surface):
    """RGB of each filled contour level (matplotlib < 3.8 keeps one collection per level)."""
    if hasattr(surface, "get_facecolor"):
        return surface.get_facecolor()[:, :3]
    return np.array([c.get_facecolor()[0, :3] for c in surface.collections])


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
    assert clipped_texts(figure) == []
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
    assert [ax.get_title() for ax in figure.axes] == [
        f"{m.name}\ntest accuracy {m.estimator.score(data.X_test, data.y_test):.3f}"
        for m in models
    ]
    assert [ax.get_xlabel() for ax in figure.axes] == ["x1"] * 5
    assert figure.axes[0].get_ylabel() == "x2"
    assert clipped_texts(figure) == []  # the legend's texts too
    # class k takes tab10's colour k, in the regions, the points and the legend
    tab10 = np.array(colormaps["tab10"].colors[:3])
    (legend,) = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == ["class 0", "class 1", "class 2"]
    handles = legend.legend_handles if hasattr(legend, "legend_handles") else legend.legendHandles
    np.testing.assert_allclose([to_rgb(h.get_markerfacecolor()) for h in handles], tab10)
    for ax in figure.axes:  # the test points, in the colour of their true class
        np.testing.assert_allclose(ax.collections[-1].get_facecolors()[:, :3], tab10[data.y_test])

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
    region_colors = _region_colors(surface)
    np.testing.assert_allclose(region_colors, tab10)
    # ... and takes the colour of the points of class k
    codes = np.searchsorted(estimator.classes_, data.y_test)
    np.testing.assert_allclose(points, region_colors[codes])
    # so a correctly classified point lies in a region of its own colour (bar a
    # point or two on a boundary, where the grid is coarse)
    inside = _inside_levels(surface, data.X_test)
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
    region_colors = _region_colors(display.surface_)
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
    table = [line for line in captured.out.splitlines() if line.startswith("data.csv ")]
    assert len(table) == len(MODELS)
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
    captured = capsys.readouterr()
    # how the data was prepared is part of the report, on stdout (--quiet keeps it)
    assert "\npaint.csv: one-hot encoded the text column 'colour' (3 values)" in captured.out
    assert "60 training samples, 4 features" in captured.err
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


@dataclass(frozen=True)
class File:
    """A file that a row of the table writes before the call: text (UTF-8), bytes, or
    a function that returns either (for files too large to keep in the module)."""

    content: object


def _continuous(n_rows):
    rng = np.random.RandomState(0)
    return "a,y\n" + "".join(
        f"{a:.6f},{t}\n" for a, t in zip(rng.randn(n_rows), rng.randn(n_rows))
    )


# Each row: the arguments of `sknumpynet ...` (a File is written to a path first;
# "{tmp}" is a temporary directory that holds x.csv) and a part of the one line
# the command must print on stderr before it exits with status 2.
BAD_INPUT = [
    pytest.param(argv, message, id=id_)
    for id_, argv, message in [
        # ---- options
        ("unknown-option", ["compare", "--bogus"], "unrecognized arguments"),
        ("no-command-but-an-option", ["--bogus"], "required: COMMAND"),
        ("unknown-dataset", ["compare", "--dataset", "mnist"], "invalid choice"),
        ("max-iter-zero", ["compare", "--max-iter", "0"], "positive integer"),
        ("batch-size-text", ["compare", "--batch-size", "ten"], "positive integer"),
        ("hidden-text", ["compare", "--hidden", "10,x"], "--hidden"),
        ("hidden-zero", ["compare", "--hidden", "0"], "positive"),
        ("alpha-negative", ["compare", "--alpha", "-1"], ">= 0"),
        ("alpha-inf", ["compare", "--alpha", "inf"], "finite"),
        (
            "alpha-too-large",
            ["compare", "--alpha", "1e5"],
            "argument --alpha: expected a number from 0 to 10000",
        ),
        (
            "hidden-too-large",
            ["compare", "--hidden", "99999999999"],
            "argument --hidden: a hidden layer may have at most 100000 units, got 99999999999",
        ),
        ("hidden-too-deep", ["compare", "--hidden", "4," * 101], "at most 100 hidden layers"),
        (
            "max-iter-too-large",
            ["compare", "--max-iter", "99999999999999999999"],
            "argument --max-iter: expected a positive integer up to 1000000, got '9999",
        ),
        (
            "max-iter-of-5000-digits",
            ["compare", "--max-iter", "9" * 5000],
            "argument --max-iter: expected a positive integer up to 1000000",
        ),
        (
            "batch-size-too-large",
            ["compare", "--batch-size", str(10**12)],
            "argument --batch-size: expected a positive integer up to 1000000",
        ),
        ("dtype-float16", ["compare", "--dtype", "float16"], "invalid choice"),
        ("unknown-task", ["compare", "--task", "ranking"], "invalid choice"),
        (
            "task-of-another-data-set",
            ["compare", "--dataset", "digits", "--task", "regression"],
            "--task regression: digits is a classification data set",
        ),
        (
            "seed-negative",
            ["compare", "--dataset", "spiral", "--seed", "-1"],
            "argument --seed: expected an integer from 0 to 4294967295, got '-1'",
        ),
        ("seed-too-large", ["compare", "--seed", str(2**32)], "from 0 to 4294967295"),
        ("seed-not-an-integer", ["compare", "--seed", "1.5"], "from 0 to 4294967295"),
        ("target-without-csv", ["compare", "--target", "y"], "--target needs --csv"),
        ("csv-without-target", ["compare", "--csv", "{tmp}/x.csv"], "--csv needs --target"),
        (
            "csv-and-dataset",
            ["compare", "--csv", "{tmp}/x.csv", "--target", "y", "--dataset", "spiral"],
            "not both",
        ),
        ("out-is-a-file", ["compare", "--out", "{tmp}/x.csv"], "cannot create --out directory"),
        # ---- the file
        (
            "csv-missing",
            ["compare", "--csv", "{tmp}/missing.csv", "--target", "y"],
            "no such file",
        ),
        ("csv-is-a-directory", ["compare", "--csv", "{tmp}", "--target", "y"], "is a directory"),
        ("not-utf-8", [File(b"\xff\xfe\x00\x81\x9f")], "is not UTF-8 text"),
        ("empty-file", [File("")], "at least one data row"),
        ("blank-lines-only", [File("\n\n")], "at least one data row"),
        ("header-only", [File("a,y\n")], "at least one data row"),
        # ---- the csv syntax
        (
            "field-over-131072-characters",
            [File("a,y\n1,p\n" + "x" * 140_000 + ",q\n")],
            "line 3: a field is longer than 131072 characters",
        ),
        (
            "unclosed-quote-past-the-field-limit",
            [File('a,y\n1,p\n2,"q\n' + "x" * 200_000 + "\n")],
            "the quoted field that starts on line 3 runs past 131072 characters",
        ),
        (
            "unclosed-quote",
            [File('a,y\n1,p\n2,"q\n3,p\n4,q\n')],
            "the quote opened on line 3 is never closed",
        ),
        ("text-after-a-closing-quote", [File('a,y\n1,"p"x\n')], "line 2: text after the closing"),
        ("short-row", [File("a,y\n1,p\n2\n")], "line 3: 1 fields"),
        # ---- the header
        ("no-target-column", [File("a,b\n1,2\n2,1\n")], "no column 'y'"),
        (
            # the byte-order mark is not part of a column's name
            "byte-order-mark-before-the-header",
            [File("\ufeff\ufeffx,a\n1,2\n"), "--target", "z"],
            "no column 'z'; its columns are 'x', 'a'",
        ),
        ("duplicate-target-column", [File("a,y,y\n1,p,q\n")], "names 'y' 2 times"),
        (
            "duplicate-feature-column",
            [File("a,a,y\n1,2,p\n2,1,q\n")],
            "the header names 'a' 2 times (columns 1, 2)",
        ),
        ("no-feature-column", [File("y\np\nq\n")], "no feature columns"),
        # ---- the features
        ("text-among-numbers", [File("a,y\n1,p\nq,p\n")], "not numeric: line 3 holds 'q'"),
        (
            "feature-column-with-every-cell-missing",
            [File("a,b,y\n,1,p\nNA,2,q\n")],
            "column 'a' has no values (all 2 cells are missing); leave it out with --drop a",
        ),
        ("infinite-feature", [File("a,y\n1,p\ninf,q\n")], "line 3: column 'a' holds 'inf'"),
        (
            "text-column-with-too-many-values",
            [File("name,y\n" + "".join(f"name {i},{i % 2}\n" for i in range(60)))],
            "column 'name' holds text with more than 50 distinct values (51 by line 52: "
            "'name 50'), too many to one-hot encode; leave it out with --drop name, or make it "
            "numeric",
        ),
        ("drop-without-csv", ["compare", "--drop", "id"], "--drop needs --csv PATH"),
        (
            "drop-an-unknown-column",
            [File("a,y\n1,p\n"), "--target", "y", "--drop", "patient id"],
            "--drop 'patient id': ",
        ),
        (
            "drop-an-unknown-column-names-the-columns",
            [File("a,y\n1,p\n"), "--target", "y", "--drop", "b"],
            "has no column 'b'; its columns are 'a', 'y'",
        ),
        (
            "drop-the-target",
            [File("a,y\n1,p\n"), "--target", "y", "--drop", "y"],
            "--drop y: 'y' is the target column",
        ),
        (
            "drop-every-feature",
            [File("a,b,y\n1,2,p\n"), "--target", "y", "--drop", "a", "--drop", "b"],
            "has no feature columns besides 'y' (the others are left out with --drop)",
        ),
        # ---- the target
        ("empty-target", [File("a,y\n1,p\n2,\n")], "line 3: the target column 'y' has no value;"),
        (
            "nan-target",
            [File("a,y\n1,1\n2,nan\n3,2\n")],
            "line 3: the target column 'y' has no value ('nan')",
        ),
        (
            "na-target",
            [File("a,y\n1,1.5\n2,2.5\n3,NA\n")],
            "line 4: the target column 'y' has no value ('NA')",
        ),
        (
            "infinite-target",
            [File("a,y\n1,1.5\n2,-inf\n")],
            "line 3: the target column 'y' holds '-inf', which is not a finite number",
        ),
        (
            "float-target-400-rows-as-classes",
            [File(lambda: _continuous(400)), "--task", "classification"],
            "the target column 'y' looks continuous (line 2 holds",
        ),
        (
            "float-target-40k-distinct-values-as-classes",
            [File(lambda: _continuous(40_000)), "--task", "classification"],
            "looks continuous (line 2 holds",
        ),
        (
            "float-target-with-two-values-as-classes",
            [
                File("a,y\n" + "".join(f"{i},{i % 2 + 0.5}\n" for i in range(40))),
                "--task",
                "classification",
            ],
            "leave out --task classification to compare regressors",
        ),
        (
            "text-target-as-a-quantity",
            [File("a,y\n1,1.5\n2,p\n"), "--task", "regression"],
            "the target column 'y' holds text (line 3: 'p'); a regression needs numbers",
        ),
        (
            "text-after-1000-numbers-in-the-target",
            [File(lambda: _continuous(1200) + "7,p\n")],
            "the target column 'y' holds numbers, but line 1202 holds 'p'",
        ),
        (
            "more-than-1000-whole-numbers-as-classes",
            [
                File(lambda: "a,y\n" + "".join(f"{i},{i}\n" for i in range(1200))),
                "--task",
                "classification",
            ],
            "more than 1000 distinct values (1001 by line 1002); a classification may have at "
            "most 1000 classes; if it is a quantity, leave out --task classification",
        ),
        (
            "regression-with-four-rows",
            [File("a,y\n1,0.5\n2,1.5\n3,2.5\n4,3.5\n")],
            "4 samples are too few to split into train and test sets for a regression",
        ),
        (
            "regression-on-a-single-value",
            [File("a,y\n" + "".join(f"{i},2.5\n" for i in range(20))), "--task", "regression"],
            "the target has a single value",
        ),
        (
            "integer-target-distinct-in-each-row",
            [
                File("a,y\n" + "".join(f"{i},{1000 + i}\n" for i in range(40))),
                "--task",
                "classification",
            ],
            "the target has 30 classes in 30 training samples: it looks continuous or like an",
        ),
        (
            "integer-target-distinct-in-each-row-hint",
            [
                File("a,y\n" + "".join(f"{i},{1000 + i}\n" for i in range(40))),
                "--task",
                "classification",
            ],
            "if it is a quantity, give --task regression",
        ),
        (
            "more-than-1000-classes",
            [File(lambda: "a,y\n" + "".join(f"{i},c{i // 2}\n" for i in range(2400)))],
            "more than 1000 distinct values (1001 by line 2002)",
        ),
        (
            # 40 classes in 80 rows: half the rows, but more than half of the 60
            # training rows (32 classes), where scikit-learn's classifiers would warn
            "classes-in-over-half-the-training-rows",
            [
                File("a,y\n" + "".join(f"{i},{min(i, 39)}\n" for i in range(80))),
                "--task",
                "classification",
            ],
            "the target has 32 classes in 60 training samples",
        ),
        ("single-class", [File("a,y\n1,p\n2,p\n")], "single class"),
        (
            "one-sample-per-class",
            [File("a,y\n1,p\n2,q\n")],
            "2 samples are too few to split into train and test sets",
        ),
        (
            "three-rows",
            [File("a,y\n1,p\n2,q\n3,p\n")],
            "3 samples are too few to split into train and test sets: the test set (a quarter) "
            "would hold 1; give at least 5 samples, for a test set of 2",
        ),
        (
            "three-classes-in-eight-rows",
            [File("a,y\n1,p\n2,q\n3,p\n4,q\n5,r\n6,r\n7,p\n8,q\n")],
            "8 samples are too few to split into train and test sets: the test set (a quarter) "
            "would hold 2; give at least 9 samples, two of each class, for a test set of 3 (one "
            "of each class)",
        ),
    ]
]


def _resolve(argv, tmp_path):
    """The arguments with each File written, as --csv PATH --target y unless given."""
    resolved = []
    for i, arg in enumerate(argv):
        if isinstance(arg, File):
            content = arg.content() if callable(arg.content) else arg.content
            path = tmp_path / f"input{i}.csv"
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
            resolved += ["compare", "--csv", str(path)]
            if "--target" not in argv:
                resolved += ["--target", "y"]
        else:
            resolved.append(arg.replace("{tmp}", str(tmp_path)))
    return resolved


@pytest.mark.parametrize("argv, message", BAD_INPUT)
def test_bad_input_exits_2_with_one_line_and_no_traceback(argv, message, tmp_path, capsys):
    (tmp_path / "x.csv").write_text("a,y\n1,2\n")
    assert main(_resolve(argv, tmp_path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("sknumpynet: error: ")
    assert message in lines[0]
    assert "Traceback" not in captured.err


def test_header_names_lose_byte_order_marks(tmp_path):
    path = tmp_path / "marks.csv"
    path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf y ,a\np,1\nq,2\n")  # two marks, as after a re-save
    data = read_csv(str(path), "y")
    assert data.y.tolist() == ["p", "q"] and data.feature_names == ["a"]


def test_a_class_only_in_the_test_set_is_refused_before_fitting():
    # Classes 2 and 3 have one sample each, so the split is not stratified and
    # can put a class in the test set only, where no model can be measured on it.
    X = np.arange(12.0)[:, None]
    y = np.array([0, 1] * 5 + [2, 3])
    refused = 0
    for seed in range(10):
        try:
            _, _, y_train, y_test = split(X, y, seed=seed, name="d")
        except CommandError as exc:
            assert "would be in the test set only" in str(exc)
            refused += 1
        else:
            assert set(y_test) <= set(y_train)
    assert 0 < refused < 10


def test_reading_a_csv_file_takes_memory_in_proportion_to_its_numbers(tmp_path):
    # The file is read into one array per column, never kept as rows of strings
    # (which took 13 to 18 times the size of the file).
    path = tmp_path / "numbers.csv"
    X = write_numbers_csv(path, 4000)
    tracemalloc.start()
    try:
        data = read_csv(str(path), "y")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert data.kinds == ["numeric"] * 8 + ["text"]
    np.testing.assert_allclose(np.column_stack([c.values for c in data.columns[:8]]), X, atol=5e-7)
    size = path.stat().st_size
    assert peak < 3 * size, f"peak {peak / size:.1f} times the size of the file"


def test_a_closed_stdout_ends_quietly(monkeypatch, capsys):
    # `sknumpynet compare | head -1`: the reader of stdout goes away
    class Closed:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    argv = ["compare", "--dataset", "spiral", "--max-iter", "1", "--hidden", "2", "--quiet"]
    assert main(argv) == 1
    assert capsys.readouterr().err == ""


def test_an_unexpected_error_is_one_line(monkeypatch, capsys):
    def broken(args, progress=None):
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(cli, "run", broken)
    assert main(["compare", "--dataset", "spiral", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err == "sknumpynet: error: unexpected RuntimeError: a bug over two lines\n"


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["compare", "--help"])
    assert exit_.value.code == 0
    help_text = capsys.readouterr().out
    for option in ("--dataset", "--csv", "--target", "--hidden", "--solver", "--max-iter"):
        assert option in help_text


SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "data" / "penguins_like.csv"


def test_the_sample_csv_in_the_repository(capsys):
    # the documentation's --csv line: numeric columns, a text column, missing
    # cells of both, and text labels
    argv = ["compare", "--csv", str(SAMPLE), "--target", "species", "--quiet"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in lines if line.startswith("penguins_like.csv ")]
    assert [row[1] for row in rows] == MODELS
    assert all(float(row[2]) > 0.9 for row in rows)  # accuracy: the species are separable
    notes = [line for line in lines if line.startswith("penguins_like.csv: ")]
    assert notes == [
        "penguins_like.csv: classification: the target column 'species' holds 3 classes (text)",
        "penguins_like.csv: one-hot encoded the text column 'island' (3 values)",
        "penguins_like.csv: column 'bill_depth_mm': 2 cells are missing (the first on line "
        "12), imputed with the column's median in the training set",
        "penguins_like.csv: column 'flipper_length_mm': 1 cell is missing (the first on line "
        "141), imputed with the column's median in the training set",
        "penguins_like.csv: column 'body_mass_g': 1 cell is missing (the first on line 217), "
        "imputed with the column's median in the training set",
        "penguins_like.csv: column 'island': 1 cell is missing (the first on line 260), "
        "encoded as the category 'missing'",
    ]
    data = read_csv(str(SAMPLE), "species")
    assert data.kinds == ["numeric"] * 4 + ["text"]
    assert [c.n_missing for c in data.columns] == [0, 2, 1, 1, 1]
    assert data.columns[-1].categories == ["Biscoe", "Dream", "Torgersen"]
    assert sorted(set(data.y)) == ["Adelie", "Chinstrap", "Gentoo"]


def test_version(capsys):
    import importlib.metadata

    import sknumpynet

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"sknumpynet {sknumpynet.__version__}\n"
    # the version the package was installed as (pyproject.toml's)
    assert sknumpynet.__version__ == importlib.metadata.version("sknumpynet")


@pytest.mark.slow
def test_version_from_python_dash_m_and_the_script():
    import shutil

    import sknumpynet

    expected = f"sknumpynet {sknumpynet.__version__}\n"
    result = subprocess.run(
        [sys.executable, "-m", "sknumpynet", "--version"], capture_output=True, text=True
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, expected, "")
    script = shutil.which("sknumpynet", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("the sknumpynet script is not installed beside this Python")
    result = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, expected, "")


@pytest.mark.slow
def test_python_dash_m_reports_errors_in_one_line_and_ends_quietly_on_a_closed_pipe():
    command = [sys.executable, "-m", "sknumpynet", "compare"]
    result = subprocess.run(
        [*command, "--max-iter", "-3"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("sknumpynet: error: argument --max-iter:")
    assert result.stdout == ""

    # `sknumpynet compare | head -1`: the reader closes the pipe before the table
    # comes; no BrokenPipeError, neither from the command nor from the flush at exit
    argv = ["--dataset", "spiral", "--max-iter", "2", "--hidden", "4", "--quiet"]
    process = subprocess.Popen(
        [*command, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    process.stdout.close()
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait() == 1
    assert err == ""


class _StopsEarlyOnCtrlC(LogisticRegression):
    """A classifier that gets Ctrl-C during its fit and, as scikit-learn's MLPs
    do, stops early, keeps what it has and warns."""

    def fit(self, X, y):
        import signal
        import warnings

        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", UserWarning, stacklevel=2)
        return super().fit(X, y)


def test_ctrl_c_during_a_fit_ends_the_run_with_status_130(monkeypatch, capsys, tmp_path):
    def models(*args, **kwargs):
        from sknumpynet._compare.models import Model

        return [Model("linear", "StopsEarly", _StopsEarlyOnCtrlC(), False)]

    monkeypatch.setattr(cli, "make_models", models)
    out = tmp_path / "out"
    assert main(["compare", "--dataset", "spiral", "--out", str(out)]) == 130
    captured = capsys.readouterr()
    assert captured.out == ""  # no table of a half-trained model
    assert captured.err.splitlines()[-1] == "sknumpynet: error: interrupted"
    assert "fitting StopsEarly (1/1)" in captured.err and "accuracy" not in captured.err
    assert not (out / "results.json").exists()
    import signal

    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


@pytest.mark.slow  # a process that fits until it gets SIGINT: about 3 s
def test_sigint_to_the_command_ends_it_with_status_130():
    import signal
    import time

    argv = ["compare", "--dataset", "spiral", "--dataset", "digits", "--max-iter", "100000"]
    process = subprocess.Popen(
        [sys.executable, "-m", "sknumpynet", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    err = []
    for line in process.stderr:  # progress: the MLP's fit has begun
        err.append(line)
        if "fitting MLPClassifierNP" in line:
            break
    # past its first epochs (an MLP interrupted before its first epoch ends raises
    # KeyboardInterrupt itself), and seconds before the run's end
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    out, rest = process.communicate(timeout=60)
    err += rest.splitlines(keepends=True)
    assert process.returncode == 130, "".join(err)
    assert out == ""
    assert err[-1] == "sknumpynet: error: interrupted\n"
    assert not any("Warning" in line or "Traceback" in line for line in err)


def test_a_network_larger_than_memory_is_refused_before_fitting(monkeypatch, capsys):
    monkeypatch.setattr(options, "_physical_memory", lambda: 8 * 2**30)
    fitted = []
    monkeypatch.setattr(cli, "measure", lambda *args, **kwargs: fitted.append(args))
    argv = ["compare", "--dataset", "spiral", "--hidden", "30000,20000", "--dtype", "float32"]
    assert main(argv) == 2
    assert fitted == []
    (line,) = capsys.readouterr().err.splitlines()[-1:]
    assert line == (
        "sknumpynet: error: --hidden 30000,20000: the MLPs on spiral would have 600,170,003 "
        "weights (2 x 30000, 30000 x 20000, 20000 x 3), 2.2 GiB in float32; a fit holds four "
        "arrays of that size, more than the 8.0 GiB of memory"
    )


def test_a_batch_larger_than_the_training_set_is_cut_to_it_with_a_note(capsys):
    import warnings

    argv = ["compare", "--dataset", "spiral", "--max-iter", "2", "--hidden", "4", "--quiet"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scikit-learn's MLP warns of a batch it clips
        assert main([*argv, "--batch-size", "1000"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert (
        "spiral: --batch-size 1000 is more than the 450 training samples: each epoch is one "
        "batch of all of them" in captured.out
    )


@pytest.mark.parametrize("argv", [[], None])
def test_no_arguments_print_the_usage_and_the_commands(argv, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["sknumpynet"])
    assert main(argv) == 2  # argparse's status for a missing argument
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0] == "usage: sknumpynet [-h] [--version] COMMAND ..."
    (command,) = [line.split() for line in lines if line.strip().startswith("compare")]
    assert command[:4] == ["compare", "fit", "ours", "beside"]
    assert (
        lines[-1] == "sknumpynet: error: give a command, e.g. sknumpynet compare --dataset spiral"
    )


def test_decision_regions_cover_a_test_point_beyond_the_training_range(spiral_run):
    from dataclasses import replace

    data, models = spiral_run
    far = np.array([[1.5, 1.5]]) * np.abs(data.X_train).max(axis=0)
    data = replace(data, X_test=np.r_[data.X_test, far], y_test=np.r_[data.y_test, 0])
    figure = decision_boundary_figure(data, models)
    for ax in figure.axes:
        # the filled regions, under the points (one collection per level before matplotlib 3.8)
        limits = [c.get_datalim(ax.transData) for c in ax.collections[:-1]]
        assert max(b.x1 for b in limits) > far[0, 0] and max(b.y1 for b in limits) > far[0, 1]
