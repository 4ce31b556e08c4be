"""The pipeline's steps called directly: validation, per-case scoring, finalize, re-queue."""

import datetime
import logging

import pytest
from django.utils import timezone

from evaluator.evaluate import evaluate_case as evaluator_evaluate_case
from submissions import tasks
from submissions.models import CaseResult, Submission
from submissions.pipeline import finalize, scoring, stalled, validation

pytestmark = pytest.mark.django_db


def run_round(submission_id):
    """Run validation, every case and finalize of one round in this process; return the round number."""
    round_number, case_ids = validation.validate_submission(submission_id)
    for case_id in case_ids:
        scoring.evaluate_case(submission_id, case_id, round_number)
    finalize.finalize_submission(submission_id, round_number)
    return round_number


def problem_codes(submission):
    """Return the (case_id, code) pairs of the problems, with "" for a problem of no case."""
    return sorted((problem["case_id"] or "", problem["code"]) for problem in submission.problems)


def test_validation_plans_every_reference_case(submit, predictions):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})

    started = validation.validate_submission(submission.pk)

    submission.refresh_from_db()
    assert started == (1, ["case_1", "case_2"])
    assert submission.status == Submission.Status.EVALUATING
    assert submission.cases_total == 2
    assert submission.validation["files"] == {
        "case_1": "case_1.nii.gz",
        "case_2": "case_2.nii.gz",
    }
    assert submission.validation["reference_version"] == submission.phase.reference_version


def test_folder_inside_archive_is_read(submit, predictions):
    submission = submit({"preds/case_1.nii.gz": predictions, "preds/case_2.nii.gz": predictions})

    validation.validate_submission(submission.pk)

    submission.refresh_from_db()
    assert submission.validation["files"] == {"case_1": "preds/case_1.nii.gz", "case_2": "preds/case_2.nii.gz"}
    assert submission.validation["names"] == {"case_1": "case_1.nii.gz", "case_2": "case_2.nii.gz"}


def test_round_stores_shifted_prediction_scores(submit, predictions):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})

    run_round(submission.pk)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUCCEEDED
    assert submission.evaluation_round == 1
    assert submission.cases_done == 2
    # A 4 x 4 x 4 kidney block shifted by one voxel overlaps in 48 voxels: 2 * 48 / 128.
    assert submission.results["values"]["kidney/dice"] == [0.75, 0.75]
    # A 2 x 2 x 2 tumour block shifted by one voxel overlaps in 4 voxels: 2 * 4 / 16.
    assert submission.results["values"]["tumor/dice"] == [0.5, 0.5]
    assert submission.results["case_ids"] == ["case_1", "case_2"]
    assert submission.results["missing"]["kidney/dice"] == [False, False]
    assert submission.aggregates["kidney"]["dice"]["mean"] == pytest.approx(0.75)
    assert submission.problems == []
    assert submission.finished_at is not None


def test_stored_record_equals_evaluator_record(submit, predictions, phase, tmp_path):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    prediction_path = tmp_path / "case_1.nii.gz"
    prediction_path.write_bytes(predictions)
    reference = phase.reference_cases.get(case_id="case_1")

    run_round(submission.pk)

    expected = evaluator_evaluate_case(phase.task(), "case_1", reference.paths(), prediction_path)
    expected["subset"] = {"hospital": "A"}
    stored = CaseResult.objects.get(submission=submission, case_id="case_1").record
    assert stored == expected


def test_case_task_twice_stores_once(submit, predictions):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    round_number, _ = validation.validate_submission(submission.pk)

    first = scoring.evaluate_case(submission.pk, "case_1", round_number)
    second = scoring.evaluate_case(submission.pk, "case_1", round_number)

    submission.refresh_from_db()
    assert (first, second) == (False, False)
    assert CaseResult.objects.filter(submission=submission).count() == 1
    assert submission.cases_done == 1


def test_repeated_last_case_still_reports_completion(submit, predictions):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    round_number, _ = validation.validate_submission(submission.pk)
    scoring.evaluate_case(submission.pk, "case_1", round_number)

    first = scoring.evaluate_case(submission.pk, "case_2", round_number)
    repeated = scoring.evaluate_case(submission.pk, "case_2", round_number)

    assert (first, repeated) == (True, True)


