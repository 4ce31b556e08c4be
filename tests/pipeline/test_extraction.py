"""Safe unpacking of uploads: what is written, and what is rejected with which message."""

import io
import stat
import tarfile
import zipfile

import pytest

from submissions.pipeline.extraction import ArchiveError, ExtractionLimits, unpack_upload

GENEROUS = ExtractionLimits(max_files=100, max_bytes=10_000)


def write_zip(path, members):
    """Write a zip archive of {name: bytes}."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def write_tar(path, members, mode="w:gz"):
    """Write a tar archive of {name: bytes}."""
    with tarfile.open(path, mode) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def destination(tmp_path):
    folder = tmp_path / "unpacked"
    folder.mkdir()
    return folder


@pytest.mark.parametrize(
    "writer, file_name",
    [
        pytest.param(write_zip, "predictions.zip", id="zip"),
        pytest.param(write_tar, "predictions.tar.gz", id="tar-gz"),
        pytest.param(lambda path, members: write_tar(path, members, mode="w"), "predictions.tar", id="plain-tar"),
    ],
)
def test_archive_unpacks_members(tmp_path, destination, writer, file_name):
    upload = writer(tmp_path / file_name, {"case_1.nii.gz": b"one", "nested/case_2.nii.gz": b"two"})

    written = unpack_upload(upload, file_name, destination, GENEROUS)

    assert sorted(written) == ["case_1.nii.gz", "nested/case_2.nii.gz"]
    assert (destination / "case_1.nii.gz").read_bytes() == b"one"
    assert (destination / "nested" / "case_2.nii.gz").read_bytes() == b"two"


def test_single_label_map_is_copied(tmp_path, destination):
    upload = tmp_path / "stored-name"
    upload.write_bytes(b"label map")

    written = unpack_upload(upload, "case_7.nii.gz", destination, GENEROUS)

    assert written == ["case_7.nii.gz"]
    assert (destination / "case_7.nii.gz").read_bytes() == b"label map"


def test_macos_clutter_is_skipped(tmp_path, destination):
    upload = write_zip(
        tmp_path / "p.zip", {"case_1.nii.gz": b"1", "__MACOSX/._case_1.nii.gz": b"x", ".DS_Store": b"x"}
    )

    written = unpack_upload(upload, "p.zip", destination, GENEROUS)

    assert written == ["case_1.nii.gz"]


@pytest.mark.parametrize(
    "member_name, expected_message",
    [
        pytest.param(
            "/etc/case_1.nii.gz",
            "The archive p.zip contains '/etc/case_1.nii.gz', an absolute path. "
            "Create the archive from inside the folder of predictions, so that names are relative.",
            id="absolute",
        ),
        pytest.param(
            "../case_1.nii.gz",
            "The archive p.zip contains '../case_1.nii.gz', which points outside the archive ('..'). "
            "Create the archive again with plain relative names.",
            id="parent",
        ),
        pytest.param(
            "a\\..\\..\\case_1.nii.gz",
            "The archive p.zip contains 'a\\\\..\\\\..\\\\case_1.nii.gz', which points outside the archive ('..'). "
            "Create the archive again with plain relative names.",
            id="windows-parent",
        ),
        pytest.param(
            "C:/case_1.nii.gz",
            "The archive p.zip contains 'C:/case_1.nii.gz', an absolute path. "
            "Create the archive from inside the folder of predictions, so that names are relative.",
            id="drive-letter",
        ),
    ],
)
def test_unsafe_zip_name_is_rejected(tmp_path, destination, member_name, expected_message):
    upload = write_zip(tmp_path / "p.zip", {member_name: b"x"})

    with pytest.raises(ArchiveError) as raised:
        unpack_upload(upload, "p.zip", destination, GENEROUS)

    assert str(raised.value) == expected_message
    assert list(destination.iterdir()) == []


def test_tar_symlink_is_rejected(tmp_path, destination):
    upload = tmp_path / "p.tar.gz"
    with tarfile.open(upload, "w:gz") as archive:
        link = tarfile.TarInfo("case_1.nii.gz")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)

    with pytest.raises(ArchiveError) as raised:
        unpack_upload(upload, "p.tar.gz", destination, GENEROUS)

    assert str(raised.value) == (
        "The archive p.tar.gz contains 'case_1.nii.gz', a link. "
        "Links are not accepted; archive the label-map files themselves."
    )


def test_tar_hard_link_is_rejected(tmp_path, destination):
    upload = tmp_path / "p.tar"
    with tarfile.open(upload, "w") as archive:
        info = tarfile.TarInfo("case_1.nii.gz")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"1"))
        link = tarfile.TarInfo("case_2.nii.gz")
        link.type = tarfile.LNKTYPE
        link.linkname = "case_1.nii.gz"
        archive.addfile(link)

    with pytest.raises(ArchiveError, match="'case_2.nii.gz', a link"):
        unpack_upload(upload, "p.tar", destination, GENEROUS)


def test_tar_device_file_is_rejected(tmp_path, destination):
    upload = tmp_path / "p.tar"
    with tarfile.open(upload, "w") as archive:
        device = tarfile.TarInfo("case_1.nii.gz")
        device.type = tarfile.CHRTYPE
        archive.addfile(device)

    with pytest.raises(ArchiveError) as raised:
        unpack_upload(upload, "p.tar", destination, GENEROUS)

    assert str(raised.value) == (
        "The archive p.tar contains 'case_1.nii.gz', which is not a regular file "
        "(a device, FIFO or other special file). Archive only the label-map files."
    )


def test_zip_symlink_is_rejected(tmp_path, destination):
    upload = tmp_path / "p.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        info = zipfile.ZipInfo("case_1.nii.gz")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")

    with pytest.raises(ArchiveError, match="'case_1.nii.gz', a link"):
        unpack_upload(upload, "p.zip", destination, GENEROUS)


def test_too_many_files_is_rejected(tmp_path, destination):
    upload = write_zip(tmp_path / "p.zip", {f"case_{index}.nii.gz": b"x" for index in range(4)})

    with pytest.raises(ArchiveError) as raised:
        unpack_upload(upload, "p.zip", destination, ExtractionLimits(max_files=3, max_bytes=10_000))

    assert str(raised.value) == (
        "The archive p.zip contains more than 3 files. Upload only the label maps, one per case."
    )


@pytest.mark.parametrize(
    "writer, file_name",
    [
        pytest.param(write_zip, "p.zip", id="zip"),
        pytest.param(write_tar, "p.tar.gz", id="tar-gz"),
    ],
)
def test_too_many_bytes_is_rejected(tmp_path, destination, writer, file_name):
    # 2,000 zero bytes compress to a few dozen, so only the unpacked size is over the limit.
    upload = writer(tmp_path / file_name, {"case_1.nii": bytes(2_000)})

    with pytest.raises(ArchiveError) as raised:
        unpack_upload(upload, file_name, destination, ExtractionLimits(max_files=10, max_bytes=1_000))

    assert str(raised.value) == (
        f"The archive {file_name} unpacks to more than 1000 bytes. "
        "Upload compressed label maps (.nii.gz) and nothing else."
    )


def test_zip_bomb_with_false_header_is_stopped(tmp_path, destination):
    # The header declares 10 bytes; the counted bytes, not the header, must stop the write.
    upload = write_zip(tmp_path / "p.zip", {"case_1.nii": bytes(5_000)})
    data = bytearray(upload.read_bytes())
    with zipfile.ZipFile(upload) as archive:
        info = archive.getinfo("case_1.nii")
    patched = data.replace(info.file_size.to_bytes(4, "little"), (10).to_bytes(4, "little"))
    upload.write_bytes(bytes(patched))

    with pytest.raises(ArchiveError):
        unpack_upload(upload, "p.zip", destination, ExtractionLimits(max_files=10, max_bytes=1_000))

    written_bytes = sum(path.stat().st_size for path in destination.rglob("*") if path.is_file())
    assert written_bytes <= 1_000


def test_repeated_member_is_rejected(tmp_path, destination):
    upload = write_tar(tmp_path / "p.tar.gz", {"case_1.nii.gz": b"1"})
    with tarfile.open(upload, "w:gz") as archive:
        for data in (b"1", b"2"):
            info = tarfile.TarInfo("case_1.nii.gz")
            info.size = 1
            archive.addfile(info, io.BytesIO(data))

    with pytest.raises(ArchiveError) as raised:
        unpack_upload(upload, "p.tar.gz", destination, GENEROUS)

    assert str(raised.value) == (
        "The archive p.tar.gz contains 'case_1.nii.gz' more than once. Create the archive again with each file once."
    )


def test_file_and_folder_name_clash_is_rejected(tmp_path, destination):
    upload = write_tar(tmp_path / "p.tar.gz", {"case_1": b"1", "case_1/case_2.nii.gz": b"2"})

    with pytest.raises(ArchiveError, match="whose name clashes with another file or folder"):
        unpack_upload(upload, "p.tar.gz", destination, GENEROUS)


def test_damaged_archive_is_rejected(tmp_path, destination):
    upload = write_zip(tmp_path / "p.zip", {"case_1.nii.gz": bytes(3_000)})
    data = bytearray(upload.read_bytes())
    data[40:60] = bytes(20)
    upload.write_bytes(bytes(data))

    with pytest.raises(ArchiveError, match="^The archive p.zip is damaged and could not be read"):
        unpack_upload(upload, "p.zip", destination, GENEROUS)


def test_unknown_file_type_is_rejected(tmp_path, destination):
    upload = tmp_path / "notes.txt"
    upload.write_text("not an archive")

    with pytest.raises(ArchiveError) as raised:
        unpack_upload(upload, "notes.txt", destination, GENEROUS)

    assert str(raised.value) == (
        "The file notes.txt is neither a zip or tar archive nor a label map "
        "(.nii.gz, .nii, .mha, .nrrd, .nhdr, .mhd). Upload a .zip or .tar.gz archive of label maps named by case id."
    )
