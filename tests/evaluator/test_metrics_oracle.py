"""Oracle tests: the surfel metrics equal DeepMind surface-distance 0.1 within 1e-9.

surface-distance fails on empty masks under NumPy 2, so every oracle case has
both masks non-empty.
"""

import numpy as np
import pytest
import surface_distance
from scipy import ndimage

from evaluator.metrics import (
    average_symmetric_surface_distance,
    compute_class_metrics,
    compute_surface_distances,
    normalized_surface_dice,
    robust_hausdorff,
)
from evaluator.task import EvaluationClass

TOLERANCE = 1e-9

# surface-distance 0.1 imports from deprecated SciPy namespaces.
pytestmark = pytest.mark.filterwarnings("ignore:Please import:DeprecationWarning")


def random_blob(rng, shape):
    """Return a smooth random mask covering roughly a third of the image."""
    return ndimage.gaussian_filter(rng.random(shape), 1.5) > 0.51


def oracle_values(reference, prediction, spacing_mm, tolerance_mm):
    distances = surface_distance.compute_surface_distances(reference, prediction, spacing_mm)
    return {
        "dice": surface_distance.compute_dice_coefficient(reference, prediction),
        "nsd": surface_distance.compute_surface_dice_at_tolerance(distances, tolerance_mm),
        "hd95": surface_distance.compute_robust_hausdorff(distances, 95),
        "assd": float(np.mean(surface_distance.compute_average_surface_distance(distances))),
    }


RANDOM_CASES = [
    pytest.param((40, 36), (0.7, 1.3), id="2d-anisotropic"),
    pytest.param((24, 28, 20), (2.5, 0.8, 0.8), id="3d-thick-slices"),
    pytest.param((20, 20, 20), (1.0, 1.0, 1.0), id="3d-isotropic"),
    pytest.param((18, 22, 26), (0.6, 1.7, 3.1), id="3d-all-different"),
]


