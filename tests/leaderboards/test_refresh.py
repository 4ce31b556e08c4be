"""Refresh requests are debounced: a burst of them causes one computation."""

import datetime

import pytest
from django.utils import timezone

from leaderboards import refresh
from leaderboards.models import RefreshState, Snapshot
from leaderboards.tasks import refresh_leaderboard
from tests.leaderboards.factories import make_phase, make_submission, make_user, uniform_values

pytestmark = pytest.mark.django_db

VALUES = uniform_values([0.9, 0.8, 0.7, 0.6], [2.0, 3.0, 4.0, 5.0])


class SentTasks:
    """Stand-in for the Celery task's apply_async that records what would be sent to the broker."""

    def __init__(self):
        self.calls = []

    def __call__(self, *, kwargs, countdown):
        self.calls.append((kwargs, countdown))


@pytest.fixture
def sent(monkeypatch):
    recorder = SentTasks()
    monkeypatch.setattr(refresh.refresh_leaderboard, "apply_async", recorder)
    return recorder


@pytest.fixture
def phase():
    phase = make_phase()
    make_submission(phase, make_user("alice"), VALUES)
    return phase


def test_burst_queues_one_task(phase, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            refresh.request_refresh(phase.pk)
    assert sent.calls == [({"phase_id": phase.pk}, refresh.REFRESH_COUNTDOWN_SECONDS)]


def test_burst_returns_queued_once(phase, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queued = [refresh.request_refresh(phase.pk) for _ in range(4)]
    assert queued == [True, False, False, False]


def test_burst_computes_one_snapshot(phase, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            refresh.request_refresh(phase.pk)
    for kwargs, _ in sent.calls:
        refresh_leaderboard.run(**kwargs)
    assert Snapshot.objects.filter(phase=phase).count() == 1


def test_task_without_new_request_does_nothing(phase, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        refresh.request_refresh(phase.pk)
    refresh_leaderboard.run(phase_id=phase.pk)
    # A duplicate delivery of the same message finds no newer request.
    refresh_leaderboard.run(phase_id=phase.pk)
    assert Snapshot.objects.filter(phase=phase).count() == 1


def test_request_after_snapshot_queues_again(phase, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        refresh.request_refresh(phase.pk)
    refresh_leaderboard.run(phase_id=phase.pk)
    with django_capture_on_commit_callbacks(execute=True):
        refresh.request_refresh(phase.pk)
    refresh_leaderboard.run(phase_id=phase.pk)
    assert (len(sent.calls), Snapshot.objects.filter(phase=phase).count()) == (2, 2)


def test_lost_task_is_queued_again(phase, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        refresh.request_refresh(phase.pk)
    # The queued task never ran, and its marker is older than LOST_TASK_AFTER.
    stale = timezone.now() - refresh.LOST_TASK_AFTER - datetime.timedelta(seconds=1)
    RefreshState.objects.filter(phase=phase).update(queued_at=stale)
    with django_capture_on_commit_callbacks(execute=True):
        refresh.request_refresh(phase.pk)
    assert len(sent.calls) == 2


def test_task_without_state_row_does_nothing(phase):
    assert refresh_leaderboard.run(phase_id=phase.pk) is None


def test_uncommitted_request_sends_nothing(phase, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        refresh.request_refresh(phase.pk)
    assert sent.calls == []
