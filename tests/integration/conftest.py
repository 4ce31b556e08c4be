"""Fixtures of the integration tests: KiTS23 label maps, a KiTS-style phase, uploads as the site makes them."""

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
import SimpleITK as sitk
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.models import Participation
from submissions.creation import create_submission
from submissions.storage import private_storage
from tests import services
from tests.integration.kits import KITS_TASK, write_kits_cases
from tests.platform import factories
from tests.worker import live_worker  # noqa: F401 - a fixture for the tests of this folder

# Two of the smallest KiTS23 cases; case_00257 has a cyst, so all three labels occur.
SCORED_CASES = ("case_00010", "case_00257")
# A third reference case that the upload leaves out, so a missing case is reported.
UNSUBMITTED_CASE = "case_00038"
RATER = 1
# Scattered false-positive voxels make the evaluator's box the whole volume,
# so one case takes seconds, long enough to kill a worker in the middle of it.
NOISE_VOXELS = 2000
NOISE_SEED = 0


@pytest.fixture(autouse=True)
def isolated_private_root(private_root):
    """Give every test here a private storage folder of its own."""
    return private_root


@pytest.fixture(scope="session")
def kits_cases(tmp_path_factory):
    """Cropped KiTS23 references (three cases) and rater predictions (two cases)."""
    kits_dir = services.require_shared_data("kits23")
    root = tmp_path_factory.mktemp("kits-cropped")
    write_kits_cases(kits_dir, (*SCORED_CASES, UNSUBMITTED_CASE), RATER, root / "references", root / "all-predictions")
    predictions = root / "predictions"
    predictions.mkdir()
    for case_id in SCORED_CASES:
        (root / "all-predictions" / f"{case_id}.nii.gz").rename(predictions / f"{case_id}.nii.gz")
    return root / "references", predictions


@pytest.fixture(scope="session")
def slow_kits_cases(tmp_path_factory):
    """Three full-size KiTS23 cases whose predictions carry scattered false positives."""
    kits_dir = services.require_shared_data("kits23")
    root = tmp_path_factory.mktemp("kits-noisy")
    case_ids = (*SCORED_CASES, UNSUBMITTED_CASE)
    write_kits_cases(kits_dir, case_ids, RATER, root / "references", root / "predictions", crop=False)
    rng = np.random.default_rng(NOISE_SEED)
    for case_id in case_ids:
        path = root / "predictions" / f"{case_id}.nii.gz"
        image = sitk.ReadImage(str(path))
        labels = sitk.GetArrayFromImage(image)
        labels.reshape(-1)[rng.integers(0, labels.size, NOISE_VOXELS)] = 2
        noisy = sitk.GetImageFromArray(labels)
        noisy.CopyInformation(image)
        sitk.WriteImage(noisy, str(path), useCompression=True)
    return root / "references", root / "predictions"


def make_kits_phase(reference_dir):
    """Create a challenge and phase with the KiTS task, its references copied into private storage."""
    phase = factories.make_phase(factories.make_challenge(), "validation", task=dict(KITS_TASK))
    storage = private_storage()
    for path in sorted(Path(reference_dir).glob("*.nii.gz")):
        case_id = path.name.removesuffix(".nii.gz")
        with open(path, "rb") as source:
            name = storage.save(f"references/phase-{phase.pk}/{case_id}/{path.name}", File(source))
        factories.make_reference(phase, case_id, files=[name])
    return phase


def upload_predictions(phase, prediction_dir, extra_members=None):
    """Create a submission the way the site does: a participant uploads a zip of the folder."""
    user = factories.make_user()
    Participation.objects.create(user=user, challenge=phase.challenge)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(Path(prediction_dir).glob("*.nii.gz")):
            archive.write(path, f"predictions/{path.name}")
        for name, data in (extra_members or {}).items():
            archive.writestr(f"predictions/{name}", data)
    upload = SimpleUploadedFile("predictions.zip", buffer.getvalue(), content_type="application/zip")
    return create_submission(user=user, phase=phase, files=[upload])
