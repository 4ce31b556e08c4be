"""Building the result table from RESULTS.json dicts."""

import numpy as np
import pytest

from evaluator.ranking.table import table_from_results
from evaluator.task import parse_task

TASK = parse_task(
    {
        "name": "table",
        "labels": {"1": "liver", "2": "tumor"},
        "metrics": ["dice", "hd95"],
        "missing_values": {"dice": 0, "hd95": "worst"},
    }
)


def _record(case_id, status, metrics):
    return {"case_id": case_id, "subset": {"site": case_id[-1]}, "metrics": metrics, "status": status}


RESULTS = [
    {
        "name": "alpha",
        "cases": [
            _record("case1", {"liver": "ok", "tumor": "ok"}, {"liver": {"dice": 0.9, "hd95": 2.0}, "tumor": {"dice": 0.5, "hd95": 9.0}}),
            # Tumour rejected: its stored values are the missing values, but the cell is missing.
            _record("case2", {"liver": "ok", "tumor": "rejected"}, {"liver": {"dice": 0.8, "hd95": 3.0}, "tumor": {"dice": 0.0, "hd95": 1000.0}}),
        ],
    },
    {
        "name": "beta",
        "cases": [
            # Both tumour masks empty under the raw policy: HD95 is undefined, not missing.
            _record("case1", {"liver": "ok", "tumor": "both_empty"}, {"liver": {"dice": 0.7, "hd95": 4.0}, "tumor": {"dice": 1.0, "hd95": None}}),
        ],
    },
]


@pytest.fixture(scope="module")
def table():
    return table_from_results(RESULTS, TASK)


def test_table_cases_from_results(table):
    assert table.case_ids == ["case1", "case2"]
    assert table.subsets == [{"site": "1"}, {"site": "2"}]


def test_table_keys_and_directions(table):
    assert table.larger_is_better == {"liver/dice": True, "liver/hd95": False, "tumor/dice": True, "tumor/hd95": False}


def test_table_rejected_cell_missing(table):
    assert np.isnan(table.values["tumor/dice"][0, 1])
    assert table.missing["tumor/dice"][0, 1]


def test_table_absent_record_missing(table):
    assert np.isnan(table.values["liver/dice"][1, 1])
    assert table.missing["liver/dice"][1, 1]


def test_table_null_value_undefined(table):
    assert np.isnan(table.values["tumor/hd95"][1, 0])
    assert not table.missing["tumor/hd95"][1, 0]


def test_table_observed_values(table):
    np.testing.assert_array_equal(table.values["liver/hd95"], [[2.0, 3.0], [4.0, np.nan]])


def test_table_missing_policy(table):
    assert table.missing_policy == {"liver/dice": 0.0, "liver/hd95": "worst", "tumor/dice": 0.0, "tumor/hd95": "worst"}


def test_table_duplicate_names():
    with pytest.raises(ValueError, match="algorithm names must be unique, but more than one result is named alpha"):
        table_from_results([RESULTS[0], RESULTS[0]], TASK)


def test_table_task_cases_fix_order():
    task = parse_task({**TASK.to_dict(), "cases": [{"id": "case2", "subset": {"split": "ood"}}, "case1"]})

    table = table_from_results(RESULTS, task)

    assert table.case_ids == ["case2", "case1"]
    assert table.subsets == [{"split": "ood"}, {}]
