"""Every script in examples/ runs in full, as the gallery shows it, and saves
its figures: no text cut off at the figure's edges, no legend outside it, no
two legend entries drawn alike, and the numbers in the titles those of
trained models."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each script runs in its own process

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# Runs a script as `python SCRIPT` would, describing each figure it saves.
FIGURE_CHECKS = Path(__file__).resolve().parent / "figure_checks.py"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
FIGURES = {
    "plot_spiral.py": ["spiral_decision_boundaries.png", "spiral_loss_curves.png"],
    "plot_digits_sgd.py": [
        "digits_learning_curves.png",
        "digits_probabilities.png",
        "digits_worst_predictions.png",
    ],
    "plot_compare_sklearn.py": ["compare_loss_curves.png"],
    "plot_regressor.py": ["regressor_predictions.png"],
    "plot_activations.py": ["activations.png"],
    "plot_dropout.py": ["dropout_loss_curves.png", "dropout_decision_regions.png"],
    "plot_grid_search.py": ["grid_search_heatmap.png", "grid_search_best_weights.png"],
    "plot_callbacks.py": ["callbacks_learning_curves.png"],
    "gradient_check.py": ["gradient_check_step_size.png"],
    "plot_onnx_export.py": ["onnx_agreement.png"],
    "plot_tabular.py": ["tabular_scores.png", "tabular_loss_curves.png"],
}


def _percent(pattern, text):
    """The number (in %) that ``pattern``'s group matches in ``text``."""
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in {text!r}"
    return float(match.group(1))


def _titles(figure):
    return [ax["title"] for ax in figure["texts"]["axes"]]


TAB10 = ["#1f77b4", "#ff7f0e", "#2ca02c"]


def _class_colors_are_tab10(figure, n_classes):
    """Class k is drawn in matplotlib's tab10 colour k."""
    colors = figure["legend_colors"]
    for k in range(n_classes):
        (color,) = {c for label, c in colors.items() if label.startswith(f"class {k}")}
        assert color == TAB10[k], (k, color)


# What each script's figures and output must say, with the trained models.
def _spiral(figures, stdout):
    softmax, net = _titles(figures["spiral_decision_boundaries.png"])
    assert _percent(r"training accuracy (\d+)%", softmax) < 60  # a linear model cannot
    assert _percent(r"training accuracy (\d+)%", net) >= 95
    _class_colors_are_tab10(figures["spiral_decision_boundaries.png"], 3)
    (curves,) = figures["spiral_loss_curves.png"]["texts"]["axes"]
    assert len(curves["legend"]) == 2


def _digits(figures, stdout):
    curves = figures["digits_learning_curves.png"]["texts"]["axes"][0]
    assert "30 epochs" in curves["title"]
    assert _percent(r"validation accuracy ([\d.]+)%", curves["title"]) >= 95
    assert float(re.search(r"after 30 epochs: ([\d.]+)", stdout).group(1)) >= 0.95


def _compare(figures, stdout):
    axes = figures["compare_loss_curves.png"]["texts"]["axes"]
    title = axes[0]["title"]
    ours = _percent(r"ours ([\d.]+)%", title)
    assert ours >= 94 and ours == _percent(r"scikit-learn's ([\d.]+)%", title)
    # the validation loss, on the loss axis, is the data term alone
    assert " ".join(axes[0]["ylabel"].split()) == "loss (cross-entropy; training: + penalty)"
    assert axes[1]["ylabel"] == "validation accuracy"
    (legend,) = [ax["legend"] for ax in axes if ax["legend"]]
    assert len(legend) == 5  # ours: 2 losses and a score; scikit-learn's: a loss and a score


def _regressor(figures, stdout):
    friedman, squared, poisson = _titles(figures["regressor_predictions.png"])
    assert float(re.search(r"test R² ([\d.]+)", friedman).group(1)) >= 0.9
    deviance = [float(re.search(r"deviance ([\d.]+)", t).group(1)) for t in (squared, poisson)]
    assert deviance[1] < deviance[0]  # the Poisson loss fits counts better
    assert "0 negative predictions" in poisson and "0 negative" not in squared


def _activations(figures, stdout):
    from sknumpynet._activations import ACTIVATIONS

    texts = figures["activations.png"]["texts"]
    # one panel per hidden activation of the package's table, each titled by its name
    names = sorted(name for name in ACTIVATIONS if name != "identity")
    assert sorted(ax["title"] for ax in texts["axes"]) == names
    assert float(re.search(r"from 0: ([\de.+-]+)\)", texts["suptitle"]).group(1)) < 1e-3


