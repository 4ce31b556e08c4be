"""Reported values: the empty-mask policy, several annotations and missing cases."""

from __future__ import annotations

from evaluator.metrics.classes import BOTH_EMPTY, OK, PREDICTION_EMPTY, REFERENCE_EMPTY, ClassMetrics

# Values of the kits21 policy when both masks are empty. A structure that one
# side misses scores Dice 0, NSD 0 and the task's distance penalty.
BOTH_EMPTY_VALUES = {"dice": 1.0, "nsd": 1.0, "hd95": 0.0, "assd": 0.0}
ONE_EMPTY_OVERLAP = {"dice": 0.0, "nsd": 0.0}


def apply_empty_policy(
    result: ClassMetrics, policy: str, distance_penalties_mm: dict[str, float]
) -> dict[str, float | None]:
    """Return the values to report for one class after the task's empty policy.

    ``kits21``: both empty gives Dice 1, NSD 1, HD95 0 and ASSD 0. One empty gives
    Dice 0, NSD 0, and HD95 and ASSD from ``distance_penalties_mm``. ``raw``: the
    raw values, where undefined ones stay None.

    Examples
    --------
    >>> from evaluator.metrics.classes import ClassMetrics
    >>> missed = ClassMetrics({"dice": 0.0, "hd95": None}, "prediction_empty")
    >>> apply_empty_policy(missed, "kits21", {"hd95": 1000.0, "assd": 1000.0})
    {'dice': 0.0, 'hd95': 1000.0}
    >>> apply_empty_policy(missed, "raw", {"hd95": 1000.0, "assd": 1000.0})
    {'dice': 0.0, 'hd95': None}
    """
    if policy == "raw" or result.status == OK:
        return dict(result.values)
    if policy != "kits21":
        raise ValueError(f"empty_policy: expected 'kits21' or 'raw', got {policy!r}")

    if result.status == BOTH_EMPTY:
        return {metric: BOTH_EMPTY_VALUES[metric] for metric in result.values}
    if result.status in (REFERENCE_EMPTY, PREDICTION_EMPTY):
        return {
            metric: ONE_EMPTY_OVERLAP[metric] if metric in ONE_EMPTY_OVERLAP else distance_penalties_mm[metric]
            for metric in result.values
        }
    raise ValueError(f"unknown emptiness status {result.status!r}")


def combine_annotations(statuses: list[str], value_sets: list[dict[str, float | None]]) -> tuple[str, dict]:
    """Average the values of one class over several reference annotations.

    The value of each metric is the mean over the annotations where it is
    defined, None where it is defined for none. The status counts the reference
    as empty only when every annotation is empty, so one annotator's empty mask
    does not mark the class as absent.

    Examples
    --------
    >>> combine_annotations(["ok", "ok"], [{"dice": 0.8}, {"dice": 0.6}])
    ('ok', {'dice': 0.7})
    """
    if len(statuses) == 1:
        return statuses[0], dict(value_sets[0])

    reference_empty = all(status in (REFERENCE_EMPTY, BOTH_EMPTY) for status in statuses)
    prediction_empty = all(status in (PREDICTION_EMPTY, BOTH_EMPTY) for status in statuses)
    if reference_empty and prediction_empty:
        status = BOTH_EMPTY
    elif reference_empty:
        status = REFERENCE_EMPTY
    elif prediction_empty:
        status = PREDICTION_EMPTY
    else:
        status = OK

    combined = {}
    for metric in value_sets[0]:
        defined = [values[metric] for values in value_sets if values[metric] is not None]
        combined[metric] = sum(defined) / len(defined) if defined else None
    return status, combined


def missing_case_values(metrics: tuple[str, ...], missing_values: dict[str, float | str]) -> dict[str, float | None]:
    """Return the values of a class in a missing or rejected case.

    A number in ``missing_values`` is used as it is. ``"worst"`` and ``"drop"``
    give None here; aggregates and rankings apply them across cases.
    """
    return {
        metric: missing_values[metric] if isinstance(missing_values[metric], float) else None
        for metric in metrics
    }
