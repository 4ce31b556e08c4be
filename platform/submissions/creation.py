"""Create a submission: check who may submit, check the limits, store the upload, queue the work.

The page and the API both call ``create_submission``; they differ only in how
they present a ``SubmissionRejected``.
"""

import logging

from django.db import transaction

from challenges.models import METHOD_FIELD_CHOICES, Participation, Team
from challenges.permissions import is_organiser
from submissions.limits import LimitReached, check_limits
from submissions.models import Submission
from submissions.uploads import InvalidUpload, prepare_upload

logger = logging.getLogger(__name__)


class SubmissionRejected(Exception):
    """A submission was not created; ``code`` is machine-readable and ``message`` is for the participant."""

    NOT_JOINED = "not_joined"
    PHASE_CLOSED = "phase_closed"
    LIMIT_REACHED = "limit_reached"
    INVALID_UPLOAD = "invalid_upload"

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def check_can_submit(user, phase):
    """Raise SubmissionRejected unless the user has joined the challenge and the phase is open."""
    challenge = phase.challenge
    if not Participation.objects.filter(user=user, challenge=challenge).exists():
        raise SubmissionRejected(
            SubmissionRejected.NOT_JOINED,
            f"Join {challenge.title} and accept its rules before submitting to {phase.name}.",
        )
    if not phase.is_open() and not is_organiser(user, challenge):
        raise SubmissionRejected(SubmissionRejected.PHASE_CLOSED, f"{phase.name} does not accept submissions now.")


def clean_method_description(phase, data):
    """Keep only the method-description fields that the phase collects, as stripped text."""
    description = {}
    for name in phase.method_fields:
        value = data.get(name, "")
        description[name] = str(value).strip()[:4000]
    return description


def check_method_description(phase, description):
    """Raise SubmissionRejected when a method-description field that the phase collects is blank."""
    blank = [name for name in phase.method_fields if not description.get(name)]
    if not blank:
        return

    labels = dict(METHOD_FIELD_CHOICES)
    raise SubmissionRejected(
        SubmissionRejected.INVALID_UPLOAD,
        f"{phase.name} asks every submission to describe its method; fill in "
        + ", ".join(f"{labels[name]} (field '{name}')" for name in blank)
        + ".",
    )


def lock_submitter(user, phase):
    """Lock the rows that serialise this user's (or team's) submissions, and return (participation, team).

    On PostgreSQL ``select_for_update`` blocks a concurrent request at this
    point until the first one commits. SQLite ignores it, but the settings open
    every transaction with BEGIN IMMEDIATE there, which takes the database's
    write lock before the limits are counted.
    """
    participation = Participation.objects.select_for_update().get(user=user, challenge=phase.challenge)
    team = None
    if participation.team_id:
        team = Team.objects.select_for_update().get(pk=participation.team_id)
    return participation, team


def create_submission(*, user, phase, files, method_description=None):
    """Create a pending submission of the uploaded files and queue its evaluation after commit."""
    try:
        return _create_submission(user, phase, files, method_description)
    except SubmissionRejected as rejection:
        logger.info(
            "Rejected a submission to phase %s by user %s (%s): %s", phase.pk, user.pk, rejection.code, rejection
        )
        raise


def _create_submission(user, phase, files, method_description):
    check_can_submit(user, phase)
    description = clean_method_description(phase, method_description or {})
    check_method_description(phase, description)

    try:
        prepared = prepare_upload(list(files))
    except InvalidUpload as error:
        raise SubmissionRejected(SubmissionRejected.INVALID_UPLOAD, str(error)) from None

    submission = None
    try:
        with transaction.atomic():
            _participation, team = lock_submitter(user, phase)
            try:
                check_limits(phase, user, team)
            except LimitReached as error:
                raise SubmissionRejected(SubmissionRejected.LIMIT_REACHED, str(error)) from None

            submission = Submission(
                phase=phase,
                creator=user,
                team=team,
                original_name=prepared.original_name,
                method_description=description,
                reference_version=phase.reference_version,
            )
            submission.upload.save(prepared.storage_name, prepared.file, save=False)
            submission.save()
            transaction.on_commit(lambda: queue_evaluation(submission.pk))
    except BaseException:
        # The row was rolled back, so a file already stored belongs to nothing.
        if submission is not None and submission.upload.name:
            submission.upload.storage.delete(submission.upload.name)
        raise
    finally:
        prepared.close()

    logger.info("Created submission %s to phase %s by user %s", submission.pk, phase.pk, user.pk)
    return submission


def queue_evaluation(submission_id):
    """Hand a committed submission to the pipeline."""
    from submissions.tasks import queue_submission

    queue_submission(submission_id)
