"""Submission limits per participant or team, per UTC day and in total."""

import datetime

from django.utils import timezone

from submissions.models import Submission


class LimitReached(Exception):
    """A submission limit of the phase is used up; the message names the limit and when it resets."""


def counted_submissions(phase, user, team):
    """Return the submissions that count towards the limits of the user, or of their team."""
    queryset = Submission.objects.filter(phase=phase).exclude(status__in=Submission.NOT_COUNTED_TOWARDS_LIMITS)
    if team is not None:
        return queryset.filter(team=team)
    return queryset.filter(creator=user)


def start_of_utc_day(now):
    """Return midnight UTC of the day that contains ``now``."""
    now_utc = now.astimezone(datetime.UTC)
    return now_utc.replace(hour=0, minute=0, second=0, microsecond=0)


def check_limits(phase, user, team, now=None):
    """Raise LimitReached when the user (or team) may not submit to the phase now.

    The caller must hold the lock that serialises submissions of this user or
    team (see ``submissions.creation``), or two requests can both pass.
    """
    now = now or timezone.now()
    counted = counted_submissions(phase, user, team)
    submitter = f"team {team.name}" if team is not None else "you"

    if phase.total_limit is not None:
        total = counted.count()
        if total >= phase.total_limit:
            raise LimitReached(
                f"The limit of {phase.total_limit} submissions in total for {phase.name} is reached "
                f"({total} made by {submitter}); failed and cancelled submissions do not count."
            )

    if phase.daily_limit is not None:
        day_start = start_of_utc_day(now)
        today = counted.filter(created_at__gte=day_start).count()
        if today >= phase.daily_limit:
            next_day = day_start + datetime.timedelta(days=1)
            raise LimitReached(
                f"The limit of {phase.daily_limit} submissions per day for {phase.name} is reached "
                f"({today} made by {submitter} today); try again after {next_day:%Y-%m-%d %H:%M} UTC."
            )


def remaining_submissions(phase, user, team, now=None):
    """Return (left today, left in total), each None where the phase sets no limit."""
    now = now or timezone.now()
    counted = counted_submissions(phase, user, team)
    left_today = None
    left_total = None
    if phase.daily_limit is not None:
        used = counted.filter(created_at__gte=start_of_utc_day(now)).count()
        left_today = max(phase.daily_limit - used, 0)
    if phase.total_limit is not None:
        left_total = max(phase.total_limit - counted.count(), 0)
    return left_today, left_total
