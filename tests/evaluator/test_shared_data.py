"""Tests on real public annotations: HNTS-MRG 2024, SAM-Med3D's AMOS case and KiTS23.

They skip with a one-line reason where ../shared/data is absent.
"""

import json
import shutil

import numpy as np
import pytest
import SimpleITK as sitk
import surface_distance

from evaluator.cli import main
from evaluator.evaluate import evaluate_case
from evaluator.io import read_label_array
from evaluator.task import parse_task
from tests.services import require_shared_data

pytestmark = [pytest.mark.shared, pytest.mark.filterwarnings("ignore:Please import:DeprecationWarning")]

HNTS_TASK = {
    "name": "hnts-mrg-style",
    "labels": {"1": "GTVp", "2": "GTVn"},
    "classes": {
        "GTVp": {"labels": [1], "nsd_tolerance_mm": 2.0},
        "GTVn": {"labels": [2], "nsd_tolerance_mm": 2.0},
    },
    "metrics": ["dice", "nsd", "hd95"],
}

# Reference GTVp is empty for patients 8, 86, 94 and 95, and the prediction still
# has GTVp in 86 and 94. Both GTVn masks are empty for 77 and 80.
HNTS_NON_OK_STATUSES = {
    ("case_8", "GTVp"): "both_empty",
    ("case_86", "GTVp"): "reference_empty",
    ("case_94", "GTVp"): "reference_empty",
    ("case_95", "GTVp"): "both_empty",
    ("case_77", "GTVn"): "both_empty",
    ("case_80", "GTVn"): "both_empty",
}


@pytest.fixture(scope="module")
def hnts_results(tmp_path_factory):
    example = require_shared_data("hntsmrg24", "Evaluation_example")
    folder = tmp_path_factory.mktemp("hnts")
    for source_name, target_name in (("groundtruth_masks", "reference"), ("prediction_masks", "prediction")):
        (folder / target_name).mkdir()
        for path in (example / source_name).glob("*.nii.gz"):
            patient = path.name.split("_", 1)[0]
            shutil.copyfile(path, folder / target_name / f"case_{patient}.nii.gz")
    (folder / "task.json").write_text(json.dumps(HNTS_TASK))

    exit_code = main(
        [
            "evaluate", "--task", str(folder / "task.json"), "--reference", str(folder / "reference"),
            "--prediction", str(folder / "prediction"), "--output", str(folder / "results.json"),
            "--jobs", "2", "--no-progress",
        ]
    )
    return exit_code, json.loads((folder / "results.json").read_text())


def test_hnts_runs_without_errors(hnts_results):
    exit_code, results = hnts_results

    assert exit_code == 0
    assert len(results["cases"]) == 15
    assert results["errors"] == []
    assert [case["case_id"] for case in results["cases"] if case["errors"]] == []


def test_hnts_statuses(hnts_results):
    _, results = hnts_results
    statuses = {
        (case["case_id"], class_name): status
        for case in results["cases"]
        for class_name, status in case["status"].items()
        if status != "ok"
    }

    assert statuses == HNTS_NON_OK_STATUSES


def test_hnts_false_positive_scores(hnts_results):
    _, results = hnts_results
    case_86 = next(case for case in results["cases"] if case["case_id"] == "case_86")

    assert case_86["metrics"]["GTVp"] == {"dice": 0.0, "nsd": 0.0, "hd95": 1000.0}
    assert case_86["raw"]["GTVp"] == {"dice": 0.0, "nsd": 0.0, "hd95": None}


def test_hnts_unregistered_grid_rejected(tmp_path):
    patient = require_shared_data("hntsmrg24", "Registration_example", "example_data", "2")
    task = parse_task(HNTS_TASK)

    record = evaluate_case(
        task, "case_2", [patient / "midRT" / "2_midRT_mask.nii.gz"], patient / "preRT" / "2_preRT_mask.nii.gz",
        prediction_name="case_2.nii.gz",
    )

    assert record["status"] == {"GTVp": "rejected", "GTVn": "rejected"}
    assert record["errors"][0]["code"] == "geometry_mismatch"
    assert "size" in record["errors"][0]["message"]


