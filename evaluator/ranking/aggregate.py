"""Aggregates of each algorithm's per-case values over weighted samples of cases.

A sample is a row of case weights: the number of times each case was drawn.
The full table is the single sample of all ones, so the ranking and its
bootstrap share one code path.
"""

from __future__ import annotations

import numpy as np

from evaluator.ranking.settings import aggregate_quantile


def aggregate_values(values: np.ndarray, weights: np.ndarray, aggregate: str) -> np.ndarray:
    """Aggregate ``values`` (algorithms x cases) over each weighted sample.

    ``weights`` has shape (samples, cases). Returns (algorithms, samples). NaN
    cells (dropped cases) are left out; an algorithm with no value in a sample
    gets NaN. Quantiles follow R's and numpy's default (type 7, linear).
    """
    quantile = aggregate_quantile(aggregate)
    if np.isnan(quantile):
        return weighted_mean(values, weights)
    return weighted_quantile(values, weights, quantile)


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return the mean of each algorithm over each weighted sample, leaving out NaN cells."""
    present = ~np.isnan(values)
    if present.all():
        totals = values @ weights.T
        counts = np.broadcast_to(weights.sum(axis=1), totals.shape)
    else:
        totals = np.where(present, values, 0.0) @ weights.T
        counts = present.astype(np.float64) @ weights.T
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, totals / np.where(counts > 0, counts, 1), np.nan)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, quantile: float) -> np.ndarray:
    """Return the type-7 quantile of each algorithm over each weighted sample.

    A case drawn k times counts as k cases, so the result equals numpy's
    ``quantile`` of the expanded sample.
    """
    result = np.full((values.shape[0], weights.shape[0]), np.nan)

    for row, algorithm_values in enumerate(values):
        present = np.flatnonzero(~np.isnan(algorithm_values))
        if present.size == 0:
            continue
        order = present[np.argsort(algorithm_values[present], kind="stable")]
        sorted_values = algorithm_values[order]

        # Position h = (n - 1) q in the expanded sorted sample of each draw.
        cumulative = np.cumsum(weights[:, order], axis=1)
        counts = cumulative[:, -1]
        position = (counts - 1) * quantile
        lower = np.floor(position)
        fraction = position - lower

        # The k-th element (0-based) of the expanded sample is the first sorted
        # value whose cumulative weight exceeds k.
        lower_index = (cumulative <= lower[:, None]).sum(axis=1)
        upper_index = (cumulative <= np.minimum(lower + 1, counts - 1)[:, None]).sum(axis=1)
        last = sorted_values.size - 1
        lower_value = sorted_values[np.minimum(lower_index, last)]
        upper_value = sorted_values[np.minimum(upper_index, last)]

        with np.errstate(invalid="ignore"):
            quantiles = lower_value + fraction * (upper_value - lower_value)
        result[row] = np.where(counts > 0, quantiles, np.nan)

    return result
