"""Safe unpacking of an uploaded zip or tar archive, or a single label-map file.

An upload comes from a participant, so nothing in it is trusted. Member names
must stay inside the destination folder, and links and device files are
rejected. The number of files and the bytes written are capped while writing,
whatever the archive's headers declare.
"""

import gzip
import lzma
import re
import shutil
import stat
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

LABEL_MAP_SUFFIXES = (".nii.gz", ".nii", ".mha", ".nrrd", ".nhdr", ".mhd")
COPY_CHUNK_BYTES = 1024 * 1024
# Files that archiving tools on macOS add beside the real content.
IGNORED_FOLDER_NAMES = {"__MACOSX"}
IGNORED_FILE_NAMES = {".DS_Store", "Thumbs.db"}

DEFAULT_MAX_FILES = 20_000
DEFAULT_MAX_UNPACKED_BYTES = 64 * 1024**3

# Errors that mean the upload's bytes are not a readable archive (as opposed to
# a failing disk, which raises a plain OSError and is retried).
UNREADABLE_ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    tarfile.TarError,
    EOFError,
    zlib.error,
    gzip.BadGzipFile,
    lzma.LZMAError,
)


class ArchiveError(Exception):
    """An upload that cannot be unpacked; the message is written for the participant."""


@dataclass(frozen=True)
class ExtractionLimits:
    max_files: int
    max_bytes: int

    @classmethod
    def from_settings(cls):
        """Read the limits from PODIUM_MAX_ARCHIVE_FILES and PODIUM_MAX_UNPACKED_BYTES."""
        return cls(
            max_files=getattr(settings, "PODIUM_MAX_ARCHIVE_FILES", DEFAULT_MAX_FILES),
            max_bytes=getattr(settings, "PODIUM_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES),
        )


def is_label_map_name(name):
    """Return whether a file name has the suffix of a label-map format."""
    return name.lower().endswith(LABEL_MAP_SUFFIXES)


def unpack_upload(upload_path, original_name, destination, limits=None):
    """Unpack an upload into ``destination`` and return the relative names written.

    A zip or tar archive (plain, gzip, bzip2 or xz) is unpacked. A single
    label-map file, whose ``original_name`` ends in a label-map suffix, is
    copied under its uploaded name. Raises ArchiveError with a message for the
    participant when the upload cannot be read or breaks a rule.
    """
    limits = limits or ExtractionLimits.from_settings()
    upload_path = Path(upload_path)
    destination = Path(destination)

    if is_label_map_name(original_name):
        return [_copy_single_file(upload_path, original_name, destination, limits)]

    try:
        if zipfile.is_zipfile(upload_path):
            return _ArchiveWriter(original_name, destination, limits).unpack_zip(upload_path)
        if tarfile.is_tarfile(upload_path):
            return _ArchiveWriter(original_name, destination, limits).unpack_tar(upload_path)
    except UNREADABLE_ARCHIVE_ERRORS as error:
        raise ArchiveError(
            f"The archive {original_name} is damaged and could not be read ({error}). "
            "Create it again and upload the new file."
        ) from error

    raise ArchiveError(
        f"The file {original_name} is neither a zip or tar archive nor a label map "
        f"({', '.join(LABEL_MAP_SUFFIXES)}). Upload a .zip or .tar.gz archive of label maps named by case id."
    )


def _copy_single_file(upload_path, original_name, destination, limits):
    name = PurePosixPath(original_name.replace("\\", "/")).name
    size_bytes = upload_path.stat().st_size
    if size_bytes > limits.max_bytes:
        raise ArchiveError(
            f"The file {original_name} has {size_bytes} bytes, more than the limit of {limits.max_bytes} bytes."
        )
    shutil.copyfile(upload_path, destination / name)
    return name


def safe_member_parts(member_name, archive_name):
    """Return the path components of an archive member, or raise ArchiveError if unsafe.

    Backslashes count as separators, because archives made on Windows may use
    them. Empty and '.' components are dropped.
    """
    normalised = member_name.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"^[A-Za-z]:", normalised):
        raise ArchiveError(
            f"The archive {archive_name} contains {member_name!r}, an absolute path. "
            "Create the archive from inside the folder of predictions, so that names are relative."
        )
    parts = [part for part in normalised.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise ArchiveError(
            f"The archive {archive_name} contains {member_name!r}, which points outside the archive ('..'). "
            "Create the archive again with plain relative names."
        )
    return parts


def is_ignored_member(parts):
    """Return whether a member is operating-system clutter rather than content."""
    if any(part in IGNORED_FOLDER_NAMES for part in parts[:-1]):
        return True
    return parts[-1] in IGNORED_FILE_NAMES or parts[-1].startswith("._")


class _ArchiveWriter:
    """Write the regular files of one archive while enforcing the limits."""

    def __init__(self, archive_name, destination, limits):
        self.archive_name = archive_name
        self.destination = destination
        self.limits = limits
        self.written = []
        self.written_set = set()
        self.bytes_written = 0

    def unpack_zip(self, path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                parts = safe_member_parts(info.filename, self.archive_name)
                if not parts or info.is_dir() or is_ignored_member(parts):
                    continue
                self._check_zip_member(info)
                try:
                    with archive.open(info) as source:
                        self._write_member(parts, info.filename, source)
                except NotImplementedError as error:
                    raise ArchiveError(
                        f"The archive {self.archive_name} stores {info.filename!r} with a compression method "
                        f"that cannot be read ({error}). Create the archive with standard zip (deflate) compression."
                    ) from error
        return self.written

    def unpack_tar(self, path):
        with tarfile.open(path, mode="r:*") as archive:
            for member in archive:
                parts = safe_member_parts(member.name, self.archive_name)
                if not parts or member.isdir() or is_ignored_member(parts):
                    continue
                self._check_tar_member(member)
                source = archive.extractfile(member)
                with source:
                    self._write_member(parts, member.name, source)
        return self.written

    def _check_zip_member(self, info):
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise self._link_error(info.filename)
        if info.flag_bits & 0x1:
            raise ArchiveError(
                f"The archive {self.archive_name} is encrypted ({info.filename!r}). Upload it without a password."
            )
        if info.file_size > self.limits.max_bytes - self.bytes_written:
            raise self._size_error()

    def _check_tar_member(self, member):
        if member.issym() or member.islnk():
            raise self._link_error(member.name)
        if not member.isreg():
            raise ArchiveError(
                f"The archive {self.archive_name} contains {member.name!r}, which is not a regular file "
                "(a device, FIFO or other special file). Archive only the label-map files."
            )
        if member.size > self.limits.max_bytes - self.bytes_written:
            raise self._size_error()

    def _write_member(self, parts, member_name, source):
        relative_name = "/".join(parts)
        if relative_name in self.written_set:
            raise ArchiveError(
                f"The archive {self.archive_name} contains {member_name!r} more than once. "
                "Create the archive again with each file once."
            )
        if len(self.written) >= self.limits.max_files:
            raise ArchiveError(
                f"The archive {self.archive_name} contains more than {self.limits.max_files} files. "
                "Upload only the label maps, one per case."
            )

        target = self.destination.joinpath(*parts)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # Mode "xb" refuses to open a file that exists, so a member can
            # never write through a file or link made by an earlier member.
            output = open(target, "xb")
        except (FileExistsError, NotADirectoryError, IsADirectoryError) as error:
            raise ArchiveError(
                f"The archive {self.archive_name} contains {member_name!r}, whose name clashes with another "
                "file or folder in the archive. Give every file its own name."
            ) from error

        with output:
            while chunk := source.read(COPY_CHUNK_BYTES):
                self.bytes_written += len(chunk)
                if self.bytes_written > self.limits.max_bytes:
                    raise self._size_error()
                output.write(chunk)

        self.written.append(relative_name)
        self.written_set.add(relative_name)

    def _link_error(self, member_name):
        return ArchiveError(
            f"The archive {self.archive_name} contains {member_name!r}, a link. "
            "Links are not accepted; archive the label-map files themselves."
        )

    def _size_error(self):
        return ArchiveError(
            f"The archive {self.archive_name} unpacks to more than {self.limits.max_bytes} bytes. "
            "Upload compressed label maps (.nii.gz) and nothing else."
        )
