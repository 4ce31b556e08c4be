"""The leaderboard in headless Chromium: the subset selector switches the page, and the figures render."""

import pytest
from django.urls import reverse

from leaderboards.snapshot import build_snapshot
from tests import services
from tests.leaderboards.factories import join, make_phase, make_submission, make_user, uniform_values

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 60_000


@pytest.fixture
def browser_page():
    # Requested after the fixtures that write to the database: Playwright runs an event loop
    # in this thread, and Django refuses database calls from a thread with a running loop.
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = services.require_chromium()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=services.CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            yield page
        finally:
            browser.close()


@pytest.fixture
def phase():
    phase = make_phase(public=True, show_case_results=True)
    entries = {
        "alice": uniform_values([0.9, 0.8, 0.7, 0.6], [2.0, 3.0, 4.0, 5.0]),
        "bob": uniform_values([0.6, 0.7, 0.5, 0.4], [6.0, 5.0, 7.0, 9.0]),
        "carol": uniform_values([0.3, 0.9, 0.2, 0.5], [30.0, 2.0, 8.0, 40.0]),
    }
    for name, values in entries.items():
        user = make_user(name)
        join(user, phase.challenge)
        make_submission(phase, user, values, method={"architecture": "U-Net" if name != "bob" else "transformer"})
    build_snapshot(phase.pk)
    return phase


def test_subset_selector_and_figures(live_server, phase, browser_page):
    requested_urls = []
    browser_page.on("request", lambda request: requested_urls.append(request.url))
    kwargs = {"challenge_slug": phase.challenge.slug, "phase_slug": phase.slug}
    browser_page.goto(live_server.url + reverse("leaderboard", kwargs=kwargs))
    assert browser_page.locator("#leaderboard tbody tr").count() == 3

    # Choosing a subset submits the selector's form and reloads the whole page.
    with browser_page.expect_navigation():
        browser_page.select_option("#subset", "hospital:A")
    assert "subset=hospital%3AA" in browser_page.url
    assert browser_page.locator("#subset").input_value() == "hospital:A"
    assert "2 reference cases in the subset hospital a" in browser_page.content().lower()

    # The analysis page keeps the subset and draws its plotly figures as SVG.
    browser_page.click("nav.leaderboard-nav >> text=Analysis")
    browser_page.wait_for_selector(".js-plotly-plot .main-svg", state="attached")
    assert "subset=hospital%3AA" in browser_page.url
    assert browser_page.locator(".js-plotly-plot svg.main-svg").count() > 0
    rendered = browser_page.locator(".js-plotly-plot").count()
    assert rendered >= 6

    # Every script, style and figure came from the site itself, none from a CDN.
    assert [url for url in requested_urls if not url.startswith(live_server.url)] == []


def test_numeric_sort_puts_ten_after_two(live_server, phase, browser_page):
    kwargs = {"challenge_slug": phase.challenge.slug, "phase_slug": phase.slug}
    browser_page.goto(live_server.url + reverse("leaderboard-cases", kwargs=kwargs))
    # The liver HD95 means of the four cases are 12.667, 3.333, 6.333 and 18.000 mm;
    # sorted as text they would read 12.667, 18.000, 3.333, 6.333.
    browser_page.locator("#case-difficulty thead th", has_text="liver HD95").click()
    cells = browser_page.locator("#case-difficulty tbody tr td:nth-child(5)").all_inner_texts()
    assert cells == ["3.333", "6.333", "12.667", "18.000"]
