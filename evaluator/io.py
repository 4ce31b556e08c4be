"""Label-map loading through SimpleITK, case-id naming and safe data-file checks.

Supported formats are NIfTI (``.nii``, ``.nii.gz``), MetaImage (``.mha``,
``.mhd``) and NRRD (``.nrrd``, ``.nhdr``), in 2D and 3D. A MetaImage or NRRD
header can name a separate data file (``ElementDataFile`` or ``data file``),
which could point anywhere on the machine. Such a header is read as text first
and accepted only when the data file is a plain file name, without a folder
part, that exists beside the header.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import SimpleITK as sitk

from evaluator.geometry import ImageGeometry

# Longest suffix first, so that "x.nii.gz" is not taken for a ".gz" file.
IMAGE_IO_BY_EXTENSION = {
    ".nii.gz": "NiftiImageIO",
    ".nii": "NiftiImageIO",
    ".mha": "MetaImageIO",
    ".mhd": "MetaImageIO",
    ".nrrd": "NrrdImageIO",
    ".nhdr": "NrrdImageIO",
}
HEADER_READ_LIMIT_BYTES = 1 << 16
_METAIMAGE_DATA_FILE = re.compile(rb"^\s*ElementDataFile\s*=\s*(.*?)\s*$", re.MULTILINE)
_NRRD_DATA_FILE = re.compile(rb"^\s*data ?file\s*:\s*(.*?)\s*$", re.MULTILINE | re.IGNORECASE)


class LabelMapError(Exception):
    """A label map that cannot be scored, with a machine-readable code.

    ``code`` is one of ``unreadable``, ``unsupported_file``,
    ``geometry_mismatch``, ``non_integer_labels`` or ``undeclared_labels``.
    ``message`` describes the problem without naming any storage path.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class ReferenceError(Exception):  # noqa: A001 - the name that docs/architecture.md fixes
    """A reference annotation that cannot be read: the organiser's problem, not the participant's."""


def image_extension(file_name: str) -> str | None:
    """Return the supported image extension of a file name, or None.

    Examples
    --------
    >>> image_extension("case_00010.nii.gz"), image_extension("notes.txt")
    ('.nii.gz', None)
    """
    lowered = file_name.lower()
    for extension in IMAGE_IO_BY_EXTENSION:
        if lowered.endswith(extension) and len(lowered) > len(extension):
            return extension
    return None


def case_id_from_file_name(file_name: str) -> str | None:
    """Return the case id of an image file name (the name without its extension), or None.

    Examples
    --------
    >>> case_id_from_file_name("case_00010.nii.gz")
    'case_00010'
    >>> case_id_from_file_name("case_00010.txt") is None
    True
    """
    extension = image_extension(file_name)
    if extension is None:
        return None
    return file_name[: -len(extension)]


def detached_data_file(path: Path) -> str | None:
    """Return the data file that a MetaImage or NRRD header names, None when the data is inline.

    Raises
    ------
    LabelMapError
        With code ``unsupported_file`` when the header names a data file that is
        not a plain file name existing beside the header (a folder part, an
        absolute path, ``..``, a file list or a pattern).
    """
    extension = image_extension(path.name)
    if extension not in (".mha", ".mhd", ".nrrd", ".nhdr"):
        return None

    try:
        with open(path, "rb") as header_file:
            head = header_file.read(HEADER_READ_LIMIT_BYTES)
    except OSError as error:
        raise LabelMapError("unreadable", f"the file cannot be opened ({error.strerror})") from error

    if extension in (".mha", ".mhd"):
        match = _METAIMAGE_DATA_FILE.search(head)
        if match is None:
            if extension == ".mhd":
                raise LabelMapError("unreadable", "the MetaImage header has no ElementDataFile field")
            return None
        data_file = match.group(1).decode("latin-1")
        if data_file == "LOCAL":
            return None
    else:
        # An NRRD header ends at the first empty line; only that part is searched.
        header = head.split(b"\n\n", 1)[0]
        match = _NRRD_DATA_FILE.search(header)
        if match is None:
            if extension == ".nhdr":
                raise LabelMapError("unreadable", "the NRRD header has no 'data file' field")
            return None
        data_file = match.group(1).decode("latin-1")

    if not _is_plain_file_name(data_file) or not _is_regular_file(path.parent / data_file):
        raise LabelMapError(
            "unsupported_file",
            f"the header names the data file {data_file!r}, but only a plain file name of a file "
            "uploaded beside the header is accepted; put the data file next to the header and name "
            "it without any folder, or upload a single-file format (.nii.gz, .mha, .nrrd)",
        )
    return data_file


def read_geometry(path: Path) -> ImageGeometry:
    """Read an image's geometry from its header, without reading the pixel data.

    Raises
    ------
    LabelMapError
        With code ``unsupported_file`` for an unknown extension or an unsafe
        data-file reference, ``unreadable`` when SimpleITK cannot read the header
        or the image is not a 2D or 3D scalar image.
    """
    reader = _reader(path)
    try:
        reader.ReadImageInformation()
    except RuntimeError as error:
        raise LabelMapError("unreadable", f"the file cannot be read as an image ({_error_reason(error, path)})") from error

    if reader.GetDimension() not in (2, 3) or reader.GetNumberOfComponents() != 1:
        raise LabelMapError(
            "unreadable",
            f"expected a 2D or 3D label map with one value per voxel, got a {reader.GetDimension()}D "
            f"image with {reader.GetNumberOfComponents()} values per voxel",
        )
    return ImageGeometry(
        size=tuple(int(value) for value in reader.GetSize()),
        spacing_mm=tuple(float(value) for value in reader.GetSpacing()),
        origin_mm=tuple(float(value) for value in reader.GetOrigin()),
        direction=tuple(float(value) for value in reader.GetDirection()),
    )


