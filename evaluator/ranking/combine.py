"""Combine per-task rankings into one overall ranking."""

from __future__ import annotations

import numpy as np

from evaluator.ranking.ranks import rank_min
from evaluator.ranking.schemes import SchemeResult


def combine_task_ranks(
    results: dict[str, SchemeResult], *, rule: str = "mean-rank", tie_break: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Combine the per-task results into overall scores and ranks, each (algorithms, samples).

    ``mean-rank`` averages each algorithm's task ranks and ranks the averages
    (smaller is better). ``kits21`` averages the task scores of each metric over
    the classes (``"<class>/<metric>"`` keys sharing a metric), ranks each
    metric, averages those ranks and ranks the averages. With either rule, ties
    are broken by the rank in the ``tie_break`` task when one is named.

    Raises ``ValueError`` when ``tie_break`` names a task that is not ranked.
    """
    if tie_break is not None and tie_break not in results:
        raise ValueError(
            f"ranking.tie_break: task {tie_break!r} is not ranked; "
            f"expected one of {', '.join(results)}"
        )

    if rule == "kits21":
        scores = _mean_of_metric_ranks(results)
    elif rule == "mean-rank":
        scores = np.mean([result.ranks for result in results.values()], axis=0)
    else:
        raise ValueError(f"ranking.combine: expected mean-rank or kits21, got {rule!r}")

    ranks = rank_min(scores, larger_is_better=False, axis=0)
    if tie_break is not None:
        ranks = _break_ties(ranks, results[tie_break].ranks)
    return scores, ranks


def _mean_of_metric_ranks(results: dict[str, SchemeResult]) -> np.ndarray:
    by_metric: dict[str, list[SchemeResult]] = {}
    for key, result in results.items():
        by_metric.setdefault(key.rsplit("/", 1)[1], []).append(result)

    metric_ranks = []
    for metric_results in by_metric.values():
        # Scores of one metric share a direction under every scheme.
        mean_scores = np.mean([result.scores for result in metric_results], axis=0)
        larger_is_better = metric_results[0].larger_is_better
        metric_ranks.append(rank_min(mean_scores, larger_is_better=larger_is_better, axis=0))
    return np.mean(metric_ranks, axis=0)


def _break_ties(ranks: np.ndarray, tie_break_ranks: np.ndarray) -> np.ndarray:
    # Ranks are whole numbers from 1 to n, so this key orders by rank, then tie-break rank.
    n_algorithms = ranks.shape[0]
    key = ranks * (n_algorithms + 1) + tie_break_ranks
    return rank_min(key, larger_is_better=False, axis=0)
