"""The clinic's insights page in Chromium: only the insights service (insights/service.py) runs,
with a store holding the events recorded from the real servers. Staff log in through the form,
choose the period, and see the recording's counts in tables and charts; axe-core finds no WCAG
2.1 A/AA violation on the login form, the page (desktop and 360 px phone) or the offline report.
Screenshots: results/browser/insights-*.png."""
from typing import List

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.axe_audit import axe_source, describe, run_axe
from tests.browser.widget_driver import DESKTOP, PHONE, TIMEOUT_MS
from tests.insights.service_process import TOKEN, Service, recorded_store
from tests.insights.stores import recorded_day

DAY = str(recorded_day())
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
# The chart's figures as Chart.js holds them (Chart.js puts itself on window as well).
CHART_VALUES = """canvas => window.Chart.getChart(canvas).data.datasets.map(d => d.data)"""


@pytest.fixture(scope="module")
def insights(tmp_path_factory):
    folder = tmp_path_factory.mktemp("insights-page")
    recorded_store(folder / "data")
    service = Service(folder / "data", folder / "service.log").start()
    yield service
    service.stop()


@pytest.fixture
def open_page(browser):
    """A fresh browser context per page; no page error and no console error (a CSP violation
    is one) on any of them. Responses' statuses are the tests' business (a refused login is a
    401, the browser's request for /favicon.ico a 404), not errors here."""
    pages: List[Page] = []
    problems: List[str] = []

    def make(viewport=DESKTOP) -> Page:
        page = browser.new_context(viewport=viewport).new_page()
        page.add_init_script(axe_source())  # the pages' CSP refuses run_axe's script tag
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("console", lambda message: message.type == "error"
                and not message.text.startswith("Failed to load resource: the server")
                and problems.append(f"console: {message.text}"))
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()
    assert not problems, problems


def assert_axe_clean(page: Page) -> None:
    violations = run_axe(page)["violations"]
    assert not violations, describe(violations)


def log_in(page: Page, service: Service) -> None:
    page.goto(service.url + "/")
    expect(page).to_have_url(service.url + "/login")  # refused without a login
    page.get_by_label("Your name").fill("Ann Staff")
    page.get_by_label("Access token").fill(TOKEN)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as Ann Staff")).to_be_visible()


def test_login_form_refuses_a_wrong_token(open_page, insights):
    page = open_page()
    page.goto(insights.url + "/")
    expect(page).to_have_url(insights.url + "/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assistant insights")
    assert_axe_clean(page)
    page.get_by_label("Your name").fill("Ann Staff")
    page.get_by_label("Access token").fill("not the token")
    with page.expect_response(insights.url + "/login") as answer:
        page.get_by_role("button", name="Log in").click()
    assert answer.value.status == 401
    expect(page.get_by_role("alert")).to_contain_text("check your name and the access token")
    assert_axe_clean(page)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_page_shows_the_recorded_counts(open_page, insights, artefacts, viewport):
    page = open_page(VIEWPORTS[viewport])
    log_in(page, insights)
    page.get_by_label("From", exact=True).fill(DAY)
    page.get_by_label("To", exact=True).fill(DAY)
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{insights.url}/?from={DAY}&to={DAY}&channel=")
    figures = page.locator(".figures").first
    expect(figures.locator("div").filter(has_text="Conversations")).to_contain_text("4")
    expect(figures.locator("div").filter(has_text="Messages from patients")).to_contain_text(
        "24")
    checks = page.get_by_role("table", name="Symptom checks")
    for label, number in [("Started", "2"), ("Completed, with an outcome", "1"),
                          ("Stopped before the end", "1")]:
        expect(checks.get_by_role("row", name=label)).to_contain_text(number)
    expect(page.get_by_role("table", name="Answers given, by topic")
           .get_by_role("row", name="mri_what")).to_contain_text("1")
    unanswered = page.get_by_role("table", name="Messages not answered, newest first")
    expect(unanswered.get_by_role("row")).to_have_count(3)  # the header and two messages
    expect(unanswered).to_contain_text("what's the weather in Paris")
    assert page.locator('canvas[data-chart="levels"]').evaluate(CHART_VALUES) == [[1, 0, 0, 1]]
    assert page.locator('canvas[data-chart="days"]').evaluate(CHART_VALUES) == [[24], [4]]
    stopped = page.locator('canvas[data-chart="stopped"]').evaluate(CHART_VALUES)[0]
    assert stopped[2] == 1 and sum(stopped) == 1  # the third question: leg weakness
    box = page.locator('canvas[data-chart="hours"]').bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    path = artefacts / f"insights-{viewport}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    assert_axe_clean(page)


def test_offline_report_draws_its_charts_from_a_file(open_page, insights, artefacts,
                                                     tmp_path):
    response = requests.get(insights.url + "/report", params={"from": DAY, "to": DAY},
                            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    report = tmp_path / "report.html"
    report.write_bytes(response.content)
    page = open_page()
    page.goto(report.as_uri())
    assert page.locator('canvas[data-chart="levels"]').evaluate(CHART_VALUES) == [[1, 0, 0, 1]]
    page.emulate_media(media="print")
    path = artefacts / "insights-report-print.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    page.emulate_media(media="screen")
    assert_axe_clean(page)
