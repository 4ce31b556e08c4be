"""Surfaces of two binary masks and the distances from each surface to the other.

Two definitions of a surface are supported:

- ``surfel``: DeepMind surface-distance's surface elements on the voxel-corner
  grid, each weighted by its area in mm^2 (its length in mm in 2D). The values
  equal ``surface_distance.compute_surface_distances`` 0.1.
- ``voxel``: boundary voxels, the mask minus its erosion with the face-connected
  (6-neighbour in 3D) structuring element, each with weight 1, as MONAI's
  ``get_mask_edges`` builds them.

Both work on a cropped box. The caller passes masks cropped to the bounding box
of their union, and the functions pad them with background, so that the result
equals the uncropped computation and an object touching the image border still
has its surface there.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools

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
    offsets = _NearOffsets.for_spacing(spacing_mm)

    # Neighbour codes live on the voxel corners. The mask is padded by the search
    # margin, so every surfel lies at least that far from the edge of the code map.
    reference_codes = _neighbour_codes(np.pad(reference_mask, offsets.padding))
    prediction_codes = _neighbour_codes(np.pad(prediction_mask, offsets.padding))
    full_code = (1 << (2**reference_mask.ndim)) - 1
    reference_surface = (reference_codes != 0) & (reference_codes != full_code)
    prediction_surface = (prediction_codes != 0) & (prediction_codes != full_code)
    reference_points = np.flatnonzero(reference_surface)
    prediction_points = np.flatnonzero(prediction_surface)

    # Distance from every surfel to the nearest surfel of the other mask.
    reference_distances = _distances_to(prediction_surface, prediction_points, reference_points, offsets)
    prediction_distances = _distances_to(reference_surface, reference_points, prediction_points, offsets)
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
    offsets = _NearOffsets.for_spacing(spacing_mm)

    # Background on every side makes the crop behave like the whole image, whose
    # border the erosion treats as background.
    reference_boundary = _boundary_voxels(np.pad(reference_mask, offsets.padding))
    prediction_boundary = _boundary_voxels(np.pad(prediction_mask, offsets.padding))
    reference_points = np.flatnonzero(reference_boundary)
    prediction_points = np.flatnonzero(prediction_boundary)

    reference_distances = _distances_to(prediction_boundary, prediction_points, reference_points, offsets)
    prediction_distances = _distances_to(reference_boundary, reference_points, prediction_points, offsets)
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
    on the mask padded by one voxel at the high end of each axis, but it adds
    shifted views in uint8 instead of running a generic correlation.
    """
    kernel = (
        lookup_tables.ENCODE_NEIGHBOURHOOD_3D_KERNEL
        if mask.ndim == 3
        else lookup_tables.ENCODE_NEIGHBOURHOOD_2D_KERNEL
    )
    padded = np.pad(mask.astype(np.uint8), 1)
    corner_shape = tuple(size + 1 for size in mask.shape)

    codes = np.zeros(corner_shape, np.uint8)
    for offsets in itertools.product((0, 1), repeat=mask.ndim):
        window = tuple(slice(offset, offset + size) for offset, size in zip(offsets, corner_shape))
        weight = np.uint8(kernel[offsets])
        codes += padded[window] * weight
    return codes


def _boundary_voxels(mask: np.ndarray) -> np.ndarray:
    face_connected = ndimage.generate_binary_structure(mask.ndim, 1)
    return mask & ~ndimage.binary_erosion(mask, structure=face_connected)


# Most surface elements lie within a few voxels of the other surface, so the
# grid offsets within this many of the largest spacing are searched directly.
NEAR_RADIUS_VOXELS = 3


