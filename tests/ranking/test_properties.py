"""Properties every scheme must keep: order invariance, dominance, reproducibility, missing last."""

import dataclasses

import numpy as np
import pytest

from evaluator.ranking.rank import rank_table
from evaluator.ranking.settings import SCHEMES, RankingSettings
from tests.ranking.tables import make_table, random_table

SCHEME_IDS = [pytest.param(scheme, id=scheme) for scheme in SCHEMES]


def _permuted(table, algorithm_order, case_order):
    return dataclasses.replace(
        table,
        algorithms=[table.algorithms[index] for index in algorithm_order],
        case_ids=[table.case_ids[index] for index in case_order],
        subsets=[table.subsets[index] for index in case_order],
        values={key: array[algorithm_order][:, case_order] for key, array in table.values.items()},
        missing={key: array[algorithm_order][:, case_order] for key, array in table.missing.items()},
    )


def _ranks(ranking, key=None):
    entries = ranking["overall"] if key is None else ranking["tasks"][key]
    return {name: entry["rank"] for name, entry in entries.items()}


@pytest.mark.parametrize("scheme", SCHEME_IDS)
def test_ranks_invariant_to_order(scheme):
    table = random_table(seed=11)
    rng = np.random.default_rng(0)
    permuted = _permuted(table, rng.permutation(5), rng.permutation(30))
    settings = RankingSettings(scheme=scheme, correction="none")

    original = rank_table(table, settings, bootstrap=0)
    reordered = rank_table(permuted, settings, bootstrap=0)

    assert _ranks(reordered) == _ranks(original)
    for key in table.task_keys:
        assert _ranks(reordered, key) == _ranks(original, key)


@pytest.mark.parametrize("scheme", SCHEME_IDS)
def test_uniformly_better_ranks_first(scheme):
    table = random_table(seed=12)
    # algorithm0 gets a better value than every other algorithm on every case.
    dice = table.values["organ/dice"]
    hd95 = table.values["organ/hd95"]
    dice[0] = np.nanmax(dice, axis=0) + 0.01
    hd95[0] = np.nanmin(hd95, axis=0) - 0.5
    table.missing["organ/dice"][0] = False
    table.missing["organ/hd95"][0] = False

    ranking = rank_table(table, RankingSettings(scheme=scheme), bootstrap=0)

    assert ranking["overall"]["algorithm0"]["rank"] == 1
    assert [name for name, rank in _ranks(ranking).items() if rank == 1] == ["algorithm0"]


@pytest.mark.parametrize("scheme", SCHEME_IDS)
def test_bootstrap_reproducible(scheme):
    table = random_table(seed=13)
    settings = RankingSettings(scheme=scheme)

    first = rank_table(table, settings, bootstrap=40, seed=7)
    second = rank_table(table, settings, bootstrap=40, seed=7)

    assert first == second


def test_bootstrap_seed_changes_draws():
    table = random_table(seed=13)

    first = rank_table(table, RankingSettings(), bootstrap=40, seed=7)
    second = rank_table(table, RankingSettings(), bootstrap=40, seed=8)

    assert first["bootstrap"]["kendall_tau"] != second["bootstrap"]["kendall_tau"]


MISSING_CASES = [
    # (metric key, larger_is_better, policy)
    pytest.param("organ/dice", True, 0.0, id="dice-zero"),
    pytest.param("organ/dice", True, "worst", id="dice-worst"),
    pytest.param("organ/dice", True, "drop", id="dice-drop"),
    pytest.param("organ/hd95", False, 100.0, id="hd95-penalty"),
    pytest.param("organ/hd95", False, "worst", id="hd95-worst"),
    pytest.param("organ/hd95", False, "drop", id="hd95-drop"),
]


@pytest.mark.parametrize("scheme", SCHEME_IDS)
@pytest.mark.parametrize(("key", "larger_is_better", "policy"), MISSING_CASES)
def test_missing_never_first(scheme, key, larger_is_better, policy):
    # "empty" has no result at all; "good" is better than "poor" on each of
    # 8 cases, enough for a one-sided Wilcoxon test to reach p < 0.05.
    good = [0.6 + 0.04 * case for case in range(8)]
    poor = [value - 0.1 - 0.01 * case for case, value in enumerate(good)]
    if not larger_is_better:
        good, poor = [100 * (1 - value) for value in good], [100 * (1 - value) for value in poor]
    table = make_table(
        {key: [good, poor, [None] * 8]},
        algorithms=["good", "poor", "empty"],
        larger_is_better={key: larger_is_better},
        policy={key: policy},
    )

    ranking = rank_table(table, RankingSettings(scheme=scheme, correction="none"), bootstrap=0)

    assert ranking["tasks"][key]["empty"]["rank"] > 1
    assert ranking["overall"]["empty"]["rank"] > 1


@pytest.mark.parametrize(("key", "larger_is_better"), [("organ/dice", True), ("organ/hd95", False)], ids=["dice", "hd95"])
def test_undefined_values_never_first(key, larger_is_better):
    # "undefined" has null values on every case, not missing predictions.
    table = make_table(
        {key: [[0.6, 0.7, 0.8] if larger_is_better else [5.0, 4.0, 3.0], [None, None, None]]},
        algorithms=["scored", "undefined"],
        larger_is_better={key: larger_is_better},
        policy={key: "drop"},
    )
    table.missing[key][:] = False

    ranking = rank_table(table, RankingSettings(), bootstrap=0)

    assert ranking["tasks"][key]["undefined"]["rank"] == 2
    assert ranking["tasks"][key]["undefined"]["value"] is None
    assert ranking["tasks"][key]["undefined"]["undefined"] == 3
