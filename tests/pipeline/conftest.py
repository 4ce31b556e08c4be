"""Fixtures of the pipeline's tests: private storage per test, a phase with two reference cases."""

import numpy as np
import pytest
import SimpleITK as sitk
from django.core.files.base import ContentFile

from submissions.models import Submission
from submissions.storage import private_storage
from tests.platform import factories

# Two 6 x 8 x 8 label maps (z, y, x) at 1 x 1 x 2 mm spacing (x, y, z):
# a kidney block with a tumour inside it.
SPACING_MM = (1.0, 1.0, 2.0)


def reference_array():
    labels = np.zeros((6, 8, 8), dtype=np.uint8)
    labels[1:5, 2:6, 2:6] = 1
    labels[2:4, 3:5, 3:5] = 2
    return labels


def shifted_prediction_array():
    """The reference moved by one voxel along x: Dice and NSD below 1, computable by hand."""
    return np.roll(reference_array(), 1, axis=2)


def label_map_bytes(array, tmp_path, suffix=".nii.gz"):
    """Return the bytes of a label map with SPACING_MM, written by SimpleITK."""
    image = sitk.GetImageFromArray(array)
    image.SetSpacing(SPACING_MM)
    path = tmp_path / f"label-map-{abs(hash(array.tobytes()))}{suffix}"
    sitk.WriteImage(image, str(path))
    return path.read_bytes()


@pytest.fixture(autouse=True)
def isolated_private_root(private_root):
    """Give every test here a private storage folder of its own."""
    return private_root


@pytest.fixture
def phase(db, tmp_path):
    """A phase of the site's test task with reference cases case_1 and case_2."""
    phase = factories.make_phase(factories.make_challenge("kidney"), "validation")
    storage = private_storage()
    for case_id in ("case_1", "case_2"):
        name = storage.save(
            f"references/phase-{phase.pk}/{case_id}/{case_id}.nii.gz",
            ContentFile(label_map_bytes(reference_array(), tmp_path)),
        )
        factories.make_reference(phase, case_id, subset={"hospital": "A"}, files=[name])
    return phase


@pytest.fixture
def participant(db):
    return factories.make_user("participant")


@pytest.fixture
def submit(phase, participant):
    """Return a function that stores an upload of {name: bytes} as a pending submission."""

    def submit(members, original_name="predictions.zip", raw_bytes=None):
        submission = Submission(phase=phase, creator=participant, original_name=original_name)
        data = raw_bytes if raw_bytes is not None else factories.zip_bytes(members)
        submission.upload.save(original_name, ContentFile(data), save=False)
        submission.save()
        return submission

    return submit


@pytest.fixture
def predictions(tmp_path):
    """The bytes of the shifted prediction, as a .nii.gz file."""
    return label_map_bytes(shifted_prediction_array(), tmp_path)
