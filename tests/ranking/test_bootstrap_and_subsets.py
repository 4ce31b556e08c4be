"""Bootstrap summaries, quantile aggregates and rankings restricted to subsets."""

import json

import numpy as np
import pytest

from evaluator.ranking.aggregate import weighted_quantile
from evaluator.ranking.bootstrap import draw_case_weights
from evaluator.ranking.rank import TEST_THEN_RANK_BOOTSTRAP_LIMIT, rank_table
from evaluator.ranking.settings import RankingSettings
from tests.ranking.tables import VECTOR_ALGORITHMS, VECTOR_KEY, random_table, vector_table


@pytest.mark.parametrize("quantile", [0.0, 0.25, 0.5, 0.9, 1.0], ids=lambda q: f"q{q}")
def test_weighted_quantile_equals_expanded(quantile):
    rng = np.random.default_rng(2)
    values = np.round(rng.uniform(0, 1, size=(3, 10)), 2)
    values[1, 3] = np.nan
    weights = draw_case_weights(10, 15, seed=4)

    result = weighted_quantile(values, weights, quantile)

    for sample, counts in enumerate(weights.astype(int)):
        expanded = np.repeat(values, counts, axis=1)
        expected = [np.quantile(row[~np.isnan(row)], quantile) for row in expanded]
        np.testing.assert_allclose(result[:, sample], expected)


def test_bootstrap_summary_shapes():
    ranking = rank_table(vector_table(), RankingSettings(), bootstrap=50, seed=1)

    entry = ranking["tasks"][VECTOR_KEY]["A"]
    assert sum(entry["rank_frequency"]) == 50
    assert len(entry["rank_frequency"]) == 4
    assert entry["rank_interval"][0] <= entry["median_rank"] <= entry["rank_interval"][1]
    assert entry["aggregate_interval"][0] <= entry["aggregate_interval"][1]
    assert len(ranking["bootstrap"]["kendall_tau"][VECTOR_KEY]["values"]) == 50


def test_bootstrap_skipped():
    ranking = rank_table(vector_table(), RankingSettings(), bootstrap=0)

    assert ranking["bootstrap"] == {"samples": 0, "seed": 0}
    assert "rank_interval" not in ranking["tasks"][VECTOR_KEY]["A"]


def test_test_then_rank_bootstrap_limit():
    limit = TEST_THEN_RANK_BOOTSTRAP_LIMIT
    ranking = rank_table(vector_table(), RankingSettings(scheme="test-then-rank"), bootstrap=limit + 1)

    assert ranking["bootstrap"]["samples"] == limit
    assert ranking["bootstrap"]["requested_samples"] == limit + 1
    assert any(f"first {limit} of {limit + 1} samples" in warning for warning in ranking["warnings"])


def test_constant_ranking_tau_undefined():
    # Every algorithm has the same value on every case, so every ranking ties all of them.
    table = vector_table()
    table.values[VECTOR_KEY][:] = 0.5
    table.missing[VECTOR_KEY][:] = False

    ranking = rank_table(table, RankingSettings(), bootstrap=5)

    assert ranking["bootstrap"]["kendall_tau"][VECTOR_KEY] == {"values": [None] * 5, "median": None}


def test_subset_restriction():
    # On c1-c3 ("id"), mean Dice: A 0.91, B 0.863333, C 0.86, D 0.73.
    ranking = rank_table(vector_table(), RankingSettings(), bootstrap=0, subset={"split": "id"})

    task = ranking["tasks"][VECTOR_KEY]
    assert ranking["n_cases"] == 3
    assert [task[name]["rank"] for name in VECTOR_ALGORITHMS] == [1, 2, 3, 4]
    assert task["B"]["value"] == pytest.approx(0.863333, abs=5e-7)


def test_subset_without_cases():
    with pytest.raises(ValueError, match=r"no case has the subset tags \{'split': 'test'\}"):
        rank_table(vector_table(), RankingSettings(), bootstrap=0, subset={"split": "test"})


def test_rank_per_subset():
    ranking = rank_table(vector_table(), RankingSettings(), bootstrap=0)

    split = ranking["subsets"]["split"]
    # On c4-c6 ("ood"), mean Dice with D's missing c5 as 0: A 0.72, B 0.863333, C 0.63, D 0.473333.
    assert split["id"]["overall"] == {"A": 1, "B": 2, "C": 3, "D": 4}
    assert split["ood"]["overall"] == {"A": 2, "B": 1, "C": 3, "D": 4}
    assert split["ood"]["aggregates"][VECTOR_KEY]["D"] == pytest.approx(0.473333, abs=5e-7)
    assert split["ood"]["n_cases"] == 3


def test_ranking_json_safe():
    table = random_table(seed=5)
    table.values["organ/dice"][2] = np.nan
    table.missing_policy["organ/dice"] = "drop"

    ranking = rank_table(table, RankingSettings(), bootstrap=10)

    assert ranking["tasks"]["organ/dice"]["algorithm2"]["value"] is None
    assert json.loads(json.dumps(ranking, allow_nan=False)) == ranking
