"""The ``evaluator rank`` and ``evaluator report`` commands, end to end on small files."""

import csv
import json
import re
import sys

import pytest

import evaluator
from evaluator.cli import main
from tests.ranking.tables import VECTOR_ALGORITHMS, VECTOR_DICE

CASE_IDS = [f"c{number}" for number in range(1, 7)]
# HD95 in mm per algorithm and case, smaller is better; None where D has no prediction.
VECTOR_HD95 = [
    [2.0, 2.5, 3.0, 2.2, 20.0, 1.5],
    [3.0, 2.8, 3.5, 3.1, 3.3, 2.9],
    [4.0, 2.1, 3.5, 5.0, 25.0, 3.2],
    [6.0, 7.5, 8.0, 9.0, None, 7.0],
]


def _case_record(case_id, split, dice, hd95):
    if dice is None:
        # A missing prediction: scored with the task's missing values, flagged.
        return {
            "case_id": case_id,
            "subset": {"split": split},
            "metrics": {"tumor": {"dice": 0.0, "hd95": 1000.0}},
            "raw": {"tumor": {"dice": None, "hd95": None}},
            "status": {"tumor": "missing"},
            "flagged": True,
            "errors": [{"code": "missing_prediction", "message": f"no prediction for case {case_id}"}],
        }
    return {
        "case_id": case_id,
        "subset": {"split": split},
        "metrics": {"tumor": {"dice": dice, "hd95": hd95}},
        "raw": {"tumor": {"dice": dice, "hd95": hd95}},
        "status": {"tumor": "ok"},
        "flagged": False,
        "errors": [],
    }


@pytest.fixture
def inputs(tmp_path):
    """Write TASK.json and one RESULTS.json per algorithm of the hand-worked vector."""
    task = {
        "name": "vector",
        "labels": {"1": "tumor"},
        "metrics": ["dice", "hd95"],
        "cases": [{"id": case_id, "subset": {"split": "id" if number < 3 else "ood"}} for number, case_id in enumerate(CASE_IDS)],
    }
    task_path = tmp_path / "TASK.json"
    task_path.write_text(json.dumps(task), encoding="utf-8")

    result_paths = []
    for name, dice_row, hd95_row in zip(VECTOR_ALGORITHMS, VECTOR_DICE, VECTOR_HD95):
        cases = [
            _case_record(case_id, "id" if number < 3 else "ood", dice, hd95)
            for number, (case_id, dice, hd95) in enumerate(zip(CASE_IDS, dice_row, hd95_row))
        ]
        # D's file has no name, so it is named after its file.
        results = {"evaluator_version": "0.1.0", "task": task, "cases": cases, "aggregates": {}, "errors": []}
        if name != "D":
            results["name"] = name
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(results), encoding="utf-8")
        result_paths.append(str(path))
    return task_path, result_paths


def test_rank_writes_ranking(inputs, tmp_path):
    task_path, result_paths = inputs
    output = tmp_path / "RANKING.json"

    code = main(["rank", *result_paths, "--task", str(task_path), "--output", str(output), "--bootstrap", "20"])

    ranking = json.loads(output.read_text(encoding="utf-8"))
    dice = ranking["tasks"]["tumor/dice"]
    assert code == 0
    assert {name: dice[name]["rank"] for name in VECTOR_ALGORITHMS} == {"A": 2, "B": 1, "C": 3, "D": 4}
    assert dice["B"]["value"] == pytest.approx(0.863333, abs=5e-7)
    assert dice["D"]["missing"] == 1
    assert ranking["seed"] == 0
    assert ranking["bootstrap"]["samples"] == 20
    assert set(ranking["overall"]) == set(VECTOR_ALGORITHMS)
    assert ranking["missing_values"] == {"tumor/dice": 0.0, "tumor/hd95": 1000.0}


def test_rank_writes_csv(inputs, tmp_path):
    task_path, result_paths = inputs
    csv_path = tmp_path / "RANKING.csv"

    code = main(
        ["rank", *result_paths, "--task", str(task_path), "--output", str(tmp_path / "r.json"), "--csv", str(csv_path), "--bootstrap", "0"]
    )

    with open(csv_path, newline="", encoding="utf-8") as csv_file:
        rows = list(csv.DictReader(csv_file))
    assert code == 0
    assert len(rows) == 3 * 4
    assert {row["algorithm"]: row["rank"] for row in rows if row["task"] == "tumor/dice"} == {"A": "2", "B": "1", "C": "3", "D": "4"}
    assert [row["task"] for row in rows][-4:] == ["overall"] * 4


SCHEME_OPTION_CASES = [
    # (options, expected Dice ranks of A-D)
    pytest.param(["--scheme", "rank-then-aggregate"], [1, 2, 3, 4], id="rank-then-aggregate"),
    pytest.param(["--aggregate", "median"], [1, 2, 3, 4], id="median"),
    pytest.param(["--scheme", "test-then-rank"], [1, 1, 1, 1], id="test-then-rank-holm"),
    pytest.param(["--scheme", "test-then-rank", "--correction", "none"], [1, 2, 2, 4], id="test-then-rank-none"),
]


@pytest.mark.parametrize(("options", "expected"), SCHEME_OPTION_CASES)
def test_rank_scheme_options(inputs, tmp_path, options, expected):
    task_path, result_paths = inputs
    output = tmp_path / "RANKING.json"

    code = main(["rank", *result_paths, "--task", str(task_path), "--output", str(output), "--bootstrap", "0", *options])

    dice = json.loads(output.read_text(encoding="utf-8"))["tasks"]["tumor/dice"]
    assert code == 0
    assert [dice[name]["rank"] for name in VECTOR_ALGORITHMS] == expected


