"""The private file storage that holds uploads, references and working folders."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files under PODIUM_PRIVATE_ROOT, which no URL serves.

    The root is read from the settings on every use rather than once at import,
    so a test that overrides PODIUM_PRIVATE_ROOT moves the storage with it.
    """

    @property
    def base_location(self):
        return str(settings.PODIUM_PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        # FileSystemStorage.url() raises ValueError when base_url is None, so
        # no code path can build a public address for a private file.
        return None


def private_storage():
    """Return the private storage (a callable, so migrations record no path)."""
    return PrivateStorage()
