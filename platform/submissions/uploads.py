"""Check uploaded prediction files and turn them into one stored archive.

A participant uploads either one archive (zip or tar, optionally gzipped) or
one or several label-map files. The pipeline receives one stored file: an
archive or a single label map is stored as it is, and several label maps are
packed into ``predictions.zip``, whose members are the uploaded file names at
the top level. ``Submission.original_name`` is the stored file's name, which
the pipeline reads to tell a single label map from an archive.
"""

import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.template.defaultfilters import filesizeformat

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")
LABEL_MAP_SUFFIXES = (".nii.gz", ".nii", ".mha", ".nrrd")
PACKED_ARCHIVE_NAME = "predictions.zip"
# Already compressed files gain nothing from deflate.
_STORED_SUFFIXES = (".gz",)


class InvalidUpload(Exception):
    """The uploaded files cannot become a submission; the message explains why and what to do."""


@dataclass
class PreparedUpload:
    """An archive ready to be saved into private storage."""

    file: File
    storage_name: str
    original_name: str

    def close(self):
        self.file.close()


def suffix_of(name, suffixes):
    """Return the suffix of ``name`` among ``suffixes`` (case-insensitive), or None."""
    lowered = name.lower()
    for suffix in suffixes:
        if lowered.endswith(suffix):
            return suffix
    return None


def max_upload_bytes():
    return settings.PODIUM_MAX_UPLOAD_BYTES


def size_limit_message(size_bytes):
    """Return the message for an upload of ``size_bytes`` over the limit."""
    return (
        f"The upload is {filesizeformat(size_bytes)}, above the limit of {filesizeformat(max_upload_bytes())}; "
        "remove files that are not predictions or compress the label maps (.nii.gz)."
    )


def check_request_size(content_length):
    """Raise InvalidUpload when a request body is larger than the upload limit allows."""
    try:
        size_bytes = int(content_length or 0)
    except ValueError:
        return
    # The multipart envelope adds a few hundred bytes per file, so allow 64 KiB
    # of overhead before rejecting a body that was not read.
    if size_bytes > max_upload_bytes() + 64 * 1024:
        raise InvalidUpload(size_limit_message(size_bytes))


def check_files(files):
    """Raise InvalidUpload unless ``files`` is one archive or one or more label-map files."""
    if not files:
        raise InvalidUpload("No file was uploaded; choose a zip or tar.gz archive or label-map files.")

    total_bytes = sum(uploaded.size for uploaded in files)
    if total_bytes > max_upload_bytes():
        raise InvalidUpload(size_limit_message(total_bytes))

    names = [PurePath(uploaded.name).name for uploaded in files]
    archives = [name for name in names if suffix_of(name, ARCHIVE_SUFFIXES)]
    if archives and len(files) > 1:
        raise InvalidUpload(
            f"Upload one archive alone, or label-map files without an archive; got {len(files)} files "
            f"including the archive {archives[0]}."
        )

    if archives:
        check_archive(files[0], names[0])
        return

    unsupported = [name for name in names if not suffix_of(name, LABEL_MAP_SUFFIXES)]
    if unsupported:
        raise InvalidUpload(
            f"Unsupported file {unsupported[0]}: upload .nii, .nii.gz, .mha or .nrrd label maps, "
            "or put .mhd and .raw pairs inside a zip or tar.gz archive."
        )

    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InvalidUpload(f"The file {duplicates[0]} was uploaded twice; each case needs one file.")


def check_archive(uploaded, name):
    """Raise InvalidUpload when an archive cannot be opened at all."""
    # The pipeline extracts the archive safely and reports each member's
    # problem; this only catches files that are not archives.
    uploaded.seek(0)
    if suffix_of(name, (".zip",)):
        readable = zipfile.is_zipfile(uploaded)
    else:
        try:
            with tarfile.open(fileobj=uploaded, mode="r:*") as archive:
                archive.next()
            readable = True
        except (tarfile.TarError, EOFError, OSError):
            readable = False
    uploaded.seek(0)
    if not readable:
        raise InvalidUpload(f"The archive {name} could not be read; check that it is a complete zip or tar.gz file.")


def prepare_upload(files):
    """Check the uploaded files and return the one archive to store for the pipeline."""
    check_files(files)

    first_name = PurePath(files[0].name).name
    if len(files) == 1:
        files[0].seek(0)
        return PreparedUpload(file=File(files[0]), storage_name=first_name, original_name=first_name[:255])

    packed = tempfile.TemporaryFile(suffix=".zip", dir=settings.FILE_UPLOAD_TEMP_DIR)
    with zipfile.ZipFile(packed, mode="w", allowZip64=True) as archive:
        for uploaded in files:
            member_name = PurePath(uploaded.name).name
            compression = zipfile.ZIP_STORED if suffix_of(member_name, _STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(member_name)
            info.compress_type = compression
            uploaded.seek(0)
            # Copy in chunks, so a large label map never sits whole in memory.
            with archive.open(info, mode="w", force_zip64=True) as member:
                shutil.copyfileobj(uploaded, member, length=1024 * 1024)
    packed.seek(0)

    return PreparedUpload(
        file=File(packed, name=PACKED_ARCHIVE_NAME),
        storage_name=PACKED_ARCHIVE_NAME,
        original_name=PACKED_ARCHIVE_NAME,
    )