def test_finalize_twice_changes_nothing(submit, predictions):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    round_number = run_round(submission.pk)
    finished_at = Submission.objects.get(pk=submission.pk).finished_at

    repeated = finalize.finalize_submission(submission.pk, round_number)

    assert repeated is False
    assert Submission.objects.get(pk=submission.pk).finished_at == finished_at


def test_finalize_waits_for_every_case(submit, predictions):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    round_number, _ = validation.validate_submission(submission.pk)
    scoring.evaluate_case(submission.pk, "case_1", round_number)

    finalized = finalize.finalize_submission(submission.pk, round_number)

    assert finalized is False
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.EVALUATING


def test_missing_and_extra_files_reported(submit, predictions):
    submission = submit({"case_1.nii.gz": predictions, "case_9.nii.gz": predictions, "notes.txt": b"hello"})

    run_round(submission.pk)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUCCEEDED
    assert problem_codes(submission) == sorted(
        [("", "unsupported_file"), ("", "unknown_case"), ("case_2", "missing_prediction")]
    )
    assert submission.results["missing"]["kidney/dice"] == [False, True]


def test_duplicate_prediction_rejects_case(submit, predictions, tmp_path):
    submission = submit(
        {"case_1.nii.gz": predictions, "case_2.nii.gz": predictions, "case_2.nii": b"second file"}
    )

    run_round(submission.pk)

    submission.refresh_from_db()
    record = CaseResult.objects.get(submission=submission, case_id="case_2").record
    assert problem_codes(submission) == [("case_2", "duplicate_prediction")]
    assert record["status"] == {"kidney": "rejected", "tumor": "rejected"}
    assert record["subset"] == {"hospital": "A"}


def test_unreadable_upload_fails_submission(submit):
    submission = submit({}, original_name="predictions.zip", raw_bytes=b"this is not a zip archive")

    started = validation.validate_submission(submission.pk)

    submission.refresh_from_db()
    assert started is None
    assert submission.status == Submission.Status.FAILED
    assert submission.error_message == (
        "The file predictions.zip is neither a zip or tar archive nor a label map "
        "(.nii.gz, .nii, .mha, .nrrd, .nhdr, .mhd). Upload a .zip or .tar.gz archive of label maps named by case id."
    )


def test_single_label_map_upload_is_evaluated(submit, predictions):
    submission = submit({}, original_name="case_1.nii.gz", raw_bytes=predictions)

    run_round(submission.pk)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUCCEEDED
    assert problem_codes(submission) == [("case_2", "missing_prediction")]


def test_phase_without_references_fails_submission(submit, predictions, phase):
    phase.reference_cases.all().delete()
    submission = submit({"case_1.nii.gz": predictions})

    validation.validate_submission(submission.pk)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert submission.error_message == (
        "This phase has no reference cases yet, so nothing can be evaluated. "
        "Ask the organisers to add them, then submit again."
    )


def test_validation_of_evaluating_submission_does_nothing(submit, predictions):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    validation.validate_submission(submission.pk)

    repeated = validation.validate_submission(submission.pk)

    assert repeated is None
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.EVALUATING


def test_reevaluation_keeps_results_until_final(submit, predictions, django_capture_on_commit_callbacks):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    run_round(submission.pk)
    first_results = Submission.objects.get(pk=submission.pk).results

    with django_capture_on_commit_callbacks(execute=False):
        new_round = tasks.queue_reevaluation(submission.pk)
    pending = Submission.objects.get(pk=submission.pk)

    assert new_round == 2
    assert pending.status == Submission.Status.PENDING
    assert pending.evaluation_round == 1
    assert pending.results == first_results
    assert CaseResult.objects.filter(submission=submission, round=1).count() == 2

    run_round(submission.pk)
    final = Submission.objects.get(pk=submission.pk)
    assert final.evaluation_round == 2
    assert final.status == Submission.Status.SUCCEEDED
    assert sorted(CaseResult.objects.filter(submission=submission).values_list("round", flat=True)) == [2, 2]


def test_case_task_of_outdated_round_does_nothing(submit, predictions, django_capture_on_commit_callbacks):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    validation.validate_submission(submission.pk)
    with django_capture_on_commit_callbacks(execute=False):
        tasks.queue_reevaluation(submission.pk)

    result = scoring.evaluate_case(submission.pk, "case_1", 1)

    assert result is False
    assert CaseResult.objects.filter(submission=submission).count() == 0


