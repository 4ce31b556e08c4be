"""Admin pages of leaderboard snapshots, scoped to the challenges a staff user organises."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import ngettext

from challenges import permissions
from leaderboards.models import Snapshot
from leaderboards.refresh import request_refresh
from leaderboards.snapshot import freeze_snapshot


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ("id", "phase", "created_at", "scheme", "bootstrap_samples", "frozen", "published_at")
    list_filter = ("frozen", "scheme")
    list_select_related = ("phase", "phase__challenge")
    fields = (
        "phase",
        "created_at",
        "evaluator_version",
        "reference_version",
        "scheme",
        "seed",
        "bootstrap_samples",
        "subset_keys",
        "computation_seconds",
        "frozen",
        "published_at",
    )
    readonly_fields = tuple(name for name in fields if name != "published_at")
    actions = ["refresh_phases", "freeze_now"]

    def get_queryset(self, request):
        snapshots = super().get_queryset(request).defer("entries")
        if request.user.is_superuser:
            return snapshots
        return snapshots.filter(phase__challenge__in=permissions.organised_challenges(request.user))

    def has_add_permission(self, request):
        # Snapshots are computed from results, never typed in.
        return False

    def has_change_permission(self, request, obj=None):
        # Only the publication time of a frozen snapshot may be changed.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.frozen)

    @admin.action(description="Recompute the leaderboard of these snapshots' phases now")
    def refresh_phases(self, request, queryset):
        phase_ids = set(queryset.values_list("phase_id", flat=True))
        for phase_id in phase_ids:
            request_refresh(phase_id, countdown_s=0)
        message = ngettext(
            "Queued a leaderboard refresh of %(count)d phase.",
            "Queued a leaderboard refresh of %(count)d phases.",
            len(phase_ids),
        )
        self.message_user(request, message % {"count": len(phase_ids)}, messages.SUCCESS)

    @admin.action(description="Freeze the selected live snapshots as final, published now")
    def freeze_now(self, request, queryset):
        frozen = [freeze_snapshot(snapshot, published_at=timezone.now()) for snapshot in queryset.filter(frozen=False)]
        message = ngettext(
            "Froze %(count)d snapshot. Edit a frozen snapshot's publication time to publish it later.",
            "Froze %(count)d snapshots. Edit a frozen snapshot's publication time to publish it later.",
            len(frozen),
        )
        self.message_user(request, message % {"count": len(frozen)}, messages.SUCCESS)
