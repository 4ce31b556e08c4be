"""Finding reference cases and prediction files in folders, by case id."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from evaluator.io import LabelMapError, ReferenceError, case_id_from_file_name, detached_data_file


@dataclasses.dataclass
class PredictionIndex:
    """The prediction files of a folder by case id, and the files that cannot be matched.

    ``duplicates`` maps a case id to its several files (that case is rejected),
    ``unsupported`` lists files that are no label map of a supported format.
    """

    files: dict[str, Path]
    duplicates: dict[str, list[Path]] = dataclasses.field(default_factory=dict)
    unsupported: list[Path] = dataclasses.field(default_factory=list)

    @property
    def problems(self) -> dict[str, list[dict]]:
        """Problems keyed by case id (duplicates) or by file name (unsupported files)."""
        problems = {case_id: [duplicate_error(case_id, paths)] for case_id, paths in self.duplicates.items()}
        for path in self.unsupported:
            problems[path.name] = [
                problem(
                    "unsupported_file",
                    f"File {path.name}: not a label map of a supported format (.nii.gz, .nii, .mha, "
                    ".mhd, .nrrd, .nhdr) named by case id; remove it or rename it",
                )
            ]
        return problems


def find_reference_cases(folder: str | Path) -> dict[str, list[Path]]:
    """Find the reference annotations of every case in a folder.

    A case is either one image file named by its case id or a sub-folder named
    by its case id that contains several annotations of that case (sorted by name).

    Raises
    ------
    ReferenceError
        When the folder cannot be read or contains no case.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "case_1.nii.gz").touch()
    >>> (folder / "case_2").mkdir()
    >>> (folder / "case_2" / "rater_a.nii.gz").touch()
    >>> sorted(find_reference_cases(folder))
    ['case_1', 'case_2']
    """
    folder = Path(folder)
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        raise ReferenceError(
            f"cannot read the reference folder {folder} ({error.strerror}); pass an existing, readable folder"
        ) from error

    cases: dict[str, list[Path]] = {}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            annotations = sorted(
                path for path in entry.iterdir() if path.is_file() and case_id_from_file_name(path.name)
            )
            if annotations:
                cases[entry.name] = annotations
            continue
        case_id = case_id_from_file_name(entry.name)
        if case_id is None:
            continue
        if case_id in cases:
            raise ReferenceError(f"reference case {case_id} has two files in {folder}; keep one")
        cases[case_id] = [entry]

    if not cases:
        raise ReferenceError(f"the reference folder {folder} contains no label map named by case id; name each file or sub-folder by its case id")
    return cases


def find_prediction_files(folder: str | Path) -> PredictionIndex:
    """Match the files of a prediction folder to case ids.

    A prediction's case id is its file name without the image extension.
    Two files for one case id (``case.nii.gz`` and ``case.mha``) make a
    duplicate; other files, folders and links are unsupported. The data file
    named by a detached ``.mhd`` or ``.nhdr`` header belongs to that header.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a.nii.gz", "b.nii.gz", "b.mha", "notes.txt"):
    ...     (folder / name).touch()
    >>> index = find_prediction_files(folder)
    >>> sorted(index.files), sorted(index.duplicates), [path.name for path in index.unsupported]
    (['a'], ['b'], ['notes.txt'])
    """
    folder = Path(folder)
    by_case: dict[str, list[Path]] = {}
    others: list[Path] = []
    data_files: set[str] = set()
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        case_id = case_id_from_file_name(entry.name)
        if case_id is None or entry.is_symlink() or not entry.is_file():
            others.append(entry)
            continue
        by_case.setdefault(case_id, []).append(entry)
        try:
            data_file = detached_data_file(entry)
        except LabelMapError:
            # The case reports the unsafe header when it is scored.
            data_file = None
        if data_file is not None:
            data_files.add(data_file)

    index = PredictionIndex(files={})
    for case_id, paths in by_case.items():
        if len(paths) == 1:
            index.files[case_id] = paths[0]
        else:
            index.duplicates[case_id] = paths
    index.unsupported = [path for path in others if path.name not in data_files]
    return index


def duplicate_error(case_id: str, paths: list[Path]) -> dict:
    """Return the error of a case id that several prediction files share."""
    names = ", ".join(path.name for path in paths)
    return problem(
        "duplicate_prediction",
        f"Case {case_id}: several prediction files ({names}); upload exactly one file per case.",
    )


def problem(code: str, message: str) -> dict:
    """Return an error entry of a case record or of the results."""
    return {"code": code, "message": message}
