"""ResultTables built from submissions' stored results, and their compact storage."""

import io
import json

import numpy as np

from evaluator.ranking.table import ResultTable
from evaluator.task import METRIC_LARGER_IS_BETTER


def task_keys(task):
    """Return the task keys ``"<class>/<metric>"`` in the task's class and metric order."""
    return [f"{class_name}/{metric}" for class_name in task.classes for metric in task.metrics]


def build_result_table(task, algorithms, submissions, case_ids, subsets):
    """Align the submissions' stored `results` on the reference case ids.

    A case a submission has no value for, or one flagged missing (no prediction,
    or a rejected one), is a missing cell: NaN in `values` and True in `missing`.
    The ranking applies the task's missing-value policy to it, as it does for
    the tables `evaluator.ranking.table_from_results` builds from RESULTS.json. A ``null``
    that is not flagged missing is an undefined value (NaN, not missing).
    """
    keys = task_keys(task)
    column_of = {case_id: column for column, case_id in enumerate(case_ids)}
    shape = (len(algorithms), len(case_ids))
    values = {key: np.full(shape, np.nan) for key in keys}
    missing = {key: np.ones(shape, dtype=bool) for key in keys}

    for row, submission in enumerate(submissions):
        results = submission.results or {}
        stored_case_ids = results.get("case_ids") or []
        columns = np.array([column_of.get(case_id, -1) for case_id in stored_case_ids], dtype=np.int64)
        known = columns >= 0

        for key in keys:
            stored_values = (results.get("values") or {}).get(key)
            if stored_values is None:
                continue
            stored_missing = (results.get("missing") or {}).get(key) or [False] * len(stored_values)

            row_values = np.array([np.nan if value is None else value for value in stored_values], dtype=np.float64)
            row_missing = np.array(stored_missing, dtype=bool)
            row_values[row_missing] = np.nan

            values[key][row, columns[known]] = row_values[known]
            missing[key][row, columns[known]] = row_missing[known]

    return ResultTable(
        algorithms=list(algorithms),
        case_ids=list(case_ids),
        subsets=[dict(tags) for tags in subsets],
        values=values,
        larger_is_better={key: METRIC_LARGER_IS_BETTER[key.rsplit("/", 1)[1]] for key in keys},
        missing=missing,
        missing_policy={key: task.missing_values.get(key.rsplit("/", 1)[1], "worst") for key in keys},
    )


def pack_table(table):
    """Return the table as bytes: a compressed NumPy archive with a JSON header."""
    header = {
        "algorithms": table.algorithms,
        "case_ids": table.case_ids,
        "subsets": table.subsets,
        "keys": list(table.values),
        "larger_is_better": table.larger_is_better,
        "missing_policy": table.missing_policy,
    }
    arrays = {"header": np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)}
    for index, key in enumerate(header["keys"]):
        arrays[f"values_{index}"] = table.values[key]
        arrays[f"missing_{index}"] = table.missing[key]

    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def unpack_table(data):
    """Return the ResultTable that `pack_table` stored."""
    with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as archive:
        header = json.loads(archive["header"].tobytes().decode("utf-8"))
        keys = header["keys"]
        values = {key: archive[f"values_{index}"] for index, key in enumerate(keys)}
        missing = {key: archive[f"missing_{index}"] for index, key in enumerate(keys)}

    return ResultTable(
        algorithms=header["algorithms"],
        case_ids=header["case_ids"],
        subsets=header["subsets"],
        values=values,
        larger_is_better=header["larger_is_better"],
        missing=missing,
        missing_policy=header["missing_policy"],
    )
