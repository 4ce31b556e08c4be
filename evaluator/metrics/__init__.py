"""Segmentation metrics: Dice, normalised surface Dice, HD95 and ASSD.

The surfel variant equals DeepMind surface-distance 0.1; the voxel variant uses
boundary voxels as MONAI does. ``compute_class_metrics`` scores every class of a
task from one pair of label maps.
"""

from evaluator.metrics.aggregate import aggregate_cases
from evaluator.metrics.classes import (
    BOTH_EMPTY,
    OK,
    PREDICTION_EMPTY,
    REFERENCE_EMPTY,
    ClassMetrics,
    compute_class_metrics,
)
from evaluator.metrics.distances import (
    average_symmetric_surface_distance,
    dice_from_counts,
    normalized_surface_dice,
    robust_hausdorff,
)
from evaluator.metrics.policy import apply_empty_policy, combine_annotations, missing_case_values
from evaluator.metrics.surfaces import SurfaceDistances, compute_surface_distances

__all__ = [
    "BOTH_EMPTY",
    "OK",
    "PREDICTION_EMPTY",
    "REFERENCE_EMPTY",
    "ClassMetrics",
    "SurfaceDistances",
    "aggregate_cases",
    "apply_empty_policy",
    "average_symmetric_surface_distance",
    "combine_annotations",
    "compute_class_metrics",
    "compute_surface_distances",
    "dice_from_counts",
    "missing_case_values",
    "normalized_surface_dice",
    "robust_hausdorff",
]
