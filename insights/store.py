"""The clinic's insights, counted from the events Rasa's SQL event broker writes.

Rasa's broker (rasa_server/stores/event_broker.py) writes every event of every conversation to
the table `events` of the analytics store (ANALYTICS_URL [sqlite:///$DATA_DIR/analytics.db]; in
the cluster a PostgreSQL database): the event as JSON, with what the patient wrote. `ingest`
turns those rows into small tables of counts (below) and deletes them in the same transaction,
so the store keeps as little as possible: no message text, except the masked texts of the
messages the assistant could not answer. `summary` and `details` ingest first, the insights page
ingests every minute, and the retention purge (`purge`, from scripts/purge.py) ingests too, so
raw events do not stay long.

What is counted (a range is the local days [from, to], both included):

- Days and hours are the clinic's: an IANA time zone given to `summary` and `details` (default
  UTC). The tables keep times in UTC to the quarter hour and the local day and hour are worked
  out when counting, so a change of time zone applies to everything, old events included (a
  zone whose offset from UTC is not a whole number of quarter hours is counted to the nearest
  quarter hour before).
- channel: the user message's `input_channel` (rest, socketio, telegram, slack, twilio,
  cmdline). What the assistant does counts under the channel of the conversation's latest
  user message. A channel given counts only that channel; none counts all.
- conversations: conversations (sender ids) with at least one user message in the range;
  messages: the user messages in the range (button payloads such as /start_screening too).
- faq_topics: per topic id, the FAQ answers the assistant gave (responses `utter_faq/<topic>`),
  also those given in the middle of a check.
- unanswered: user messages whose intent is `nlu_fallback` or `out_of_scope`: their number,
  and their texts for review, newest first, with e-mail addresses shown as "[email]",
  phone-like numbers as "[phone]" and any other digit as "#". Only the masked text is stored.
- checks: started is each start of the symptom check (the form `screening_form`), counted on
  the day it started. A check ends when the form is stopped, started again, at a restart or
  a new session, or when the conversation ends. completed: an outcome (a `triage_level`) came
  after it started and before the patient's next message after it ended (the outcome comes
  right after the form ends, in the same turn; an emergency sign stated during the check ends
  the form, then gives the emergency outcome). stopped: it ended without an outcome (the
  patient said stop or start over); stopped_at counts them by the last question asked. A check
  still going whose conversation has been quiet for SESSION_IDLE_MINUTES counts as stopped at
  its last question; one that is more recent is in progress, neither completed nor stopped.
- levels: every outcome given (emergency, urgent, soon, self_care), also the emergency advice
  for a sign stated outside the check; emergencies by hour: the emergency outcomes by local
  hour of the day (0-23).
- feedback: the patients' "Helpful" / "Not helpful" on a FAQ answer (intent `answer_feedback`
  with entities `faq_topic` and `feedback`), in all and per topic.

Tables (besides the broker's `events`): insights_conversations (one row per conversation: its
channel, last event, the check going on or just ended), insights_messages (user messages per
conversation, channel and quarter hour), insights_checks (one row per check), insights_tallies
(one row per FAQ answer, outcome and feedback), insights_unanswered (the masked texts) and
insights_audit (who looked at what: `audit`). Every table with a `sender_id` is cleared by
`erase_conversation` and by `purge`.

Ingest works in batches of BATCH_EVENTS broker rows, each in one transaction that writes the
counts and deletes the rows, so it is incremental and idempotent; it holds a lock meanwhile
(SQLite: a write transaction, BEGIN IMMEDIATE; PostgreSQL: a transaction-level advisory lock),
so processes ingesting at once (the insights page, a report, the purge, a Rasa server erasing
a conversation) take turns and each row is counted once, in order.
"""
import contextlib
import datetime
import json
import logging
import os
import re
import time
from collections import Counter
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from common.triage import LEVELS, SLOTS

logger = logging.getLogger(__name__)

