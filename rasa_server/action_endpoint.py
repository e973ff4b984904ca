"""The action server endpoint with a bounded wait and a clean failure: "temporarily unavailable".

Why a wrapper around the endpoint: Rasa 3.6's RemoteAction calls
`action_endpoint.request(..., timeout=DEFAULT_REQUEST_TIMEOUT)`, a fixed five minutes that no
setting changes, and when the call fails the processor logs the error and carries on as if the
action had run without events ("Bot will continue, but the actions events are lost"). The user
then gets silence (or a five-minute hang if the action server is stuck), and the conversation is
left half-updated: mid-screening, the raw reply ("no") stays in a bool slot, unvalidated, and
the question is never asked again. Rasa offers no setting or hook to choose the endpoint's class,
so rasa_server/protections.py replaces the agent's endpoint object with this subclass at its
first message; RemoteAction and the forms then call it like any EndpointConfig.

What it does for an action call (`next_action` in the body):

- waits at most `timeout` seconds (endpoints.yml, ACTION_TIMEOUT_SECONDS);
- on a connection error, a timeout or an error status other than 400, returns a well-formed
  action response instead of raising, so that Rasa applies it through its normal path: the
  apology `utter_temporarily_unavailable`, events that put the conversation's state back as it
  was before the user's message (every slot that changed since, `requested_slot` included, and
  the active loop), and `FollowupAction(action_listen)`, which ends the turn. Once the action
  server is back the user repeats the message and goes on (mid-screening: the same question).
  A 400 is the action server rejecting the action, a normal outcome for forms, and is raised
  as before. (The state is restored explicitly rather than with `UserUtteranceReverted`: after
  a form's happy-path step Rasa drops the user message from the applied events, and a rewind
  then undoes the previous turn as well.) `requested_slot` is always set, also when unchanged:
  a form that called the validation action goes on to ask for the slot named by the first
  `requested_slot` event, and this keeps it on the question it was asking;
- apologises once per turn: a form calls validation and then the question action in one run,
  so when the tracker it is sent already holds the apology after the latest user message, it
  only restores the state again (which is idempotent) without calling the action server;
- after a connection error or a timeout, answers from the fallback at once for `retry_after`
  seconds instead of waiting again;
- runs `action_session_start` in this process if the action server cannot, since it only
  sends the disclaimer and starts the session (actions/session.py): every conversation opens
  with the disclaimer even during an outage.

Everything it logs is the action's name, a hashed sender id and the reason.
"""
import asyncio
import logging
import time
from typing import Any, Dict, List, Optional, Text

import aiohttp
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from common import clinic
from common.logs import hash_sender

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_RETRY_AFTER_SECONDS = 5.0
UNAVAILABLE_RESPONSE = "utter_temporarily_unavailable"
FLAG = "action_server_unavailable"  # in the apology's metadata
SESSION_START = "action_session_start"


def _seconds(value: Any, default: float) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return default
    return seconds if seconds > 0 else default


def turn_start(events: List[Dict[Text, Any]]) -> Optional[int]:
    """Index of the user message that started this turn (None for an action run through the
    API without one)."""
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") == "user":
            return index
        if event.get("event") == "action" and event.get("name") == "action_listen":
            return None
    return None


def apologised_this_turn(events: List[Dict[Text, Any]]) -> bool:
    start = turn_start(events)
    return start is not None and any(
        e.get("event") == "bot" and (e.get("metadata") or {}).get(FLAG) for e in events[start:])


