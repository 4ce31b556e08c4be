"""Celery tasks of the evaluation pipeline, and the functions that queue them.

Each task runs one step of ``submissions.pipeline`` and queues the next one
after its transaction commits: validation queues one case task per reference
case, and the task that stores the last case queues finalize. The database is
the source of truth, so every task may run twice or late without harm.
"""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from podium.celery import app
from submissions.models import Submission
from submissions.pipeline import finalize, scoring, stalled, validation
from submissions.pipeline.logcontext import submission_logger
from submissions.pipeline.state import lock_submission, mark_failed
from submissions.pipeline.workspace import remove_work_folders

logger = logging.getLogger(__name__)

# A lost database connection or a failing disk is worth retrying. Anything
# else is a bug or a bad input, which Celery logs once with its traceback.
TRANSIENT_ERRORS = (OperationalError, OSError)
RETRY_OPTIONS = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}
CASE_TIME_LIMIT_SECONDS = settings.PODIUM_CASE_TIME_LIMIT_SECONDS
VALIDATION_TIME_LIMIT_SECONDS = settings.PODIUM_VALIDATION_TIME_LIMIT_SECONDS
# The hard limit kills the process a little after the soft limit has raised,
# so a task that ignores the soft limit cannot hold its worker for ever.
HARD_LIMIT_MARGIN_SECONDS = 60


@app.task(
    name="submissions.validate_submission",
    soft_time_limit=VALIDATION_TIME_LIMIT_SECONDS,
    time_limit=VALIDATION_TIME_LIMIT_SECONDS + HARD_LIMIT_MARGIN_SECONDS,
    **RETRY_OPTIONS,
)
def validate_submission(*, submission_id):
    """Unpack and match the upload, then queue one case task per reference case."""
    started = validation.validate_submission(submission_id)
    if started is None:
        return
    round_number, case_ids = started
    transaction.on_commit(lambda: _queue_cases(submission_id, round_number, case_ids))


@app.task(
    name="submissions.evaluate_case",
    soft_time_limit=CASE_TIME_LIMIT_SECONDS,
    time_limit=CASE_TIME_LIMIT_SECONDS + HARD_LIMIT_MARGIN_SECONDS,
    **RETRY_OPTIONS,
)
def evaluate_case(*, submission_id, case_id, round):  # noqa: A002 - the name of the interface's argument
    """Score one case and store its record; the task storing the last case queues finalize."""
    round_number = round
    try:
        all_stored = scoring.evaluate_case(submission_id, case_id, round_number)
    except SoftTimeLimitExceeded:
        log = submission_logger(__name__, submission_id, case_id)
        mark_failed(
            submission_id,
            round_number,
            f"Case {case_id} took longer than {CASE_TIME_LIMIT_SECONDS} s to evaluate, so the submission was "
            "stopped. Tell the organisers, who can raise the time limit and evaluate it again.",
            log,
        )
        return
    if all_stored:
        transaction.on_commit(lambda: _queue_finalize(submission_id, round_number))


@app.task(
    name="submissions.finalize_submission",
    soft_time_limit=VALIDATION_TIME_LIMIT_SECONDS,
    time_limit=VALIDATION_TIME_LIMIT_SECONDS + HARD_LIMIT_MARGIN_SECONDS,
    **RETRY_OPTIONS,
)
def finalize_submission(*, submission_id, round):  # noqa: A002 - the name of the interface's argument
    """Aggregate a complete round and mark the submission succeeded."""
    finalize.finalize_submission(submission_id, round)


@app.task(name="submissions.requeue_stalled", soft_time_limit=300, time_limit=360, **RETRY_OPTIONS)
def requeue_stalled(*, stalled_after_seconds=None):
    """Queue again the missing steps of every submission without progress for too long.

    Runs periodically from beat, and may be called directly. Returns the
    number of submissions whose work was queued again.
    """
    work = stalled.find_stalled_work(stalled_after_seconds)
    for item in work:
        if item.validate:
            validate_submission.delay(submission_id=item.submission_id)
        elif item.finalize:
            _queue_finalize(item.submission_id, item.round_number)
        else:
            _queue_cases(item.submission_id, item.round_number, item.case_ids)
    if work:
        logger.info("Queued the work of %s stalled submissions again", len(work))
    return len(work)


def _queue_cases(submission_id, round_number, case_ids):
    for case_id in case_ids:
        evaluate_case.delay(submission_id=submission_id, case_id=case_id, round=round_number)
    submission_logger(__name__, submission_id).info("Queued %s case tasks of round %s", len(case_ids), round_number)


def _queue_finalize(submission_id, round_number):
    finalize_submission.delay(submission_id=submission_id, round=round_number)
    submission_logger(__name__, submission_id).info("Queued finalize of round %s", round_number)


def queue_submission(submission_id):
    """Queue the validation of a new submission; call it after the row is committed."""
    validate_submission.delay(submission_id=submission_id)
    submission_logger(__name__, submission_id).info("Queued validation")


def queue_reevaluation(submission_id):
    """Evaluate a submission again in a new round, against the current references.

    The results of the current round stay in place, and visible, until the new
    round is final. Returns the new round number, or None for a cancelled or
    deleted submission, which is not evaluated again.
    """
    log = submission_logger(__name__, submission_id)
    with transaction.atomic():
        submission = lock_submission(submission_id)
        if submission is None or submission.status == Submission.Status.CANCELLED:
            log.info("Not re-evaluating: the submission is cancelled or deleted")
            return None

        # A new round number makes every task still queued for an older round
        # find that its round is outdated and do nothing.
        submission.queued_round = max(submission.queued_round, submission.evaluation_round) + 1
        submission.status = Submission.Status.PENDING
        submission.validation = {}
        submission.cases_done = 0
        submission.error_message = ""
        submission.finished_at = None
        submission.requeue_count = 0
        submission.save(
            update_fields=[
                "queued_round", "status", "validation", "cases_done", "error_message", "finished_at",
                "requeue_count", "updated_at",
            ]
        )
        round_number = submission.queued_round
        transaction.on_commit(lambda: validate_submission.delay(submission_id=submission_id))

    log.info("Queued re-evaluation in round %s", round_number)
    return round_number


def cancel_submission(submission_id):
    """Cancel a submission; tasks still queued for it then do nothing.

    Returns whether the status changed (False when it was cancelled or failed
    already, or deleted). A cancelled submission no longer counts towards the
    limits, and the phase's leaderboard is refreshed when it had results.
    """
    log = submission_logger(__name__, submission_id)
    with transaction.atomic():
        submission = lock_submission(submission_id)
        if submission is None or submission.status in Submission.NOT_COUNTED_TOWARDS_LIMITS:
            log.info("Not cancelling: the submission is %s", submission.status if submission else "deleted")
            return False

        submission.status = Submission.Status.CANCELLED
        submission.finished_at = timezone.now()
        submission.save(update_fields=["status", "finished_at", "updated_at"])
        transaction.on_commit(lambda: remove_work_folders(submission_id))
        if submission.has_results:
            phase_id = submission.phase_id
            transaction.on_commit(lambda: finalize.request_leaderboard_refresh(phase_id, log))

    log.info("Cancelled")
    return True
