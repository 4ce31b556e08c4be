"""A snapshot's rankings equal the evaluator's ranking of the same per-case values."""

import json
import math

import pytest

from evaluator.ranking.rank import rank_table
from evaluator.ranking.settings import RankingSettings
from evaluator.ranking.table import table_from_results
from evaluator.task import parse_task
from leaderboards.models import Snapshot, SnapshotCases, SnapshotSubset
from leaderboards.snapshot import bootstrap_samples_for, build_snapshot
from leaderboards.tables import unpack_table
from tests.leaderboards.factories import CASES, TASK_DEFINITION, make_phase, make_submission, make_user, uniform_values

pytestmark = pytest.mark.django_db

# alice and bob submit identical values (a tie); carol has no prediction for
# case_3, which the stored results carry as the task's penalty, flagged missing.
ALICE = uniform_values([0.9, 0.8, 0.7, 0.6], [2.0, 3.0, 4.0, 5.0])
BOB = ALICE
CAROL = uniform_values([0.5, 0.95, 0.0, 0.4], [10.0, 1.0, 100.0, 12.0])
CAROL_MISSING = {key: [False, False, True, False] for key in CAROL}


def results_json(name, values, missing=None):
    """Return the RESULTS.json dict the evaluator would write for these values."""
    missing = missing or {}
    records = []
    for column, (case_id, tags) in enumerate(CASES.items()):
        metrics = {}
        status = {}
        for key, row in values.items():
            class_name, metric = key.split("/")
            is_missing = missing.get(key, [False] * len(CASES))[column]
            status[class_name] = "missing" if is_missing else "ok"
            metrics.setdefault(class_name, {})[metric] = row[column]
        records.append({"case_id": case_id, "subset": tags, "metrics": metrics, "status": status})
    return {"name": name, "cases": records}


def expected_ranking(subset):
    """Rank the same values with the evaluator alone, from RESULTS.json dicts."""
    task = parse_task({**TASK_DEFINITION, "cases": [{"id": case_id, "subset": tags} for case_id, tags in CASES.items()]})
    table = table_from_results(
        [results_json("alice", ALICE), results_json("bob", BOB), results_json("carol", CAROL, CAROL_MISSING)], task
    )
    ranking = rank_table(table, task.ranking, bootstrap=40, seed=11, subset=subset)
    # The snapshot stores JSON; compare after the same round trip.
    return json.loads(json.dumps(ranking))


@pytest.fixture
def snapshot():
    phase = make_phase()
    make_submission(phase, make_user("alice"), ALICE)
    make_submission(phase, make_user("bob"), BOB)
    make_submission(phase, make_user("carol"), CAROL, missing=CAROL_MISSING)
    return build_snapshot(phase.pk)


SUBSETS = [
    pytest.param("all", None, id="all-cases"),
    pytest.param("hospital:A", {"hospital": "A"}, id="hospital-A"),
    pytest.param("hospital:B", {"hospital": "B"}, id="hospital-B-with-missing-case"),
    pytest.param("split:in", {"split": "in"}, id="in-distribution"),
    pytest.param("split:ood", {"split": "ood"}, id="out-of-distribution"),
]


@pytest.mark.parametrize(("key", "tags"), SUBSETS)
def test_snapshot_equals_evaluator_ranking(snapshot, key, tags):
    stored = SnapshotSubset.objects.get(snapshot=snapshot, key=key)
    assert stored.ranking == expected_ranking(tags)


@pytest.mark.parametrize("scheme", ["rank-then-aggregate", "test-then-rank"])
def test_other_schemes_equal_evaluator_ranking(scheme):
    definition = {**TASK_DEFINITION, "ranking": {**TASK_DEFINITION["ranking"], "scheme": scheme}}
    phase = make_phase(task=definition)
    make_submission(phase, make_user("alice"), ALICE)
    make_submission(phase, make_user("bob"), BOB)
    make_submission(phase, make_user("carol"), CAROL, missing=CAROL_MISSING)
    snapshot = build_snapshot(phase.pk)

    task = parse_task({**definition, "cases": [{"id": case_id, "subset": tags} for case_id, tags in CASES.items()]})
    table = table_from_results(
        [results_json("alice", ALICE), results_json("bob", BOB), results_json("carol", CAROL, CAROL_MISSING)], task
    )
    expected = json.loads(json.dumps(rank_table(table, task.ranking, bootstrap=40, seed=11)))
    assert SnapshotSubset.objects.get(snapshot=snapshot, key="all").ranking == expected


def test_snapshot_subset_keys(snapshot):
    assert snapshot.subset_keys == ["all", "hospital:A", "hospital:B", "split:in", "split:ood"]


