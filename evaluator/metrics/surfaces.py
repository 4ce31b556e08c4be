"""Surfaces of two binary masks and the distances from each surface to the other.

Two definitions of a surface are supported:

- ``surfel``: DeepMind surface-distance's surface elements on the voxel-corner
  grid, each weighted by its area in mm^2 (its length in mm in 2D). The values
  equal ``surface_distance.compute_surface_distances`` 0.1.
- ``voxel``: boundary voxels, the mask minus its erosion with the face-connected
  (6-neighbour in 3D) structuring element, each with weight 1, as MONAI's
  ``get_mask_edges`` builds them.

Both work on a cropped box. The caller passes masks cropped to the bounding box
of their union, and the functions treat everything outside the crop as
background. So the result equals the uncropped computation, and an object
touching the image border still has its surface there.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
from scipy import ndimage, spatial
from surface_distance import lookup_tables


@dataclasses.dataclass(frozen=True)
class SurfaceDistances:
    """Distances in mm from each surface element to the other surface, with weights.

    For the ``surfel`` variant the arrays are sorted by (distance, weight), as
    surface-distance sorts them, so that the area-weighted percentile picks the
    same element. An empty surface gives empty arrays.
    """

    variant: str
    reference_to_prediction_mm: np.ndarray
    reference_weights: np.ndarray
    prediction_to_reference_mm: np.ndarray
    prediction_weights: np.ndarray


def compute_surface_distances(
    reference_mask: np.ndarray,
    prediction_mask: np.ndarray,
    spacing_mm: tuple[float, ...],
    variant: str = "surfel",
) -> SurfaceDistances:
    """Compute the distances between the surfaces of two non-empty masks.

    Parameters
    ----------
    reference_mask, prediction_mask : numpy.ndarray of bool
        2D or 3D masks of equal shape, both with at least one voxel set. They may
        be crops of a larger image, as long as the crop contains every set voxel of
        both masks.
    spacing_mm : tuple of float
        Voxel spacing in array-axis order.
    variant : {"surfel", "voxel"}
        The surface definition (see the module docstring).

    Returns
    -------
    SurfaceDistances

    Examples
    --------
    >>> import numpy as np
    >>> reference = np.zeros((5, 5), bool)
    >>> reference[1:3, 1:3] = True
    >>> prediction = np.roll(reference, 1, axis=0)
    >>> distances = compute_surface_distances(reference, prediction, (2.0, 1.0))
    >>> float(distances.reference_to_prediction_mm.max())
    2.0
    """
    if reference_mask.shape != prediction_mask.shape or reference_mask.ndim != len(spacing_mm):
        raise ValueError(
            f"masks of shape {reference_mask.shape} and {prediction_mask.shape} and a spacing of "
            f"{len(spacing_mm)} values do not match; expected equal shapes with one spacing per axis"
        )
    if reference_mask.ndim not in (2, 3):
        raise ValueError(f"expected 2D or 3D masks, got {reference_mask.ndim}D")

    spacing_mm = tuple(float(value) for value in spacing_mm)
    if variant == "surfel":
        return _surfel_distances(reference_mask, prediction_mask, spacing_mm)
    if variant == "voxel":
        return _voxel_distances(reference_mask, prediction_mask, spacing_mm)
    raise ValueError(f"variant: expected 'surfel' or 'voxel', got {variant!r}")


def _surfel_distances(reference_mask, prediction_mask, spacing_mm) -> SurfaceDistances:
    area_table = _surfel_area_table(spacing_mm)
    window = _NearWindow.for_spacing(spacing_mm)

    # Neighbour codes live on the voxel corners. A surfel is a corner whose code is
    # neither empty nor full.
    reference_codes = _neighbour_codes(reference_mask)
    prediction_codes = _neighbour_codes(prediction_mask)
    reference_points = _surfel_corners(reference_codes)
    prediction_points = _surfel_corners(prediction_codes)

    # Distance from every surfel to the nearest surfel of the other mask.
    search_shape = window.search_shape(reference_codes.shape)
    reference_search_points = window.search_indices(reference_points, reference_codes.shape)
    prediction_search_points = window.search_indices(prediction_points, prediction_codes.shape)
    reference_distances = _distances_to(search_shape, prediction_search_points, reference_search_points, window)
    prediction_distances = _distances_to(search_shape, reference_search_points, prediction_search_points, window)
    reference_areas = area_table[reference_codes.ravel()[reference_points]]
    prediction_areas = area_table[prediction_codes.ravel()[prediction_points]]

    # Sort by (distance, area) like surface-distance, so the percentile picks the same surfel.
    reference_order = np.lexsort((reference_areas, reference_distances))
    prediction_order = np.lexsort((prediction_areas, prediction_distances))
    return SurfaceDistances(
        variant="surfel",
        reference_to_prediction_mm=reference_distances[reference_order],
        reference_weights=reference_areas[reference_order],
        prediction_to_reference_mm=prediction_distances[prediction_order],
        prediction_weights=prediction_areas[prediction_order],
    )


def _voxel_distances(reference_mask, prediction_mask, spacing_mm) -> SurfaceDistances:
    window = _NearWindow.for_spacing(spacing_mm)

    # The erosion treats voxels outside the crop as background, as it treats the
    # outside of the whole image, and the crop contains every set voxel.
    reference_points = np.flatnonzero(_boundary_voxels(reference_mask))
    prediction_points = np.flatnonzero(_boundary_voxels(prediction_mask))

    search_shape = window.search_shape(reference_mask.shape)
    reference_search_points = window.search_indices(reference_points, reference_mask.shape)
    prediction_search_points = window.search_indices(prediction_points, prediction_mask.shape)
    reference_distances = _distances_to(search_shape, prediction_search_points, reference_search_points, window)
    prediction_distances = _distances_to(search_shape, reference_search_points, prediction_search_points, window)
    return SurfaceDistances(
        variant="voxel",
        reference_to_prediction_mm=reference_distances,
        reference_weights=np.ones_like(reference_distances),
        prediction_to_reference_mm=prediction_distances,
        prediction_weights=np.ones_like(prediction_distances),
    )


def _neighbour_codes(mask: np.ndarray) -> np.ndarray:
    """Return the 2x2(x2) neighbour code of every voxel corner of a mask.

    This equals surface-distance's ``ndimage.correlate`` with its encoding kernel
    on the mask padded by one voxel at the high end of each axis. The kernel's
    weights halve at each step in C order (128 for the first voxel, 1 for the
    last), so the code is built one axis at a time, from the last. Each step
    shifts the partial code at the lower index along the axis left and ORs in
    the partial code at the upper index. That costs two uint8 passes per axis
    instead of one pass per kernel weight.
    """
    codes = np.pad(mask.astype(np.uint8), 1)
    for axis in range(mask.ndim - 1, -1, -1):
        low = tuple(slice(None, -1) if index == axis else slice(None) for index in range(mask.ndim))
        high = tuple(slice(1, None) if index == axis else slice(None) for index in range(mask.ndim))
        digit_bits = 2 ** (mask.ndim - 1 - axis)
        codes = (codes[low] << digit_bits) | codes[high]
    return codes


def _surfel_corners(codes: np.ndarray) -> np.ndarray:
    """Return the flat indices of the corners whose code is neither empty nor full."""
    full_code = (1 << (2**codes.ndim)) - 1
    # In uint8, code - 1 wraps the empty code 0 to 255, so one comparison
    # keeps the codes from 1 to full_code - 1.
    return np.flatnonzero((codes - np.uint8(1)) < np.uint8(full_code - 1))


def _boundary_voxels(mask: np.ndarray) -> np.ndarray:
    face_connected = ndimage.generate_binary_structure(mask.ndim, 1)
    return mask & ~ndimage.binary_erosion(mask, structure=face_connected)


# Most surface elements lie within a few voxels of the other surface, so a
# window of this many times the largest spacing is searched directly.
NEAR_RADIUS_VOXELS = 3


@dataclasses.dataclass(frozen=True)
class _NearWindow:
    """The search window around a surface element, as rows along the last axis.

    A row offset moves along the leading axes only, and its row is searched
    along the last axis through a gap map. Rows are sorted by their squared
    length in mm^2.
    """

    spacing_mm: np.ndarray
    margins: tuple[int, ...]
    row_offsets: np.ndarray
    row_squared_mm2: np.ndarray
    # Squared length of the offset to the element g voxels along each row,
    # indexed by (row, g). The last column, for "no element within the
    # margin", is infinite.
    candidate_squared_mm2: np.ndarray
    # Every element outside the window is at least this far (squared), so a
    # best candidate up to this value is the true minimum.
    exhaustive_squared_mm2: float

    def search_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """Return the shape of the search space: the array padded by more than one margin per side."""
        return tuple(size + 2 * (margin + 1) for size, margin in zip(shape, self.margins))

    def search_indices(self, points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """Map flat indices into an array of ``shape`` to flat indices into its search space."""
        coordinates = np.unravel_index(points, shape)
        return np.ravel_multi_index(
            tuple(axis_coordinates + (margin + 1) for axis_coordinates, margin in zip(coordinates, self.margins)),
            self.search_shape(shape),
        )

    @staticmethod
    @functools.lru_cache(maxsize=64)
    def for_spacing(spacing_mm: tuple[float, ...]) -> _NearWindow:
        spacing = np.asarray(spacing_mm, dtype=np.float64)
        radius_mm = NEAR_RADIUS_VOXELS * float(np.max(spacing))
        margins = tuple(int(radius_mm // value) for value in spacing)

        edges_mm = (np.asarray(margins, dtype=np.float64) + 1.0) * spacing
        exhaustive_squared_mm2 = float(np.min(edges_mm * edges_mm))

        grids = np.meshgrid(*[np.arange(-margin, margin + 1) for margin in margins[:-1]], indexing="ij")
        row_offsets = np.stack([grid.ravel() for grid in grids] + [np.zeros(grids[0].size, np.int64)], axis=1)
        row_squared_mm2 = _offset_squared_lengths_mm2(row_offsets, spacing)
        within = row_squared_mm2 <= exhaustive_squared_mm2
        order = np.argsort(row_squared_mm2[within], kind="stable")

        row_offsets = row_offsets[within][order]
        row_squared_mm2 = row_squared_mm2[within][order]

        # The row's squared length plus the squared step along the row: the same
        # operations, in the same order, as _offset_squared_lengths_mm2.
        gap_steps_mm = np.arange(margins[-1] + 2, dtype=np.float64) * spacing[-1]
        gap_squared_mm2 = gap_steps_mm * gap_steps_mm
        gap_squared_mm2[-1] = np.inf
        candidate_squared_mm2 = row_squared_mm2[:, None] + gap_squared_mm2[None, :]
        return _NearWindow(
            spacing_mm=spacing,
            margins=margins,
            row_offsets=row_offsets,
            row_squared_mm2=row_squared_mm2,
            candidate_squared_mm2=candidate_squared_mm2,
            exhaustive_squared_mm2=exhaustive_squared_mm2,
        )


def _distances_to(search_shape, target_points, source_points, window: _NearWindow) -> np.ndarray:
    """Return the distance in mm from each source element to the nearest target element.

    Points are flat indices into an array of ``search_shape`` whose elements
    lie more than one margin of ``window`` from every edge, so no offset leaves
    the array or wraps a row. The values equal ``ndimage.distance_transform_edt``
    of the inverted target surface, with ``sampling=spacing_mm``, at the source
    points, without a distance map over the whole box, which costs most of the
    time on large organs.

    Within one row, the nearest element is the one with the smallest gap along
    the last axis. So each row of the window, taken in order of increasing
    length, gives every source element one candidate, the row's squared length
    plus its squared gap. An element is final once its best candidate is no
    longer than the next row's squared length. A k-d tree serves the elements whose
    nearest target element lies outside the window.
    """
    gaps = _row_gaps(target_points, int(np.prod(search_shape)), window.margins[-1])
    row_steps = window.row_offsets @ np.asarray(_element_strides(search_shape))
    squared_mm2 = np.empty(len(source_points), dtype=np.float64)

    pending = np.arange(len(source_points))
    pending_points = source_points
    best_mm2 = np.full(len(source_points), np.inf)
    for row, step in enumerate(row_steps):
        candidate_mm2 = window.candidate_squared_mm2[row][gaps[pending_points + step]]
        np.minimum(best_mm2, candidate_mm2, out=best_mm2)

        next_squared_mm2 = window.row_squared_mm2[row + 1] if row + 1 < len(row_steps) else np.inf
        if next_squared_mm2 == window.row_squared_mm2[row]:
            continue
        final = best_mm2 <= next_squared_mm2
        if not final.any():
            continue
        squared_mm2[pending[final]] = best_mm2[final]
        unresolved = ~final
        pending, pending_points, best_mm2 = pending[unresolved], pending_points[unresolved], best_mm2[unresolved]
        if len(pending) == 0:
            break

    distances = np.sqrt(squared_mm2)
    outside = np.flatnonzero(squared_mm2 > window.exhaustive_squared_mm2)
    if len(outside):
        distances[outside] = _tree_distances(
            np.stack(np.unravel_index(target_points, search_shape), axis=1),
            np.stack(np.unravel_index(source_points[outside], search_shape), axis=1),
            window.spacing_mm,
        )
    return distances


def _row_gaps(target_points: np.ndarray, size: int, margin: int) -> np.ndarray:
    """Return, for each flat voxel, the number of voxels to the nearest target element in its row.

    Voxels with no target element within ``margin`` along the last axis get
    ``margin + 1``. The work grows with the number of elements, not with the box.
    """
    gaps = np.full(size, margin + 1, dtype=np.uint8 if margin < 255 else np.uint16)
    # Smaller gaps are written last, so they overwrite larger ones.
    for gap in range(margin, 0, -1):
        gaps[target_points - gap] = gap
        gaps[target_points + gap] = gap
    gaps[target_points] = 0
    return gaps


def _element_strides(shape: tuple[int, ...]) -> list[int]:
    strides = [1] * len(shape)
    for axis in range(len(shape) - 2, -1, -1):
        strides[axis] = strides[axis + 1] * shape[axis + 1]
    return strides


def _tree_distances(target_points, source_points, spacing) -> np.ndarray:
    tree = spatial.cKDTree(target_points * spacing, balanced_tree=False, compact_nodes=False)
    _, nearest = tree.query(source_points * spacing)
    return np.sqrt(_offset_squared_lengths_mm2(target_points[nearest] - source_points, spacing))


def _offset_squared_lengths_mm2(offsets: np.ndarray, spacing: np.ndarray) -> np.ndarray:
    # The same operations, in the same order, as scipy's distance transform, so
    # that a distance equal to the tolerance compares identically.
    offsets_mm = offsets.astype(np.float64) * spacing
    squared = offsets_mm[:, 0] * offsets_mm[:, 0]
    for axis in range(1, offsets_mm.shape[1]):
        squared += offsets_mm[:, axis] * offsets_mm[:, axis]
    return squared


@functools.lru_cache(maxsize=64)
def _surfel_area_table(spacing_mm: tuple[float, ...]) -> np.ndarray:
    if len(spacing_mm) == 3:
        return lookup_tables.create_table_neighbour_code_to_surface_area(spacing_mm)
    return lookup_tables.create_table_neighbour_code_to_contour_length(spacing_mm)
