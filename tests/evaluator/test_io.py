"""Tests of label-map loading, geometry checks and detached data files."""

import numpy as np
import pytest

from evaluator.evaluate import evaluate_case, find_prediction_files, find_reference_cases
from evaluator.io import LabelMapError, case_id_from_file_name, read_geometry, read_label_array
from tests.evaluator.images import write_label_map

CASE_IDS = [
    pytest.param("case_00010.nii.gz", "case_00010", id="nii-gz"),
    pytest.param("case_00010.nii", "case_00010", id="nii"),
    pytest.param("case.v2.mha", "case.v2", id="dotted-mha"),
    pytest.param("CASE.NRRD", "CASE", id="upper-case-nrrd"),
    pytest.param("case.nhdr", "case", id="nhdr"),
    pytest.param("case.gz", None, id="bare-gz"),
    pytest.param(".nii.gz", None, id="extension-only"),
]


@pytest.mark.parametrize(("file_name", "case_id"), CASE_IDS)
def test_case_id_from_file_name(file_name, case_id):
    assert case_id_from_file_name(file_name) == case_id


# Columns: stored array, expected error code (None: accepted).
LABEL_VALUES = [
    pytest.param(np.array([[0.0, 1.0], [1.0, 0.0]], np.float32), None, id="float-integral"),
    pytest.param(np.array([[0.0, 0.99999994], [1.0, 0.0]], np.float32), "non_integer_labels", id="float-almost-one"),
    pytest.param(np.array([[0.0, np.nan], [1.0, 0.0]], np.float32), "non_integer_labels", id="float-nan"),
    pytest.param(np.array([[0, -1], [1, 0]], np.int16), "non_integer_labels", id="negative"),
    pytest.param(np.array([[0, 7], [1, 0]], np.uint8), "undeclared_labels", id="undeclared"),
    pytest.param(np.array([[0, 2], [1, 0]], np.uint16), None, id="uint16-declared"),
]


@pytest.mark.parametrize(("array", "code"), LABEL_VALUES)
def test_label_values(tmp_path, array, code):
    path = write_label_map(tmp_path / "case.nrrd", array)

    if code is None:
        assert read_label_array(path, [1, 2]).tolist() == array.astype(int).tolist()
    else:
        with pytest.raises(LabelMapError) as caught:
            read_label_array(path, [1, 2])
        assert caught.value.code == code


def test_undeclared_labels_are_named(tmp_path):
    path = write_label_map(tmp_path / "case.nii.gz", np.array([[0, 7, 9], [1, 0, 300]], np.uint16))

    with pytest.raises(LabelMapError, match="label values 7, 9, 300 are not declared"):
        read_label_array(path, [1, 2])


def test_geometry_spacing_in_array_order(tmp_path):
    path = write_label_map(tmp_path / "case.mha", np.zeros((3, 4, 5), np.uint8), spacing=(0.5, 1.0, 4.0))

    geometry = read_geometry(path)

    assert geometry.array_shape == (3, 4, 5)
    assert geometry.array_spacing_mm == (4.0, 1.0, 0.5)


def test_spacing_order_in_scores(tmp_path, cube_task, cube_labels):
    # The prediction is one slice off along z, whose spacing (x, y, z) = (0.5, 1, 4) is 4 mm.
    spacing = (0.5, 1.0, 4.0)
    reference = write_label_map(tmp_path / "ref" / "c.nii.gz", cube_labels, spacing=spacing)
    prediction = write_label_map(tmp_path / "pred" / "c.nii.gz", np.roll(cube_labels, 1, axis=0), spacing=spacing)

    record = evaluate_case(cube_task, "c", [reference], prediction)

    assert record["raw"]["organ"]["hd95"] == 4.0


# Columns: prediction header changes, expected text in the message.
GEOMETRY_MISMATCHES = [
    pytest.param({"spacing": (1.0, 1.0, 2.0)}, "spacing (1.0, 1.0, 1.0) mm expected, got (1.0, 1.0, 2.0) mm", id="spacing"),
    pytest.param({"origin": (0.0, 0.0, 5.0)}, "origin (0.0, 0.0, 0.0) mm expected, got (0.0, 0.0, 5.0) mm", id="origin"),
    pytest.param({"direction": (1, 0, 0, 0, 1, 0, 0, 0, -1)}, "an axis is flipped or permuted", id="flipped-z"),
    pytest.param({"direction": (0, 1, 0, 1, 0, 0, 0, 0, 1)}, "an axis is flipped or permuted", id="permuted-xy"),
]


