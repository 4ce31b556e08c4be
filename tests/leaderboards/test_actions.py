"""Organiser actions (refresh, freeze) and a participant's choice of leaderboard entry."""

import datetime

import pytest
from django.urls import reverse

from leaderboards import refresh
from leaderboards.models import Snapshot
from leaderboards.snapshot import build_snapshot
from submissions.models import Submission
from tests.leaderboards.factories import join, make_phase, make_submission, make_user, uniform_values

pytestmark = pytest.mark.django_db

VALUES = uniform_values([0.9, 0.8, 0.7, 0.6], [2.0, 3.0, 4.0, 5.0])


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(refresh.refresh_leaderboard, "apply_async", lambda **options: calls.append(options))
    return calls


@pytest.fixture
def setup():
    phase = make_phase(entry="chosen")
    organiser = make_user("organiser")
    phase.challenge.organisers.add(organiser)
    participant = make_user("participant")
    join(participant, phase.challenge)
    return phase, organiser, participant


def url(name, phase):
    return reverse(name, kwargs={"challenge_slug": phase.challenge.slug, "phase_slug": phase.slug})


def test_organiser_refresh_queues_now(client, setup, sent, django_capture_on_commit_callbacks):
    phase, organiser, _ = setup
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("leaderboard-refresh", phase))
    assert (response.status_code, sent) == (302, [{"kwargs": {"phase_id": phase.pk}, "countdown": 0}])


def test_participant_refresh_not_found(client, setup, sent):
    phase, _, participant = setup
    client.force_login(participant)
    assert client.post(url("leaderboard-refresh", phase)).status_code == 404


def test_freeze_records_publication_time(client, setup):
    phase, organiser, participant = setup
    make_submission(phase, participant, VALUES, chosen=True)
    build_snapshot(phase.pk)
    client.force_login(organiser)
    client.post(url("leaderboard-freeze", phase), {"published_at": "2031-01-02T03:04"})
    frozen = Snapshot.objects.get(phase=phase, frozen=True)
    assert frozen.published_at == datetime.datetime(2031, 1, 2, 3, 4, tzinfo=datetime.timezone.utc)


def test_freeze_rejects_invalid_time(client, setup):
    phase, organiser, participant = setup
    make_submission(phase, participant, VALUES, chosen=True)
    build_snapshot(phase.pk)
    client.force_login(organiser)
    client.post(url("leaderboard-freeze", phase), {"published_at": "next tuesday"})
    assert not Snapshot.objects.filter(phase=phase, frozen=True).exists()


def test_choose_marks_one_submission(client, setup, sent, django_capture_on_commit_callbacks):
    phase, _, participant = setup
    first = make_submission(phase, participant, VALUES, chosen=True)
    second = make_submission(phase, participant, VALUES)
    client.force_login(participant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("leaderboard-choose", phase), {"submission": second.pk})
    chosen = set(Submission.objects.filter(phase=phase, chosen_for_leaderboard=True).values_list("pk", flat=True))
    assert (chosen, len(sent)) == ({second.pk}, 1)
    assert first.pk not in chosen


def test_choose_rejects_other_participants_submission(client, setup, sent):
    phase, _, participant = setup
    stranger = make_user("stranger")
    join(stranger, phase.challenge)
    theirs = make_submission(phase, stranger, VALUES)
    client.force_login(participant)
    client.post(url("leaderboard-choose", phase), {"submission": theirs.pk})
    assert not Submission.objects.get(pk=theirs.pk).chosen_for_leaderboard


def test_choose_page_for_non_participant_not_found(client, setup):
    phase, _, _ = setup
    client.force_login(make_user("visitor"))
    assert client.get(url("leaderboard-choose", phase)).status_code == 404


def test_choose_page_queries_constant(client, setup, django_assert_max_num_queries):
    # The page reads the participant's team once, not once per submission of the phase.
    phase, _, participant = setup
    make_submission(phase, participant, VALUES)
    make_submission(phase, participant, VALUES)
    client.force_login(participant)
    with django_assert_max_num_queries(100) as captured:
        assert client.get(url("leaderboard-choose", phase)).status_code == 200
    baseline = len(captured)

    for index in range(6):
        other = make_user(f"other-{index}")
        join(other, phase.challenge)
        make_submission(phase, other, VALUES)
    with django_assert_max_num_queries(baseline):
        assert client.get(url("leaderboard-choose", phase)).status_code == 200
