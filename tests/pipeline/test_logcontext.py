"""The submission and case shown on each worker log line."""

import logging

import pytest

from submissions.pipeline.logcontext import ContextDefaultsFilter, current_task, set_current_task, submission_logger


def make_record(message="text", args=None, **attributes):
    record = logging.LogRecord("test", logging.INFO, __file__, 1, message, args, None)
    for name, value in attributes.items():
        setattr(record, name, value)
    return record


def ids_of(record):
    ContextDefaultsFilter().filter(record)
    return record.submission_id, record.case_id


@pytest.fixture(autouse=True)
def no_current_task():
    token = current_task.set(None)
    yield
    current_task.reset(token)


def test_adapter_adds_ids(caplog):
    with caplog.at_level(logging.INFO, logger="test.adapter"):
        submission_logger("test.adapter", 7, "case_1").info("Scoring %s", "case_1.nii.gz")

    assert (caplog.records[0].submission_id, caplog.records[0].case_id) == (7, "case_1")
    assert caplog.records[0].getMessage() == "Scoring case_1.nii.gz"


def test_record_with_ids_is_kept():
    set_current_task({"submission_id": 1, "case_id": "other"})

    assert ids_of(make_record(submission_id=7, case_id="case_1")) == (7, "case_1")


def test_running_task_tags_record():
    set_current_task({"submission_id": 7, "case_id": "case_1", "round": 1})

    assert ids_of(make_record()) == (7, "case_1")


def test_task_without_case_tags_submission():
    set_current_task({"submission_id": 7})

    assert ids_of(make_record()) == (7, "-")


@pytest.mark.parametrize(
    "kwargs_repr, expected",
    [
        pytest.param("{'submission_id': 7, 'case_id': 'case_1', 'round': 1}", (7, "case_1"), id="case-task"),
        pytest.param("{'submission_id': 7, 'round': 1}", (7, "-"), id="finalize-task"),
        pytest.param("{'phase_id': 3}", ("-", "-"), id="other-task"),
        pytest.param("{'submission_id': 7, 'case_id': 'case_...", ("-", "-"), id="shortened-repr"),
    ],
)
def test_celery_line_kwargs_tag_record(kwargs_repr, expected):
    record = make_record("Task %(name)s[%(id)s] received", {"name": "n", "id": "i", "kwargs": kwargs_repr})

    assert ids_of(record) == expected


def test_plain_record_shows_dashes():
    assert ids_of(make_record()) == ("-", "-")
