"""A worker killed in the middle of a case: the submission still completes, each case stored once.

Each prediction carries scattered false positives, so one case takes seconds
and the kill lands while the worker's log shows a case being scored whose
record is not stored yet. The stalled-work job runs from a real beat process
with a shortened threshold.
"""

import pytest

from submissions.models import Submission
from tests.integration.conftest import SCORED_CASES, UNSUBMITTED_CASE, make_kits_phase, upload_predictions
from tests.integration.helpers import case_being_scored, finished_submission, stored_case_ids
from tests.worker import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.shared]

ALL_CASES = sorted([*SCORED_CASES, UNSUBMITTED_CASE])
# Longer than one noisy case takes on a busy machine, so that the job re-queues
# only work that was really lost.
STALLED_AFTER_SECONDS = 30
REQUEUE_INTERVAL_SECONDS = 2
BROKERS = [
    pytest.param("filesystem", id="filesystem-broker"),
    pytest.param("redis", id="redis-broker", marks=pytest.mark.redis),
]


def start_submission(live_worker, slow_kits_cases, broker):
    reference_dir, prediction_dir = slow_kits_cases
    worker = live_worker(
        broker=broker,
        beat=True,
        stalled_after_seconds=STALLED_AFTER_SECONDS,
        requeue_interval_seconds=REQUEUE_INTERVAL_SECONDS,
    )
    phase = make_kits_phase(reference_dir)
    submission = upload_predictions(phase, prediction_dir)
    return worker, submission


def wait_for_case_in_progress(worker, submission):
    """Wait until one record is stored and the log shows another case being scored; return that case."""
    wait_until(lambda: stored_case_ids(submission.pk), worker=worker, description="the first stored case")
    return wait_until(
        lambda: case_being_scored(worker, submission.pk), worker=worker, description="a case being scored"
    )


@pytest.mark.parametrize("broker", BROKERS)
def test_pool_process_killed_mid_case(live_worker, slow_kits_cases, broker):
    worker, submission = start_submission(live_worker, slow_kits_cases, broker)
    killed_case = wait_for_case_in_progress(worker, submission)

    worker.kill_pool_process()
    final = wait_until(lambda: finished_submission(submission.pk), worker=worker, description="a final status")

    assert killed_case in ALL_CASES
    assert final.status == Submission.Status.SUCCEEDED, final.error_message
    assert sorted(stored_case_ids(submission.pk)) == ALL_CASES
    assert final.cases_done == len(ALL_CASES)
    assert worker.is_running()


@pytest.mark.parametrize("broker", BROKERS)
def test_whole_worker_killed_mid_case(live_worker, slow_kits_cases, broker):
    first_worker, submission = start_submission(live_worker, slow_kits_cases, broker)
    killed_case = wait_for_case_in_progress(first_worker, submission)

    first_worker.kill()
    second_worker = live_worker(broker=broker)
    final = wait_until(
        lambda: finished_submission(submission.pk), worker=second_worker, description="a final status"
    )

    assert killed_case in ALL_CASES
    assert not first_worker.is_running()
    assert final.status == Submission.Status.SUCCEEDED, final.error_message
    assert sorted(stored_case_ids(submission.pk)) == ALL_CASES
    assert final.cases_done == len(ALL_CASES)