def restore_events(body: Dict[Text, Any]) -> List[Dict[Text, Any]]:
    """Events that set the state back to what it was before this turn's user message: the
    slots that changed since, `requested_slot` always, and the active loop if it changed."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker = body.get("tracker") or {}
    events = tracker.get("events") or []
    start = turn_start(events)
    if start is None:
        return []
    sender = tracker.get("sender_id") or body.get("sender_id") or ""
    slots = Domain.from_dict(body.get("domain") or {}).slots
    before = DialogueStateTracker.from_dict(sender, events[:start], slots)
    now = DialogueStateTracker.from_dict(sender, events, slots)
    restore = [{"event": "slot", "name": name, "value": value}
               for name, value in before.current_slot_values().items()
               if name == REQUESTED_SLOT or value != now.get_slot(name)]
    if before.active_loop_name != now.active_loop_name:
        restore.append({"event": "active_loop", "name": before.active_loop_name})
    return restore


class ResilientActionEndpoint(EndpointConfig):
    """An EndpointConfig for the action server; see the module docstring."""

    def __init__(self, endpoint: EndpointConfig) -> None:
        super().__init__(
            url=endpoint.url, params=endpoint.params, headers=endpoint.headers,
            basic_auth=endpoint.basic_auth, token=endpoint.token,
            token_name=endpoint.token_name, cafile=endpoint.cafile, **endpoint.kwargs)
        self.type = endpoint.type
        self.timeout = _seconds(self.kwargs.get("timeout"), DEFAULT_TIMEOUT_SECONDS)
        self.retry_after = _seconds(self.kwargs.get("retry_after"), DEFAULT_RETRY_AFTER_SECONDS)
        self._unavailable_until = 0.0

    def copy(self) -> "ResilientActionEndpoint":
        return ResilientActionEndpoint(super().copy())

    async def request(self, method: Text = "post", subpath: Optional[Text] = None,
                      content_type: Optional[Text] = "application/json",
                      compress: bool = False, **kwargs: Any) -> Optional[Any]:
        body = kwargs.get("json")
        if not (isinstance(body, dict) and body.get("next_action")):
            return await super().request(method, subpath, content_type, compress, **kwargs)
        action = body["next_action"]
        sender = hash_sender(body.get("sender_id"))
        events = (body.get("tracker") or {}).get("events") or []
        if apologised_this_turn(events):
            logger.info("action_server.skipped action=%s sender=%s reason=turn_failed",
                        action, sender)
            return self.fallback(body, apologise=False)
        started = time.monotonic()
        if started < self._unavailable_until:
            reason = "recently_unavailable"
        else:
            kwargs["timeout"] = aiohttp.ClientTimeout(total=self.timeout)
            try:
                return await super().request(method, subpath, content_type, compress, **kwargs)
            except ClientResponseError as error:
                if error.status == 400:
                    raise
                reason = f"status_{error.status}"
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
                reason = type(error).__name__
                self._unavailable_until = time.monotonic() + self.retry_after
            reason += f" after_ms={(time.monotonic() - started) * 1000:.0f}"
        logger.warning("action_server.unavailable action=%s sender=%s reason=%s",
                       action, sender, reason)
        if action == SESSION_START:
            return await self.start_session(body)
        return self.fallback(body)

    def _apology(self) -> Dict[Text, Any]:
        return {"response": UNAVAILABLE_RESPONSE,
                "emergency_number": clinic.current().emergency_number, FLAG: True}

    def fallback(self, body: Dict[Text, Any], apologise: bool = True) -> Dict[Text, Any]:
        try:
            restore = restore_events(body)
        except Exception as error:  # never worse than Rasa's own handling
            logger.error("action_server.restore_failed error=%s", type(error).__name__)
            restore = []
        return {"events": restore + [{"event": "followup", "name": "action_listen"}],
                "responses": [self._apology()] if apologise else []}

    async def start_session(self, body: Dict[Text, Any]) -> Dict[Text, Any]:
        try:
            from rasa_sdk.executor import ActionExecutor

            from actions.session import ActionSessionStart

            executor = ActionExecutor()
            executor.register_action(ActionSessionStart)
            started = await executor.run(body)
            if started is not None:
                return started
        except Exception as error:  # the plain session start below still works
            logger.warning("action_server.local_session_start_failed error=%s",
                           type(error).__name__)
        return {"events": [{"event": "session_started"},
                           {"event": "action", "name": "action_listen"}],
                "responses": [self._apology()]}