@pytest.mark.parametrize(("header", "message"), GEOMETRY_MISMATCHES)
def test_geometry_mismatch_rejected(tmp_path, cube_task, cube_labels, header, message):
    reference = write_label_map(tmp_path / "ref" / "c.nii.gz", cube_labels)
    prediction = write_label_map(tmp_path / "pred" / "c.nii.gz", cube_labels, **header)

    record = evaluate_case(cube_task, "c", [reference], prediction, prediction_name="upload.nii.gz")

    assert record["status"] == {"organ": "rejected"}
    assert record["errors"][0]["code"] == "geometry_mismatch"
    assert message in record["errors"][0]["message"]
    assert record["errors"][0]["message"].startswith("Case c, file upload.nii.gz: ")
    assert str(tmp_path) not in record["errors"][0]["message"]


def test_size_mismatch_rejected(tmp_path, cube_task, cube_labels):
    reference = write_label_map(tmp_path / "ref" / "c.nii.gz", cube_labels)
    prediction = write_label_map(tmp_path / "pred" / "c.nii.gz", cube_labels[:-1])

    record = evaluate_case(cube_task, "c", [reference], prediction)

    assert "size (12, 12, 12) expected, got (12, 12, 11)" in record["errors"][0]["message"]


def test_tiny_header_rounding_accepted(tmp_path, cube_task, cube_labels):
    reference = write_label_map(tmp_path / "ref" / "c.nii.gz", cube_labels, spacing=(0.7, 0.7, 2.5), origin=(-100.0, 50.0, 20.0))
    prediction = write_label_map(
        tmp_path / "pred" / "c.nii.gz", cube_labels, spacing=(0.70003, 0.7, 2.5), origin=(-100.0005, 50.0, 20.0)
    )

    record = evaluate_case(cube_task, "c", [reference], prediction)

    assert record["status"] == {"organ": "ok"}


def write_detached_metaimage(folder, data_file_field):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "c.raw").write_bytes(np.zeros((2, 2), np.uint8).tobytes())
    header = (
        "ObjectType = Image\nNDims = 2\nDimSize = 2 2\nElementSpacing = 1 1\n"
        f"ElementType = MET_UCHAR\nElementDataFile = {data_file_field}\n"
    )
    path = folder / "c.mhd"
    path.write_text(header)
    return path


DATA_FILE_FIELDS = [
    pytest.param("c.raw", None, id="plain-name-beside"),
    pytest.param("../c.raw", "unsupported_file", id="parent-folder"),
    pytest.param("{folder}/c.raw", "unsupported_file", id="absolute"),
    pytest.param("sub/c.raw", "unsupported_file", id="sub-folder"),
    pytest.param("absent.raw", "unsupported_file", id="not-beside"),
    pytest.param("LIST", "unsupported_file", id="file-list"),
]


@pytest.mark.parametrize(("field", "code"), DATA_FILE_FIELDS)
def test_detached_data_file(tmp_path, field, code):
    folder = tmp_path / "pred"
    path = write_detached_metaimage(folder, field.format(folder=folder))

    if code is None:
        assert read_label_array(path, [1]).shape == (2, 2)
    else:
        with pytest.raises(LabelMapError) as caught:
            read_geometry(path)
        assert caught.value.code == code


def test_nrrd_detached_outside_rejected(tmp_path):
    path = tmp_path / "c.nhdr"
    path.write_text(f"NRRD0004\ntype: uchar\ndimension: 2\nsizes: 2 2\nencoding: raw\ndata file: {tmp_path}/c.raw\n\n")
    (tmp_path / "c.raw").write_bytes(bytes(4))

    with pytest.raises(LabelMapError, match="only a plain file name"):
        read_geometry(path)


def test_prediction_folder_matching(tmp_path):
    folder = tmp_path / "pred"
    for name in ("a.nii.gz", "b.nii.gz", "b.mha"):
        write_label_map(folder / name, np.zeros((2, 2), np.uint8))
    for name in ("notes.txt", ".DS_Store"):
        (folder / name).write_text("x")
    write_detached_metaimage(folder, "c.raw")

    index = find_prediction_files(folder)

    assert sorted(index.files) == ["a", "c"]
    assert [path.name for path in index.duplicates["b"]] == ["b.mha", "b.nii.gz"]
    assert [path.name for path in index.unsupported] == ["notes.txt"]
    assert index.problems["b"][0]["code"] == "duplicate_prediction"


def test_reference_folder_with_annotations(tmp_path):
    write_label_map(tmp_path / "case_1.nii.gz", np.zeros((2, 2), np.uint8))
    write_label_map(tmp_path / "case_2" / "rater_b.nii.gz", np.zeros((2, 2), np.uint8))
    write_label_map(tmp_path / "case_2" / "rater_a.nii.gz", np.zeros((2, 2), np.uint8))

    cases = find_reference_cases(tmp_path)

    assert [path.name for path in cases["case_2"]] == ["rater_a.nii.gz", "rater_b.nii.gz"]
    assert [path.name for path in cases["case_1"]] == ["case_1.nii.gz"]
