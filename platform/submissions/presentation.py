"""Submission data visible to a user, shared by the pages, the status endpoint and the API."""

from challenges.permissions import can_view_aggregates, can_view_case_results
from submissions.models import CaseResult, Submission

PROBLEM_TITLES = {
    "missing_prediction": "Missing case",
    "duplicate_prediction": "Several files for one case",
    "unreadable": "Unreadable file",
    "geometry_mismatch": "Wrong geometry",
    "non_integer_labels": "Non-integer label values",
    "undeclared_labels": "Undeclared label",
    "unsupported_file": "Unsupported file",
    "unknown_case": "Unknown case",
}


def progress_text(submission):
    """Describe the state in words, e.g. "evaluating 3 of 8 cases"."""
    if submission.status == Submission.Status.EVALUATING and submission.cases_total:
        return f"evaluating {submission.cases_done} of {submission.cases_total} cases"
    return submission.status


def problem_rows(submission):
    """Return the problems with a plain title for each code."""
    rows = []
    for problem in submission.problems or []:
        code = problem.get("code", "")
        rows.append(
            {
                "case_id": problem.get("case_id") or "",
                "code": code,
                "title": PROBLEM_TITLES.get(code, code.replace("_", " ").capitalize()),
                "message": problem.get("message", ""),
            }
        )
    return rows


def current_case_records(submission):
    """Return the case records of the submission's current evaluation round, ordered by case id."""
    if not submission.evaluation_round:
        return []
    rows = CaseResult.objects.filter(submission=submission, round=submission.evaluation_round).order_by("case_id")
    return [row.record for row in rows.only("record")]


def metric_columns(records):
    """Return the (class, metric) pairs present in the records, in first-seen order."""
    columns = []
    for record in records:
        for class_name, values in (record.get("metrics") or {}).items():
            for metric in values:
                if (class_name, metric) not in columns:
                    columns.append((class_name, metric))
    return columns


def case_table(records):
    """Return (columns, rows) for a per-case results table."""
    columns = metric_columns(records)
    rows = []
    for record in records:
        metrics = record.get("metrics") or {}
        rows.append(
            {
                "case_id": record.get("case_id"),
                "subset": record.get("subset") or {},
                "values": [(metrics.get(class_name) or {}).get(metric) for class_name, metric in columns],
                "status": record.get("status") or {},
                "flagged": bool(record.get("flagged")),
            }
        )
    return columns, rows


def status_payload(submission):
    """Return the small JSON the status poll reads."""
    return {
        "id": submission.pk,
        "status": submission.status,
        "cases_done": submission.cases_done,
        "cases_total": submission.cases_total,
        "progress": progress_text(submission),
        "finished": not submission.is_in_progress,
    }


def submission_payload(submission, user):
    """Return the full JSON of a submission, with only the results this user may see."""
    payload = status_payload(submission)
    payload.update(
        {
            "phase": submission.phase_id,
            "challenge": submission.phase.challenge_id,
            "creator": submission.creator.get_username(),
            "team": submission.team.name if submission.team_id else None,
            "original_name": submission.original_name,
            "created_at": submission.created_at.isoformat(),
            "finished_at": submission.finished_at.isoformat() if submission.finished_at else None,
            "problems": [
                {"case_id": row["case_id"], "code": row["code"], "message": row["message"]}
                for row in problem_rows(submission)
            ],
            "error_message": submission.error_message,
            "method_description": submission.method_description,
            "evaluator_version": submission.evaluator_version,
            "reference_version": submission.reference_version,
            "aggregates": None,
            "cases": None,
        }
    )
    if can_view_aggregates(user, submission):
        payload["aggregates"] = submission.aggregates
    if can_view_case_results(user, submission):
        payload["cases"] = current_case_records(submission)
    return payload
