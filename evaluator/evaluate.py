"""Evaluation of one case, of a folder of predictions, and the RESULTS.json shape.

``evaluate_case`` scores one case from one read of each file, so a platform
worker can call it per case. ``evaluate_folders`` runs it over a reference
folder and a prediction folder, optionally in a process pool.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
from pathlib import Path

from evaluator import __version__
from evaluator.geometry import geometry_differences
from evaluator.io import (
    LabelMapError,
    ReferenceError,
    case_id_from_file_name,
    detached_data_file,
    read_geometry,
    read_label_array,
)
from evaluator.metrics import (
    aggregate_cases,
    apply_empty_policy,
    combine_annotations,
    compute_class_metrics,
    missing_case_values,
)

logger = logging.getLogger(__name__)

__all__ = [
    "PredictionIndex",
    "ReferenceError",
    "aggregate_cases",
    "evaluate_case",
    "evaluate_folders",
    "find_prediction_files",
    "find_reference_cases",
]


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
                _error(
                    "unsupported_file",
                    f"File {path.name}: not a label map of a supported format (.nii.gz, .nii, .mha, "
                    ".mhd, .nrrd, .nhdr) named by case id; remove it or rename it",
                )
            ]
        return problems


def find_reference_cases(folder: str | Path) -> dict[str, list[Path]]:
    """Find the reference annotations of every case in a folder.

    A case is either one image file named by its case id or a sub-folder named
    by its case id that holds several annotations of that case (sorted by name).

    Raises
    ------
    ReferenceError
        When the folder cannot be read or holds no case.

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
        raise ReferenceError(f"cannot read the reference folder {folder} ({error.strerror})") from error

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
        raise ReferenceError(f"the reference folder {folder} holds no label map named by case id")
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


def evaluate_case(task, case_id: str, reference_paths, prediction_path, *, prediction_name: str | None = None) -> dict:
    """Score one case and return its case record.

    Parameters
    ----------
    task : Task
    case_id : str
    reference_paths : list of Path
        One or more reference annotations of the case. With several, each value
        is the mean over the annotations (after the empty policy for
        ``metrics``), as KiTS21 averages over its reference maps.
    prediction_path : Path or None
        The prediction, or None when the participant sent none.
    prediction_name : str, optional
        The uploaded file name to show in messages (default: the file's name).

    Returns
    -------
    dict
        The case record: ``case_id``, ``subset``, ``metrics`` (after the empty
        policy, or the task's ``missing_values``), ``raw``, ``status`` per class,
        ``flagged`` and ``errors``. A missing, unreadable or rejected prediction
        never raises: it gives a flagged record.

    Raises
    ------
    ReferenceError
        When a reference annotation cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np, SimpleITK as sitk
    >>> from evaluator.task import parse_task
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> labels = np.zeros((4, 6, 6), np.uint8)
    >>> labels[1:3, 2:4, 2:4] = 1
    >>> sitk.WriteImage(sitk.GetImageFromArray(labels), str(folder / "reference.nii.gz"))
    >>> task = parse_task({"name": "t", "labels": {"1": "organ"}, "nsd_tolerance_mm": 1.0})
    >>> record = evaluate_case(task, "case_1", [folder / "reference.nii.gz"], None)
    >>> record["status"], record["errors"][0]["code"]
    ({'organ': 'missing'}, 'missing_prediction')
    """
    reference_paths = [Path(path) for path in reference_paths]
    if prediction_path is None:
        return missing_case_record(task, case_id)

    prediction_path = Path(prediction_path)
    display_name = prediction_name or prediction_path.name
    references = [_read_reference(task, case_id, path) for path in reference_paths]

    try:
        prediction = _read_prediction(task, prediction_path, references)
    except LabelMapError as error:
        logger.info("case %s: prediction %s rejected (%s)", case_id, display_name, error.code)
        message = f"Case {case_id}, file {display_name}: {error.message}."
        return rejected_case_record(task, case_id, [_error(error.code, message)])

    return _scored_record(task, case_id, references, prediction)


def missing_case_record(task, case_id: str) -> dict:
    """Return the flagged record of a case without a prediction, scored with ``missing_values``."""
    message = f"Case {case_id}: no prediction file; upload one named {case_id} with an image extension (e.g. {case_id}.nii.gz)."
    return _flagged_record(task, case_id, "missing", [_error("missing_prediction", message)])


def rejected_case_record(task, case_id: str, errors: list[dict]) -> dict:
    """Return the flagged record of a case whose prediction could not be scored."""
    return _flagged_record(task, case_id, "rejected", errors)


def duplicate_error(case_id: str, paths: list[Path]) -> dict:
    """Return the error of a case id that several prediction files share."""
    names = ", ".join(path.name for path in paths)
    return _error(
        "duplicate_prediction",
        f"Case {case_id}: several prediction files ({names}); upload exactly one file per case.",
    )


