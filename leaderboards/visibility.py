"""Who may see which leaderboard, per-case value and export of a phase.

Every leaderboard page, API view and export calls this module, so the rule is
written once. The submission pages and API apply `challenges.permissions` to a
participant's own submissions instead. The rule:

- Organisers of the challenge (and superusers) see everything, including the
  live leaderboard of a phase whose final one is frozen but not yet published.
- Anyone else sees a phase's leaderboard only while the phase shows it
  (`show_leaderboard`), and only when the challenge is public (`is_public`) or the user
  takes part in it. Anonymous visitors therefore see public challenges only.
- Per-case values (dot and box plots, case difficulty, per-case exports and
  the HTML report) need, in addition, a phase that shows case results
  (`show_case_results`). On a hidden test phase participants see aggregates,
  ranks and intervals only, never per-case values, not even their own.
- Once a frozen snapshot is published, everyone except the organisers sees it
  in place of the live one; before `published_at` they see the live one.
"""

from django.utils import timezone

from challenges import permissions
from leaderboards.models import Snapshot


def is_phase_organiser(user, phase):
    """Return whether the user organises the phase's challenge (superusers organise every challenge)."""
    return permissions.is_organiser(user, phase.challenge)


def can_view_leaderboard(user, phase):
    """Return whether the user may see the phase's ranks, aggregates and intervals."""
    if is_phase_organiser(user, phase):
        return True
    if not phase.show_leaderboard:
        return False
    if phase.challenge.is_public:
        return True
    return user.is_authenticated and permissions.is_participant(user, phase.challenge)


def can_view_case_values(user, phase):
    """Return whether the user may see per-case values of the phase's entries."""
    if is_phase_organiser(user, phase):
        return True
    return phase.show_case_results and can_view_leaderboard(user, phase)


def can_manage_leaderboard(user, phase):
    """Return whether the user may refresh, freeze and publish the phase's leaderboard."""
    return is_phase_organiser(user, phase)


def visible_snapshot(user, phase, *, snapshot_id=None):
    """Return the snapshot the user sees for the phase, or None when there is none.

    Organisers may ask for any snapshot of the phase by id, and otherwise get the
    latest live one. Everyone else gets the latest published frozen snapshot,
    else the latest live one.
    """
    snapshots = Snapshot.objects.filter(phase=phase)

    if is_phase_organiser(user, phase):
        if snapshot_id is not None:
            return snapshots.filter(pk=snapshot_id).first()
        return snapshots.filter(frozen=False).order_by("-created_at", "-id").first()

    published = (
        snapshots.filter(frozen=True, published_at__lte=timezone.now()).order_by("-published_at", "-id").first()
    )
    if published is not None:
        return published
    return snapshots.filter(frozen=False).order_by("-created_at", "-id").first()