@pytest.mark.parametrize(("shape", "spacing_mm"), RANDOM_CASES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_masks_equal_oracle(shape, spacing_mm, seed):
    rng = np.random.default_rng(seed)
    reference = random_blob(rng, shape)
    prediction = random_blob(rng, shape)
    expected = oracle_values(reference, prediction, spacing_mm, 1.5)

    distances = compute_surface_distances(reference, prediction, spacing_mm)

    assert normalized_surface_dice(distances, 1.5) == pytest.approx(expected["nsd"], abs=TOLERANCE)
    assert robust_hausdorff(distances, 95) == pytest.approx(expected["hd95"], abs=TOLERANCE)
    assert average_symmetric_surface_distance(distances) == pytest.approx(expected["assd"], abs=TOLERANCE)


@pytest.mark.parametrize("seed", [3, 4])
def test_label_map_classes_equal_oracle(seed):
    rng = np.random.default_rng(seed)
    shape = (22, 30, 26)
    spacing_mm = (3.0, 0.75, 0.9)
    reference = rng.integers(0, 4, shape).astype(np.uint8) * random_blob(rng, shape)
    prediction = rng.integers(0, 4, shape).astype(np.uint8) * random_blob(rng, shape)
    reference = ndimage.median_filter(reference, 3)
    prediction = ndimage.median_filter(prediction, 3)
    classes = {
        "all": EvaluationClass((1, 2, 3), 1.03),
        "pair": EvaluationClass((2, 3), 1.13),
        "single": EvaluationClass((2,), 1.15),
    }

    results = compute_class_metrics(reference, prediction, spacing_mm, classes, ("dice", "nsd", "hd95", "assd"))

    for class_name, evaluation_class in classes.items():
        reference_mask = np.isin(reference, evaluation_class.labels)
        prediction_mask = np.isin(prediction, evaluation_class.labels)
        expected = oracle_values(reference_mask, prediction_mask, spacing_mm, evaluation_class.nsd_tolerance_mm)
        for metric, value in expected.items():
            assert results[class_name].values[metric] == pytest.approx(value, abs=TOLERANCE), (class_name, metric)


def test_border_object_equals_padded_oracle():
    reference = np.zeros((8, 9, 10), bool)
    reference[0:4, 0:5, 3:10] = True
    prediction = np.zeros_like(reference)
    prediction[0:3, 1:6, 4:10] = True
    spacing_mm = (2.0, 0.9, 0.7)
    # Padding with background by hand puts the image border inside the volume.
    expected = oracle_values(np.pad(reference, 2), np.pad(prediction, 2), spacing_mm, 1.0)

    distances = compute_surface_distances(reference, prediction, spacing_mm)

    assert normalized_surface_dice(distances, 1.0) == pytest.approx(expected["nsd"], abs=TOLERANCE)
    assert robust_hausdorff(distances) == pytest.approx(expected["hd95"], abs=TOLERANCE)
    assert average_symmetric_surface_distance(distances) == pytest.approx(expected["assd"], abs=TOLERANCE)


def test_crop_equals_uncropped_computation():
    rng = np.random.default_rng(7)
    labels = np.zeros((30, 40, 40), np.uint8)
    labels[10:20, 12:30, 5:25] = random_blob(rng, (10, 18, 20))
    prediction = np.roll(labels, 2, axis=2)
    spacing_mm = (2.5, 0.8, 0.8)
    expected = oracle_values(labels == 1, prediction == 1, spacing_mm, 1.0)

    result = compute_class_metrics(labels, prediction, spacing_mm, {"c": EvaluationClass((1,), 1.0)}, ("dice", "nsd", "hd95", "assd"))

    for metric, value in expected.items():
        assert result["c"].values[metric] == pytest.approx(value, abs=TOLERANCE), metric


# Columns: distance between the two cubes in voxels along each axis. Far ones
# exercise the k-d tree that serves elements beyond the near search radius.
SEPARATIONS = [
    pytest.param((0, 1, 0), id="near"),
    pytest.param((0, 0, 9), id="beyond-near-radius"),
    pytest.param((5, 7, 11), id="far-diagonal"),
]


@pytest.mark.parametrize("separation", SEPARATIONS)
def test_separated_cubes_equal_oracle(separation):
    reference = np.zeros((16, 20, 24), bool)
    reference[2:6, 3:8, 2:9] = True
    prediction = np.zeros_like(reference)
    start = np.array([2, 3, 2]) + np.array(separation)
    prediction[start[0] : start[0] + 3, start[1] : start[1] + 4, start[2] : start[2] + 5] = True
    spacing_mm = (2.5, 0.8, 0.8)
    expected = oracle_values(reference, prediction, spacing_mm, 2.0)

    distances = compute_surface_distances(reference, prediction, spacing_mm)

    assert normalized_surface_dice(distances, 2.0) == pytest.approx(expected["nsd"], abs=TOLERANCE)
    assert robust_hausdorff(distances) == pytest.approx(expected["hd95"], abs=TOLERANCE)
    assert average_symmetric_surface_distance(distances) == pytest.approx(expected["assd"], abs=TOLERANCE)


@pytest.mark.parametrize("variant", ["surfel", "voxel"])
def test_distances_equal_distance_transform_exactly(variant):
    rng = np.random.default_rng(11)
    reference = random_blob(rng, (20, 24, 22))
    prediction = np.roll(random_blob(rng, (20, 24, 22)), 4, axis=2)
    spacing_mm = (3.0, 0.7, 0.7)

    distances = compute_surface_distances(reference, prediction, spacing_mm, variant)

    # The voxel variant's boundary, and the distance transform it is measured with.
    structure = ndimage.generate_binary_structure(3, 1)
    reference_boundary = reference & ~ndimage.binary_erosion(reference, structure)
    prediction_boundary = prediction & ~ndimage.binary_erosion(prediction, structure)
    expected = ndimage.distance_transform_edt(~prediction_boundary, sampling=spacing_mm)[reference_boundary]
    if variant == "surfel":
        expected = np.sort(surface_distance.compute_surface_distances(reference, prediction, spacing_mm)["distances_gt_to_pred"])

    assert np.array_equal(np.sort(distances.reference_to_prediction_mm), np.sort(expected))


def half_blob(rng, shape):
    """Return a random blob confined to the first half of the last axis."""
    mask = random_blob(rng, shape)
    mask[..., shape[-1] // 2 :] = False
    return mask


# Columns: image shape, spacing in mm, shift of the prediction along the last
# axis in voxels. The shifts put some distances beyond the direct search window
# of three times the largest spacing, where the k-d tree takes over.
WINDOW_CASES = [
    pytest.param((40, 36), (0.7, 1.3), 5, id="2d"),
    pytest.param((18, 22, 26), (0.6, 1.7, 3.1), 4, id="3d-coarsest-last-axis"),
    pytest.param((16, 30, 34), (3.0, 0.7, 0.7), 14, id="3d-beyond-window"),
]


@pytest.mark.parametrize(("shape", "spacing_mm", "shift"), WINDOW_CASES)
def test_surfel_distances_equal_oracle_exactly(shape, spacing_mm, shift):
    rng = np.random.default_rng(13)
    reference = half_blob(rng, shape)
    prediction = np.roll(half_blob(rng, shape), shift, axis=-1)
    expected = surface_distance.compute_surface_distances(reference, prediction, spacing_mm)

    distances = compute_surface_distances(reference, prediction, spacing_mm)

    assert np.array_equal(distances.reference_to_prediction_mm, expected["distances_gt_to_pred"])
    assert np.array_equal(distances.reference_weights, expected["surfel_areas_gt"])
    assert np.array_equal(distances.prediction_to_reference_mm, expected["distances_pred_to_gt"])
    assert np.array_equal(distances.prediction_weights, expected["surfel_areas_pred"])


@pytest.mark.parametrize(("shape", "spacing_mm", "shift"), WINDOW_CASES)
def test_voxel_distances_equal_distance_transform_exactly(shape, spacing_mm, shift):
    rng = np.random.default_rng(17)
    reference = half_blob(rng, shape)
    prediction = np.roll(half_blob(rng, shape), shift, axis=-1)
    structure = ndimage.generate_binary_structure(len(shape), 1)
    reference_boundary = reference & ~ndimage.binary_erosion(reference, structure)
    prediction_boundary = prediction & ~ndimage.binary_erosion(prediction, structure)

    distances = compute_surface_distances(reference, prediction, spacing_mm, "voxel")

    expected_reference = ndimage.distance_transform_edt(~prediction_boundary, sampling=spacing_mm)[reference_boundary]
    expected_prediction = ndimage.distance_transform_edt(~reference_boundary, sampling=spacing_mm)[prediction_boundary]
    assert np.array_equal(distances.reference_to_prediction_mm, expected_reference)
    assert np.array_equal(distances.prediction_to_reference_mm, expected_prediction)
