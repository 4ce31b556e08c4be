"""The admin for organisers: scoping to their own challenges, task files, references, actions."""

import io
import json
import tarfile
import zipfile

import numpy as np
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from challenges.models import Challenge, Phase, ReferenceCase
from tests.platform import factories

pytestmark = pytest.mark.django_db


class Organisers:
    """Two organisers, each of one challenge with one phase, one reference and one submission."""

    def __init__(self):
        self.challenge_a = factories.make_challenge("alpha")
        self.challenge_b = factories.make_challenge("beta")
        self.alice = factories.make_organiser("alice", self.challenge_a)
        self.bob = factories.make_organiser("bob", self.challenge_b)
        self.phase_a = factories.make_phase(self.challenge_a, "a-phase", name="Alpha phase")
        self.phase_b = factories.make_phase(self.challenge_b, "b-phase", name="Beta phase")
        self.reference_a = factories.make_reference(self.phase_a, "alpha_case")
        self.reference_b = factories.make_reference(self.phase_b, "beta_case")
        participant = factories.make_user("participant")
        factories.join(participant, self.challenge_a)
        factories.join(participant, self.challenge_b)
        self.submission_a = factories.make_submission(self.phase_a, participant)
        self.submission_b = factories.make_submission(self.phase_b, participant)


@pytest.fixture
def organisers():
    return Organisers()


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def changelist_ids(client, model):
    answer = client.get(reverse(f"admin:{model}_changelist"))
    assert answer.status_code == 200
    return {row.pk for row in answer.context["cl"].result_list}


@pytest.mark.parametrize(
    ("model", "attribute_a"),
    [
        ("challenges_challenge", "challenge_a"),
        ("challenges_phase", "phase_a"),
        ("challenges_referencecase", "reference_a"),
        ("submissions_submission", "submission_a"),
    ],
    ids=["challenges", "phases", "references", "submissions"],
)
def test_changelist_shows_own_challenge_only(organisers, model, attribute_a):
    ids = changelist_ids(admin_client(organisers.alice), model)
    assert ids == {getattr(organisers, attribute_a).pk}


@pytest.mark.parametrize(
    ("model", "attribute_b"),
    [
        ("challenges_challenge", "challenge_b"),
        ("challenges_phase", "phase_b"),
        ("challenges_referencecase", "reference_b"),
        ("submissions_submission", "submission_b"),
    ],
    ids=["challenge", "phase", "reference", "submission"],
)
def test_other_challenge_objects_unreachable(organisers, model, attribute_b):
    url = reverse(f"admin:{model}_change", args=[getattr(organisers, attribute_b).pk])
    answer = admin_client(organisers.alice).get(url)
    # The admin redirects a request for an object outside its queryset to the admin index.
    assert answer.status_code == 302
    assert answer["Location"] == reverse("admin:index")


@pytest.mark.parametrize(
    "model",
    [
        "challenges_phase",
        "challenges_referencecase",
        "challenges_team",
        "challenges_participation",
        "submissions_submission",
    ],
)
def test_changelist_never_names_other_challenge(organisers, model):
    page = admin_client(organisers.alice).get(reverse(f"admin:{model}_changelist")).content.decode()
    assert "Challenge beta" not in page
    assert "Beta phase" not in page


def test_superuser_sees_everything(organisers):
    root = factories.make_user("root", is_staff=True, is_superuser=True)
    assert changelist_ids(admin_client(root), "challenges_phase") == {organisers.phase_a.pk, organisers.phase_b.pk}


def test_phase_challenge_choices_scoped(organisers):
    answer = admin_client(organisers.alice).get(reverse("admin:challenges_phase_add"))
    choices = {challenge.pk for challenge in answer.context["adminform"].form.fields["challenge"].queryset}
    assert choices == {organisers.challenge_a.pk}


def phase_form_data(phase, **changes):
    data = {
        "challenge": phase.challenge_id,
        "name": phase.name,
        "slug": phase.slug,
        "description": "",
        "task_definition": json.dumps(phase.task_definition),
        "leaderboard_entry": "best",
        "show_leaderboard": "on",
        "method_fields": ["architecture"],
        "reference_cases-TOTAL_FORMS": "1",
        "reference_cases-INITIAL_FORMS": "1",
        "reference_cases-MIN_NUM_FORMS": "0",
        "reference_cases-MAX_NUM_FORMS": "1000",
        "reference_cases-0-id": phase.reference_cases.get().pk,
        "reference_cases-0-phase": phase.pk,
        "reference_cases-0-subset": json.dumps(phase.reference_cases.get().subset),
    }
    data.update(changes)
    return data


