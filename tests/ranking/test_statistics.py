"""Ranks, Kendall's tau-b, the vectorised Wilcoxon test and p-value adjustment."""

import itertools

import numpy as np
import pytest
from scipy import stats

from evaluator.ranking import ranks, wilcoxon
from evaluator.ranking.bootstrap import draw_case_weights
from evaluator.ranking.ranks import kendall_tau_b, rank_min
from evaluator.ranking.significance import compact_letter_display
from evaluator.ranking.wilcoxon import adjust_p_values, pairwise_wilcoxon

RANK_CASES = [
    # (scores, larger_is_better, expected ranks)
    pytest.param([0.9, 0.8, 0.8, 0.7], True, [1, 2, 2, 4], id="ties-min-larger"),
    pytest.param([3.0, 1.0, 1.0, 2.0], False, [4, 1, 1, 3], id="ties-min-smaller"),
    pytest.param([np.nan, 0.1, 0.2], True, [3, 2, 1], id="nan-last-larger"),
    pytest.param([np.nan, 5.0, 1.0], False, [3, 2, 1], id="nan-last-smaller"),
    pytest.param([np.nan, np.nan, 1.0], True, [2, 2, 1], id="nan-ties"),
    pytest.param([0.1 + 0.2, 0.3], True, [1, 1], id="rounding-ties"),
]

TAU_CASES = [
    # (reference ranking, other ranking, expected tau-b)
    pytest.param([1, 2, 3, 4], [1, 2, 3, 4], 1.0, id="identical"),
    pytest.param([1, 2, 3, 4], [4, 3, 2, 1], -1.0, id="reversed"),
    pytest.param([2, 1, 3, 4], [1, 2, 3, 4], 2 / 3, id="one-swap"),
    # concordant 4, discordant 0, pairs untied 6 and 5: 4 / sqrt(30).
    pytest.param([1, 2, 3, 4], [1, 1, 3, 4], 5 / np.sqrt(30), id="one-tie"),
]

ADJUST_CASES = [
    # (correction, expected adjusted values of [0.01, 0.04, 0.03, nan, 0.2]), worked by hand; NaN is left out of m.
    pytest.param("none", [0.01, 0.04, 0.03, np.nan, 0.2], id="none"),
    pytest.param("bonferroni", [0.04, 0.16, 0.12, np.nan, 0.8], id="bonferroni"),
    pytest.param("holm", [0.04, 0.09, 0.09, np.nan, 0.2], id="holm"),
    pytest.param("bh", [0.04, 0.16 / 3, 0.16 / 3, np.nan, 0.2], id="benjamini-hochberg"),
]


@pytest.mark.parametrize(("scores", "larger_is_better", "expected"), RANK_CASES)
def test_rank_min(scores, larger_is_better, expected):
    ranks = rank_min(np.array(scores), larger_is_better=larger_is_better)

    assert ranks.tolist() == expected


@pytest.mark.parametrize(("reference", "other", "expected"), TAU_CASES)
def test_kendall_tau_b(reference, other, expected):
    tau = float(kendall_tau_b(np.array(reference), np.array(other)))

    assert tau == pytest.approx(expected)
    assert tau == pytest.approx(stats.kendalltau(reference, other).statistic)


@pytest.mark.parametrize("axis", [0, 1])
def test_rank_min_equals_scipy(axis):
    rng = np.random.default_rng(3)
    scores = np.round(rng.uniform(0, 1, size=(9, 40)), 1)
    scores[2, 5] = np.nan

    ranks = rank_min(scores, larger_is_better=False, axis=axis)

    expected = stats.rankdata(np.where(np.isnan(scores), np.inf, scores), method="min", axis=axis)
    np.testing.assert_array_equal(ranks, expected)