SESSION_IDLE_MINUTES = 30
BATCH_EVENTS = 5000
CHUNK = 500  # values in one IN (...) list
QUARTER = 900  # seconds: the tables' time unit
QUARTERS_PER_DAY = 96
EXAMPLES = 20  # unanswered texts in the summary
UNANSWERED_LISTED = 100  # ... on the page and in the report
MAX_TEXT = 1000
UNANSWERED_INTENTS = ("nlu_fallback", "out_of_scope")
FEEDBACK_VALUES = ("helpful", "not_helpful")
TOPIC_ID = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")
FAQ_PREFIX = "utter_faq/"
FORM = "screening_form"
# pg_advisory_xact_lock key taken by every write (any constant shared by all processes).
PG_LOCK_KEY = 4_187_339_152

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_LIKE = re.compile(r"(?:\+|\()?\d[\d\s().\-/]{5,}\d")
PHONE_DIGITS = 7
DIGIT = re.compile(r"\d")

# The broker's table, as Rasa creates it (rasa/core/brokers/sql.py); never created here.
BROKER = sa.Table("events", sa.MetaData(),
                  sa.Column("id", sa.Integer, primary_key=True),
                  sa.Column("sender_id", sa.String(255)),
                  sa.Column("data", sa.Text))

SCHEMA = sa.MetaData()
SENDER = 255
CHANNEL = 32
NAME = 64


def _sender() -> sa.Column:
    return sa.Column("sender_id", sa.String(SENDER), nullable=False, index=True)


def _channel() -> sa.Column:
    return sa.Column("channel", sa.String(CHANNEL))


CONVERSATIONS = sa.Table(
    "insights_conversations", SCHEMA,
    sa.Column("sender_id", sa.String(SENDER), primary_key=True),
    _channel(),
    sa.Column("last_ts", sa.Float, nullable=False, index=True),
    sa.Column("checks", sa.Integer, nullable=False),  # checks started: the last one's number
    sa.Column("open_check", sa.Integer),  # the check whose form is active
    sa.Column("ended_check", sa.Integer))  # ended, its outcome may follow until the next message
MESSAGES = sa.Table(
    "insights_messages", SCHEMA, _sender(),
    sa.Column("quarter_hour", sa.Integer, nullable=False),  # UTC quarter hours since 1970
    _channel(),
    sa.Column("messages", sa.Integer, nullable=False),
    sa.Index("insights_messages_time", "quarter_hour", "channel", "sender_id", "messages"))
