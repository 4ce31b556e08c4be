"""The KiTS-style demo submissions, evaluated by a live worker, store what the evaluator CLI computes."""

import json
import subprocess
import sys

import pytest

from fixtures.catalogue import DEMO_CHALLENGES
from fixtures.loading import load_demo
from submissions.models import CaseResult, Submission
from tests.worker import live_worker, wait_until  # noqa: F401 - live_worker is a pytest fixture

KITS = next(demo for demo in DEMO_CHALLENGES if demo.slug == "kits-demo")
KITS_PHASE = KITS.phases[0]
METRICS = ("dice", "nsd")

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def run_cli(demo_submission, output_path):
    """Evaluate one demo team's folder with ``python -m evaluator evaluate`` and return RESULTS.json."""
    command = [
        sys.executable, "-m", "evaluator", "evaluate",
        "--task", str(KITS.directory / KITS_PHASE.task_file),
        "--reference", str(KITS.directory / KITS_PHASE.references),
        "--prediction", str(KITS.directory / demo_submission.predictions),
        "--output", str(output_path),
        "--no-progress",
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(output_path.read_text())


@pytest.fixture
def evaluated_kits(live_worker, settings, tmp_path):  # noqa: F811 - the fixture imported above
    """Load the KiTS-style challenge, let a live worker evaluate its four submissions, return them by team."""
    settings.PODIUM_PRIVATE_ROOT = tmp_path / "private"
    worker = live_worker()

    load_demo(challenges=[KITS])

    def all_finished():
        statuses = set(Submission.objects.values_list("status", flat=True))
        return statuses <= {Submission.Status.SUCCEEDED, Submission.Status.FAILED}

    wait_until(all_finished, worker=worker, description="the KiTS-style demo submissions to finish")
    return {submission.team.name: submission for submission in Submission.objects.select_related("team")}


def test_kits_demo_through_pipeline_equals_cli(evaluated_kits, tmp_path):
    # One test, because evaluating the four submissions with a live worker is the slow part.
    statuses = {team: submission.status for team, submission in evaluated_kits.items()}
    assert statuses == {demo_submission.team: "succeeded" for demo_submission in KITS_PHASE.submissions}

    for demo_submission in KITS_PHASE.submissions:
        submission = evaluated_kits[demo_submission.team]
        expected = run_cli(demo_submission, tmp_path / f"{demo_submission.predictions}.json")
        check_case_records(submission, expected, demo_submission.team)
        check_compact_results(submission, expected, demo_submission.team)

    eroded = evaluated_kits["Eroded annotator 3"]
    flags = zip(eroded.results["case_ids"], eroded.results["missing"]["tumor/dice"])
    assert [case_id for case_id, missing in flags if missing] == ["case_00257"]


def check_case_records(submission, expected, team):
    """Assert that every stored case record has the CLI's status and Dice and NSD values."""
    stored = {
        result.case_id: result.record
        for result in CaseResult.objects.filter(submission=submission, round=submission.evaluation_round)
    }
    assert sorted(stored) == sorted(case["case_id"] for case in expected["cases"]), team

    for case in expected["cases"]:
        record = stored[case["case_id"]]
        where = f"{team} {case['case_id']}"
        assert record["status"] == case["status"], where
        for class_name in ("kidney_and_mass", "mass", "tumor"):
            for metric in METRICS:
                stored_value = record["metrics"][class_name][metric]
                assert stored_value == case["metrics"][class_name][metric], f"{where} {class_name}/{metric}"


def check_compact_results(submission, expected, team):
    """Assert that the submission's compact results list the CLI's values in case order."""
    cases = {case["case_id"]: case for case in expected["cases"]}
    assert sorted(submission.results["values"]) == sorted(
        f"{class_name}/{metric}" for class_name in ("kidney_and_mass", "mass", "tumor") for metric in METRICS
    ), team

    for key, values in submission.results["values"].items():
        class_name, metric = key.split("/")
        expected_values = [cases[case_id]["metrics"][class_name][metric] for case_id in submission.results["case_ids"]]
        assert values == expected_values, f"{team} {key}"
