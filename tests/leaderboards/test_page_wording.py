"""Wording and layout of the leaderboard, analysis and case pages."""

import pytest

from tests.leaderboards.test_visibility import build_phase, endpoint_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_page(client):
    phase, users = build_phase("public")
    client.force_login(users["organiser"])
    return phase, client


def test_leaderboard_headers_and_sentences(public_page):
    phase, client = public_page
    html = client.get(endpoint_url("leaderboard", phase)).content.decode()

    assert '<body class="wide">' in html
    assert "4 reference cases. Click a column header to sort." in html
    assert 'data-class="liver" data-metric="hd95">liver HD95 (mm)</th>' in html
    assert ">Group (liver Dice)</th>" in html
    assert "A missing or rejected prediction, and an undefined value, count as Dice 0 and HD95 (mm) 100." in html


def test_leaderboard_subset_sentence(public_page):
    phase, client = public_page
    html = client.get(endpoint_url("leaderboard", phase) + "?subset=hospital:A").content.decode()
    assert "2 reference cases in the subset Hospital A." in html


def test_analysis_method_labels(public_page):
    phase, client = public_page
    html = client.get(endpoint_url("leaderboard-analysis", phase)).content.decode()
    assert "<h3>Pre-training</h3>" in html
    assert "Pre training" not in html


def test_case_page_title(public_page):
    phase, client = public_page
    html = client.get(endpoint_url("leaderboard-case", phase)).content.decode()
    assert "<h1>Test phase: case_1</h1>" in html
    assert "case case_1" not in html
