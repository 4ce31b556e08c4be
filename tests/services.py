"""Find the services and data that parts of the test suite need.

Each ``require_*`` function returns what the test needs or skips the test with a
one-line reason. With ``PODIUM_REQUIRE_SERVICES=1`` (set by ``.ci/run``) a missing
service fails the test instead, so nothing can skip on CI.

Run as a script, ``python -m tests.services database-url`` prints a PostgreSQL
URL when a local server accepts connections, for the Makefile's test target.
"""

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_PATH = "/usr/bin/chromium"
# Headless flags for Debian's Chromium run as root on a machine without
# internet access: no sandbox for root, and no background connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/podium"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/15"


def services_required():
    """Return whether a missing service must fail the test rather than skip it."""
    return os.environ.get("PODIUM_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason):
    """Skip the current test, or fail it where services are required."""
    if services_required():
        pytest.fail(f"{reason} (PODIUM_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(reason)


def port_open(host, port, timeout_s=0.5):
    """Return whether a TCP server accepts connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def shared_data_dir():
    """Return the folder of shared public annotations, or None when absent."""
    configured = os.environ.get("PODIUM_SHARED_DATA")
    candidate = Path(configured) if configured else REPOSITORY_ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


def require_shared_data(*parts):
    """Return a path under the shared data folder, or skip when it is absent."""
    root = shared_data_dir()
    if root is None:
        skip_or_fail("the shared annotations (../shared/data) are not present")
    path = root.joinpath(*parts)
    if not path.exists():
        skip_or_fail(f"{path} is not present")
    return path


def require_redis_url():
    """Return a Redis URL for tests, or skip when no server responds."""
    url = os.environ.get("PODIUM_TEST_REDIS_URL", LOCAL_REDIS_URL)
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        skip_or_fail(f"no Redis server answers at {url}")
    return url


def require_postgres():
    """Skip unless the test database is PostgreSQL."""
    from django.db import connection

    if connection.vendor != "postgresql":
        skip_or_fail("the test database is not PostgreSQL (DATABASE_URL is unset or points elsewhere)")


def require_chromium():
    """Return the path of Debian's Chromium, or skip when it is not installed."""
    if shutil.which(CHROMIUM_PATH) is None:
        skip_or_fail(f"Chromium is not installed at {CHROMIUM_PATH} (apt-get install chromium)")
    return CHROMIUM_PATH


def local_postgres_url():
    """Return the local PostgreSQL URL when a server accepts it, else an empty string."""
    if not port_open("127.0.0.1", 5432):
        return ""
    try:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2):
            pass
    except Exception:  # noqa: BLE001 - any failure means "not usable", and the URL stays unset
        return ""
    return LOCAL_POSTGRES_URL


if __name__ == "__main__":
    if sys.argv[1:] == ["database-url"]:
        print(local_postgres_url())
    else:
        sys.exit("usage: python -m tests.services database-url")
