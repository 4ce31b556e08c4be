"""Join a challenge: accept its rules and optionally create or join a team."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from challenges.models import Participation, Team

logger = logging.getLogger(__name__)


class JoinRejected(Exception):
    """A join request could not be completed; the message explains why."""


def join_challenge(user, challenge, *, team_name="", create_team=False):
    """Record that the user accepted the challenge's rules, and return the participation.

    Joining twice returns the existing participation unchanged.
    """
    existing = Participation.objects.filter(user=user, challenge=challenge).first()
    if existing is not None:
        return existing

    try:
        with transaction.atomic():
            team = find_or_create_team(user, challenge, team_name.strip(), create_team) if team_name else None
            participation = Participation.objects.create(
                user=user, challenge=challenge, team=team, rules_accepted_at=timezone.now()
            )
            if team is not None:
                team.members.add(user)
    except IntegrityError:
        # A concurrent request joined first, or created the team of that name.
        existing = Participation.objects.filter(user=user, challenge=challenge).first()
        if existing is None:
            raise JoinRejected(f"The team {team_name} was created at the same moment; try joining it.") from None
        return existing

    logger.info("User %s joined challenge %s (team %s)", user.pk, challenge.pk, team.pk if team else None)
    return participation


def find_or_create_team(user, challenge, name, create):
    """Return the team named ``name`` (case-insensitive), creating it when ``create`` is set."""
    team = Team.objects.filter(challenge=challenge, name__iexact=name).first()
    if create:
        if team is not None:
            raise JoinRejected(f"A team named {name} already exists in {challenge.title}; join it instead.")
        return Team.objects.create(challenge=challenge, name=name, created_by=user)
    if team is None:
        raise JoinRejected(f"No team named {name} exists in {challenge.title}; check the spelling or create it.")
    return team
