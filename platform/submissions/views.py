"""Participant pages of submissions: the phase page with its upload form, lists, detail and status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse

from challenges.permissions import (
    can_view_aggregates,
    can_view_case_results,
    can_view_submission,
    is_organiser,
    is_participant,
    team_of,
    visible_submissions,
)
from challenges.models import METHOD_FIELD_LABELS
from challenges.views import get_visible_phase
from submissions.creation import SubmissionRejected, create_submission
from submissions.forms import SubmissionForm
from submissions.limits import remaining_submissions
from submissions.models import Submission
from submissions.presentation import case_table, current_case_records, problem_rows, progress_text, status_payload
from submissions.uploads import InvalidUpload, check_request_size

REJECTION_STATUS = {
    SubmissionRejected.NOT_JOINED: 403,
    SubmissionRejected.PHASE_CLOSED: 403,
    SubmissionRejected.LIMIT_REACHED: 429,
    SubmissionRejected.INVALID_UPLOAD: 400,
}


def wants_json(request):
    """Return whether the request came from the page's script, which reads JSON responses."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def phase_detail(request, challenge_slug, phase_slug):
    """Show a phase and, for participants, the upload form; handle the upload on POST."""
    phase = get_visible_phase(request.user, challenge_slug, phase_slug)
    challenge = phase.challenge
    user = request.user
    joined = is_participant(user, challenge)
    form = None

    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        response, form = handle_upload(request, phase)
        if response is not None:
            return response

    team = team_of(user, challenge)
    left_today, left_total = (None, None)
    if joined:
        left_today, left_total = remaining_submissions(phase, user, team)
        form = form or SubmissionForm(phase=phase)

    context = {
        "phase": phase,
        "challenge": challenge,
        "joined": joined,
        "organiser": is_organiser(user, challenge),
        "team": team,
        "form": form,
        "left_today": left_today,
        "left_total": left_total,
        "is_open": phase.is_open(),
        "leaderboard_url": leaderboard_url(phase) if phase.show_leaderboard or is_organiser(user, challenge) else None,
    }
    return render(request, "submissions/phase_detail.html", context)


def leaderboard_url(phase):
    """Return the phase's leaderboard page, or None where the leaderboards app is not installed."""
    try:
        return reverse("leaderboard", args=[phase.challenge.slug, phase.slug])
    except NoReverseMatch:
        return None


def handle_upload(request, phase):
    """Create a submission from the POST; return (response, form), the response None to show the form's errors."""
    # The size check reads only the header, before Django parses the body.
    try:
        check_request_size(request.META.get("CONTENT_LENGTH"))
    except InvalidUpload as error:
        return rejection_response(request, phase, SubmissionRejected.INVALID_UPLOAD, str(error)), None

    form = SubmissionForm(request.POST, request.FILES, phase=phase)
    if not form.is_valid():
        if wants_json(request):
            return JsonResponse({"detail": "Check the form.", "errors": form.errors.get_json_data()}, status=400), form
        return None, form

    try:
        submission = create_submission(
            user=request.user,
            phase=phase,
            files=form.cleaned_data["files"],
            method_description=form.method_description(),
        )
    except SubmissionRejected as rejection:
        return rejection_response(request, phase, rejection.code, rejection.message), form

    detail_url = reverse("submission-detail", args=[submission.pk])
    if wants_json(request):
        return JsonResponse({"id": submission.pk, "status": submission.status, "redirect": detail_url}, status=201), form
    messages.success(request, "Your predictions were uploaded and are queued for evaluation.")
    return redirect(detail_url), form


def rejection_response(request, phase, code, message):
    if wants_json(request):
        return JsonResponse({"detail": message, "code": code}, status=REJECTION_STATUS[code])
    messages.error(request, message)
    return redirect("phase-detail", challenge_slug=phase.challenge.slug, phase_slug=phase.slug)


@login_required
def submission_list(request, challenge_slug, phase_slug):
    """List the submissions to a phase that the user may see (all of them for organisers)."""
    phase = get_visible_phase(request.user, challenge_slug, phase_slug)
    submissions = visible_submissions(request.user, Submission.objects.filter(phase=phase))
    submissions = submissions.select_related("creator", "team")
    rows = [{"submission": submission, "progress": progress_text(submission)} for submission in submissions]
    context = {"phase": phase, "challenge": phase.challenge, "rows": rows}
    return render(request, "submissions/submission_list.html", context)


def get_visible_submission(user, pk):
    """Return the submission when the user may see it; else raise Http404."""
    submission = get_object_or_404(Submission.objects.select_related("phase__challenge", "creator", "team"), pk=pk)
    # Return 404 rather than 403, so that ids of other people's submissions reveal nothing.
    if not can_view_submission(user, submission):
        raise Http404("No such submission.")
    return submission


@login_required
def submission_detail(request, pk):
    submission = get_visible_submission(request.user, pk)
    show_cases = can_view_case_results(request.user, submission)
    columns, rows = case_table(current_case_records(submission)) if show_cases else ([], [])
    context = {
        "submission": submission,
        "phase": submission.phase,
        "challenge": submission.phase.challenge,
        "progress": progress_text(submission),
        "problems": problem_rows(submission),
        "show_aggregates": can_view_aggregates(request.user, submission),
        "aggregate_rows": aggregate_rows(submission.aggregates),
        "show_cases": show_cases,
        "case_columns": columns,
        "case_rows": rows,
        "method_rows": [
            (METHOD_FIELD_LABELS.get(name, name), value) for name, value in submission.method_description.items()
        ],
    }
    return render(request, "submissions/submission_detail.html", context)


def aggregate_rows(aggregates):
    """Flatten {class: {metric: {mean, std, median, n}}} into rows for a table."""
    rows = []
    for class_name, metrics in (aggregates or {}).items():
        for metric, summary in (metrics or {}).items():
            rows.append({"class_name": class_name, "metric": metric, **(summary or {})})
    return rows


@login_required
def submission_status(request, pk):
    """Return the submission's status as JSON, for the page's poll."""
    submission = get_visible_submission(request.user, pk)
    return JsonResponse(status_payload(submission))