@dataclasses.dataclass(frozen=True)
class _NearOffsets:
    """Grid offsets within the near radius, sorted by their length in mm."""

    spacing_mm: np.ndarray
    offsets: np.ndarray
    lengths_mm: np.ndarray
    margins: tuple[int, ...]

    @property
    def padding(self) -> list[tuple[int, int]]:
        """Padding of a mask that keeps its surface at least one margin from every edge."""
        return [(margin + 1, margin + 1) for margin in self.margins]

    @staticmethod
    @functools.lru_cache(maxsize=64)
    def for_spacing(spacing_mm: tuple[float, ...]) -> _NearOffsets:
        spacing = np.asarray(spacing_mm, dtype=np.float64)
        radius_mm = NEAR_RADIUS_VOXELS * float(np.max(spacing))
        margins = tuple(int(radius_mm // value) for value in spacing)
        grids = np.meshgrid(*[np.arange(-margin, margin + 1) for margin in margins], indexing="ij")
        offsets = np.stack([grid.ravel() for grid in grids], axis=1)

        lengths_mm = _offset_lengths_mm(offsets, spacing)
        within = lengths_mm <= radius_mm
        order = np.argsort(lengths_mm[within], kind="stable")
        return _NearOffsets(spacing, offsets[within][order], lengths_mm[within][order], margins)


def _distances_to(target_surface, target_points, source_points, near: _NearOffsets) -> np.ndarray:
    """Return the distance in mm from each source element to the nearest target element.

    Points are flat indices into ``target_surface``, whose elements lie at
    least one margin of ``near`` from every edge, so no offset leaves the array
    or wraps a row. The values equal ``ndimage.distance_transform_edt(
    ~target_surface, sampling=spacing_mm)`` at the source points, without a
    distance map over the whole box, which costs most of the time on large
    organs. Offsets within the near radius are tried in order of increasing
    length, so the first hit of an element is its nearest target element, and
    a k-d tree serves the elements left over.
    """
    distances = np.empty(len(source_points), dtype=np.float64)
    target_flat = target_surface.ravel()
    offset_steps = near.offsets @ np.asarray(_element_strides(target_surface.shape))

    # Elements that both surfaces share are at distance 0; the offset 0 comes first.
    shared = target_flat[source_points]
    distances[shared] = 0.0
    unresolved = np.flatnonzero(~shared)
    for block in _blocks(1, len(offset_steps)):
        hits = target_flat[source_points[unresolved][:, None] + offset_steps[None, block]]
        first_hit = np.argmax(hits, axis=1)
        found = hits[np.arange(len(unresolved)), first_hit]
        distances[unresolved[found]] = near.lengths_mm[block][first_hit[found]]
        unresolved = unresolved[~found]
        if len(unresolved) == 0:
            return distances

    shape = target_surface.shape
    distances[unresolved] = _tree_distances(
        np.stack(np.unravel_index(target_points, shape), axis=1),
        np.stack(np.unravel_index(source_points[unresolved], shape), axis=1),
        near.spacing_mm,
    )
    return distances


def _blocks(start: int, count: int):
    """Yield slices of growing size, so that near elements cost few lookups."""
    size = 2
    while start < count:
        yield slice(start, min(start + size, count))
        start += size
        size = min(size * 2, 256)


def _element_strides(shape: tuple[int, ...]) -> list[int]:
    strides = [1] * len(shape)
    for axis in range(len(shape) - 2, -1, -1):
        strides[axis] = strides[axis + 1] * shape[axis + 1]
    return strides


def _tree_distances(target_points, source_points, spacing) -> np.ndarray:
    tree = spatial.cKDTree(target_points * spacing, balanced_tree=False, compact_nodes=False)
    _, nearest = tree.query(source_points * spacing)
    return _offset_lengths_mm(target_points[nearest] - source_points, spacing)


def _offset_lengths_mm(offsets: np.ndarray, spacing: np.ndarray) -> np.ndarray:
    # The same operations, in the same order, as scipy's distance transform, so
    # that a distance equal to the tolerance compares identically.
    offsets_mm = offsets.astype(np.float64) * spacing
    squared = offsets_mm[:, 0] * offsets_mm[:, 0]
    for axis in range(1, offsets_mm.shape[1]):
        squared += offsets_mm[:, axis] * offsets_mm[:, axis]
    return np.sqrt(squared)


@functools.lru_cache(maxsize=64)
def _surfel_area_table(spacing_mm: tuple[float, ...]) -> np.ndarray:
    if len(spacing_mm) == 3:
        return lookup_tables.create_table_neighbour_code_to_surface_area(spacing_mm)
    return lookup_tables.create_table_neighbour_code_to_contour_length(spacing_mm)
