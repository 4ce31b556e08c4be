"""CSV and JSON downloads of a leaderboard and its per-case values, and the evaluator's HTML report."""

import csv
import json
import math
import re

from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse

from evaluator.report import build_report
from leaderboards.documents import leaderboard_document
from leaderboards.lookups import phase_for_case_values, phase_for_leaderboard, requested_snapshot, requested_subset
from leaderboards.models import SnapshotCases, SnapshotSubset
from leaderboards.subsets import parse_subset_key
from leaderboards.tables import unpack_table


def leaderboard_csv(request, challenge_slug, phase_slug):
    """Download the leaderboard of one subset as CSV, one row per entry."""
    phase, snapshot, subset = _leaderboard_subset(request, challenge_slug, phase_slug, with_ranking=False)
    table = subset.table if subset is not None else {"columns": [], "rows": []}
    keys = [column["key"] for column in table["columns"]]

    header = ["rank", "rank_low", "rank_high", "group", "entry", "cases_evaluated", "cases_missing"]
    for key in keys:
        header += [f"{key} aggregate", f"{key} low", f"{key} high", f"{key} rank", f"{key} letters"]

    lines = [header]
    for row in table["rows"]:
        line = [
            row["rank"],
            _csv_number(row["rank_low"]),
            _csv_number(row["rank_high"]),
            row["letters"],
            row["algorithm"],
            row["cases_evaluated"],
            row["cases_missing"],
        ]
        for cell in row["cells"]:
            line += [_csv_number(cell["value"]), _csv_number(cell["low"]), _csv_number(cell["high"]), cell["rank"], cell["letters"]]
        lines.append(line)

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_stem(phase, subset)}-leaderboard.csv"'
    csv.writer(response).writerows(lines)
    return response


def leaderboard_json(request, challenge_slug, phase_slug):
    """Download the leaderboard of one subset and its full RANKING.json as JSON."""
    phase, snapshot, subset = _leaderboard_subset(request, challenge_slug, phase_slug, with_ranking=True)
    subsets = list(SnapshotSubset.objects.filter(snapshot=snapshot).values("key", "label", "case_count")) if snapshot else []
    document = leaderboard_document(phase, snapshot, subset, subsets=subsets, include_ranking=True)
    response = JsonResponse(document)
    response["Content-Disposition"] = f'attachment; filename="{_file_stem(phase, subset)}-leaderboard.json"'
    return response


def cases_csv(request, challenge_slug, phase_slug):
    """Download every entry's per-case values of one subset as CSV, one row per entry and case."""
    phase, table, subset_key = _case_table(request, challenge_slug, phase_slug)
    tag_names = sorted({name for tags in table.subsets for name in tags})
    keys = table.task_keys

    def lines():
        yield ["entry", "case_id", *tag_names, *keys, *(f"{key} missing" for key in keys)]
        for row, algorithm in enumerate(table.algorithms):
            for column, case_id in enumerate(table.case_ids):
                tags = table.subsets[column]
                yield [
                    algorithm,
                    case_id,
                    *(tags.get(name, "") for name in tag_names),
                    *(_csv_number(table.values[key][row, column]) for key in keys),
                    *(int(table.missing[key][row, column]) for key in keys),
                ]

    buffer = _LineBuffer()
    writer = csv.writer(buffer)
    response = StreamingHttpResponse((writer.writerow(line) for line in lines()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{phase.challenge.slug}-{phase.slug}-{_slug(subset_key)}-cases.csv"'
    return response


def cases_json(request, challenge_slug, phase_slug):
    """Download every entry's per-case values of one subset as JSON (``null`` for a missing or undefined value)."""
    phase, table, subset_key = _case_table(request, challenge_slug, phase_slug)
    response = HttpResponse(json.dumps(table.to_dict()), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{phase.challenge.slug}-{phase.slug}-{_slug(subset_key)}-cases.json"'
    return response


def report_html(request, challenge_slug, phase_slug):
    """Download the evaluator's standalone HTML report of one subset, with plotly.js embedded.

    The report plots per-case values, so it follows the per-case visibility rule.
    """
    phase, table, subset_key = _case_table(request, challenge_slug, phase_slug)
    snapshot = requested_snapshot(request, phase)
    subset = SnapshotSubset.objects.get(snapshot=snapshot, key=subset_key)
    html = build_report(subset.ranking, table.to_dict())
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{phase.challenge.slug}-{phase.slug}-{_slug(subset_key)}-report.html"'
    return response


def _leaderboard_subset(request, challenge_slug, phase_slug, *, with_ranking):
    phase = phase_for_leaderboard(request, challenge_slug, phase_slug)
    snapshot = requested_snapshot(request, phase)
    subset_key = requested_subset(request, snapshot)
    subset = None
    if snapshot is not None:
        subsets = SnapshotSubset.objects.filter(snapshot=snapshot, key=subset_key)
        subset = (subsets if with_ranking else subsets.defer("ranking")).first()
    return phase, snapshot, subset


def _case_table(request, challenge_slug, phase_slug):
    phase = phase_for_case_values(request, challenge_slug, phase_slug)
    snapshot = requested_snapshot(request, phase)
    subset_key = requested_subset(request, snapshot)
    stored = SnapshotCases.objects.filter(snapshot=snapshot).first() if snapshot is not None else None
    if stored is None or not snapshot.subset_keys:
        raise Http404("No leaderboard has been computed for this phase yet.")
    return phase, unpack_table(stored.table).select_cases(parse_subset_key(subset_key)), subset_key


def _file_stem(phase, subset):
    key = subset.key if subset is not None else "all"
    return f"{phase.challenge.slug}-{phase.slug}-{_slug(key)}"


def _slug(key):
    # Subset keys carry organiser-chosen tag values; keep file names to safe characters.
    return re.sub(r"[^A-Za-z0-9_-]+", "-", key)


def _csv_number(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return repr(float(value))


class _LineBuffer:
    # csv.writer writes each row to this object and returns what write returned,
    # so a streaming response can send rows without building the file in memory.
    def write(self, line):
        return line
