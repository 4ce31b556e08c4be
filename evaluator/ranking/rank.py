"""Rank a result table under the chosen settings and assemble the RANKING.json dict."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import numpy as np

from evaluator.ranking.aggregate import aggregate_values
from evaluator.ranking.bootstrap import (
    bootstrap_ranks,
    draw_case_weights,
    summarize_ranks,
    value_intervals,
)
from evaluator.ranking.combine import combine_task_ranks
from evaluator.ranking.jsonsafe import json_safe
from evaluator.ranking.missing import fill_beats_observed, fill_missing
from evaluator.ranking.schemes import SCHEME_FUNCTIONS, SchemeResult, rank_by_significant_wins, run_scheme
from evaluator.ranking.settings import RankingSettings
from evaluator.ranking.significance import (
    compact_letter_display,
    significance_matrix,
    smallest_reachable_p,
)
from evaluator.ranking.subsets import rank_per_subset
from evaluator.ranking.table import ResultTable

logger = logging.getLogger(__name__)

# The pairwise tests cost far more per sample than the other schemes, so the
# bootstrap of test-then-rank uses the first samples of the same draws only.
TEST_THEN_RANK_BOOTSTRAP_LIMIT = 200


def rank_table(
    table: ResultTable,
    settings: RankingSettings,
    *,
    bootstrap: int | None = None,
    seed: int | None = None,
    subset: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Rank the algorithms of ``table`` and return the RANKING.json dict.

    ``bootstrap`` and ``seed`` default to the settings' values; ``bootstrap=0``
    skips the bootstrap. ``subset`` restricts the ranking to the cases whose
    tags match every item. The result is JSON-safe: undefined numbers are None.

    Raises ``ValueError`` when the table has no algorithm, case or task, or
    no case matches ``subset``.
    """
    samples = settings.bootstrap if bootstrap is None else bootstrap
    seed = settings.seed if seed is None else seed
    settings = dataclasses.replace(settings, bootstrap=samples, seed=seed)
    table = table.select_cases(subset)
    _check_table(table)
    warnings: list[str] = []

    filled = _fill_tasks(table, warnings)
    adjusted = {
        key: significance_matrix(values, larger_is_better=table.larger_is_better[key], correction=settings.correction)
        for key, values in filled.items()
    }
    full_results = _full_results(settings.scheme, filled, table, settings, adjusted)
    overall_scores, overall_ranks = combine_task_ranks(
        full_results, rule=settings.combine, tie_break=settings.tie_break
    )
    full_weights = np.ones((1, len(table.case_ids)))
    full_aggregates = {
        key: aggregate_values(values, full_weights, settings.aggregate)[:, 0]
        for key, values in filled.items()
    }

    ranking: dict[str, Any] = {
        "scheme": settings.scheme,
        "settings": settings.to_dict(),
        "seed": seed,
        "subset": dict(subset) if subset else None,
        "algorithms": list(table.algorithms),
        "n_cases": len(table.case_ids),
        "larger_is_better": dict(table.larger_is_better),
        "missing_values": {key: table.missing_policy.get(key, "worst") for key in table.task_keys},
        "tasks": {},
        "overall": {},
        "bootstrap": {"samples": 0, "seed": seed},
        "significance": {},
        "schemes": _ranks_under_every_scheme(filled, table, settings, adjusted),
        "warnings": warnings,
    }

    ranking["tasks"] = _task_entries(table, full_results, full_aggregates)
    ranking["overall"] = {
        name: {"rank": int(overall_ranks[row, 0]), "value": overall_scores[row, 0]}
        for row, name in enumerate(table.algorithms)
    }

    if samples > 0:
        ranking["bootstrap"] = _bootstrap(filled, table, settings, full_results, overall_ranks, ranking)

    ranking["significance"] = _significance(adjusted, table, settings, full_results, warnings)
    ranking["subsets"] = rank_per_subset(table, settings)
    return json_safe(ranking)


def _task_entries(table: ResultTable, full_results: dict, full_aggregates: dict) -> dict:
    """Return the rank, value, aggregate and missing counts of each algorithm in each task."""
    entries = {}
    for key, result in full_results.items():
        values, missing = table.values[key], table.missing[key]
        entries[key] = {
            name: {
                "rank": int(result.ranks[row, 0]),
                "value": result.scores[row, 0],
                "aggregate": full_aggregates[key][row],
                "missing": int(missing[row].sum()),
                "undefined": int((np.isnan(values[row]) & ~missing[row]).sum()),
            }
            for row, name in enumerate(table.algorithms)
        }
    return entries


def _check_table(table: ResultTable) -> None:
    if not table.algorithms:
        raise ValueError("nothing to rank: the results name no algorithm")
    if not table.case_ids:
        raise ValueError("nothing to rank: the results and the task list no case")
    if not table.values:
        raise ValueError("nothing to rank: the task defines no class and metric")


