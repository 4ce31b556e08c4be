"""Per-case metric values of several algorithms, arranged for ranking."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from evaluator.task import METRIC_LARGER_IS_BETTER

MISSING_STATUSES = ("missing", "rejected")


@dataclasses.dataclass
class ResultTable:
    """Per-case values of each algorithm, one array per task ``"<class>/<metric>"``.

    ``values[key]`` is a float64 array of shape (algorithms, cases) with NaN where
    a value is missing or undefined. ``missing[key]`` marks the cells that were
    missing (no prediction, or a prediction that was rejected), as opposed to
    undefined. ``missing_policy[key]`` is the task file's policy for that metric:
    a number, ``"worst"`` or ``"drop"``; a key without one is filled with ``"worst"``.
    ``subsets`` has one dict of subset tags per case.
    """

    algorithms: list[str]
    case_ids: list[str]
    subsets: list[dict[str, str]]
    values: dict[str, np.ndarray]
    larger_is_better: dict[str, bool]
    missing: dict[str, np.ndarray]
    missing_policy: dict[str, float | str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        shape = (len(self.algorithms), len(self.case_ids))
        if len(set(self.algorithms)) != len(self.algorithms):
            raise ValueError(f"algorithm names must be unique, got {self.algorithms}")
        if len(self.subsets) != len(self.case_ids):
            raise ValueError(
                f"expected one subset dict per case ({len(self.case_ids)}), got {len(self.subsets)}"
            )
        for key, array in self.values.items():
            if array.shape != shape:
                raise ValueError(
                    f"values[{key!r}] has shape {array.shape}, expected (algorithms, cases) = {shape}"
                )
            if key not in self.larger_is_better:
                raise ValueError(f"larger_is_better has no entry for task {key!r}")
            if self.missing[key].shape != shape:
                raise ValueError(
                    f"missing[{key!r}] has shape {self.missing[key].shape}, expected {shape}"
                )

    @property
    def task_keys(self) -> list[str]:
        """Task keys ``"<class>/<metric>"`` in table order."""
        return list(self.values)

    def select_cases(self, subset: dict[str, str] | None) -> ResultTable:
        """Return the table restricted to cases whose subset tags match every item of ``subset``.

        Raises ``ValueError`` when no case matches.
        """
        if not subset:
            return self

        keep = np.array(
            [all(tags.get(name) == value for name, value in subset.items()) for tags in self.subsets],
            dtype=bool,
        )
        if not keep.any():
            raise ValueError(
                f"no case has the subset tags {subset}; tags present: {sorted_tag_values(self)}"
            )

        return dataclasses.replace(
            self,
            case_ids=[case for case, kept in zip(self.case_ids, keep) if kept],
            subsets=[tags for tags, kept in zip(self.subsets, keep) if kept],
            values={key: array[:, keep] for key, array in self.values.items()},
            missing={key: array[:, keep] for key, array in self.missing.items()},
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the per-case values as a JSON-safe dict (``null`` for NaN), as the figures read it."""
        return {
            "algorithms": list(self.algorithms),
            "case_ids": list(self.case_ids),
            "subsets": [dict(tags) for tags in self.subsets],
            "larger_is_better": dict(self.larger_is_better),
            "values": {
                key: {
                    name: [None if math.isnan(value) else float(value) for value in row]
                    for name, row in zip(self.algorithms, array.tolist())
                }
                for key, array in self.values.items()
            },
            "missing": {
                key: {name: [bool(flag) for flag in row] for name, row in zip(self.algorithms, array)}
                for key, array in self.missing.items()
            },
        }


def sorted_tag_values(table: ResultTable) -> dict[str, list[str]]:
    """Return each subset tag name with its sorted distinct values."""
    found: dict[str, set[str]] = {}
    for tags in table.subsets:
        for name, value in tags.items():
            found.setdefault(name, set()).add(value)
    return {name: sorted(values) for name, values in sorted(found.items())}


def table_from_results(results: list[dict[str, Any]], task: Any) -> ResultTable:
    """Build a ``ResultTable`` from RESULTS.json dicts, one per algorithm.

    An algorithm is named by its RESULTS.json ``name``. The cases are the task's
    ``cases`` when it lists them, else every case id found in any result, sorted.
    A case that an algorithm has no record for is a missing cell, and so is a
    class whose status is ``missing`` or ``rejected``. A ``null`` metric is an
    undefined cell.

    Raises ``ValueError`` when two results have the same name or a name is absent.
    """
    names = [_result_name(result, position) for position, result in enumerate(results)]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(
            f"algorithm names must be unique, but more than one result is named {', '.join(duplicates)}; "
            "give each evaluation its own --name"
        )

    # The task file's case list fixes the cases and their tags when it has one.
    task_cases = getattr(task, "cases", None)
    if task_cases:
        case_ids = [case.id for case in task_cases]
        subsets = [dict(case.subset) for case in task_cases]
    else:
        case_ids, subsets = _cases_from_results(results)
    case_index = {case_id: index for index, case_id in enumerate(case_ids)}

    keys = [f"{class_name}/{metric}" for class_name in task.classes for metric in task.metrics]
    shape = (len(names), len(case_ids))
    values = {key: np.full(shape, np.nan) for key in keys}
    missing = {key: np.ones(shape, dtype=bool) for key in keys}

    for row, result in enumerate(results):
        for record in result.get("cases", []):
            column = case_index.get(record["case_id"])
            if column is None:
                continue
            for class_name in task.classes:
                status = record.get("status", {}).get(class_name, "ok")
                if status in MISSING_STATUSES:
                    continue
                class_metrics = record.get("metrics", {}).get(class_name, {})
                for metric in task.metrics:
                    key = f"{class_name}/{metric}"
                    missing[key][row, column] = False
                    value = class_metrics.get(metric)
                    if value is not None:
                        values[key][row, column] = float(value)

    return ResultTable(
        algorithms=names,
        case_ids=case_ids,
        subsets=subsets,
        values=values,
        larger_is_better={key: METRIC_LARGER_IS_BETTER[key.rsplit("/", 1)[1]] for key in keys},
        missing=missing,
        missing_policy={
            key: task.missing_values.get(key.rsplit("/", 1)[1], "worst") for key in keys
        },
    )


def _result_name(result: dict[str, Any], position: int) -> str:
    name = result.get("name")
    if not name:
        raise ValueError(
            f"result number {position + 1} has no name; pass --name to evaluate, "
            "or name the RESULTS.json file after the algorithm"
        )
    return str(name)


def _cases_from_results(results: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, str]]]:
    tags_by_case: dict[str, dict[str, str]] = {}
    for result in results:
        for record in result.get("cases", []):
            tags_by_case.setdefault(record["case_id"], dict(record.get("subset") or {}))
    case_ids = sorted(tags_by_case)
    return case_ids, [tags_by_case[case_id] for case_id in case_ids]
