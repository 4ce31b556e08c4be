"""Which submission represents each participant or team."""

import datetime

import pytest
from django.utils import timezone

from leaderboards.entries import eligible_submissions, select_entries
from tests.leaderboards.factories import make_phase, make_submission, make_team, make_user, uniform_values

pytestmark = pytest.mark.django_db

GOOD = uniform_values([0.9, 0.9, 0.9, 0.9], [2.0, 2.0, 2.0, 2.0])
POOR = uniform_values([0.5, 0.5, 0.5, 0.5], [9.0, 9.0, 9.0, 9.0])
# Perfect on three cases but missing case_4: fewer cases, so not the best.
PARTIAL = uniform_values([1.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 100.0])
PARTIAL_MISSING = {key: [False, False, False, True] for key in PARTIAL}


def _at(minutes):
    return timezone.now() - datetime.timedelta(minutes=60 - minutes)


@pytest.fixture
def alice_submissions():
    """Return (phase factory, names by submission id) for alice's three submissions."""

    def build(entry):
        phase = make_phase(entry=entry)
        alice = make_user(f"alice-{entry}")
        names = {
            make_submission(phase, alice, GOOD, created_at=_at(1)).pk: "good",
            make_submission(phase, alice, PARTIAL, missing=PARTIAL_MISSING, created_at=_at(2)).pk: "partial",
            make_submission(phase, alice, POOR, created_at=_at(3), chosen=True).pk: "poor",
        }
        return phase, names

    return build


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param("best", "good", id="best-prefers-complete-over-partial"),
        pytest.param("latest", "poor", id="latest"),
        pytest.param("chosen", "poor", id="chosen"),
    ],
)
def test_entry_rule(alice_submissions, rule, expected):
    phase, names = alice_submissions(rule)
    entries = select_entries(phase, eligible_submissions(phase), phase.task())
    assert [names[entry.pk] for entry in entries] == [expected]


def test_chosen_rule_skips_participant_without_choice():
    phase = make_phase(entry="chosen")
    make_submission(phase, make_user("bob"), GOOD)
    assert select_entries(phase, eligible_submissions(phase), phase.task()) == []


def test_team_has_one_entry():
    phase = make_phase(entry="latest")
    alice, bob = make_user("alice"), make_user("bob")
    team = make_team(phase.challenge, "Team One", alice, bob)
    make_submission(phase, alice, GOOD, team=team, created_at=_at(1))
    latest = make_submission(phase, bob, POOR, team=team, created_at=_at(2))
    assert select_entries(phase, eligible_submissions(phase), phase.task()) == [latest]


@pytest.mark.parametrize(
    ("status", "evaluation_round", "eligible"),
    [
        pytest.param("succeeded", 1, True, id="succeeded"),
        pytest.param("evaluating", 1, True, id="re-evaluating-keeps-previous-round"),
        pytest.param("evaluating", 0, False, id="first-evaluation-running"),
        pytest.param("failed", 1, False, id="failed"),
        pytest.param("cancelled", 1, False, id="cancelled"),
    ],
)
def test_eligible_submissions(status, evaluation_round, eligible):
    phase = make_phase()
    submission = make_submission(phase, make_user("carol"), GOOD, status=status)
    submission.evaluation_round = evaluation_round
    submission.save()
    assert (submission in eligible_submissions(phase)) is eligible


def test_best_rule_class_name_with_slash():
    # The metric is the part after the last slash, so HD95 of class "kidney/mass" is still smaller-is-better.
    task = {
        "name": "slash-class",
        "labels": {"1": "kidney"},
        "classes": {"kidney/mass": {"labels": [1]}},
        "metrics": ["hd95"],
    }
    phase = make_phase(entry="best", task=task)
    alice = make_user("alice-slash")
    close = make_submission(phase, alice, {"kidney/mass/hd95": [2.0, 2.0, 2.0, 2.0]}, created_at=_at(1))
    make_submission(phase, alice, {"kidney/mass/hd95": [9.0, 9.0, 9.0, 9.0]}, created_at=_at(2))

    assert select_entries(phase, eligible_submissions(phase), phase.task()) == [close]
