"""Checking uploaded prediction files and packing several into one stored archive."""

import io
import tarfile
import zipfile

import pytest

from submissions.uploads import InvalidUpload, check_request_size, prepare_upload
from tests.platform.factories import uploaded, zip_bytes


def tar_gz_bytes(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ([], "No file was uploaded; choose a zip or tar.gz archive or label-map files."),
        (["a.zip", "b.nii.gz"], "Upload one archive alone, or label-map files without an archive; got 2 files "
         "including the archive a.zip."),
        (["case_1.mhd"], "Unsupported file case_1.mhd: upload .nii, .nii.gz, .mha or .nrrd label maps, or put .mhd "
         "and .raw pairs inside a zip or tar.gz archive."),
        (["notes.txt"], "Unsupported file notes.txt: upload .nii, .nii.gz, .mha or .nrrd label maps, or put .mhd "
         "and .raw pairs inside a zip or tar.gz archive."),
        (["case_1.nii.gz", "case_1.nii.gz"], "The file case_1.nii.gz was uploaded twice; each case needs one file."),
        (["broken.zip"], "The archive broken.zip could not be read; check that it is a complete zip or tar.gz file."),
        (["broken.tar.gz"], "The archive broken.tar.gz could not be read; check that it is a complete zip or tar.gz "
         "file."),
    ],
    ids=["nothing", "archive-and-file", "lone-mhd", "text-file", "duplicate", "broken-zip", "broken-tar"],
)
def test_invalid_uploads_rejected(names, message):
    files = [uploaded(name, b"not an archive") for name in names]
    with pytest.raises(InvalidUpload) as raised:
        prepare_upload(files)
    assert str(raised.value) == message


def test_upload_over_limit_rejected(settings):
    settings.PODIUM_MAX_UPLOAD_BYTES = 10
    with pytest.raises(InvalidUpload) as raised:
        prepare_upload([uploaded("case_1.nii.gz", b"x" * 11)])
    assert str(raised.value) == (
        "The upload is 11\xa0bytes, above the limit of 10\xa0bytes; remove files that are not predictions or "
        "compress the label maps (.nii.gz)."
    )


def test_request_over_limit_rejected_before_reading(settings):
    settings.PODIUM_MAX_UPLOAD_BYTES = 1000
    check_request_size(str(1000 + 64 * 1024))
    with pytest.raises(InvalidUpload):
        check_request_size(str(1001 + 64 * 1024))


@pytest.mark.parametrize(
    ("name", "data"),
    [("predictions.zip", zip_bytes({"case_1.nii.gz": b"a"})), ("predictions.tar.gz", tar_gz_bytes({"case_1.nii": b"a"}))],
    ids=["zip", "tar-gz"],
)
def test_archive_stored_as_uploaded(name, data):
    prepared = prepare_upload([uploaded(name, data)])
    assert prepared.storage_name == name
    assert prepared.original_name == name
    assert prepared.file.read() == data


def test_single_label_map_stored_as_uploaded():
    prepared = prepare_upload([uploaded("case_7.nii.gz", b"label map")])
    assert prepared.original_name == "case_7.nii.gz"
    assert prepared.file.read() == b"label map"


def test_several_label_maps_packed_into_zip():
    prepared = prepare_upload([uploaded("case_1.nii.gz", b"one"), uploaded("case_2.mha", b"two")])
    assert prepared.original_name == "predictions.zip"
    with zipfile.ZipFile(prepared.file) as archive:
        assert archive.namelist() == ["case_1.nii.gz", "case_2.mha"]
        assert archive.read("case_1.nii.gz") == b"one"
        assert archive.read("case_2.mha") == b"two"
