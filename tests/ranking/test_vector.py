"""The hand-worked test vector: every expected number of the three schemes.

Expected values were worked out by hand from the table in ``tables.py``; the
p-values equal ``scipy.stats.wilcoxon(x, y, alternative="greater",
method="asymptotic", correction=True, zero_method="wilcox")`` (scipy 1.17),
which computes R's ``wilcox.test(paired = TRUE, exact = FALSE, correct = TRUE)``.
"""

import numpy as np
import pytest
from scipy import stats

from evaluator.ranking.rank import rank_table
from evaluator.ranking.ranks import kendall_tau_b
from evaluator.ranking.settings import RankingSettings
from evaluator.ranking.significance import significance_matrix
from evaluator.ranking.wilcoxon import pairwise_wilcoxon
from tests.ranking.tables import VECTOR_ALGORITHMS, VECTOR_KEY, vector_table

SCHEME_CASES = [
    # (settings, expected value per algorithm A-D, expected rank per algorithm A-D)
    pytest.param({}, [0.815, 0.863333, 0.745, 0.601667], [2, 1, 3, 4], id="aggregate-then-rank-mean"),
    pytest.param({"aggregate": "median"}, [0.915, 0.865, 0.83, 0.715], [1, 2, 3, 4], id="aggregate-then-rank-median"),
    pytest.param({"scheme": "rank-then-aggregate"}, [1.333333, 2.0, 2.5, 4.0], [1, 2, 3, 4], id="rank-then-aggregate"),
    pytest.param({"scheme": "test-then-rank"}, [0.0, 0.0, 0.0, 0.0], [1, 1, 1, 1], id="test-then-rank-holm"),
    pytest.param(
        {"scheme": "test-then-rank", "correction": "none"},
        [2 / 3, 1 / 3, 1 / 3, 0.0],
        [1, 2, 2, 4],
        id="test-then-rank-uncorrected",
    ),
]

P_VALUE_CASES = [
    # (better, worse, expected one-sided p without correction)
    pytest.param("A", "C", 0.029586, id="A-over-C"),
    pytest.param("A", "D", 0.018016, id="A-over-D"),
    pytest.param("B", "D", 0.018016, id="B-over-D"),
    pytest.param("C", "D", 0.018016, id="C-over-D"),
    pytest.param("A", "B", 0.200839, id="A-over-B"),
    pytest.param("B", "C", 0.088765, id="B-over-C"),
]


@pytest.mark.parametrize(("settings", "expected_values", "expected_ranks"), SCHEME_CASES)
def test_vector_scheme_values(settings, expected_values, expected_ranks):
    ranking = rank_table(vector_table(), RankingSettings.from_dict(settings), bootstrap=0)
    task = ranking["tasks"][VECTOR_KEY]

    values = [task[name]["value"] for name in VECTOR_ALGORITHMS]
    ranks = [task[name]["rank"] for name in VECTOR_ALGORITHMS]
    assert values == pytest.approx(expected_values, abs=5e-7)
    assert ranks == expected_ranks


@pytest.mark.parametrize(("better", "worse", "expected"), P_VALUE_CASES)
def test_vector_p_values(better, worse, expected):
    filled = np.nan_to_num(vector_table().values[VECTOR_KEY], nan=0.0)
    first, second = VECTOR_ALGORITHMS.index(better), VECTOR_ALGORITHMS.index(worse)

    p_values = pairwise_wilcoxon(filled, np.ones((1, 6)), larger_is_better=True)[0]
    scipy_p = stats.wilcoxon(
        filled[first],
        filled[second],
        alternative="greater",
        method="asymptotic",
        correction=True,
        zero_method="wilcox",
    ).pvalue

    assert p_values[first, second] == pytest.approx(expected, abs=5e-7)
    assert p_values[first, second] == pytest.approx(scipy_p, rel=1e-12)


def test_vector_smallest_holm_p():
    filled = np.nan_to_num(vector_table().values[VECTOR_KEY], nan=0.0)

    adjusted = significance_matrix(filled, larger_is_better=True, correction="holm")

    assert np.nanmin(adjusted) == pytest.approx(0.21619, abs=5e-6)


def test_vector_holm_warning():
    ranking = rank_table(vector_table(), RankingSettings(scheme="test-then-rank"), bootstrap=0)

    assert ranking["warnings"] == [
        "With 6 cases and 12 pairwise tests adjusted by holm, no pair can reach significance "
        "at alpha 0.05 (smallest reachable adjusted p 0.21619), so every algorithm shares one significance "
        "letter and test-then-rank ties them all"
    ]


def test_vector_uncorrected_has_no_warning():
    settings = RankingSettings(scheme="test-then-rank", correction="none")

    ranking = rank_table(vector_table(), settings, bootstrap=0)

    assert ranking["warnings"] == []


def test_vector_tau_between_schemes():
    mean_ranks = np.array([2, 1, 3, 4])
    rank_then_aggregate_ranks = np.array([1, 2, 3, 4])

    assert float(kendall_tau_b(mean_ranks, rank_then_aggregate_ranks)) == pytest.approx(2 / 3)


def test_vector_ranks_under_every_scheme():
    ranking = rank_table(vector_table(), RankingSettings(), bootstrap=0)

    assert ranking["schemes"] == {
        "aggregate-then-rank": {"A": 2, "B": 1, "C": 3, "D": 4},
        "rank-then-aggregate": {"A": 1, "B": 2, "C": 3, "D": 4},
        "test-then-rank": {"A": 1, "B": 1, "C": 1, "D": 1},
    }


def test_vector_missing_count():
    ranking = rank_table(vector_table(), RankingSettings(), bootstrap=0)

    missing = {name: entry["missing"] for name, entry in ranking["tasks"][VECTOR_KEY].items()}
    assert missing == {"A": 0, "B": 0, "C": 0, "D": 1}


def test_vector_letters_uncorrected():
    ranking = rank_table(vector_table(), RankingSettings(scheme="test-then-rank", correction="none"), bootstrap=0)

    # A differs from C and D; B and C differ from D; B and C do not differ from each other.
    assert ranking["significance"][VECTOR_KEY]["letters"] == {"A": "a", "B": "ab", "C": "b", "D": "c"}


def test_vector_letters_holm():
    ranking = rank_table(vector_table(), RankingSettings(), bootstrap=0)

    assert ranking["significance"][VECTOR_KEY]["letters"] == {"A": "a", "B": "a", "C": "a", "D": "a"}
