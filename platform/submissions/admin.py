"""Admin of submissions for organisers: see, cancel and re-evaluate their challenges' submissions."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from challenges.admin import OrganiserScopedAdmin
from challenges.labels import class_label, metric_label
from challenges.models import METHOD_FIELD_LABELS
from submissions.models import Submission


@admin.register(Submission)
class SubmissionAdmin(OrganiserScopedAdmin):
    challenge_lookup = "phase__challenge"
    list_display = ["id", "phase", "creator", "team", "status", "progress", "created_at", "evaluator_version"]
    list_select_related = ["phase__challenge", "creator", "team"]
    # Related-only filters list just the challenges and phases in the organiser's
    # own queryset, never the names of other challenges.
    list_filter = [
        "status",
        ("phase__challenge", admin.RelatedOnlyFieldListFilter),
        ("phase", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["creator__username", "team__name", "original_name"]
    date_hierarchy = "created_at"
    actions = ["cancel_selected", "reevaluate_selected"]
    fields = [
        "phase",
        "creator",
        "team",
        "status",
        "original_name",
        "created_at",
        "started_at",
        "finished_at",
        "cases_done",
        "cases_total",
        "evaluation_round",
        "queued_round",
        "evaluator_version",
        "reference_version",
        "chosen_for_leaderboard",
        "method_description_table",
        "aggregates_table",
        "problems",
        "error_message",
    ]

    def get_readonly_fields(self, request, obj=None):
        # Organisers change a submission only through the actions below.
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting would make a participant's limits and the leaderboard change
        # silently; cancelling keeps the record.
        return False

    @admin.display(description="Cases")
    def progress(self, submission):
        return f"{submission.cases_done} of {submission.cases_total}"

    @admin.display(description="Method description")
    def method_description_table(self, submission):
        rows = [
            (METHOD_FIELD_LABELS.get(name, name), _text(value))
            for name, value in (submission.method_description or {}).items()
        ]
        if not rows:
            return "–"
        body = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        return format_html("<table><tbody>{}</tbody></table>", body)

    @admin.display(description="Aggregates")
    def aggregates_table(self, submission):
        rows = []
        for class_name, metrics in (submission.aggregates or {}).items():
            for metric, summary in (metrics or {}).items():
                summary = summary or {}
                rows.append(
                    (
                        class_label(class_name),
                        metric_label(metric),
                        _number(summary.get("mean")),
                        _number(summary.get("median")),
                        _number(summary.get("std")),
                        _text(summary.get("n")),
                    )
                )
        if not rows:
            return "–"
        body = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
        )
        return format_html(
            "<table><thead><tr><th>Class</th><th>Metric</th><th>Mean</th><th>Median</th><th>SD</th>"
            "<th>Cases</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )

    def check_change_permission(self, request, queryset):
        for submission in queryset.select_related("phase__challenge"):
            if not self.has_change_permission(request, submission):
                raise PermissionDenied

    @admin.action(description="Cancel the selected submissions")
    def cancel_selected(self, request, queryset):
        from submissions.tasks import cancel_submission

        self.check_change_permission(request, queryset)
        cancelled = sum(1 for submission_id in queryset.values_list("pk", flat=True) if cancel_submission(submission_id))
        message = ngettext("Cancelled %(count)d submission.", "Cancelled %(count)d submissions.", cancelled)
        self.message_user(request, message % {"count": cancelled}, messages.SUCCESS)

    @admin.action(description="Re-evaluate the selected submissions")
    def reevaluate_selected(self, request, queryset):
        from submissions.tasks import queue_reevaluation

        self.check_change_permission(request, queryset)
        queued = [queue_reevaluation(submission_id) for submission_id in queryset.values_list("pk", flat=True)]
        count = sum(1 for round_number in queued if round_number is not None)
        message = ngettext(
            "Queued %(count)d submission for re-evaluation. Cancelled submissions are skipped.",
            "Queued %(count)d submissions for re-evaluation. Cancelled submissions are skipped.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


def _text(value):
    """Return a stored value as text, with lists joined by commas and an empty value as a dash."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)


def _number(value):
    """Format an aggregate with four decimals; an undefined value shows as a dash."""
    if value is None:
        return "–"
    return f"{value:.4f}"
