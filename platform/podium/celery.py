"""The Celery application of the Podium site.

Start a worker from the repository root with::

    PYTHONPATH=platform celery -A podium worker --loglevel=INFO

and the periodic jobs (the stalled-work re-queue) with::

    PYTHONPATH=platform celery -A podium beat --loglevel=INFO
"""

import logging
import os
import sys
from pathlib import Path

# The Django project lives in platform/, a folder that is not a package
# because a package named "platform" would shadow the standard library's
# module, which Celery and kombu import. Like manage.py, put the folder itself
# on sys.path, so "podium", "challenges" and "submissions" import by name.
PLATFORM_DIR = Path(__file__).resolve().parents[1]
if str(PLATFORM_DIR) not in sys.path:
    sys.path.insert(0, str(PLATFORM_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "podium.settings")

import platform  # noqa: E402 - the standard-library module, imported after the path is set

from celery import Celery, signals  # noqa: E402

from submissions.pipeline.logcontext import (  # noqa: E402
    LOG_FORMAT,
    ContextDefaultsFilter,
    current_task,
    set_current_task,
)

app = Celery("podium")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def use_submission_log_format(logger, **kwargs):
    """Make the worker's handlers print the submission and case of each record.

    NOTE: Celery's own lines that carry no task arguments (a lost pool process,
    a broker connection error) show '-'; they name the task id instead.
    """
    for handler in logger.handlers:
        handler.addFilter(ContextDefaultsFilter())
        handler.setFormatter(logging.Formatter(LOG_FORMAT))


@signals.task_prerun.connect
def remember_task_ids(kwargs=None, **_):
    """Tag the log records of the starting task, the evaluator's included, with its ids."""
    set_current_task(kwargs)


@signals.task_postrun.connect
def forget_task_ids(**_):
    current_task.set(None)


@signals.worker_ready.connect
def log_worker_start(sender=None, **kwargs):
    """Log which platform module the worker imported, to show that it is the standard library's."""
    logger.info("Podium worker ready; the platform module is %s (%s)", platform.__file__, platform.system())
