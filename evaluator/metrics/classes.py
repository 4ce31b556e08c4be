"""Metrics of every evaluation class from one reference and one prediction label map."""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import ndimage

from evaluator.metrics.distances import (
    average_symmetric_surface_distance,
    dice_from_counts,
    normalized_surface_dice,
    robust_hausdorff,
)
from evaluator.metrics.surfaces import compute_surface_distances

OK = "ok"
REFERENCE_EMPTY = "reference_empty"
PREDICTION_EMPTY = "prediction_empty"
BOTH_EMPTY = "both_empty"
SURFACE_METRICS = ("nsd", "hd95", "assd")


@dataclasses.dataclass(frozen=True)
class ClassMetrics:
    """Raw metric values of one class (None where undefined) and the emptiness status."""

    values: dict[str, float | None]
    status: str


def compute_class_metrics(
    reference_labels: np.ndarray,
    prediction_labels: np.ndarray,
    spacing_mm: tuple[float, ...],
    classes: dict,
    metrics: tuple[str, ...] = ("dice", "nsd", "hd95"),
    nsd_variant: str = "surfel",
) -> dict[str, ClassMetrics]:
    """Compute the raw metrics of every class from two integer label maps.

    Each class is cropped to the bounding box of the union of its reference and
    prediction voxels. One scan of each map finds the boxes of every label
    value, so the surface work grows with the structure, not with the image.

    Parameters
    ----------
    reference_labels, prediction_labels : numpy.ndarray of non-negative int
        2D or 3D label maps of equal shape, in array-axis order.
    spacing_mm : tuple of float
        The reference's voxel spacing in array-axis order.
    classes : dict of str to EvaluationClass
        Each class with its ``labels`` and ``nsd_tolerance_mm``.
    metrics : tuple of str
        Names from ``dice``, ``nsd``, ``hd95``, ``assd``.
    nsd_variant : {"surfel", "voxel"}
        The surface definition used by NSD, HD95 and ASSD.

    Returns
    -------
    dict of str to ClassMetrics
        Raw values, before any empty policy. When one mask is empty, Dice and NSD
        are 0 and HD95 and ASSD are None. When both are empty every value is None.

    Examples
    --------
    >>> import numpy as np
    >>> from evaluator.task import EvaluationClass
    >>> reference = np.zeros((6, 6), np.uint8)
    >>> reference[1:3, 1:3] = 1
    >>> result = compute_class_metrics(reference, reference, (1.0, 1.0),
    ...                                {"organ": EvaluationClass((1,), 1.0)})
    >>> result["organ"].values, result["organ"].status
    ({'dice': 1.0, 'nsd': 1.0, 'hd95': 0.0}, 'ok')
    """
    if reference_labels.shape != prediction_labels.shape:
        raise ValueError(
            f"label maps of shape {reference_labels.shape} and {prediction_labels.shape} differ; "
            "expected equal shapes"
        )

    # Find the bounding box of every label value in each map.
    largest_label = max(max(evaluation_class.labels) for evaluation_class in classes.values())
    reference_boxes = _label_boxes(reference_labels, largest_label)
    prediction_boxes = _label_boxes(prediction_labels, largest_label)

    results = {}
    for class_name, evaluation_class in classes.items():
        results[class_name] = _class_metrics(
            reference_labels,
            prediction_labels,
            evaluation_class,
            [reference_boxes[label - 1] for label in evaluation_class.labels],
            [prediction_boxes[label - 1] for label in evaluation_class.labels],
            spacing_mm,
            metrics,
            nsd_variant,
        )
    return results


def _class_metrics(
    reference_labels,
    prediction_labels,
    evaluation_class,
    reference_boxes,
    prediction_boxes,
    spacing_mm,
    metrics,
    nsd_variant,
) -> ClassMetrics:
    reference_box = _union_box([box for box in reference_boxes if box is not None])
    prediction_box = _union_box([box for box in prediction_boxes if box is not None])
    status = _emptiness_status(reference_box is None, prediction_box is None)

    if status == BOTH_EMPTY:
        return ClassMetrics(values={metric: None for metric in metrics}, status=status)
    if status != OK:
        # One side empty: nothing overlaps and no distance is defined.
        values = {metric: (0.0 if metric in ("dice", "nsd") else None) for metric in metrics}
        return ClassMetrics(values=values, status=status)

    # Crop both maps to the union box; every voxel of the class lies inside it.
    union_box = _union_box([reference_box, prediction_box])
    reference_mask = _class_mask(reference_labels[union_box], evaluation_class.labels)
    prediction_mask = _class_mask(prediction_labels[union_box], evaluation_class.labels)

    values: dict[str, float | None] = {}
    if "dice" in metrics:
        values["dice"] = dice_from_counts(
            int(np.count_nonzero(reference_mask)),
            int(np.count_nonzero(prediction_mask)),
            int(np.count_nonzero(reference_mask & prediction_mask)),
        )

    if any(metric in metrics for metric in SURFACE_METRICS):
        distances = compute_surface_distances(reference_mask, prediction_mask, spacing_mm, nsd_variant)
        if "nsd" in metrics:
            values["nsd"] = normalized_surface_dice(distances, evaluation_class.nsd_tolerance_mm)
        if "hd95" in metrics:
            values["hd95"] = robust_hausdorff(distances, 95.0)
        if "assd" in metrics:
            values["assd"] = average_symmetric_surface_distance(distances)

    return ClassMetrics(values={metric: values[metric] for metric in metrics}, status=status)


def _emptiness_status(reference_empty: bool, prediction_empty: bool) -> str:
    if reference_empty and prediction_empty:
        return BOTH_EMPTY
    if reference_empty:
        return REFERENCE_EMPTY
    if prediction_empty:
        return PREDICTION_EMPTY
    return OK


def _label_boxes(labels: np.ndarray, largest_label: int) -> list[tuple[slice, ...] | None]:
    """Return the bounding box of each label value from 1 to ``largest_label``, None where absent."""
    nonzero_box = _nonzero_box(labels)
    if nonzero_box is None:
        return [None] * largest_label

    # find_objects is several times slower per voxel than a max reduction, so
    # it runs only on the box that contains every positive voxel.
    boxes = ndimage.find_objects(labels[nonzero_box], max_label=largest_label)
    return [
        None if box is None else tuple(
            slice(outer.start + inner.start, outer.start + inner.stop) for outer, inner in zip(nonzero_box, box)
        )
        for box in boxes
    ]


def _nonzero_box(labels: np.ndarray) -> tuple[slice, ...] | None:
    """Return the bounding box of the positive voxels, None when there are none."""
    if labels.size == 0:
        return None
    occupied = np.flatnonzero(labels.reshape(labels.shape[0], -1).max(axis=1) > 0)
    if len(occupied) == 0:
        return None

    first_axis = slice(int(occupied[0]), int(occupied[-1]) + 1)
    if labels.ndim == 1:
        return (first_axis,)
    return (first_axis, *_nonzero_box(labels[first_axis].max(axis=0)))


def _union_box(boxes: list[tuple[slice, ...]]) -> tuple[slice, ...] | None:
    if not boxes:
        return None
    return tuple(
        slice(min(box[axis].start for box in boxes), max(box[axis].stop for box in boxes))
        for axis in range(len(boxes[0]))
    )


def _class_mask(labels: np.ndarray, class_labels: tuple[int, ...]) -> np.ndarray:
    if len(class_labels) == 1:
        return labels == class_labels[0]
    return np.isin(labels, class_labels)
