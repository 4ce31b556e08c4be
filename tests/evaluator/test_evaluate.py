"""Tests of case records, folder evaluation, aggregates and the command line."""

import json
import math

import numpy as np
import pytest

from evaluator import __version__
from evaluator.cli import main
from evaluator.evaluate import ReferenceError, aggregate_cases, evaluate_case, evaluate_folders
from evaluator.task import parse_task
from tests.evaluator.images import write_label_map


@pytest.fixture
def folders(tmp_path, cube_labels):
    """Write three reference cases and predictions: exact, shifted, missing, plus problems."""
    reference_dir = tmp_path / "reference"
    prediction_dir = tmp_path / "prediction"
    for case_id in ("case_a", "case_b", "case_c"):
        write_label_map(reference_dir / f"{case_id}.nii.gz", cube_labels)
    write_label_map(prediction_dir / "case_a.nii.gz", cube_labels)
    write_label_map(prediction_dir / "case_b.mha", np.roll(cube_labels, 1, axis=2))
    write_label_map(prediction_dir / "case_z.nii.gz", cube_labels)
    (prediction_dir / "readme.txt").write_text("notes")
    return reference_dir, prediction_dir


def test_missing_case_record(cube_task):
    record = evaluate_case(cube_task, "case_c", [], None)

    assert record["status"] == {"organ": "missing"}
    assert record["flagged"] is True
    assert record["metrics"] == {"organ": {"dice": 0.0, "nsd": 0.0, "hd95": 1000.0, "assd": 1000.0}}
    assert record["raw"] == {"organ": {"dice": None, "nsd": None, "hd95": None, "assd": None}}
    assert record["errors"][0]["code"] == "missing_prediction"


def test_unreadable_prediction_rejected(tmp_path, cube_task, cube_labels):
    reference = write_label_map(tmp_path / "case.nii.gz", cube_labels)
    prediction = tmp_path / "upload" / "case.nii.gz"
    prediction.parent.mkdir()
    prediction.write_bytes(b"not an image")

    record = evaluate_case(cube_task, "case", [reference], prediction)

    assert record["status"] == {"organ": "rejected"}
    assert record["errors"][0]["code"] == "unreadable"
    assert str(tmp_path) not in record["errors"][0]["message"]


def test_unreadable_reference_raises(tmp_path, cube_task, cube_labels):
    prediction = write_label_map(tmp_path / "case.nii.gz", cube_labels)
    reference = tmp_path / "reference.nii.gz"
    reference.write_bytes(b"broken")

    with pytest.raises(ReferenceError, match="case case: reference"):
        evaluate_case(cube_task, "case", [reference], prediction)


def test_several_annotations_are_averaged(tmp_path, cube_task, cube_labels):
    references = [
        write_label_map(tmp_path / "case" / "a.nii.gz", cube_labels),
        write_label_map(tmp_path / "case" / "b.nii.gz", np.roll(cube_labels, 1, axis=0)),
    ]
    prediction = write_label_map(tmp_path / "pred" / "case.nii.gz", cube_labels)

    record = evaluate_case(cube_task, "case", references, prediction)

    # Dice 1 against the first annotation, 18 of 27 voxels shared with the second.
    assert record["metrics"]["organ"]["dice"] == pytest.approx((1.0 + 2 / 3) / 2)


def test_folder_results_shape(folders, cube_task):
    reference_dir, prediction_dir = folders

    results = evaluate_folders(cube_task, reference_dir, prediction_dir, name="algo")

    assert set(results) == {"evaluator_version", "name", "task", "cases", "aggregates", "errors"}
    assert results["evaluator_version"] == __version__
    assert [case["case_id"] for case in results["cases"]] == ["case_a", "case_b", "case_c"]
    assert [case["status"]["organ"] for case in results["cases"]] == ["ok", "ok", "missing"]
    assert sorted(error["code"] for error in results["errors"]) == ["unknown_case", "unsupported_file"]


def test_aggregates_count_missing_cases(folders, cube_task):
    reference_dir, prediction_dir = folders

    results = evaluate_folders(cube_task, reference_dir, prediction_dir)
    dice = results["aggregates"]["organ"]["dice"]
    shifted_dice = results["cases"][1]["metrics"]["organ"]["dice"]

    assert dice["n"] == 3
    assert dice["mean"] == pytest.approx((1.0 + shifted_dice + 0.0) / 3)
    assert dice["median"] == shifted_dice
    assert dice["std"] == pytest.approx(np.std([1.0, shifted_dice, 0.0], ddof=1))


AGGREGATE_FILLS = [
    pytest.param(0.0, 3, 0.5, id="number"),
    pytest.param("worst", 3, pytest.approx(2 / 3), id="worst-of-evaluated"),
    pytest.param("drop", 2, 0.75, id="drop"),
]


@pytest.mark.parametrize(("fill", "count", "mean"), AGGREGATE_FILLS)
def test_aggregate_missing_value_forms(fill, count, mean):
    task = parse_task({"name": "t", "labels": {"1": "organ"}, "metrics": ["dice"], "missing_values": {"dice": fill}})
    cases = [
        {"metrics": {"organ": {"dice": 1.0}}, "status": {"organ": "ok"}},
        {"metrics": {"organ": {"dice": 0.5}}, "status": {"organ": "ok"}},
        {"metrics": {"organ": {"dice": None}}, "status": {"organ": "missing"}},
    ]

    aggregate = aggregate_cases(task, cases)["organ"]["dice"]

    assert aggregate["n"] == count
    assert aggregate["mean"] == mean


