"""Fixtures of the site's tests: a private storage per test and a fixed cast of users."""

from dataclasses import dataclass

import pytest

from tests.platform import factories


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default hasher takes a large share of each test's time; these tests
    # check permissions, not password storage.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def isolated_private_root(private_root):
    """Give every test here a private storage folder of its own."""
    return private_root


@pytest.fixture
def queued(monkeypatch):
    """Record the submissions handed to the pipeline instead of queueing them."""
    calls = []
    monkeypatch.setattr("submissions.creation.queue_evaluation", calls.append)
    return calls


@dataclass
class Cast:
    """A challenge with one phase and the four roles whose permissions the tests compare."""

    challenge: object
    phase: object
    organiser: object
    participant: object
    other_participant: object
    outsider: object


@pytest.fixture
def cast(db):
    challenge = factories.make_challenge("kidney")
    phase = factories.make_phase(challenge, "validation", method_fields=["architecture"])
    organiser = factories.make_organiser("organiser", challenge)
    participant = factories.make_user("participant")
    other_participant = factories.make_user("other")
    outsider = factories.make_user("outsider")
    factories.join(participant, challenge)
    factories.join(other_participant, challenge)
    return Cast(challenge, phase, organiser, participant, other_participant, outsider)
