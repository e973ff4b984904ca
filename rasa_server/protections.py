"""The protections of the Rasa server, for every channel, in one place.

Rasa 3.6 loads project code into its server only as channels, stores and NLU components, and
has no hook for checking input, throttling or an unreachable action server. `install()` puts
the protections in; it runs at start-up, before the first message, from the tracker store
(rasa_server/stores/tracker_store.py), which every endpoints file names and which
`rasa run`, `rasa shell`, `rasa interactive` and the cluster all create, and again from the
project's channels (idempotent). It

- checks that each Rasa or library function it replaces, or relies on, is the one of the pinned
  version (`PINNED`): another version stops the start with an error naming the function;
- replaces `Agent.handle_message`, the one place every channel's messages go through (`rasa
  shell`'s too), before Rasa takes the conversation's lock: `MessageGuard` (limits.py) checks
  size, sender id and rate, and the agent's action endpoint becomes `ResilientActionEndpoint`
  (action_endpoint.py: bounded wait, a clean "temporarily unavailable" turn);
- replaces `RemoteAction._validate_action_result` by a schema validator built once;
- puts the log privacy filter (common/logs.py) on every handler, Sanic's included.

`limit_socket_origins` (called by the socket.io channel) and `protect_api` (called once the
server has started) do the same for socket.io origins and Rasa's HTTP API.
"""
import hashlib
import hmac
import inspect
import logging
import os
from importlib.metadata import version
from typing import Any, Callable, Dict, List, Optional, Text

import rasa
from engineio.server import Server as EngineIOServer
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from common import clinic
from common.logs import filter_every_handler
from common.settings import allowed_origins
from rasa_server.action_endpoint import ResilientActionEndpoint
from rasa_server.limits import MessageGuard

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
ENGINEIO_VERSION = "4.4.1"
# SHA-256 of the source of each function replaced here (or whose calls the replacement relies
# on: RemoteAction.run calls `self.action_endpoint.request`), as in the pinned versions.
PINNED: Dict[str, str] = {
    "rasa.core.agent.Agent.handle_message":
        "ba53507e4d5532a38d3615aa1968deba6a8086e4fb9601b1526749b132c06308",
    "rasa.core.actions.action.RemoteAction.run":
        "ccabf6f1160d527a157fad5bd285ce69e8221b1bcad23f8a61499b4360a1c17e",
    "rasa.core.actions.action.RemoteAction._validate_action_result":
        "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42",
    "engineio.server.Server._cors_headers":
        "da3a25b4305292e2f1fb203fbc1176d784a3b5e2480cf1e5cc9bca5920a25799",
}

GUARD = MessageGuard()
RASA_HANDLE_MESSAGE = Agent.handle_message
RASA_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result


class UnexpectedRasaVersion(RuntimeError):
    """A function replaced here is not the one this project was checked against."""


def source_digest(function: Callable) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


def check_pinned(functions: Dict[str, Callable]) -> None:
    """Raises UnexpectedRasaVersion naming every function whose source differs from PINNED."""
    installed = (rasa.__version__, version("python-engineio"))
    if installed != (RASA_VERSION, ENGINEIO_VERSION):
        raise UnexpectedRasaVersion(
            f"rasa_server/protections.py was checked against rasa {RASA_VERSION} and "
            f"python-engineio {ENGINEIO_VERSION}; this is rasa {installed[0]} and "
            f"python-engineio {installed[1]}. Install requirements.lock.")
    changed = [name for name, function in functions.items()
               if source_digest(function) != PINNED[name]]
    if changed:
        raise UnexpectedRasaVersion(
            "rasa_server/protections.py replaces functions that differ from those of the "
            f"pinned versions: {', '.join(changed)}. Check the replacement against the new "
            "source, then update PINNED.")


