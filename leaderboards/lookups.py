"""Find the phase and snapshot a leaderboard request is about, enforcing visibility."""

from django.http import Http404

from challenges.models import Phase
from leaderboards import visibility
from leaderboards.subsets import ALL_CASES


def get_phase(challenge_slug, phase_slug):
    """Return the phase or raise Http404."""
    try:
        return Phase.objects.select_related("challenge").get(challenge__slug=challenge_slug, slug=phase_slug)
    except Phase.DoesNotExist:
        raise Http404(f"No phase {phase_slug!r} in challenge {challenge_slug!r}.") from None


def phase_for_leaderboard(request, challenge_slug, phase_slug):
    """Return the phase when the user may see its leaderboard; else raise Http404.

    A leaderboard the user may not see returns 404, as a missing one does, so
    that hidden phases do not reveal that they exist.
    """
    phase = get_phase(challenge_slug, phase_slug)
    if not visibility.can_view_leaderboard(request.user, phase):
        raise Http404("No leaderboard is published for this phase.")
    return phase


def phase_for_case_values(request, challenge_slug, phase_slug):
    """Return the phase when the user may see its per-case values; else raise Http404."""
    phase = phase_for_leaderboard(request, challenge_slug, phase_slug)
    if not visibility.can_view_case_values(request.user, phase):
        raise Http404("Per-case results of this phase are not shown.")
    return phase


def requested_snapshot(request, phase):
    """Return the snapshot shown to the user, honouring an organiser's ``?snapshot=<id>``."""
    snapshot_id = request.GET.get("snapshot")
    if snapshot_id is not None and not snapshot_id.isdigit():
        raise Http404(f"Snapshot id {snapshot_id!r} is not a number.")
    return visibility.visible_snapshot(
        request.user, phase, snapshot_id=int(snapshot_id) if snapshot_id else None
    )


def requested_subset(request, snapshot):
    """Return the subset key of ``?subset=``, "all" by default; raise Http404 for an unknown one."""
    key = request.GET.get("subset") or ALL_CASES
    if snapshot is not None and snapshot.subset_keys and key not in snapshot.subset_keys:
        raise Http404(f"The leaderboard has no subset {key!r}.")
    return key