def _dropout(figures, stdout):
    (curves,) = figures["dropout_loss_curves.png"]["texts"]["axes"]
    without = float(re.search(r"no dropout ([\d.]+)", curves["title"]).group(1))
    with_dropout = float(re.search(r"dropout=0.5 ([\d.]+)", curves["title"]).group(1))
    assert with_dropout < 0.7 * without  # dropout slows the over-fitting down
    titles = _titles(figures["dropout_decision_regions.png"])
    train = [_percent(r"training accuracy ([\d.]+)%", title) for title in titles]
    test_loss = [float(re.search(r"test log-loss ([\d.]+)", title).group(1)) for title in titles]
    # without dropout: closer to its training rows, and confidently wrong on test rows
    assert train[0] > train[1] and test_loss[1] < 0.8 * test_loss[0]
    _class_colors_are_tab10(figures["dropout_decision_regions.png"], 2)


def _grid_search(figures, stdout):
    (weights,) = [t for t in _titles(figures["grid_search_best_weights.png"]) if t]
    assert _percent(r"test accuracy ([\d.]+)%", weights) >= 95
    heatmap = figures["grid_search_heatmap.png"]["texts"]["axes"]
    assert heatmap[1]["ylabel"] == "mean cross-validated accuracy"  # the colour bar


def _callbacks(figures, stdout):
    (axes, _) = figures["callbacks_learning_curves.png"]["texts"]["axes"]
    assert _percent(r"training accuracy ([\d.]+)%", axes["title"]) >= 97
    assert _percent(r"test accuracy ([\d.]+)%", axes["title"]) >= 95


def _gradient_check(figures, stdout):
    assert "PASSED" in stdout


def _onnx(figures, stdout):
    left, right = _titles(figures["onnx_agreement.png"])
    assert left == "Labels equal on 450 of 450 test digits"
    assert float(re.search(r"difference ([\de.+-]+):", right).group(1)) < 1e-5


def _tabular(figures, stdout):
    title = figures["tabular_scores.png"]["texts"]["suptitle"]
    ours, pipeline, boosting = (
        float(re.search(pattern + r" ([\d.]+)", title).group(1))
        for pattern in ("TabularMLPClassifier", "MLPClassifierNP", "gradient boosting")
    )
    assert ours >= 0.8 and ours > pipeline and ours >= boosting - 0.02
    (curves, _) = figures["tabular_loss_curves.png"]["texts"]["axes"]
    match = re.search(r"(\d+) epochs; the model kept is that of epoch (\d+)", curves["title"])
    assert 1 <= int(match.group(2)) <= int(match.group(1))


CHECKS = {
    "plot_spiral.py": _spiral,
    "plot_digits_sgd.py": _digits,
    "plot_compare_sklearn.py": _compare,
    "plot_regressor.py": _regressor,
    "plot_activations.py": _activations,
    "plot_dropout.py": _dropout,
    "plot_grid_search.py": _grid_search,
    "plot_callbacks.py": _callbacks,
    "gradient_check.py": _gradient_check,
    "plot_onnx_export.py": _onnx,
    "plot_tabular.py": _tabular,
}


def test_every_example_is_listed_and_in_the_gallery_order():
    assert sorted(FIGURES) == sorted(CHECKS) == sorted(script.name for script in SCRIPTS)
    sys.path.insert(0, str(EXAMPLES.parent / "docs"))
    try:
        from gallery_order import EXAMPLES as ORDER
    finally:
        sys.path.remove(str(EXAMPLES.parent / "docs"))
    assert sorted(ORDER) == sorted(FIGURES)


def _callbacks_available():
    try:
        import sklearn.callback  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_example_runs_in_full_and_its_figures_show_trained_models(script, tmp_path):
    # one thread per process: the scripts are small, and the machine shared
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    env.pop("SKNUMPYNET_EXAMPLE_OUT", None)
    out = tmp_path / "figures"
    report = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(FIGURE_CHECKS), str(script), str(report), str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if script.name == "plot_callbacks.py" and not _callbacks_available():
        assert result.returncode != 0
        assert "needs scikit-learn's callback API" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    saved = sorted(p.name for p in out.glob("*.png"))
    assert saved == sorted(FIGURES[script.name])
    assert all((out / name).stat().st_size > 5000 for name in saved)
    assert not (tmp_path / "out").exists()  # the argument wins over the default
    figures = json.loads(report.read_text())
    assert sorted(figures) == saved  # every saved figure was checked
    for name, found in figures.items():
        assert found["clipped"] == [], f"{name}: text cut off at the figure's edge"
        assert found["legends_outside"] == [], name
        assert found["alike_entries"] == [], name
    CHECKS[script.name](figures, result.stdout)


def test_output_directory_from_the_environment(tmp_path):
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "SKNUMPYNET_EXAMPLE_OUT": str(tmp_path / "env_out"),
    }
    script = EXAMPLES / "plot_activations.py"
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "env_out" / "activations.png").exists()
