"""The clinic's insights page for staff: `python -m insights.service` (scripts/stack.py starts it
with `make run` and `make run-cluster` when INSIGHTS_TOKEN is set).

Settings (insights/settings.py): INSIGHTS_TOKEN (unset or empty: the page is off and this exits
at once), INSIGHTS_HOST [127.0.0.1], INSIGHTS_PORT [8090], ANALYTICS_URL
[sqlite:///$DATA_DIR/analytics.db], the clinic profile's time zone, RETENTION_DAYS [30] (only
said on the page: scripts/purge.py deletes).

Routes:
- GET /login, POST /login (name and access token), POST /logout. A login gives a random
  session id in the cookie `insights_session` (HttpOnly, SameSite=Strict, Secure over HTTPS),
  kept in memory for SESSION_HOURS. Failed logins from one address are limited to
  FAILED_LOGINS_PER_MINUTE, then refused with 429.
- GET /: the page (insights/pages.py), with ?from=YYYY-MM-DD&to=YYYY-MM-DD&channel=x.
- GET /api/summary?from&to[&channel]: insights/store.py `summary` as JSON; GET /report?from&to
  [&channel]: the offline report (insights/report.py) as a download. Both take the session
  cookie or `Authorization: Bearer <INSIGHTS_TOKEN>`.
- GET /static/insights.js, /static/insights.css: the chart bundle (`make insights-web`).

Every login, failed or not, every page and summary read and every report is in the audit log
(insights_audit, and a log line). No message text is logged. The broker's new events are
ingested every INGEST_EVERY_SECONDS, so that they do not stay in the store as written. Stops
on SIGTERM or SIGINT.
"""
import asyncio
import hmac
import logging
import os
import secrets
import sys
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, Mapping, Optional, Tuple

import sqlalchemy as sa
from sanic import Sanic, response
from sanic.request import Request

from common.logs import filter_every_handler
from common.settings import analytics_url, insights_port
from insights import pages, report, store
from insights.settings import clinic_timezone, date_range, host
from scripts.purge import retention_days

logger = logging.getLogger("insights.service")

COOKIE = "insights_session"
SESSION_HOURS = 8
FAILED_LOGINS_PER_MINUTE = 5
INGEST_EVERY_SECONDS = 60
API_CALLER = "API token"
PAGE_POLICY = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
OFF = "Insights page off: set INSIGHTS_TOKEN to turn it on."


@dataclass
class Session:
    who: str
    expires: float


class Logins:
    """Sessions by id, and recent failed logins by address."""

    def __init__(self) -> None:
        self.sessions: Dict[str, Session] = {}
        self.failures: Dict[str, Deque[float]] = {}

    def open(self, who: str) -> str:
        now = time.time()
        self.sessions = {sid: s for sid, s in self.sessions.items() if s.expires > now}
        sid = secrets.token_urlsafe(32)
        self.sessions[sid] = Session(who, now + SESSION_HOURS * 3600)
        return sid

    def find(self, sid: Optional[str]) -> Optional[Session]:
        session = self.sessions.get(sid or "")
        return session if session and session.expires > time.time() else None

    def close(self, sid: Optional[str]) -> None:
        self.sessions.pop(sid or "", None)

    def blocked(self, address: str) -> bool:
        recent = self.failures.get(address)
        while recent and recent[0] < time.time() - 60:
            recent.popleft()
        return bool(recent) and len(recent) >= FAILED_LOGINS_PER_MINUTE

    def failed(self, address: str) -> None:
        self.failures.setdefault(address, deque()).append(time.time())


def _address(request: Request) -> str:
    return request.remote_addr or request.ip


def _https(request: Request) -> bool:
    return (request.scheme == "https"
            or request.headers.get("x-forwarded-proto", "").lower() == "https")