def _fill_tasks(table: ResultTable, warnings: list[str]) -> dict[str, np.ndarray]:
    filled = {}
    for key in table.task_keys:
        policy = table.missing_policy.get(key, "worst")
        larger_is_better = table.larger_is_better[key]
        if fill_beats_observed(table.values[key], policy, larger_is_better=larger_is_better):
            warnings.append(
                f"{key}: the missing value {policy} is better than the worst observed value, "
                "so a missing result can outrank a real one; use a worse value or 'worst'"
            )
        filled[key] = fill_missing(table.values[key], policy, larger_is_better=larger_is_better)
    return filled


def _full_results(scheme, filled, table, settings, adjusted) -> dict[str, SchemeResult]:
    """Run ``scheme`` on every task of the full table, reusing the adjusted p-values for test-then-rank."""
    if scheme == "test-then-rank":
        return {key: rank_by_significant_wins(adjusted[key][None], alpha=settings.alpha) for key in filled}

    ones = np.ones((1, len(table.case_ids)))
    return {
        key: run_scheme(scheme, values, ones, larger_is_better=table.larger_is_better[key], settings=settings)
        for key, values in filled.items()
    }


def _ranks_under_every_scheme(filled, table, settings, adjusted) -> dict:
    """Return the overall rank of each algorithm under each scheme, for the rank-stability plot."""
    ranks = {}
    for scheme in SCHEME_FUNCTIONS:
        results = _full_results(scheme, filled, table, settings, adjusted)
        _, scheme_ranks = combine_task_ranks(results, rule=settings.combine, tie_break=settings.tie_break)
        ranks[scheme] = {name: int(rank) for name, rank in zip(table.algorithms, scheme_ranks[:, 0])}
    return ranks


def _bootstrap(filled, table, settings, full_results, overall_ranks, ranking) -> dict:
    all_weights = draw_case_weights(len(table.case_ids), settings.bootstrap, settings.seed)
    weights = all_weights
    if settings.scheme == "test-then-rank" and settings.bootstrap > TEST_THEN_RANK_BOOTSTRAP_LIMIT:
        ranking["warnings"].append(
            f"test-then-rank: the rank bootstrap used the first {TEST_THEN_RANK_BOOTSTRAP_LIMIT} "
            f"of {settings.bootstrap} samples, because every sample reruns all pairwise tests; "
            "the aggregate intervals use all samples"
        )
        weights = all_weights[:TEST_THEN_RANK_BOOTSTRAP_LIMIT]
    logger.info(
        "Bootstrap of %d samples over %d cases, scheme %s",
        weights.shape[0],
        weights.shape[1],
        settings.scheme,
    )

    sample_results, _, sample_overall = bootstrap_ranks(filled, table.larger_is_better, settings, weights)
    summary = {"samples": weights.shape[0], "requested_samples": settings.bootstrap, "seed": settings.seed}

    summary["kendall_tau"] = {}
    for key, result in sample_results.items():
        task_summary = summarize_ranks(full_results[key].ranks[:, 0], result.ranks)
        if settings.scheme == "aggregate-then-rank":
            sample_aggregates = result.scores
        else:
            sample_aggregates = aggregate_values(filled[key], all_weights, settings.aggregate)
        aggregate_intervals = value_intervals(sample_aggregates)
        for row, name in enumerate(table.algorithms):
            ranking["tasks"][key][name].update(_algorithm_summary(task_summary, row))
            ranking["tasks"][key][name]["aggregate_interval"] = aggregate_intervals[row]
        summary["kendall_tau"][key] = _tau_summary(task_summary)

    overall_summary = summarize_ranks(overall_ranks[:, 0], sample_overall)
    for row, name in enumerate(table.algorithms):
        ranking["overall"][name].update(_algorithm_summary(overall_summary, row))
    summary["kendall_tau"]["overall"] = _tau_summary(overall_summary)
    return summary


def _tau_summary(summary: dict) -> dict:
    return {"values": summary["kendall_tau"], "median": summary["kendall_tau_median"]}


def _algorithm_summary(summary: dict, row: int) -> dict:
    return {
        "median_rank": summary["median_rank"][row],
        "rank_interval": summary["rank_interval"][row],
        "rank_frequency": summary["rank_frequency"][row],
    }


def _significance(adjusted, table, settings, full_results, warnings) -> dict:
    n_algorithms = len(table.algorithms)
    n_tests = n_algorithms * (n_algorithms - 1)
    reachable = smallest_reachable_p(len(table.case_ids), n_tests, settings.correction)
    if n_algorithms > 1 and reachable > settings.alpha:
        warnings.append(
            f"With {len(table.case_ids)} cases and {n_tests} pairwise tests adjusted by "
            f"{settings.correction}, no pair can reach significance at alpha {settings.alpha} "
            f"(smallest reachable adjusted p {reachable:.5f}), so every algorithm shares one significance "
            f"letter and test-then-rank ties them all"
        )

    significance = {}
    for key, matrix in adjusted.items():
        order = list(np.argsort(full_results[key].ranks[:, 0], kind="stable"))
        letters = compact_letter_display(matrix, order, alpha=settings.alpha)
        significance[key] = {
            "correction": settings.correction,
            "alpha": settings.alpha,
            "p_adjusted": matrix,
            "letters": dict(zip(table.algorithms, letters)),
        }
    return significance
