"""Bootstrap of the cases: draws, per-sample rankings and their summaries."""

from __future__ import annotations

import numpy as np

from evaluator.ranking.combine import combine_task_ranks
from evaluator.ranking.ranks import kendall_tau_b
from evaluator.ranking.schemes import SchemeResult, run_scheme
from evaluator.ranking.settings import RankingSettings

RANK_INTERVAL_PERCENT = (2.5, 97.5)


def draw_case_weights(n_cases: int, samples: int, seed: int) -> np.ndarray:
    """Draw ``samples`` bootstrap samples of n of n cases, with replacement.

    Returns (samples, cases) counts of how often each case was drawn, from
    ``numpy.random.default_rng(seed)``, so a seed gives the same draws on every
    machine. A case drawn twice counts as two cases.
    """
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, n_cases, size=(samples, n_cases))

    # Count the draws of each case, one row per sample, without a loop over samples.
    offsets = np.arange(samples)[:, None] * n_cases
    counts = np.bincount((drawn + offsets).ravel(), minlength=samples * n_cases)
    return counts.reshape(samples, n_cases).astype(np.float64)


def bootstrap_ranks(
    values: dict[str, np.ndarray],
    larger_is_better: dict[str, bool],
    settings: RankingSettings,
    weights: np.ndarray,
) -> tuple[dict[str, SchemeResult], np.ndarray, np.ndarray]:
    """Rank every task and the overall ranking in each weighted sample.

    ``values`` are filled by the missing-value policy. Returns the per-task
    results and the overall scores and ranks, each of shape (algorithms, samples).
    """
    results = {
        key: run_scheme(
            settings.scheme,
            task_values,
            weights,
            larger_is_better=larger_is_better[key],
            settings=settings,
        )
        for key, task_values in values.items()
    }
    overall_scores, overall_ranks = combine_task_ranks(
        results, rule=settings.combine, tie_break=settings.tie_break
    )
    return results, overall_scores, overall_ranks


def summarize_ranks(full_ranks: np.ndarray, sample_ranks: np.ndarray) -> dict:
    """Summarise bootstrap ranks (algorithms x samples) against the full ranking (algorithms,).

    Returns per algorithm the median rank, the 2.5-97.5 % rank interval (numpy's
    default linear quantiles) and the count of samples at each rank 1..n. It
    also returns Kendall's tau-b between the full ranking and each sample's
    ranking (NaN where undefined), and its median over the defined values.
    """
    n_algorithms = full_ranks.shape[0]
    median = np.median(sample_ranks, axis=1)
    low, high = np.percentile(sample_ranks, RANK_INTERVAL_PERCENT, axis=1)

    # Rank frequencies: ranks are whole numbers 1..n, counted per algorithm in one bincount.
    cells = np.arange(n_algorithms)[:, None] * n_algorithms + sample_ranks.astype(np.intp) - 1
    counts = np.bincount(cells.reshape(-1), minlength=n_algorithms * n_algorithms)
    frequency = counts.reshape(n_algorithms, n_algorithms)

    tau = kendall_tau_b(full_ranks, sample_ranks.T)
    defined = tau[~np.isnan(tau)]
    tau_median = float(np.median(defined)) if defined.size else np.nan

    return {
        "median_rank": median,
        "rank_interval": np.stack([low, high], axis=1),
        "rank_frequency": frequency,
        "kendall_tau": tau,
        "kendall_tau_median": tau_median,
    }


def value_intervals(sample_values: np.ndarray) -> np.ndarray:
    """Return the 2.5-97.5 % interval of each algorithm's bootstrap values, (algorithms, 2).

    Samples where an algorithm has no value are left out; an algorithm with no
    value in any sample gets NaN.
    """
    present_rows = ~np.isnan(sample_values).any(axis=1)
    intervals = np.full((sample_values.shape[0], 2), np.nan)
    if present_rows.any() and sample_values.shape[1]:
        intervals[present_rows] = np.percentile(sample_values[present_rows], RANK_INTERVAL_PERCENT, axis=1).T

    # Rows with a missing value in some sample take the percentiles of the samples where they have one.
    for row in np.flatnonzero(~present_rows):
        values = sample_values[row]
        present = values[~np.isnan(values)]
        if present.size:
            intervals[row] = np.percentile(present, RANK_INTERVAL_PERCENT)
    return intervals
