"""Ranks with ties ``min`` and Kendall's tau-b between rankings."""

from __future__ import annotations

import numpy as np

# Scores are rounded before ranking, so that sums taken in a different order
# (a reordered table, a matrix product) still tie where they tie exactly.
SCORE_DECIMALS = 10

# Kendall's tau-b compares the rankings in blocks of about this many ordered
# pairs, so that the comparison matrix of a block stays small (1 MiB of booleans).
TAU_BLOCK_ELEMENTS = 2**20


def rank_min(scores: np.ndarray, *, larger_is_better: bool, axis: int = -1) -> np.ndarray:
    """Rank ``scores`` along ``axis``: 1 is best, ties share the lowest rank (1, 2, 2, 4).

    NaN scores rank last, tied with each other, whatever the direction.
    """
    scores = np.asarray(scores, dtype=np.float64)
    key = np.round(scores, SCORE_DECIMALS)
    if larger_is_better:
        key = -key
    key = np.where(np.isnan(scores), np.inf, key)

    # Sort along the last axis. Each element's rank is one more than the
    # position of the first element of its group of equal keys.
    moved = np.ascontiguousarray(np.moveaxis(key, axis, -1))
    order = np.argsort(moved, axis=-1)
    sorted_keys = np.take_along_axis(moved, order, axis=-1)
    starts_group = np.ones(sorted_keys.shape, dtype=bool)
    np.not_equal(sorted_keys[..., 1:], sorted_keys[..., :-1], out=starts_group[..., 1:])
    positions = np.arange(moved.shape[-1], dtype=np.float64)
    group_first = np.maximum.accumulate(np.where(starts_group, positions, 0.0), axis=-1)

    ranks = np.empty_like(moved)
    np.put_along_axis(ranks, order, group_first + 1.0, axis=-1)
    return np.ascontiguousarray(np.moveaxis(ranks, -1, axis))


def kendall_tau_b(reference: np.ndarray, rankings: np.ndarray) -> np.ndarray:
    """Return Kendall's tau-b between ``reference`` (n,) and each row of ``rankings`` (k, n).

    A one-dimensional ``rankings`` gives a 0-d array. Tau-b is undefined (NaN)
    when either ranking ties every algorithm, when there are fewer than two
    algorithms, or when a ranking contains NaN.
    """
    reference = np.asarray(reference, dtype=np.float64)
    rankings = np.asarray(rankings, dtype=np.float64)
    single = rankings.ndim == 1
    rankings = np.atleast_2d(rankings)
    n_rankings, n_algorithms = rankings.shape

    # Sign of every ordered pair (i, j) of the reference, flattened.
    reference_signs = np.sign(reference[:, None] - reference[None, :]).reshape(-1)
    untied_reference = np.count_nonzero(reference_signs) // 2

    # later[k, i * n + j] is True when ranking k puts algorithm i after algorithm j.
    # Each untied pair of ranking k is True in exactly one of its two orders, so
    # the sum of the reference signs over the True entries is concordant minus
    # discordant, and their number is the untied pairs of ranking k.
    compared = _as_small_integers(rankings)
    sum_dtype = _exact_sum_dtype(n_algorithms)
    signs = reference_signs.astype(sum_dtype)
    numerator = np.empty(n_rankings)
    untied_rankings = np.empty(n_rankings)
    block_size = max(1, TAU_BLOCK_ELEMENTS // max(n_algorithms * n_algorithms, 1))
    for start in range(0, n_rankings, block_size):
        block = compared[start : start + block_size]
        later = (block[:, :, None] > block[:, None, :]).reshape(block.shape[0], -1)
        numerator[start : start + block_size] = later.astype(sum_dtype) @ signs
        untied_rankings[start : start + block_size] = later.view(np.uint8).sum(axis=1, dtype=np.int64)

    # tau-b = (concordant - discordant) / sqrt(untied pairs of each ranking).
    denominator = np.sqrt(untied_reference * untied_rankings)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)
    tau[np.isnan(rankings).any(axis=1) | np.isnan(reference).any()] = np.nan

    return tau[0] if single else tau


def _as_small_integers(rankings: np.ndarray) -> np.ndarray:
    """Return ``rankings`` as int16 when that keeps every value, else unchanged.

    Ranks are whole numbers, and comparing int16 is several times faster than
    comparing float64.
    """
    small = np.iinfo(np.int16)
    if rankings.size == 0 or not (small.min <= rankings.min() and rankings.max() <= small.max):
        return rankings
    converted = rankings.astype(np.int16)
    return converted if np.array_equal(converted, rankings) else rankings


def _exact_sum_dtype(n_algorithms: int) -> type:
    """Return float32 when float32 represents every sum over the ordered pairs exactly, else float64.

    float32 represents whole numbers up to 2**24 exactly, and a sum of signs
    over ordered pairs stays below n (n - 1) in magnitude.
    """
    return np.float32 if n_algorithms * (n_algorithms - 1) < 2**24 else np.float64
