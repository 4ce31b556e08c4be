"""Challenges, phases, hidden reference cases, teams and participations."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from submissions.storage import private_storage

METHOD_FIELD_CHOICES = [
    ("architecture", "Architecture"),
    ("pre_training", "Pre-training"),
    ("ensembling", "Ensembling"),
    ("post_processing", "Post-processing"),
    ("extra_training_data", "Extra training data"),
]
METHOD_FIELD_NAMES = [name for name, _ in METHOD_FIELD_CHOICES]
METHOD_FIELD_LABELS = dict(METHOD_FIELD_CHOICES)


def validate_method_fields(value):
    """Reject method-description field names outside METHOD_FIELD_NAMES."""
    if not isinstance(value, list):
        raise ValidationError(f"Expected a list of field names, got {type(value).__name__}.")
    unknown = [name for name in value if name not in METHOD_FIELD_NAMES]
    if unknown:
        raise ValidationError(
            f"Unknown method-description fields {unknown}; choose among {', '.join(METHOD_FIELD_NAMES)}."
        )


class Challenge(models.Model):
    """A challenge: its description, rules, dates and organisers."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    rules = models.TextField(blank=True, help_text="Participants accept these rules when they join.")
    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="organised_challenges", blank=True)
    is_public = models.BooleanField(default=True, help_text="Listed on the site for everyone.")
    synthetic_data = models.BooleanField(
        default=False, help_text='The images and results are simulated; the site shows a "Synthetic data" badge.'
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "slug"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end must come after the start."})


class Phase(models.Model):
    """One evaluation phase of a challenge: a task definition plus the platform's policy."""

    class LeaderboardEntry(models.TextChoices):
        BEST = "best", "Best submission"
        LATEST = "latest", "Latest submission"
        CHOSEN = "chosen", "Submission chosen by the participant"

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="phases")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    task_definition = models.JSONField(
        default=dict, help_text="The evaluator's task definition: labels, classes, metrics, policies, ranking."
    )

    daily_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Submissions per participant or team per UTC day; empty for no limit."
    )
    total_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Submissions per participant or team in total; empty for no limit."
    )
    opens_at = models.DateTimeField(null=True, blank=True, help_text="Empty: open from creation.")
    closes_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never closes.")

    show_case_results = models.BooleanField(default=False, help_text="Participants see their per-case results.")
    show_leaderboard = models.BooleanField(default=True, help_text="Participants see the leaderboard.")
    leaderboard_entry = models.CharField(
        max_length=8, choices=LeaderboardEntry.choices, default=LeaderboardEntry.BEST
    )
    method_fields = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_method_fields],
        help_text="Method-description fields asked at submission time.",
    )
    reference_version = models.PositiveIntegerField(
        default=1, help_text="Increases whenever the reference cases change."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge", "opens_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["challenge", "slug"], name="phase_slug_per_challenge")]

    def __str__(self):
        return f"{self.challenge.title}: {self.name}"

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "The phase must close after it opens."})

    def task(self):
        """Parse the stored task definition into the evaluator's Task."""
        from evaluator.task import parse_task

        return parse_task(self.task_definition, source=f"phase {self.pk} task definition")

    def is_open(self, now=None):
        """Return whether the phase accepts submissions at ``now`` (default: the current time)."""
        now = now or timezone.now()
        if self.opens_at and now < self.opens_at:
            return False
        if self.closes_at and now >= self.closes_at:
            return False
        return True

    def bump_reference_version(self):
        """Record that the reference set changed, in the database row and on this object."""
        Phase.objects.filter(pk=self.pk).update(reference_version=models.F("reference_version") + 1)
        self.refresh_from_db(fields=["reference_version"])


def reference_storage_folder(phase_id, case_id):
    """Return the private-storage folder that holds one reference case's files."""
    return f"references/phase-{phase_id}/{case_id}"


class ReferenceCase(models.Model):
    """One hidden reference case of a phase: its annotation files and subset tags."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="reference_cases")
    case_id = models.CharField(max_length=255)
    subset = models.JSONField(default=dict, blank=True, help_text='Subset tags, e.g. {"hospital": "A"}.')
    files = models.JSONField(
        default=list, blank=True, help_text="Names of the annotation files in private storage."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["phase", "case_id"]
        constraints = [models.UniqueConstraint(fields=["phase", "case_id"], name="reference_case_once_per_phase")]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        """The case id; the storage path is never shown."""
        return self.case_id

    def paths(self):
        """Return the absolute paths of the annotation files in private storage."""
        storage = private_storage()
        return [Path(storage.path(name)) for name in self.files]


class Team(models.Model):
    """A team of participants in one challenge; its members share submission limits."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge", "name"]
        constraints = [models.UniqueConstraint(fields=["challenge", "name"], name="team_name_per_challenge")]

    def __str__(self):
        return self.name


class Participation(models.Model):
    """A user's membership of a challenge, with the time they accepted its rules."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="participations")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="participations")
    rules_accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["challenge", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "challenge"], name="participation_once_per_challenge")]

    def __str__(self):
        return f"{self.user} in {self.challenge}"

    def clean(self):
        if self.team_id and self.team.challenge_id != self.challenge_id:
            raise ValidationError(
                {"team": f"The team {self.team} belongs to another challenge; choose a team of {self.challenge}."}
            )
