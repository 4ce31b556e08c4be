"""JSON documents of a leaderboard, shared by the API and the JSON export."""


def snapshot_document(snapshot):
    """Return the facts of a snapshot that a reader needs to reproduce it."""
    return {
        "id": snapshot.pk,
        "created_at": snapshot.created_at.isoformat(),
        "evaluator_version": snapshot.evaluator_version,
        "reference_version": snapshot.reference_version,
        "scheme": snapshot.scheme,
        "seed": snapshot.seed,
        "bootstrap_samples": snapshot.bootstrap_samples,
        "frozen": snapshot.frozen,
        "published_at": snapshot.published_at.isoformat() if snapshot.published_at else None,
    }


def leaderboard_document(phase, snapshot, subset, *, subsets, include_ranking):
    """Return the leaderboard of one subset as a JSON-safe dict.

    `subsets` lists the snapshot's subsets as ``{key, label, case_count}``.
    With `include_ranking` the full RANKING.json of the subset is added, which
    contains aggregates, ranks, bootstrap rank frequencies and p-values but no
    per-case value.
    """
    document = {
        "phase": {
            "id": phase.pk,
            "challenge": phase.challenge.slug,
            "slug": phase.slug,
            "name": phase.name,
            "leaderboard_entry": phase.leaderboard_entry,
        },
        "snapshot": snapshot_document(snapshot) if snapshot is not None else None,
        "subset": subset.key if subset is not None else None,
        "subsets": subsets,
        "leaderboard": subset.table if subset is not None else None,
    }
    if include_ranking:
        document["ranking"] = subset.ranking if subset is not None else None
    return document