def test_task_case_absent_from_references(folders, cube_task):
    reference_dir, prediction_dir = folders
    task = parse_task({**cube_task.to_dict(), "cases": [{"id": "case_a"}, {"id": "case_q"}]})

    with pytest.raises(ReferenceError, match="lacks 1 case"):
        evaluate_folders(task, reference_dir, prediction_dir)


def test_task_cases_carry_subsets(folders, cube_task):
    reference_dir, prediction_dir = folders
    task = parse_task({**cube_task.to_dict(), "cases": [{"id": "case_b", "subset": {"split": "ood"}}]})

    results = evaluate_folders(task, reference_dir, prediction_dir)

    assert [case["subset"] for case in results["cases"]] == [{"split": "ood"}]


def write_task(path, task):
    path.write_text(json.dumps(task.to_dict()))
    return path


def test_cli_writes_outputs(tmp_path, folders, cube_task):
    reference_dir, prediction_dir = folders
    task_path = write_task(tmp_path / "task.json", cube_task)
    output = tmp_path / "results.json"

    exit_code = main(
        [
            "evaluate", "--task", str(task_path), "--reference", str(reference_dir),
            "--prediction", str(prediction_dir), "--output", str(output), "--name", "algo",
            "--csv", str(tmp_path / "cases.csv"), "--grand-challenge", str(tmp_path / "metrics.json"),
            "--jobs", "2", "--no-progress",
        ]
    )
    results = json.loads(output.read_text())
    grand_challenge = json.loads((tmp_path / "metrics.json").read_text())
    csv_lines = (tmp_path / "cases.csv").read_text().splitlines()

    assert exit_code == 0
    assert results["name"] == "algo"
    assert [case["status"]["organ"] for case in results["cases"]] == ["ok", "ok", "missing"]
    assert set(grand_challenge) == {"case", "aggregates"}
    assert grand_challenge["case"]["case_a"]["metrics"]["organ"]["dice"] == 1.0
    assert len(csv_lines) == 4


def test_cli_jobs_equal_serial(tmp_path, folders, cube_task):
    reference_dir, prediction_dir = folders

    serial = evaluate_folders(cube_task, reference_dir, prediction_dir, jobs=1)
    parallel = evaluate_folders(cube_task, reference_dir, prediction_dir, jobs=2)

    assert parallel == serial


def test_cli_raw_policy_writes_null(tmp_path, folders, cube_task):
    reference_dir, prediction_dir = folders
    write_label_map(prediction_dir / "case_c.nii.gz", np.zeros((12, 12, 12), np.uint8))
    task = parse_task({**cube_task.to_dict(), "empty_policy": "raw"})
    output = tmp_path / "results.json"

    exit_code = main(
        [
            "evaluate", "--task", str(write_task(tmp_path / "task.json", task)), "--reference", str(reference_dir),
            "--prediction", str(prediction_dir), "--output", str(output), "--no-progress",
        ]
    )
    case_c = json.loads(output.read_text())["cases"][2]

    assert exit_code == 0
    assert case_c["status"]["organ"] == "prediction_empty"
    assert case_c["metrics"]["organ"] == {"dice": 0.0, "nsd": 0.0, "hd95": None, "assd": None}
    assert "NaN" not in output.read_text()


FATAL = [
    pytest.param("task", "cannot read the task file", id="no-task-file"),
    pytest.param("reference", "cannot read the reference folder", id="no-reference-folder"),
    pytest.param("prediction", "the prediction folder", id="no-prediction-folder"),
]


@pytest.mark.parametrize(("absent", "message"), FATAL)
def test_cli_fatal_problem_exits_nonzero(tmp_path, folders, cube_task, capsys, absent, message):
    reference_dir, prediction_dir = folders
    paths = {
        "task": str(write_task(tmp_path / "task.json", cube_task)),
        "reference": str(reference_dir),
        "prediction": str(prediction_dir),
    }
    paths[absent] = str(tmp_path / "absent")

    exit_code = main(
        [
            "evaluate", "--task", paths["task"], "--reference", paths["reference"],
            "--prediction", paths["prediction"], "--output", str(tmp_path / "out.json"), "--no-progress",
        ]
    )

    assert exit_code == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists()


def test_results_have_no_nan(folders, cube_task):
    reference_dir, prediction_dir = folders

    results = evaluate_folders(cube_task, reference_dir, prediction_dir)

    assert json.loads(json.dumps(results, allow_nan=False)) == results
    assert not any(
        isinstance(value, float) and not math.isfinite(value)
        for case in results["cases"]
        for values in case["metrics"].values()
        for value in values.values()
    )


def test_two_dimensional_case(tmp_path, cube_task):
    # A 3x4 rectangle against the same rectangle one row lower at 2 mm rows: 8 of 12 pixels shared.
    reference = np.zeros((8, 8), np.uint8)
    reference[2:5, 2:6] = 1
    reference_path = write_label_map(tmp_path / "ref" / "slice.mha", reference, spacing=(0.5, 2.0))
    prediction_path = write_label_map(tmp_path / "pred" / "slice.mha", np.roll(reference, 1, axis=0), spacing=(0.5, 2.0))

    record = evaluate_case(cube_task, "slice", [reference_path], prediction_path)

    assert record["raw"]["organ"]["dice"] == pytest.approx(2 * 8 / 24)
    assert record["raw"]["organ"]["hd95"] == 2.0
