"""Models of the challenges app: dates, task parsing, reference paths and validation."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from challenges.models import Phase, validate_method_fields
from tests.platform import factories

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "expected"),
    [
        (None, None, True),
        (NOW - HOUR, None, True),
        (NOW + HOUR, None, False),
        (None, NOW + HOUR, True),
        (None, NOW - HOUR, False),
        (None, NOW, False),
        (NOW, NOW + HOUR, True),
    ],
    ids=["no-dates", "opened", "not-yet-open", "closes-later", "closed", "closes-now", "opens-now"],
)
def test_phase_is_open(opens_at, closes_at, expected):
    phase = factories.make_phase(opens_at=opens_at, closes_at=closes_at)
    assert phase.is_open(now=NOW) is expected


def test_phase_task_parses_definition():
    phase = factories.make_phase()
    task = phase.task()
    assert task.name == "kidney-test"
    assert task.classes["tumor"].labels == (2,)


def test_phase_closing_before_opening_invalid():
    phase = factories.make_phase(opens_at=NOW, closes_at=NOW - HOUR)
    with pytest.raises(ValidationError) as raised:
        phase.clean()
    assert raised.value.message_dict == {"closes_at": ["The phase must close after it opens."]}


def test_bump_reference_version():
    phase = factories.make_phase()
    phase.bump_reference_version()
    assert phase.reference_version == 2
    assert Phase.objects.get(pk=phase.pk).reference_version == 2


def test_reference_paths_in_private_storage(private_root):
    phase = factories.make_phase()
    case = factories.make_reference(phase, "case_1", files=["references/phase-1/case_1/case_1.nii.gz"])
    assert case.paths() == [private_root / "references/phase-1/case_1/case_1.nii.gz"]
    assert case.display_name == "case_1"
    assert str(case) == "case_1"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("architecture", "Expected a list of field names, got str."),
        (["architecture", "gpu"], "Unknown method-description fields ['gpu']; choose among architecture, "
         "pre_training, ensembling, post_processing, extra_training_data."),
    ],
    ids=["not-a-list", "unknown-name"],
)
def test_method_fields_validation(value, message):
    with pytest.raises(ValidationError) as raised:
        validate_method_fields(value)
    assert raised.value.messages == [message]


def test_participation_team_of_other_challenge_invalid():
    user = factories.make_user()
    challenge = factories.make_challenge()
    other_team = factories.make_team(factories.make_challenge())
    participation = factories.join(user, challenge)
    participation.team = other_team
    with pytest.raises(ValidationError):
        participation.clean()


def test_organiser_gets_admin_access():
    challenge = factories.make_challenge()
    organiser = factories.make_organiser("alice", challenge)
    assert organiser.is_staff is True
    assert organiser.is_superuser is False
    assert list(organiser.groups.values_list("name", flat=True)) == ["Organisers"]
    assert organiser.has_perm("challenges.change_phase") is True
    assert organiser.has_perm("submissions.view_submission") is True


def test_challenge_ends_before_start_invalid():
    challenge = factories.make_challenge(starts_at=timezone.now(), ends_at=timezone.now() - HOUR)
    with pytest.raises(ValidationError):
        challenge.clean()


def test_submission_str_names_phase():
    challenge = factories.make_challenge("kidney", title="Kidney challenge")
    phase = factories.make_phase(challenge, "test", name="Test")
    submission = factories.make_submission(phase, factories.make_user("participant"))
    assert str(submission) == f"Submission {submission.pk} to Kidney challenge: Test (succeeded)"
