"""Debounced requests to recompute a phase's leaderboard.

Many submissions of a phase can finish within seconds of each other. Each one
calls `request_refresh`, and only the first of a burst queues the Celery task,
with a countdown, so the burst causes one recomputation. The marker lives in
the database (`RefreshState`), which works the same on every broker.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from leaderboards.models import RefreshState
from leaderboards.tasks import refresh_leaderboard

logger = logging.getLogger(__name__)

# Seconds the refresh task waits after the first request of a burst, so that
# submissions finishing together share one computation.
REFRESH_COUNTDOWN_SECONDS = 5

# A queued task that has not started after this long is taken as lost (a broker
# restart, a purged queue), and the next request queues a new one.
LOST_TASK_AFTER = datetime.timedelta(minutes=15)


def request_refresh(phase_id, *, countdown_s=REFRESH_COUNTDOWN_SECONDS):
    """Record a refresh request for the phase and queue the task unless one is queued.

    Returns whether this call queued the task. The task is sent after the
    surrounding transaction commits, so it reads the results that triggered it.
    """
    now = timezone.now()
    _ensure_state_row(phase_id)

    # One conditional UPDATE decides who queues: it changes the row only when no
    # task is queued (or the queued one is lost), and the database serialises it.
    claimable = Q(queued=False) | Q(queued_at__lt=now - LOST_TASK_AFTER)
    claimed = RefreshState.objects.filter(claimable, phase_id=phase_id).update(
        queued=True, queued_at=now, requested_at=now
    )
    if not claimed:
        RefreshState.objects.filter(phase_id=phase_id).update(requested_at=now)
        logger.debug("Leaderboard refresh of phase %s already queued; request recorded", phase_id)
        return False

    transaction.on_commit(lambda: _send_refresh_task(phase_id, countdown_s))
    logger.info("Leaderboard refresh of phase %s queued in %s s", phase_id, countdown_s)
    return True


def _ensure_state_row(phase_id):
    if RefreshState.objects.filter(phase_id=phase_id).exists():
        return
    try:
        with transaction.atomic():
            RefreshState.objects.create(phase_id=phase_id)
    except IntegrityError:
        # Another request created the row between the check and the insert.
        pass


def _send_refresh_task(phase_id, countdown_s):
    refresh_leaderboard.apply_async(kwargs={"phase_id": phase_id}, countdown=countdown_s)
