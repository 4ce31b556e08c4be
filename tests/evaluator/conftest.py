"""Fixtures of the evaluator tests: a one-class task and a cube label map."""

import numpy as np
import pytest

from evaluator.task import parse_task


@pytest.fixture
def cube_task():
    """Return a one-class task over label 1 with every metric."""
    return parse_task(
        {
            "name": "cube",
            "labels": {"1": "organ"},
            "classes": {"organ": {"labels": [1], "nsd_tolerance_mm": 1.0}},
            "metrics": ["dice", "nsd", "hd95", "assd"],
        }
    )


@pytest.fixture
def cube_labels():
    """Return a 12x12x12 label map with the cube [3:6]^3 set to 1."""
    labels = np.zeros((12, 12, 12), np.uint8)
    labels[3:6, 3:6, 3:6] = 1
    return labels
