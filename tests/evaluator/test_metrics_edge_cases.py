"""Hand-computed edge cases of the metrics and of the empty-mask policies."""

import numpy as np
import pytest
from scipy import ndimage

from evaluator.metrics import (
    ClassMetrics,
    apply_empty_policy,
    combine_annotations,
    compute_class_metrics,
    compute_surface_distances,
    normalized_surface_dice,
)
from evaluator.task import EvaluationClass

ALL_METRICS = ("dice", "nsd", "hd95", "assd")
ORGAN = {"organ": EvaluationClass((1,), 1.0)}


def cube(shape=(12, 12, 12), start=3, stop=6, shift=0):
    labels = np.zeros(shape, np.uint8)
    labels[start + shift : stop + shift, start:stop, start:stop] = 1
    return labels


# Columns: reference, prediction, spacing in array order, expected raw values, status.
EDGE_CASES = [
    pytest.param(
        np.zeros((6, 6, 6), np.uint8),
        np.zeros((6, 6, 6), np.uint8),
        (1.0, 1.0, 1.0),
        {"dice": None, "nsd": None, "hd95": None, "assd": None},
        "both_empty",
        id="both-empty",
    ),
    pytest.param(
        np.zeros((12, 12, 12), np.uint8),
        cube(),
        (1.0, 1.0, 1.0),
        {"dice": 0.0, "nsd": 0.0, "hd95": None, "assd": None},
        "reference_empty",
        id="reference-empty",
    ),
    pytest.param(
        cube(),
        np.zeros((12, 12, 12), np.uint8),
        (1.0, 1.0, 1.0),
        {"dice": 0.0, "nsd": 0.0, "hd95": None, "assd": None},
        "prediction_empty",
        id="prediction-empty",
    ),
    pytest.param(
        cube(),
        cube(),
        (2.5, 0.8, 0.8),
        {"dice": 1.0, "nsd": 1.0, "hd95": 0.0, "assd": 0.0},
        "ok",
        id="identical",
    ),
    # 18 of 27 voxels overlap: Dice 36/54. The largest surfel distance is one slice, 2.5 mm.
    pytest.param(
        cube(),
        cube(shift=1),
        (2.5, 0.8, 0.8),
        {"dice": 2 / 3, "hd95": 2.5},
        "ok",
        id="one-voxel-shift-anisotropic",
    ),
]


@pytest.mark.parametrize(("reference", "prediction", "spacing_mm", "expected", "status"), EDGE_CASES)
def test_edge_case_values(reference, prediction, spacing_mm, expected, status):
    result = compute_class_metrics(reference, prediction, spacing_mm, ORGAN, ALL_METRICS)["organ"]

    assert result.status == status
    for metric, value in expected.items():
        assert result.values[metric] == pytest.approx(value), metric


def voxel_nsd_by_hand(reference, prediction, spacing_mm, tolerance_mm):
    """Compute the voxel NSD on the whole image, independently of the evaluator's crop."""
    structure = ndimage.generate_binary_structure(reference.ndim, 1)
    reference_boundary = reference & ~ndimage.binary_erosion(reference, structure, border_value=0)
    prediction_boundary = prediction & ~ndimage.binary_erosion(prediction, structure, border_value=0)
    to_prediction = ndimage.distance_transform_edt(~prediction_boundary, sampling=spacing_mm)[reference_boundary]
    to_reference = ndimage.distance_transform_edt(~reference_boundary, sampling=spacing_mm)[prediction_boundary]
    close = np.count_nonzero(to_prediction <= tolerance_mm) + np.count_nonzero(to_reference <= tolerance_mm)
    return close / (to_prediction.size + to_reference.size)


def test_worked_example_surfel_nsd():
    distances = compute_surface_distances(cube() == 1, cube(shift=1) == 1, (2.5, 0.8, 0.8), "surfel")

    assert round(normalized_surface_dice(distances, 1.0), 3) == 0.818


def test_worked_example_voxel_nsd():
    # Each cube has 26 boundary voxels (all but its centre). Of the reference's,
    # the 8 ring voxels of the middle slice lie on the prediction's first slice
    # (0 mm). The 9 of the last slice are at most 0.8 mm in-plane from the
    # prediction's boundary, and the 9 of the first slice are 2.5 mm away.
    # By symmetry the prediction has 17 close voxels too: 34 / 52.
    distances = compute_surface_distances(cube() == 1, cube(shift=1) == 1, (2.5, 0.8, 0.8), "voxel")

    assert normalized_surface_dice(distances, 1.0) == pytest.approx(34 / 52)
    assert round(34 / 52, 3) == 0.654


