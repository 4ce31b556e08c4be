"""Dice, NSD, HD95 and ASSD from masks and from their surface distances."""

from __future__ import annotations

import numpy as np

from evaluator.metrics.surfaces import SurfaceDistances


def dice_from_counts(reference_count: int, prediction_count: int, overlap_count: int) -> float | None:
    """Return the Dice coefficient 2|G∩P| / (|G| + |P|), None when both masks are empty.

    Examples
    --------
    >>> dice_from_counts(4, 4, 2)
    0.5
    >>> dice_from_counts(0, 3, 0)
    0.0
    >>> dice_from_counts(0, 0, 0) is None
    True
    """
    total = reference_count + prediction_count
    if total == 0:
        return None
    return 2.0 * overlap_count / total


def normalized_surface_dice(distances: SurfaceDistances, tolerance_mm: float) -> float:
    """Return the normalised surface Dice at a tolerance in mm (inclusive).

    The weighted share of both surfaces that lies within ``tolerance_mm`` of the
    other surface: surfel areas for the ``surfel`` variant, which equals
    surface-distance's ``compute_surface_dice_at_tolerance``, and boundary voxel
    counts for the ``voxel`` variant.

    Examples
    --------
    >>> import numpy as np
    >>> from evaluator.metrics.surfaces import compute_surface_distances
    >>> reference = np.zeros((12, 12, 12), bool)
    >>> reference[3:6, 3:6, 3:6] = True
    >>> prediction = np.roll(reference, 1, axis=0)
    >>> distances = compute_surface_distances(reference, prediction, (2.5, 0.8, 0.8))
    >>> round(normalized_surface_dice(distances, 1.0), 4)
    0.8179
    """
    reference_close = distances.reference_weights[distances.reference_to_prediction_mm <= tolerance_mm]
    prediction_close = distances.prediction_weights[distances.prediction_to_reference_mm <= tolerance_mm]
    total = np.sum(distances.reference_weights) + np.sum(distances.prediction_weights)
    return float((np.sum(reference_close) + np.sum(prediction_close)) / total)


def robust_hausdorff(distances: SurfaceDistances, percent: float = 95.0) -> float:
    """Return the symmetric robust Hausdorff distance in mm (HD95 by default).

    The larger of the two directed percentiles. For the ``surfel`` variant the
    percentile is area-weighted and picks the first sorted surfel whose
    cumulative area share reaches ``percent``, as surface-distance's
    ``compute_robust_hausdorff`` does. For the ``voxel`` variant it is
    ``numpy.percentile`` (linear interpolation) over the boundary voxels, as
    MONAI's ``compute_hausdorff_distance`` does.

    Examples
    --------
    >>> import numpy as np
    >>> from evaluator.metrics.surfaces import compute_surface_distances
    >>> reference = np.zeros((12, 12, 12), bool)
    >>> reference[3:6, 3:6, 3:6] = True
    >>> prediction = np.roll(reference, 1, axis=0)
    >>> robust_hausdorff(compute_surface_distances(reference, prediction, (2.5, 0.8, 0.8)))
    2.5
    """
    directed = (
        _directed_percentile(distances.reference_to_prediction_mm, distances.reference_weights, percent, distances.variant),
        _directed_percentile(distances.prediction_to_reference_mm, distances.prediction_weights, percent, distances.variant),
    )
    return float(max(directed))


def average_symmetric_surface_distance(distances: SurfaceDistances) -> float:
    """Return the mean of the two directed weighted mean surface distances in mm.

    Each directed mean equals one value of surface-distance's
    ``compute_average_surface_distance`` for the ``surfel`` variant.

    Examples
    --------
    >>> import numpy as np
    >>> from evaluator.metrics.surfaces import compute_surface_distances
    >>> reference = np.zeros((8, 8), bool)
    >>> reference[2:5, 2:5] = True
    >>> average_symmetric_surface_distance(compute_surface_distances(reference, reference, (1.0, 1.0)))
    0.0
    """
    reference_mean = np.sum(distances.reference_to_prediction_mm * distances.reference_weights) / np.sum(
        distances.reference_weights
    )
    prediction_mean = np.sum(distances.prediction_to_reference_mm * distances.prediction_weights) / np.sum(
        distances.prediction_weights
    )
    return float((reference_mean + prediction_mean) / 2.0)


def _directed_percentile(distances_mm, weights, percent, variant) -> float:
    if variant == "voxel":
        return float(np.percentile(distances_mm, percent))

    cumulative_share = np.cumsum(weights) / np.sum(weights)
    index = np.searchsorted(cumulative_share, percent / 100.0)
    return float(distances_mm[min(index, len(distances_mm) - 1)])
