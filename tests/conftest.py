"""Fixtures shared by every part of the test suite."""

import pytest

from tests import services


@pytest.fixture(scope="session")
def shared_data():
    """Return the folder of shared public annotations, skipping when it is absent."""
    return services.require_shared_data()


@pytest.fixture(scope="session")
def chromium_path():
    """Return the path of Debian's Chromium, skipping when it is absent."""
    return services.require_chromium()


@pytest.fixture
def private_root(tmp_path, settings):
    """Point private storage at a folder of this test; the storage reads the setting on every use."""
    root = tmp_path / "private"
    root.mkdir()
    settings.PODIUM_PRIVATE_ROOT = root
    return root
