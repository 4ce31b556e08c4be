"""Write label maps to disk for the evaluator tests."""

import numpy as np
import SimpleITK as sitk


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
