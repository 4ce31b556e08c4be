"""Display labels of classes and metrics, and the leaderboard's sentence on missing predictions."""

import pytest

from challenges.labels import class_label, metric_label, task_label
from leaderboards.context import missing_words


@pytest.mark.parametrize(
    ("label", "value", "expected"),
    [
        (class_label, "kidney_and_mass", "kidney and mass"),
        (metric_label, "dice", "Dice"),
        (metric_label, "hd95", "HD95 (mm)"),
        (metric_label, "custom_metric", "custom_metric"),
        (task_label, "kidney_and_mass/nsd", "kidney and mass NSD"),
    ],
    ids=["class", "metric", "metric-unit", "metric-unknown", "task"],
)
def test_display_labels(label, value, expected):
    assert label(value) == expected


@pytest.mark.parametrize(
    ("policies", "expected"),
    [
        (
            {"kidney/dice": 0.0, "tumor/dice": 0.0, "kidney/nsd": 0.0},
            "A missing or rejected prediction, and an undefined value, count as Dice 0 and NSD 0.",
        ),
        (
            {"kidney/dice": 0.0, "kidney/hd95": "worst"},
            "A missing or rejected prediction, and an undefined value, count as Dice 0, "
            "and take the worst HD95 (mm) that any entry has on the class.",
        ),
        (
            {"kidney/assd": "drop"},
            "A missing or rejected prediction, and an undefined value, are left out of ASSD (mm), "
            "so the entry is aggregated over the cases it has.",
        ),
    ],
    ids=["fixed", "fixed-and-worst", "drop"],
)
def test_missing_words(policies, expected):
    assert missing_words(policies) == expected
