"""Template context shared by the leaderboard and analysis pages."""

from urllib.parse import urlencode

from challenges import permissions
from challenges.labels import metric_label, task_label
from leaderboards import visibility
from leaderboards.models import Snapshot, SnapshotSubset
from leaderboards.subsets import subset_label

SCHEME_WORDS = {
    "aggregate-then-rank": (
        "Aggregate then rank: each entry's per-case values are aggregated ({aggregate}) per class and "
        "metric, and the aggregates are ranked."
    ),
    "rank-then-aggregate": (
        "Rank then aggregate: entries are ranked within each case, each entry's ranks are averaged per "
        "class and metric, and the mean ranks are ranked."
    ),
    "test-then-rank": (
        "Test then rank: every pair of entries is compared per class and metric with a one-sided paired "
        "Wilcoxon signed-rank test ({correction} adjustment, alpha {alpha}), and entries are ranked by the "
        "share of other entries they beat significantly."
    ),
}
COMBINE_WORDS = {
    "mean-rank": "The overall rank ranks the mean of each entry's ranks over all classes and metrics.",
    "kits21": (
        "The overall rank follows KiTS21: scores of each metric are averaged over the classes, each metric "
        "is ranked, and the mean of those ranks is ranked."
    ),
}
CORRECTION_WORDS = {"none": "no", "holm": "Holm", "bonferroni": "Bonferroni", "bh": "Benjamini-Hochberg"}
AGGREGATE_WORDS = {"mean": "mean", "median": "median"}


def aggregate_words(aggregate):
    """Return the aggregate in words: "mean", "median" or "75 % quantile"."""
    if aggregate in AGGREGATE_WORDS:
        return AGGREGATE_WORDS[aggregate]
    quantile = float(aggregate.split(":", 1)[1])
    return f"{quantile * 100:g} % quantile"


def missing_words(policies):
    """Describe in one sentence how each metric scores a missing or rejected prediction and an undefined value."""
    by_metric = {}
    for key, policy in policies.items():
        by_metric.setdefault(key.rsplit("/", 1)[1], policy)

    fixed = [
        f"{metric_label(metric)} {policy:g}" for metric, policy in by_metric.items() if policy not in ("worst", "drop")
    ]
    worst = [metric_label(metric) for metric, policy in by_metric.items() if policy == "worst"]
    dropped = [metric_label(metric) for metric, policy in by_metric.items() if policy == "drop"]

    clauses = []
    if fixed:
        clauses.append("count as " + _join_words(fixed))
    if worst:
        clauses.append(f"take the worst {_join_words(worst)} that any entry has on the class")
    if dropped:
        clauses.append(f"are left out of {_join_words(dropped)}, so the entry is aggregated over the cases it has")
    if not clauses:
        return ""
    return "A missing or rejected prediction, and an undefined value, " + ", and ".join(clauses) + "."


def _join_words(words):
    """Join words as "a", "a and b" or "a, b and c"."""
    if len(words) < 3:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def method_in_words(snapshot, subset, phase):
    """Return the ranking scheme, combination, missing-value policy and uncertainty in words."""
    table = subset.table if subset is not None else {}
    settings = table.get("settings") or {}
    correction = CORRECTION_WORDS.get(settings.get("correction"), settings.get("correction"))
    scheme = SCHEME_WORDS.get(snapshot.scheme, snapshot.scheme).format(
        aggregate=aggregate_words(settings.get("aggregate", "mean")),
        correction=correction,
        alpha=settings.get("alpha"),
    )

    samples = table.get("bootstrap_samples", 0)
    requested = table.get("requested_samples", samples)
    if samples:
        bootstrap = (
            f"Rank intervals (2.5-97.5 %) and the intervals of the aggregates come from {samples} bootstrap "
            f"samples of the cases (seed {snapshot.seed})."
        )
        if requested and requested != samples:
            bootstrap += f" The task asks for {requested} samples; this scheme computed {samples}."
    else:
        bootstrap = "No bootstrap was computed, so ranks have no intervals."

    return {
        "scheme": scheme,
        "combine": COMBINE_WORDS.get(settings.get("combine"), settings.get("combine", "")),
        "missing": missing_words(table.get("missing_values") or {}),
        "bootstrap": bootstrap,
        "groups": (
            f"Entries that share a letter in a column are not significantly different in that class and "
            f"metric (paired Wilcoxon signed-rank tests, {correction} adjustment, alpha {settings.get('alpha')}). "
            f"The group column gives the letters of {_primary_task_label(table)}."
        ),
        "entries": _entry_words(phase.leaderboard_entry),
        "warnings": table.get("warnings", []),
    }


def page_context(request, phase, snapshot, subset_key, page_title):
    """Return the context every leaderboard page shares."""
    user = request.user
    subsets = []
    if snapshot is not None:
        subsets = list(
            SnapshotSubset.objects.filter(snapshot=snapshot).order_by("position").values("key", "label", "case_count")
        )

    query = {"subset": subset_key}
    snapshot_query = "snapshot" in request.GET
    if snapshot_query and snapshot is not None:
        query["snapshot"] = snapshot.pk

    can_manage = visibility.can_manage_leaderboard(user, phase)
    can_choose = phase.leaderboard_entry == "chosen" and permissions.is_participant(user, phase.challenge)
    return {
        "phase": phase,
        "challenge": phase.challenge,
        "snapshot": snapshot,
        "subsets": subsets,
        "subset_key": subset_key,
        "subset_label": subset_label(subset_key),
        "query": "?" + urlencode(query),
        "snapshot_query": snapshot_query,
        "page_title": page_title,
        "can_view_case_values": visibility.can_view_case_values(user, phase),
        "can_manage": can_manage,
        "can_choose": can_choose,
        "frozen_snapshots": (
            list(Snapshot.objects.filter(phase=phase, frozen=True).order_by("-created_at")) if can_manage else []
        ),
    }


def _primary_task_label(table):
    primary_task = table.get("primary_task")
    return task_label(primary_task) if primary_task else ""


def _entry_words(rule):
    if rule == "latest":
        return "Each participant or team is represented by their latest submission with results."
    if rule == "chosen":
        return "Each participant or team is represented by the submission they chose; those who chose none are not listed."
    return (
        "Each participant or team is represented by their best submission: the one with the fewest missing "
        "cases, then the best mean, in the ranking's first class and metric."
    )
