"""The KiTS-style participants are built as KiTS23 builds its reference, on hand-made masks."""

import numpy as np
import pytest
import SimpleITK as sitk

from fixtures import build_kits


def write_mask(path, mask, reference):
    image = sitk.GetImageFromArray(mask.astype(np.float64))
    image.CopyInformation(reference)
    path.parent.mkdir(parents=True, exist_ok=True)
    sitk.WriteImage(image, str(path))


@pytest.fixture
def case_dir(tmp_path):
    """A 1 x 4 x 6 case: kidney over columns 0-5, a cyst over 2-4 and a tumour over 3-5, all in annotation 1."""
    reference = sitk.Image(6, 4, 1, sitk.sitkUInt8)
    reference.SetSpacing((0.8, 0.8, 3.0))
    folder = tmp_path / "case_00001"

    kidney = np.zeros((1, 4, 6), dtype=bool)
    kidney[0, 1:3, :] = True
    cyst = np.zeros_like(kidney)
    cyst[0, 1:3, 2:5] = True
    tumour = np.zeros_like(kidney)
    tumour[0, 1:3, 3:6] = True
    write_mask(folder / "instances" / "kidney_instance-1_annotation-1.nii.gz", kidney, reference)
    write_mask(folder / "instances" / "cyst_instance-1_annotation-1.nii.gz", cyst, reference)
    write_mask(folder / "instances" / "tumor_instance-1_annotation-1.nii.gz", tumour, reference)
    # Annotation 2 draws only a second kidney instance, on row 0.
    second_kidney = np.zeros_like(kidney)
    second_kidney[0, 0, :2] = True
    write_mask(folder / "instances" / "kidney_instance-2_annotation-2.nii.gz", second_kidney, reference)
    return folder, reference


def test_annotation_label_map_overwrites_in_kits_order(case_dir):
    folder, reference = case_dir

    labels = build_kits.annotation_label_map(folder, 1, reference)

    # Columns 0-1 kidney, 2 cyst, 3-5 tumour (tumour is written after the cyst).
    assert labels[0, 1].tolist() == [1, 1, 3, 2, 2, 2]
    assert labels[0, 0].tolist() == [0, 0, 0, 0, 0, 0]


def test_annotation_label_map_uses_only_its_slot(case_dir):
    folder, reference = case_dir

    labels = build_kits.annotation_label_map(folder, 2, reference)

    assert labels[0, 0].tolist() == [1, 1, 0, 0, 0, 0]
    assert int(labels[0, 1:].sum()) == 0


def test_erode_in_plane_keeps_the_slice_axis():
    # Arrays are (z, y, x) and the slice axis is x, the last one.
    labels = np.zeros((5, 5, 3), dtype=np.uint8)
    labels[1:4, 1:4, :] = 2

    eroded = build_kits.erode_in_plane(labels)

    expected = np.zeros_like(labels)
    expected[2, 2, :] = 2
    assert np.array_equal(eroded, expected)
