"""Permission checks of a challenge for organisers, participants and everyone else."""

from django.db.models import Q

from challenges.models import Challenge, Participation, Phase


def is_organiser(user, challenge):
    """Return whether the user organises the challenge (superusers organise every challenge)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return challenge.organisers.filter(pk=user.pk).exists()


def is_participant(user, challenge):
    """Return whether the user has joined the challenge and accepted its rules."""
    if not user.is_authenticated:
        return False
    return Participation.objects.filter(user=user, challenge=challenge).exists()


def team_of(user, challenge):
    """Return the user's team in the challenge, or None when they take part alone."""
    if not user.is_authenticated:
        return None
    participation = Participation.objects.filter(user=user, challenge=challenge).select_related("team").first()
    return participation.team if participation else None


def visible_challenges(user):
    """Return the challenges the user may see: public ones, plus those they organise or joined."""
    if user.is_authenticated and user.is_superuser:
        return Challenge.objects.all()
    condition = Q(is_public=True)
    if user.is_authenticated:
        condition |= Q(organisers=user) | Q(participations__user=user)
    return Challenge.objects.filter(condition).distinct()


def organised_challenges(user):
    """Return the challenges the user organises (every challenge for a superuser)."""
    if user.is_superuser:
        return Challenge.objects.all()
    return Challenge.objects.filter(organisers=user)


def visible_phases(user):
    """Return the phases of the challenges the user may see."""
    return Phase.objects.filter(challenge__in=visible_challenges(user)).select_related("challenge")


def can_view_submission(user, submission):
    """Return whether the user may see a submission: its creator, its team, or an organiser."""
    if not user.is_authenticated:
        return False
    if submission.creator_id == user.pk:
        return True
    if submission.team_id and submission.team.members.filter(pk=user.pk).exists():
        return True
    return is_organiser(user, submission.phase.challenge)


def visible_submissions(user, queryset):
    """Narrow a Submission queryset to the rows the user may see."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    condition = Q(creator=user) | Q(team__members=user) | Q(phase__challenge__organisers=user)
    return queryset.filter(condition).distinct()


def can_view_case_results(user, submission):
    """Return whether the user may see a submission's per-case results."""
    if is_organiser(user, submission.phase.challenge):
        return True
    return submission.phase.show_case_results and can_view_submission(user, submission)


def can_view_aggregates(user, submission):
    """Return whether the user may see a submission's aggregate scores.

    Participants see them where the phase shows either the leaderboard or
    per-case results; a phase that shows neither keeps every score hidden.
    """
    if is_organiser(user, submission.phase.challenge):
        return True
    phase = submission.phase
    return (phase.show_leaderboard or phase.show_case_results) and can_view_submission(user, submission)
