"""Permission tables: which user may read which leaderboard page, export and API response."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from leaderboards.models import Snapshot
from leaderboards.snapshot import build_snapshot, freeze_snapshot
from leaderboards.visibility import visible_snapshot
from tests.leaderboards.factories import join, make_phase, make_submission, make_user, uniform_values

pytestmark = pytest.mark.django_db

SUBMITTER_VALUES = uniform_values([0.9, 0.8, 0.7, 0.6], [2.0, 3.0, 4.0, 5.0])
OTHER_VALUES = uniform_values([0.6, 0.7, 0.5, 0.4], [6.0, 5.0, 7.0, 9.0])

# Pages and downloads that show aggregates, ranks and intervals only.
LEADERBOARD_ENDPOINTS = ("leaderboard", "leaderboard-analysis", "leaderboard-csv", "leaderboard-json", "api")
# Pages and downloads that show per-case values.
CASE_ENDPOINTS = ("leaderboard-cases", "leaderboard-case", "leaderboard-cases-csv", "leaderboard-cases-json", "leaderboard-report")

PHASES = {
    # A validation phase: per-case results shown.
    "public": {"public": True, "show_case_results": True, "show_leaderboard": True},
    # A hidden test phase: per-case results not shown.
    "hidden": {"public": True, "show_case_results": False, "show_leaderboard": True},
    # A phase whose leaderboard the organiser has not published.
    "unpublished": {"public": True, "show_case_results": True, "show_leaderboard": False},
    # A hidden test phase of a challenge that is not public.
    "private": {"public": False, "show_case_results": False, "show_leaderboard": True},
}

ALL = 200
NONE = 404

# (phase, user) -> (status of the leaderboard endpoints, status of the per-case endpoints)
PERMISSIONS = {
    ("public", "organiser"): (ALL, ALL),
    ("public", "submitter"): (ALL, ALL),
    ("public", "other participant"): (ALL, ALL),
    ("public", "anonymous"): (ALL, ALL),
    ("hidden", "organiser"): (ALL, ALL),
    ("hidden", "submitter"): (ALL, NONE),
    ("hidden", "other participant"): (ALL, NONE),
    ("hidden", "anonymous"): (ALL, NONE),
    ("unpublished", "organiser"): (ALL, ALL),
    ("unpublished", "submitter"): (NONE, NONE),
    ("unpublished", "other participant"): (NONE, NONE),
    ("unpublished", "anonymous"): (NONE, NONE),
    ("private", "organiser"): (ALL, ALL),
    ("private", "submitter"): (ALL, NONE),
    ("private", "other participant"): (ALL, NONE),
    ("private", "anonymous"): (NONE, NONE),
}


def build_phase(kind):
    """Create a phase of the given kind with an organiser, two participants with entries, and a snapshot."""
    phase = make_phase(**PHASES[kind])
    organiser = make_user("organiser")
    phase.challenge.organisers.add(organiser)
    submitter = make_user("submitter")
    other = make_user("other")
    join(submitter, phase.challenge)
    join(other, phase.challenge)
    make_submission(phase, submitter, SUBMITTER_VALUES, method={"architecture": "U-Net", "pre_training": "no"})
    make_submission(phase, other, OTHER_VALUES, method={"architecture": "transformer", "pre_training": "yes"})
    build_snapshot(phase.pk)
    return phase, {"organiser": organiser, "submitter": submitter, "other participant": other, "anonymous": None}


def endpoint_url(name, phase):
    if name == "api":
        return reverse("api-phase-leaderboard", kwargs={"phase_id": phase.pk})
    kwargs = {"challenge_slug": phase.challenge.slug, "phase_slug": phase.slug}
    if name == "leaderboard-case":
        kwargs["case_id"] = "case_1"
    return reverse(name, kwargs=kwargs)


def statuses(client, phase, user):
    if user is not None:
        client.force_login(user)
    return {name: client.get(endpoint_url(name, phase)).status_code for name in LEADERBOARD_ENDPOINTS + CASE_ENDPOINTS}


@pytest.mark.parametrize(("kind", "role"), list(PERMISSIONS), ids=[f"{kind}-{role}" for kind, role in PERMISSIONS])
def test_permission_table(client, kind, role):
    phase, users = build_phase(kind)
    leaderboard_status, case_status = PERMISSIONS[(kind, role)]
    expected = {name: leaderboard_status for name in LEADERBOARD_ENDPOINTS}
    expected.update({name: case_status for name in CASE_ENDPOINTS})
    assert statuses(client, phase, users[role]) == expected


@pytest.mark.parametrize(
    ("kind", "role", "shown"),
    [
        pytest.param("hidden", "submitter", False, id="hidden-submitter"),
        pytest.param("hidden", "organiser", True, id="hidden-organiser"),
        pytest.param("public", "anonymous", True, id="public-anonymous"),
    ],
)
def test_analysis_per_case_figures(client, kind, role, shown):
    phase, users = build_phase(kind)
    if users[role] is not None:
        client.force_login(users[role])
    html = client.get(endpoint_url("leaderboard-analysis", phase)).content.decode()
    assert ('id="figure-dot-box"' in html) is shown


def test_hidden_phase_links_no_case_downloads(client):
    phase, users = build_phase("hidden")
    client.force_login(users["submitter"])
    html = client.get(endpoint_url("leaderboard", phase)).content.decode()
    assert endpoint_url("leaderboard-cases-csv", phase) not in html


class TestFrozenLeaderboard:
    """Participants see a frozen leaderboard only from its publication time; organisers see the live one."""

    def _phase_with_frozen(self, published_in):
        phase, users = build_phase("hidden")
        live = Snapshot.objects.get(phase=phase)
        frozen = freeze_snapshot(live, published_at=timezone.now() + published_in)
        # A later refresh replaces the live snapshot, never the frozen one.
        newer = build_snapshot(phase.pk)
        return phase, users, frozen, newer

    def test_before_publication_participant_sees_live(self):
        phase, users, frozen, newer = self._phase_with_frozen(datetime.timedelta(hours=1))
        assert visible_snapshot(users["submitter"], phase) == newer

    def test_after_publication_participant_sees_frozen(self):
        phase, users, frozen, newer = self._phase_with_frozen(-datetime.timedelta(minutes=1))
        assert visible_snapshot(users["submitter"], phase) == frozen

    def test_after_publication_anonymous_sees_frozen(self):
        phase, users, frozen, newer = self._phase_with_frozen(-datetime.timedelta(minutes=1))
        assert visible_snapshot(users["anonymous"] or _anonymous(), phase) == frozen

    def test_organiser_sees_live(self):
        phase, users, frozen, newer = self._phase_with_frozen(-datetime.timedelta(minutes=1))
        assert visible_snapshot(users["organiser"], phase) == newer

    def test_participant_cannot_request_snapshot_by_id(self, client):
        phase, users, frozen, newer = self._phase_with_frozen(datetime.timedelta(hours=1))
        client.force_login(users["submitter"])
        response = client.get(endpoint_url("leaderboard-json", phase), {"snapshot": frozen.pk})
        assert response.json()["snapshot"]["id"] == newer.pk


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
