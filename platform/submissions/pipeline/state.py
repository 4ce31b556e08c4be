"""Reading and changing a submission's row under its lock."""

from django.db import transaction
from django.utils import timezone

from submissions.models import Submission


def lock_submission(submission_id):
    """Return the submission locked for this transaction, or None if it was deleted.

    On PostgreSQL this is SELECT ... FOR UPDATE. SQLite ignores row locks, but
    the settings open every SQLite transaction with BEGIN IMMEDIATE, which
    takes the database's write lock, so two steps still cannot interleave.
    """
    return Submission.objects.select_for_update().filter(pk=submission_id).first()


def is_current_round(submission, round_number):
    """Return whether ``round_number`` is the round the submission is evaluating now."""
    return submission.status == Submission.Status.EVALUATING and submission.queued_round == round_number


def mark_failed(submission_id, round_number, message, log):
    """Fail the submission with a message for the participant, unless it moved on.

    A failure of an older round (a re-evaluation was queued meanwhile) or of a
    cancelled submission changes nothing.
    """
    with transaction.atomic():
        submission = lock_submission(submission_id)
        if submission is None or submission.queued_round != round_number or not submission.is_in_progress:
            log.info("Not marking round %s failed: the submission moved on", round_number)
            return False

        submission.status = Submission.Status.FAILED
        submission.error_message = message
        submission.finished_at = timezone.now()
        submission.save(update_fields=["status", "error_message", "finished_at", "updated_at"])
    log.warning("Submission failed in round %s: %s", round_number, message)
    return True
