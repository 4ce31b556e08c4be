"""Formatting of leaderboard numbers."""

import pytest

from leaderboards.templatetags.leaderboard_format import number, rank_bound, sort_key


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, "1"), (3, "3"), (1.5, "1.5"), (2.25, "2.2"), (None, "\u2013"), (float("nan"), "\u2013")],
    ids=["whole-float", "int", "half", "interpolated", "none", "nan"],
)
def test_rank_bound(value, expected):
    assert rank_bound(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.98765, "0.988"), (7, "7"), (None, "\u2013")],
    ids=["float", "int", "none"],
)
def test_number(value, expected):
    assert number(value) == expected


def test_sort_key_is_numeric_text():
    assert sort_key(10) == "10.0"
    assert sort_key(None) == ""
