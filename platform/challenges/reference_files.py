"""Store an organiser's reference annotations in private storage, one folder per case.

An upload is an archive (zip or tar, optionally compressed) or one or several
label-map files. In an archive, each label-map file is one case named by its
file name without the suffix (``case_00001.nii.gz`` is case ``case_00001``),
and a folder whose files are all label maps is one case with several
annotations, named by the folder. A single folder that contains everything
is a wrapper and is skipped, so an upload of one multi-annotation case must
still wrap it in a folder of its own. ``.mhd`` headers keep their data files beside them.
"""

import logging
import shutil
import tempfile
from pathlib import Path, PurePath

from django.conf import settings
from django.db import transaction

from challenges.models import ReferenceCase, reference_storage_folder
from submissions.pipeline.extraction import ArchiveError, ExtractionLimits, unpack_upload
from submissions.storage import private_storage

logger = logging.getLogger(__name__)

LABEL_MAP_SUFFIXES = (".nii.gz", ".nii", ".mha", ".nrrd", ".nhdr", ".mhd")
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")
# Data files that a header (.mhd, .nhdr) names; they travel with their header.
DATA_FILE_SUFFIXES = (".raw", ".zraw", ".raw.gz")


class ReferenceUploadError(Exception):
    """The reference upload cannot be stored; the message explains why and what to do."""


def label_map_suffix(name):
    lowered = name.lower()
    for suffix in LABEL_MAP_SUFFIXES:
        if lowered.endswith(suffix):
            return suffix
    return None


def case_id_of(file_name):
    """Return the case id of a label-map file name: the name without its suffix."""
    suffix = label_map_suffix(file_name)
    return file_name[: -len(suffix)] if suffix else None


def reference_limits():
    """Read the unpacking limits for reference archives from the settings."""
    return ExtractionLimits(
        max_files=settings.PODIUM_MAX_REFERENCE_FILES, max_bytes=settings.PODIUM_MAX_REFERENCE_BYTES
    )


def group_cases(folder):
    """Map each case id to the paths of its annotation files under ``folder``.

    Data files beside headers are not listed; ``companion_files`` finds them.
    Raises ReferenceUploadError for a case found twice or for no case at all.
    """
    root = Path(folder)
    entries = [entry for entry in root.iterdir() if not entry.name.startswith(".")]
    # One wrapping folder (archive created from the parent folder) is skipped.
    if len(entries) == 1 and entries[0].is_dir():
        root = entries[0]
        entries = [entry for entry in root.iterdir() if not entry.name.startswith(".")]

    cases = {}
    for entry in sorted(entries):
        if entry.is_dir():
            annotations = sorted(path for path in entry.rglob("*") if path.is_file() and label_map_suffix(path.name))
            if not annotations:
                continue
            add_case(cases, entry.name, annotations)
        elif label_map_suffix(entry.name):
            add_case(cases, case_id_of(entry.name), [entry])

    if not cases:
        raise ReferenceUploadError(
            f"No label-map file ({', '.join(LABEL_MAP_SUFFIXES)}) was found in the upload; "
            "name each reference by its case id, e.g. case_00001.nii.gz."
        )
    return cases


def add_case(cases, case_id, annotations):
    if case_id in cases:
        raise ReferenceUploadError(
            f"The case {case_id} appears twice in the upload; keep one file or one folder per case."
        )
    cases[case_id] = annotations


def companion_files(annotation):
    """Return the data files stored beside a header file, which must travel with it."""
    if not annotation.name.lower().endswith((".mhd", ".nhdr")):
        return []
    stem = annotation.name[: -len(label_map_suffix(annotation.name))]
    return [path for path in annotation.parent.iterdir() if path.name.startswith(stem) and path.name.lower().endswith(DATA_FILE_SUFFIXES)]


def unpack_into(folder, uploaded_files):
    """Write the uploaded archive or files into ``folder``, safely."""
    names = [PurePath(uploaded.name).name for uploaded in uploaded_files]
    archives = [name for name in names if name.lower().endswith(ARCHIVE_SUFFIXES)]
    if archives and len(uploaded_files) > 1:
        raise ReferenceUploadError("Upload one archive alone, or label-map files without an archive.")

    for uploaded, name in zip(uploaded_files, names, strict=True):
        if not archives and not label_map_suffix(name):
            raise ReferenceUploadError(
                f"Unsupported file {name}: upload label maps ({', '.join(LABEL_MAP_SUFFIXES)}) or one archive."
            )
        try:
            unpack_upload(uploaded.temporary_file_path(), name, folder, limits=reference_limits())
        except ArchiveError as error:
            raise ReferenceUploadError(str(error)) from error


def store_reference_upload(phase, uploaded_files, *, replace_all=False):
    """Store uploaded references for the phase and return the saved ReferenceCase rows.

    A case id that already exists gets the new files. With ``replace_all`` every
    other case of the phase is deleted. The phase's reference version goes up.
    """
    storage = private_storage()
    staging_root = Path(storage.path("references/.staging"))
    staging_root.mkdir(parents=True, exist_ok=True)
    task = phase.task() if phase.task_definition else None

    # Unpack beside the final folders, so the moves below stay on one filesystem.
    with tempfile.TemporaryDirectory(dir=staging_root) as staging:
        unpack_into(staging, uploaded_files)
        cases = group_cases(staging)

        with transaction.atomic():
            if replace_all:
                for old in phase.reference_cases.exclude(case_id__in=cases):
                    delete_case_files(old)
                    old.delete()
            saved = [store_case(phase, case_id, annotations, task, storage) for case_id, annotations in cases.items()]
            phase.bump_reference_version()

    logger.info("Stored %s reference cases for phase %s", len(saved), phase.pk)
    return saved


def store_case(phase, case_id, annotations, task, storage):
    """Move one case's files into its private-storage folder and save its row."""
    folder_name = reference_storage_folder(phase.pk, case_id)
    folder = Path(storage.path(folder_name))
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)

    stored_names = []
    for annotation in annotations:
        for data_file in companion_files(annotation):
            shutil.move(data_file, folder / data_file.name)
        shutil.move(annotation, folder / annotation.name)
        stored_names.append(f"{folder_name}/{annotation.name}")

    case, created = ReferenceCase.objects.get_or_create(phase=phase, case_id=case_id)
    case.files = stored_names
    task_subset = task.subset_of(case_id) if task else {}
    if task_subset or created:
        case.subset = task_subset
    case.save()
    return case


def delete_case_files(case):
    """Delete the private-storage folder of a reference case."""
    folder = Path(private_storage().path(reference_storage_folder(case.phase_id, case.case_id)))
    shutil.rmtree(folder, ignore_errors=True)
