"""Missing-value policies: fill missing and undefined cells before ranking."""

from __future__ import annotations

import numpy as np

POLICY_FORM = 'a number, "worst" or "drop"'


def parse_missing_policy(policy: float | str, *, source: str) -> float | str:
    """Return ``policy`` as a float, ``"worst"`` or ``"drop"``.

    Raises ``ValueError`` naming ``source`` for any other value.
    """
    if policy in ("worst", "drop"):
        return policy
    try:
        number = float(policy)
    except (TypeError, ValueError):
        number = np.nan
    if not np.isfinite(number):
        raise ValueError(f"{source}: expected {POLICY_FORM}, got {policy!r}")
    return number


def fill_missing(values: np.ndarray, policy: float | str, *, larger_is_better: bool) -> np.ndarray:
    """Return a copy of ``values`` (algorithms x cases) with every NaN cell filled by the policy.

    Missing cells (no prediction) and undefined cells (``null`` metrics) are
    treated alike. A number fills them with that number. ``"worst"`` fills them
    with the worst value observed for any algorithm and case of this task, and
    leaves NaN when nothing was observed. ``"drop"`` keeps NaN, so each
    algorithm is aggregated over the cases it has.
    """
    filled = np.array(values, dtype=np.float64, copy=True)
    empty = np.isnan(filled)
    if policy == "drop" or not empty.any():
        return filled

    if policy == "worst":
        observed = filled[~empty]
        if observed.size == 0:
            return filled
        fill_value = observed.min() if larger_is_better else observed.max()
    else:
        fill_value = float(policy)

    filled[empty] = fill_value
    return filled


def fill_beats_observed(values: np.ndarray, policy: float | str, *, larger_is_better: bool) -> bool:
    """Return True when a fixed fill value is better than the worst observed value.

    Such a policy lets a missing result outrank a poor real one, which the
    ranking reports as a warning.
    """
    if isinstance(policy, str):
        return False
    observed = values[~np.isnan(values)]
    if observed.size == 0:
        return False
    worst = observed.min() if larger_is_better else observed.max()
    return policy > worst if larger_is_better else policy < worst


def override_missing_policy(
    policies: dict[str, float | str], larger_is_better: dict[str, bool], override: float | str
) -> dict[str, float | str]:
    """Return per-task policies with ``override`` applied, as the ``--missing`` option does.

    ``"worst"`` and ``"drop"`` apply to every task. A number applies only to the
    tasks whose metric is larger-is-better, because a number suited to Dice
    (such as 0) would make a missing distance the best one. Distance metrics
    keep their own penalty.
    """
    updated = dict(policies)
    for key, larger in larger_is_better.items():
        if isinstance(override, str) or larger:
            updated[key] = override
    return updated
