"""Participant pages of challenges: the list, a challenge's rules, joining, and a phase."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from challenges.forms import JoinForm
from challenges.joining import JoinRejected, join_challenge
from challenges.models import Phase
from challenges.permissions import is_organiser, is_participant, team_of, visible_challenges


def get_visible_challenge(user, slug):
    return get_object_or_404(visible_challenges(user), slug=slug)


def challenge_list(request):
    challenges = visible_challenges(request.user).prefetch_related("phases")
    return render(request, "challenges/challenge_list.html", {"challenges": challenges})


def challenge_detail(request, slug):
    challenge = get_visible_challenge(request.user, slug)
    context = {
        "challenge": challenge,
        "phases": challenge.phases.all(),
        "joined": is_participant(request.user, challenge),
        "organiser": is_organiser(request.user, challenge),
        "team": team_of(request.user, challenge),
    }
    return render(request, "challenges/challenge_detail.html", context)


@login_required
def join(request, slug):
    challenge = get_visible_challenge(request.user, slug)
    if is_participant(request.user, challenge):
        messages.info(request, f"You have already joined {challenge.title}.")
        return redirect("challenge-detail", slug=challenge.slug)

    form = JoinForm(request.POST or None, challenge=challenge)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["team_choice"]
        team_name = form.cleaned_data["team_name"] if choice != JoinForm.TEAM_NONE else ""
        try:
            join_challenge(request.user, challenge, team_name=team_name, create_team=choice == JoinForm.TEAM_CREATE)
        except JoinRejected as error:
            form.add_error("team_name", str(error))
        else:
            messages.success(request, f"You have joined {challenge.title}.")
            return redirect("challenge-detail", slug=challenge.slug)

    return render(request, "challenges/join.html", {"challenge": challenge, "form": form})


def get_visible_phase(user, challenge_slug, phase_slug):
    challenge = get_visible_challenge(user, challenge_slug)
    try:
        return challenge.phases.select_related("challenge").get(slug=phase_slug)
    except Phase.DoesNotExist:
        raise Http404(f"No phase {phase_slug} in {challenge.title}.") from None
