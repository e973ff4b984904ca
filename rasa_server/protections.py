"""Hardening of the running Rasa server that no Rasa setting provides, installed at start-up.

Rasa 3.6 loads project code into the server process only as channels, tracker stores and
pipeline components; the REST channel (channels/rest.py), always on, registers `install` to run
once the agent is loaded, and calls it again before each message in case the agent was replaced
(`PUT /model`). It is idempotent. It

- puts `MessageGuard` (channels/limits.py) around the agent's `handle_message`, which every
  channel's messages go through: input limits and throttling for all channels;
- replaces the agent's action endpoint by `ResilientActionEndpoint` (channels/action_endpoint.py):
  bounded wait for the action server and a clean "temporarily unavailable" turn;
- has Rasa check action server responses against a schema validator built once instead of
  re-checking the schema on every call (channels/action_endpoint.py);
- limits socket.io connections (any channel with a python-socketio server, such as the widget's)
  to ALLOWED_ORIGINS. `--cors` covers HTTP only, and Rasa creates its socket.io server with
  origin checks off, so a page on any site could otherwise open a WebSocket to it;
- with the HTTP API on, makes `GET /version`, Rasa's one API route without authentication,
  require the API token like the others;
- puts the log privacy filter (channels/logs.py) on handlers created after logging.yml was
  applied (Sanic's, when Rasa creates its API app).
"""
import hmac
import logging
import os
from typing import Any, List, Optional

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json as json_response

from channels.action_endpoint import ResilientActionEndpoint, check_responses_with_one_validator
from channels.limits import MessageGuard
from channels.logs import filter_every_handler

logger = logging.getLogger(__name__)

GUARD = MessageGuard()
DEFAULT_WIDGET_PORT = "8080"


def allowed_origins(env: Optional[dict] = None) -> List[str]:
    """ALLOWED_ORIGINS (comma- or space-separated; `*` for any), by default the demo page's own
    origin, http://localhost:$WIDGET_PORT (8080) or the same with 127.0.0.1 (as scripts/stack.py
    sets it)."""
    env = os.environ if env is None else env
    value = (env.get("ALLOWED_ORIGINS") or "").replace(",", " ").split()
    if value:
        return value
    port = env.get("WIDGET_PORT") or DEFAULT_WIDGET_PORT
    return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]


def _install_on_agent(agent: Any) -> None:
    if not hasattr(agent.handle_message, "message_guard"):
        agent.handle_message = GUARD.wrap(agent.handle_message)
    endpoint = agent.action_endpoint
    if endpoint is not None and not isinstance(endpoint, ResilientActionEndpoint):
        agent.action_endpoint = ResilientActionEndpoint(endpoint)
        logger.info("action_server.endpoint timeout_s=%.1f", agent.action_endpoint.timeout)
    processor = getattr(agent, "processor", None)
    if processor is not None and processor.action_endpoint is not agent.action_endpoint:
        processor.action_endpoint = agent.action_endpoint


def _limit_socket_origins(app: Sanic) -> None:
    origins = allowed_origins()
    for channel in getattr(app.ctx, "input_channels", []) or []:
        sio = getattr(channel, "sio", None)
        eio = getattr(sio, "eio", None)
        if eio is not None:
            eio.cors_allowed_origins = "*" if origins == ["*"] else origins
            # The CORS headers themselves come from Sanic-CORS (`--cors`, the same origins), as
            # for every route; engine.io adding its own would send Access-Control-Allow-Origin
            # twice, which browsers reject.
            eio._cors_headers = lambda environ: []


async def _version_needs_token(request: Request) -> Optional[HTTPResponse]:
    if request.path.rstrip("/") != "/version":
        return None
    token = os.environ.get("RASA_API_TOKEN", "")
    given = request.args.get("token") or ""
    if token and hmac.compare_digest(given.encode(), token.encode()):
        return None
    return json_response({"error": "unauthorized", "message": "This route needs the API token."},
                         status=401)


def install(app: Sanic) -> None:
    agent = getattr(app.ctx, "agent", None)
    if agent is not None:
        _install_on_agent(agent)
    if getattr(app.ctx, "hardening_installed", False):
        return
    app.ctx.hardening_installed = True
    check_responses_with_one_validator()
    filter_every_handler()
    _limit_socket_origins(app)
    if os.environ.get("RASA_API_TOKEN"):
        app.register_middleware(_version_needs_token, "request")


async def install_listener(app: Sanic, _loop: Any) -> None:
    install(app)
