"""Conversion of ranking results to plain JSON values."""

import math

import numpy as np
import pytest

from evaluator.ranking.jsonsafe import json_safe

JSON_CASES = [
    # (value, expected)
    pytest.param(np.array([[1.5, np.nan], [np.inf, -2.0]]), [[1.5, None], [None, -2.0]], id="float-non-finite"),
    pytest.param(np.array([0.25, 3.0]), [0.25, 3.0], id="float-finite"),
    pytest.param(np.array(np.nan), None, id="float-0d-nan"),
    pytest.param(np.array([1, 2], dtype=np.int32), [1, 2], id="int"),
    pytest.param(np.array([True, False]), [True, False], id="bool"),
    pytest.param(np.array([np.nan, 0.5], dtype=np.float32), [None, 0.5], id="float32"),
    pytest.param(np.zeros((0, 3)), [], id="empty"),
    pytest.param(
        {"a": np.float64(np.nan), 2: [np.int64(4), (np.bool_(True),)]}, {"a": None, "2": [4, [True]]}, id="nested"
    ),
]


@pytest.mark.parametrize(("value", "expected"), JSON_CASES)
def test_json_safe_values(value, expected):
    assert json_safe(value) == expected


def test_json_safe_array_python_types():
    converted = json_safe(np.array([[0.1, np.nan], [2.0, 3.0]]))

    assert [type(item) for row in converted for item in row] == [float, type(None), float, float]
    assert not any(isinstance(item, float) and not math.isfinite(item) for row in converted for item in row)