VOXEL_CASES = [
    pytest.param(cube() == 1, cube(shift=1) == 1, (2.5, 0.8, 0.8), id="shifted-cube"),
    pytest.param(cube(start=0, stop=4) == 1, cube(start=0, stop=5) == 1, (1.0, 2.0, 0.5), id="touching-border"),
    pytest.param(np.ones((5, 6), bool), np.pad(np.ones((3, 4), bool), 1), (0.8, 1.2), id="2d-whole-image"),
]


@pytest.mark.parametrize(("reference", "prediction", "spacing_mm"), VOXEL_CASES)
def test_voxel_nsd_equals_whole_image_computation(reference, prediction, spacing_mm):
    distances = compute_surface_distances(reference, prediction, spacing_mm, "voxel")

    assert normalized_surface_dice(distances, 1.0) == pytest.approx(
        voxel_nsd_by_hand(reference, prediction, spacing_mm, 1.0), abs=1e-12
    )


def test_voxel_hd95_is_linear_percentile():
    # One slice of 2.5 mm between every pair of boundary voxels.
    distances = compute_surface_distances(cube() == 1, cube(shift=1) == 1, (2.5, 0.8, 0.8), "voxel")
    directed = np.percentile(distances.reference_to_prediction_mm, 95)

    result = compute_class_metrics(cube(), cube(shift=1), (2.5, 0.8, 0.8), ORGAN, ("hd95",), "voxel")

    assert result["organ"].values["hd95"] == pytest.approx(directed)


def test_tolerance_is_inclusive():
    reference = np.zeros((3, 8), bool)
    reference[1, 2:6] = True
    prediction = np.roll(reference, 1, axis=0)
    distances = compute_surface_distances(reference, prediction, (1.0, 1.0))

    assert normalized_surface_dice(distances, 1.0) == 1.0
    assert normalized_surface_dice(distances, 0.999) < 1.0


# Columns: status, raw values, policy, expected reported values.
POLICY_CASES = [
    pytest.param("both_empty", {"dice": None, "nsd": None, "hd95": None, "assd": None}, "kits21", {"dice": 1.0, "nsd": 1.0, "hd95": 0.0, "assd": 0.0}, id="kits21-both-empty"),
    pytest.param("reference_empty", {"dice": 0.0, "nsd": 0.0, "hd95": None, "assd": None}, "kits21", {"dice": 0.0, "nsd": 0.0, "hd95": 250.0, "assd": 250.0}, id="kits21-reference-empty"),
    pytest.param("prediction_empty", {"dice": 0.0, "nsd": 0.0, "hd95": None, "assd": None}, "kits21", {"dice": 0.0, "nsd": 0.0, "hd95": 250.0, "assd": 250.0}, id="kits21-prediction-empty"),
    pytest.param("ok", {"dice": 0.5, "nsd": 0.7, "hd95": 3.0, "assd": 1.0}, "kits21", {"dice": 0.5, "nsd": 0.7, "hd95": 3.0, "assd": 1.0}, id="kits21-ok"),
    pytest.param("both_empty", {"dice": None, "nsd": None, "hd95": None, "assd": None}, "raw", {"dice": None, "nsd": None, "hd95": None, "assd": None}, id="raw-both-empty"),
    pytest.param("prediction_empty", {"dice": 0.0, "nsd": 0.0, "hd95": None, "assd": None}, "raw", {"dice": 0.0, "nsd": 0.0, "hd95": None, "assd": None}, id="raw-prediction-empty"),
]


@pytest.mark.parametrize(("status", "raw", "policy", "expected"), POLICY_CASES)
def test_empty_policy(status, raw, policy, expected):
    assert apply_empty_policy(ClassMetrics(raw, status), policy, {"hd95": 250.0, "assd": 250.0}) == expected


def test_annotations_are_averaged():
    status, values = combine_annotations(
        ["ok", "reference_empty"],
        [{"dice": 0.8, "hd95": 2.0}, {"dice": 0.0, "hd95": None}],
    )

    assert status == "ok"
    assert values == {"dice": 0.4, "hd95": 2.0}


def test_annotations_all_empty_keep_status():
    status, _ = combine_annotations(["reference_empty", "both_empty"], [{"dice": 0.0}, {"dice": None}])

    assert status == "reference_empty"
