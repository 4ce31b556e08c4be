"""Organiser actions on a leaderboard (refresh, freeze) and a participant's choice of entry."""

import datetime
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from challenges import permissions
from leaderboards import visibility
from leaderboards.entries import eligible_submissions, participant_key
from leaderboards.lookups import get_phase
from leaderboards.models import Snapshot
from leaderboards.refresh import request_refresh
from leaderboards.snapshot import freeze_snapshot
from submissions.models import Submission

logger = logging.getLogger(__name__)


def _managed_phase(request, challenge_slug, phase_slug):
    phase = get_phase(challenge_slug, phase_slug)
    if not visibility.can_manage_leaderboard(request.user, phase):
        raise Http404("Only the challenge's organisers manage its leaderboards.")
    return phase


@require_POST
@login_required
def refresh(request, challenge_slug, phase_slug):
    """Queue an immediate recomputation of the phase's leaderboard."""
    phase = _managed_phase(request, challenge_slug, phase_slug)
    request_refresh(phase.pk, countdown_s=0)
    logger.info("User %s requested a leaderboard refresh of phase %s", request.user.pk, phase.pk)
    messages.success(request, "The leaderboard is being recomputed; reload the page in a moment.")
    return redirect("leaderboard", challenge_slug=challenge_slug, phase_slug=phase_slug)


def parse_published_at(text):
    """Parse the publication time of a frozen leaderboard (an HTML datetime-local value, UTC).

    An empty value means now. Raises ``ValueError`` with a message for the organiser.
    """
    if not text:
        return timezone.now()
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Publication time {text!r} is not a date and time such as 2026-12-31T12:00.") from None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


@require_POST
@login_required
def freeze(request, challenge_slug, phase_slug):
    """Freeze the latest live snapshot as the phase's final leaderboard, published at the chosen time."""
    phase = _managed_phase(request, challenge_slug, phase_slug)
    latest = Snapshot.objects.filter(phase=phase, frozen=False).order_by("-created_at", "-id").first()
    if latest is None:
        messages.error(request, "There is no leaderboard to freeze yet; refresh it first.")
        return redirect("leaderboard", challenge_slug=challenge_slug, phase_slug=phase_slug)

    try:
        published_at = parse_published_at(request.POST.get("published_at", "").strip())
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("leaderboard", challenge_slug=challenge_slug, phase_slug=phase_slug)

    frozen = freeze_snapshot(latest, published_at=published_at)
    messages.success(
        request, f"The leaderboard is frozen; participants see it from {published_at:%Y-%m-%d %H:%M} UTC."
    )
    return redirect(f"{_leaderboard_path(challenge_slug, phase_slug)}?snapshot={frozen.pk}")


@login_required
def choose_entry(request, challenge_slug, phase_slug):
    """List the participant's submissions with results and mark the one that represents them."""
    phase = get_phase(challenge_slug, phase_slug)
    if not permissions.is_participant(request.user, phase.challenge):
        raise Http404("Only participants of the challenge choose a leaderboard entry.")

    own_key = _own_key(request.user, phase)
    own = [submission for submission in eligible_submissions(phase) if participant_key(submission) == own_key]

    if request.method == "POST":
        chosen_id = request.POST.get("submission", "")
        chosen = next((submission for submission in own if str(submission.pk) == chosen_id), None)
        if chosen is None:
            messages.error(request, "Choose one of your own submissions that has results.")
        else:
            _mark_chosen(chosen, own)
            messages.success(request, f"Submission {chosen.pk} now represents you on the leaderboard.")
            return redirect("leaderboard-choose", challenge_slug=challenge_slug, phase_slug=phase_slug)

    return render(
        request,
        "leaderboards/choose.html",
        {"phase": phase, "challenge": phase.challenge, "submissions": list(reversed(own))},
    )


def _own_key(user, phase):
    team = permissions.team_of(user, phase.challenge)
    return ("team", team.pk) if team is not None else ("user", user.pk)


def _mark_chosen(chosen, own):
    with transaction.atomic():
        Submission.objects.filter(pk__in=[submission.pk for submission in own]).exclude(pk=chosen.pk).update(
            chosen_for_leaderboard=False
        )
        Submission.objects.filter(pk=chosen.pk).update(chosen_for_leaderboard=True)
        request_refresh(chosen.phase_id)
    logger.info("Submission %s chosen for the leaderboard of phase %s", chosen.pk, chosen.phase_id)


def _leaderboard_path(challenge_slug, phase_slug):
    return reverse("leaderboard", kwargs={"challenge_slug": challenge_slug, "phase_slug": phase_slug})
