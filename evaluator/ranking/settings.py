"""Ranking settings: the scheme, aggregate, test correction and how tasks combine."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

SCHEMES = ("aggregate-then-rank", "rank-then-aggregate", "test-then-rank")
CORRECTIONS = ("none", "holm", "bonferroni", "bh")
COMBINE_RULES = ("mean-rank", "kits21")
AGGREGATE_FORM = '"mean", "median" or "quantile:Q" with 0 <= Q <= 1'


@dataclasses.dataclass(frozen=True)
class RankingSettings:
    """Ranking settings of a leaderboard, as stored under a task file's ``ranking`` key.

    ``aggregate`` is ``"mean"``, ``"median"`` or ``"quantile:Q"``.
    ``tie_break`` is a task key ``"<class>/<metric>"`` that breaks ties of the
    ``kits21`` combine rule (KiTS21 uses the tumour Dice), or None.
    """

    scheme: str = "aggregate-then-rank"
    aggregate: str = "mean"
    correction: str = "holm"
    alpha: float = 0.05
    combine: str = "mean-rank"
    tie_break: str | None = None
    bootstrap: int = 1000
    seed: int = 0

    def __post_init__(self) -> None:
        _check_choice("scheme", self.scheme, SCHEMES)
        aggregate_quantile(self.aggregate)
        _check_choice("correction", self.correction, CORRECTIONS)
        _check_choice("combine", self.combine, COMBINE_RULES)
        _check_alpha(self.alpha)
        _check_tie_break(self.tie_break)
        _check_count("bootstrap", self.bootstrap)
        _check_count("seed", self.seed)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> RankingSettings:
        """Parse a task file's ``ranking`` dict, filling defaults for absent keys.

        Raises ``ValueError`` naming the key and the expected form.
        """
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ValueError(
                f"ranking: expected a mapping of ranking settings, got {type(data).__name__}"
            )

        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"ranking: unknown key(s) {', '.join(unknown)}; "
                f"expected only {', '.join(sorted(known))}"
            )

        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as a JSON-safe dict that ``from_dict`` reads back."""
        return dataclasses.asdict(self)


def aggregate_quantile(aggregate: str) -> float:
    """Return the quantile an aggregate names, NaN for ``"mean"``.

    Raises ``ValueError`` when ``aggregate`` is not ``"mean"``, ``"median"`` or
    ``"quantile:Q"`` with Q in [0, 1].
    """
    if aggregate == "mean":
        return math.nan
    if aggregate == "median":
        return 0.5

    if isinstance(aggregate, str) and aggregate.startswith("quantile:"):
        try:
            quantile = float(aggregate.split(":", 1)[1])
        except ValueError:
            quantile = math.nan
        if 0.0 <= quantile <= 1.0:
            return quantile

    raise ValueError(f"ranking.aggregate: expected {AGGREGATE_FORM}, got {aggregate!r}")


def _check_choice(key: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(
            f"ranking.{key}: expected one of {', '.join(choices)}, got {value!r}"
        )


def _check_alpha(alpha: Any) -> None:
    valid = (
        isinstance(alpha, (int, float))
        and not isinstance(alpha, bool)
        and 0.0 < alpha < 1.0
    )
    if not valid:
        raise ValueError(f"ranking.alpha: expected a number between 0 and 1, got {alpha!r}")


def _check_tie_break(tie_break: Any) -> None:
    if tie_break is None:
        return
    valid = isinstance(tie_break, str) and tie_break.count("/") == 1 and all(
        tie_break.split("/")
    )
    if not valid:
        raise ValueError(
            f'ranking.tie_break: expected a task key "<class>/<metric>" or null, got {tie_break!r}'
        )


def _check_count(key: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"ranking.{key}: expected a whole number >= 0, got {value!r}")