def replaced_functions() -> Dict[str, Callable]:
    return {
        "rasa.core.agent.Agent.handle_message": RASA_HANDLE_MESSAGE,
        "rasa.core.actions.action.RemoteAction.run": RemoteAction.run,
        "rasa.core.actions.action.RemoteAction._validate_action_result":
            RASA_VALIDATE_ACTION_RESULT,
        "engineio.server.Server._cors_headers": EngineIOServer._cors_headers,
    }


def use_resilient_action_endpoint(agent: Agent) -> None:
    """The agent's (and its processor's) action endpoint as ResilientActionEndpoint."""
    endpoint = agent.action_endpoint
    if endpoint is not None and not isinstance(endpoint, ResilientActionEndpoint):
        agent.action_endpoint = ResilientActionEndpoint(endpoint)
        logger.info("action_server.endpoint timeout_s=%.1f", agent.action_endpoint.timeout)
    processor = getattr(agent, "processor", None)
    if processor is not None and processor.action_endpoint is not agent.action_endpoint:
        processor.action_endpoint = agent.action_endpoint


async def guarded_handle_message(agent: Agent, message: UserMessage
                                 ) -> Optional[List[Dict[Text, Any]]]:
    """Agent.handle_message behind the message guard, with the resilient action endpoint."""
    use_resilient_action_endpoint(agent)
    return await GUARD.handle(message, lambda checked: RASA_HANDLE_MESSAGE(agent, checked))


def validate_action_result_once_built(action: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Rasa checks every action server response with `jsonschema.validate`, which first checks
    Rasa's large response schema itself: about 30 ms per custom action call on 2 cores. A
    validator built once accepts exactly the same responses; one it rejects still goes through
    Rasa's own check, for Rasa's error."""
    return (RESPONSE_VALIDATOR.is_valid(result)
            or RASA_VALIDATE_ACTION_RESULT(action, result))


def _response_validator() -> Any:
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    return validator_for(schema)(schema)


RESPONSE_VALIDATOR = _response_validator()


def install() -> None:
    """Checks the pinned functions and the clinic's profile (a malformed one stops the start
    with its key named, as it stops the action server), and puts the protections in;
    idempotent."""
    clinic.current()
    if Agent.handle_message is not guarded_handle_message:
        check_pinned(replaced_functions())
        Agent.handle_message = guarded_handle_message  # type: ignore[assignment]
        RemoteAction._validate_action_result = validate_action_result_once_built  # type: ignore
        logger.info("protections.installed rasa=%s", rasa.__version__)
    filter_every_handler()


def no_cors_headers(_environ: Dict[Text, Any]) -> List[Any]:
    """engine.io's own CORS headers, replaced by none: Sanic-CORS (`--cors`, the same origins)
    sends them for every route, and Access-Control-Allow-Origin sent twice is rejected by
    browsers."""
    return []


def limit_socket_origins(eio: EngineIOServer) -> None:
    """socket.io connections only from ALLOWED_ORIGINS: `--cors` covers HTTP only, and Rasa
    creates its socket.io server with origin checks off, so that a page on any site could open a
    WebSocket to it. Call after `install()`, which checked `_cors_headers` with the rest."""
    origins = allowed_origins(os.environ)
    eio.cors_allowed_origins = "*" if origins == ["*"] else origins
    eio._cors_headers = no_cors_headers


async def version_needs_token(request: Request) -> Optional[HTTPResponse]:
    """`GET /version` is Rasa's one API route without authentication."""
    if request.path.rstrip("/") != "/version":
        return None
    token = os.environ.get("RASA_API_TOKEN", "")
    given = request.args.get("token") or ""
    if token and hmac.compare_digest(given.encode(), token.encode()):
        return None
    return json_response({"error": "unauthorized", "message": "This route needs the API token."},
                         status=401)


async def protect_api(app: Sanic, _loop: Any) -> None:
    """After start-up (a channel's listener): with the HTTP API on, every route needs the token;
    and the log filter on the handlers Sanic created meanwhile."""
    install()
    if os.environ.get("RASA_API_TOKEN") and not getattr(app.ctx, "api_protected", False):
        app.ctx.api_protected = True
        app.register_middleware(version_needs_token, "request")
