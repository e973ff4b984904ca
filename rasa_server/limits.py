"""Limits on what a user can send, applied to every message of every channel.

`MessageGuard.handle` runs in the agent's `handle_message` (rasa_server/protections.py), the one
place every channel's messages pass through, before Rasa takes the conversation's lock, parses
the text or stores anything. It

- answers politely, and stores nothing, for an empty or over-long message (MAX_MESSAGE_CHARS);
- removes control characters (emoji, right-to-left text and the like pass unchanged);
- refuses sender ids that are too long (MAX_SENDER_ID_CHARS) or have odd characters;
- bounds what one sender can make the server do: at most MAX_PENDING_PER_SENDER messages being
  handled or waiting at once, and RATE_LIMIT_PER_MINUTE over a minute; beyond that the message
  is answered with "too many messages" at once instead of queueing behind the conversation's
  lock, so a burst finishes by itself and other conversations keep their turn. MAX_PENDING_TOTAL
  bounds all senders together.

The REST channel (rasa_server/channels/rest.py) checks the HTTP request itself and answers
throttling with a 429; other channels get the polite message.
"""
import contextvars
import logging
import os
import re
import time
import unicodedata
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage

from common.logs import handling, hash_sender

logger = logging.getLogger(__name__)


def env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, "") or default)
    except ValueError:
        return default


MAX_MESSAGE_CHARS = env_int("MAX_MESSAGE_CHARS", 2000)
MAX_SENDER_ID_CHARS = env_int("MAX_SENDER_ID_CHARS", 128)
MAX_PENDING_PER_SENDER = env_int("MAX_PENDING_PER_SENDER", 4)
MAX_PENDING_TOTAL = env_int("MAX_PENDING_TOTAL", 100)
RATE_LIMIT_PER_MINUTE = env_int("RATE_LIMIT_PER_MINUTE", 120)
SENDER_ID = re.compile(r"[A-Za-z0-9_.:@+-]+")
LINE_BREAKS = re.compile(r"[\t\r\n]+")

TOO_LONG = ("Sorry, that message is too long for me (the limit is {limit} characters). "
            "Please send a shorter message, for example just your question.")
EMPTY = "I didn't get any text. Please type your question, or say \"help\"."
TOO_MANY = ("You're sending messages faster than I can answer. Please wait for my reply and "
            "try again in a moment.")


def valid_sender_id(sender_id: Any) -> bool:
    return (isinstance(sender_id, str) and 0 < len(sender_id) <= MAX_SENDER_ID_CHARS
            and SENDER_ID.fullmatch(sender_id) is not None)


def clean_text(text: Text) -> Text:
    """Without control characters (tabs and line breaks become spaces) and lone surrogates;
    Unicode NFC. Format characters such as right-to-left marks are kept."""
    text = LINE_BREAKS.sub(" ", unicodedata.normalize("NFC", text))
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs")).strip()


class Throttled(Exception):
    """Raised instead of answering when the channel asked to handle throttling itself."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many messages")
        self.retry_after = retry_after


# Set by a channel that turns throttling into its own answer (the REST channel: HTTP 429).
raise_when_throttled: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "raise_when_throttled", default=False)


class MessageGuard:
    def __init__(self) -> None:
        self.pending: Dict[str, int] = {}
        self.total_pending = 0
        # sender -> (tokens, last refill); oldest first, pruned to a bounded size
        self.buckets: "OrderedDict[str, tuple]" = OrderedDict()

    def _take_token(self, sender_id: str) -> bool:
        now = time.monotonic()
        capacity = float(RATE_LIMIT_PER_MINUTE)
        tokens, last = self.buckets.pop(sender_id, (capacity, now))
        tokens = min(capacity, tokens + (now - last) * capacity / 60.0)
        allowed = tokens >= 1.0
        self.buckets[sender_id] = (tokens - 1.0 if allowed else tokens, now)
        while len(self.buckets) > 10000:
            self.buckets.popitem(last=False)
        return allowed

    def admit(self, sender_id: str) -> bool:
        if (self.pending.get(sender_id, 0) >= MAX_PENDING_PER_SENDER
                or self.total_pending >= MAX_PENDING_TOTAL):
            return False
        return self._take_token(sender_id)

    async def _reply(self, message: UserMessage, text: Text) -> None:
        if message.output_channel is not None:
            await message.output_channel.send_text_message(message.sender_id, text)

    async def handle(self, message: UserMessage,
                     handle: Callable[[UserMessage], Awaitable[Any]]) -> Optional[Any]:
        """`handle(message)` if the message and its sender pass; otherwise a polite answer (or
        Throttled), and nothing stored."""
        sender = hash_sender(message.sender_id)
        channel = message.input_channel
        if not valid_sender_id(message.sender_id):
            logger.info("message.rejected reason=sender_id channel=%s sender=%s",
                        channel, sender)
            return None
        text = message.text
        if text is None:
            text = ""
        if not isinstance(text, str):
            text = str(text)
        if len(text) > MAX_MESSAGE_CHARS:
            logger.info("message.rejected reason=too_long chars=%d channel=%s sender=%s",
                        len(text), channel, sender)
            await self._reply(message, TOO_LONG.format(limit=MAX_MESSAGE_CHARS))
            return None
        message.text = clean_text(text)
        if not message.text:
            logger.info("message.rejected reason=empty channel=%s sender=%s", channel, sender)
            await self._reply(message, EMPTY)
            return None
        if not self.admit(message.sender_id):
            logger.info("message.rejected reason=too_many channel=%s sender=%s pending=%d",
                        channel, sender, self.pending.get(message.sender_id, 0))
            if raise_when_throttled.get():
                raise Throttled(retry_after=max(1, int(60 / max(RATE_LIMIT_PER_MINUTE, 1))))
            await self._reply(message, TOO_MANY)
            return None
        self.pending[message.sender_id] = self.pending.get(message.sender_id, 0) + 1
        self.total_pending += 1
        started = time.monotonic()
        try:
            logger.info("message.received channel=%s sender=%s chars=%d",
                        channel, sender, len(message.text))
            with handling(message.sender_id, message.text):
                return await handle(message)
        finally:
            self.total_pending -= 1
            left = self.pending.get(message.sender_id, 1) - 1
            if left > 0:
                self.pending[message.sender_id] = left
            else:
                self.pending.pop(message.sender_id, None)
            logger.info("message.handled channel=%s sender=%s ms=%d", channel, sender,
                        (time.monotonic() - started) * 1000)