def test_snapshot_records_settings(snapshot):
    assert (snapshot.scheme, snapshot.seed, snapshot.bootstrap_samples) == ("aggregate-then-rank", 11, 40)


def test_tie_shares_rank(snapshot):
    table = SnapshotSubset.objects.get(snapshot=snapshot, key="all").table
    ranks = {row["algorithm"]: row["rank"] for row in table["rows"]}
    assert ranks == {"alice": 1, "bob": 1, "carol": 3}


def test_missing_case_counted(snapshot):
    table = SnapshotSubset.objects.get(snapshot=snapshot, key="all").table
    counts = {row["algorithm"]: (row["cases_evaluated"], row["cases_missing"]) for row in table["rows"]}
    assert counts == {"alice": (4, 0), "bob": (4, 0), "carol": (3, 1)}


def test_missing_case_scored_with_penalty(snapshot):
    # carol's Dice mean counts the missing case_3 as 0.0: (0.5 + 0.95 + 0.0 + 0.4) / 4.
    table = SnapshotSubset.objects.get(snapshot=snapshot, key="all").table
    carol = next(row for row in table["rows"] if row["algorithm"] == "carol")
    assert math.isclose(carol["cells"][0]["value"], 0.4625)


def test_tied_entries_share_letters(snapshot):
    table = SnapshotSubset.objects.get(snapshot=snapshot, key="all").table
    letters = {row["algorithm"]: row["letters"] for row in table["rows"]}
    assert letters["alice"] == letters["bob"]


def test_case_table_keeps_missing_flags(snapshot):
    table = unpack_table(SnapshotCases.objects.get(snapshot=snapshot).table)
    assert table.missing["tumor/hd95"].tolist() == [
        [False, False, False, False],
        [False, False, False, False],
        [False, False, True, False],
    ]


def test_case_table_missing_cell_is_nan(snapshot):
    table = unpack_table(SnapshotCases.objects.get(snapshot=snapshot).table)
    assert math.isnan(table.values["liver/dice"][2, 2])


def test_case_absent_from_results_is_missing():
    phase = make_phase()
    submission = make_submission(phase, make_user("dora"), ALICE)
    # Results that name only the first three cases, as if case_4 was added later.
    submission.results = {
        "case_ids": ["case_1", "case_2", "case_3"],
        "values": {key: row[:3] for key, row in ALICE.items()},
        "missing": {key: [False] * 3 for key in ALICE},
    }
    submission.save()

    snapshot = build_snapshot(phase.pk)
    table = unpack_table(SnapshotCases.objects.get(snapshot=snapshot).table)
    assert table.missing["liver/dice"].tolist() == [[False, False, False, True]]


def test_phase_without_entries_has_empty_snapshot():
    phase = make_phase()
    snapshot = build_snapshot(phase.pk)
    assert (snapshot.subset_keys, Snapshot.objects.filter(phase=phase).count()) == ([], 1)


@pytest.mark.parametrize(
    ("scheme", "entries", "expected"),
    [
        pytest.param("aggregate-then-rank", 100, 1000, id="aggregate-then-rank-uncapped"),
        pytest.param("rank-then-aggregate", 100, 1000, id="rank-then-aggregate-uncapped"),
        pytest.param("test-then-rank", 10, 1000, id="test-then-rank-few-entries"),
        pytest.param("test-then-rank", 30, 114, id="test-then-rank-30-entries"),
        pytest.param("test-then-rank", 100, 10, id="test-then-rank-100-entries"),
        pytest.param("test-then-rank", 500, 10, id="test-then-rank-floor"),
    ],
)
def test_bootstrap_samples_for(scheme, entries, expected):
    settings = RankingSettings(scheme=scheme, bootstrap=1000)
    assert bootstrap_samples_for(settings, entries) == expected


def test_hidden_phase_leaves_out_small_subsets(settings):
    settings.PODIUM_MIN_SUBSET_CASES = 3
    phase = make_phase(show_case_results=False)
    make_submission(phase, make_user("alice"), ALICE)

    snapshot = build_snapshot(phase.pk)

    # Each hospital and split has 2 of the 4 cases, so only "all" is ranked.
    assert snapshot.subset_keys == ["all"]


def test_hidden_phase_keeps_subsets_at_minimum(settings):
    settings.PODIUM_MIN_SUBSET_CASES = 2
    phase = make_phase(show_case_results=False)
    make_submission(phase, make_user("alice"), ALICE)

    snapshot = build_snapshot(phase.pk)

    assert snapshot.subset_keys == ["all", "hospital:A", "hospital:B", "split:in", "split:ood"]
