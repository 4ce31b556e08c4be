"""The Celery tasks' own logic: what they queue next, and the failures they turn into messages."""

import datetime

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from submissions import tasks
from submissions.models import Submission
from submissions.pipeline import scoring, validation

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """Record the tasks sent with .delay() instead of sending them: (task name, kwargs)."""
    calls = []
    for task in (tasks.validate_submission, tasks.evaluate_case, tasks.finalize_submission):
        monkeypatch.setattr(task, "delay", lambda _name=task.name, **kwargs: calls.append((_name, kwargs)))
    return calls


def make_stalled(submission):
    Submission.objects.filter(pk=submission.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=1))


def test_queue_submission_sends_validation(submit, predictions, sent):
    submission = submit({"case_1.nii.gz": predictions})

    tasks.queue_submission(submission.pk)

    assert sent == [("submissions.validate_submission", {"submission_id": submission.pk})]


def test_validation_task_sends_case_tasks(submit, predictions, sent, django_capture_on_commit_callbacks):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})

    with django_capture_on_commit_callbacks(execute=True):
        tasks.validate_submission.run(submission_id=submission.pk)

    assert sent == [
        ("submissions.evaluate_case", {"submission_id": submission.pk, "case_id": "case_1", "round": 1}),
        ("submissions.evaluate_case", {"submission_id": submission.pk, "case_id": "case_2", "round": 1}),
    ]


def test_last_case_task_sends_finalize(submit, predictions, sent, django_capture_on_commit_callbacks):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    validation.validate_submission(submission.pk)

    with django_capture_on_commit_callbacks(execute=True):
        tasks.evaluate_case.run(submission_id=submission.pk, case_id="case_1", round=1)
    after_first = list(sent)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.evaluate_case.run(submission_id=submission.pk, case_id="case_2", round=1)

    assert after_first == []
    assert sent == [("submissions.finalize_submission", {"submission_id": submission.pk, "round": 1})]


def test_requeue_task_sends_missing_cases(submit, predictions, sent):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    validation.validate_submission(submission.pk)
    scoring.evaluate_case(submission.pk, "case_2", 1)
    make_stalled(submission)

    count = tasks.requeue_stalled.run(stalled_after_seconds=60)

    assert count == 1
    assert sent == [("submissions.evaluate_case", {"submission_id": submission.pk, "case_id": "case_1", "round": 1})]


def test_requeue_task_sends_validation(submit, predictions, sent):
    submission = submit({"case_1.nii.gz": predictions})
    make_stalled(submission)

    tasks.requeue_stalled.run(stalled_after_seconds=60)

    assert sent == [("submissions.validate_submission", {"submission_id": submission.pk})]


def test_case_over_time_limit_fails_submission(submit, predictions, monkeypatch):
    submission = submit({"case_1.nii.gz": predictions, "case_2.nii.gz": predictions})
    validation.validate_submission(submission.pk)

    def run_out_of_time(*args):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(scoring, "evaluate_case", run_out_of_time)
    tasks.evaluate_case.run(submission_id=submission.pk, case_id="case_1", round=1)

    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert submission.error_message == (
        f"Case case_1 took longer than {tasks.CASE_TIME_LIMIT_SECONDS} s to evaluate, so the submission was stopped. "
        "Tell the organisers, who can raise the time limit and evaluate it again."
    )


@pytest.mark.parametrize(
    "status, expected",
    [
        pytest.param(Submission.Status.PENDING, True, id="pending"),
        pytest.param(Submission.Status.SUCCEEDED, True, id="succeeded"),
        pytest.param(Submission.Status.FAILED, False, id="failed"),
        pytest.param(Submission.Status.CANCELLED, False, id="cancelled"),
    ],
)
def test_cancel_by_status(submit, predictions, status, expected, django_capture_on_commit_callbacks):
    submission = submit({"case_1.nii.gz": predictions})
    Submission.objects.filter(pk=submission.pk).update(status=status)

    with django_capture_on_commit_callbacks(execute=True):
        changed = tasks.cancel_submission(submission.pk)

    assert changed is expected
    assert Submission.objects.get(pk=submission.pk).status == (Submission.Status.CANCELLED if expected else status)


def test_cancelled_submission_not_reevaluated(submit, predictions):
    submission = submit({"case_1.nii.gz": predictions})
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.CANCELLED)

    assert tasks.queue_reevaluation(submission.pk) is None
