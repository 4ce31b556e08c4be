"""Polling helpers shared by the integration tests."""

import re

from submissions.models import CaseResult, Submission

FINAL_STATUSES = (Submission.Status.SUCCEEDED, Submission.Status.FAILED, Submission.Status.CANCELLED)


def finished_submission(submission_id):
    """Return the submission once its status is final, else None."""
    submission = Submission.objects.get(pk=submission_id)
    return submission if submission.status in FINAL_STATUSES else None


def stored_case_ids(submission_id):
    return list(CaseResult.objects.filter(submission_id=submission_id).values_list("case_id", flat=True))


def case_being_scored(worker, submission_id):
    """Return a case that the worker's log shows being scored and whose record is not stored yet."""
    pattern = re.compile(rf"\[submission {submission_id} case (\S+)\] Scoring ")
    started = pattern.findall(worker.log_text())
    stored = set(stored_case_ids(submission_id))
    pending = [case_id for case_id in started if case_id not in stored]
    return pending[-1] if pending else None
