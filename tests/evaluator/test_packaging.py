"""`pip install .` in a clean virtual environment gives the evaluator without Django or Celery."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
PLATFORM_ONLY_DISTRIBUTIONS = {"django", "celery", "kombu", "djangorestframework", "psycopg", "redis"}

pytestmark = pytest.mark.slow


def run(command, **kwargs):
    """Run a command and return its standard output, failing the test with its output on error."""
    completed = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert completed.returncode == 0, f"{command} failed:\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout


@pytest.fixture(scope="module")
def clean_install(tmp_path_factory):
    """Install the repository into a new virtual environment and return that environment's folder."""
    environment = tmp_path_factory.mktemp("evaluator-venv")
    run([sys.executable, "-m", "venv", "--clear", str(environment)])
    python = environment / "bin" / "python"

    run([str(python), "-m", "pip", "install", "--quiet", str(REPOSITORY_ROOT)], env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    return environment


def test_install_has_no_platform_packages(clean_install):
    listing = run([str(clean_install / "bin" / "python"), "-m", "pip", "list", "--format", "json"])
    installed = {package["name"].lower() for package in json.loads(listing)}

    assert "podium-evaluator" in installed
    assert installed & PLATFORM_ONLY_DISTRIBUTIONS == set()


def test_installed_command_evaluates(clean_install, tmp_path):
    import numpy as np
    import SimpleITK as sitk

    references = tmp_path / "references"
    predictions = tmp_path / "predictions"
    references.mkdir()
    predictions.mkdir()
    reference = np.zeros((8, 8, 8), dtype=np.uint8)
    reference[2:6, 2:6, 2:6] = 1
    prediction = np.roll(reference, 1, axis=2)
    sitk.WriteImage(sitk.GetImageFromArray(reference), str(references / "case_1.nii.gz"))
    sitk.WriteImage(sitk.GetImageFromArray(prediction), str(predictions / "case_1.nii.gz"))
    task = tmp_path / "task.json"
    task.write_text(json.dumps({"name": "cube", "labels": {"1": "cube"}, "metrics": ["dice"]}))
    output = tmp_path / "results.json"

    run(
        [
            str(clean_install / "bin" / "evaluator"),
            "evaluate",
            "--task", str(task),
            "--reference", str(references),
            "--prediction", str(predictions),
            "--output", str(output),
            "--no-progress",
        ],
        cwd=tmp_path,
    )

    results = json.loads(output.read_text())
    # Dice of a 4x4x4 cube and its copy shifted by one voxel: 2 * 48 / (64 + 64).
    assert results["cases"][0]["metrics"]["cube"]["dice"] == pytest.approx(0.75)


def test_evaluator_imports_no_django(clean_install):
    script = "import sys, evaluator.evaluate, evaluator.ranking, evaluator.cli; print(sorted(m for m in ('django', 'celery') if m in sys.modules))"
    output = run([str(clean_install / "bin" / "python"), "-c", script], cwd="/")
    assert output.strip() == "[]"
