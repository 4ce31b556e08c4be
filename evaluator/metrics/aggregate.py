"""Aggregates of the per-case values over every case of a task."""

from __future__ import annotations

import math
import statistics

from evaluator.task import METRIC_LARGER_IS_BETTER


def aggregate_cases(task, cases: list[dict]) -> dict:
    """Return mean, sample standard deviation, median and count per class and metric.

    Every case record counts, including missing and rejected ones with the
    values they carry (the task's ``missing_values``). Where ``missing_values``
    is ``"worst"``, a missing case takes the worst value that this result's
    evaluated cases reach for that class and metric. Where it is ``"drop"``, or
    a value is undefined (``null``), the case is left out and ``n`` does not
    count it. ``std`` is None below two values, every statistic is None at zero.

    Parameters
    ----------
    task : Task
    cases : list of dict
        Case records as ``evaluate_case`` returns them.

    Returns
    -------
    dict
        ``{"<class>": {"<metric>": {"mean", "std", "median", "n"}}}``.

    Examples
    --------
    >>> from evaluator.task import parse_task
    >>> task = parse_task({"name": "t", "labels": {"1": "liver"}, "metrics": ["dice"]})
    >>> cases = [{"metrics": {"liver": {"dice": 0.5}}, "status": {"liver": "ok"}},
    ...          {"metrics": {"liver": {"dice": 1.0}}, "status": {"liver": "ok"}}]
    >>> aggregate_cases(task, cases)["liver"]["dice"]["mean"]
    0.75
    """
    aggregates = {}
    for class_name in task.classes:
        aggregates[class_name] = {}
        for metric in task.metrics:
            values = _case_values(task, cases, class_name, metric)
            aggregates[class_name][metric] = _summarise(values)
    return aggregates


def _case_values(task, cases, class_name, metric) -> list[float]:
    evaluated = []
    missing_count = 0
    for case in cases:
        if case["status"].get(class_name) in ("missing", "rejected"):
            missing_count += 1
            continue
        value = case["metrics"].get(class_name, {}).get(metric)
        if value is not None:
            evaluated.append(value)

    fill = task.missing_values[metric]
    if fill == "drop" or missing_count == 0:
        return evaluated
    if fill == "worst":
        if not evaluated:
            return evaluated
        worst = min(evaluated) if METRIC_LARGER_IS_BETTER[metric] else max(evaluated)
        return evaluated + [worst] * missing_count
    return evaluated + [fill] * missing_count


def _summarise(values: list[float]) -> dict:
    if not values:
        return {"mean": None, "std": None, "median": None, "n": 0}

    std = statistics.stdev(values) if len(values) > 1 else None
    summary = {
        "mean": math.fsum(values) / len(values),
        "std": std,
        "median": statistics.median(values),
        "n": len(values),
    }
    return summary
