"""The docker-compose stack: it parses, and each service has what the deployment guide promises.

`docker compose config` cannot run where Docker is absent, so PyYAML reads the
file and the checks below cover the parts that the guide relies on.
"""

import pytest
import yaml

from tests.worker import REPOSITORY_ROOT

APPLICATION_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    with open(REPOSITORY_ROOT / "docker-compose.yml") as file:
        return yaml.safe_load(file)


def test_compose_lists_services(compose):
    assert sorted(compose["services"]) == sorted(["postgres", "redis", *APPLICATION_SERVICES])


@pytest.mark.parametrize("service", ["postgres", "redis", "web", "worker"])
def test_service_has_health_check(compose, service):
    assert compose["services"][service]["healthcheck"]["test"]


@pytest.mark.parametrize("service", APPLICATION_SERVICES)
def test_application_service_reaches_shared_services(compose, service):
    environment = compose["services"][service]["environment"]

    assert environment["DATABASE_URL"].startswith("postgres://podium:")
    assert environment["DATABASE_URL"].endswith("@postgres:5432/podium")
    assert environment["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert environment["DEBUG"] == "0"


@pytest.mark.parametrize("service", APPLICATION_SERVICES)
def test_application_service_shares_data_volume(compose, service):
    assert compose["services"][service]["volumes"] == ["podium-data:/var/lib/podium"]


def test_private_root_lies_on_data_volume(compose):
    environment = compose["services"]["worker"]["environment"]

    assert environment["PODIUM_PRIVATE_ROOT"].startswith("/var/lib/podium/")
    assert not environment["PODIUM_PRIVATE_ROOT"].startswith(environment["MEDIA_ROOT"])


def test_worker_can_scale(compose):
    worker = compose["services"]["worker"]

    assert "container_name" not in worker
    assert "ports" not in worker
    assert "celery -A podium worker" in " ".join(worker["command"])


def test_beat_runs_stalled_work_schedule(compose):
    assert compose["services"]["beat"]["command"][:4] == ["celery", "-A", "podium", "beat"]


def test_named_volumes_are_declared(compose):
    assert sorted(compose["volumes"]) == ["podium-data", "postgres-data", "redis-data"]


def test_secrets_come_from_environment(compose):
    environment = compose["services"]["web"]["environment"]

    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "${POSTGRES_PASSWORD:?" in environment["DATABASE_URL"]
