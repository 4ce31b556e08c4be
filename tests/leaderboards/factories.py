"""Build phases, entries and stored per-case results for leaderboard tests, without a worker."""

import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from challenges.models import Challenge, Participation, Phase, ReferenceCase, Team
from submissions.models import Submission

# Four reference cases: two hospitals, one in-distribution and one
# out-of-distribution case each.
CASES = {
    "case_1": {"hospital": "A", "split": "in"},
    "case_2": {"hospital": "A", "split": "ood"},
    "case_3": {"hospital": "B", "split": "in"},
    "case_4": {"hospital": "B", "split": "ood"},
}

TASK_DEFINITION = {
    "name": "leaderboard-test",
    "labels": {"1": "liver", "2": "tumor"},
    "classes": {"liver": {"labels": [1]}, "tumor": {"labels": [2]}},
    "metrics": ["dice", "hd95"],
    "missing_values": {"dice": 0.0, "hd95": 100.0},
    "ranking": {"scheme": "aggregate-then-rank", "bootstrap": 40, "seed": 11},
}

_sequence = itertools.count(1)


def make_user(name):
    """Create a user with the password "password"."""
    return get_user_model().objects.create_user(username=name, password="password")


def make_phase(*, public=True, show_case_results=True, show_leaderboard=True, entry="latest", task=None, cases=None):
    """Create a challenge with one phase and its reference cases."""
    number = next(_sequence)
    challenge = Challenge.objects.create(slug=f"challenge-{number}", title=f"Challenge {number}", is_public=public)
    phase = Phase.objects.create(
        challenge=challenge,
        slug="test",
        name="Test phase",
        task_definition=task or TASK_DEFINITION,
        show_case_results=show_case_results,
        show_leaderboard=show_leaderboard,
        leaderboard_entry=entry,
        method_fields=["architecture", "pre_training"],
    )
    for case_id, tags in (cases or CASES).items():
        ReferenceCase.objects.create(phase=phase, case_id=case_id, subset=tags)
    return phase


def join(user, challenge, team=None):
    """Make the user a participant of the challenge."""
    return Participation.objects.create(user=user, challenge=challenge, team=team)


def make_team(challenge, name, *members):
    """Create a team of the challenge with the given members, all participants."""
    team = Team.objects.create(challenge=challenge, name=name)
    for member in members:
        team.members.add(member)
        join(member, challenge, team)
    return team


def results_document(values, missing=None, case_ids=None):
    """Return a submission's `results` dict from ``{task key: [value per case]}``.

    `missing` marks missing cells per task key; absent keys have none.
    """
    case_ids = list(case_ids or CASES)
    missing = missing or {}
    return {
        "case_ids": case_ids,
        "values": {key: list(row) for key, row in values.items()},
        "missing": {key: list(missing.get(key, [False] * len(case_ids))) for key in values},
    }


def make_submission(phase, creator, values, *, missing=None, team=None, method=None, chosen=False, status="succeeded", created_at=None):
    """Create a finalized submission whose stored results are `values` (see `results_document`)."""
    return Submission.objects.create(
        phase=phase,
        creator=creator,
        team=team,
        status=status,
        original_name="predictions.zip",
        upload="uploads/none.zip",
        method_description=method or {},
        results=results_document(values, missing),
        evaluation_round=1,
        cases_total=len(CASES),
        cases_done=len(CASES),
        reference_version=phase.reference_version,
        chosen_for_leaderboard=chosen,
        created_at=created_at or timezone.now(),
        finished_at=timezone.now(),
    )


def uniform_values(dice, hd95):
    """Return values for every task key: each class gets the same list of Dice and HD95 values."""
    return {
        "liver/dice": dice,
        "liver/hd95": hd95,
        "tumor/dice": dice,
        "tumor/hd95": hd95,
    }