def test_task_definition_error_names_key(organisers):
    broken = dict(organisers.phase_a.task_definition, metrics=["dice", "volume"])
    url = reverse("admin:challenges_phase_change", args=[organisers.phase_a.pk])
    answer = admin_client(organisers.alice).post(url, phase_form_data(organisers.phase_a, task_definition=json.dumps(broken)))
    assert answer.status_code == 200
    errors = answer.context["adminform"].form.errors["task_definition"]
    assert len(errors) == 1
    assert errors[0].startswith("task definition: metrics")


def test_task_file_import_replaces_definition(organisers):
    yaml_text = (
        "name: imported\n"
        "labels: {1: liver}\n"
        "classes: {liver: {labels: [1], nsd_tolerance_mm: 2}}\n"
        "cases:\n"
        "  - {id: alpha_case, subset: {hospital: B}}\n"
    )
    task_file = factories.uploaded("task.yaml", yaml_text.encode())
    url = reverse("admin:challenges_phase_change", args=[organisers.phase_a.pk])
    answer = admin_client(organisers.alice).post(url, phase_form_data(organisers.phase_a, task_file=task_file))
    assert answer.status_code == 302
    phase = Phase.objects.get(pk=organisers.phase_a.pk)
    assert phase.task().name == "imported"
    assert phase.task_definition["classes"] == {"liver": {"labels": [1], "nsd_tolerance_mm": 2.0}}
    assert phase.method_fields == ["architecture"]
    assert ReferenceCase.objects.get(pk=organisers.reference_a.pk).subset == {"hospital": "B"}


def test_task_export_downloads_json(organisers):
    answer = admin_client(organisers.alice).get(reverse("admin:challenges_phase_task", args=[organisers.phase_a.pk]))
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="alpha-a-phase-task.json"'
    assert json.loads(answer.content) == organisers.phase_a.task_definition


def test_task_export_of_other_challenge_not_found(organisers):
    answer = admin_client(organisers.alice).get(reverse("admin:challenges_phase_task", args=[organisers.phase_b.pk]))
    assert answer.status_code == 404


def archive_of(members, kind="zip"):
    """Return an uploaded archive of ``{name: bytes}`` members."""
    buffer = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        return factories.uploaded("references.zip", buffer.getvalue())
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.SYMTYPE
                info.linkname = "/etc/passwd"
                archive.addfile(info)
            else:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return factories.uploaded("references.tar.gz", buffer.getvalue())


def upload_references(client, phase, files, replace_all=False):
    data = {"files": files}
    if replace_all:
        data["replace_all"] = "on"
    return client.post(reverse("admin:challenges_phase_references", args=[phase.pk]), data)


def test_reference_archive_stored_privately(organisers, private_root, tmp_path):
    phase = organisers.phase_a
    phase.task_definition = dict(phase.task_definition, cases=[{"id": "case_1", "subset": {"hospital": "A"}}])
    phase.save()
    label_map = factories.label_map_bytes(np.ones((2, 2, 2)), tmp_path=tmp_path)
    upload = archive_of({"refs/case_1.nii.gz": label_map, "refs/case_2/rater_1.nii.gz": label_map,
                         "refs/case_2/rater_2.nii.gz": label_map})
    answer = upload_references(admin_client(organisers.alice), phase, [upload], replace_all=True)
    assert answer.status_code == 302

    cases = {case.case_id: case for case in ReferenceCase.objects.filter(phase=phase)}
    assert set(cases) == {"case_1", "case_2"}
    assert cases["case_1"].subset == {"hospital": "A"}
    assert cases["case_1"].paths() == [private_root / f"references/phase-{phase.pk}/case_1/case_1.nii.gz"]
    assert [path.name for path in cases["case_2"].paths()] == ["rater_1.nii.gz", "rater_2.nii.gz"]
    assert cases["case_1"].paths()[0].read_bytes() == label_map
    assert Phase.objects.get(pk=phase.pk).reference_version == 2


def test_reference_upload_not_bound_by_participant_limit(organisers, settings, tmp_path):
    settings.PODIUM_MAX_UPLOAD_BYTES = 10
    label_map = factories.label_map_bytes(np.ones((40, 40, 40)), suffix=".nii", tmp_path=tmp_path)
    answer = upload_references(admin_client(organisers.alice), organisers.phase_a,
                               [factories.uploaded("case_9.nii", label_map)])
    assert answer.status_code == 302
    assert ReferenceCase.objects.filter(phase=organisers.phase_a, case_id="case_9").exists()


