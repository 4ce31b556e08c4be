"""Settings from the environment: production checks, storage roots, and the platform module name."""

import os
import platform
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def run_manage(arguments, environment_changes, tmp_path):
    """Run manage.py in a fresh process with only the given Podium variables set."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "PYTEST_VERSION"}
    }
    environment.update({"PODIUM_VAR_DIR": str(tmp_path / "var")})
    environment.update(environment_changes)
    return subprocess.run(
        [sys.executable, str(REPOSITORY_ROOT / "manage.py"), *arguments],
        cwd=REPOSITORY_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k7Q!v2#pL9zR@x4mW8sT^b6nY1cF3hJ0-e5uG&aD*iK)oP(qZ_=rV+wX",
    "ALLOWED_HOSTS": "podium.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}


@pytest.mark.slow
def test_check_deploy_passes_in_production(tmp_path):
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow
def test_check_deploy_warns_without_secure_settings(tmp_path):
    insecure = {key: PRODUCTION[key] for key in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], insecure, tmp_path)
    assert result.returncode != 0
    assert "security.W004" in result.stderr


@pytest.mark.slow
def test_production_requires_secret_key(tmp_path):
    result = run_manage(["check"], {"DEBUG": "0"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.slow
def test_private_root_under_media_rejected(tmp_path):
    changes = {"DEBUG": "1", "MEDIA_ROOT": str(tmp_path / "media"), "PODIUM_PRIVATE_ROOT": str(tmp_path / "media" / "p")}
    result = run_manage(["check"], changes, tmp_path)
    assert result.returncode != 0
    assert "lies under a public root" in result.stderr


def test_private_root_outside_public_roots(settings):
    private = Path(settings.PODIUM_PRIVATE_ROOT)
    assert not private.is_relative_to(settings.MEDIA_ROOT)
    assert not private.is_relative_to(settings.STATIC_ROOT)


def test_platform_is_standard_library_module(db):
    # Imported by the test process, which has loaded the whole Django site.
    from django.apps import apps

    assert apps.is_installed("challenges")
    assert platform.python_version() == ".".join(map(str, sys.version_info[:3]))
    standard_library = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(platform.__file__).resolve().parent == standard_library


def test_platform_module_in_site_process(tmp_path):
    # A fresh process that runs the site's own entry point (manage.py shell).
    code = (
        "import platform, sysconfig; "
        "print('platform-module', platform.__file__); print('stdlib', sysconfig.get_paths()['stdlib'])"
    )
    result = run_manage(["shell", "-c", code], {"DEBUG": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr
    printed = dict(line.split(" ", 1) for line in result.stdout.splitlines() if line.startswith(("platform-", "stdlib")))
    module_path, stdlib = printed["platform-module"], printed["stdlib"]
    assert Path(module_path).resolve().parent == Path(stdlib).resolve()


@pytest.mark.parametrize(
    ("broker_url", "expected_loggers"),
    [("", "{'kombu.connection': {'level': 'ERROR'}}"), ("redis://127.0.0.1:6379/0", "{}")],
    ids=["filesystem", "redis"],
)
def test_kombu_hostname_warning_quiet_only_for_filesystem(tmp_path, broker_url, expected_loggers):
    # The filesystem broker has no host, so kombu's "No hostname was supplied" warning means nothing there.
    script = "from django.conf import settings; print(settings.LOGGING.get('loggers', {}))"
    answer = run_manage(["shell", "-c", script], {"DEBUG": "1", "CELERY_BROKER_URL": broker_url}, tmp_path)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip().splitlines()[-1] == expected_loggers
