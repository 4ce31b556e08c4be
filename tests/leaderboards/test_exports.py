"""Contents of the leaderboard downloads and the API response."""

import csv
import io

import pytest
from django.urls import reverse

from leaderboards.snapshot import build_snapshot
from tests.leaderboards.factories import make_phase, make_submission, make_user, uniform_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def phase():
    phase = make_phase()
    make_submission(phase, make_user("alice"), uniform_values([0.9, 0.8, 0.7, 0.6], [2.0, 3.0, 4.0, 5.0]))
    make_submission(phase, make_user("bob"), uniform_values([0.5, 0.4, 0.3, 0.2], [6.0, 7.0, 8.0, 9.0]))
    build_snapshot(phase.pk)
    return phase


def url(name, phase, **query):
    path = reverse(name, kwargs={"challenge_slug": phase.challenge.slug, "phase_slug": phase.slug})
    return path + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def read_csv(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_leaderboard_csv_rows(client, phase):
    rows = read_csv(client.get(url("leaderboard-csv", phase)))
    assert [(row["rank"], row["entry"], float(row["liver/dice aggregate"])) for row in rows] == [
        ("1", "alice", pytest.approx(0.75)),
        ("2", "bob", pytest.approx(0.35)),
    ]


def test_leaderboard_csv_of_subset(client, phase):
    rows = read_csv(client.get(url("leaderboard-csv", phase, subset="hospital:B")))
    # Hospital B contains case_3 and case_4: alice's Dice mean is (0.7 + 0.6) / 2.
    assert float(rows[0]["liver/dice aggregate"]) == pytest.approx(0.65)


def test_unknown_subset_not_found(client, phase):
    assert client.get(url("leaderboard-csv", phase, subset="hospital:Z")).status_code == 404


def test_cases_csv_has_one_row_per_entry_and_case(client, phase):
    rows = read_csv(client.get(url("leaderboard-cases-csv", phase)))
    assert len(rows) == 2 * 4


def test_cases_csv_values(client, phase):
    rows = read_csv(client.get(url("leaderboard-cases-csv", phase, subset="split:ood")))
    assert [(row["entry"], row["case_id"], row["hospital"], row["tumor/hd95"]) for row in rows] == [
        ("alice", "case_2", "A", "3.0"),
        ("alice", "case_4", "B", "5.0"),
        ("bob", "case_2", "A", "7.0"),
        ("bob", "case_4", "B", "9.0"),
    ]


def test_cases_json_values(client, phase):
    document = client.get(url("leaderboard-cases-json", phase)).json()
    assert document["values"]["liver/dice"]["bob"] == [0.5, 0.4, 0.3, 0.2]


def test_leaderboard_json_has_ranking(client, phase):
    document = client.get(url("leaderboard-json", phase)).json()
    assert document["ranking"]["overall"]["alice"]["rank"] == 1


def test_report_is_standalone_html(client, phase):
    html = client.get(url("leaderboard-report", phase)).content.decode()
    # plotly.js is embedded, so the file opens without a network.
    assert html.startswith("<!DOCTYPE html>")
    assert "cdn.plot.ly" not in html.split("</head>")[0]


def test_api_answer(client, phase):
    document = client.get(reverse("api-phase-leaderboard", kwargs={"phase_id": phase.pk}), {"subset": "split:in"}).json()
    assert (document["subset"], [row["algorithm"] for row in document["leaderboard"]["rows"]]) == (
        "split:in",
        ["alice", "bob"],
    )


def test_api_lists_subsets(client, phase):
    document = client.get(reverse("api-phase-leaderboard", kwargs={"phase_id": phase.pk})).json()
    assert [subset["key"] for subset in document["subsets"]] == ["all", "hospital:A", "hospital:B", "split:in", "split:ood"]


def test_api_without_ranking_by_default(client, phase):
    document = client.get(reverse("api-phase-leaderboard", kwargs={"phase_id": phase.pk})).json()
    assert "ranking" not in document


def test_report_with_id_and_ood_splits(client):
    # The report draws the in-distribution to out-of-distribution drop for splits named "id" and "ood".
    cases = {"case_1": {"split": "id"}, "case_2": {"split": "ood"}, "case_3": {"split": "id"}, "case_4": {"split": "ood"}}
    phase = make_phase(cases=cases)
    make_submission(phase, make_user("alice"), uniform_values([0.9, 0.8, 0.7, 0.6], [2.0, 3.0, 4.0, 5.0]))
    make_submission(phase, make_user("bob"), uniform_values([0.5, 0.4, 0.3, 0.2], [6.0, 7.0, 8.0, 9.0]))
    build_snapshot(phase.pk)
    html = client.get(url("leaderboard-report", phase)).content.decode()
    assert "drop id to ood" in html
