"""Who may see what: exact sets of roles for pages and API endpoints."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.platform import factories

ROLES = ["organiser", "participant", "other_participant", "outsider", "anonymous"]


def client_for(cast, role):
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    return client


def api_client_for(cast, role):
    if role == "anonymous":
        return Client()
    token, _ = Token.objects.get_or_create(user=getattr(cast, role))
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def roles_answered(cast, url, status=200, api=False):
    """Return the set of roles whose GET of ``url`` returns ``status``."""
    make_client = api_client_for if api else client_for
    return {role for role in ROLES if make_client(cast, role).get(url).status_code == status}


@pytest.fixture
def submission(cast):
    submission = factories.make_submission(cast.phase, cast.participant)
    factories.add_case_results(submission, {"case_1": 0.8, "case_2": 0.6})
    submission.aggregates = {"kidney": {"dice": {"mean": 0.7, "std": 0.1, "median": 0.7, "n": 2}}}
    submission.save()
    return submission


def test_public_challenge_seen_by_everyone(cast):
    url = reverse("challenge-detail", args=[cast.challenge.slug])
    assert roles_answered(cast, url) == set(ROLES)


def test_private_challenge_seen_by_members(cast):
    cast.challenge.is_public = False
    cast.challenge.save()
    url = reverse("challenge-detail", args=[cast.challenge.slug])
    assert roles_answered(cast, url) == {"organiser", "participant", "other_participant"}
    assert roles_answered(cast, url, status=404) == {"outsider", "anonymous"}


def test_private_phase_page_seen_by_members(cast):
    cast.challenge.is_public = False
    cast.challenge.save()
    url = reverse("phase-detail", args=[cast.challenge.slug, cast.phase.slug])
    assert roles_answered(cast, url) == {"organiser", "participant", "other_participant"}


def test_submission_page_seen_by_creator_and_organiser(cast, submission):
    url = reverse("submission-detail", args=[submission.pk])
    assert roles_answered(cast, url) == {"organiser", "participant"}
    assert roles_answered(cast, url, status=404) == {"other_participant", "outsider"}
    assert roles_answered(cast, url, status=302) == {"anonymous"}


def test_status_endpoint_seen_by_creator_and_organiser(cast, submission):
    url = reverse("submission-status", args=[submission.pk])
    assert roles_answered(cast, url) == {"organiser", "participant"}


def test_api_submission_seen_by_creator_and_organiser(cast, submission):
    url = reverse("api-submission-detail", args=[submission.pk])
    assert roles_answered(cast, url, api=True) == {"organiser", "participant"}
    assert roles_answered(cast, url, status=404, api=True) == {"other_participant", "outsider"}
    assert roles_answered(cast, url, status=401, api=True) == {"anonymous"}


def test_team_member_sees_team_submission(cast):
    teammate = factories.make_user("teammate")
    team = factories.make_team(cast.challenge, "Renal", members=[teammate])
    team.members.add(cast.participant)
    submission = factories.make_submission(cast.phase, cast.participant, team=team)
    client = Client()
    client.force_login(teammate)
    assert client.get(reverse("submission-detail", args=[submission.pk])).status_code == 200


def case_rows_seen(cast, submission):
    """Return the roles whose API response and page include the per-case results."""
    seen = set()
    for role in ("organiser", "participant"):
        payload = api_client_for(cast, role).get(reverse("api-submission-detail", args=[submission.pk])).json()
        page = client_for(cast, role).get(reverse("submission-detail", args=[submission.pk])).content.decode()
        api_shows = payload["cases"] is not None
        page_shows = 'data-case="case_1"' in page
        assert api_shows == page_shows, f"page and API disagree for {role}"
        if api_shows:
            seen.add(role)
    return seen


@pytest.mark.parametrize(
    ("show_case_results", "expected"),
    [(False, {"organiser"}), (True, {"organiser", "participant"})],
    ids=["hidden", "shown"],
)
def test_case_results_visibility(cast, submission, show_case_results, expected):
    cast.phase.show_case_results = show_case_results
    cast.phase.save()
    assert case_rows_seen(cast, submission) == expected


def test_scores_hidden_when_phase_shows_nothing(cast, submission):
    cast.phase.show_case_results = False
    cast.phase.show_leaderboard = False
    cast.phase.save()
    url = reverse("api-submission-detail", args=[submission.pk])
    assert api_client_for(cast, "participant").get(url).json()["aggregates"] is None
    assert api_client_for(cast, "organiser").get(url).json()["aggregates"] == submission.aggregates


def test_api_phase_list_of_private_challenge(cast):
    cast.challenge.is_public = False
    cast.challenge.save()
    url = reverse("api-phase-list")
    seen = {
        role
        for role in ROLES
        if any(phase["id"] == cast.phase.pk for phase in api_client_for(cast, role).get(url).json())
    }
    assert seen == {"organiser", "participant", "other_participant"}


def test_api_submit_allowed_for_participants(cast, queued, settings):
    url = reverse("api-submission-create", args=[cast.phase.pk])
    answered = {}
    for role in ROLES:
        upload = factories.uploaded("case_1.nii.gz", b"label map")
        answered[role] = api_client_for(cast, role).post(url, {"file": upload, "architecture": "U-Net"}).status_code
    assert answered == {
        "organiser": 403,
        "participant": 201,
        "other_participant": 201,
        "outsider": 403,
        "anonymous": 401,
    }


def test_submission_list_rows_per_role(cast, submission):
    other = factories.make_submission(cast.phase, cast.other_participant)
    url = reverse("submission-list", args=[cast.challenge.slug, cast.phase.slug])
    rows = {}
    for role in ("organiser", "participant", "other_participant", "outsider"):
        page = client_for(cast, role).get(url).content.decode()
        rows[role] = {
            pk for pk in (submission.pk, other.pk) if f'href="{reverse("submission-detail", args=[pk])}"' in page
        }
    assert rows == {
        "organiser": {submission.pk, other.pk},
        "participant": {submission.pk},
        "other_participant": {other.pk},
        "outsider": set(),
    }


def test_references_reachable_by_no_url(cast, private_root):
    from django.core.files.base import ContentFile

    from submissions.storage import private_storage

    name = private_storage().save(f"references/phase-{cast.phase.pk}/case_1/case_1.nii.gz", ContentFile(b"ref"))
    factories.make_reference(cast.phase, "case_1", files=[name])
    pages = [
        reverse("phase-detail", args=[cast.challenge.slug, cast.phase.slug]),
        reverse("challenge-detail", args=[cast.challenge.slug]),
    ]
    for role in ROLES:
        client = client_for(cast, role)
        for prefix in ("/media/", "/static/", "/", "/private/"):
            assert client.get(f"{prefix}{name}").status_code == 404, f"{prefix}{name} for {role}"
        for page in pages:
            assert "references/phase-" not in client.get(page).content.decode()
        api_text = api_client_for(cast, role).get(reverse("api-phase-list")).content.decode()
        assert "references/phase-" not in api_text
