"""Selection of the submission that represents each participant or team on a phase's leaderboard.

The phase's `leaderboard_entry` decides:

- ``latest``: the most recently created submission with results.
- ``chosen``: the submission the participant marked `chosen_for_leaderboard`
  (the latest marked one if several are); a participant who marked none is
  not on the leaderboard.
- ``best``: the submission with the best mean of the ranking's first task (the
  tie-break task when the ranking names one, else the first class's first
  metric). A submission with fewer missing cases in that task comes first, so
  that predicting a few easy cases cannot beat a complete submission. Equal
  means go to the earlier submission.

A submission has results once its first evaluation round is finalized; one
being re-evaluated keeps its previous round's results and stays eligible.
Failed and cancelled submissions never count.
"""

import math

import numpy as np

from evaluator.task import METRIC_LARGER_IS_BETTER
from submissions.models import Submission

ENTRY_RULES = ("best", "latest", "chosen")


def eligible_submissions(phase):
    """Return the phase's submissions that have results, oldest first."""
    return (
        Submission.objects.filter(phase=phase, evaluation_round__gt=0)
        .exclude(status__in=Submission.NOT_COUNTED_TOWARDS_LIMITS)
        .select_related("creator", "team")
        .order_by("created_at", "id")
    )


def participant_key(submission):
    """Return the key that groups the submissions of one team or one individual participant."""
    if submission.team_id is not None:
        return ("team", submission.team_id)
    return ("user", submission.creator_id)


def participant_label(submission):
    """Return the name shown for the submission's team or participant."""
    if submission.team_id is not None:
        return submission.team.name
    return submission.creator.get_username()


def first_task_key(task):
    """Return the task key whose mean picks the best submission."""
    if task.ranking.tie_break:
        return task.ranking.tie_break
    first_class = next(iter(task.classes))
    return f"{first_class}/{task.metrics[0]}"


def select_entries(phase, submissions, task):
    """Return one submission per participant or team, in order of first appearance.

    Raises ``ValueError`` when the phase's `leaderboard_entry` is not a known rule.
    """
    rule = phase.leaderboard_entry
    if rule not in ENTRY_RULES:
        raise ValueError(
            f"phase {phase.pk}: leaderboard_entry is {rule!r}; expected one of {', '.join(ENTRY_RULES)}"
        )

    grouped = {}
    for submission in submissions:
        grouped.setdefault(participant_key(submission), []).append(submission)

    entries = []
    for candidates in grouped.values():
        if rule == "latest":
            entries.append(candidates[-1])
        elif rule == "chosen":
            chosen = [submission for submission in candidates if submission.chosen_for_leaderboard]
            if chosen:
                entries.append(chosen[-1])
        else:
            entries.append(_best_submission(candidates, first_task_key(task)))
    return entries


def _best_submission(candidates, task_key):
    metric = task_key.rsplit("/", 1)[1]
    larger_is_better = METRIC_LARGER_IS_BETTER.get(metric, True)

    def sort_key(indexed):
        index, submission = indexed
        missing_count, mean = _first_task_summary(submission, task_key)
        # Undefined means sort last, and the candidate index keeps the earlier submission on a tie.
        if math.isnan(mean):
            signed_mean = math.inf
        elif larger_is_better:
            signed_mean = -mean
        else:
            signed_mean = mean
        return (missing_count, signed_mean, index)

    return min(enumerate(candidates), key=sort_key)[1]


def _first_task_summary(submission, task_key):
    results = submission.results or {}
    values = (results.get("values") or {}).get(task_key) or []
    missing = (results.get("missing") or {}).get(task_key) or []

    numbers = np.array([math.nan if value is None else value for value in values], dtype=np.float64)
    defined = numbers[~np.isnan(numbers)]
    mean = float(defined.mean()) if defined.size else math.nan
    return sum(bool(flag) for flag in missing), mean
