"""Combining task rankings: mean of ranks, and the KiTS21 rule with its tie-break."""

import pytest

from evaluator.ranking.rank import rank_table
from evaluator.ranking.settings import RankingSettings
from tests.ranking.tables import make_table

# One case per algorithm. Mean Dice over classes: A 0.85, B 0.8, C 0.6.
# Mean NSD over classes: A 0.7, B 0.8, C 0.6. So Dice ranks A1 B2 C3 and NSD
# ranks B1 A2 C3: A and B tie at a mean rank of 1.5.
KITS_VALUES = {
    "kidney/dice": [[0.9], [0.9], [0.6]],
    "tumor/dice": [[0.8], [0.7], [0.6]],
    "kidney/nsd": [[0.7], [0.8], [0.6]],
    "tumor/nsd": [[0.7], [0.8], [0.6]],
}

COMBINE_CASES = [
    # (combine, tie_break, expected overall ranks of A, B, C)
    # Task ranks: kidney/dice A1 B1 C3, tumor/dice A1 B2 C3, both NSD B1 A2 C3: means A 1.5, B 1.25, C 3.
    pytest.param("mean-rank", None, [2, 1, 3], id="mean-rank"),
    pytest.param("kits21", None, [1, 1, 3], id="kits21-tie"),
    pytest.param("kits21", "tumor/dice", [1, 2, 3], id="kits21-tumour-dice-breaks-tie"),
    pytest.param("kits21", "kidney/dice", [1, 1, 3], id="kits21-tied-tie-break"),
]


@pytest.mark.parametrize(("combine", "tie_break", "expected"), COMBINE_CASES)
def test_combine_rules(combine, tie_break, expected):
    table = make_table(KITS_VALUES, algorithms=["A", "B", "C"])
    settings = RankingSettings(combine=combine, tie_break=tie_break)

    ranking = rank_table(table, settings, bootstrap=0)

    assert [ranking["overall"][name]["rank"] for name in "ABC"] == expected


def test_kits21_value_is_mean_metric_rank():
    table = make_table(KITS_VALUES, algorithms=["A", "B", "C"])

    ranking = rank_table(table, RankingSettings(combine="kits21"), bootstrap=0)

    assert [ranking["overall"][name]["value"] for name in "ABC"] == [1.5, 1.5, 3.0]


def test_unknown_tie_break_task():
    table = make_table(KITS_VALUES, algorithms=["A", "B", "C"])

    with pytest.raises(ValueError, match="ranking.tie_break: task 'tumor/hd95' is not ranked"):
        rank_table(table, RankingSettings(combine="kits21", tie_break="tumor/hd95"), bootstrap=0)
