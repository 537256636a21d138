"""Every script in examples/ runs, quickly, and saves its figures, none of
whose text is cut off at the figure's edges."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each script runs in its own process

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# Runs a script as `python SCRIPT` would, checking each figure it saves.
FIGURE_CHECKS = Path(__file__).resolve().parent / "figure_checks.py"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
FIGURES = {
    "plot_spiral.py": ["spiral_decision_boundaries.png", "spiral_loss_curves.png"],
    "plot_digits_sgd.py": [
        "digits_learning_curves.png",
        "digits_probabilities.png",
        "digits_worst_predictions.png",
    ],
    "plot_grid_search.py": ["grid_search_heatmap.png", "grid_search_best_weights.png"],
    "plot_compare_sklearn.py": ["compare_loss_curves.png"],
    "gradient_check.py": ["gradient_check_step_size.png"],
}


def test_every_example_is_listed():
    assert sorted(FIGURES) == sorted(script.name for script in SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_example_runs_and_saves_its_figures(script, tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg", "SKNUMPYNET_EXAMPLE_QUICK": "1"}
    env.pop("SKNUMPYNET_EXAMPLE_OUT", None)
    out = tmp_path / "figures"
    report = tmp_path / "clipped.json"
    result = subprocess.run(
        [sys.executable, str(FIGURE_CHECKS), str(script), str(report), str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    saved = sorted(p.name for p in out.glob("*.png"))
    assert saved == sorted(FIGURES[script.name])
    assert all((out / name).stat().st_size > 5000 for name in saved)
    assert not (tmp_path / "out").exists()  # the argument wins over the default
    clipped = json.loads(report.read_text())
    assert sorted(clipped) == saved  # every saved figure was checked
    assert clipped == {name: [] for name in saved}, "text cut off at the figure's edge"


def test_output_directory_from_the_environment(tmp_path):
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "SKNUMPYNET_EXAMPLE_QUICK": "1",
        "SKNUMPYNET_EXAMPLE_OUT": str(tmp_path / "env_out"),
    }
    script = EXAMPLES / "gradient_check.py"
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "env_out" / "gradient_check_step_size.png").exists()
    assert "PASSED" in result.stdout
