"""Rankings restricted to the cases of each subset tag value."""

from __future__ import annotations

import numpy as np

from evaluator.ranking.aggregate import aggregate_values
from evaluator.ranking.combine import combine_task_ranks
from evaluator.ranking.missing import fill_missing
from evaluator.ranking.schemes import run_scheme
from evaluator.ranking.settings import RankingSettings
from evaluator.ranking.table import ResultTable, sorted_tag_values


def rank_per_subset(table: ResultTable, settings: RankingSettings) -> dict:
    """Rank the algorithms on the cases of each value of each subset tag.

    Returns ``{tag: {value: {"n_cases", "overall": {algorithm: rank},
    "aggregates": {task: {algorithm: aggregate}}}}}``, with NaN where an
    algorithm has no value. Each subset fills missing values from its own cases
    (``worst`` is the worst value observed in the subset).
    """
    per_subset: dict[str, dict[str, dict]] = {}
    for tag, tag_values in sorted_tag_values(table).items():
        per_subset[tag] = {
            value: _rank_subset(table.select_cases({tag: value}), settings) for value in tag_values
        }
    return per_subset


def _rank_subset(table: ResultTable, settings: RankingSettings) -> dict:
    ones = np.ones((1, len(table.case_ids)))
    results = {}
    aggregates = {}
    for key in table.task_keys:
        larger_is_better = table.larger_is_better[key]
        filled = fill_missing(
            table.values[key], table.missing_policy.get(key, "worst"), larger_is_better=larger_is_better
        )
        results[key] = run_scheme(
            settings.scheme, filled, ones, larger_is_better=larger_is_better, settings=settings
        )
        aggregates[key] = aggregate_values(filled, ones, settings.aggregate)[:, 0]

    _, overall_ranks = combine_task_ranks(results, rule=settings.combine, tie_break=settings.tie_break)
    return {
        "n_cases": len(table.case_ids),
        "overall": {name: int(rank) for name, rank in zip(table.algorithms, overall_ranks[:, 0])},
        "aggregates": {
            key: dict(zip(table.algorithms, task_aggregates)) for key, task_aggregates in aggregates.items()
        },
    }
