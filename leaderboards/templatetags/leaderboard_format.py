"""Template filters that format leaderboard numbers and their sort keys."""

import math

from django import template

register = template.Library()


@register.filter
def number(value, digits=3):
    """Format a number with `digits` decimals; an undefined value shows as an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2013"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return f"{value:.{int(digits)}f}"


@register.filter
def sort_key(value):
    """Return the data-sort attribute of a cell: the plain number, or empty for an undefined value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return repr(float(value))


@register.filter
def rank_bound(value):
    """Format a bound of a rank interval: a whole rank without decimals, an interpolated one with one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2013"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"
