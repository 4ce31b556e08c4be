"""Ranks with ties ``min`` and Kendall's tau-b between rankings."""

from __future__ import annotations

import numpy as np
from scipy import stats

# Scores are rounded before ranking, so that sums taken in a different order
# (a reordered table, a matrix product) still tie where they tie exactly.
SCORE_DECIMALS = 10


def rank_min(scores: np.ndarray, *, larger_is_better: bool, axis: int = -1) -> np.ndarray:
    """Rank ``scores`` along ``axis``: 1 is best, ties share the lowest rank (1, 2, 2, 4).

    NaN scores rank last, tied with each other, whatever the direction.
    """
    scores = np.asarray(scores, dtype=np.float64)
    key = np.round(scores, SCORE_DECIMALS)
    if larger_is_better:
        key = -key
    key = np.where(np.isnan(scores), np.inf, key)
    return stats.rankdata(key, method="min", axis=axis).astype(np.float64)


def kendall_tau_b(reference: np.ndarray, rankings: np.ndarray) -> np.ndarray:
    """Return Kendall's tau-b between ``reference`` (n,) and each row of ``rankings`` (k, n).

    A one-dimensional ``rankings`` gives a 0-d array. Tau-b is undefined (NaN)
    when either ranking ties every algorithm, or there are fewer than two.
    """
    reference = np.asarray(reference, dtype=np.float64)
    rankings = np.asarray(rankings, dtype=np.float64)
    single = rankings.ndim == 1
    rankings = np.atleast_2d(rankings)

    # Signs of every pair (i, j) with i < j in each ranking.
    upper_i, upper_j = np.triu_indices(reference.size, k=1)
    reference_signs = np.sign(reference[upper_i] - reference[upper_j])
    sample_signs = np.sign(rankings[:, upper_i] - rankings[:, upper_j])

    # tau-b = (concordant - discordant) / sqrt(untied pairs of each ranking).
    numerator = (sample_signs * reference_signs).sum(axis=1)
    untied_reference = np.count_nonzero(reference_signs)
    untied_samples = np.count_nonzero(sample_signs, axis=1)
    denominator = np.sqrt(untied_reference * untied_samples.astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)

    return tau[0] if single else tau
