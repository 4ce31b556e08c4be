"""Submissions of predicted label maps and their per-case results."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import get_valid_filename

from submissions.storage import private_storage


def submission_upload_path(submission, filename):
    """Return the storage name of an uploaded file, in a folder of its own."""
    # The row has no id before it is saved, so a random folder name keeps two
    # uploads of the same file name apart.
    safe_name = get_valid_filename(PurePath(filename).name) or "upload"
    return f"uploads/phase-{submission.phase_id}/{uuid.uuid4().hex}/{safe_name}"


class Submission(models.Model):
    """One upload of predictions to a phase, and the state of its evaluation.

    A submission has current results when ``evaluation_round`` is above zero.
    A re-evaluation computes a new round (``queued_round``) while ``results``,
    ``aggregates``, ``problems`` and ``evaluation_round`` keep describing the
    previous round, and finalize replaces them once the new round is complete.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        VALIDATING = "validating", "Validating"
        EVALUATING = "evaluating", "Evaluating"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    IN_PROGRESS = (Status.PENDING, Status.VALIDATING, Status.EVALUATING)
    NOT_COUNTED_TOWARDS_LIMITS = (Status.FAILED, Status.CANCELLED)

    phase = models.ForeignKey("challenges.Phase", on_delete=models.CASCADE, related_name="submissions")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    team = models.ForeignKey(
        "challenges.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The time of the last recorded progress; the stalled-work job compares it
    # with PODIUM_STALLED_AFTER_SECONDS.
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    upload = models.FileField(storage=private_storage, upload_to=submission_upload_path, max_length=500)
    original_name = models.CharField(max_length=255, help_text="The file name the participant uploaded.")
    method_description = models.JSONField(default=dict, blank=True)

    cases_total = models.PositiveIntegerField(default=0)
    cases_done = models.PositiveIntegerField(default=0)
    problems = models.JSONField(
        default=list, blank=True, help_text="Every problem of the current round: {case_id, code, message}."
    )
    aggregates = models.JSONField(default=dict, blank=True)
    results = models.JSONField(
        default=dict,
        blank=True,
        help_text="Case ids and one list of values per '<class>/<metric>', with missing flags, for leaderboards.",
    )
    evaluation_round = models.PositiveIntegerField(
        default=0, help_text="The round whose case results are current; 0 before the first one completes."
    )
    queued_round = models.PositiveIntegerField(
        default=0, help_text="The round that validation and the case tasks are computing."
    )
    validation = models.JSONField(
        default=dict,
        blank=True,
        help_text="What validation found for the queued round: prediction files per case and problems.",
    )
    requeue_count = models.PositiveIntegerField(
        default=0, help_text="How often the stalled-work job has queued the queued round's work again."
    )
    evaluator_version = models.CharField(max_length=32, blank=True)
    reference_version = models.PositiveIntegerField(default=0)
    chosen_for_leaderboard = models.BooleanField(default=False)
    error_message = models.TextField(blank=True, help_text="Why the submission failed, in words for the participant.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phase", "status"], name="submission_phase_status"),
            models.Index(fields=["phase", "creator", "created_at"], name="submission_phase_creator"),
            models.Index(fields=["phase", "team", "created_at"], name="submission_phase_team"),
            models.Index(fields=["status", "updated_at"], name="submission_status_updated"),
        ]

    def __str__(self):
        # The phase's name reads "Challenge: Phase", so lists select phase__challenge with it.
        return f"Submission {self.pk} to {self.phase} ({self.status})"

    @property
    def is_in_progress(self):
        return self.status in self.IN_PROGRESS

    @property
    def has_results(self):
        return self.evaluation_round > 0


class CaseResult(models.Model):
    """The evaluator's record of one case of one submission in one evaluation round."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="case_results")
    round = models.PositiveIntegerField()
    case_id = models.CharField(max_length=255)
    record = models.JSONField(help_text="The evaluator's case record (metrics, raw, status, flagged, errors).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "round", "case_id"]
        constraints = [
            # A repeated or re-queued case task stores its record once.
            models.UniqueConstraint(fields=["submission", "round", "case_id"], name="case_result_once_per_round"),
        ]

    def __str__(self):
        return f"{self.case_id} of submission {self.submission_id} (round {self.round})"
