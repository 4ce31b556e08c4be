"""Real label maps through a real worker: upload, validation, per-case scoring and finalize."""

import os
import platform
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from evaluator.evaluate import evaluate_folders
from submissions.models import CaseResult, Submission
from tests import services
from tests.integration.conftest import SCORED_CASES, UNSUBMITTED_CASE, make_kits_phase, upload_predictions
from tests.integration.helpers import finished_submission
from tests.worker import PLATFORM_DIR, READY_LINE, REPOSITORY_ROOT, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

STANDARD_PLATFORM_FILE = str(Path(sysconfig.get_paths()["stdlib"]) / "platform.py")


@pytest.mark.shared
@pytest.mark.parametrize(
    "broker",
    [
        pytest.param("filesystem", id="filesystem-broker"),
        pytest.param("redis", id="redis-postgres", marks=[pytest.mark.redis, pytest.mark.postgres]),
    ],
)
def test_kits_upload_matches_evaluator(live_worker, kits_cases, broker):
    if broker == "redis":
        services.require_postgres()
    reference_dir, prediction_dir = kits_cases
    worker = live_worker(broker=broker)
    phase = make_kits_phase(reference_dir)

    submission = upload_predictions(phase, prediction_dir, extra_members={"notes.txt": b"trained for 300 epochs"})
    final = wait_until(lambda: finished_submission(submission.pk), worker=worker, description="a final status")

    expected = evaluate_folders(phase.task(), reference_dir, prediction_dir)
    expected_by_case = {record["case_id"]: record for record in expected["cases"]}
    stored_by_case = {
        result.case_id: result.record for result in CaseResult.objects.filter(submission=submission)
    }
    assert final.status == Submission.Status.SUCCEEDED, final.error_message
    assert sorted(stored_by_case) == sorted([*SCORED_CASES, UNSUBMITTED_CASE])
    for case_id in SCORED_CASES:
        for class_name in ("kidney_and_mass", "mass", "tumor"):
            for metric in ("dice", "nsd"):
                assert stored_by_case[case_id]["metrics"][class_name][metric] == (
                    expected_by_case[case_id]["metrics"][class_name][metric]
                ), f"{case_id} {class_name}/{metric}"
    for case_id in expected_by_case:
        assert stored_by_case[case_id] == expected_by_case[case_id], case_id
    assert final.aggregates == expected["aggregates"]
    assert final.results["case_ids"] == sorted(expected_by_case)
    assert final.results["values"]["tumor/nsd"] == [
        expected_by_case[case_id]["metrics"]["tumor"]["nsd"] for case_id in sorted(expected_by_case)
    ]
    assert sorted((problem["case_id"] or "", problem["code"]) for problem in final.problems) == [
        ("", "unsupported_file"),
        (UNSUBMITTED_CASE, "missing_prediction"),
    ]
    assert final.evaluation_round == 1
    assert final.cases_done == final.cases_total == 3
    pipeline_lines = [
        line for line in worker.log_text().splitlines() if "submissions.pipeline" in line or "Task submissions." in line
    ]
    assert pipeline_lines
    assert [line for line in pipeline_lines if f"[submission {submission.pk} " not in line] == []


def test_worker_logs_standard_platform_module(live_worker):
    worker = live_worker()

    ready_lines = [line for line in worker.log_text().splitlines() if READY_LINE in line]

    assert platform.__file__ == STANDARD_PLATFORM_FILE
    assert len(ready_lines) == 1
    assert f"the platform module is {STANDARD_PLATFORM_FILE} " in ready_lines[0]


def test_celery_app_import_keeps_standard_platform():
    # Import the app as `celery -A podium` does, with platform/ on the path.
    environment = {**os.environ, "PYTHONPATH": f"{PLATFORM_DIR}{os.pathsep}{REPOSITORY_ROOT}"}
    code = "import podium.celery, platform; print(platform.__file__); print(podium.celery.app.main)"

    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=REPOSITORY_ROOT, env=environment, capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [STANDARD_PLATFORM_FILE, "podium"]
