"""Celery task that recomputes a phase's leaderboard snapshot."""

import logging

from celery import shared_task
from django.db import transaction

from leaderboards.models import RefreshState, Snapshot
from leaderboards.snapshot import build_snapshot

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def refresh_leaderboard(*, phase_id):
    """Recompute the phase's live snapshot unless the latest one already covers every request."""
    requested_at = claim_refresh(phase_id)
    if requested_at is None:
        logger.info("No leaderboard refresh was requested for phase %s; nothing to do", phase_id)
        return None

    latest = Snapshot.objects.filter(phase_id=phase_id, frozen=False).order_by("-created_at", "-id").first()
    if latest is not None and latest.covers_requests_until is not None and latest.covers_requests_until >= requested_at:
        logger.info("Leaderboard of phase %s is already up to date; nothing to do", phase_id)
        return latest.pk

    try:
        snapshot = build_snapshot(phase_id, covers_requests_until=requested_at)
    except Exception:
        # The next refresh request queues a new task, so the failure is logged and re-raised for Celery.
        logger.exception("Leaderboard refresh of phase %s failed", phase_id)
        raise
    logger.info(
        "Leaderboard snapshot %s of phase %s computed in %.1f s", snapshot.pk, phase_id, snapshot.computation_seconds
    )
    return snapshot.pk


def claim_refresh(phase_id):
    """Clear the queued marker and return the time of the latest request, or None.

    The task calls this before computing, so that a request arriving during the
    computation queues a new task instead of being lost.
    """
    with transaction.atomic():
        state = RefreshState.objects.select_for_update().filter(phase_id=phase_id).first()
        if state is None:
            return None

        state.queued = False
        state.queued_at = None
        state.save(update_fields=["queued", "queued_at"])
        return state.requested_at
