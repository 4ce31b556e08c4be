"""Tests of the task definition file: parsing, defaults, round trip and errors."""

import json

import pytest

from evaluator.task import (
    DEFAULT_DISTANCE_PENALTY_MM,
    EvaluationClass,
    TaskDefinitionError,
    load_task,
    parse_task,
)

KITS_STYLE = {
    "name": "kits-style",
    "labels": {"1": "kidney", "2": "tumor", "3": "cyst"},
    "classes": {
        "kidney_and_mass": {"labels": [1, 2, 3], "nsd_tolerance_mm": 1.0330772532390826},
        "mass": {"labels": [2, 3], "nsd_tolerance_mm": 1.1328796488598762},
        "tumor": {"labels": [2], "nsd_tolerance_mm": 1.1498198361434828},
    },
    "metrics": ["dice", "nsd", "hd95"],
    "nsd_variant": "surfel",
    "empty_policy": "kits21",
    "cases": [{"id": "case_00010", "subset": {"hospital": "A", "split": "ood"}}],
}


def test_kits_style_file_parses():
    task = parse_task(KITS_STYLE)

    assert task.classes["mass"] == EvaluationClass(labels=(2, 3), nsd_tolerance_mm=1.1328796488598762)
    assert task.labels == {1: "kidney", 2: "tumor", 3: "cyst"}
    assert task.subset_of("case_00010") == {"hospital": "A", "split": "ood"}


def test_defaults_are_filled_in():
    task = parse_task({"name": "t", "labels": {"1": "liver"}, "nsd_tolerance_mm": 2})

    assert task.version == 1
    assert task.metrics == ("dice", "nsd", "hd95")
    assert task.nsd_variant == "surfel"
    assert task.empty_policy == "kits21"
    assert task.missing_values == {"dice": 0.0, "nsd": 0.0, "hd95": 1000.0, "assd": 1000.0}
    assert task.classes == {"liver": EvaluationClass(labels=(1,), nsd_tolerance_mm=2.0)}
    assert task.cases is None
    assert task.distance_penalties_mm == {"hd95": DEFAULT_DISTANCE_PENALTY_MM, "assd": DEFAULT_DISTANCE_PENALTY_MM}


def test_to_dict_round_trips():
    task = parse_task(KITS_STYLE)

    assert parse_task(task.to_dict()) == task
    assert json.loads(json.dumps(task.to_dict(), allow_nan=False)) == task.to_dict()


def test_missing_value_sets_penalty():
    task = parse_task({**KITS_STYLE, "missing_values": {"hd95": 373.0, "assd": "drop", "dice": "worst"}})

    assert task.distance_penalties_mm == {"hd95": 373.0, "assd": DEFAULT_DISTANCE_PENALTY_MM}
    assert task.missing_values["dice"] == "worst"


def test_yaml_file_loads(tmp_path):
    path = tmp_path / "task.yaml"
    path.write_text("name: y\nlabels: {1: liver}\nmetrics: [dice]\n")

    assert load_task(path).labels == {1: "liver"}


def test_json_file_loads(tmp_path):
    path = tmp_path / "task.json"
    path.write_text(json.dumps(KITS_STYLE))

    assert load_task(path) == parse_task(KITS_STYLE)


def test_missing_file_names_path(tmp_path):
    with pytest.raises(TaskDefinitionError, match="cannot read the task file"):
        load_task(tmp_path / "absent.json")


INVALID = [
    pytest.param({"labels": {"1": "a"}}, "name: expected a non-empty string", id="no-name"),
    pytest.param({"name": "t"}, "labels: expected an object of label value to name", id="no-labels"),
    pytest.param({"name": "t", "labels": {"x": "a"}}, "labels: expected a label value", id="label-not-number"),
    pytest.param({"name": "t", "labels": {"1": "a"}, "metric": ["dice"]}, r"unknown key\(s\) 'metric'", id="unknown-key"),
    pytest.param({"name": "t", "labels": {"1": "a"}, "metrics": ["iou"]}, "metrics: expected a list of distinct names", id="unknown-metric"),
    pytest.param({"name": "t", "labels": {"1": "a"}}, "classes.a.nsd_tolerance_mm: required", id="nsd-without-tolerance"),
    pytest.param(
        {"name": "t", "labels": {"1": "a"}, "classes": {"c": {"labels": [2]}}, "metrics": ["dice"]},
        r"classes.c.labels: \[2\] not declared",
        id="class-label-undeclared",
    ),
    pytest.param(
        {"name": "t", "labels": {"0": "background", "1": "a"}, "classes": {"c": {"labels": [0, 1]}}, "metrics": ["dice"]},
        r"classes.c.labels: label 0 is the background and cannot belong to a class; remove it",
        id="class-label-background",
    ),
    pytest.param({"name": "t", "labels": {"1": "a"}, "metrics": ["dice"], "nsd_variant": "mesh"}, "nsd_variant: expected one of surfel, voxel", id="nsd-variant"),
    pytest.param({"name": "t", "labels": {"1": "a"}, "metrics": ["dice"], "empty_policy": "zero"}, "empty_policy: expected one of kits21, raw", id="empty-policy"),
    pytest.param({"name": "t", "labels": {"1": "a"}, "metrics": ["dice"], "missing_values": {"dice": "nan"}}, "missing_values.dice: expected a finite number", id="missing-value-word"),
    pytest.param({"name": "t", "labels": {"1": "a"}, "metrics": ["dice"], "missing_values": {"dice": float("nan")}}, "missing_values.dice: expected a finite number", id="missing-value-nan"),
    pytest.param({"name": "t", "labels": {"1": "a"}, "metrics": ["dice"], "cases": [{"id": "../x"}]}, r"cases\[0\].id: expected a case id", id="case-id-path"),
    pytest.param({"name": "t", "labels": {"1": "a"}, "metrics": ["dice"], "cases": ["a", "a"]}, "listed twice", id="case-twice"),
    pytest.param({"name": "t", "labels": {"1": "a"}, "metrics": ["dice"], "cases": [{"id": "a", "subset": {"split": 1}}]}, "subset: expected an object of string tags", id="subset-not-string"),
    pytest.param({"name": "t", "labels": {"1": "a"}, "metrics": ["dice"], "version": 2}, "version: expected 1", id="version"),
    pytest.param({"name": "t", "labels": {"1": "a"}, "metrics": ["dice"], "ranking": {"scheme": "best"}}, "ranking.scheme: expected one of", id="ranking-scheme"),
    pytest.param({"name": "t", "labels": {"1": "a"}, "metrics": ["dice"], "ranking": {"sheme": "x"}}, "ranking: unknown key", id="ranking-unknown-key"),
]


@pytest.mark.parametrize(("data", "message"), INVALID)
def test_invalid_task_names_key(data, message):
    with pytest.raises(TaskDefinitionError, match=message):
        parse_task(data)
