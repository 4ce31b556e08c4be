"""The rows a leaderboard page shows, taken from a RANKING.json dict and its ResultTable.

The page loads this small summary on every view, so it holds only what the
table shows: ranks, rank intervals, aggregates with their intervals, letters of
the compact letter display and counts of evaluated and missing cases.
"""

import numpy as np

from challenges.labels import METRIC_LABELS
from leaderboards.entries import first_task_key


def leaderboard_summary(ranking, table, task):
    """Return the page's summary of one subset's ranking, rows sorted by overall rank then name."""
    keys = list(ranking["tasks"])
    primary_key = first_task_key(task)
    if primary_key not in keys:
        primary_key = keys[0]

    # A case counts as missing for an entry when any class and metric of it is missing.
    missing_any = np.zeros((len(table.algorithms), len(table.case_ids)), dtype=bool)
    for key in keys:
        missing_any |= table.missing[key]
    missing_counts = dict(zip(table.algorithms, missing_any.sum(axis=1).tolist()))

    rows = []
    for algorithm in ranking["algorithms"]:
        overall = ranking["overall"][algorithm]
        interval = overall.get("rank_interval") or [None, None]
        rows.append(
            {
                "algorithm": algorithm,
                "rank": overall["rank"],
                "rank_low": interval[0],
                "rank_high": interval[1],
                "median_rank": overall.get("median_rank"),
                "score": overall.get("value"),
                "letters": ranking["significance"][primary_key]["letters"][algorithm],
                "cases_evaluated": ranking["n_cases"] - missing_counts[algorithm],
                "cases_missing": missing_counts[algorithm],
                "cells": [_cell(ranking, key, algorithm) for key in keys],
            }
        )
    rows.sort(key=lambda row: (row["rank"], row["algorithm"]))

    bootstrap = ranking.get("bootstrap") or {}
    return {
        "case_count": ranking["n_cases"],
        "primary_task": primary_key,
        "columns": [_column(key, table.larger_is_better[key]) for key in keys],
        "rows": rows,
        "settings": ranking["settings"],
        "missing_values": ranking["missing_values"],
        "bootstrap_samples": bootstrap.get("samples", 0),
        "requested_samples": bootstrap.get("requested_samples", bootstrap.get("samples", 0)),
        "warnings": list(ranking.get("warnings") or []),
    }


def _column(key, larger_is_better):
    class_name, metric = key.rsplit("/", 1)
    return {
        "key": key,
        "class_name": class_name,
        "metric": metric,
        "metric_label": METRIC_LABELS.get(metric, metric),
        "larger_is_better": larger_is_better,
    }


def _cell(ranking, key, algorithm):
    result = ranking["tasks"][key][algorithm]
    interval = result.get("aggregate_interval") or [None, None]
    return {
        "value": result["aggregate"],
        "low": interval[0],
        "high": interval[1],
        "rank": result["rank"],
        "letters": ranking["significance"][key]["letters"][algorithm],
        "missing": result["missing"],
    }
