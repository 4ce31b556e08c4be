"""Submission limits per participant or team, per UTC day and in total."""

import datetime

import pytest

from submissions.limits import LimitReached, check_limits, remaining_submissions, start_of_utc_day
from submissions.models import Submission
from tests.platform import factories

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 2, 10, 0, tzinfo=datetime.UTC)
YESTERDAY = NOW - datetime.timedelta(days=1)


def submit(phase, user, *, status=Submission.Status.SUCCEEDED, created_at=NOW, team=None):
    return factories.make_submission(phase, user, status=status, created_at=created_at, team=team)


@pytest.fixture
def phase():
    return factories.make_phase(daily_limit=2, total_limit=3)


@pytest.fixture
def user(phase):
    user = factories.make_user()
    factories.join(user, phase.challenge)
    return user


def test_start_of_utc_day_from_other_zone():
    tokyo = datetime.timezone(datetime.timedelta(hours=9))
    moment = datetime.datetime(2026, 6, 3, 2, 0, tzinfo=tokyo)
    assert start_of_utc_day(moment) == datetime.datetime(2026, 6, 2, tzinfo=datetime.UTC)


def test_daily_limit_reached(phase, user):
    submit(phase, user)
    submit(phase, user)
    with pytest.raises(LimitReached) as raised:
        check_limits(phase, user, None, now=NOW)
    assert str(raised.value) == (
        "The limit of 2 submissions per day for Phase validation is reached (2 made by you today); "
        "try again after 2026-06-03 00:00 UTC."
    )


def test_yesterday_not_counted_today(phase, user):
    submit(phase, user, created_at=YESTERDAY)
    submit(phase, user)
    check_limits(phase, user, None, now=NOW)
    assert remaining_submissions(phase, user, None, now=NOW) == (1, 1)


def test_total_limit_reached(phase, user):
    for days in (3, 2, 1):
        submit(phase, user, created_at=NOW - datetime.timedelta(days=days))
    with pytest.raises(LimitReached) as raised:
        check_limits(phase, user, None, now=NOW)
    assert str(raised.value) == (
        "The limit of 3 submissions in total for Phase validation is reached (3 made by you); "
        "failed and cancelled submissions do not count."
    )


@pytest.mark.parametrize(
    ("status", "counted"),
    [
        (Submission.Status.PENDING, True),
        (Submission.Status.VALIDATING, True),
        (Submission.Status.EVALUATING, True),
        (Submission.Status.SUCCEEDED, True),
        (Submission.Status.FAILED, False),
        (Submission.Status.CANCELLED, False),
    ],
    ids=lambda value: str(value),
)
def test_status_counts_towards_limit(phase, user, status, counted):
    submit(phase, user, status=status)
    submit(phase, user, status=status)
    if counted:
        with pytest.raises(LimitReached):
            check_limits(phase, user, None, now=NOW)
    else:
        check_limits(phase, user, None, now=NOW)


def test_team_members_share_limit(phase):
    alice = factories.make_user()
    bob = factories.make_user()
    team = factories.make_team(phase.challenge, "Kidney lab", members=[alice, bob])
    submit(phase, alice, team=team)
    submit(phase, alice, team=team)
    with pytest.raises(LimitReached) as raised:
        check_limits(phase, bob, team, now=NOW)
    assert "(2 made by team Kidney lab today)" in str(raised.value)


def test_other_users_not_counted(phase, user):
    stranger = factories.make_user()
    submit(phase, stranger)
    submit(phase, stranger)
    check_limits(phase, user, None, now=NOW)


def test_other_phase_not_counted(phase, user):
    other_phase = factories.make_phase(phase.challenge, "test")
    submit(other_phase, user)
    submit(other_phase, user)
    check_limits(phase, user, None, now=NOW)


def test_no_limits_means_unlimited(user):
    phase = factories.make_phase(factories.make_challenge())
    for _ in range(5):
        submit(phase, user)
    check_limits(phase, user, None, now=NOW)
    assert remaining_submissions(phase, user, None, now=NOW) == (None, None)
