"""Stored leaderboard snapshots of a phase and the marker that debounces their refresh."""

from django.db import models


class Snapshot(models.Model):
    """Rankings of a phase computed once from its entries' stored per-case results.

    Pages, the API and the exports read snapshots and never recompute. A live
    snapshot is replaced by the next refresh. A frozen one is the organiser's final
    leaderboard: participants see it from `published_at` on, and refreshes leave it
    unchanged.
    """

    phase = models.ForeignKey("challenges.Phase", on_delete=models.CASCADE, related_name="leaderboard_snapshots")
    created_at = models.DateTimeField(auto_now_add=True)
    evaluator_version = models.CharField(max_length=40)
    reference_version = models.PositiveIntegerField(default=0)
    seed = models.BigIntegerField()
    bootstrap_samples = models.PositiveIntegerField(
        help_text="Bootstrap samples behind rank intervals and rank stability (0 means none were drawn)."
    )
    scheme = models.CharField(max_length=40, help_text="The ranking scheme, e.g. aggregate-then-rank.")
    entries = models.JSONField(
        default=list,
        help_text="One dict per ranked entry: algorithm label, submission id, team id, creator id, method description.",
    )
    subset_keys = models.JSONField(
        default=list, help_text='Keys of the computed subsets in selector order: "all", "hospital:A", "split:ood".'
    )
    covers_requests_until = models.DateTimeField(
        null=True, blank=True, help_text="The latest refresh request this snapshot includes."
    )
    computation_seconds = models.FloatField(default=0.0)
    frozen = models.BooleanField(default=False)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When participants may see this frozen leaderboard (UTC)."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]
        indexes = [models.Index(fields=["phase", "frozen", "-created_at"], name="snapshot_phase_frozen_created")]

    def __str__(self):
        kind = "frozen" if self.frozen else "live"
        return f"{kind} leaderboard of {self.phase} at {self.created_at:%Y-%m-%d %H:%M} UTC"


class SnapshotSubset(models.Model):
    """The leaderboard of one subset of a snapshot's cases.

    `table` contains what the leaderboard page shows (rows of ranks, intervals,
    means and letters), small enough to load on every page view. `ranking` is
    the full RANKING.json of `evaluator.ranking.rank_table`, which the analysis
    pages, the API and the exports read.
    """

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="subsets")
    key = models.CharField(max_length=200)
    label = models.CharField(max_length=200)
    position = models.PositiveIntegerField()
    case_count = models.PositiveIntegerField()
    table = models.JSONField(default=dict)
    ranking = models.JSONField(default=dict)

    class Meta:
        ordering = ["snapshot", "position"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "key"], name="snapshot_subset_once")]

    def __str__(self):
        return f"{self.label} of {self.snapshot}"


class SnapshotCases(models.Model):
    """The per-case values behind a snapshot, kept apart so that pages showing only ranks never load them.

    `table` is the snapshot's ResultTable packed by `leaderboards.tables.pack_table`
    (a compressed NumPy archive): 100 entries of 6,000 cases and 18 tasks are
    about 10 million values, too many for a JSON column.
    """

    snapshot = models.OneToOneField(Snapshot, on_delete=models.CASCADE, primary_key=True, related_name="cases")
    table = models.BinaryField()

    def __str__(self):
        return f"per-case values of {self.snapshot}"


class RefreshState(models.Model):
    """One row per phase that records refresh requests, so that a burst of them runs one computation."""

    phase = models.OneToOneField(
        "challenges.Phase", on_delete=models.CASCADE, primary_key=True, related_name="leaderboard_refresh"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    queued = models.BooleanField(default=False)
    queued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"refresh state of {self.phase}"
