"""``run_demo`` queues again the work that a stopped run left unfinished."""

from io import StringIO

import pytest
from django.core.management import call_command

from fixtures.catalogue import DEMO_CHALLENGES
from fixtures.recovery import refresh_stale_leaderboards, requeue_unfinished_submissions
from submissions.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PHASES = sorted(f"{demo.slug}/{phase.slug}" for demo in DEMO_CHALLENGES for phase in demo.phases)


@pytest.fixture
def loaded_demo(monkeypatch, settings, tmp_path):
    """Load the demo without sending broker messages, and record the tasks sent afterwards."""
    settings.PODIUM_PRIVATE_ROOT = tmp_path / "private"
    monkeypatch.setattr("submissions.creation.queue_evaluation", lambda submission_id: None)
    call_command("load_demo", stdout=StringIO())

    sent = {"validate": [], "refresh": []}
    monkeypatch.setattr(
        "submissions.tasks.validate_submission.delay", lambda *, submission_id: sent["validate"].append(submission_id)
    )
    monkeypatch.setattr(
        "leaderboards.tasks.refresh_leaderboard.delay", lambda *, phase_id: sent["refresh"].append(phase_id)
    )
    monkeypatch.setattr("leaderboards.refresh._send_refresh_task", lambda phase_id, countdown_s: None)
    return sent


def test_pending_submissions_are_validated_again(loaded_demo):
    queued = requeue_unfinished_submissions()

    all_ids = sorted(Submission.objects.values_list("pk", flat=True))
    assert queued == len(all_ids)
    assert sorted(loaded_demo["validate"]) == all_ids


def test_finished_submissions_are_not_queued(loaded_demo):
    Submission.objects.update(status=Submission.Status.SUCCEEDED)

    assert requeue_unfinished_submissions() == 0
    assert loaded_demo["validate"] == []


def test_unranked_phases_are_refreshed(loaded_demo):
    Submission.objects.update(status=Submission.Status.SUCCEEDED)

    refreshed = refresh_stale_leaderboards()

    assert sorted(refreshed) == DEMO_PHASES
    assert len(loaded_demo["refresh"]) == len(DEMO_PHASES)


def test_phases_in_progress_are_not_refreshed(loaded_demo):
    assert refresh_stale_leaderboards() == []
    assert loaded_demo["refresh"] == []
