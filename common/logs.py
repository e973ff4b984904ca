"""Logs without health information: no message text, no slot values, no raw sender ids.

Conversations are health information, so at INFO and above the servers log only what happened
(an event name) and to whom as a hash (`hash_sender`). The project's code logs that way by
design; every record, Rasa's and the libraries' included, also goes through `PrivacyFilter`,
which logging.yml attaches to every handler of both servers (`--logging-config-file`), because
Rasa's records do carry user data:

- Rasa's structlog events are rendered to JSON with keys such as `text`, `rasa_events`,
  `tracker_latest_message` and, with exceptions, every frame's local variables (the REST
  channel's `rest.message.received.failure` logs the message text and the tracker that way).
  The filter keeps the event name and level and drops the rest.
- A traceback's exception message can quote data (a failed SQL statement lists its parameters,
  a platform's error repeats the message), so tracebacks keep the exception type and the
  frames, not the message.
- Anything logged while a message is being handled has that message's text and sender id
  replaced (`handling` sets them for the current task).
- API tokens in logged URLs (`?token=...`, as Sanic's error log quotes the request URL) are
  replaced.

DEBUG records pass unchanged: debugging a conversation needs its content, and DEBUG is never on
in a deployment (LOG_LEVEL defaults to INFO).
"""
import contextlib
import contextvars
import hashlib
import json
import logging
import os
import re
import traceback
from typing import Any, Dict, Iterator, Optional, Tuple

# Keys of Rasa's structlog events that name things rather than carry conversation content.
SAFE_EVENT_KEYS = ("event", "level", "log_level", "action_name", "event_key", "status",
                   "filename", "model", "policy_name")
REDACTED = "[redacted]"
SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s|$)", re.DOTALL)
TOKEN_IN_URL = re.compile(r"([?&](?:token|access_token|auth_token)=)[^&\s'\"]+")

_current: contextvars.ContextVar[Optional[Tuple[str, str]]] = contextvars.ContextVar(
    "privacy_current_message", default=None)


def hash_sender(sender_id: Any) -> str:
    """A short stable pseudonym for a sender id, to follow one conversation through the logs.
    LOG_HASH_SALT (optional) makes it unlinkable to the id for anyone without the salt."""
    salt = os.environ.get("LOG_HASH_SALT", "")
    return hashlib.sha256(f"{salt}{sender_id}".encode("utf-8", "replace")).hexdigest()[:12]


@contextlib.contextmanager
def handling(sender_id: str, text: str) -> Iterator[None]:
    """Marks the current task as handling this message, so that records logged meanwhile by any
    code have its text and sender id replaced."""
    token = _current.set((str(sender_id), str(text)))
    try:
        yield
    finally:
        _current.reset(token)


def _safe_traceback(exc_info: Any) -> str:
    """Exception type and frames (file, line, function), without the message or locals."""
    exc_type, _, tb = exc_info
    frames = "".join(f'  File "{f.filename}", line {f.lineno}, in {f.name}\n'
                     for f in traceback.extract_tb(tb))
    return f"Traceback (most recent call last):\n{frames}{exc_type.__name__}: {REDACTED}"


def _summarise_structlog(message: str) -> Optional[str]:
    """The event name and a few naming keys of a rendered structlog event, or None if the
    message is not one."""
    if not message.startswith("{"):
        return None
    try:
        event = json.loads(message)
    except ValueError:
        return None
    if not isinstance(event, dict) or "event" not in event:
        return None
    kept: Dict[str, Any] = {k: event[k] for k in SAFE_EVENT_KEYS if k in event}
    for record in event.get("exception") or []:
        if isinstance(record, dict):
            kept.setdefault("exc_type", record.get("exc_type"))
            frames = record.get("frames") or []
            if frames and isinstance(frames[-1], dict):
                kept["exc_at"] = f"{frames[-1].get('filename')}:{frames[-1].get('lineno')}"
    dropped = sorted(set(event) - set(kept) - {"exception"})
    if dropped:
        kept["redacted_keys"] = dropped
    return json.dumps(kept)


class PrivacyFilter(logging.Filter):
    """Rewrites records at INFO and above so that they carry no conversation content."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template only
            message = str(record.msg)
        message = _summarise_structlog(message) or SQL_PARAMETERS.sub(
            f"[parameters: {REDACTED}]", message)
        if record.exc_info and record.exc_info[0] is not None:
            message = f"{message}\n{_safe_traceback(record.exc_info)}"
            record.exc_info = None
            record.exc_text = None
        record.stack_info = None
        message = TOKEN_IN_URL.sub(rf"\1{REDACTED}", message)
        current = _current.get()
        if current is not None:
            sender_id, text = current
            if len(text.strip()) >= 3:
                message = message.replace(text, REDACTED)
            if len(sender_id) >= 6:  # shorter ids would garble the record
                message = message.replace(sender_id, f"sender:{hash_sender(sender_id)}")
        record.msg, record.args = message, None
        return True


def filter_every_handler() -> int:
    """Adds PrivacyFilter to every handler that lacks it; returns how many. For handlers set up
    after logging.yml: Rasa creates its API app with Sanic's own logging config, which gives
    Sanic's loggers new handlers."""
    loggers = [logging.getLogger(), *(logger for logger in logging.root.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]
    added = 0
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, PrivacyFilter) for f in handler.filters):
                handler.addFilter(PrivacyFilter())
                added += 1
    return added
