"""The finalize step: aggregate the stored case records and publish the round."""

import importlib.util

from django.db import transaction
from django.utils import timezone

import evaluator
from evaluator.evaluate import aggregate_cases
from submissions.models import CaseResult, Submission
from submissions.pipeline.logcontext import submission_logger
from submissions.pipeline.state import lock_submission
from submissions.pipeline.workspace import remove_work_folders

# Case statuses that mean the participant's file was absent or unusable, as
# opposed to a value that is undefined (both masks empty, for instance).
MISSING_STATUSES = ("missing", "rejected")


def finalize_submission(submission_id, round_number):
    """Aggregate a complete round, make it the current one and mark the submission succeeded.

    Returns whether this call finalized the round. A round that is final
    already, outdated or incomplete is left as it is.
    """
    log = submission_logger(__name__, submission_id)

    with transaction.atomic():
        submission = lock_submission(submission_id)
        if submission is None:
            log.warning("Submission not found; it was deleted before finalize")
            return False
        if submission.evaluation_round >= round_number:
            log.info("Round %s is final already", round_number)
            return False
        if submission.status != Submission.Status.EVALUATING or submission.queued_round != round_number:
            log.info("Not finalizing round %s: status is %s, queued round %s",
                     round_number, submission.status, submission.queued_round)
            return False

        records = list(
            CaseResult.objects.filter(submission_id=submission_id, round=round_number)
            .order_by("case_id")
            .values_list("record", flat=True)
        )
        if len(records) < submission.cases_total:
            log.info("Not finalizing round %s: %s of %s cases stored", round_number, len(records),
                     submission.cases_total)
            return False

        task = submission.phase.task()
        submission.aggregates = aggregate_cases(task, records)
        submission.results = compact_results(task, records)
        submission.problems = collect_problems(submission.validation, records)
        submission.evaluator_version = evaluator.__version__
        submission.reference_version = submission.validation.get("reference_version", 0)
        submission.evaluation_round = round_number
        submission.cases_done = len(records)
        submission.status = Submission.Status.SUCCEEDED
        submission.finished_at = timezone.now()
        submission.save()

        # Records of earlier rounds stayed visible until now; the new round replaces them.
        CaseResult.objects.filter(submission_id=submission_id, round__lt=round_number).delete()

        phase_id = submission.phase_id
        transaction.on_commit(lambda: remove_work_folders(submission_id))
        transaction.on_commit(lambda: request_leaderboard_refresh(phase_id, log))

    log.info("Finalized round %s: %s cases, %s problems", round_number, len(records), len(submission.problems))
    return True


def compact_results(task, records):
    """Return the leaderboard's compact form of the case records.

    ``values["<class>/<metric>"]`` lists one value per case in the order of
    ``case_ids`` (None where undefined), and ``missing`` flags the cases whose
    prediction was missing or rejected for that class.
    """
    case_ids = [record["case_id"] for record in records]
    values = {}
    missing = {}
    for class_name in task.classes:
        for metric in task.metrics:
            key = f"{class_name}/{metric}"
            values[key] = [record["metrics"].get(class_name, {}).get(metric) for record in records]
            missing[key] = [record["status"].get(class_name) in MISSING_STATUSES for record in records]
    return {"case_ids": case_ids, "values": values, "missing": missing}


def collect_problems(plan, records):
    """Return every problem of the round as {case_id, code, message}, files without a case first."""
    problems = [
        {"case_id": problem.get("case_id"), "code": problem["code"], "message": problem["message"]}
        for problem in plan.get("problems", [])
    ]
    for record in records:
        for error in record.get("errors", []):
            problems.append({"case_id": record["case_id"], "code": error["code"], "message": error["message"]})
    return problems


def request_leaderboard_refresh(phase_id, log):
    """Ask the leaderboards app to recompute the phase's leaderboard."""
    if importlib.util.find_spec("leaderboards") is None:
        log.info("Leaderboard of phase %s not refreshed: the leaderboards app is not installed", phase_id)
        return
    from leaderboards.refresh import request_refresh

    request_refresh(phase_id)
    log.info("Requested a refresh of the leaderboard of phase %s", phase_id)
