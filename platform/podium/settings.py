"""Django settings for the Podium site, read from the environment.

Every value that differs between a laptop and a production host comes from an
environment variable. Without any, the site runs for development: SQLite under
``var/``, kombu's filesystem broker under ``var/broker/``, and DEBUG on.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from podium.broker import filesystem_transport_options

# platform/podium/settings.py -> the repository root is three levels up.
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
PLATFORM_DIR = REPOSITORY_ROOT / "platform"


def env_bool(name, default=False):
    """Read a boolean environment variable written as 1/0, true/false or yes/no."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    normalised = value.strip().lower()
    if normalised in {"1", "true", "yes", "on"}:
        return True
    if normalised in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use 1 or 0.")


def env_int(name, default):
    """Read an integer environment variable."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None


def env_list(name, default=()):
    """Read a comma-separated environment variable as a list."""
    value = os.environ.get(name)
    if value is None or value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not os.environ.get("PYTEST_VERSION"):
        raise ImproperlyConfigured("SECRET_KEY is not set; set it in the environment (or set DEBUG=1 for development).")
    # Development and test runs only: this key is public, so it protects nothing.
    SECRET_KEY = "podium-development-key-not-for-production-use-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Storage roots. Private storage holds uploads and references and is served by
# no URL; it must not lie under MEDIA_ROOT or STATIC_ROOT.
PODIUM_VAR_DIR = Path(os.environ.get("PODIUM_VAR_DIR") or REPOSITORY_ROOT / "var").resolve()
PODIUM_PRIVATE_ROOT = Path(os.environ.get("PODIUM_PRIVATE_ROOT") or PODIUM_VAR_DIR / "private").resolve()
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or PODIUM_VAR_DIR / "media").resolve()
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or PODIUM_VAR_DIR / "static").resolve()
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATICFILES_DIRS = [PLATFORM_DIR / "static"]

for _public_root in (MEDIA_ROOT, STATIC_ROOT):
    if PODIUM_PRIVATE_ROOT == _public_root or PODIUM_PRIVATE_ROOT.is_relative_to(_public_root):
        raise ImproperlyConfigured(
            f"PODIUM_PRIVATE_ROOT ({PODIUM_PRIVATE_ROOT}) lies under a public root ({_public_root}); "
            "move it outside MEDIA_ROOT and STATIC_ROOT."
        )

# WhiteNoise warns on every request while STATIC_ROOT is missing, and it is
# missing until collectstatic first runs. Creating the folder stops the warning.
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:
    pass

# Uploads larger than this many bytes in total are rejected with a message.
PODIUM_MAX_UPLOAD_BYTES = env_int("PODIUM_MAX_UPLOAD_BYTES", 2 * 1024**3)
# Limits on what one reference upload in the admin may unpack to.
PODIUM_MAX_REFERENCE_BYTES = env_int("PODIUM_MAX_REFERENCE_BYTES", 64 * 1024**3)
PODIUM_MAX_REFERENCE_FILES = env_int("PODIUM_MAX_REFERENCE_FILES", 50_000)
# A submission whose work has not moved for this many seconds is queued again.
PODIUM_STALLED_AFTER_SECONDS = env_int("PODIUM_STALLED_AFTER_SECONDS", 1800)
# On a phase that hides per-case results, a hospital or split with fewer
# cases than this gets no leaderboard of its own.
PODIUM_MIN_SUBSET_CASES = env_int("PODIUM_MIN_SUBSET_CASES", 3)
# How often one round's work may be queued again before the submission fails.
PODIUM_MAX_REQUEUES = env_int("PODIUM_MAX_REQUEUES", 5)

# Anything larger than 1 MiB goes to a temporary file on disk, so an upload of
# predictions is never held whole in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "submissions.upload_handlers.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "challenges",
    "submissions",
    "leaderboards",
    "fixtures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "podium.urls"
WSGI_APPLICATION = "podium.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PLATFORM_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL, or a SQLite file under PODIUM_VAR_DIR.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{PODIUM_VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores select_for_update, so the submission-limit check relies on
    # BEGIN IMMEDIATE: the write lock is taken when the transaction opens, and a
    # second writer waits (up to the timeout in seconds) instead of racing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"transaction_mode": "IMMEDIATE", "timeout": 30})
    PODIUM_VAR_DIR.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "challenge-list"
LOGOUT_REDIRECT_URL = "challenge-list"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or os.environ.get("PYTEST_VERSION")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security settings for production, each overridable from the environment.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    # Trust X-Forwarded-Proto only behind a proxy that sets it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Podium API",
    "DESCRIPTION": "Join challenges, upload predictions and read evaluation results.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Celery ---------------------------------------------------------------
# Without CELERY_BROKER_URL, kombu's filesystem transport passes messages
# through a folder under var/broker/ (or PODIUM_BROKER_DIR), so a real worker
# process runs with no broker server.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_transport_options(
        os.environ.get("PODIUM_BROKER_DIR") or PODIUM_VAR_DIR / "broker"
    )
    # The filesystem transport has no host, so kombu's "No hostname was supplied"
    # warning on every connection is expected here and only its logger is quietened.
    LOGGING["loggers"] = {"kombu.connection": {"level": "ERROR"}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Deployments (and test runs) that share one Redis keep apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("PODIUM_CELERY_QUEUE") or "celery"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Completion is tracked in the database, so no result backend is configured.
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only when it returns, and a task whose worker process
# died is given back to the broker. Each process prefetches one message, so a
# killed worker holds back as little work as possible.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# How often beat runs the stalled-work job, in seconds. The job itself
# re-queues a submission after PODIUM_STALLED_AFTER_SECONDS without progress.
PODIUM_REQUEUE_INTERVAL_SECONDS = env_int("PODIUM_REQUEUE_INTERVAL_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "requeue-stalled-submissions": {
        "task": "submissions.requeue_stalled",
        "schedule": float(PODIUM_REQUEUE_INTERVAL_SECONDS),
    },
}
# Limits on what one uploaded archive may unpack to.
PODIUM_MAX_ARCHIVE_FILES = env_int("PODIUM_MAX_ARCHIVE_FILES", 20_000)
PODIUM_MAX_UNPACKED_BYTES = env_int("PODIUM_MAX_UNPACKED_BYTES", 64 * 1024**3)
# Time limits of the pipeline's tasks, in seconds: the soft limit raises inside
# the task, the hard limit kills the worker process.
PODIUM_CASE_TIME_LIMIT_SECONDS = env_int("PODIUM_CASE_TIME_LIMIT_SECONDS", 900)
PODIUM_VALIDATION_TIME_LIMIT_SECONDS = env_int("PODIUM_VALIDATION_TIME_LIMIT_SECONDS", 1800)

if os.environ.get("PYTEST_VERSION") and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A live Celery worker started by a test is another process, so the test
    # database must be a file it can open, not SQLite's default in-memory one.
    # The process id keeps concurrent test runs apart.
    import tempfile

    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"podium-test-{os.getpid()}.sqlite3")}
# --- end of the Celery section --------------------------------------------
