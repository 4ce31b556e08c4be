"""Run the examples in the public evaluator docstrings, so they stay true."""

import doctest
import importlib

import pytest

MODULES = [
    "evaluator.task",
    "evaluator.io",
    "evaluator.geometry",
    "evaluator.evaluate",
    "evaluator.folders",
    "evaluator.metrics.aggregate",
    "evaluator.metrics.classes",
    "evaluator.metrics.distances",
    "evaluator.metrics.policy",
    "evaluator.metrics.surfaces",
]


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_pass(module_name):
    result = doctest.testmod(importlib.import_module(module_name))

    assert result.attempted > 0
    assert result.failed == 0
