"""Compute a phase's leaderboard snapshot from its entries' stored per-case results.

The computation is a pure function of stored rows: the entries' `results`, the
phase's reference cases with their subset tags and the task's ranking settings.
It runs `evaluator.ranking.rank_table` once per subset with the recorded seed, so
anyone holding the same per-case values reproduces the snapshot offline.
"""

import logging
import time

from django.conf import settings as django_settings
from django.db import transaction

import evaluator
from challenges.models import Phase
from evaluator.ranking.rank import rank_table
from leaderboards.entries import eligible_submissions, participant_label, select_entries
from leaderboards.models import Snapshot, SnapshotCases, SnapshotSubset
from leaderboards.subsets import parse_subset_key, subset_keys, subset_label
from leaderboards.summary import leaderboard_summary
from leaderboards.tables import build_result_table, pack_table

logger = logging.getLogger(__name__)

# Test-then-rank runs a pairwise test for every ordered pair of entries in every
# bootstrap sample (about 10,000 pairs a task for 100 entries). Its bootstrap is
# capped so that a refresh ends within minutes, and the pages state the samples used.
TEST_THEN_RANK_PAIR_SAMPLES = 100_000


def bootstrap_samples_for(settings, algorithm_count):
    """Return the bootstrap samples to draw: the task's, capped for test-then-rank with many entries.

    The evaluator caps test-then-rank's bootstrap again on its own (and reports
    it in the ranking's warnings); the leaderboard page shows the samples used.
    """
    requested = settings.bootstrap
    if settings.scheme != "test-then-rank" or algorithm_count < 2:
        return requested

    ordered_pairs = algorithm_count * (algorithm_count - 1)
    return min(requested, max(10, TEST_THEN_RANK_PAIR_SAMPLES // ordered_pairs))


def entry_descriptions(submissions):
    """Return one JSON-safe dict per entry: its label and where it came from."""
    labels = _unique_labels([participant_label(submission) for submission in submissions])
    return [
        {
            "algorithm": label,
            "submission_id": submission.pk,
            "team_id": submission.team_id,
            "creator_id": submission.creator_id,
            "created_at": submission.created_at.isoformat(),
            "method": submission.method_description or {},
        }
        for label, submission in zip(labels, submissions)
    ]


def compute_leaderboard(task, table, *, bootstrap, seed, min_subset_cases=1):
    """Rank the table on every subset of its cases.

    Returns one dict per subset, "all" first, with its key, label, case count,
    RANKING.json dict and the summary the leaderboard page shows. Each subset is
    ranked on its own cases, with its own bootstrap drawn from the same seed.
    A subset with fewer than ``min_subset_cases`` cases is left out; all cases
    are always ranked.
    """
    computed = []
    for key in subset_keys(table.subsets):
        tags = parse_subset_key(key)
        subset_table = table.select_cases(tags)
        if tags is not None and len(subset_table.case_ids) < min_subset_cases:
            continue

        ranking = rank_table(table, task.ranking, bootstrap=bootstrap, seed=seed, subset=tags)
        computed.append(
            {
                "key": key,
                "label": subset_label(key),
                "case_count": len(subset_table.case_ids),
                "ranking": ranking,
                "table": leaderboard_summary(ranking, subset_table, task),
            }
        )
    return computed


def build_snapshot(phase_id, *, covers_requests_until=None):
    """Compute and store a new live snapshot of the phase; return it."""
    started = time.perf_counter()
    phase = Phase.objects.select_related("challenge").get(pk=phase_id)
    task = phase.task()
    settings = task.ranking

    # Entries, and the reference cases that every entry is aligned on.
    submissions = select_entries(phase, eligible_submissions(phase), task)
    entries = entry_descriptions(submissions)
    reference_cases = list(phase.reference_cases.order_by("case_id").values_list("case_id", "subset"))
    case_ids = [case_id for case_id, _ in reference_cases]
    subsets = [tags or {} for _, tags in reference_cases]

    table = build_result_table(task, [entry["algorithm"] for entry in entries], submissions, case_ids, subsets)
    bootstrap = bootstrap_samples_for(settings, len(entries))
    # The aggregate of a subset of one or two cases is nearly a per-case value,
    # which a phase that hides per-case results must not show.
    min_subset_cases = 1 if phase.show_case_results else django_settings.PODIUM_MIN_SUBSET_CASES
    computed = []
    if entries and case_ids:
        computed = compute_leaderboard(
            task, table, bootstrap=bootstrap, seed=settings.seed, min_subset_cases=min_subset_cases
        )

    with transaction.atomic():
        snapshot = Snapshot.objects.create(
            phase=phase,
            evaluator_version=evaluator.__version__,
            reference_version=phase.reference_version,
            seed=settings.seed,
            bootstrap_samples=bootstrap,
            scheme=settings.scheme,
            entries=entries,
            subset_keys=[subset["key"] for subset in computed],
            covers_requests_until=covers_requests_until,
            computation_seconds=time.perf_counter() - started,
        )
        SnapshotSubset.objects.bulk_create(
            SnapshotSubset(
                snapshot=snapshot,
                key=subset["key"],
                label=subset["label"],
                position=position,
                case_count=subset["case_count"],
                table=subset["table"],
                ranking=subset["ranking"],
            )
            for position, subset in enumerate(computed)
        )
        SnapshotCases.objects.create(snapshot=snapshot, table=pack_table(table))

    logger.info(
        "Computed leaderboard snapshot %s of phase %s: %s entries, %s cases, %s subsets, %s bootstrap samples",
        snapshot.pk,
        phase_id,
        len(entries),
        len(case_ids),
        len(computed),
        bootstrap,
    )
    return snapshot


def freeze_snapshot(snapshot, *, published_at):
    """Store a frozen copy of a snapshot, published to participants at `published_at`; return it."""
    with transaction.atomic():
        cases = SnapshotCases.objects.filter(snapshot=snapshot).first()
        frozen = Snapshot.objects.create(
            phase_id=snapshot.phase_id,
            evaluator_version=snapshot.evaluator_version,
            reference_version=snapshot.reference_version,
            seed=snapshot.seed,
            bootstrap_samples=snapshot.bootstrap_samples,
            scheme=snapshot.scheme,
            entries=snapshot.entries,
            subset_keys=snapshot.subset_keys,
            covers_requests_until=snapshot.covers_requests_until,
            computation_seconds=snapshot.computation_seconds,
            frozen=True,
            published_at=published_at,
        )
        SnapshotSubset.objects.bulk_create(
            SnapshotSubset(
                snapshot=frozen,
                key=subset.key,
                label=subset.label,
                position=subset.position,
                case_count=subset.case_count,
                table=subset.table,
                ranking=subset.ranking,
            )
            for subset in snapshot.subsets.all()
        )
        if cases is not None:
            SnapshotCases.objects.create(snapshot=frozen, table=cases.table)
    logger.info("Froze leaderboard snapshot %s of phase %s as %s", snapshot.pk, snapshot.phase_id, frozen.pk)
    return frozen


def _unique_labels(labels):
    # A team and an individual participant may share a name; the later one gets a suffix.
    seen = {}
    unique = []
    for label in labels:
        count = seen.get(label, 0)
        seen[label] = count + 1
        unique.append(label if count == 0 else f"{label} ({count + 1})")
    return unique
