"""The evaluation pipeline: validate an upload, score each case, finalize.

Each step is a plain function that the Celery tasks in ``submissions.tasks``
call. A step takes ids, reloads and locks its submission, does nothing when the
stored state shows the work is done, and queues the next step after commit.
"""
