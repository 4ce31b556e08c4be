"""Leaderboard, analysis and case pages of a phase, rendered from its stored snapshot."""

from django.http import Http404
from django.shortcuts import render

from challenges.labels import task_label
from leaderboards import difficulty, figures
from leaderboards.context import aggregate_words, method_in_words, page_context
from leaderboards.lookups import (
    phase_for_case_values,
    phase_for_leaderboard,
    requested_snapshot,
    requested_subset,
)
from leaderboards.models import SnapshotCases, SnapshotSubset
from leaderboards.subsets import ALL_CASES, parse_subset_key
from leaderboards.tables import unpack_table


def leaderboard(request, challenge_slug, phase_slug):
    """Show the phase's leaderboard for one subset of its cases."""
    phase = phase_for_leaderboard(request, challenge_slug, phase_slug)
    snapshot = requested_snapshot(request, phase)
    subset_key = requested_subset(request, snapshot)
    subset = _subset(snapshot, subset_key, with_ranking=False)

    context = page_context(request, phase, snapshot, subset_key, "leaderboard")
    table = subset.table if subset is not None else {}
    settings = table.get("settings") or {}
    context.update(
        {
            "table": table,
            "method": method_in_words(snapshot, subset, phase) if snapshot is not None else {},
            "aggregate_label": aggregate_words(settings.get("aggregate", "mean")).capitalize(),
        }
    )
    return render(request, "leaderboards/leaderboard.html", context)


def analysis(request, challenge_slug, phase_slug):
    """Show the ranking analyses of one class and metric: uncertainty, significance, schemes, subsets, methods."""
    phase = phase_for_leaderboard(request, challenge_slug, phase_slug)
    snapshot = requested_snapshot(request, phase)
    subset_key = requested_subset(request, snapshot)
    subset = _subset(snapshot, subset_key, with_ranking=True)
    context = page_context(request, phase, snapshot, subset_key, "analysis")
    if subset is None or not subset.ranking:
        return render(request, "leaderboards/analysis.html", context)

    task_keys = list(subset.ranking["tasks"])
    task_key = request.GET.get("task") or subset.table.get("primary_task") or task_keys[0]
    if task_key not in task_keys:
        raise Http404(f"The leaderboard has no class and metric {task_key!r}.")

    all_cases = subset if subset_key == ALL_CASES else _subset(snapshot, ALL_CASES, with_ranking=True)
    table = None
    if context["can_view_case_values"]:
        table = _case_table(snapshot).select_cases(parse_subset_key(subset_key))

    context.update(
        {
            "task_key": task_key,
            "task_columns": [_column_label(key) for key in task_keys],
            "sections": figures.analysis_sections(
                ranking=subset.ranking,
                all_cases_ranking=all_cases.ranking,
                table=table,
                entries=snapshot.entries,
                method_fields=phase.method_fields,
                task_key=task_key,
            ),
        }
    )
    return render(request, "leaderboards/analysis.html", context)


def case_difficulty(request, challenge_slug, phase_slug):
    """Show each case's mean over the entries, sortable, with its subset tags."""
    phase = phase_for_case_values(request, challenge_slug, phase_slug)
    snapshot = requested_snapshot(request, phase)
    subset_key = requested_subset(request, snapshot)
    context = page_context(request, phase, snapshot, subset_key, "case difficulty")

    if snapshot is not None and snapshot.subset_keys:
        table = _case_table(snapshot).select_cases(parse_subset_key(subset_key))
        context.update(
            {
                "columns": [_column_label(key) for key in table.task_keys],
                "tag_names": sorted({name for tags in table.subsets for name in tags}),
                "rows": difficulty.case_difficulty(table),
            }
        )
    return render(request, "leaderboards/cases.html", context)


def case_values(request, challenge_slug, phase_slug, case_id):
    """Show every entry's values on one case."""
    phase = phase_for_case_values(request, challenge_slug, phase_slug)
    snapshot = requested_snapshot(request, phase)
    subset_key = requested_subset(request, snapshot)
    # Case ids usually start with "case", so the title is the id alone, as in "Test: case_00257".
    context = page_context(request, phase, snapshot, subset_key, case_id)
    if snapshot is None or not snapshot.subset_keys:
        raise Http404("No leaderboard has been computed for this phase yet.")

    table = _case_table(snapshot)
    try:
        rows = difficulty.case_values(table, case_id)
    except KeyError:
        raise Http404(f"The leaderboard has no case {case_id!r}.") from None

    context.update(
        {
            "case_id": case_id,
            "tags": table.subsets[table.case_ids.index(case_id)],
            "columns": [_column_label(key) for key in table.task_keys],
            "rows": rows,
        }
    )
    return render(request, "leaderboards/case.html", context)


def _subset(snapshot, key, *, with_ranking):
    if snapshot is None:
        return None
    subsets = SnapshotSubset.objects.filter(snapshot=snapshot, key=key)
    if not with_ranking:
        subsets = subsets.defer("ranking")
    return subsets.first()


def _case_table(snapshot):
    try:
        stored = SnapshotCases.objects.get(snapshot=snapshot)
    except SnapshotCases.DoesNotExist:
        raise Http404("This snapshot has no per-case values.") from None
    return unpack_table(stored.table)


def _column_label(key):
    return {"key": key, "label": task_label(key)}