def create_app(env: Mapping[str, str]) -> Sanic:
    token = env["INSIGHTS_TOKEN"]
    timezone = clinic_timezone(env)
    retention = retention_days(env)
    engine = store.engine_for(analytics_url(env))
    logins = Logins()
    app = Sanic("clinic_insights")
    app.config.ACCESS_LOG = False

    async def blocking(function: Callable[..., Any], *args: Any) -> Any:
        """Store work off the event loop (a summary of a large store takes a moment)."""
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)

    def caller(request: Request) -> Optional[str]:
        """Who is asking: a logged-in member of staff, the API token, or nobody."""
        session = logins.find(request.cookies.get(COOKIE))
        if session:
            return session.who
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              token.encode()):
            return API_CALLER
        return None

    def period(request: Request) -> Tuple[Any, Any, Optional[str]]:
        start, end = date_range(request.args.get("from"), request.args.get("to"), timezone)
        return start, end, request.args.get("channel") or None

    def audit(who: str, action: str, request: Request, start: Any = None, end: Any = None,
              channel: Optional[str] = None) -> Any:
        return blocking(store.audit, engine, who, action, start, end, channel,
                        _address(request))

    def login_form(message: Optional[str], status: int, name: str = "") -> response.HTTPResponse:
        return response.html(pages.login_page(message, name), status=status)

    @app.get("/login")
    async def login_page(request: Request) -> response.HTTPResponse:
        return login_form(None, 200)

    @app.post("/login")
    async def login(request: Request) -> response.HTTPResponse:
        address = _address(request)
        name = (request.form.get("name") or "").strip()[:100]
        if logins.blocked(address):
            logger.warning("insights.login_blocked address=%s", address)
            return login_form("Too many failed attempts. Wait a minute, then try again.", 429,
                              name)
        given = request.form.get("token") or ""
        if not name or not hmac.compare_digest(given.encode(), token.encode()):
            logins.failed(address)
            await audit(name, "login_failed", request)
            return login_form("That did not work: check your name and the access token, "
                              "then try again.", 401, name)
        await audit(name, "login", request)
        result = response.redirect("/", status=303)
        result.cookies[COOKIE] = logins.open(name)
        cookie = result.cookies[COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/"
        cookie["max-age"] = SESSION_HOURS * 3600
        if _https(request):
            cookie["secure"] = True
        return result

    @app.post("/logout")
    async def logout(request: Request) -> response.HTTPResponse:
        logins.close(request.cookies.get(COOKIE))
        result = response.redirect("/login", status=303)
        result.cookies[COOKIE] = ""
        result.cookies[COOKIE]["max-age"] = 0
        result.cookies[COOKIE]["path"] = "/"
        return result

    @app.get("/")
    async def page(request: Request) -> response.HTTPResponse:
        session = logins.find(request.cookies.get(COOKIE))
        if session is None:
            return response.redirect("/login", status=303)
        message = None
        try:
            start, end, channel = period(request)
        except ValueError as error:
            message = str(error)
            start, end = date_range(None, None, timezone)
            channel = None
        await audit(session.who, "page", request, start, end, channel)
        summary = await blocking(store.summary, engine, start, end, channel, timezone)
        details = await blocking(store.details, engine, start, end, channel, timezone)
        return response.html(pages.insights_page(summary, details, start, end, channel,
                                                 timezone, session.who, retention, message))

    @app.get("/api/summary")
    async def api_summary(request: Request) -> response.HTTPResponse:
        who = caller(request)
        if who is None:
            return response.json({"error": "Log in or send Authorization: Bearer <token>."},
                                 status=401, headers={"WWW-Authenticate": "Bearer"})
        try:
            start, end, channel = period(request)
        except ValueError as error:
            return response.json({"error": str(error)}, status=400)
        await audit(who, "summary", request, start, end, channel)
        return response.json(await blocking(store.summary, engine, start, end, channel,
                                            timezone))

    @app.get("/report")
    async def report_download(request: Request) -> response.HTTPResponse:
        who = caller(request)
        if who is None:
            return response.redirect("/login", status=303)
        try:
            start, end, channel = period(request)
        except ValueError as error:
            return response.text(str(error), status=400)
        await audit(who, "export", request, start, end, channel)
        css, script = report.web_files()
        document = await blocking(report.build, engine, start, end, channel, timezone)
        return response.html(document, headers={
            "Content-Disposition":
                f'attachment; filename="{report.file_name(start, end)}"',
            "Content-Security-Policy": pages.report_policy(css, script)})

    @app.get("/static/<name:insights\\.(?:js|css)>")
    async def static(request: Request, name: str) -> response.HTTPResponse:
        path = report.WEB / name
        if not path.is_file():
            return response.text("Not built: run `make insights-web`.", status=404)
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        return response.raw(path.read_bytes(), content_type=f"{kind}; charset=utf-8")

    @app.on_response
    async def protect(request: Request, result: response.HTTPResponse) -> None:
        headers = result.headers
        headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        headers["Cache-Control"] = ("no-cache" if request.path.startswith("/static/")
                                    else "no-store")
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"

    async def keep_ingesting() -> None:
        while True:
            try:
                await blocking(store.ingest, engine)
            except sa.exc.SQLAlchemyError as error:
                logger.warning("insights.ingest failed: %s", type(error).__name__)
            await asyncio.sleep(INGEST_EVERY_SECONDS)

    app.add_task(keep_ingesting())

    @app.after_server_stop
    async def close_store(*_: Any) -> None:
        engine.dispose()

    return app


def main(env: Optional[Mapping[str, str]] = None) -> int:
    env = os.environ if env is None else env
    if not env.get("INSIGHTS_TOKEN"):
        print(OFF, flush=True)
        return 0
    # Sanic's loggers have their own handlers; this one is for the insights' (the audit).
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.getLogger("insights").addHandler(handler)
    logging.getLogger("insights").setLevel(logging.INFO)
    app = create_app(env)
    filter_every_handler()  # common/logs.py: nothing of a conversation in any log line
    address, port = host(env), insights_port(env)
    print(f"Insights page on http://{address}:{port}/ (time zone "
          f"{clinic_timezone(env)})", flush=True)
    app.run(host=address, port=port, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
