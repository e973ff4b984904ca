"""The website widget on its demo page, in Debian's Chromium driven by Playwright, talking to the
session's real servers (`stack`, tests/conftest.py). No browser is downloaded: Playwright's own
driver (inside the wheel) launches /usr/bin/chromium, which scripts/setup-system installs."""
import time
from pathlib import Path
from typing import Dict, List

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.widget_driver import DESKTOP, TIMEOUT_MS

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "results" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    shots = sorted(ARTEFACTS.glob("*.png")) if ARTEFACTS.is_dir() else []
    fresh = [p for p in shots if p.stat().st_mtime >= getattr(config, "_browser_started", 0)]
    if fresh:
        terminalreporter.write_line(f"widget screenshots in {ARTEFACTS}: "
                                    + ", ".join(p.name for p in fresh))


def pytest_configure(config):
    config._browser_started = time.time()


@pytest.fixture(scope="session")
def artefacts() -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS


@pytest.fixture(scope="session")
def widget_url(stack) -> str:
    """The demo clinic page, served as `make run` serves it, on the stack's WIDGET_PORT."""
    proc = stack.start_widget()
    yield f"http://127.0.0.1:{stack.widget_port}/"
    stack.stop_process(proc)


# Module scope: Playwright's sync API keeps an event loop running in this thread until it is
# closed, and later tests (asyncio.run) need the thread free.
@pytest.fixture(scope="module")
def browser() -> Browser:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (scripts/setup-system)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, widget_url, artefacts, request):
    """Opens the demo page in a fresh browser context (its own sessionStorage); on a failure
    keeps a screenshot in results/browser/."""
    pages: List[Page] = []
    problems: List[str] = []

    def make(viewport: Dict[str, int] = DESKTOP, init_script: str = "") -> Page:
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"),
                                          dialog.dismiss()))
        if init_script:
            page.add_init_script(init_script)
        page.goto(widget_url)
        pages.append(page)
        return page

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for number, page in enumerate(pages):
        if failed:
            path = artefacts / f"failed-{request.node.name}-{number}.png"
            page.screenshot(path=str(path))
            print(f"screenshot of the failure: {path}")
        page.context.close()
    assert not problems, problems


@pytest.fixture
def page(new_page) -> Page:
    return new_page()
