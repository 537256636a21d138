"""The documentation: its API reference lists every public name, and it builds
with Sphinx, warnings as errors (the build, examples included, is slow)."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sknumpynet

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = sorted(p.stem for p in (ROOT / "examples").glob("*.py"))
# What the build needs: the docs extra of pyproject.toml.
DOCS_MODULES = ["sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme"]


def _api_names() -> set:
    text = (DOCS / "api.rst").read_text()
    names, module = set(), None
    for line in text.splitlines():
        found = re.match(r"\.\. currentmodule:: (\S+)", line)
        if found:
            module = found.group(1)
        elif re.match(r"   [A-Za-z_]\w*$", line):
            names.add(f"{module}.{line.strip()}")
    return names


def test_the_api_reference_lists_every_public_name():
    expected = {f"sknumpynet.{name}" for name in sknumpynet.__all__}
    if (ROOT / "sknumpynet" / "onnx.py").exists():
        expected.update({"sknumpynet.onnx.register_converters", "sknumpynet.onnx.to_onnx"})
    assert _api_names() == expected


@pytest.mark.slow
def test_the_documentation_builds_without_warnings(tmp_path):
    missing = [name for name in DOCS_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"needs the docs extra (pip install '.[docs]'): {', '.join(missing)}")
    out = tmp_path / "html"
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    command += ["-d", str(tmp_path / "doctrees"), str(DOCS), str(out)]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr[-5000:]
    for page in ["index", "quick_start", "api", "user_guide/index", "auto_examples/index"]:
        assert (out / f"{page}.html").exists(), page
    for name in sknumpynet.__all__:
        assert (out / "generated" / f"sknumpynet.{name}.html").exists(), name
    for example in EXAMPLES:  # every example ran and left its figures in the gallery
        page = (out / "auto_examples" / f"{example}.html").read_text()
        assert f"sphx_glr_{example}_001.png" in page, example
