"""Case difficulty: each case's mean over the entries, per class and metric."""

import warnings

import numpy as np


def case_difficulty(table):
    """Return one row per case with its tags, the entries' mean per task and the count of entries missing it.

    Missing cells (no prediction) are left out of the mean, so a case is judged
    by the entries that predicted it. Undefined values are left out as well.
    """
    keys = table.task_keys
    means = {}
    for key in keys:
        with warnings.catch_warnings():
            # A case no entry has a value for has an undefined mean, shown as a dash.
            warnings.simplefilter("ignore", category=RuntimeWarning)
            means[key] = np.nanmean(table.values[key], axis=0)

    missing_any = np.zeros((len(table.algorithms), len(table.case_ids)), dtype=bool)
    for key in keys:
        missing_any |= table.missing[key]
    missing_counts = missing_any.sum(axis=0)

    rows = []
    for column, case_id in enumerate(table.case_ids):
        rows.append(
            {
                "case_id": case_id,
                "subset": table.subsets[column],
                "means": [_number(means[key][column]) for key in keys],
                "entries_missing": int(missing_counts[column]),
            }
        )
    return rows


def case_values(table, case_id):
    """Return each entry's values on one case: ``[{algorithm, cells: [{value, missing}]}]``.

    Raises ``KeyError`` when the table has no such case.
    """
    column = table.case_ids.index(case_id) if case_id in table.case_ids else None
    if column is None:
        raise KeyError(case_id)

    rows = []
    for row, algorithm in enumerate(table.algorithms):
        cells = [
            {"value": _number(table.values[key][row, column]), "missing": bool(table.missing[key][row, column])}
            for key in table.task_keys
        ]
        rows.append({"algorithm": algorithm, "cells": cells})
    return rows


def _number(value):
    return None if np.isnan(value) else float(value)
