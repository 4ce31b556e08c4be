"""Admin for organisers, scoped so that each staff organiser views and edits only their own challenges."""

import json
import logging

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import ngettext

from challenges.admin_forms import PhaseAdminForm, ReferenceUploadForm
from challenges.models import Challenge, Participation, Phase, ReferenceCase, Team
from challenges.permissions import is_organiser, organised_challenges
from challenges.reference_files import ReferenceUploadError, delete_case_files, store_reference_upload

logger = logging.getLogger(__name__)


class OrganiserScopedAdmin(admin.ModelAdmin):
    """Narrow querysets, foreign-key choices and object permissions to the user's challenges.

    ``challenge_lookup`` is the path from the model to its Challenge; an empty
    string means the model is Challenge itself.
    """

    challenge_lookup = "challenge"

    def challenge_of(self, obj):
        if not self.challenge_lookup:
            return obj
        for attribute in self.challenge_lookup.split("__"):
            obj = getattr(obj, attribute)
        return obj

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        field = f"{self.challenge_lookup}__in" if self.challenge_lookup else "pk__in"
        return queryset.filter(**{field: organised_challenges(request.user).values("pk")})

    def organises(self, request, obj):
        return obj is None or is_organiser(request.user, self.challenge_of(obj))

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.organises(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.organises(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.organises(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scoped = scoped_choices(db_field.related_model, request.user)
        if scoped is not None:
            kwargs["queryset"] = scoped
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def scoped_choices(model, user):
    """Return the rows of ``model`` that belong to the user's challenges, or None for other models."""
    challenges = organised_challenges(user)
    if model is Challenge:
        return challenges
    if model is Phase:
        return Phase.objects.filter(challenge__in=challenges).select_related("challenge")
    if model is Team:
        return Team.objects.filter(challenge__in=challenges)
    return None


class PhaseInline(admin.TabularInline):
    model = Phase
    fields = ["name", "slug", "opens_at", "closes_at"]
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Phases are added on their own page, where the task definition is validated.
        return False


@admin.register(Challenge)
class ChallengeAdmin(OrganiserScopedAdmin):
    challenge_lookup = ""
    list_display = ["title", "slug", "is_public", "starts_at", "ends_at"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["organisers"]
    inlines = [PhaseInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A staff organiser who creates a challenge organises it.
        if not request.user.is_superuser:
            form.instance.organisers.add(request.user)


class ReferenceCaseInline(admin.TabularInline):
    model = ReferenceCase
    fields = ["case_id", "subset", "file_names"]
    readonly_fields = ["case_id", "file_names"]
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        # References are added through the upload page, which stores the files.
        return False

    @admin.display(description="Files")
    def file_names(self, case):
        return ", ".join(name.rsplit("/", 1)[-1] for name in case.files)


@admin.register(Phase)
class PhaseAdmin(OrganiserScopedAdmin):
    form = PhaseAdminForm
    change_form_template = "admin/challenges/phase/change_form.html"
    list_display = ["name", "challenge", "opens_at", "closes_at", "reference_version", "reference_count"]
    list_select_related = ["challenge"]
    list_filter = [("challenge", admin.RelatedOnlyFieldListFilter)]
    readonly_fields = ["reference_version"]
    inlines = [ReferenceCaseInline]
    actions = ["reevaluate_all", "refresh_leaderboards"]
    fieldsets = [
        (None, {"fields": ["challenge", "name", "slug", "description"]}),
        ("Task definition", {"fields": ["task_definition", "task_file"]}),
        ("Submission policy", {"fields": ["opens_at", "closes_at", "daily_limit", "total_limit", "method_fields"]}),
        ("Visibility", {"fields": ["show_case_results", "show_leaderboard", "leaderboard_entry"]}),
        ("References", {"fields": ["reference_version"]}),
    ]

    def get_queryset(self, request):
        # Counted in the list's one query rather than once per row.
        return super().get_queryset(request).annotate(reference_case_count=Count("reference_cases"))

    @admin.display(description="Reference cases")
    def reference_count(self, phase):
        return phase.reference_case_count

    def save_model(self, request, obj, form, change):
        if not obj.slug:
            obj.slug = slugify(obj.name)[:50]
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inline rows are saved, so that tags imported with a task
        # file win over the unchanged values posted by the inline.
        if "task_definition" in form.changed_data or form.cleaned_data.get("task_file"):
            sync_subsets_from_task(form.instance)

    def get_urls(self):
        own = [
            path("<int:pk>/task.json", self.admin_site.admin_view(self.export_task), name="challenges_phase_task"),
            path(
                "<int:pk>/references/",
                self.admin_site.admin_view(self.upload_references),
                name="challenges_phase_references",
            ),
        ]
        return own + super().get_urls()

    def get_phase_or_deny(self, request, pk, change=False):
        phase = get_object_or_404(self.get_queryset(request), pk=pk)
        allowed = self.has_change_permission(request, phase) if change else self.has_view_permission(request, phase)
        if not allowed:
            raise PermissionDenied
        return phase

    def export_task(self, request, pk):
        """Download the phase's task definition as a JSON file."""
        phase = self.get_phase_or_deny(request, pk)
        body = json.dumps(phase.task_definition, indent=2, sort_keys=False) + "\n"
        response = HttpResponse(body, content_type="application/json")
        file_name = f"{phase.challenge.slug}-{phase.slug}-task.json"
        response["Content-Disposition"] = f'attachment; filename="{file_name}"'
        return response

    def upload_references(self, request, pk):
        """Upload reference annotations into private storage."""
        phase = self.get_phase_or_deny(request, pk, change=True)
        form = ReferenceUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                saved = store_reference_upload(
                    phase, form.cleaned_data["files"], replace_all=form.cleaned_data["replace_all"]
                )
            except ReferenceUploadError as error:
                logger.info("Rejected a reference upload for phase %s by user %s: %s", phase.pk, request.user.pk, error)
                form.add_error("files", str(error))
            else:
                phase.refresh_from_db()
                message = ngettext(
                    "Stored %(count)d reference case. The reference set is now version %(version)s.",
                    "Stored %(count)d reference cases. The reference set is now version %(version)s.",
                    len(saved),
                )
                self.message_user(
                    request, message % {"count": len(saved), "version": phase.reference_version}, messages.SUCCESS
                )
                return redirect(reverse("admin:challenges_phase_change", args=[phase.pk]))

        context = {
            **self.admin_site.each_context(request),
            "title": f"Upload references for {phase}",
            "phase": phase,
            "form": form,
            "opts": self.model._meta,
            "case_count": phase.reference_cases.count(),
        }
        return TemplateResponse(request, "admin/challenges/phase/upload_references.html", context)

    @admin.action(description="Re-evaluate every submission of the selected phases")
    def reevaluate_all(self, request, queryset):
        from submissions.models import Submission
        from submissions.tasks import queue_reevaluation

        queued = 0
        for phase in queryset:
            if not self.has_change_permission(request, phase):
                raise PermissionDenied
            submissions = Submission.objects.filter(phase=phase).exclude(status=Submission.Status.CANCELLED)
            for submission_id in submissions.values_list("pk", flat=True):
                queue_reevaluation(submission_id)
                queued += 1
        message = ngettext(
            "Queued %(count)d submission for re-evaluation.", "Queued %(count)d submissions for re-evaluation.", queued
        )
        self.message_user(request, message % {"count": queued}, messages.SUCCESS)

    @admin.action(description="Recompute the leaderboards of the selected phases now")
    def refresh_leaderboards(self, request, queryset):
        # Imported here because the leaderboards app builds on this one.
        from leaderboards.refresh import request_refresh

        for phase in queryset:
            if not self.has_change_permission(request, phase):
                raise PermissionDenied
            request_refresh(phase.pk, countdown_s=0)
        count = queryset.count()
        message = ngettext(
            "Queued a leaderboard refresh of %(count)d phase.",
            "Queued a leaderboard refresh of %(count)d phases.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


def sync_subsets_from_task(phase):
    """Copy the subset tags of the task definition's ``cases`` onto the reference cases."""
    cases = (phase.task_definition or {}).get("cases") or []
    tags = {case["id"]: case.get("subset") or {} for case in cases}
    for reference in phase.reference_cases.filter(case_id__in=tags):
        if reference.subset != tags[reference.case_id]:
            reference.subset = tags[reference.case_id]
            reference.save(update_fields=["subset", "updated_at"])


@admin.register(ReferenceCase)
class ReferenceCaseAdmin(OrganiserScopedAdmin):
    challenge_lookup = "phase__challenge"
    list_display = ["case_id", "phase", "subset"]
    # A phase's name includes its challenge's title.
    list_select_related = ["phase__challenge"]
    list_filter = [
        ("phase__challenge", admin.RelatedOnlyFieldListFilter),
        ("phase", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["case_id"]
    fields = ["phase", "case_id", "subset", "file_names"]
    readonly_fields = ["phase", "case_id", "file_names"]

    def has_add_permission(self, request):
        # References are added through the phase's upload page, which stores the files.
        return False

    @admin.display(description="Files")
    def file_names(self, case):
        return ", ".join(name.rsplit("/", 1)[-1] for name in case.files)

    def delete_model(self, request, obj):
        phase = obj.phase
        delete_case_files(obj)
        super().delete_model(request, obj)
        phase.bump_reference_version()

    def delete_queryset(self, request, queryset):
        phases = {case.phase for case in queryset}
        for case in queryset:
            delete_case_files(case)
        super().delete_queryset(request, queryset)
        for phase in phases:
            phase.bump_reference_version()


@admin.register(Team)
class TeamAdmin(OrganiserScopedAdmin):
    list_display = ["name", "challenge", "member_count"]
    list_select_related = ["challenge"]
    list_filter = [("challenge", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    readonly_fields = ["created_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description="Members")
    def member_count(self, team):
        return team.member_total


@admin.register(Participation)
class ParticipationAdmin(OrganiserScopedAdmin):
    list_display = ["user", "challenge", "team", "rules_accepted_at"]
    list_select_related = ["user", "challenge", "team"]
    list_filter = [("challenge", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "team__name"]
    readonly_fields = ["user", "challenge", "rules_accepted_at"]
