"""Files written by the commands: RANKING.json, its CSV table, and JSON in general."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

CSV_COLUMNS = (
    "algorithm",
    "task",
    "rank",
    "value",
    "aggregate",
    "aggregate_low",
    "aggregate_high",
    "median_rank",
    "rank_low",
    "rank_high",
    "missing",
    "letters",
)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON; ``allow_nan=False`` raises on any NaN or infinity."""
    path.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")


def write_ranking_json(path: Path, ranking: dict[str, Any]) -> None:
    """Write RANKING.json; any NaN that escaped ``json_safe`` raises ``ValueError``."""
    write_json(path, ranking)


def write_ranking_csv(path: Path, ranking: dict[str, Any]) -> None:
    """Write one row per algorithm and task, then one ``overall`` row per algorithm.

    Empty cells are undefined values, or bootstrap columns when the bootstrap was skipped.
    """
    with open(path, "w", newline="", encoding="utf-8") as csv_file:
        writer = csv.writer(csv_file)
        writer.writerow(CSV_COLUMNS)
        for key, entries in ranking["tasks"].items():
            letters = ranking["significance"].get(key, {}).get("letters", {})
            for name, entry in entries.items():
                writer.writerow(_row(name, key, entry, letters.get(name)))
        for name, entry in ranking["overall"].items():
            writer.writerow(_row(name, "overall", entry, None))


def _row(name: str, key: str, entry: dict[str, Any], letters: str | None) -> list[str]:
    aggregate_interval = entry.get("aggregate_interval") or [None, None]
    rank_interval = entry.get("rank_interval") or [None, None]
    cells = [
        name,
        key,
        entry.get("rank"),
        entry.get("value"),
        entry.get("aggregate"),
        aggregate_interval[0],
        aggregate_interval[1],
        entry.get("median_rank"),
        rank_interval[0],
        rank_interval[1],
        entry.get("missing"),
        letters,
    ]
    return ["" if cell is None else str(cell) for cell in cells]