def test_kendall_tau_blocks_equal_scipy(monkeypatch):
    # Blocks of 3 rankings of 6 algorithms split the 20 rankings unevenly.
    monkeypatch.setattr(ranks, "TAU_BLOCK_ELEMENTS", 3 * 36)
    rng = np.random.default_rng(8)
    reference = np.array([1, 2, 2, 4, 5, 6])
    rankings = rng.integers(1, 5, size=(20, 6))

    tau = kendall_tau_b(reference, rankings)

    for row, ranking in enumerate(rankings):
        expected = stats.kendalltau(reference, ranking).statistic
        if np.isnan(expected):
            assert np.isnan(tau[row])
        else:
            assert tau[row] == pytest.approx(expected, rel=1e-12)


def test_kendall_tau_nan_ranking_undefined():
    tau = kendall_tau_b(np.array([1, 2, 3]), np.array([[1, np.nan, 3], [1.5, 2.5, 3.5]]))

    assert np.isnan(tau[0])
    assert tau[1] == pytest.approx(1.0)


def test_kendall_tau_all_ties_undefined():
    tau = kendall_tau_b(np.array([1, 1, 1]), np.array([[1, 1, 1], [1, 2, 3]]))

    assert np.isnan(tau).all()


@pytest.mark.parametrize(("correction", "expected"), ADJUST_CASES)
def test_adjust_p_values(correction, expected):
    adjusted = adjust_p_values(np.array([0.01, 0.04, 0.03, np.nan, 0.2]), correction)

    np.testing.assert_allclose(adjusted, expected)


def test_adjust_bh_equals_scipy():
    p_values = np.array([0.01, 0.04, 0.03, 0.2, 0.5, 0.001])

    adjusted = adjust_p_values(p_values, "bh")

    np.testing.assert_allclose(adjusted, stats.false_discovery_control(p_values))


def test_adjust_p_values_unknown_correction():
    with pytest.raises(ValueError, match="correction: expected one of none, holm, bonferroni, bh, got 'sidak'"):
        adjust_p_values(np.array([0.1]), "sidak")


@pytest.mark.parametrize("seed", range(8), ids=lambda seed: f"seed{seed}")
@pytest.mark.parametrize("larger_is_better", [True, False], ids=["larger", "smaller"])
def test_wilcoxon_equals_scipy(seed, larger_is_better):
    rng = np.random.default_rng(seed)
    # One decimal makes tied absolute differences and zero differences common.
    values = np.round(rng.uniform(0, 1, size=(4, 5 + 3 * seed)), 1)

    p_values = pairwise_wilcoxon(values, np.ones((1, values.shape[1])), larger_is_better=larger_is_better)[0]

    for first in range(4):
        for second in range(4):
            if first == second:
                continue
            better, worse = (values[first], values[second]) if larger_is_better else (values[second], values[first])
            if np.all(better == worse):
                assert np.isnan(p_values[first, second])
                continue
            expected = stats.wilcoxon(
                better, worse, alternative="greater", method="asymptotic", correction=True, zero_method="wilcox"
            ).pvalue
            assert p_values[first, second] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("larger_is_better", [True, False], ids=["larger", "smaller"])
def test_wilcoxon_blocks_of_pairs_equal_scipy(monkeypatch, larger_is_better):
    # Blocks of 3 pairs split the 28 pairs unevenly, so groups of ties must stop at each row's end.
    monkeypatch.setattr(wilcoxon, "PAIR_BLOCK_ELEMENTS", 3 * 40)
    rng = np.random.default_rng(12)
    values = np.round(rng.uniform(-1, 1, size=(8, 40)), 1)
    values[1] = values[0]
    values[2, :5] = np.nan
    values[3, 4:9] = np.nan
    values[4, 10] = -0.0
    values[5, 10] = 0.0

    p_values = pairwise_wilcoxon(values, np.ones((1, 40)), larger_is_better=larger_is_better)[0]

    for first in range(8):
        for second in range(8):
            if first == second:
                continue
            shared = ~np.isnan(values[first]) & ~np.isnan(values[second])
            better, worse = values[first][shared], values[second][shared]
            if not larger_is_better:
                better, worse = worse, better
            if np.all(better == worse):
                assert np.isnan(p_values[first, second])
                continue
            expected = stats.wilcoxon(
                better, worse, alternative="greater", method="asymptotic", correction=True, zero_method="wilcox"
            ).pvalue
            assert p_values[first, second] == pytest.approx(expected, rel=1e-10)