def test_reference_archive_over_limit_rejected(organisers, settings, tmp_path):
    settings.PODIUM_MAX_REFERENCE_BYTES = 100
    upload = archive_of({"case_1.nii.gz": b"x" * 101})
    answer = upload_references(admin_client(organisers.alice), organisers.phase_a, [upload])
    assert "unpacks to more than 100 bytes" in answer.context["form"].errors["files"][0]


def test_single_reference_files_added(organisers, tmp_path):
    label_map = factories.label_map_bytes(np.ones((2, 2, 2)), tmp_path=tmp_path)
    files = [factories.uploaded("case_7.nii.gz", label_map), factories.uploaded("case_8.nii.gz", label_map)]
    upload_references(admin_client(organisers.alice), organisers.phase_a, files)
    case_ids = set(ReferenceCase.objects.filter(phase=organisers.phase_a).values_list("case_id", flat=True))
    assert case_ids == {"alpha_case", "case_7", "case_8"}


@pytest.mark.parametrize(
    ("members", "kind", "fragment"),
    [
        ({"../outside.nii.gz": b"x"}, "tar", "points outside the archive"),
        ({"/etc/case_1.nii.gz": b"x"}, "tar", "an absolute path"),
        ({"case_1.nii.gz": None}, "tar", "a link"),
        ({"readme.txt": b"x"}, "zip", "No label-map file"),
    ],
    ids=["dot-dot", "absolute", "symlink", "no-label-maps"],
)
def test_unsafe_reference_archive_rejected(organisers, private_root, members, kind, fragment):
    answer = upload_references(admin_client(organisers.alice), organisers.phase_a, [archive_of(members, kind)])
    errors = answer.context["form"].errors["files"]
    assert answer.status_code == 200
    assert fragment in errors[0]
    assert not (private_root.parent / "outside.nii.gz").exists()
    assert ReferenceCase.objects.filter(phase=organisers.phase_a).count() == 1


def test_reference_upload_to_other_challenge_not_found(organisers, tmp_path):
    files = [factories.uploaded("case_1.nii.gz", b"x")]
    answer = upload_references(admin_client(organisers.alice), organisers.phase_b, files)
    assert answer.status_code == 404


@pytest.fixture
def task_calls(monkeypatch):
    calls = []
    monkeypatch.setattr("submissions.tasks.cancel_submission", lambda pk: calls.append(("cancel", pk)) or True)
    monkeypatch.setattr("submissions.tasks.queue_reevaluation", lambda pk: calls.append(("reevaluate", pk)) or 2)
    return calls


@pytest.mark.parametrize(
    ("action", "name"),
    [("cancel_selected", "cancel"), ("reevaluate_selected", "reevaluate")],
    ids=["cancel", "reevaluate"],
)
def test_submission_actions_only_touch_own(organisers, task_calls, action, name):
    url = reverse("admin:submissions_submission_changelist")
    selected = [organisers.submission_a.pk, organisers.submission_b.pk]
    admin_client(organisers.alice).post(url, {"action": action, "_selected_action": selected})
    assert task_calls == [(name, organisers.submission_a.pk)]


def test_reevaluate_all_of_phase(organisers, task_calls):
    cancelled = factories.make_submission(organisers.phase_a, organisers.submission_a.creator, status="cancelled")
    url = reverse("admin:challenges_phase_changelist")
    admin_client(organisers.alice).post(
        url, {"action": "reevaluate_all", "_selected_action": [organisers.phase_a.pk, organisers.phase_b.pk]}
    )
    assert task_calls == [("reevaluate", organisers.submission_a.pk)]
    assert cancelled.pk not in [pk for _, pk in task_calls]


def test_refresh_leaderboards_of_own_phase(organisers, monkeypatch):
    refreshed = []
    monkeypatch.setattr("leaderboards.refresh.request_refresh", lambda pk, countdown_s: refreshed.append((pk, countdown_s)))
    url = reverse("admin:challenges_phase_changelist")
    admin_client(organisers.alice).post(
        url, {"action": "refresh_leaderboards", "_selected_action": [organisers.phase_a.pk, organisers.phase_b.pk]}
    )
    assert refreshed == [(organisers.phase_a.pk, 0)]


def test_organiser_opens_snapshot_admin(organisers):
    answer = admin_client(organisers.alice).get(reverse("admin:leaderboards_snapshot_changelist"))
    assert answer.status_code == 200


def test_phase_change_page_links_task_tools(organisers):
    url = reverse("admin:challenges_phase_change", args=[organisers.phase_a.pk])
    page = admin_client(organisers.alice).get(url).content.decode()
    assert reverse("admin:challenges_phase_task", args=[organisers.phase_a.pk]) in page
    assert reverse("admin:challenges_phase_references", args=[organisers.phase_a.pk]) in page


