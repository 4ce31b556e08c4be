"""Two concurrent submissions against a limit of one, for the locking tests.

``race(phase, users)`` runs two threads that each try to create a submission.
Each thread, once it has counted the submissions, waits at a barrier for the
other. Without a lock both threads count zero, meet at the barrier and both
create a row. With the lock the second thread cannot count until the first
commits, so the first one's wait times out, and the second counts one.

Run as a script (``python -m tests.platform.limit_race``) it sets up a fresh
SQLite database from the environment's settings and prints the outcome as JSON.
"""

import json
import threading

BARRIER_TIMEOUT_S = 3


def race(phase, users):
    """Run one submission per user in ``users`` (two) to ``phase`` at once; return the outcomes, sorted."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connections

    from submissions import creation
    from submissions.creation import SubmissionRejected, create_submission

    barrier = threading.Barrier(2, timeout=BARRIER_TIMEOUT_S)
    original_check = creation.check_limits

    def check_then_wait(*args, **kwargs):
        original_check(*args, **kwargs)
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass

    outcomes = []

    def submit(user):
        try:
            upload = SimpleUploadedFile("case_1.nii.gz", b"label map")
            create_submission(user=user, phase=phase, files=[upload], method_description={})
            outcomes.append("created")
        except SubmissionRejected as rejection:
            outcomes.append(rejection.code)
        except Exception as error:  # noqa: BLE001 - any other failure is the outcome under test
            outcomes.append(f"error: {type(error).__name__}: {error}")
        finally:
            connections.close_all()

    creation.check_limits = check_then_wait
    original_queue = creation.queue_evaluation
    creation.queue_evaluation = lambda submission_id: None
    try:
        threads = [threading.Thread(target=submit, args=(user,)) for user in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        creation.check_limits = original_check
        creation.queue_evaluation = original_queue
    return sorted(outcomes)


def main():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    from django.contrib.auth import get_user_model
    from django.db import connection

    from challenges.models import Challenge, Participation, Phase

    user = get_user_model().objects.create_user("racer", password="password")
    challenge = Challenge.objects.create(slug="race", title="Race")
    phase = Phase.objects.create(
        challenge=challenge, slug="race", name="Race", total_limit=1,
        task_definition={"name": "race", "labels": {"1": "kidney"}, "classes": {"kidney": {"labels": [1]}}},
    )  # fmt: skip
    Participation.objects.create(user=user, challenge=challenge)
    print(json.dumps({"vendor": connection.vendor, "outcomes": race(phase, [user, user])}))


if __name__ == "__main__":
    main()
