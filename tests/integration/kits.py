"""Label maps from the shared KiTS23 annotations, for pipeline tests.

The reference of a case is its official ``segmentation.nii.gz``. A
participant's prediction is one rater's label map, built the way KiTS23 builds
its reference but from annotation slot ``rater`` alone. It is the union of each
class's instances, written in the order kidney (1), cyst (3), tumour (2), so a
later class overwrites an earlier one.
"""

import re
from pathlib import Path

import numpy as np
import SimpleITK as sitk

KITS_TASK = {
    "name": "KiTS23 (pipeline tests)",
    "labels": {"1": "kidney", "2": "tumor", "3": "cyst"},
    "classes": {
        "kidney_and_mass": {"labels": [1, 2, 3], "nsd_tolerance_mm": 1.0331},
        "mass": {"labels": [2, 3], "nsd_tolerance_mm": 1.1329},
        "tumor": {"labels": [2], "nsd_tolerance_mm": 1.1498},
    },
    "metrics": ["dice", "nsd"],
}
LABEL_OF_STRUCTURE = {"kidney": 1, "tumor": 2, "cyst": 3}
# KiTS23 writes cysts before tumours, so a voxel marked as both is tumour.
WRITE_ORDER = ("kidney", "cyst", "tumor")
INSTANCE_FILE = re.compile(r"^(kidney|tumor|cyst)_instance-(\d+)_annotation-(\d+)\.nii\.gz$")
# Voxels kept on each side of the structures when cropping, along each axis.
CROP_MARGIN_VOXELS = 4


def rater_label_map(case_dir, rater):
    """Return the label map of annotation slot ``rater`` as an image with the reference geometry."""
    reference = sitk.ReadImage(str(case_dir / "segmentation.nii.gz"))
    labels = np.zeros(sitk.GetArrayViewFromImage(reference).shape, dtype=np.uint8)
    masks = {structure: np.zeros(labels.shape, dtype=bool) for structure in LABEL_OF_STRUCTURE}
    for path in sorted((case_dir / "instances").iterdir()):
        match = INSTANCE_FILE.match(path.name)
        if match is None or int(match.group(3)) != rater:
            continue
        masks[match.group(1)] |= sitk.GetArrayFromImage(sitk.ReadImage(str(path))) > 0.5
    for structure in WRITE_ORDER:
        labels[masks[structure]] = LABEL_OF_STRUCTURE[structure]

    image = sitk.GetImageFromArray(labels)
    image.CopyInformation(reference)
    return image


def crop_to_structures(reference, prediction):
    """Crop both images to the box around every labelled voxel of either, plus a margin.

    RegionOfInterest keeps spacing and direction and moves the origin, so the
    cropped pair has the same geometry relation as the full volumes.
    """
    union = (sitk.GetArrayViewFromImage(reference) > 0) | (sitk.GetArrayViewFromImage(prediction) > 0)
    # Array axes are (z, y, x); SimpleITK indexes are (x, y, z).
    nonzero = np.nonzero(union)
    low = [max(int(axis.min()) - CROP_MARGIN_VOXELS, 0) for axis in nonzero][::-1]
    high = [
        min(int(axis.max()) + CROP_MARGIN_VOXELS, size - 1)
        for axis, size in zip(nonzero, union.shape, strict=True)
    ][::-1]
    size = [int(top - bottom + 1) for bottom, top in zip(low, high, strict=True)]
    return (
        sitk.RegionOfInterest(reference, size, low),
        sitk.RegionOfInterest(prediction, size, low),
    )


def write_kits_cases(kits_dir, case_ids, rater, reference_dir, prediction_dir, *, crop=True):
    """Write each case's reference and rater prediction as ``<case_id>.nii.gz`` into two folders."""
    reference_dir.mkdir(parents=True, exist_ok=True)
    prediction_dir.mkdir(parents=True, exist_ok=True)
    for case_id in case_ids:
        case_dir = Path(kits_dir) / "dataset" / case_id
        reference = sitk.ReadImage(str(case_dir / "segmentation.nii.gz"))
        prediction = rater_label_map(case_dir, rater)
        if crop:
            reference, prediction = crop_to_structures(reference, prediction)
        sitk.WriteImage(reference, str(reference_dir / f"{case_id}.nii.gz"), useCompression=True)
        sitk.WriteImage(prediction, str(prediction_dir / f"{case_id}.nii.gz"), useCompression=True)
