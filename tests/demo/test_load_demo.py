"""``load_demo`` creates the demo accounts, challenges and submissions once, and reuses them after."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from challenges.models import Challenge, Participation, Phase, ReferenceCase, Team
from fixtures.catalogue import DEMO_CHALLENGES
from fixtures.loading import DEMO_PASSWORD
from submissions.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_SUBMISSION_COUNT = sum(len(phase.submissions) for demo in DEMO_CHALLENGES for phase in demo.phases)
DEMO_PHASE_COUNT = sum(len(demo.phases) for demo in DEMO_CHALLENGES)
DEMO_TEAM_COUNT = sum(len({s.team for phase in demo.phases for s in phase.submissions}) for demo in DEMO_CHALLENGES)


@pytest.fixture
def queued(monkeypatch, settings, tmp_path):
    """Record the submissions handed to the pipeline instead of sending broker messages."""
    settings.PODIUM_PRIVATE_ROOT = tmp_path / "private"
    submission_ids = []
    monkeypatch.setattr("submissions.creation.queue_evaluation", submission_ids.append)
    return submission_ids


def row_counts():
    return {
        "users": get_user_model().objects.count(),
        "challenges": Challenge.objects.count(),
        "phases": Phase.objects.count(),
        "references": ReferenceCase.objects.count(),
        "teams": Team.objects.count(),
        "participations": Participation.objects.count(),
        "submissions": Submission.objects.count(),
    }


def load(stdout=None):
    call_command("load_demo", stdout=stdout or StringIO())


def test_first_load_creates_every_row(queued):
    load()

    counts = row_counts()
    assert counts["challenges"] == len(DEMO_CHALLENGES)
    assert counts["phases"] == DEMO_PHASE_COUNT
    assert counts["submissions"] == DEMO_SUBMISSION_COUNT
    assert counts["teams"] == DEMO_TEAM_COUNT
    assert sorted(queued) == sorted(Submission.objects.values_list("pk", flat=True))


def test_second_load_creates_nothing_and_queues_nothing(queued):
    load()
    first_counts = row_counts()
    first_queued = list(queued)

    load()

    assert row_counts() == first_counts
    assert queued == first_queued


def test_second_load_keeps_reference_version(queued):
    load()
    versions = dict(Phase.objects.values_list("pk", "reference_version"))

    load()

    assert dict(Phase.objects.values_list("pk", "reference_version")) == versions


def test_load_prints_the_log_ins(queued):
    stdout = StringIO()

    load(stdout)

    assert f"organiser:   organiser / {DEMO_PASSWORD}" in stdout.getvalue()
    assert f"participant: participant / {DEMO_PASSWORD}" in stdout.getvalue()


def test_organiser_organises_every_demo_challenge(queued):
    load()
    organiser = get_user_model().objects.get(username="organiser")

    assert set(organiser.organised_challenges.values_list("slug", flat=True)) == {d.slug for d in DEMO_CHALLENGES}
    assert organiser.is_staff
    assert not organiser.is_superuser
    assert organiser.check_password(DEMO_PASSWORD)


def test_participant_joined_without_submissions(queued):
    load()
    participant = get_user_model().objects.get(username="participant")

    joined = set(Participation.objects.filter(user=participant).values_list("challenge__slug", flat=True))
    assert joined == {demo.slug for demo in DEMO_CHALLENGES}
    assert not Submission.objects.filter(creator=participant).exists()
    assert participant.check_password(DEMO_PASSWORD)


def test_participant_has_room_under_each_limit(queued):
    load()

    for phase in Phase.objects.all():
        assert phase.is_open(), phase
        assert phase.daily_limit is None or phase.daily_limit >= 2, phase
        assert phase.total_limit is None or phase.total_limit >= 3, phase


def test_every_demo_submission_belongs_to_a_demo_team(queued):
    load()

    assert not Submission.objects.filter(team__isnull=True).exists()
    assert set(Submission.objects.values_list("creator__username", flat=True)) == {
        username for username in get_user_model().objects.values_list("username", flat=True)
        if username.startswith("demo-")
    }


def test_method_descriptions_form_groups(queued):
    load()

    for phase in Phase.objects.all():
        architectures = {s.method_description["architecture"] for s in phase.submissions.all()}
        assert len(architectures) >= 2 or phase.challenge.slug == "kits-demo", phase
        post_processing = {s.method_description["post_processing"] for s in phase.submissions.all()}
        assert len(post_processing) >= 2, phase


def test_reference_subsets_come_from_the_task_file(queued):
    load()

    for phase in Phase.objects.all():
        expected = {case["id"]: case["subset"] for case in phase.task_definition["cases"]}
        stored = dict(phase.reference_cases.values_list("case_id", "subset"))
        assert stored == expected, phase
        for reference in phase.reference_cases.all():
            assert all(path.is_file() for path in reference.paths()), reference
