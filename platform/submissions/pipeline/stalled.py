"""Finding submissions whose work stopped, so that their missing steps are queued again.

Neither broker redelivers a lost task promptly: kombu's filesystem transport
deletes a message when a worker fetches it, and Redis gives an unacknowledged
message back only after its visibility timeout (one hour by default). The
database records what each submission still needs, so this job re-sends
exactly that. The steps are idempotent, so no result is stored twice.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from submissions.models import CaseResult, Submission
from submissions.pipeline.logcontext import submission_logger
from submissions.pipeline.state import lock_submission

STALLED_MESSAGE = (
    "The evaluation stopped making progress {count} times and was given up. "
    "Nothing is wrong with your upload as far as Podium can tell; please contact the organisers, "
    "who can re-evaluate the submission."
)


@dataclass(frozen=True)
class StalledWork:
    """The steps to queue again for one submission."""

    submission_id: int
    validate: bool = False
    round_number: int = 0
    case_ids: tuple[str, ...] = ()
    finalize: bool = False


def find_stalled_work(stalled_after_seconds=None, now=None):
    """Return the work to queue again for every submission that made no progress lately.

    A submission counts as stalled when it is pending, validating or evaluating
    and its ``updated_at`` is older than ``stalled_after_seconds`` (default:
    PODIUM_STALLED_AFTER_SECONDS). Its ``updated_at`` is reset, so the same
    work is queued again only after another full threshold without progress.
    """
    if stalled_after_seconds is None:
        stalled_after_seconds = settings.PODIUM_STALLED_AFTER_SECONDS
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=stalled_after_seconds)

    stalled_ids = list(
        Submission.objects.filter(status__in=Submission.IN_PROGRESS, updated_at__lt=cutoff)
        .order_by("updated_at")
        .values_list("pk", flat=True)
    )
    work = []
    for submission_id in stalled_ids:
        item = _stalled_work_of(submission_id, cutoff, stalled_after_seconds)
        if item is not None:
            work.append(item)
    return work


def _stalled_work_of(submission_id, cutoff, stalled_after_seconds):
    log = submission_logger(__name__, submission_id)

    with transaction.atomic():
        submission = lock_submission(submission_id)
        # Another step may have moved it on since the list was read.
        if submission is None or not submission.is_in_progress or submission.updated_at >= cutoff:
            return None

        if submission.status == Submission.Status.EVALUATING:
            round_number = submission.queued_round
            stored = set(
                CaseResult.objects.filter(submission_id=submission_id, round=round_number).values_list(
                    "case_id", flat=True
                )
            )
            missing = tuple(case_id for case_id in submission.validation.get("case_ids", []) if case_id not in stored)
            item = StalledWork(
                submission_id, round_number=round_number, case_ids=missing, finalize=not missing
            )
        else:
            item = StalledWork(submission_id, validate=True)
        # A step that fails the same way every time (a bug, not a lost
        # message) would otherwise run again once per threshold for ever.
        if submission.requeue_count >= settings.PODIUM_MAX_REQUEUES:
            _give_up(submission, log)
            return None
        submission.requeue_count += 1

        # save() refreshes updated_at (auto_now), which restarts the threshold.
        submission.save(update_fields=["requeue_count", "updated_at"])

    if item.validate:
        log.warning("No progress for %s s while %s; queuing validation again", stalled_after_seconds, submission.status)
    elif item.finalize:
        log.warning("All cases of round %s are stored but the round is not final; queuing finalize again",
                    item.round_number)
    else:
        log.warning("No progress for %s s in round %s; queuing %s missing cases again",
                    stalled_after_seconds, item.round_number, len(item.case_ids))
    return item


def _give_up(submission, log):
    """Fail a submission whose work was queued again too often; the caller holds its lock."""
    submission.status = Submission.Status.FAILED
    submission.error_message = STALLED_MESSAGE.format(count=submission.requeue_count)
    submission.finished_at = timezone.now()
    submission.save(update_fields=["status", "error_message", "finished_at", "updated_at"])
    log.error(
        "Gave up round %s after %s re-queues without completing; see this submission's earlier errors",
        submission.queued_round,
        submission.requeue_count,
    )
