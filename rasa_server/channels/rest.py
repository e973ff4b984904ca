"""The REST channel (POST /webhooks/rest/webhook), strict about its input.

credentials.yml names this class instead of Rasa's `rest`; its name is `rest`, so the URL, the
request (`{"sender": "...", "message": "..."}`) and the answer (a JSON list of bot messages) are
those of Rasa's channel. Rasa's channel answers malformed requests with a 500 and an HTML page
(a JSON array body, invalid JSON or UTF-8), puts every message without a sender into one shared
conversation ("default"), stores whatever `metadata` a client sends, and on an exception logs
the message text and the tracker (as frame locals) at ERROR. This one:

- reads at most MAX_BODY_BYTES (default 512 KiB) of body: 413 beyond;
- answers 400 with `{"error": code, "message": text}` for a body that is not UTF-8 JSON, not an
  object, without a string `message`, or without a valid `sender` (1 to MAX_SENDER_ID_CHARS of
  letters, digits and `_.:@+-`);
- answers 429 (with Retry-After) when the sender has too many messages in flight or per minute;
- ignores client `metadata`, `input_channel` and streaming: nothing but the text is stored;
- answers 500 with a JSON error if handling the message fails, logging only the event, the
  exception type and a hashed sender id.

Empty, over-long and control-character messages are handled for every channel by
rasa_server/limits.py (a polite answer, nothing stored). The blueprint also runs
channels/server.install once the server has started (see there).
"""
import asyncio
import inspect
import json
import logging
from typing import Any, Awaitable, Callable, Text, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from common.logs import hash_sender
from rasa_server import limits, protections

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = limits.env_int("MAX_BODY_BYTES", 512 * 1024)


def error(status: int, code: Text, message: Text, **headers: Text) -> HTTPResponse:
    return response.json({"error": code, "message": message}, status=status, headers=headers)


class BadRequest(Exception):
    def __init__(self, status: int, code: Text, message: Text) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


async def read_body(request: Request) -> bytes:
    request.stream.request_max_size = MAX_BODY_BYTES
    try:
        await request.receive_body()
    except PayloadTooLarge:
        raise BadRequest(413, "payload_too_large",
                         f"The request body is limited to {MAX_BODY_BYTES} bytes.") from None
    return request.body or b""


def parse_request(body: bytes) -> Tuple[Text, Text]:
    """The sender id and the message text, or BadRequest."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(400, "invalid_encoding",
                         "The request body must be UTF-8 encoded JSON.") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply
        raise BadRequest(400, "invalid_json", "The request body must be valid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest(400, "invalid_body",
                         'Send a JSON object: {"sender": "...", "message": "..."}.')
    sender = data.get("sender")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if sender is None:
        raise BadRequest(400, "missing_sender", "`sender` (a conversation id) is required.")
    if not limits.valid_sender_id(sender):
        raise BadRequest(400, "invalid_sender",
                         f"`sender` must be 1 to {limits.MAX_SENDER_ID_CHARS} letters, digits "
                         "or any of _.:@+-")
    if "message" not in data or data["message"] is None:
        raise BadRequest(400, "missing_message", "`message` (a string) is required.")
    if not isinstance(data["message"], str):
        raise BadRequest(400, "invalid_message", "`message` must be a string.")
    return sender, data["message"]


class RestInput(InputChannel):
    """POST /webhooks/rest/webhook; see the module docstring."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(f"strict_webhook_{type(self).__name__}",
                            module.__name__ if module else None)
        protections.install()
        webhook.listener("after_server_start")(protections.protect_api)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            try:
                sender_id, text = parse_request(await read_body(request))
            except BadRequest as bad:
                logger.info("rest.request.rejected status=%d reason=%s", bad.status, bad.code)
                return error(bad.status, bad.code, bad.message)
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender_id, input_channel=self.name())
            throttled = limits.raise_when_throttled.set(True)
            try:
                await on_new_message(message)
            except limits.Throttled as refused:
                return error(429, "too_many_requests", limits.TOO_MANY,
                             **{"Retry-After": str(refused.retry_after)})
            except asyncio.CancelledError:
                logger.warning("rest.message.cancelled sender=%s", hash_sender(sender_id))
                raise
            except Exception as failure:
                logger.error("rest.message.failed sender=%s error=%s", hash_sender(sender_id),
                             type(failure).__name__)
                return error(500, "internal_error",
                             "Sorry, something went wrong. Please try again.")
            finally:
                limits.raise_when_throttled.reset(throttled)
            return response.json(collector.messages)

        return webhook