def test_reference_upload_page_renders(organisers):
    url = reverse("admin:challenges_phase_references", args=[organisers.phase_a.pk])
    answer = admin_client(organisers.alice).get(url)
    assert answer.status_code == 200
    assert answer.context["case_count"] == 1


def test_organiser_creates_challenge_they_organise(organisers):
    answer = admin_client(organisers.alice).post(
        reverse("admin:challenges_challenge_add"),
        {
            "slug": "gamma",
            "title": "Gamma",
            "description": "",
            "rules": "Be kind.",
            "is_public": "on",
            "phases-TOTAL_FORMS": "0",
            "phases-INITIAL_FORMS": "0",
            "phases-MIN_NUM_FORMS": "0",
            "phases-MAX_NUM_FORMS": "1000",
        },
    )
    assert answer.status_code == 302
    gamma = Challenge.objects.get(slug="gamma")
    assert list(gamma.organisers.values_list("username", flat=True)) == ["alice"]


def test_participant_has_no_admin_access(organisers):
    answer = admin_client(organisers.submission_a.creator).get(reverse("admin:challenges_phase_changelist"))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("admin:login"))


def admin_messages(answer):
    return [str(message) for message in answer.context["messages"]]


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("cancel_selected", "Cancelled 1 submission."),
        ("reevaluate_selected", "Queued 1 submission for re-evaluation. Cancelled submissions are skipped."),
    ],
    ids=["cancel", "reevaluate"],
)
def test_submission_action_message_singular(organisers, task_calls, action, expected):
    url = reverse("admin:submissions_submission_changelist")
    answer = admin_client(organisers.alice).post(
        url, {"action": action, "_selected_action": [organisers.submission_a.pk]}, follow=True
    )
    assert admin_messages(answer) == [expected]


def test_reevaluate_all_message_plural(organisers, task_calls):
    factories.make_submission(organisers.phase_a, organisers.submission_a.creator)
    url = reverse("admin:challenges_phase_changelist")
    answer = admin_client(organisers.alice).post(
        url, {"action": "reevaluate_all", "_selected_action": [organisers.phase_a.pk]}, follow=True
    )
    assert admin_messages(answer) == ["Queued 2 submissions for re-evaluation."]


def test_submission_change_page_shows_tables(organisers):
    submission = organisers.submission_a
    submission.method_description = {"pre_training": "none", "post_processing": ["largest component", "fill holes"]}
    submission.aggregates = {"kidney_and_mass": {"dice": {"mean": 0.98765, "median": 0.99, "std": 0.01, "n": 8}}}
    submission.save()

    answer = admin_client(organisers.alice).get(reverse("admin:submissions_submission_change", args=[submission.pk]))
    page = answer.content.decode()
    assert "<th>Pre-training</th><td>none</td>" in page
    assert "<th>Post-processing</th><td>largest component, fill holes</td>" in page
    assert "<td>kidney and mass</td><td>Dice</td><td>0.9877</td><td>0.9900</td><td>0.0100</td><td>8</td>" in page
    assert "&quot;pre_training&quot;" not in page


def test_submission_changelist_queries_constant(organisers):
    # Each row names its phase with the challenge's title, and its team, so the list selects them with the row.
    client = admin_client(organisers.alice)
    url = reverse("admin:submissions_submission_changelist")
    members = [factories.make_user(f"member-{index}") for index in range(6)]
    teams = [factories.make_team(organisers.challenge_a, f"Team {index}") for index in range(6)]

    for member, team in zip(members[:3], teams[:3]):
        factories.make_submission(organisers.phase_a, member, team=team)
    baseline = len(connection_queries(client, url))

    for member, team in zip(members[3:], teams[3:]):
        factories.make_submission(organisers.phase_a, member, team=team)
    assert len(connection_queries(client, url)) == baseline


def connection_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return context.captured_queries


@pytest.mark.parametrize(
    "model",
    ["challenges_phase", "challenges_team", "challenges_participation"],
)
def test_challenge_changelists_queries_constant(organisers, model):
    # Rows name their challenge, team and user and count references or members, all in the list's own queries.
    client = admin_client(organisers.alice)
    url = reverse(f"admin:{model}_changelist")

    def add_rows(first, last):
        for index in range(first, last):
            phase = factories.make_phase(organisers.challenge_a, f"phase-{index}")
            factories.make_reference(phase, f"case_{index}")
            member = factories.make_user(f"member-{index}")
            factories.make_team(organisers.challenge_a, f"Team {index}", members=[member])

    add_rows(0, 2)
    baseline = len(connection_queries(client, url))

    add_rows(2, 6)
    assert len(connection_queries(client, url)) == baseline
