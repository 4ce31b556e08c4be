"""Rankings of algorithms from per-case metric values, after challengeR.

The entry points are ``table_from_results`` and ``rank_table``; the
lower-level steps are exported too. They are imported on first use, because ``evaluator.task`` imports the settings from
this package while the table module imports ``evaluator.task``.
"""

from __future__ import annotations

import importlib
from typing import Any

from evaluator.ranking.settings import RankingSettings

_LAZY_EXPORTS = {
    "ResultTable": "evaluator.ranking.table",
    "table_from_results": "evaluator.ranking.table",
    "rank_table": "evaluator.ranking.rank",
    "aggregate_then_rank": "evaluator.ranking.schemes",
    "rank_then_aggregate": "evaluator.ranking.schemes",
    "test_then_rank": "evaluator.ranking.schemes",
    "kendall_tau_b": "evaluator.ranking.ranks",
    "adjust_p_values": "evaluator.ranking.wilcoxon",
    "pairwise_wilcoxon": "evaluator.ranking.wilcoxon",
    "significance_matrix": "evaluator.ranking.significance",
    "compact_letter_display": "evaluator.ranking.significance",
    "bootstrap_ranks": "evaluator.ranking.bootstrap",
    "draw_case_weights": "evaluator.ranking.bootstrap",
    "combine_task_ranks": "evaluator.ranking.combine",
    "rank_per_subset": "evaluator.ranking.subsets",
}

__all__ = ["RankingSettings", *_LAZY_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _LAZY_EXPORTS:
        return getattr(importlib.import_module(_LAZY_EXPORTS[name]), name)
    raise AttributeError(f"module 'evaluator.ranking' has no attribute {name!r}")