def test_cancelled_submission_is_not_evaluated(submit, predictions, django_capture_on_commit_callbacks):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    round_number, _ = validation.validate_submission(submission.pk)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = tasks.cancel_submission(submission.pk)

    result = scoring.evaluate_case(submission.pk, "case_1", round_number)

    assert cancelled is True
    assert result is False
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.CANCELLED
    assert CaseResult.objects.filter(submission=submission).count() == 0


def make_stalled(submission, seconds_ago=3600):
    Submission.objects.filter(pk=submission.pk).update(
        updated_at=timezone.now() - datetime.timedelta(seconds=seconds_ago)
    )


def test_stalled_pending_submission_is_validated_again(submit, predictions):
    submission = submit({"case_1.nii.gz": predictions})
    make_stalled(submission)

    work = stalled.find_stalled_work(stalled_after_seconds=60)

    assert work == [stalled.StalledWork(submission.pk, validate=True)]


def test_stalled_evaluation_requeues_missing_cases(submit, predictions):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    round_number, _ = validation.validate_submission(submission.pk)
    scoring.evaluate_case(submission.pk, "case_1", round_number)
    make_stalled(submission)

    work = stalled.find_stalled_work(stalled_after_seconds=60)

    assert work == [stalled.StalledWork(submission.pk, round_number=1, case_ids=("case_2",))]


def test_stalled_complete_round_requeues_finalize(submit, predictions):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    round_number, case_ids = validation.validate_submission(submission.pk)
    for case_id in case_ids:
        scoring.evaluate_case(submission.pk, case_id, round_number)
    make_stalled(submission)

    work = stalled.find_stalled_work(stalled_after_seconds=60)

    assert work == [stalled.StalledWork(submission.pk, round_number=1, finalize=True)]


def test_recent_and_final_submissions_are_not_stalled(submit, predictions):
    recent = submit({"case_1.nii.gz": predictions})
    final = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    run_round(final.pk)
    make_stalled(final)

    work = stalled.find_stalled_work(stalled_after_seconds=60)

    assert [item.submission_id for item in work] == []
    assert Submission.objects.get(pk=recent.pk).status == Submission.Status.PENDING


def test_requeue_resets_progress_time(submit, predictions):
    submission = submit({"case_1.nii.gz": predictions})
    make_stalled(submission)

    first = stalled.find_stalled_work(stalled_after_seconds=60)
    second = stalled.find_stalled_work(stalled_after_seconds=60)

    assert len(first) == 1
    assert second == []


def test_requeues_stop_at_the_cap(submit, predictions, settings):
    settings.PODIUM_MAX_REQUEUES = 2
    submission = submit({"case_1.nii.gz": predictions})

    requeued = []
    for _ in range(3):
        make_stalled(submission)
        requeued.append(len(stalled.find_stalled_work(stalled_after_seconds=60)))

    failed = Submission.objects.get(pk=submission.pk)
    assert requeued == [1, 1, 0]
    assert failed.status == Submission.Status.FAILED
    assert failed.error_message == stalled.STALLED_MESSAGE.format(count=2)


def test_reevaluation_resets_requeue_count(submit, predictions, django_capture_on_commit_callbacks):
    submission = submit({"case_1.nii.gz": predictions})
    run_round(submission.pk)
    Submission.objects.filter(pk=submission.pk).update(requeue_count=4)

    with django_capture_on_commit_callbacks(execute=False):
        tasks.queue_reevaluation(submission.pk)

    assert Submission.objects.get(pk=submission.pk).requeue_count == 0


def test_log_records_name_submission_and_case(submit, predictions, caplog):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    round_number, _ = validation.validate_submission(submission.pk)

    with caplog.at_level(logging.INFO, logger="submissions"):
        scoring.evaluate_case(submission.pk, "case_1", round_number)

    scoring_records = [record for record in caplog.records if record.name == "submissions.pipeline.scoring"]
    assert scoring_records
    assert {record.submission_id for record in scoring_records} == {submission.pk}
    assert {record.case_id for record in scoring_records} == {"case_1"}
