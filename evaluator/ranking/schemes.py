"""The three ranking schemes, named by the order of their steps.

Each scheme scores the algorithms of one task over weighted samples of cases
and ranks the scores with ties ``min``, rank 1 best. A row of ``weights``
counts how often each case was drawn, and the full table is one row of ones.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from evaluator.ranking.aggregate import aggregate_values
from evaluator.ranking.ranks import rank_min
from evaluator.ranking.settings import RankingSettings
from evaluator.ranking.wilcoxon import adjust_pairwise_p_values, pairwise_wilcoxon


@dataclasses.dataclass(frozen=True)
class SchemeResult:
    """Scores and ranks of one task: arrays of shape (algorithms, samples).

    ``scores`` is what was ranked: the aggregate, the mean rank, or the share
    of significant wins; ``larger_is_better`` is the direction of ``scores``.
    """

    scores: np.ndarray
    ranks: np.ndarray
    larger_is_better: bool


def aggregate_then_rank(
    values: np.ndarray, weights: np.ndarray, *, larger_is_better: bool, settings: RankingSettings
) -> SchemeResult:
    """Aggregate each algorithm's values (mean, median or quantile), then rank the aggregates.

    ``values`` are already filled by the missing-value policy; NaN cells left by
    ``drop`` are skipped, and an algorithm with no value at all ranks last.
    """
    scores = aggregate_values(values, weights, settings.aggregate)
    ranks = rank_min(scores, larger_is_better=larger_is_better, axis=0)
    return SchemeResult(scores=scores, ranks=ranks, larger_is_better=larger_is_better)


def rank_then_aggregate(
    values: np.ndarray, weights: np.ndarray, *, larger_is_better: bool, settings: RankingSettings
) -> SchemeResult:
    """Rank the algorithms within each case, average each algorithm's ranks, then rank the averages.

    A NaN cell (left by ``drop``) gets the worst rank of its case. The ranks of
    one case do not depend on the other cases, so they are computed once and
    each sample only re-weights them.
    """
    case_ranks = rank_min(values, larger_is_better=larger_is_better, axis=0)

    # Mean rank per algorithm in each weighted sample.
    mean_ranks = case_ranks @ weights.T / weights.sum(axis=1)

    ranks = rank_min(mean_ranks, larger_is_better=False, axis=0)
    return SchemeResult(scores=mean_ranks, ranks=ranks, larger_is_better=False)


def test_then_rank(
    values: np.ndarray, weights: np.ndarray, *, larger_is_better: bool, settings: RankingSettings
) -> SchemeResult:
    """Test every ordered pair, adjust the p-values together, then rank by the share of significant wins.

    The tests are one-sided paired Wilcoxon signed-rank tests (see
    ``evaluator.ranking.wilcoxon``). An algorithm's score is the share of the
    other algorithms it beats with an adjusted p-value <= ``settings.alpha``.
    """
    p_values = pairwise_wilcoxon(values, weights, larger_is_better=larger_is_better)

    # Adjust the n (n - 1) p-values of each sample together.
    adjusted = adjust_pairwise_p_values(p_values, settings.correction)

    return rank_by_significant_wins(adjusted, alpha=settings.alpha)


def rank_by_significant_wins(adjusted: np.ndarray, *, alpha: float) -> SchemeResult:
    """Rank by the share of the other algorithms each one beats with adjusted p <= ``alpha``.

    ``adjusted`` has shape (samples, algorithms, algorithms): the adjusted
    p-value that row i is better than column j in each sample.
    """
    n_algorithms = adjusted.shape[1]
    with np.errstate(invalid="ignore"):
        significant = adjusted <= alpha
    wins = significant.sum(axis=2).T.astype(np.float64)
    scores = wins / max(n_algorithms - 1, 1)

    ranks = rank_min(scores, larger_is_better=True, axis=0)
    return SchemeResult(scores=scores, ranks=ranks, larger_is_better=True)


SCHEME_FUNCTIONS = {
    "aggregate-then-rank": aggregate_then_rank,
    "rank-then-aggregate": rank_then_aggregate,
    "test-then-rank": test_then_rank,
}


def run_scheme(
    scheme: str,
    values: np.ndarray,
    weights: np.ndarray,
    *,
    larger_is_better: bool,
    settings: RankingSettings,
) -> SchemeResult:
    """Run the scheme named ``scheme`` on one task."""
    return SCHEME_FUNCTIONS[scheme](
        values, weights, larger_is_better=larger_is_better, settings=settings
    )
