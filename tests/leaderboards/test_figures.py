"""The analysis page's per-subset heatmaps and their in-distribution to out-of-distribution drop."""

import dataclasses

import pytest

pytest.importorskip("plotly", reason="plotly is not installed")

from evaluator.ranking.rank import rank_table  # noqa: E402
from evaluator.ranking.settings import RankingSettings  # noqa: E402
from leaderboards import figures  # noqa: E402
from tests.ranking.tables import make_table  # noqa: E402

# Two entries, four cases: cases 1 and 2 are in-distribution, 3 and 4 out-of-distribution.
DICE = [[0.9, 0.8, 0.6, 0.5], [0.7, 0.7, 0.7, 0.6]]
HD95_MM = [[2.0, 4.0, 9.0, 11.0], [5.0, 5.0, 6.0, 6.0]]


@pytest.fixture
def heatmap_figures(monkeypatch):
    """Make ``_subset_heatmaps`` return the plotly figures instead of their HTML."""
    monkeypatch.setattr(figures, "figure_html", lambda figure, element_id: figure)


def _table(split_in, values):
    return make_table(values, algorithms=["A", "B"], subsets=[{"split": split_in}] * 2 + [{"split": "ood"}] * 2)


def _drops(figure):
    return dict(zip(figure.data[1].y, figure.data[1].x))


@pytest.mark.parametrize("split_in", ["in", "id"])
def test_subset_heatmap_drop_signed_by_direction(heatmap_figures, split_in):
    ranking = rank_table(_table(split_in, {"organ/dice": DICE, "organ/hd95": HD95_MM}), RankingSettings(), bootstrap=0)

    [dice_figure] = figures._subset_heatmaps(ranking, "organ/dice")
    [hd95_figure] = figures._subset_heatmaps(ranking, "organ/hd95")

    # A positive drop is a loss: A's mean Dice falls from 0.85 to 0.55, its mean HD95 rises from 3 to 10 mm.
    assert dice_figure.layout.annotations[1].text == f"drop {split_in} to ood"
    assert _drops(dice_figure)["A"] == pytest.approx(0.3)
    assert _drops(dice_figure)["B"] == pytest.approx(0.05)
    assert _drops(hd95_figure)["A"] == pytest.approx(7.0)
    assert _drops(hd95_figure)["B"] == pytest.approx(1.0)


def test_subset_heatmap_direction_from_ranking(heatmap_figures):
    # The evaluator has no direction for the metric name "overlap", so only the ranking's larger_is_better gives it.
    table = _table("in", {"organ/overlap": DICE})
    table = dataclasses.replace(table, larger_is_better={"organ/overlap": False})
    ranking = rank_table(table, RankingSettings(), bootstrap=0)

    [figure] = figures._subset_heatmaps(ranking, "organ/overlap")

    assert _drops(figure)["A"] == pytest.approx(-0.3)
