"""Conversion of ranking results to plain JSON values."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def json_safe(value: Any) -> Any:
    """Return ``value`` with numpy types and arrays as Python ones, and NaN or infinity as None."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if isinstance(value, np.ndarray):
        return _array_json_safe(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    return value


def _array_json_safe(array: np.ndarray) -> Any:
    """Return ``array`` as nested lists, converted by numpy rather than one element at a time."""
    if array.ndim == 0 or array.dtype.kind not in "biuf":
        return json_safe(array.tolist())
    if array.dtype.kind != "f":
        return array.tolist()

    finite = np.isfinite(array)
    if finite.all():
        return array.tolist()
    # An object array contains Python floats, so the non-finite ones can become None in place.
    converted = array.astype(np.float64).astype(object)
    converted[~finite] = None
    return converted.tolist()
