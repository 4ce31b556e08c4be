"""Working folders in private storage where uploads are unpacked."""

import shutil
import uuid
from pathlib import Path

from django.conf import settings


def submission_work_root(submission_id):
    """Return the folder that contains every working folder of one submission."""
    return Path(settings.PODIUM_PRIVATE_ROOT) / "work" / f"submission-{submission_id}"


def new_work_folder(submission_id, round_number):
    """Create and return an empty folder for one validation attempt of a round.

    Each attempt gets a folder of its own, so a validation that was queued
    again while the first attempt still runs never writes into the same files.
    """
    folder = submission_work_root(submission_id) / f"round-{round_number}-{uuid.uuid4().hex[:12]}"
    folder.mkdir(parents=True)
    return folder


def remove_work_folders(submission_id, keep=None):
    """Delete the submission's working folders, except the one named ``keep``."""
    root = submission_work_root(submission_id)
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if keep is not None and folder.name == keep:
            continue
        shutil.rmtree(folder, ignore_errors=True)
    if keep is None:
        shutil.rmtree(root, ignore_errors=True)
