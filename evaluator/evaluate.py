"""Evaluation of one case, of a folder of predictions, and the RESULTS.json shape.

``evaluate_case`` scores one case from one read of each file, so a platform
worker can call it per case. ``evaluate_folders`` runs it over a reference
folder and a prediction folder, optionally in a process pool.
"""

from __future__ import annotations

import concurrent.futures
import logging
from pathlib import Path

from evaluator import __version__
from evaluator.folders import (
    PredictionIndex,
    duplicate_error,
    find_prediction_files,
    find_reference_cases,
    problem,
)
from evaluator.geometry import geometry_differences
from evaluator.io import LabelMapError, ReferenceError, read_geometry, read_label_array
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
    "duplicate_error",
    "evaluate_case",
    "evaluate_folders",
    "find_prediction_files",
    "find_reference_cases",
    "missing_case_record",
    "rejected_case_record",
]


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
        ``flagged`` and ``errors``. A missing prediction, or one that cannot be
        read or fails a check, gives a flagged record instead of an exception.

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
        return rejected_case_record(task, case_id, [problem(error.code, message)])

    return _scored_record(task, case_id, references, prediction)


def missing_case_record(task, case_id: str) -> dict:
    """Return the flagged record of a case without a prediction, scored with ``missing_values``."""
    message = f"Case {case_id}: no prediction file; upload one named {case_id} with an image extension (e.g. {case_id}.nii.gz)."
    return _flagged_record(task, case_id, "missing", [problem("missing_prediction", message)])


def rejected_case_record(task, case_id: str, errors: list[dict]) -> dict:
    """Return the flagged record of a case whose prediction could not be scored."""
    return _flagged_record(task, case_id, "rejected", errors)


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
        raise FileNotFoundError(
            f"the prediction folder {prediction_dir} does not exist; pass the folder of predicted label maps"
        )
    index = find_prediction_files(prediction_dir)

    errors = []
    for path in index.unsupported:
        errors.extend(index.problems[path.name])
    for case_id in sorted(set(index.files) | set(index.duplicates)):
        if case_id not in case_ids:
            errors.append(
                problem(
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
        reported = [apply_empty_policy(result, task.empty_policy, task.distance_penalties_mm) for result in results]
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
