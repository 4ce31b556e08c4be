"""Admin of submissions for organisers: see, cancel and re-evaluate their challenges' submissions."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from challenges.admin import OrganiserScopedAdmin
from submissions.models import Submission


@admin.register(Submission)
class SubmissionAdmin(OrganiserScopedAdmin):
    challenge_lookup = "phase__challenge"
    list_display = ["id", "phase", "creator", "team", "status", "progress", "created_at", "evaluator_version"]
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
        "method_description",
        "aggregates",
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

    def check_change_permission(self, request, queryset):
        for submission in queryset.select_related("phase__challenge"):
            if not self.has_change_permission(request, submission):
                raise PermissionDenied

    @admin.action(description="Cancel the selected submissions")
    def cancel_selected(self, request, queryset):
        from submissions.tasks import cancel_submission

        self.check_change_permission(request, queryset)
        cancelled = sum(1 for submission_id in queryset.values_list("pk", flat=True) if cancel_submission(submission_id))
        self.message_user(request, f"Cancelled {cancelled} submissions.", messages.SUCCESS)

    @admin.action(description="Re-evaluate the selected submissions")
    def reevaluate_selected(self, request, queryset):
        from submissions.tasks import queue_reevaluation

        self.check_change_permission(request, queryset)
        queued = [queue_reevaluation(submission_id) for submission_id in queryset.values_list("pk", flat=True)]
        count = sum(1 for round_number in queued if round_number is not None)
        self.message_user(
            request, f"Queued {count} submissions for re-evaluation; cancelled ones are skipped.", messages.SUCCESS
        )