def read_label_array(path: Path, declared_labels) -> np.ndarray:
    """Read a label map's voxels as a non-negative integer array in (z, y, x) order.

    A float file whose values are all integral (e.g. 0.0 and 1.0) is accepted.

    Parameters
    ----------
    path : Path
        An image file whose header ``read_geometry`` has already checked.
    declared_labels : iterable of int
        The task's label values; 0 (background) is always allowed.

    Raises
    ------
    LabelMapError
        ``unreadable``, ``non_integer_labels`` (a value such as 0.99999994, NaN or
        a negative value) or ``undeclared_labels`` (naming the values).

    Examples
    --------
    >>> import tempfile, pathlib, SimpleITK as sitk, numpy as np
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "case.nii.gz"
    >>> sitk.WriteImage(sitk.GetImageFromArray(np.array([[0.0, 1.0]], np.float32)), str(path))
    >>> read_label_array(path, [1])
    array([[0, 1]], dtype=uint8)
    """
    reader = _reader(path)
    try:
        array = sitk.GetArrayFromImage(reader.Execute())
    except RuntimeError as error:
        raise LabelMapError("unreadable", f"the file cannot be read as an image ({_error_reason(error, path)})") from error

    if array.size == 0:
        return array.astype(np.uint8)
    if array.dtype.kind == "f":
        array = _integral_array(array)
    elif array.dtype.kind not in "iu":
        raise LabelMapError("non_integer_labels", f"expected integer label values, got pixel type {array.dtype}")

    smallest, largest = int(array.min()), int(array.max())
    if smallest < 0:
        raise LabelMapError(
            "non_integer_labels", f"label values must be 0 or positive whole numbers, found {smallest}"
        )
    _check_declared(array, largest, declared_labels)
    return array


def _integral_array(array: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(array)):
        raise LabelMapError(
            "non_integer_labels",
            "the label map contains NaN or infinite values; save it with an integer pixel type",
        )

    rounded = np.rint(array)
    not_integral = array != rounded
    if np.any(not_integral):
        examples = np.unique(array[not_integral])[:5]
        raise LabelMapError(
            "non_integer_labels",
            "label values must be whole numbers, found "
            + ", ".join(repr(float(value)) for value in examples)
            + "; save the label map with an integer pixel type",
        )

    largest = float(rounded.max())
    smallest = float(rounded.min())
    if smallest < 0:
        raise LabelMapError(
            "non_integer_labels", f"label values must be 0 or positive whole numbers, found {smallest:g}"
        )
    for dtype in (np.uint8, np.uint16, np.uint32):
        if largest <= np.iinfo(dtype).max:
            return rounded.astype(dtype)
    raise LabelMapError(
        "undeclared_labels",
        f"label value {largest:g} is far beyond any declared label; set those voxels to 0 or to a declared label",
    )


def _check_declared(array: np.ndarray, largest: int, declared_labels) -> None:
    allowed = sorted({0, *declared_labels})
    largest_allowed = allowed[-1]
    if largest <= largest_allowed and all(value in allowed for value in range(largest + 1)):
        return

    # Every value above the largest declared one maps to a last, undeclared slot.
    lookup = np.zeros(largest_allowed + 2, dtype=bool)
    lookup[allowed] = True
    undeclared_mask = ~lookup[np.minimum(array, largest_allowed + 1)]
    if np.any(undeclared_mask):
        undeclared = np.unique(array[undeclared_mask])
        raise LabelMapError(
            "undeclared_labels",
            f"label values {', '.join(str(int(value)) for value in undeclared[:10])} are not declared "
            f"by the task (declared: {', '.join(str(value) for value in allowed)}); "
            "set those voxels to 0 or to a declared label",
        )


def _reader(path: Path) -> sitk.ImageFileReader:
    extension = image_extension(path.name)
    if extension is None:
        raise LabelMapError(
            "unsupported_file",
            f"unsupported file type; expected one of {', '.join(IMAGE_IO_BY_EXTENSION)}",
        )
    detached_data_file(path)

    reader = sitk.ImageFileReader()
    reader.SetFileName(str(path))
    # Fixing the reader by extension stops SimpleITK from guessing another format.
    reader.SetImageIO(IMAGE_IO_BY_EXTENSION[extension])
    return reader


def _is_plain_file_name(name: str) -> bool:
    if not name or name in (".", "..") or any(character in name for character in "/\\\0"):
        return False
    # A file list ("LIST") or a numbered pattern ("%03d 1 10 1") has spaces or a "%".
    return not any(character.isspace() for character in name) and "%" not in name and name != "LIST"


def _is_regular_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _error_reason(error: Exception, path: Path) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    # SimpleITK errors start with the C++ source location; the last line contains the reason.
    reason = lines[-1] if lines else type(error).__name__
    return reason.replace(str(path), path.name)