def test_rank_missing_number_keeps_distance_penalty(inputs, tmp_path):
    task_path, result_paths = inputs
    output = tmp_path / "RANKING.json"

    code = main(["rank", *result_paths, "--task", str(task_path), "--output", str(output), "--bootstrap", "0", "--missing", "0.95"])

    ranking = json.loads(output.read_text(encoding="utf-8"))
    assert code == 0
    assert ranking["missing_values"] == {"tumor/dice": 0.95, "tumor/hd95": 1000.0}
    # D's missing c5 counts as 0.95: (0.76 + 0.72 + 0.71 + 0.69 + 0.95 + 0.73) / 6.
    assert ranking["tasks"]["tumor/dice"]["D"]["value"] == pytest.approx(0.76)
    assert ranking["warnings"][0].startswith("tumor/dice: the missing value 0.95 is better than the worst observed value")


def test_rank_missing_drop(inputs, tmp_path):
    task_path, result_paths = inputs
    output = tmp_path / "RANKING.json"

    code = main(["rank", *result_paths, "--task", str(task_path), "--output", str(output), "--bootstrap", "0", "--missing", "drop"])

    ranking = json.loads(output.read_text(encoding="utf-8"))
    assert code == 0
    # D's mean over its 5 cases: 3.61 / 5.
    assert ranking["tasks"]["tumor/dice"]["D"]["value"] == pytest.approx(0.722)
    assert ranking["tasks"]["tumor/hd95"]["D"]["value"] == pytest.approx(7.5)


def test_rank_subset(inputs, tmp_path):
    task_path, result_paths = inputs
    output = tmp_path / "RANKING.json"

    code = main(["rank", *result_paths, "--task", str(task_path), "--output", str(output), "--bootstrap", "0", "--subset", "split=id"])

    ranking = json.loads(output.read_text(encoding="utf-8"))
    assert code == 0
    assert ranking["subset"] == {"split": "id"}
    assert ranking["n_cases"] == 3


INVALID_OPTION_CASES = [
    # (options, expected message on stderr)
    pytest.param(["--subset", "split"], "evaluator rank: error: --subset: expected KEY=VALUE such as split=ood, got 'split'", id="subset-form"),
    pytest.param(["--missing", "zero"], "evaluator rank: error: --missing: expected a number, \"worst\" or \"drop\", got 'zero'", id="missing-form"),
    pytest.param(["--aggregate", "mode"], "evaluator rank: error: --aggregate: expected \"mean\", \"median\" or \"quantile:Q\" with 0 <= Q <= 1, got 'mode'", id="aggregate-form"),
]


@pytest.mark.parametrize(("options", "message"), INVALID_OPTION_CASES)
def test_rank_invalid_options(inputs, tmp_path, capsys, options, message):
    task_path, result_paths = inputs

    code = main(["rank", *result_paths, "--task", str(task_path), "--output", str(tmp_path / "r.json"), *options])

    assert code == 1
    assert capsys.readouterr().err.strip() == message


def test_rank_unreadable_results(inputs, tmp_path, capsys):
    task_path, _ = inputs
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")

    code = main(["rank", str(broken), "--task", str(task_path), "--output", str(tmp_path / "r.json")])

    assert code == 1
    assert capsys.readouterr().err.startswith(f"evaluator rank: error: {broken}: not valid JSON")


def test_report_writes_standalone_html(inputs, tmp_path):
    task_path, result_paths = inputs
    output = tmp_path / "report.html"

    code = main(["report", *result_paths, "--task", str(task_path), "--output", str(output), "--bootstrap", "20"])

    html = output.read_text(encoding="utf-8")
    assert code == 0
    assert html.startswith("<!DOCTYPE html>")
    assert re.search(r"<script[^>]*\bsrc=", html) is None
    # plotly.js is embedded once; each figure calls newPlot once.
    assert html.count("* plotly.js v") == 1
    assert html.count("Plotly.newPlot(") >= 10
    assert "no pair can reach significance" in html


def test_report_without_plotly(inputs, tmp_path, capsys, monkeypatch):
    task_path, result_paths = inputs
    for module in ("plotly", "evaluator.figures", "evaluator.report"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    for attribute in ("figures", "report"):
        monkeypatch.delattr(evaluator, attribute, raising=False)
    monkeypatch.setitem(sys.modules, "plotly", None)
    output = tmp_path / "report.html"

    code = main(["report", *result_paths, "--task", str(task_path), "--output", str(output), "--bootstrap", "0"])

    assert code == 1
    assert "install it with: pip install 'podium-evaluator[report]'" in capsys.readouterr().err
    assert not output.exists()


def test_rank_missing_task_file(inputs, tmp_path, capsys):
    _, result_paths = inputs
    task_path = tmp_path / "absent.json"

    code = main(["rank", *result_paths, "--task", str(task_path), "--output", str(tmp_path / "r.json")])

    assert code == 1
    assert capsys.readouterr().err.strip() == f"evaluator rank: error: {task_path}: cannot read the task file (No such file or directory)"


def test_rank_missing_results_file(inputs, tmp_path, capsys):
    task_path, _ = inputs
    absent = tmp_path / "absent.json"

    code = main(["rank", str(absent), "--task", str(task_path), "--output", str(tmp_path / "r.json")])

    assert code == 1
    assert capsys.readouterr().err.strip() == f"evaluator rank: error: {absent}: cannot read the results file: No such file or directory"
