"""Log records that name the submission and the case they concern.

Three sources fill in a record's ``submission_id`` and ``case_id``, in this
order. The first is the ``extra`` of a SubmissionLogger. The second is the task
that the worker process is running, set from Celery's task_prerun signal, so
the evaluator's own log lines are tagged too. The third is the keyword
arguments that Celery's "received", "succeeded" and "failed" lines carry. Any
other record shows '-'.
"""

import ast
import contextvars
import logging

CONTEXT_FIELDS = ("submission_id", "case_id")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [submission %(submission_id)s case %(case_id)s] %(message)s"
UNKNOWN = "-"

# The (submission_id, case_id) of the task running in this process, if any.
current_task = contextvars.ContextVar("podium_current_task", default=None)


class SubmissionLogger(logging.LoggerAdapter):
    """A logger adapter that adds the submission id and the case id to each record."""

    def __init__(self, logger, submission_id, case_id=None):
        super().__init__(logger, {"submission_id": submission_id, "case_id": case_id or UNKNOWN})

    def process(self, msg, kwargs):
        kwargs["extra"] = {**self.extra, **kwargs.get("extra", {})}
        return msg, kwargs


def submission_logger(name, submission_id, case_id=None):
    """Return a logger for ``name`` whose records name the submission and case."""
    return SubmissionLogger(logging.getLogger(name), submission_id, case_id)


def set_current_task(task_kwargs):
    """Record the submission and case of the task this process starts; return a reset token."""
    task_kwargs = task_kwargs or {}
    if "submission_id" not in task_kwargs:
        return current_task.set(None)
    return current_task.set((task_kwargs["submission_id"], task_kwargs.get("case_id") or UNKNOWN))


def ids_from_celery_record(record):
    """Return (submission_id, case_id) from the kwargs that a Celery task log line carries, or None."""
    if not isinstance(record.args, dict) or not isinstance(record.args.get("kwargs"), str):
        return None
    try:
        task_kwargs = ast.literal_eval(record.args["kwargs"])
    except (ValueError, SyntaxError):
        # Celery shortens long reprs, which then no longer parse.
        return None
    if not isinstance(task_kwargs, dict) or "submission_id" not in task_kwargs:
        return None
    return task_kwargs["submission_id"], task_kwargs.get("case_id") or UNKNOWN


class ContextDefaultsFilter(logging.Filter):
    """Fill in the submission and case of a record that lacks them, so that LOG_FORMAT can format it."""

    def filter(self, record):
        if all(hasattr(record, field) for field in CONTEXT_FIELDS):
            return True

        ids = current_task.get() or ids_from_celery_record(record) or (UNKNOWN, UNKNOWN)
        for field, value in zip(CONTEXT_FIELDS, ids, strict=True):
            if not hasattr(record, field):
                setattr(record, field, value)
        return True
