"""Concurrent uploads cannot pass a submission limit, on SQLite and on PostgreSQL."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from submissions.models import Submission
from tests import services
from tests.platform import factories
from tests.platform.limit_race import race

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_sqlite_immediate_transactions_hold_limit(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "PYTEST_VERSION"}}
    environment.update(
        {
            "DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "podium.settings",
            "PODIUM_VAR_DIR": str(tmp_path / "var"),
            "PYTHONPATH": os.pathsep.join([str(REPOSITORY_ROOT / "platform"), str(REPOSITORY_ROOT)]),
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.platform.limit_race"],
        cwd=REPOSITORY_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["vendor"] == "sqlite"
    assert outcome["outcomes"] == ["created", "limit_reached"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_row_lock_holds_limit(private_root):
    services.require_postgres()
    phase = factories.make_phase(total_limit=1)
    user = factories.make_user()
    factories.join(user, phase.challenge)

    outcomes = race(phase, [user, user])

    assert outcomes == ["created", "limit_reached"]
    assert Submission.objects.filter(phase=phase).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_team_members_race(private_root):
    services.require_postgres()
    phase = factories.make_phase(total_limit=1)
    alice = factories.make_user()
    bob = factories.make_user()
    team = factories.make_team(phase.challenge, "Renal", members=[alice, bob])

    outcomes = race(phase, [alice, bob])

    assert outcomes == ["created", "limit_reached"]
    assert Submission.objects.filter(team=team).count() == 1