def evaluate_folders(task, reference_dir, prediction_dir, *, name: str | None = None, jobs: int = 1, progress: bool = False) -> dict:
    """Evaluate a folder of predictions against a folder of references.

    Parameters
    ----------
    task : Task
    reference_dir, prediction_dir : str or Path
    name : str, optional
        The algorithm's name stored in the result.
    jobs : int
        Number of worker processes; 1 runs in this process.
    progress : bool
        Show a tqdm progress bar on stderr.

    Returns
    -------
    dict
        The RESULTS.json dict: ``evaluator_version``, ``name``, ``task``,
        ``cases``, ``aggregates`` and ``errors`` (problems that belong to no case).

    Raises
    ------
    ReferenceError
        When the reference folder cannot be read, lacks a case that the task
        lists, or a reference annotation cannot be read.
    """
    references = find_reference_cases(reference_dir)
    case_ids = _task_case_ids(task, references)

    prediction_dir = Path(prediction_dir)
    if not prediction_dir.is_dir():
        raise FileNotFoundError(f"the prediction folder {prediction_dir} does not exist")
    index = find_prediction_files(prediction_dir)

    errors = []
    for path in index.unsupported:
        errors.extend(index.problems[path.name])
    for case_id in sorted(set(index.files) | set(index.duplicates)):
        if case_id not in case_ids:
            errors.append(
                _error(
                    "unknown_case",
                    f"Case {case_id}: the task has no such case, so its file was not scored; "
                    "check the file name against the case ids",
                )
            )

    records = _evaluate_cases(task, case_ids, references, index, jobs, progress)
    return {
        "evaluator_version": __version__,
        "name": name,
        "task": task.to_dict(),
        "cases": records,
        "aggregates": aggregate_cases(task, records),
        "errors": errors,
    }


def _evaluate_cases(task, case_ids, references, index, jobs, progress) -> list[dict]:
    from tqdm import tqdm

    records: dict[str, dict] = {}
    pending = []
    for case_id in case_ids:
        if case_id in index.duplicates:
            records[case_id] = rejected_case_record(task, case_id, [duplicate_error(case_id, index.duplicates[case_id])])
        else:
            pending.append(case_id)

    bar = tqdm(total=len(case_ids), initial=len(records), disable=not progress, unit="case")
    if jobs <= 1:
        for case_id in pending:
            records[case_id] = evaluate_case(task, case_id, references[case_id], index.files.get(case_id))
            bar.update()
    else:
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {
                pool.submit(evaluate_case, task, case_id, references[case_id], index.files.get(case_id)): case_id
                for case_id in pending
            }
            for future in concurrent.futures.as_completed(futures):
                records[futures[future]] = future.result()
                bar.update()
    bar.close()
    return [records[case_id] for case_id in case_ids]


def _task_case_ids(task, references: dict[str, list[Path]]) -> list[str]:
    if task.cases is None:
        return sorted(references)

    case_ids = [case.id for case in task.cases]
    absent = [case_id for case_id in case_ids if case_id not in references]
    if absent:
        raise ReferenceError(
            f"the reference folder lacks {len(absent)} case(s) that the task lists: "
            f"{', '.join(absent[:10])}; add them or remove them from the task's cases"
        )
    return case_ids


def _read_reference(task, case_id, path):
    try:
        geometry = read_geometry(path)
        array = read_label_array(path, task.labels)
    except LabelMapError as error:
        raise ReferenceError(f"case {case_id}: reference {path} cannot be used: {error.message}") from error
    return geometry, array


def _read_prediction(task, path, references):
    geometry = read_geometry(path)

    # The header is checked against every annotation before any voxel is read.
    for reference_geometry, _ in references:
        differences = geometry_differences(reference_geometry, geometry)
        if differences:
            raise LabelMapError(
                "geometry_mismatch",
                "the label map is not on the reference grid: "
                + "; ".join(differences)
                + ". Save the prediction with the size, spacing, origin and direction of the "
                "case's image (the reference is never resampled)",
            )
    return read_label_array(path, task.labels)


def _scored_record(task, case_id, references, prediction) -> dict:
    per_annotation = []
    for geometry, reference_array in references:
        # Spacing always comes from the reference, in numpy's (z, y, x) order.
        per_annotation.append(
            compute_class_metrics(
                reference_array,
                prediction,
                geometry.array_spacing_mm,
                task.classes,
                task.metrics,
                task.nsd_variant,
            )
        )

    metrics, raw, status = {}, {}, {}
    for class_name in task.classes:
        results = [annotation[class_name] for annotation in per_annotation]
        statuses = [result.status for result in results]
        reported = [apply_empty_policy(result, task.empty_policy, task.distance_penalty_mm) for result in results]
        status[class_name], metrics[class_name] = combine_annotations(statuses, reported)
        _, raw[class_name] = combine_annotations(statuses, [result.values for result in results])

    return {
        "case_id": case_id,
        "subset": task.subset_of(case_id),
        "metrics": metrics,
        "raw": raw,
        "status": status,
        "flagged": False,
        "errors": [],
    }


def _flagged_record(task, case_id, status, errors) -> dict:
    values = missing_case_values(task.metrics, task.missing_values)
    return {
        "case_id": case_id,
        "subset": task.subset_of(case_id),
        "metrics": {class_name: dict(values) for class_name in task.classes},
        "raw": {class_name: {metric: None for metric in task.metrics} for class_name in task.classes},
        "status": {class_name: status for class_name in task.classes},
        "flagged": True,
        "errors": errors,
    }


def _error(code: str, message: str) -> dict:
    return {"code": code, "message": message}