def test_amos_wrong_header_rejected():
    amos = require_shared_data("sammed3d-amos", "test_data")
    task = parse_task({"name": "amos", "labels": {str(value): f"organ_{value}" for value in range(1, 16)}, "metrics": ["dice"]})

    record = evaluate_case(
        task,
        "amos_0013",
        [amos / "amos_val_toy_data" / "labelsVa" / "amos_0013.nii.gz"],
        amos / "kidney_right" / "AMOS" / "pred" / "amos_0013_pred.nii.gz",
        prediction_name="amos_0013.nii.gz",
    )

    assert record["errors"][0]["code"] == "geometry_mismatch"
    assert "spacing (0.781, 0.781, 5.0) mm expected, got (1.5, 1.5, 1.5) mm" in record["errors"][0]["message"]
    assert "origin" in record["errors"][0]["message"]


def test_amos_float_labels_accepted():
    prediction = require_shared_data("sammed3d-amos", "test_data", "kidney_right", "AMOS", "pred", "amos_0013_pred.nii.gz")

    labels = read_label_array(prediction, [1])

    assert labels.dtype == np.uint8
    assert np.count_nonzero(labels) == 43811


KITS_TOLERANCES_MM = {"kidney_and_mass": 1.0330772532390826, "mass": 1.1328796488598762, "tumor": 1.1498198361434828}
KITS_CLASS_LABELS = {"kidney_and_mass": (1, 2, 3), "mass": (2, 3), "tumor": (2,)}


def annotator_label_map(case_folder, annotation):
    """Build one rater slot's label map: kidney, then cyst, then tumour overwrite."""
    reference = sitk.ReadImage(str(case_folder / "segmentation.nii.gz"))
    labels = np.zeros(sitk.GetArrayViewFromImage(reference).shape, np.uint8)
    for structure, value in (("kidney", 1), ("cyst", 3), ("tumor", 2)):
        for path in sorted((case_folder / "instances").glob(f"{structure}_instance-*_annotation-{annotation}.nii.gz")):
            labels[sitk.GetArrayFromImage(sitk.ReadImage(str(path))) > 0] = value
    image = sitk.GetImageFromArray(labels)
    image.CopyInformation(reference)
    return image


@pytest.mark.slow
@pytest.mark.parametrize("annotation", [1, 2])
def test_kits_annotator_equals_oracle(tmp_path, annotation):
    case_folder = require_shared_data("kits23", "dataset", "case_00257")
    prediction_path = tmp_path / "case_00257.nii.gz"
    sitk.WriteImage(annotator_label_map(case_folder, annotation), str(prediction_path))
    task = parse_task(
        {
            "name": "kits-style",
            "labels": {"1": "kidney", "2": "tumor", "3": "cyst"},
            "classes": {name: {"labels": list(KITS_CLASS_LABELS[name]), "nsd_tolerance_mm": KITS_TOLERANCES_MM[name]} for name in KITS_CLASS_LABELS},
            "metrics": ["dice", "nsd", "hd95", "assd"],
        }
    )

    record = evaluate_case(task, "case_00257", [case_folder / "segmentation.nii.gz"], prediction_path)

    reference_image = sitk.ReadImage(str(case_folder / "segmentation.nii.gz"))
    reference = sitk.GetArrayFromImage(reference_image)
    prediction = sitk.GetArrayFromImage(sitk.ReadImage(str(prediction_path)))
    spacing_mm = tuple(reversed(reference_image.GetSpacing()))
    for class_name, class_labels in KITS_CLASS_LABELS.items():
        reference_mask = np.isin(reference, class_labels)
        prediction_mask = np.isin(prediction, class_labels)
        distances = surface_distance.compute_surface_distances(reference_mask, prediction_mask, spacing_mm)
        expected = {
            "dice": surface_distance.compute_dice_coefficient(reference_mask, prediction_mask),
            "nsd": surface_distance.compute_surface_dice_at_tolerance(distances, KITS_TOLERANCES_MM[class_name]),
            "hd95": surface_distance.compute_robust_hausdorff(distances, 95),
            "assd": float(np.mean(surface_distance.compute_average_surface_distance(distances))),
        }
        for metric, value in expected.items():
            assert record["metrics"][class_name][metric] == pytest.approx(value, abs=1e-9), (class_name, metric)