def test_wilcoxon_infinite_difference_ranks_largest():
    values = np.array([[np.inf, 0.3, 0.2, 0.6, 0.1], [0.0, 0.1, 0.5, 0.2, 0.4]])

    p_values = pairwise_wilcoxon(values, np.ones((1, 5)), larger_is_better=True)[0]

    expected = stats.wilcoxon(
        values[0], values[1], alternative="greater", method="asymptotic", correction=True, zero_method="wilcox"
    ).pvalue
    assert p_values[0, 1] == pytest.approx(expected, rel=1e-10)


def test_wilcoxon_weights_equal_expanded_sample():
    rng = np.random.default_rng(4)
    values = np.round(rng.uniform(0, 1, size=(3, 12)), 1)
    weights = draw_case_weights(12, 10, seed=1)

    weighted = pairwise_wilcoxon(values, weights, larger_is_better=True)

    for sample, counts in enumerate(weights.astype(int)):
        drawn = np.repeat(np.arange(12), counts)
        expanded = pairwise_wilcoxon(values[:, drawn], np.ones((1, drawn.size)), larger_is_better=True)[0]
        np.testing.assert_allclose(weighted[sample], expanded, rtol=1e-12)


def test_wilcoxon_drop_uses_shared_cases():
    values = np.array([[0.9, 0.8, np.nan, 0.7], [0.5, 0.6, 0.1, np.nan]])

    p_values = pairwise_wilcoxon(values, np.ones((1, 4)), larger_is_better=True)[0]

    expected = stats.wilcoxon(
        [0.9, 0.8], [0.5, 0.6], alternative="greater", method="asymptotic", correction=True, zero_method="wilcox"
    ).pvalue
    assert p_values[0, 1] == pytest.approx(expected)


def test_draw_case_weights_counts_n_of_n():
    weights = draw_case_weights(7, 50, seed=3)

    assert weights.shape == (50, 7)
    assert (weights.sum(axis=1) == 7).all()


def test_draw_case_weights_seeded():
    assert np.array_equal(draw_case_weights(9, 20, seed=5), draw_case_weights(9, 20, seed=5))


def _maximal_similar_groups(differ):
    """Return every maximal group of algorithms of which no two differ, by checking all subsets."""
    n_algorithms = differ.shape[0]
    groups = [
        set(subset)
        for size in range(1, n_algorithms + 1)
        for subset in itertools.combinations(range(n_algorithms), size)
        if not any(differ[first, second] for first, second in itertools.combinations(subset, 2))
    ]
    return [group for group in groups if not any(group < other for other in groups)]


@pytest.mark.parametrize("seed", range(6), ids=lambda seed: f"seed{seed}")
def test_letters_equal_brute_force_groups(seed):
    rng = np.random.default_rng(seed)
    adjusted = rng.choice([0.01, 0.5], size=(7, 7), p=[0.4, 0.6])
    np.fill_diagonal(adjusted, np.nan)
    order = list(rng.permutation(7))

    letters = compact_letter_display(adjusted, order, alpha=0.05)

    expected = _maximal_similar_groups((adjusted <= 0.05) | (adjusted.T <= 0.05))
    expected.sort(key=lambda group: sorted(order.index(member) for member in group))
    for number, group in enumerate(expected):
        letter = chr(ord("a") + number)
        assert {member for member in range(7) if letter in letters[member]} == group
    assert sum(len(member_letters) for member_letters in letters) == sum(len(group) for group in expected)
