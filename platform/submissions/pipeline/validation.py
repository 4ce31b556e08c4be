"""The validation step: unpack the upload and match its files to the reference cases."""

import shutil

from django.db import transaction
from django.utils import timezone

from challenges.models import ReferenceCase
from submissions.models import CaseResult, Submission
from submissions.pipeline.extraction import ArchiveError, unpack_upload
from submissions.pipeline.logcontext import submission_logger
from submissions.pipeline.matching import build_case_plan
from submissions.pipeline.state import lock_submission, mark_failed
from submissions.pipeline.workspace import new_work_folder, remove_work_folders


def validate_submission(submission_id):
    """Unpack and match a pending submission, and return the case ids to evaluate.

    Returns ``(round_number, case_ids)`` when the submission moved to
    ``evaluating``, so the caller queues one case task per id, and None when
    there is nothing to queue (already validated, cancelled, deleted or failed).
    """
    log = submission_logger(__name__, submission_id)

    claimed = _claim_for_validation(submission_id, log)
    if claimed is None:
        return None
    submission, round_number = claimed

    if not submission.upload or not submission.upload.storage.exists(submission.upload.name):
        mark_failed(
            submission_id,
            round_number,
            f"The uploaded file {submission.original_name} is no longer stored, so it cannot be evaluated. "
            "Upload the predictions again.",
            log,
        )
        return None

    folder = new_work_folder(submission_id, round_number)
    try:
        unpack_upload(submission.upload.path, submission.original_name, folder)
    except ArchiveError as error:
        shutil.rmtree(folder, ignore_errors=True)
        mark_failed(submission_id, round_number, str(error), log)
        return None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise

    reference_cases = list(
        ReferenceCase.objects.filter(phase_id=submission.phase_id).order_by("case_id").values_list("case_id", flat=True)
    )
    if not reference_cases:
        shutil.rmtree(folder, ignore_errors=True)
        mark_failed(
            submission_id,
            round_number,
            "This phase has no reference cases yet, so nothing can be evaluated. "
            "Ask the organisers to add them, then submit again.",
            log,
        )
        log.error("Phase %s has no reference cases", submission.phase_id)
        return None

    # Matching reads only file names and small headers, so it stays cheap for
    # thousands of cases. The case tasks read the label maps themselves.
    plan = build_case_plan(folder, reference_cases)
    plan["reference_version"] = submission.phase.reference_version
    log.info(
        "Matched %s of %s reference cases (%s problems found while matching)",
        len(plan["files"]),
        len(plan["case_ids"]),
        len(plan["problems"]),
    )

    return _start_evaluation(submission_id, round_number, folder, plan, log)


def _claim_for_validation(submission_id, log):
    """Move a pending submission to validating and return it with its round number."""
    with transaction.atomic():
        submission = lock_submission(submission_id)
        if submission is None:
            log.warning("Submission not found; it was deleted before validation")
            return None
        # A validating submission is validated again: its first attempt was
        # lost (a killed worker) and the stalled-work job queued it again.
        if submission.status not in (Submission.Status.PENDING, Submission.Status.VALIDATING):
            log.info("Nothing to validate: status is %s", submission.status)
            return None

        if submission.queued_round <= submission.evaluation_round:
            submission.queued_round = submission.evaluation_round + 1
        submission.status = Submission.Status.VALIDATING
        submission.started_at = timezone.now()
        submission.error_message = ""
        submission.save(update_fields=["queued_round", "status", "started_at", "error_message", "updated_at"])

    log.info("Validating round %s of %s", submission.queued_round, submission.original_name)
    return submission, submission.queued_round


def _start_evaluation(submission_id, round_number, folder, plan, log):
    """Store the plan and move to evaluating, unless another attempt got there first."""
    with transaction.atomic():
        submission = lock_submission(submission_id)
        if (
            submission is None
            or submission.status != Submission.Status.VALIDATING
            or submission.queued_round != round_number
        ):
            log.info("Discarding this validation of round %s: the submission moved on", round_number)
            shutil.rmtree(folder, ignore_errors=True)
            return None

        submission.validation = plan
        submission.cases_total = len(plan["case_ids"])
        submission.cases_done = CaseResult.objects.filter(submission=submission, round=round_number).count()
        submission.status = Submission.Status.EVALUATING
        submission.save(update_fields=["validation", "cases_total", "cases_done", "status", "updated_at"])
        transaction.on_commit(lambda: remove_work_folders(submission_id, keep=folder.name))

    log.info("Evaluating %s cases in round %s", len(plan["case_ids"]), round_number)
    return round_number, plan["case_ids"]
