"""The insights page as a real process over HTTP (`python -m insights.service`, free port, a
DATA_DIR whose store holds the recorded events): who gets in, what they get, what is audited."""
import os
import subprocess
import sys

import pytest
import requests
import sqlalchemy as sa

from common.settings import ROOT, analytics_url
from insights import store
from insights.service import COOKIE, FAILED_LOGINS_PER_MINUTE, OFF
from tests.insights.service_process import TOKEN, Service, recorded_store, service_env
from tests.insights.stores import broker_rows, recorded_day
from tests.insights.test_store import RECORDED_SUMMARY

DAY = str(recorded_day())
RANGE = {"from": DAY, "to": DAY}
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("insights-service") / "data"
    recorded_store(folder)
    return folder


@pytest.fixture(scope="module")
def service(data_dir):
    server = Service(data_dir, data_dir.parent / "service.log").start()
    yield server
    assert server.stop() == 0  # stops cleanly on SIGTERM


@pytest.fixture(scope="module")
def analytics(data_dir):
    engine = store.engine_for(analytics_url({"DATA_DIR": str(data_dir)}))
    yield engine
    engine.dispose()


def audit_rows(engine):
    with engine.connect() as connection:
        return connection.execute(sa.select(store.AUDIT.c.who, store.AUDIT.c.action,
                                            store.AUDIT.c.address)).all()


def test_summary_needs_a_token_or_a_login(service):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = requests.get(service.url + "/api/summary", params=RANGE, headers=headers,
                                timeout=30)
        assert response.status_code == 401
        assert "error" in response.json()
    assert requests.get(service.url + "/report", params=RANGE, allow_redirects=False,
                        timeout=30).status_code == 303


def test_bearer_token_gives_the_summary(service, analytics):
    response = requests.get(service.url + "/api/summary", params=RANGE, headers=BEARER,
                            timeout=30)
    assert response.status_code == 200
    assert response.json() == RECORDED_SUMMARY
    assert broker_rows(analytics) == 0
    assert ("API token", "summary", "127.0.0.1") in audit_rows(analytics)


@pytest.mark.parametrize("params, problem", [
    ({"from": "2026-13-01", "to": DAY}, "YYYY-MM-DD"),
    ({"from": "yesterday", "to": DAY}, "YYYY-MM-DD"),
    ({"from": DAY, "to": "2020-01-01"}, "after"),
    ({"from": "2024-01-01", "to": "2025-06-01"}, "366"),
])
def test_bad_dates_are_refused(service, params, problem):
    response = requests.get(service.url + "/api/summary", params=params, headers=BEARER,
                            timeout=30)
    assert response.status_code == 400
    assert problem in response.json()["error"]


def test_login_gives_a_protected_session_cookie(service, analytics):
    with requests.Session() as browser:
        assert browser.get(service.url + "/", allow_redirects=False,
                           timeout=30).headers["Location"] == "/login"
        response = service.login(browser)
        assert response.status_code == 303 and response.headers["Location"] == "/"
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # plain HTTP here
        page = browser.get(service.url + "/", params=RANGE, timeout=30)
        assert page.status_code == 200 and "Logged in as Ann Staff" in page.text
        assert browser.get(service.url + "/api/summary", params=RANGE,
                           timeout=30).json() == RECORDED_SUMMARY
        browser.post(service.url + "/logout", timeout=30)
        assert browser.get(service.url + "/api/summary", params=RANGE,
                           timeout=30).status_code == 401
    actions = [(who, action) for who, action, _ in audit_rows(analytics)]
    assert {("Ann Staff", "login"), ("Ann Staff", "page"), ("Ann Staff", "summary")} <= set(
        actions)


def test_cookie_is_secure_behind_https(service):
    with requests.Session() as browser:
        response = browser.post(service.url + "/login",
                                data={"name": "Ann Staff", "token": TOKEN},
                                headers={"X-Forwarded-Proto": "https"},
                                allow_redirects=False, timeout=30)
    assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_token_is_refused_and_audited(service, analytics):
    with requests.Session() as browser:
        response = service.login(browser, name="Mallory", token="guess")
        assert response.status_code == 401
        assert "check your name and the access token" in response.text
        assert COOKIE not in browser.cookies
    assert ("Mallory", "login_failed", "127.0.0.1") in audit_rows(analytics)


def test_failed_logins_are_rate_limited(tmp_path, data_dir):
    """A service of its own: the limit would also refuse the other tests' logins."""
    limited = Service(data_dir, tmp_path / "service.log").start()
    try:
        with requests.Session() as browser:
            codes = [limited.login(browser, token="guess").status_code
                     for _ in range(FAILED_LOGINS_PER_MINUTE + 1)]
            assert codes == [401] * FAILED_LOGINS_PER_MINUTE + [429]
            assert limited.login(browser).status_code == 429  # even with the right token
    finally:
        assert limited.stop() == 0


def test_report_download_is_audited_as_an_export(service, analytics):
    response = requests.get(service.url + "/report", params=RANGE, headers=BEARER, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="insights-report-{DAY}-{DAY}.html"')
    assert "mri_what" in response.text and "what&#x27;s the weather in Paris" in response.text
    assert ("API token", "export", "127.0.0.1") in audit_rows(analytics)


def test_every_response_is_protected(service):
    for path in ("/login", "/api/summary?from=x", "/static/insights.css"):
        headers = requests.get(service.url + path, headers=BEARER, timeout=30).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert requests.get(service.url + "/api/summary", params=RANGE, headers=BEARER,
                        timeout=30).headers["Cache-Control"] == "no-store"


def test_listens_on_loopback_only_by_default(service):
    """The kernel's table of listening TCP sockets: 127.0.0.1 (0100007F), state LISTEN (0A)."""
    listening = set()
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port = local.split(":")
        if state == "0A" and int(port, 16) == service.port:
            listening.add(address)
    assert listening == {"0100007F"}


@pytest.mark.parametrize("token", [None, ""])
def test_off_without_a_token(tmp_path, token):
    env = service_env(tmp_path)
    env.pop("INSIGHTS_TOKEN")
    if token is not None:
        env["INSIGHTS_TOKEN"] = token
    done = subprocess.run([sys.executable, "-m", "insights.service"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, OFF + "\n")
    assert not os.path.exists(tmp_path / "analytics.db")
