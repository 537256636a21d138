import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from sknumpynet.__main__ import main

MODELS = [
    "SoftmaxClassifier",
    "LogisticRegression",
    "SGDClassifier",
    "MLPClassifierNP",
    "MLPClassifier",
]


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

    rows = json.loads((out / "results.json").read_text())
    assert [row["model"] for row in rows] == MODELS
    for row in rows:
        assert 0 <= row["accuracy"] <= 1 and row["log_loss"] > 0 and row["fit_s"] >= 0
    with open(out / "results.csv", newline="") as f:
        assert [row["model"] for row in csv.DictReader(f)] == MODELS
    for png in ("loss_curves_spiral.png", "decision_boundaries_spiral.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_parameters_give_the_same_mlp_as_scikit_learn(capsys):
    argv = ["compare", "--dataset", "digits", "--max-iter", "3", "--hidden", "16", "--quiet"]
    argv += ["--solver", "sgd", "--batch-size", "64", "--dtype", "float32", "--seed", "1"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    ours = next(line for line in lines if "MLPClassifierNP" in line).split()
    theirs = next(line for line in lines if " MLPClassifier " in line).split()
    assert ours[2:4] == theirs[2:4]  # same accuracy and log loss to 3 decimals


def test_compare_a_csv_file(tmp_path, capsys):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    path = tmp_path / "data.csv"
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["a", "b", "c", "kind"])
        for row in X:
            writer.writerow([*row, "big" if row.sum() > 0 else "small"])
    assert main(["compare", "--csv", str(path), "--target", "kind", "--max-iter", "5"]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("data.csv") == len(MODELS)


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
        (["compare", "--dtype", "float16"], "invalid choice"),
        (["compare", "--target", "y"], "--target needs --csv"),
        (["compare", "--csv", "{tmp}/missing.csv", "--target", "y"], "no such file"),
        (["compare", "--csv", "{tmp}/x.csv"], "--csv needs --target"),
        (["compare", "--csv", "{bad:a,b\n1,2\n2,1\n}", "--target", "y"], "no column 'y'"),
        (["compare", "--csv", "{bad:a,y\n1,p\nq,p\n}", "--target", "y"], "not numeric"),
        (["compare", "--csv", "{bad:a,y\n1,p\n2\n}", "--target", "y"], "line 3"),
        (["compare", "--csv", "{bad:a,y\n1,p\n2,p\n}", "--target", "y"], "single class"),
        (["compare", "--csv", "{bad:a,y\n}", "--target", "y"], "at least one data row"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(argv, message, tmp_path, capsys):
    resolved = []
    for arg in argv:
        if arg.startswith("{bad:"):
            arg = _bad_csv(tmp_path, arg[5:-1])
        resolved.append(arg.replace("{tmp}", str(tmp_path)))
    if "{tmp}/x.csv" in argv:
        (tmp_path / "x.csv").write_text("a,y\n1,2\n")
    assert main(resolved) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("sknumpynet: error:")
    assert message in err


def test_unreadable_binary_csv_exits_2(tmp_path, capsys):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x9f")
    assert main(["compare", "--csv", str(path), "--target", "y"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sknumpynet: error: cannot read") and "\n" not in err


def test_python_dash_m_runs_and_reports_errors_in_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "sknumpynet", "compare", "--max-iter", "-3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("sknumpynet: error:")
    help_text = subprocess.run(
        [sys.executable, "-m", "sknumpynet", "compare", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for option in ("--dataset", "--csv", "--target", "--hidden", "--solver", "--max-iter"):
        assert option in help_text
