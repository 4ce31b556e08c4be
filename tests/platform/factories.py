"""Small factories for the site's tests: users, challenges, phases, submissions, label maps."""

import io
import itertools
import zipfile

import numpy as np
import SimpleITK as sitk
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.models import Challenge, Participation, Phase, ReferenceCase, Team
from submissions.models import CaseResult, Submission

_numbers = itertools.count(1)

TASK_DEFINITION = {
    "name": "kidney-test",
    "labels": {"1": "kidney", "2": "tumor"},
    "classes": {
        "kidney": {"labels": [1, 2], "nsd_tolerance_mm": 1.0},
        "tumor": {"labels": [2], "nsd_tolerance_mm": 1.0},
    },
    "metrics": ["dice", "nsd"],
}


def make_user(username=None, *, password="password", **fields):
    """Create a user whose password is "password" unless given."""
    username = username or f"user{next(_numbers)}"
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def make_organiser(username=None, challenge=None):
    """Create a staff user who organises ``challenge`` (and is in the organiser group)."""
    user = make_user(username)
    if challenge is not None:
        challenge.organisers.add(user)
        user.refresh_from_db()
    return user


def make_challenge(slug=None, *, is_public=True, **fields):
    number = next(_numbers)
    slug = slug or f"challenge-{number}"
    fields.setdefault("title", f"Challenge {slug}")
    fields.setdefault("rules", "Submit only your own predictions.")
    return Challenge.objects.create(slug=slug, is_public=is_public, **fields)


def make_phase(challenge=None, slug="validation", *, task=None, **fields):
    challenge = challenge or make_challenge()
    fields.setdefault("name", f"Phase {slug}")
    return Phase.objects.create(
        challenge=challenge, slug=slug, task_definition=task or dict(TASK_DEFINITION), **fields
    )


def make_reference(phase, case_id, subset=None, files=()):
    return ReferenceCase.objects.create(phase=phase, case_id=case_id, subset=subset or {}, files=list(files))


def join(user, challenge, team=None):
    """Make ``user`` a participant of ``challenge``, optionally in ``team``."""
    participation = Participation.objects.create(user=user, challenge=challenge, team=team)
    if team is not None:
        team.members.add(user)
    return participation


def make_team(challenge, name="Team A", members=()):
    team = Team.objects.create(challenge=challenge, name=name)
    for member in members:
        join(member, challenge, team=team)
    return team


def make_submission(phase, creator, *, team=None, status=Submission.Status.SUCCEEDED, **fields):
    """Create a submission row with a small stored upload, without queueing any work."""
    submission = Submission(phase=phase, creator=creator, team=team, status=status, original_name="predictions.zip",
                            **fields)
    submission.upload.save("predictions.zip", ContentFile(zip_bytes({"case_1.nii.gz": b"x"})), save=False)
    submission.save()
    return submission


def case_record(case_id, dice, *, flagged=False, errors=()):
    """Return an evaluator case record with one class ("kidney") and one metric (Dice)."""
    return {
        "case_id": case_id,
        "subset": {},
        "metrics": {"kidney": {"dice": dice}},
        "raw": {"kidney": {"dice": dice}},
        "status": {"kidney": "ok"},
        "flagged": flagged,
        "errors": list(errors),
    }


def add_case_results(submission, dice_by_case, round_number=1):
    """Store case results for ``submission`` as the current round."""
    for case_id, dice in dice_by_case.items():
        CaseResult.objects.create(
            submission=submission, round=round_number, case_id=case_id, record=case_record(case_id, dice)
        )
    submission.evaluation_round = round_number
    submission.save(update_fields=["evaluation_round"])


def zip_bytes(members):
    """Return the bytes of a zip archive of ``{name: bytes}``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def label_map_bytes(array, spacing_mm=(1.0, 1.0, 1.0), suffix=".nii.gz", tmp_path=None):
    """Return the bytes of a label map written by SimpleITK (array in z, y, x order)."""
    image = sitk.GetImageFromArray(np.asarray(array, dtype=np.uint8))
    image.SetSpacing(spacing_mm)
    path = tmp_path / f"label{next(_numbers)}{suffix}"
    sitk.WriteImage(image, str(path))
    return path.read_bytes()


def uploaded(name, data=b"data", content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)
