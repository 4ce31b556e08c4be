"""The data build scripts reproduce the committed demo files exactly."""

import json
from pathlib import Path

import pytest

from fixtures import build_kits, build_myops, build_touchstone
from fixtures.labelmaps import compare_folders
from tests import services

FIXTURES_DIR = Path(build_kits.__file__).resolve().parent


def task_files(folder):
    return {path.relative_to(folder): json.loads(path.read_text()) for path in folder.rglob("task.json")}


@pytest.mark.parametrize(
    "builder, committed",
    [
        pytest.param(build_touchstone, FIXTURES_DIR / "touchstone", id="touchstone"),
        pytest.param(build_myops, FIXTURES_DIR / "myops", id="myops"),
    ],
)
def test_synthetic_build_matches_committed_files(builder, committed, tmp_path):
    written = builder.build(tmp_path)

    assert written, "the build wrote nothing into an empty folder"
    assert compare_folders(committed, tmp_path) == []
    assert task_files(tmp_path) == task_files(committed)


@pytest.mark.parametrize(
    "builder",
    [pytest.param(build_touchstone, id="touchstone"), pytest.param(build_myops, id="myops")],
)
def test_second_build_writes_nothing(builder, tmp_path):
    builder.build(tmp_path)

    assert builder.build(tmp_path) == []


@pytest.mark.shared
@pytest.mark.slow
def test_kits_build_matches_committed_files(tmp_path):
    source = services.require_shared_data("kits23")

    build_kits.build(source, tmp_path)

    assert compare_folders(FIXTURES_DIR / "kits", tmp_path) == []


def test_kits_eroded_participant_leaves_one_case_out():
    reference_cases = {path.name for path in (FIXTURES_DIR / "kits" / "reference").glob("*.nii.gz")}
    eroded_cases = {path.name for path in (FIXTURES_DIR / "kits" / build_kits.ERODED_PARTICIPANT).glob("*.nii.gz")}

    assert reference_cases - eroded_cases == {f"{build_kits.ERODED_LEFT_OUT_CASE}.nii.gz"}
