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

from evaluator.ranking.settings import CORRECTIONS

# Samples are processed in blocks of about this many bytes of case weights, so
# that the arrays of one block stay in the processor's cache. On the development
# machine (x86-64), blocks of 32 samples x 6,000 cases ran about three times
# faster than one array of 200 samples.
SAMPLE_BLOCK_BYTES = 2**20

# The full-table test handles pairs in blocks of about this many differences, so
# that the sort and its work arrays stay small. With 100 algorithms x 6,000 cases,
# 2**16 ran fastest of 2**15 to 2**18 on the development machine (AMD EPYC,
# x86-64), by up to a third, in one measurement on a shared machine.
PAIR_BLOCK_ELEMENTS = 2**16


def pairwise_wilcoxon(values: np.ndarray, weights: np.ndarray, *, larger_is_better: bool) -> np.ndarray:
    """Return one-sided p-values that row i is better than row j, for every weighted sample.

    ``values`` has shape (algorithms, cases), NaN where a case is dropped; each
    pair is tested over the cases both have. ``weights`` has shape (samples,
    cases) and counts how often each case was drawn; each draw is its own case.
    Returns (samples, algorithms, algorithms) with NaN on the diagonal and where
    a pair has no non-zero difference.
    """
    n_algorithms, n_cases = values.shape
    weights = np.asarray(weights, dtype=np.float64)
    n_samples = weights.shape[0]
    if n_samples == 1 and (weights == 1).all():
        return _full_table_p_values(values, larger_is_better=larger_is_better)[None]

    # Cases along the first axis, so that gathering the cases of a pair copies whole rows.
    block_size = max(1, SAMPLE_BLOCK_BYTES // (8 * max(n_cases, 1)))
    blocks = [
        np.ascontiguousarray(weights[start : start + block_size].T) for start in range(0, n_samples, block_size)
    ]

    p_values = np.full((n_samples, n_algorithms, n_algorithms), np.nan)
    for first in range(n_algorithms):
        for second in range(first + 1, n_algorithms):
            differences = values[first] - values[second]
            if not larger_is_better:
                differences = -differences
            better, worse = _signed_rank_p_values(differences, blocks)
            p_values[:, first, second] = better
            p_values[:, second, first] = worse

    return p_values


def _full_table_p_values(values: np.ndarray, *, larger_is_better: bool) -> np.ndarray:
    """Return the (algorithms, algorithms) p-values on the full table, in blocks of pairs."""
    n_algorithms, n_cases = values.shape
    all_finite = bool(np.isfinite(values).all())

    # Orient the values so that a positive difference favours the first
    # algorithm. Adding 0.0 turns -0.0 into 0.0, so that a zero difference is +0.0.
    oriented = (values if larger_is_better else -values) + 0.0

    p_values = np.full((n_algorithms, n_algorithms), np.nan)
    if n_cases == 0:
        return p_values

    first_all, second_all = np.triu_indices(n_algorithms, k=1)
    pairs_per_block = max(1, PAIR_BLOCK_ELEMENTS // max(n_cases, 1))
    positions = np.arange(n_cases, dtype=np.float64)
    for start in range(0, first_all.size, pairs_per_block):
        first = first_all[start : start + pairs_per_block]
        second = second_all[start : start + pairs_per_block]
        differences = oriented[first] - oriented[second]
        greater, less = _sorted_signed_rank_p_values(differences, positions, all_finite=all_finite)
        p_values[first, second] = greater
        p_values[second, first] = less
    return p_values


def _sorted_signed_rank_p_values(
    differences: np.ndarray, positions: np.ndarray, *, all_finite: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Return the "greater" and "less" p-values of each row of ``differences`` (pairs, cases).

    ``differences`` contains no -0.0, and ``all_finite`` is False when it may contain NaN.

    Each difference becomes one unsigned integer key: the bits of its absolute
    value shifted left by one, with its sign bit as the lowest bit. The bits of a
    non-negative float64 order like the number, so one sort per row orders the
    magnitudes, and within a group of tied magnitudes puts the positive
    differences before the negative ones. Zero differences sort first and NaN
    (dropped cases) last. The rank sums and tie terms are whole or half numbers,
    exact in float64, so the p-values do not depend on the order of the cases.
    """
    n_pairs, n_cases = differences.shape
    zeros = np.count_nonzero(differences == 0, axis=1).astype(np.float64)
    dropped = np.zeros(n_pairs)
    if not all_finite:
        # Every NaN becomes numpy's positive NaN, so that the dropped cases share one key.
        dropped_cases = np.isnan(differences)
        differences[dropped_cases] = np.nan
        dropped = np.count_nonzero(dropped_cases, axis=1).astype(np.float64)
    count = n_cases - zeros - dropped

    bits = differences.view(np.uint64)
    keys = bits << np.uint64(1)
    keys |= bits >> np.uint64(63)
    keys.sort(axis=1)

    # Rank sum of the negative differences as if no magnitudes tied: the used
    # differences follow the zeros, so position k has rank k - zeros + 1.
    negative = (keys & np.uint64(1)).astype(np.float64)
    rank_sum_negative = negative @ positions - negative.sum(axis=1) * (zeros - 1)

    # Two neighbours tie when their keys differ in the sign bit at most. A
    # last column of 2 keeps a group from running into the next row.
    neighbour_xor = np.empty_like(keys)
    np.bitwise_xor(keys[:, 1:], keys[:, :-1], out=neighbour_xor[:, :-1])
    neighbour_xor[:, -1] = 2
    tied = np.flatnonzero(neighbour_xor < 2)
    tie_term = np.zeros(n_pairs)
    if tied.size:
        tie_term, correction = _tie_corrections(tied, neighbour_xor.reshape(-1)[tied], n_pairs, n_cases)
        rank_sum_negative -= correction

        # The zeros and the dropped cases each form a group of their own, which the test leaves out.
        tie_term -= zeros**3 - zeros + dropped**3 - dropped

    rank_sum_positive = count * (count + 1) / 2 - rank_sum_negative
    return _normal_p_values(rank_sum_positive, count, tie_term)


def _tie_corrections(
    tied: np.ndarray, tied_xor: np.ndarray, n_pairs: int, n_cases: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return, per pair, the tie term and what ties take off the untied negative rank sum.

    ``tied`` are the flat positions k (in the sorted (pairs, cases) keys) whose
    element ties with element k + 1, and ``tied_xor`` their keys' XOR: 1 where
    the sign changes inside the group. A group of t tied magnitudes with p
    positive and q negative differences adds t^3 - t to the tie term. Its
    negatives sit on the group's last q positions, so giving every member the
    group's average rank lowers their rank sum by p q / 2.
    """
    starts = np.empty(tied.size, dtype=bool)
    starts[0] = True
    np.not_equal(tied[1:], tied[:-1] + 1, out=starts[1:])
    start_index = np.flatnonzero(starts)
    group_first = tied[start_index]
    sizes = np.diff(start_index, append=tied.size).astype(np.float64) + 1
    tie_term = np.bincount(group_first // n_cases, weights=sizes**3 - sizes, minlength=n_pairs)

    correction = np.zeros(n_pairs)
    switch_index = np.flatnonzero(tied_xor == 1)
    if switch_index.size:
        group = np.cumsum(starts)[switch_index] - 1
        switches = tied[switch_index]
        n_positive = (switches - group_first[group] + 1).astype(np.float64)
        products = n_positive * (sizes[group] - n_positive)
        correction = np.bincount(switches // n_cases, weights=products, minlength=n_pairs) / 2
    return tie_term, correction


def _signed_rank_p_values(differences: np.ndarray, blocks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Return the p-values for "greater" and "less" of one pair's differences in each sample.

    ``blocks`` are the case weights of consecutive samples, each (cases, samples in block).
    """
    n_samples = sum(block.shape[1] for block in blocks)
    used = np.flatnonzero(~np.isnan(differences) & (differences != 0))
    if used.size == 0:
        empty = np.full(n_samples, np.nan)
        return empty, empty

    # Sort the absolute differences once; a draw only changes the weights.
    magnitudes = np.abs(differences[used])
    order = np.argsort(magnitudes)
    sorted_magnitudes = magnitudes[order]
    positive = (differences[used][order] > 0).astype(np.float64)
    is_group_end = np.r_[sorted_magnitudes[1:] != sorted_magnitudes[:-1], True]
    group_of_case = None if is_group_end.all() else np.cumsum(np.r_[False, is_group_end[:-1]])

    p_greater, p_less = [], []
    for block in blocks:
        greater, less = _block_p_values(block[used[order]], positive, is_group_end, group_of_case)
        p_greater.append(greater)
        p_less.append(less)
    return np.concatenate(p_greater), np.concatenate(p_less)


def _block_p_values(sorted_weights, positive, is_group_end, group_of_case) -> tuple[np.ndarray, np.ndarray]:
    """Return both one-sided p-values for a block of samples, from weights sorted by magnitude."""
    # Cumulative weight at the end of each group of tied magnitudes, in each sample.
    cumulative = np.cumsum(sorted_weights, axis=0)
    cumulative_at_end = cumulative if group_of_case is None else cumulative[is_group_end]
    group_weights = np.diff(cumulative_at_end, axis=0, prepend=0.0)

    # Average rank of each group in the expanded sample: its last rank minus (weight - 1) / 2.
    group_ranks = cumulative_at_end - (group_weights - 1) / 2
    case_ranks = group_ranks if group_of_case is None else group_ranks[group_of_case]
    rank_sum_positive = positive @ (sorted_weights * case_ranks)

    count = cumulative[-1]
    tie_term = (group_weights * (group_weights * group_weights - 1)).sum(axis=0)
    return _normal_p_values(rank_sum_positive, count, tie_term)


def _normal_p_values(rank_sum_positive, count, tie_term) -> tuple[np.ndarray, np.ndarray]:
    """Return the "greater" and "less" p-values of the normal approximation with tie and continuity correction.

    ``tie_term`` is the sum of t^3 - t over the groups of tied absolute
    differences. A pair without any non-zero difference (count 0) gets NaN.
    """
    rank_sum_negative = count * (count + 1) / 2 - rank_sum_positive
    mean = count * (count + 1) / 4
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


def adjust_pairwise_p_values(p_values: np.ndarray, correction: str) -> np.ndarray:
    """Adjust the n (n - 1) off-diagonal p-values of each (..., n, n) matrix together.

    The diagonal of the result is NaN.
    """
    n_algorithms = p_values.shape[-1]
    off_diagonal = ~np.eye(n_algorithms, dtype=bool)
    adjusted = np.full_like(p_values, np.nan)
    adjusted[..., off_diagonal] = adjust_p_values(p_values[..., off_diagonal], correction)
    return adjusted


def adjust_p_values(p_values: np.ndarray, correction: str) -> np.ndarray:
    """Adjust the p-values of each row for multiple testing, as R's ``p.adjust``.

    ``p_values`` has shape (..., m); each slice along the last axis is one
    family. NaN p-values are left out and do not count towards m.
    ``correction`` is ``"none"``, ``"holm"``, ``"bonferroni"`` or ``"bh"``
    (Benjamini-Hochberg).
    """
    if correction not in CORRECTIONS:
        raise ValueError(
            f"correction: expected one of {', '.join(CORRECTIONS)}, got {correction!r}"
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
