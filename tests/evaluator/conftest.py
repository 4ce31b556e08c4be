"""Fixtures of the evaluator tests: tasks and label maps written to disk."""

import numpy as np
import pytest
import SimpleITK as sitk

from evaluator.task import parse_task


def write_label_map(path, array, spacing=None, origin=None, direction=None):
    """Write a numpy array (z, y, x) as an image and return its path."""
    image = sitk.GetImageFromArray(np.asarray(array))
    if spacing is not None:
        image.SetSpacing(spacing)
    if origin is not None:
        image.SetOrigin(origin)
    if direction is not None:
        image.SetDirection(direction)
    path.parent.mkdir(parents=True, exist_ok=True)
    sitk.WriteImage(image, str(path))
    return path


@pytest.fixture
def cube_task():
    """Return a one-class task over label 1 with every metric."""
    return parse_task(
        {
            "name": "cube",
            "labels": {"1": "organ"},
            "classes": {"organ": {"labels": [1], "nsd_tolerance_mm": 1.0}},
            "metrics": ["dice", "nsd", "hd95", "assd"],
        }
    )


@pytest.fixture
def cube_labels():
    """Return a 12x12x12 label map with the cube [3:6]^3 set to 1."""
    labels = np.zeros((12, 12, 12), np.uint8)
    labels[3:6, 3:6, 3:6] = 1
    return labels
