"""The per-case step: score one case with the evaluator and store its record once."""

from pathlib import Path

from django.db import IntegrityError, transaction

from challenges.models import ReferenceCase
from evaluator import evaluate as evaluator_evaluate
from submissions.models import CaseResult, Submission
from submissions.pipeline.logcontext import submission_logger
from submissions.pipeline.state import is_current_round, lock_submission, mark_failed
from submissions.pipeline.workspace import submission_work_root


def evaluate_case(submission_id, case_id, round_number):
    """Score one case of one round and return whether every case of the round is stored.

    Idempotent: a case whose record is stored already is not scored again, but
    the count is still checked, so a repeated task can still trigger finalize.
    """
    log = submission_logger(__name__, submission_id, case_id)

    submission = Submission.objects.select_related("phase").filter(pk=submission_id).first()
    if submission is None or not is_current_round(submission, round_number):
        log.info("Nothing to evaluate for round %s: the submission is not evaluating that round", round_number)
        return False

    record = None
    stored = CaseResult.objects.filter(submission_id=submission_id, round=round_number, case_id=case_id).exists()
    if stored:
        log.info("The record of round %s is stored already", round_number)
    else:
        record = _score(submission, case_id, round_number, log)
        if record is None:
            return False

    return _store_and_count(submission_id, case_id, round_number, record, log)


def _score(submission, case_id, round_number, log):
    """Run the evaluator on one case; return its record, or None after failing the submission."""
    reference = ReferenceCase.objects.filter(phase_id=submission.phase_id, case_id=case_id).first()
    if reference is None:
        mark_failed(
            submission.pk,
            round_number,
            f"The reference case {case_id} was removed while this submission was evaluated. "
            "The organisers can evaluate the submission again.",
            log,
        )
        return None

    plan = submission.validation
    prediction_name = plan["names"].get(case_id)
    prediction_path = None
    if case_id in plan["files"]:
        prediction_path = Path(submission_work_root(submission.pk)) / plan["folder"] / plan["files"][case_id]

    task = submission.phase.task()
    duplicate_names = plan.get("duplicates", {}).get(case_id)
    if duplicate_names:
        log.info("Rejecting the case: %s prediction files", len(duplicate_names))
        error = evaluator_evaluate.duplicate_error(case_id, [Path(name) for name in duplicate_names])
        return _with_subset(evaluator_evaluate.rejected_case_record(task, case_id, [error]), reference)

    log.info("Scoring %s", prediction_name or "a missing prediction")
    try:
        record = evaluator_evaluate.evaluate_case(
            task, case_id, reference.paths(), prediction_path, prediction_name=prediction_name
        )
    except evaluator_evaluate.ReferenceError:
        log.exception("The reference of the case could not be read")
        mark_failed(
            submission.pk,
            round_number,
            f"The reference of case {case_id} could not be read, so the submission cannot be evaluated. "
            "This is a problem on the organisers' side; they can see it in the logs.",
            log,
        )
        return None

    return _with_subset(record, reference)


def _with_subset(record, reference):
    """Return the record with the reference case's subset tags, which the platform stores."""
    if reference.subset:
        record = {**record, "subset": dict(reference.subset)}
    return record


def _store_and_count(submission_id, case_id, round_number, record, log):
    """Store the record (when given), set cases_done from a count, and return whether all are stored.

    Both happen under the submission's row lock, so concurrent case tasks of
    one submission count one after another. The task that stores the last
    record gets True, and so does any repeated task that runs after it.
    """
    with transaction.atomic():
        submission = lock_submission(submission_id)
        if submission is None or not is_current_round(submission, round_number):
            log.info("Not storing the record: the submission moved on from round %s", round_number)
            return False

        if record is not None:
            try:
                # The savepoint lets the unique constraint reject a second
                # record without breaking the surrounding transaction.
                with transaction.atomic():
                    CaseResult.objects.create(
                        submission_id=submission_id, round=round_number, case_id=case_id, record=record
                    )
                log.info("Stored the record of round %s", round_number)
            except IntegrityError:
                log.info("The record of round %s was stored by another task", round_number)

        done = CaseResult.objects.filter(submission_id=submission_id, round=round_number).count()
        submission.cases_done = done
        submission.save(update_fields=["cases_done", "updated_at"])

    log.info("%s of %s cases stored in round %s", done, submission.cases_total, round_number)
    return done >= submission.cases_total
