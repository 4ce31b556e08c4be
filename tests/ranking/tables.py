"""Small result tables built by hand for the ranking tests."""

from __future__ import annotations

import numpy as np

from evaluator.ranking.table import ResultTable

# The hand-worked vector: Dice, larger is better; D has no result on c5; B and C tie on c3.
VECTOR_ALGORITHMS = ["A", "B", "C", "D"]
VECTOR_DICE = [
    [0.93, 0.91, 0.89, 0.92, 0.30, 0.94],
    [0.86, 0.88, 0.85, 0.87, 0.84, 0.88],
    [0.81, 0.92, 0.85, 0.79, 0.25, 0.85],
    [0.76, 0.72, 0.71, 0.69, None, 0.73],
]
VECTOR_KEY = "tumor/dice"


def make_table(
    values: dict[str, list[list[float | None]]],
    *,
    algorithms: list[str],
    larger_is_better: dict[str, bool] | None = None,
    policy: dict[str, float | str] | None = None,
    subsets: list[dict[str, str]] | None = None,
) -> ResultTable:
    """Build a table in which every None cell is missing (no prediction)."""
    arrays = {key: np.array([[np.nan if cell is None else cell for cell in row] for row in rows]) for key, rows in values.items()}
    n_cases = next(iter(arrays.values())).shape[1]
    return ResultTable(
        algorithms=list(algorithms),
        case_ids=[f"c{number}" for number in range(1, n_cases + 1)],
        subsets=subsets or [{} for _ in range(n_cases)],
        values=arrays,
        larger_is_better=larger_is_better or {key: key.endswith(("dice", "nsd")) for key in arrays},
        missing={key: np.isnan(array) for key, array in arrays.items()},
        missing_policy=policy or {key: 0.0 for key in arrays},
    )


def vector_table(policy: float | str = 0.0) -> ResultTable:
    """Return the hand-worked vector with the given missing-value policy."""
    return make_table(
        {VECTOR_KEY: VECTOR_DICE},
        algorithms=VECTOR_ALGORITHMS,
        policy={VECTOR_KEY: policy},
        subsets=[{"split": "id"}] * 3 + [{"split": "ood"}] * 3,
    )


def random_table(seed: int, *, n_algorithms: int = 5, n_cases: int = 30) -> ResultTable:
    """Return a table of Dice and HD95 values with a few missing cells."""
    rng = np.random.default_rng(seed)
    dice = np.round(rng.uniform(0.5, 1.0, size=(n_algorithms, n_cases)), 2)
    hd95 = np.round(rng.uniform(1.0, 30.0, size=(n_algorithms, n_cases)), 1)
    absent = rng.random((n_algorithms, n_cases)) < 0.05

    def to_rows(array):
        return [[None if flag else float(value) for value, flag in zip(row, flags)] for row, flags in zip(array, absent)]

    return make_table(
        {"organ/dice": to_rows(dice), "organ/hd95": to_rows(hd95)},
        algorithms=[f"algorithm{number}" for number in range(n_algorithms)],
        policy={"organ/dice": 0.0, "organ/hd95": 100.0},
        subsets=[{"split": "id" if case < n_cases // 2 else "ood"} for case in range(n_cases)],
    )