CHECKS = sa.Table(
    "insights_checks", SCHEMA,
    sa.Column("sender_id", sa.String(SENDER), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("quarter_hour", sa.Integer, nullable=False, index=True),  # when it started
    _channel(),
    sa.Column("status", sa.String(16), nullable=False),  # open, completed, stopped
    sa.Column("last_slot", sa.String(NAME)),  # the last question asked
    sa.Column("last_ts", sa.Float, nullable=False))  # the conversation's last event while open
TALLIES = sa.Table(
    "insights_tallies", SCHEMA,
    sa.Column("id", sa.Integer, primary_key=True), _sender(),
    sa.Column("quarter_hour", sa.Integer, nullable=False), _channel(),
    sa.Column("kind", sa.String(16), nullable=False),  # faq, level, feedback
    sa.Column("key", sa.String(NAME), nullable=False),  # topic, level, helpful/not_helpful
    sa.Column("topic", sa.String(NAME)),  # feedback: the topic it is about
    sa.Index("insights_tallies_time", "kind", "quarter_hour", "channel"))
UNANSWERED = sa.Table(
    "insights_unanswered", SCHEMA,
    sa.Column("id", sa.Integer, primary_key=True), _sender(),
    sa.Column("quarter_hour", sa.Integer, nullable=False, index=True), _channel(),
    sa.Column("text", sa.Text, nullable=False))  # masked (`mask`)
AUDIT = sa.Table(
    "insights_audit", SCHEMA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("who", sa.String(100), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("range_from", sa.Date), sa.Column("range_to", sa.Date), _channel(),
    sa.Column("address", sa.String(64)))
PER_CONVERSATION = (MESSAGES, CHECKS, TALLIES, UNANSWERED, CONVERSATIONS)


# -- the store -----------------------------------------------------------------------------

def engine_for(url: str) -> sa.engine.Engine:
    """An engine on the analytics store. SQLite: the folder created private (0700), the file
    readable by its owner only (created so before SQLite opens it; SQLite gives its -wal and
    -shm files the same permissions), deleted rows overwritten (secure_delete), WAL journal
    and a busy timeout, since Rasa's broker writes to the same file meanwhile."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # values_plus_batch: executemany of INSERT and UPDATE in few round trips (psycopg2)
        options = ({"executemany_mode": "values_plus_batch"}
                   if parsed.get_driver_name() == "psycopg2" else {})
        return sa.create_engine(url, pool_pre_ping=True, **options)
    path = parsed.database
    if path and path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)
    engine = sa.create_engine(url, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _secure_delete(connection: Any, _: Any) -> None:
        connection.execute("PRAGMA secure_delete = ON")

    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode = WAL")  # kept in the file
    return engine


@contextlib.contextmanager
def _writing(engine: sa.engine.Engine) -> Iterator[sa.engine.Connection]:
    """One transaction holding the insights' write lock, with the tables created. Works on any
    engine on the store, also the one of Rasa's broker (no listeners of ours needed)."""
    with engine.connect() as connection, connection.begin():
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": PG_LOCK_KEY})
        SCHEMA.create_all(connection)
        yield connection


@contextlib.contextmanager
def _reading(engine: sa.engine.Engine) -> Iterator[sa.engine.Connection]:
    """One snapshot for all the queries of a summary."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN")
            yield connection


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _has_broker_table(connection: sa.engine.Connection) -> bool:
    return sa.inspect(connection).has_table(BROKER.name)


# -- masking -------------------------------------------------------------------------------

def mask(text: str) -> str:
    """The text with e-mail addresses as "[email]", phone-like numbers (7 digits or more with
    spaces, dots, dashes, brackets) as "[phone]" and every other digit as "#"."""
    text = EMAIL.sub("[email]", text)
    text = PHONE_LIKE.sub(lambda m: "[phone]" if len(DIGIT.findall(m.group())) >= PHONE_DIGITS
                          else m.group(), text)
    return DIGIT.sub("#", text)


# -- ingest --------------------------------------------------------------------------------

def _name(value: Any, length: int = NAME) -> Optional[str]:
    return value[:length] if isinstance(value, str) and value else None


def _feedback(entities: Any) -> Optional[Tuple[str, str]]:
    """(helpful/not_helpful, topic) of an answer_feedback message, if both are well formed."""
    values = {e.get("entity"): e.get("value") for e in entities or [] if isinstance(e, dict)}
    feedback, topic = values.get("feedback"), values.get("faq_topic")
    if feedback in FEEDBACK_VALUES and isinstance(topic, str) and TOPIC_ID.match(topic):
        return feedback, topic
    return None


class _Batch:
    """Broker rows of one batch applied to the state of their conversations (loaded first),
    and the rows to write."""

    def __init__(self, connection: sa.engine.Connection, senders: List[str]) -> None:
        self.connection = connection
        self.senders = senders
        self.states: Dict[str, Dict[str, Any]] = {}
        self.checks: Dict[Tuple[str, int], Dict[str, Any]] = {}
        self.new_checks: List[Tuple[str, int]] = []
        self.messages: Counter = Counter()
        self.tallies: List[Dict[str, Any]] = []
        self.unanswered: List[Dict[str, Any]] = []
        current = sa.or_(CHECKS.c.number == CONVERSATIONS.c.open_check,
                         CHECKS.c.number == CONVERSATIONS.c.ended_check)
        for chunk in _chunks(senders):
            for row in connection.execute(sa.select(CONVERSATIONS).where(
                    CONVERSATIONS.c.sender_id.in_(chunk))).mappings():
                self.states[row["sender_id"]] = dict(row)
            for row in connection.execute(sa.select(CHECKS).select_from(CHECKS.join(
                    CONVERSATIONS, sa.and_(CHECKS.c.sender_id == CONVERSATIONS.c.sender_id,
                                           current))).where(
                    CONVERSATIONS.c.sender_id.in_(chunk))).mappings():
                self.checks[(row["sender_id"], row["number"])] = dict(row)

    def apply(self, sender: str, event: Dict[str, Any]) -> None:
        ts = float(event["timestamp"])
        state = self.states.setdefault(sender, {
            "sender_id": sender, "channel": None, "last_ts": ts, "checks": 0,
            "open_check": None, "ended_check": None})
        state["last_ts"] = max(state["last_ts"], ts)
        open_check = self.checks.get((sender, state["open_check"]))
        if open_check:
            open_check["last_ts"] = max(open_check["last_ts"], ts)
        kind = event.get("event")
        where = {"sender_id": sender, "quarter_hour": int(ts // QUARTER),
                 "channel": state["channel"]}
        if kind == "user":
            self._user(state, event, where)
        elif kind == "bot":
            action = (event.get("metadata") or {}).get("utter_action") or ""
            topic = _name(action[len(FAQ_PREFIX):]) if action.startswith(FAQ_PREFIX) else None
            if topic:
                self.tallies.append({**where, "kind": "faq", "key": topic, "topic": None})
        elif kind == "slot":
            self._slot(state, open_check, event, where)
        elif kind == "active_loop":
            if event.get("name") == FORM:
                self._end_check(state)
                self._start_check(state, where, ts)
            elif event.get("name") is None:
                self._end_check(state)
        elif kind in ("restart", "session_started"):
            self._end_check(state)

    def _user(self, state: Dict[str, Any], event: Dict[str, Any],
              where: Dict[str, Any]) -> None:
        state["channel"] = where["channel"] = _name(event.get("input_channel"), CHANNEL)
        state["ended_check"] = None  # its outcome can no longer follow
        self.messages[(where["sender_id"], where["quarter_hour"], where["channel"])] += 1
        parse_data = event.get("parse_data") or {}
        intent = (parse_data.get("intent") or {}).get("name")
        if intent in UNANSWERED_INTENTS:
            self.unanswered.append({**where, "text": mask(event.get("text") or "")[:MAX_TEXT]})
        elif intent == "answer_feedback":
            feedback = _feedback(parse_data.get("entities"))
            if feedback:
                self.tallies.append({**where, "kind": "feedback", "key": feedback[0],
                                     "topic": feedback[1]})

    def _slot(self, state: Dict[str, Any], open_check: Optional[Dict[str, Any]],
              event: Dict[str, Any], where: Dict[str, Any]) -> None:
        name, value = event.get("name"), event.get("value")
        if name == "requested_slot" and open_check and _name(value):
            open_check["last_slot"] = _name(value)
        elif name == "triage_level" and value in LEVELS:
            self.tallies.append({**where, "kind": "level", "key": value, "topic": None})
            check = open_check or self.checks.get((where["sender_id"], state["ended_check"]))
            if check:
                check["status"] = "completed"

    def _start_check(self, state: Dict[str, Any], where: Dict[str, Any], ts: float) -> None:
        state["checks"] += 1
        key = (state["sender_id"], state["checks"])
        self.checks[key] = {**where, "number": state["checks"], "status": "open",
                            "last_slot": None, "last_ts": ts}
        self.new_checks.append(key)
        state["open_check"], state["ended_check"] = state["checks"], None

    def _end_check(self, state: Dict[str, Any]) -> None:
        check = self.checks.get((state["sender_id"], state["open_check"]))
        if check is None:
            return
        if check["status"] == "open":
            check["status"] = "stopped"
        state["open_check"], state["ended_check"] = None, check["number"]

    def write(self) -> None:
        connection = self.connection
        for chunk in _chunks(self.senders):
            connection.execute(CONVERSATIONS.delete().where(
                CONVERSATIONS.c.sender_id.in_(chunk)))
        new = set(self.new_checks)
        # b_: the WHERE's parameters; the other keys are the columns SET
        updated = [{"b_sender": sender, "b_number": number, "status": check["status"],
                    "last_slot": check["last_slot"], "last_ts": check["last_ts"]}
                   for (sender, number), check in self.checks.items()
                   if (sender, number) not in new]
        if updated:
            connection.execute(CHECKS.update().where(sa.and_(
                CHECKS.c.sender_id == sa.bindparam("b_sender"),
                CHECKS.c.number == sa.bindparam("b_number"))), updated)
        for table, rows in (
                (CONVERSATIONS, list(self.states.values())),
                (CHECKS, [self.checks[key] for key in self.new_checks]),
                (MESSAGES, [{"sender_id": s, "quarter_hour": q, "channel": c, "messages": n}
                            for (s, q, c), n in self.messages.items()]),
                (TALLIES, self.tallies), (UNANSWERED, self.unanswered)):
            if rows:
                connection.execute(table.insert(), rows)


def _ingest_batch(engine: sa.engine.Engine) -> int:
    with _writing(engine) as connection:
        if not _has_broker_table(connection):
            return 0
        rows = connection.execute(sa.select(BROKER.c.id, BROKER.c.sender_id, BROKER.c.data)
                                  .order_by(BROKER.c.id).limit(BATCH_EVENTS)).all()
        if not rows:
            return 0
        batch = _Batch(connection, sorted({sender for _, sender, _ in rows if sender}))
        for _, sender, data in rows:
            try:
                event = json.loads(data)
                if sender:
                    batch.apply(sender, event)
            except (ValueError, KeyError, TypeError, AttributeError):
                logger.warning("insights.ingest skipped a malformed event")
        batch.write()
        for chunk in _chunks([row_id for row_id, _, _ in rows]):
            connection.execute(BROKER.delete().where(BROKER.c.id.in_(chunk)))
        return len(rows)


def ingest(engine: sa.engine.Engine) -> int:
    """Counts the broker's new rows (oldest first) and deletes them; returns how many."""
    total = 0
    while True:
        done = _ingest_batch(engine)
        total += done
        if done < BATCH_EVENTS:
            return total


# -- counting ------------------------------------------------------------------------------

class _Range:
    """Local days [start, end] of a time zone as UTC quarter hours, and SQL for the local day
    (days since 1970-01-01) and hour of a quarter_hour column."""

    def __init__(self, start: datetime.date, end: datetime.date, timezone: str) -> None:
        if start > end:
            raise ValueError("the range starts after it ends")
        self.zone = ZoneInfo(timezone)
        self.days = [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
        self.first = self._quarter(start)
        self.after = self._quarter(end + datetime.timedelta(days=1))
        self.pieces = self._offsets()

    def _quarter(self, day: datetime.date) -> int:
        midnight = datetime.datetime.combine(day, datetime.time(), self.zone)
        return int(midnight.timestamp() // QUARTER)

    def _offset(self, quarter: int) -> int:
        moment = datetime.datetime.fromtimestamp(quarter * QUARTER, self.zone)
        return int(moment.utcoffset().total_seconds() // QUARTER)

    def _offsets(self) -> List[Tuple[int, int]]:
        """(first quarter hour, offset from UTC in quarter hours) of each period of the range
        with one offset: one, or a few around daylight saving changes."""
        pieces = [(self.first, self._offset(self.first))]
        for hour in range(self.first, self.after, 4):
            if self._offset(hour) != pieces[-1][1]:
                changed = next(q for q in range(hour - 3, hour + 1)
                               if self._offset(q) != pieces[-1][1])
                pieces.append((changed, self._offset(changed)))
        return pieces

    def local(self, column: sa.Column) -> Any:
        """The column in local quarter hours since 1970."""
        if len(self.pieces) == 1:
            return column + self.pieces[0][1]
        whens = [(column < start, offset) for (_, offset), (start, _) in
                 zip(self.pieces, self.pieces[1:], strict=False)]
        return column + sa.case(*whens, else_=self.pieces[-1][1])

    def day(self, column: sa.Column) -> Any:
        """Integer division (both operands are integers, on SQLite and PostgreSQL)."""
        return self.local(column).self_group().op("/")(QUARTERS_PER_DAY)

    def hour(self, column: sa.Column) -> Any:
        return self.local(column).self_group().op("/")(4).self_group().op("%")(24)

    def date_of(self, quarter: int) -> datetime.date:
        return datetime.datetime.fromtimestamp(quarter * QUARTER, self.zone).date()

    def where(self, table: sa.Table, channel: Optional[str]) -> Any:
        condition = sa.and_(table.c.quarter_hour >= self.first,
                            table.c.quarter_hour < self.after)
        return condition if channel is None else sa.and_(condition, table.c.channel == channel)


EPOCH = datetime.date(1970, 1, 1)


def _checks(connection: sa.engine.Connection, period: _Range, channel: Optional[str],
            now: float) -> Dict[str, Any]:
    """Checks by outcome and where the stopped ones stopped; in_progress too."""
    idle_before = now - SESSION_IDLE_MINUTES * 60
    outcome = sa.case((sa.and_(CHECKS.c.status == "open", CHECKS.c.last_ts < idle_before),
                       "stopped"), else_=CHECKS.c.status)
    counts: Counter = Counter()
    stopped_at: Counter = Counter()
    for status, slot, n in connection.execute(
            sa.select(outcome, CHECKS.c.last_slot, sa.func.count())
            .where(period.where(CHECKS, channel)).group_by(outcome, CHECKS.c.last_slot)):
        counts[status] += n
        if status == "stopped" and slot:
            stopped_at[slot] += n
    order = {slot: index for index, slot in enumerate(SLOTS)}
    return {"started": sum(counts.values()), "completed": counts["completed"],
            "stopped": counts["stopped"], "in_progress": counts["open"],
            "stopped_at": dict(sorted(stopped_at.items(),
                                      key=lambda item: (order.get(item[0], len(order)),
                                                        item[0])))}


def _tallies(connection: sa.engine.Connection, period: _Range, channel: Optional[str]
             ) -> Counter:
    """(kind, key, topic) -> count."""
    query = (sa.select(TALLIES.c.kind, TALLIES.c.key, TALLIES.c.topic, sa.func.count())
             .where(period.where(TALLIES, channel))
             .group_by(TALLIES.c.kind, TALLIES.c.key, TALLIES.c.topic))
    return Counter({(kind, key, topic): n for kind, key, topic, n in connection.execute(query)})


def _unanswered(connection: sa.engine.Connection, period: _Range, channel: Optional[str],
                limit: int) -> List[Tuple[int, str]]:
    """(quarter_hour, masked text), newest first."""
    return connection.execute(
        sa.select(UNANSWERED.c.quarter_hour, UNANSWERED.c.text)
        .where(period.where(UNANSWERED, channel))
        .order_by(UNANSWERED.c.quarter_hour.desc(), UNANSWERED.c.id.desc())
        .limit(limit)).all()


def summary(engine: sa.engine.Engine, start: datetime.date, end: datetime.date,
            channel: Optional[str] = None, timezone: str = "UTC",
            now: Optional[float] = None) -> Dict[str, Any]:
    """The counts of the range (module docstring), as GET /api/summary returns them."""
    period = _Range(start, end, timezone)
    ingest(engine)
    with _reading(engine) as connection:
        conversations, messages = connection.execute(
            sa.select(sa.func.count(sa.distinct(MESSAGES.c.sender_id)),
                      sa.func.coalesce(sa.func.sum(MESSAGES.c.messages), 0))
            .where(period.where(MESSAGES, channel))).one()
        tallies = _tallies(connection, period, channel)
        unanswered = connection.execute(sa.select(sa.func.count()).where(
            period.where(UNANSWERED, channel))).scalar()
        examples = [text for _, text in _unanswered(connection, period, channel, EXAMPLES)]
        checks = _checks(connection, period, channel, time.time() if now is None else now)
    faq = Counter({key: n for (kind, key, _), n in tallies.items() if kind == "faq"})
    feedback = Counter()
    for (kind, key, _), n in tallies.items():
        if kind == "feedback":
            feedback[key] += n
    return {
        "conversations": conversations,
        "messages": int(messages),
        "faq_topics": dict(sorted(faq.items(), key=lambda item: (-item[1], item[0]))),
        "unanswered": {"count": unanswered, "examples": examples},
        "checks": {"started": checks["started"], "completed": checks["completed"],
                   "stopped": checks["stopped"],
                   "levels": {level: sum(n for (kind, key, _), n in tallies.items()
                                         if kind == "level" and key == level)
                              for level in LEVELS},
                   "stopped_at": checks["stopped_at"]},
        "feedback": {value: feedback[value] for value in FEEDBACK_VALUES},
    }


def details(engine: sa.engine.Engine, start: datetime.date, end: datetime.date,
            channel: Optional[str] = None, timezone: str = "UTC",
            now: Optional[float] = None) -> Dict[str, Any]:
    """What the page and the report show besides the summary: conversations and messages per
    day (every day of the range), the unanswered texts with their dates, emergencies by local
    hour, feedback per topic, checks in progress and the channels in the store."""
    period = _Range(start, end, timezone)
    ingest(engine)
    with _reading(engine) as connection:
        day = period.day(MESSAGES.c.quarter_hour)
        per_day = {EPOCH + datetime.timedelta(days=index): (conversations, messages)
                   for index, conversations, messages in connection.execute(
                       sa.select(day, sa.func.count(sa.distinct(MESSAGES.c.sender_id)),
                                 sa.func.sum(MESSAGES.c.messages))
                       .where(period.where(MESSAGES, channel)).group_by(day))}
        hour = period.hour(TALLIES.c.quarter_hour)
        hours = dict(connection.execute(
            sa.select(hour, sa.func.count())
            .where(period.where(TALLIES, channel), TALLIES.c.kind == "level",
                   TALLIES.c.key == "emergency").group_by(hour)).all())
        unanswered = _unanswered(connection, period, channel, UNANSWERED_LISTED)
        tallies = _tallies(connection, period, channel)
        checks = _checks(connection, period, channel, time.time() if now is None else now)
        channels = sorted(c for (c,) in connection.execute(
            sa.select(MESSAGES.c.channel).distinct()) if c)
    feedback: Dict[str, Dict[str, int]] = {}
    for (kind, key, topic), n in sorted(tallies.items()):
        if kind == "feedback":
            feedback.setdefault(topic, dict.fromkeys(FEEDBACK_VALUES, 0))[key] += n
    return {
        "days": [{"date": day.isoformat(), "conversations": per_day.get(day, (0, 0))[0],
                  "messages": int(per_day.get(day, (0, 0))[1])} for day in period.days],
        "unanswered": [{"date": period.date_of(quarter).isoformat(), "text": text}
                       for quarter, text in unanswered],
        "emergencies_by_hour": [hours.get(h, 0) for h in range(24)],
        "feedback_by_topic": feedback,
        "checks_in_progress": checks["in_progress"],
        "channels": channels,
    }


# -- erasure, retention, audit ---------------------------------------------------------------

def erase_conversation(engine: sa.engine.Engine, sender_id: str) -> int:
    """Deletes the conversation's broker rows and everything counted of it; returns the number
    of rows deleted."""
    with _writing(engine) as connection:
        tables = [*PER_CONVERSATION, *([BROKER] if _has_broker_table(connection) else [])]
        return sum(connection.execute(table.delete().where(
            table.c.sender_id == sender_id)).rowcount for table in tables)


def purge(engine: sa.engine.Engine, cutoff: float) -> Dict[str, int]:
    """The retention purge (scripts/purge.py): ingests, then deletes everything of the
    conversations whose last event is older than `cutoff` (Unix time), and the unanswered
    texts older than it (to the quarter hour) in conversations still going on. Returns the
    number of conversations and of unanswered texts deleted."""
    ingest(engine)
    with _writing(engine) as connection:
        expired = sa.select(CONVERSATIONS.c.sender_id).where(CONVERSATIONS.c.last_ts < cutoff)
        texts = connection.execute(UNANSWERED.delete().where(
            UNANSWERED.c.sender_id.in_(expired))).rowcount
        for table in (MESSAGES, CHECKS, TALLIES,
                      *([BROKER] if _has_broker_table(connection) else [])):
            connection.execute(table.delete().where(table.c.sender_id.in_(expired)))
        # last: it says which conversations expired
        conversations = connection.execute(CONVERSATIONS.delete().where(
            CONVERSATIONS.c.last_ts < cutoff)).rowcount
        texts += connection.execute(UNANSWERED.delete().where(
            (UNANSWERED.c.quarter_hour + 1) * QUARTER <= cutoff)).rowcount
    return {"conversations": conversations, "unanswered_texts": texts}


def _printable(value: Optional[str], length: int) -> Optional[str]:
    """Without control characters (no forged log lines), cut to the column's length."""
    if value is None:
        return None
    return "".join(ch for ch in str(value) if ch.isprintable())[:length]


def audit(engine: sa.engine.Engine, who: str, action: str,
          start: Optional[datetime.date] = None, end: Optional[datetime.date] = None,
          channel: Optional[str] = None, address: Optional[str] = None) -> None:
    """Records who did what (login, login_failed, summary, page, export, ...), for which range
    and from where: a row in insights_audit and a log line (no message text in either)."""
    row = {"at": time.time(), "who": _printable(who, 100) or "", "action": action,
           "range_from": start, "range_to": end, "channel": _printable(channel, CHANNEL),
           "address": _printable(address, 64)}
    with _writing(engine) as connection:
        connection.execute(AUDIT.insert(), row)
    logger.info("insights.audit action=%s who=%r from=%s to=%s channel=%s address=%s",
                action, row["who"], start, end, row["channel"], row["address"])
