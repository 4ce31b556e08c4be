"""Participant pages: sign-up, profile token, joining, uploading, and following a submission."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from challenges.models import Participation, Team
from submissions.models import Submission
from tests.platform import factories


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_signup_creates_and_logs_in_user():
    client = Client()
    answer = client.post(
        reverse("signup"),
        {"username": "newcomer", "email": "newcomer@example.org", "password1": "kidney-tumour-42",
         "password2": "kidney-tumour-42"},
    )
    assert answer.status_code == 302
    assert get_user_model().objects.filter(username="newcomer").exists()
    assert client.get(reverse("profile")).status_code == 200


@pytest.mark.django_db
def test_login_page_logs_in():
    factories.make_user("carol", password="kidney-tumour-42")
    client = Client()
    answer = client.post(reverse("login"), {"username": "carol", "password": "kidney-tumour-42"})
    assert answer.status_code == 302
    assert client.get(reverse("profile")).context["user"].username == "carol"


@pytest.mark.django_db
def test_profile_token_created_on_demand():
    user = factories.make_user()
    client = logged_in(user)
    assert client.get(reverse("profile")).context["token"] is None
    client.post(reverse("profile-token"))
    token = Token.objects.get(user=user)
    assert token.key in client.get(reverse("profile")).content.decode()


@pytest.mark.django_db
def test_profile_token_replaced():
    user = factories.make_user()
    old = Token.objects.create(user=user)
    logged_in(user).post(reverse("profile-token"), {"regenerate": "1"})
    assert Token.objects.get(user=user).key != old.key


def join_post(cast, user, **data):
    data.setdefault("accept_rules", "on")
    data.setdefault("team_choice", "none")
    return logged_in(user).post(reverse("challenge-join", args=[cast.challenge.slug]), data)


def test_join_alone(cast):
    answer = join_post(cast, cast.outsider)
    assert answer.status_code == 302
    participation = Participation.objects.get(user=cast.outsider, challenge=cast.challenge)
    assert participation.team is None


def test_join_requires_rules(cast):
    answer = join_post(cast, cast.outsider, accept_rules="")
    assert answer.status_code == 200
    assert not Participation.objects.filter(user=cast.outsider).exists()


def test_join_creating_then_joining_team(cast):
    newcomer = factories.make_user("newcomer")
    join_post(cast, cast.outsider, team_choice="create", team_name="Renal Lab")
    join_post(cast, newcomer, team_choice="join", team_name="renal lab")
    team = Team.objects.get(challenge=cast.challenge)
    assert team.name == "Renal Lab"
    assert set(team.members.values_list("username", flat=True)) == {"outsider", "newcomer"}
    assert Participation.objects.get(user=newcomer).team == team


@pytest.mark.parametrize(
    ("choice", "name", "error"),
    [
        ("create", "", "Enter the team's name."),
        ("join", "Nobody", "No team named Nobody exists in this challenge; check the spelling or create it."),
        ("create", "existing", "A team named existing already exists in this challenge; join it instead."),
    ],
    ids=["no-name", "unknown-team", "duplicate-team"],
)
def test_join_team_errors(cast, choice, name, error):
    factories.make_team(cast.challenge, "Existing")
    answer = join_post(cast, cast.outsider, team_choice=choice, team_name=name)
    assert answer.context["form"].errors["team_name"] == [error]


def phase_url(cast):
    return reverse("phase-detail", args=[cast.challenge.slug, cast.phase.slug])


def test_upload_creates_submission_and_queues_it(cast, queued, django_capture_on_commit_callbacks):
    client = logged_in(cast.participant)
    upload = factories.uploaded("predictions.zip", factories.zip_bytes({"case_1.nii.gz": b"a"}))
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(phase_url(cast), {"files": [upload], "architecture": "3D U-Net"})
    submission = Submission.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("submission-detail", args=[submission.pk])
    assert queued == [submission.pk]
    assert submission.status == "pending"
    assert submission.method_description == {"architecture": "3D U-Net"}
    assert submission.original_name == "predictions.zip"
    assert submission.reference_version == cast.phase.reference_version


def test_upload_stored_in_private_storage(cast, queued, private_root):
    client = logged_in(cast.participant)
    client.post(phase_url(cast), {"files": [factories.uploaded("case_1.nii.gz", b"a")], "architecture": "x"})
    submission = Submission.objects.get()
    assert submission.upload.path.startswith(str(private_root))
    assert client.get(f"/media/{submission.upload.name}").status_code == 404
    page = client.get(reverse("submission-detail", args=[submission.pk])).content.decode()
    assert submission.upload.name not in page


def test_upload_by_script_answers_json(cast, queued):
    client = logged_in(cast.participant)
    answer = client.post(
        phase_url(cast),
        {"files": [factories.uploaded("case_1.nii.gz", b"a")], "architecture": "x"},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    submission = Submission.objects.get()
    assert answer.status_code == 201
    assert answer.json() == {
        "id": submission.pk,
        "status": "pending",
        "redirect": reverse("submission-detail", args=[submission.pk]),
    }


@pytest.mark.parametrize(
    ("setup", "status", "detail"),
    [
        ("limit", 429, "The limit of 1 submissions in total for Phase validation is reached (1 made by you); "
         "failed and cancelled submissions do not count."),
        ("closed", 403, "Phase validation does not accept submissions now."),
        ("too-large", 400, "The upload is 1\xa0byte, above the limit of 0\xa0bytes; remove files that are not "
         "predictions or compress the label maps (.nii.gz)."),
    ],
    ids=["limit", "closed", "too-large"],
)
def test_upload_rejections_by_script(cast, queued, settings, setup, status, detail):
    if setup == "limit":
        cast.phase.total_limit = 1
        cast.phase.save()
        factories.make_submission(cast.phase, cast.participant)
    elif setup == "closed":
        cast.phase.closes_at = "2000-01-01T00:00:00Z"
        cast.phase.save()
    else:
        settings.PODIUM_MAX_UPLOAD_BYTES = 0
    answer = logged_in(cast.participant).post(
        phase_url(cast),
        {"files": [factories.uploaded("case_1.nii.gz", b"a")], "architecture": "x"},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert answer.status_code == status
    assert answer.json()["detail"] == detail
    assert queued == []


def test_upload_rejection_shown_on_page(cast, queued):
    cast.phase.total_limit = 0
    cast.phase.save()
    client = logged_in(cast.participant)
    answer = client.post(
        phase_url(cast), {"files": [factories.uploaded("case_1.nii.gz", b"a")], "architecture": "x"}, follow=True
    )
    messages = [str(message) for message in answer.context["messages"]]
    assert messages == [
        "The limit of 0 submissions in total for Phase validation is reached (0 made by you); "
        "failed and cancelled submissions do not count."
    ]


def test_method_fields_required(cast, queued):
    answer = logged_in(cast.participant).post(phase_url(cast), {"files": [factories.uploaded("case_1.nii", b"a")]})
    assert answer.status_code == 200
    assert answer.context["form"].errors == {"architecture": ["This field is required."]}


def test_phase_page_shows_form_only_to_participants(cast):
    assert logged_in(cast.participant).get(phase_url(cast)).context["form"] is not None
    assert logged_in(cast.outsider).get(phase_url(cast)).context["form"] is None


def test_status_endpoint_progress(cast):
    submission = factories.make_submission(cast.phase, cast.participant, status="evaluating", cases_total=8,
                                           cases_done=3)
    answer = logged_in(cast.participant).get(reverse("submission-status", args=[submission.pk]))
    assert answer.json() == {
        "id": submission.pk,
        "status": "evaluating",
        "cases_done": 3,
        "cases_total": 8,
        "progress": "evaluating 3 of 8 cases",
        "finished": False,
    }


def test_detail_page_machine_readable_status(cast):
    submission = factories.make_submission(cast.phase, cast.participant, status="evaluating", cases_total=8,
                                           cases_done=3)
    page = logged_in(cast.participant).get(reverse("submission-detail", args=[submission.pk])).content.decode()
    assert 'data-status="evaluating"' in page
    assert "evaluating 3 of 8 cases" in page


def test_detail_page_problems_in_words(cast):
    problems = [
        {"case_id": "case_2", "code": "missing_prediction", "message": "No prediction for case_2; add case_2.nii.gz."},
        {"case_id": "case_3", "code": "geometry_mismatch", "message": "case_3.nii.gz: spacing differs."},
    ]
    submission = factories.make_submission(cast.phase, cast.participant, problems=problems)
    context = logged_in(cast.participant).get(reverse("submission-detail", args=[submission.pk])).context
    assert [(row["case_id"], row["title"]) for row in context["problems"]] == [
        ("case_2", "Missing case"),
        ("case_3", "Wrong geometry"),
    ]


def test_detail_page_shows_dice(cast):
    submission = factories.make_submission(
        cast.phase,
        cast.participant,
        aggregates={"kidney": {"dice": {"mean": 0.8125, "std": 0.0, "median": 0.8125, "n": 1}}},
    )
    page = logged_in(cast.participant).get(reverse("submission-detail", args=[submission.pk])).content.decode()
    assert 'data-class="kidney" data-metric="dice"' in page
    assert "<td>kidney</td><td>Dice</td>" in page
    assert "0.8125" in page


@pytest.mark.django_db
def test_challenge_list_synthetic_badge_and_favicon():
    factories.make_challenge("phantoms", title="Phantoms", synthetic_data=True)
    factories.make_challenge("real", title="Real scans")
    page = Client().get(reverse("challenge-list")).content.decode()
    assert page.count('<span class="badge">Synthetic data</span>') == 1
    assert '<link rel="icon" href="/static/podium/favicon.svg"' in page


def test_status_payload_is_json_safe(cast):
    submission = factories.make_submission(cast.phase, cast.participant)
    answer = logged_in(cast.participant).get(reverse("submission-status", args=[submission.pk]))
    assert json.loads(answer.content)["finished"] is True


def test_oversized_upload_not_parsed(cast, queued, settings, monkeypatch):
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    files_started = []
    original_new_file = TemporaryFileUploadHandler.new_file

    def record_new_file(handler, *args, **kwargs):
        files_started.append(args[1])
        return original_new_file(handler, *args, **kwargs)

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", record_new_file)
    settings.PODIUM_MAX_UPLOAD_BYTES = 1000
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.participant)
    client.get(phase_url(cast))
    token = client.cookies["csrftoken"].value
    upload = factories.uploaded("case_1.nii.gz", b"x" * (70 * 1024))

    answer = client.post(
        phase_url(cast),
        {"files": [upload], "architecture": "x"},
        headers={"X-Requested-With": "XMLHttpRequest", "X-CSRFToken": token},
    )

    assert answer.status_code == 400
    assert answer.json()["detail"].startswith("The upload is 70.")
    assert files_started == []
    assert Submission.objects.count() == 0


def test_upload_under_limit_written_to_disk(cast, queued, monkeypatch):
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    files_started = []
    original_new_file = TemporaryFileUploadHandler.new_file

    def record_new_file(handler, *args, **kwargs):
        files_started.append(args[1])
        return original_new_file(handler, *args, **kwargs)

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", record_new_file)
    logged_in(cast.participant).post(phase_url(cast), {"files": [factories.uploaded("case_1.nii.gz", b"a")],
                                                       "architecture": "x"})
    assert files_started == ["case_1.nii.gz"]


def test_challenge_list_and_join_pages_render(cast):
    client = logged_in(cast.outsider)
    listing = client.get(reverse("challenge-list"))
    join_page = client.get(reverse("challenge-join", args=[cast.challenge.slug]))
    assert listing.status_code == 200
    assert cast.challenge.title in listing.content.decode()
    assert join_page.status_code == 200
    assert cast.challenge.rules in join_page.content.decode()


def test_joined_user_redirected_from_join_page(cast):
    answer = logged_in(cast.participant).get(reverse("challenge-join", args=[cast.challenge.slug]))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("challenge-detail", args=[cast.challenge.slug])
