"""Geometry of an image and the check of a prediction's geometry against its reference.

The reference is never resampled: a prediction must lie on the reference's
grid. Sizes must be equal. Spacing and origin may differ by a relative
``1e-4`` or an absolute ``1e-3`` mm per component, whichever is larger, so
that header writers' rounding passes. Direction cosines may differ by
``1e-4``. A flipped or permuted axis is far outside these tolerances and is
rejected, never compared array to array.
"""

from __future__ import annotations

import dataclasses

import numpy as np

SPACING_RELATIVE_TOLERANCE = 1e-4
SPACING_ABSOLUTE_TOLERANCE_MM = 1e-3
ORIGIN_RELATIVE_TOLERANCE = 1e-4
ORIGIN_ABSOLUTE_TOLERANCE_MM = 1e-3
DIRECTION_TOLERANCE = 1e-4


@dataclasses.dataclass(frozen=True)
class ImageGeometry:
    """Size, spacing, origin and direction of an image in SimpleITK's (x, y, z) order."""

    size: tuple[int, ...]
    spacing_mm: tuple[float, ...]
    origin_mm: tuple[float, ...]
    direction: tuple[float, ...]

    @property
    def dimension(self) -> int:
        """Number of image axes."""
        return len(self.size)

    @property
    def array_shape(self) -> tuple[int, ...]:
        """Shape of the numpy array of the image, in (z, y, x) order."""
        return tuple(reversed(self.size))

    @property
    def array_spacing_mm(self) -> tuple[float, ...]:
        """Spacing in numpy array-axis order (z, y, x), as the metrics expect it."""
        return tuple(reversed(self.spacing_mm))


def geometry_differences(reference: ImageGeometry, prediction: ImageGeometry) -> list[str]:
    """List how a prediction's geometry differs from its reference, empty when it matches.

    Examples
    --------
    >>> reference = ImageGeometry((4, 4), (1.0, 1.0), (0.0, 0.0), (1.0, 0.0, 0.0, 1.0))
    >>> geometry_differences(reference, reference)
    []
    >>> flipped = dataclasses.replace(reference, direction=(-1.0, 0.0, 0.0, 1.0))
    >>> geometry_differences(reference, flipped)
    ['direction (1.0, 0.0, 0.0, 1.0) expected, got (-1.0, 0.0, 0.0, 1.0): an axis is flipped or permuted']
    """
    if reference.dimension != prediction.dimension:
        return [f"{reference.dimension}D image expected, got {prediction.dimension}D"]

    differences = []
    if reference.size != prediction.size:
        differences.append(f"size {_format(reference.size)} expected, got {_format(prediction.size)}")

    if not _close(reference.spacing_mm, prediction.spacing_mm, SPACING_RELATIVE_TOLERANCE, SPACING_ABSOLUTE_TOLERANCE_MM):
        differences.append(
            f"spacing {_format(reference.spacing_mm)} mm expected, got {_format(prediction.spacing_mm)} mm"
        )

    if not _close(reference.origin_mm, prediction.origin_mm, ORIGIN_RELATIVE_TOLERANCE, ORIGIN_ABSOLUTE_TOLERANCE_MM):
        differences.append(
            f"origin {_format(reference.origin_mm)} mm expected, got {_format(prediction.origin_mm)} mm"
        )

    reference_direction = np.asarray(reference.direction)
    prediction_direction = np.asarray(prediction.direction)
    if np.max(np.abs(reference_direction - prediction_direction)) > DIRECTION_TOLERANCE:
        differences.append(
            f"direction {_format(reference.direction)} expected, got {_format(prediction.direction)}"
            f"{_direction_hint(reference_direction, prediction_direction)}"
        )
    return differences


def _close(expected, actual, relative: float, absolute: float) -> bool:
    expected = np.asarray(expected, dtype=float)
    actual = np.asarray(actual, dtype=float)
    allowed = np.maximum(absolute, relative * np.abs(expected))
    return bool(np.all(np.abs(expected - actual) <= allowed))


def _direction_hint(reference_direction: np.ndarray, prediction_direction: np.ndarray) -> str:
    dimension = int(round(np.sqrt(reference_direction.size)))
    reference_matrix = reference_direction.reshape(dimension, dimension)
    prediction_matrix = prediction_direction.reshape(dimension, dimension)

    # Each axis of the prediction either matches a reference axis up to sign or not at all.
    alignment = np.abs(reference_matrix.T @ prediction_matrix)
    if np.allclose(np.sort(alignment.ravel())[-dimension:], 1.0, atol=DIRECTION_TOLERANCE):
        return ": an axis is flipped or permuted"
    return ""


def _format(values) -> str:
    return "(" + ", ".join(_format_number(value) for value in values) + ")"


def _format_number(value) -> str:
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return repr(round(float(value), 6))
