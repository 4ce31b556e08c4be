"""The REST API: joining, uploading, reading submissions, the schema and the token command."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from challenges.models import Participation
from submissions.models import Submission
from tests.platform import factories


def token_client(user):
    token, _ = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def test_phase_list_fields(cast):
    answer = token_client(cast.participant).get(reverse("api-phase-list"))
    assert answer.status_code == 200
    phase = next(row for row in answer.json() if row["id"] == cast.phase.pk)
    assert phase["challenge"] == "kidney"
    assert phase["challenge_id"] == cast.challenge.pk
    assert phase["name"] == "Phase validation"
    assert phase["is_open"] is True
    assert phase["method_fields"] == ["architecture"]


def test_join_by_api(cast):
    url = reverse("api-challenge-join", args=[cast.challenge.pk])
    first = token_client(cast.outsider).post(url, {}, content_type="application/json")
    second = token_client(cast.outsider).post(url, {}, content_type="application/json")
    assert first.status_code == 201
    assert second.status_code == 200
    assert Participation.objects.filter(user=cast.outsider, challenge=cast.challenge).count() == 1


def test_join_by_api_creating_team(cast):
    url = reverse("api-challenge-join", args=[cast.challenge.pk])
    answer = token_client(cast.outsider).post(
        url, {"team_name": "Renal", "create_team": True}, content_type="application/json"
    )
    assert answer.status_code == 201
    assert answer.json()["team"] == "Renal"


def test_join_by_api_unknown_team(cast):
    url = reverse("api-challenge-join", args=[cast.challenge.pk])
    answer = token_client(cast.outsider).post(url, {"team_name": "Nobody"}, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json() == {
        "detail": "No team named Nobody exists in Challenge kidney; check the spelling or create it."
    }


def test_join_private_challenge_not_found(cast):
    cast.challenge.is_public = False
    cast.challenge.save()
    url = reverse("api-challenge-join", args=[cast.challenge.pk])
    assert token_client(cast.outsider).post(url, {}, content_type="application/json").status_code == 404


def submit(user, phase, files, **fields):
    url = reverse("api-submission-create", args=[phase.pk])
    return token_client(user).post(url, {"file": files, **fields})


def test_submit_by_api(cast, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = submit(
            cast.participant,
            cast.phase,
            [factories.uploaded("case_1.nii.gz", b"one"), factories.uploaded("case_2.nii.gz", b"two")],
            architecture="nnU-Net",
            ensembling="ignored, not asked by the phase",
        )
    submission = Submission.objects.get()
    assert answer.status_code == 201
    assert answer.json() == {"id": submission.pk, "status": "pending"}
    assert queued == [submission.pk]
    assert submission.original_name == "predictions.zip"
    assert submission.method_description == {"architecture": "nnU-Net"}


@pytest.mark.parametrize(
    ("setup", "status", "detail"),
    [
        ("not-joined", 403, "Join Challenge kidney and accept its rules before submitting to Phase validation."),
        ("closed", 403, "Phase validation does not accept submissions now."),
        ("limit", 429, "The limit of 1 submissions per day for Phase validation is reached (1 made by you today); "
         "try again after {tomorrow} 00:00 UTC."),
        ("unsupported", 400, "Unsupported file notes.txt: upload .nii, .nii.gz, .mha or .nrrd label maps, or put "
         ".mhd and .raw pairs inside a zip or tar.gz archive."),
        ("no-file", 400, "No file was uploaded; send the predictions as the multipart field 'file'."),
        ("no-method", 400, "Phase validation asks every submission to describe its method; fill in "
         "Architecture (field 'architecture')."),
    ],
    ids=["not-joined", "closed", "limit", "unsupported", "no-file", "no-method"],
)
def test_submit_by_api_rejected(cast, queued, setup, status, detail):
    user = cast.participant
    files = [factories.uploaded("case_1.nii.gz", b"one")]
    if setup == "not-joined":
        user = cast.outsider
    elif setup == "closed":
        cast.phase.opens_at = datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC)
        cast.phase.save()
    elif setup == "limit":
        cast.phase.daily_limit = 1
        cast.phase.save()
        factories.make_submission(cast.phase, user)
    elif setup == "unsupported":
        files = [factories.uploaded("notes.txt", b"hello")]
    elif setup == "no-file":
        files = []

    count_before = Submission.objects.count()
    architecture = "" if setup == "no-method" else "nnU-Net"
    answer = submit(user, cast.phase, files, architecture=architecture)
    tomorrow = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)).strftime("%Y-%m-%d")
    assert answer.status_code == status
    assert answer.json()["detail"] == detail.format(tomorrow=tomorrow)
    assert Submission.objects.count() == count_before
    assert queued == []


def test_submission_detail_by_api(cast):
    cast.phase.show_case_results = True
    cast.phase.save()
    problems = [{"case_id": "case_2", "code": "missing_prediction", "message": "No prediction for case_2."}]
    submission = factories.make_submission(cast.phase, cast.participant, problems=problems, cases_total=2,
                                           cases_done=2)
    factories.add_case_results(submission, {"case_1": 0.5})
    payload = token_client(cast.participant).get(reverse("api-submission-detail", args=[submission.pk])).json()
    assert payload["status"] == "succeeded"
    assert (payload["cases_done"], payload["cases_total"]) == (2, 2)
    assert payload["problems"] == problems
    assert [case["case_id"] for case in payload["cases"]] == ["case_1"]
    assert payload["cases"][0]["metrics"] == {"kidney": {"dice": 0.5}}


def test_schema_lists_endpoints(db):
    answer = Client().get(reverse("api-schema"), {"format": "json"})
    paths = answer.json()["paths"]
    assert answer.status_code == 200
    for expected in (
        "/api/v1/phases/",
        "/api/v1/challenges/{id}/join/",
        "/api/v1/phases/{id}/submissions/",
        "/api/v1/submissions/{id}/",
    ):
        assert expected in paths


def test_drf_create_token_command(db):
    user = factories.make_user("scripted")
    output = io.StringIO()
    call_command("drf_create_token", "scripted", stdout=output)
    assert Token.objects.get(user=user).key in output.getvalue()


def test_submit_by_api_over_size_limit(cast, queued, settings):
    settings.PODIUM_MAX_UPLOAD_BYTES = 1000
    answer = submit(cast.participant, cast.phase, [factories.uploaded("case_1.nii.gz", b"x" * (70 * 1024))])
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_upload"
    assert answer.json()["detail"].startswith("The upload is 70.")
    assert Submission.objects.count() == 0
