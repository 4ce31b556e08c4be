"""Parsing the task file's ranking settings."""

import pytest

from evaluator.ranking.settings import RankingSettings

INVALID_CASES = [
    # (ranking dict, expected message)
    pytest.param({"scheme": "best-first"}, "ranking.scheme: expected one of aggregate-then-rank, rank-then-aggregate, test-then-rank, got 'best-first'", id="scheme"),
    pytest.param({"aggregate": "quantile:1.5"}, 'ranking.aggregate: expected "mean", "median" or "quantile:Q" with 0 <= Q <= 1, got \'quantile:1.5\'', id="quantile-range"),
    pytest.param({"aggregate": "mode"}, 'ranking.aggregate: expected "mean", "median" or "quantile:Q" with 0 <= Q <= 1, got \'mode\'', id="aggregate"),
    pytest.param({"correction": "sidak"}, "ranking.correction: expected one of none, holm, bonferroni, bh, got 'sidak'", id="correction"),
    pytest.param({"alpha": 1.5}, "ranking.alpha: expected a number between 0 and 1, got 1.5", id="alpha"),
    pytest.param({"combine": "borda"}, "ranking.combine: expected one of mean-rank, kits21, got 'borda'", id="combine"),
    pytest.param({"tie_break": "tumor"}, 'ranking.tie_break: expected a task key "<class>/<metric>" or null, got \'tumor\'', id="tie-break"),
    pytest.param({"bootstrap": -1}, "ranking.bootstrap: expected a whole number >= 0, got -1", id="bootstrap"),
    pytest.param({"seed": 1.5}, "ranking.seed: expected a whole number >= 0, got 1.5", id="seed"),
    pytest.param({"schema": 1}, "ranking: unknown key(s) schema; expected only aggregate, alpha, bootstrap, combine, correction, scheme, seed, tie_break", id="unknown-key"),
    pytest.param(["mean"], "ranking: expected a mapping of ranking settings, got list", id="not-a-mapping"),
]


def test_defaults():
    settings = RankingSettings.from_dict(None)

    assert settings.to_dict() == {
        "scheme": "aggregate-then-rank",
        "aggregate": "mean",
        "correction": "holm",
        "alpha": 0.05,
        "combine": "mean-rank",
        "tie_break": None,
        "bootstrap": 1000,
        "seed": 0,
    }


def test_round_trip():
    data = {"scheme": "test-then-rank", "aggregate": "quantile:0.25", "combine": "kits21", "tie_break": "tumor/dice"}

    settings = RankingSettings.from_dict(data)

    assert RankingSettings.from_dict(settings.to_dict()) == settings


@pytest.mark.parametrize(("data", "message"), INVALID_CASES)
def test_invalid_settings(data, message):
    with pytest.raises(ValueError) as error:
        RankingSettings.from_dict(data)

    assert str(error.value) == message
