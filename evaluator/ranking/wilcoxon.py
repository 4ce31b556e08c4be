"""Vectorised one-sided paired Wilcoxon signed-rank tests and p-value adjustment.

The test is R's ``wilcox.test(x, y, paired = TRUE, exact = FALSE, correct = TRUE,
alternative = "greater")``, which is scipy's ``wilcoxon(x, y, alternative="greater",
method="asymptotic", correction=True, zero_method="wilcox")``: zero differences
are dropped, tied absolute differences get their average rank, the variance is
tie-corrected and the statistic is shifted by 0.5 towards the mean.
"""

from __future__ import annotations

import numpy as np
from scipy import special

CORRECTION_NAMES = ("none", "holm", "bonferroni", "bh")


def pairwise_wilcoxon(values: np.ndarray, weights: np.ndarray, *, larger_is_better: bool) -> np.ndarray:
    """Return one-sided p-values that row i is better than row j, for every weighted sample.

    ``values`` has shape (algorithms, cases), NaN where a case is dropped; each
    pair is tested over the cases both have. ``weights`` has shape (samples,
    cases) and counts how often each case was drawn; each draw is its own case.
    Returns (samples, algorithms, algorithms) with NaN on the diagonal and where
    a pair has no non-zero difference.
    """
    n_algorithms = values.shape[0]
    # Cases along the first axis, so that gathering the cases of a pair copies whole rows.
    case_weights = np.ascontiguousarray(np.asarray(weights, dtype=np.float64).T)
    p_values = np.full((case_weights.shape[1], n_algorithms, n_algorithms), np.nan)

    for first in range(n_algorithms):
        for second in range(first + 1, n_algorithms):
            differences = values[first] - values[second]
            if not larger_is_better:
                differences = -differences
            better, worse = _signed_rank_p_values(differences, case_weights)
            p_values[:, first, second] = better
            p_values[:, second, first] = worse

    return p_values


def _signed_rank_p_values(differences: np.ndarray, case_weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the p-values for "greater" and "less" of one pair's differences in each sample.

    ``case_weights`` has shape (cases, samples).
    """
    used = np.flatnonzero(~np.isnan(differences) & (differences != 0))
    if used.size == 0:
        empty = np.full(case_weights.shape[1], np.nan)
        return empty, empty

    # Sort the absolute differences once; a draw only changes the weights.
    magnitudes = np.abs(differences[used])
    order = np.argsort(magnitudes, kind="stable")
    sorted_magnitudes = magnitudes[order]
    positive = differences[used][order] > 0
    sorted_weights = case_weights[used[order]]

    # Cumulative weight at the end of each group of tied magnitudes, in each sample.
    is_group_end = np.r_[sorted_magnitudes[1:] != sorted_magnitudes[:-1], True]
    cumulative = np.cumsum(sorted_weights, axis=0)
    if is_group_end.all():
        cumulative_at_end = cumulative
    else:
        cumulative_at_end = cumulative[is_group_end]
    group_weights = np.diff(cumulative_at_end, axis=0, prepend=0.0)

    # Average rank of each group in the expanded sample: its last rank minus (weight - 1) / 2.
    group_ranks = cumulative_at_end - (group_weights - 1) / 2
    if not is_group_end.all():
        group_of_case = np.cumsum(np.r_[False, is_group_end[:-1]])
        group_ranks = group_ranks[group_of_case]
    rank_sum_positive = positive.astype(np.float64) @ (sorted_weights * group_ranks)

    # Normal approximation with tie and continuity correction.
    count = group_weights.sum(axis=0)
    rank_sum_negative = count * (count + 1) / 2 - rank_sum_positive
    mean = count * (count + 1) / 4
    tie_term = (group_weights * (group_weights * group_weights - 1)).sum(axis=0)
    variance = (count * (count + 1) * (2 * count + 1) - tie_term / 2) / 24

    with np.errstate(invalid="ignore", divide="ignore"):
        deviation = np.sqrt(variance)
        z_greater = (rank_sum_positive - mean - 0.5) / deviation
        z_less = (rank_sum_negative - mean - 0.5) / deviation
    valid = count > 0
    return (
        np.where(valid, special.ndtr(-z_greater), np.nan),
        np.where(valid, special.ndtr(-z_less), np.nan),
    )


def adjust_p_values(p_values: np.ndarray, correction: str) -> np.ndarray:
    """Adjust the p-values of each row for multiple testing, as R's ``p.adjust``.

    ``p_values`` has shape (..., m); each slice along the last axis is one
    family. NaN p-values are left out and do not count towards m.
    ``correction`` is ``"none"``, ``"holm"``, ``"bonferroni"`` or ``"bh"``
    (Benjamini-Hochberg).
    """
    if correction not in CORRECTION_NAMES:
        raise ValueError(
            f"correction: expected one of {', '.join(CORRECTION_NAMES)}, got {correction!r}"
        )
    p_values = np.asarray(p_values, dtype=np.float64)
    if correction == "none":
        return p_values.copy()

    # NaN sorts last, so the first `count` sorted entries are the tested pairs.
    count = np.count_nonzero(~np.isnan(p_values), axis=-1)[..., None]
    order = np.argsort(p_values, axis=-1, kind="stable")
    sorted_p = np.take_along_axis(p_values, order, axis=-1)
    position = np.arange(1, p_values.shape[-1] + 1)

    if correction == "bonferroni":
        adjusted_sorted = np.minimum(sorted_p * count, 1.0)
    elif correction == "holm":
        # Step down: (m - i + 1) p_(i), made non-decreasing from the smallest up.
        scaled = np.where(position <= count, (count - position + 1) * sorted_p, np.nan)
        adjusted_sorted = np.minimum(np.fmax.accumulate(scaled, axis=-1), 1.0)
    else:
        # Step up: m / i p_(i), made non-increasing from the largest down.
        scaled = np.where(position <= count, count / position * sorted_p, np.nan)
        reversed_min = np.fmin.accumulate(scaled[..., ::-1], axis=-1)[..., ::-1]
        adjusted_sorted = np.minimum(reversed_min, 1.0)

    adjusted = np.empty_like(p_values)
    np.put_along_axis(adjusted, order, adjusted_sorted, axis=-1)
    return np.where(np.isnan(p_values), np.nan, adjusted)
