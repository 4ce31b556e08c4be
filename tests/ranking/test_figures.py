"""The plotly figures built from a RANKING.json dict and the per-case values."""

import dataclasses

import pytest

pytest.importorskip("plotly", reason="plotly is not installed")

from evaluator import figures, report  # noqa: E402
from evaluator.ranking.rank import rank_table  # noqa: E402
from evaluator.ranking.settings import RankingSettings  # noqa: E402
from tests.ranking.tables import VECTOR_KEY, vector_table  # noqa: E402


@pytest.fixture(scope="module")
def ranking_and_values():
    table = vector_table()
    return rank_table(table, RankingSettings(), bootstrap=30), table.to_dict()


def test_algorithms_by_rank(ranking_and_values):
    ranking, _ = ranking_and_values

    assert figures.algorithms_by_rank(ranking, VECTOR_KEY) == ["B", "A", "C", "D"]


def test_dot_box_plot_skips_missing(ranking_and_values):
    ranking, case_values = ranking_and_values

    figure = figures.dot_box_plot(ranking, case_values, VECTOR_KEY)

    assert [trace.name for trace in figure.data] == ["B", "A", "C", "D"]
    assert len(figure.data[3].y) == 5


def test_bootstrap_blob_plot_shares(ranking_and_values):
    ranking, _ = ranking_and_values

    figure = figures.bootstrap_blob_plot(ranking, VECTOR_KEY)

    blobs = figure.data[0]
    assert sum(blobs.customdata) == pytest.approx(4.0)
    assert list(figure.data[1].x) == ["B", "A", "C", "D"]


def test_bootstrap_blob_plot_needs_bootstrap():
    ranking = rank_table(vector_table(), RankingSettings(), bootstrap=0)

    with pytest.raises(ValueError, match="the ranking has no bootstrap"):
        figures.bootstrap_blob_plot(ranking)


def test_kendall_tau_violin_per_task(ranking_and_values):
    ranking, _ = ranking_and_values

    figure = figures.kendall_tau_violin(ranking)

    assert [trace.name for trace in figure.data] == [VECTOR_KEY, "overall"]


def test_significance_map_order(ranking_and_values):
    ranking, _ = ranking_and_values

    figure = figures.significance_map(ranking, VECTOR_KEY)

    heatmap = figure.data[0]
    assert list(heatmap.y) == ["B", "A", "C", "D"]
    # A, B and C over D share the smallest p 0.018016, so Holm adjusts all three to 12 x 0.018016.
    assert heatmap.z[1][3] == pytest.approx(0.21619, abs=5e-6)
    assert heatmap.z[0][0] is None


def test_scheme_line_plot(ranking_and_values):
    ranking, _ = ranking_and_values

    figure = figures.scheme_line_plot(ranking)

    trace_a = next(trace for trace in figure.data if trace.name == "A")
    assert list(trace_a.y) == [2, 1, 1]


def test_subset_heatmap_drop(ranking_and_values):
    ranking, _ = ranking_and_values

    figure = figures.subset_heatmap(ranking, VECTOR_KEY, "split", reference="id", shifted="ood")

    drops = dict(zip(figure.data[1].y, figure.data[1].x))
    # Mean Dice id minus ood: A 0.91 - 0.72, D 0.73 - 0.473333.
    assert drops["A"] == pytest.approx(0.19)
    assert drops["D"] == pytest.approx(0.256667, abs=5e-7)


def test_case_difficulty_hardest_first(ranking_and_values):
    _, case_values = ranking_and_values

    figure = figures.case_difficulty_plot(case_values, VECTOR_KEY)

    # c5 has the lowest mean Dice over the three algorithms that have it: (0.30 + 0.84 + 0.25) / 3.
    assert figure.data[0].y[0] == pytest.approx(1.39 / 3)
    assert figure.data[0].text[0].startswith("c5")


SHIFT_PAIR_CASES = [
    # (split values present, expected (reference, shifted))
    pytest.param({"in", "ood"}, ("in", "ood"), id="in-ood"),
    pytest.param({"id", "ood"}, ("id", "ood"), id="id-ood"),
    pytest.param({"in", "id", "ood"}, ("in", "ood"), id="in-preferred"),
    pytest.param({"in-distribution", "out-of-distribution"}, ("in-distribution", "out-of-distribution"), id="words"),
    pytest.param({"in"}, (None, None), id="no-shifted"),
]


@pytest.mark.parametrize(("values", "expected"), SHIFT_PAIR_CASES)
def test_report_shift_pair(values, expected):
    assert report._shift_pair({value: {} for value in values}) == expected


def test_report_drop_in_to_ood():
    table = dataclasses.replace(vector_table(), subsets=[{"split": "in"}] * 3 + [{"split": "ood"}] * 3)
    ranking = rank_table(table, RankingSettings(), bootstrap=0)

    html = report.build_report(ranking, table.to_dict())

    assert "drop in to ood" in html
