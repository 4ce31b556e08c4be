"""Pairwise significance: the adjusted p-value matrix and a compact letter display."""

from __future__ import annotations

import string

import numpy as np
from scipy import special

from evaluator.ranking.wilcoxon import adjust_pairwise_p_values, pairwise_wilcoxon


def significance_matrix(values: np.ndarray, *, larger_is_better: bool, correction: str) -> np.ndarray:
    """Return the adjusted one-sided p-values that row i is better than column j.

    ``values`` (algorithms x cases) are already filled by the missing-value
    policy. The n (n - 1) p-values are adjusted together. The diagonal, and
    pairs with no non-zero difference, are NaN.
    """
    p_values = pairwise_wilcoxon(values, np.ones((1, values.shape[1])), larger_is_better=larger_is_better)[0]
    return adjust_pairwise_p_values(p_values, correction)


def smallest_reachable_p(n_cases: int, n_tests: int, correction: str) -> float:
    """Return the smallest adjusted p-value any pair can reach with ``n_cases`` paired cases.

    The one-sided statistic is largest when every difference is positive and
    untied. Holm and Bonferroni then multiply the smallest p-value by the
    number of tests; Benjamini-Hochberg and no correction leave it as it is.
    """
    if n_cases < 1:
        return 1.0
    rank_sum = n_cases * (n_cases + 1) / 2
    mean = rank_sum / 2
    deviation = np.sqrt(n_cases * (n_cases + 1) * (2 * n_cases + 1) / 24)
    smallest = float(special.ndtr(-(rank_sum - mean - 0.5) / deviation))
    if correction in ("holm", "bonferroni"):
        smallest = min(1.0, smallest * max(n_tests, 1))
    return smallest


def compact_letter_display(adjusted: np.ndarray, order: list[int], *, alpha: float) -> list[str]:
    """Return letters per algorithm such that two algorithms share a letter when no test separates them.

    Two algorithms differ when the adjusted p-value of either direction is
    <= ``alpha``. Each letter marks one maximal group of algorithms of which no
    two differ. Letters go to the groups in the order of their best member in
    ``order`` (algorithm indices, best first).
    """
    n_algorithms = adjusted.shape[0]
    with np.errstate(invalid="ignore"):
        differ = (adjusted <= alpha) | (adjusted.T <= alpha)

    # Sets of algorithms are bit masks: bit v stands for algorithm v.
    similar = ~differ
    np.fill_diagonal(similar, False)
    bit_values = [1 << vertex for vertex in range(n_algorithms)]
    neighbours = [sum(bit_values[vertex] for vertex in np.flatnonzero(row).tolist()) for row in similar]
    groups: list[list[int]] = []
    _maximal_cliques(0, (1 << n_algorithms) - 1, 0, neighbours, groups)

    position = {algorithm: place for place, algorithm in enumerate(order)}
    groups.sort(key=lambda group: sorted(position[member] for member in group))

    letters = [""] * n_algorithms
    for number, group in enumerate(groups):
        letter = _letter(number)
        for member in group:
            letters[member] += letter
    return letters


def _maximal_cliques(clique: int, candidates: int, excluded: int, neighbours: list[int], found: list) -> None:
    # Bron-Kerbosch with pivoting on bit masks; leaderboards have at most a few
    # hundred entries, so the recursion stays shallow.
    if not candidates and not excluded:
        found.append(_members(clique))
        return
    pivot = max(_members(candidates | excluded), key=lambda vertex: (neighbours[vertex] & candidates).bit_count())
    remaining = candidates & ~neighbours[pivot]
    while remaining:
        lowest = remaining & -remaining
        vertex = lowest.bit_length() - 1
        _maximal_cliques(
            clique | lowest, candidates & neighbours[vertex], excluded & neighbours[vertex], neighbours, found
        )
        candidates &= ~lowest
        excluded |= lowest
        remaining &= ~lowest


def _members(mask: int) -> list[int]:
    """Return the vertices of a bit mask, smallest first."""
    members = []
    while mask:
        lowest = mask & -mask
        members.append(lowest.bit_length() - 1)
        mask ^= lowest
    return members


def _letter(number: int) -> str:
    # a, b, ..., z, aa, ab, ...
    letters = string.ascii_lowercase
    name = ""
    number += 1
    while number > 0:
        number, remainder = divmod(number - 1, len(letters))
        name = letters[remainder] + name
    return name
