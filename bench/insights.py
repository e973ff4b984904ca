"""The clinic's insights at scale: `.venv/bin/python -m bench.insights`.

Fills a fresh analytics store with BENCH_CONVERSATIONS [100000] synthetic conversations over the
last DAYS days, written as Rasa's SQL event broker writes them (table `events`, one JSON event
per row, bulk-inserted), then times what the clinic waits for: `store.ingest` turning them into
the insights' tables (the same code path as in production: the derived tables are filled only
by ingest), `store.summary` for the last 30 and 90 days (all channels and one channel), and the
offline report (insights/report.py `build`) for 30 and 90 days. On SQLite and on a throwaway
PostgreSQL started on loopback (scripts/cluster.py). Days are counted in America/New_York, whose
daylight saving change falls inside the 90 days. Figures, printed and written to
results/bench-insights.json.

The conversations: channels mostly socketio, some rest, telegram, twilio, slack, cmdline; FAQ
questions on the topics of shared/spec/faq_topics.yml, some rated helpful or not; messages the
assistant could not answer; symptom checks completed, stopped at various questions (in the
order of common/triage.py), ended by an emergency sign or left open; emergencies stated outside
the check. The builders below (`user`, `bot`, `slot`, `active_loop`, `marker`) write events in
the broker's format, as recorded from the real servers (tests/insights/rasa_events_sample.jsonl);
the tests use them too.
"""
import csv
import datetime
import io
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

import sqlalchemy as sa
import yaml

from common.settings import ROOT
from common.triage import questions_to_ask
from insights import report, store
from scripts.cluster import Cluster
from scripts.stack import free_port

RESULTS = ROOT / "results" / "bench-insights.json"
FAQ_TOPICS = ROOT.parent / "shared" / "spec" / "faq_topics.yml"
CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS") or 100_000)
DAYS = 90
TIMEZONE = "America/New_York"
REPEATS = 3
INSERT_ROWS = 20_000
CHANNELS = {"socketio": 55, "rest": 20, "telegram": 10, "twilio": 6, "slack": 5, "cmdline": 4}
# More conversations in the day than at night (local hour -> weight).
HOURS = [1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 10, 9, 9, 9, 9, 8, 8, 7, 6, 5, 4, 3, 2]
UNANSWERED = ["what's the weather tomorrow", "call me on 555 123 4567 please",
              "my email is jo.smith@example.org", "do you sell running shoes",
              "I was born in 1961", "asdf qwer", "who won the game last night"]
OUTCOMES = {"self_care": 50, "soon": 30, "urgent": 15, "emergency": 5}


# -- events in the broker's format ------------------------------------------------------------

def _event(sender: str, ts: float, kind: str, **fields: Any) -> Dict[str, Any]:
    return {"sender_id": sender, "event": kind, "timestamp": ts,
            "metadata": {"model_id": "bench", "assistant_id": "back-pain-imaging-assistant"},
            **fields}


def user(sender: str, ts: float, text: str, intent: str, channel: Optional[str] = "rest",
         entities: Sequence[Dict[str, Any]] = ()) -> Dict[str, Any]:
    return _event(sender, ts, "user", text=text, input_channel=channel,
                  parse_data={"intent": {"name": intent, "confidence": 0.9},
                              "entities": list(entities), "text": text})


def bot(sender: str, ts: float, utter_action: Optional[str] = None) -> Dict[str, Any]:
    metadata = {"utter_action": utter_action} if utter_action else {}
    return {**_event(sender, ts, "bot", text="...", data={}),
            "metadata": {"model_id": "bench", **metadata}}


def slot(sender: str, ts: float, name: str, value: Any) -> Dict[str, Any]:
    return _event(sender, ts, "slot", name=name, value=value)


def active_loop(sender: str, ts: float, name: Optional[str]) -> Dict[str, Any]:
    return _event(sender, ts, "active_loop", name=name)


def marker(sender: str, ts: float, kind: str) -> Dict[str, Any]:
    """session_started, restart, user_featurization ...: events with nothing else."""
    return _event(sender, ts, kind)


def feedback_entities(topic: str, value: str) -> List[Dict[str, Any]]:
    return [{"entity": "faq_topic", "value": topic}, {"entity": "feedback", "value": value}]


# -- synthetic conversations --------------------------------------------------------------------

class Conversation:
    """One conversation's events, each a few seconds after the previous one."""

    def __init__(self, rng: random.Random, sender: str, start: float, channel: str) -> None:
        self.rng, self.sender, self.ts, self.channel = rng, sender, start, channel
        self.events: List[Dict[str, Any]] = [marker(sender, start, "session_started")]

    def _next(self, pause: float) -> float:
        self.ts += self.rng.uniform(0.05, pause)
        return self.ts

    def say(self, text: str, intent: str, entities: Sequence[Dict[str, Any]] = ()) -> None:
        self.events.append(user(self.sender, self._next(40), text, intent, self.channel,
                                entities))

    def add(self, build: Callable[..., Dict[str, Any]], *args: Any) -> None:
        self.events.append(build(self.sender, self._next(0.5), *args))


def _faq(c: Conversation, topics: Sequence[str]) -> None:
    topic = c.rng.choice(topics)
    c.say(f"question about {topic}", "faq")
    c.add(bot, f"utter_faq/{topic}")
    if c.rng.random() < 0.25:
        value = "helpful" if c.rng.random() < 0.8 else "not_helpful"
        c.say(f'/answer_feedback{{"faq_topic":"{topic}","feedback":"{value}"}}',
              "answer_feedback", feedback_entities(topic, value))
        c.add(bot, "utter_feedback_thanks")


def _check(c: Conversation) -> None:
    """Completed (60 %), stopped at a question (25 %), ended by an emergency sign (10 %) or
    left open (5 %)."""
    rng = c.rng
    c.say("/start_screening", "start_screening")
    c.add(active_loop, store.FORM)
    asked = questions_to_ask({})
    ending = rng.choices(["completed", "stopped", "emergency", "open"], [60, 25, 10, 5])[0]
    # the questions answered no; the check ends at the next one, if any, once it is asked
    answered = len(asked) if ending == "completed" else rng.randrange(len(asked))
    for question in asked[:answered + 1]:
        c.add(slot, "requested_slot", question)
        c.add(bot, f"utter_ask_{question}")
        if question not in asked[:answered]:
            break
        c.say("no", "deny")
        c.add(slot, question, False)
    if ending == "stopped":
        c.say("stop the check", "stop_screening")
        c.add(active_loop, None)
        c.add(slot, "requested_slot", None)
        c.add(bot, "utter_screening_stopped")
    elif ending == "emergency":
        c.say("my legs went weak", "red_flag")
        c.add(active_loop, None)
        c.add(slot, "triage_level", "emergency")
    elif ending == "completed":
        c.add(slot, "requested_slot", None)
        c.add(active_loop, None)
        c.add(slot, "triage_level", rng.choices(list(OUTCOMES), list(OUTCOMES.values()))[0])


def conversation(rng: random.Random, sender: str, start: float,
                 topics: Sequence[str]) -> List[Dict[str, Any]]:
    c = Conversation(rng, sender, start,
                     rng.choices(list(CHANNELS), list(CHANNELS.values()))[0])
    if rng.random() < 0.6:
        c.say("hello", "greet")
        c.add(bot, "utter_greet")
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
        _faq(c, topics)
    if rng.random() < 0.2:
        c.say(rng.choice(UNANSWERED), rng.choice(store.UNANSWERED_INTENTS))
        c.add(bot, "utter_out_of_scope")
    if rng.random() < 0.35:
        _check(c)
    elif rng.random() < 0.04:
        c.say("I can't control my bladder since yesterday", "red_flag")
        c.add(slot, "bladder_bowel_change", True)
        c.add(slot, "triage_level", "emergency")
    return c.events


def synthetic_days(count: int, days: int, now: float, seed: int = 7
                   ) -> Iterator[List[Dict[str, Any]]]:
    """The events of `count` conversations over the `days` days before `now`, one list per
    day (in time order), so that memory holds one day at a time."""
    rng = random.Random(seed)
    topics = [t["id"] for t in yaml.safe_load(FAQ_TOPICS.read_text())["topics"]]
    first = now - days * 86400
    per_day = [count // days + (1 if d < count % days else 0) for d in range(days)]
    for day, n in enumerate(per_day):
        events: List[Dict[str, Any]] = []
        for _ in range(n):
            start = (first + day * 86400 + rng.choices(range(24), HOURS)[0] * 3600
                     + rng.uniform(0, 3600))
            events += conversation(rng, f"{rng.getrandbits(128):032x}", min(start, now - 3600),
                                   topics)
        events.sort(key=lambda e: e["timestamp"])
        yield events


# -- the benchmark ---------------------------------------------------------------------------------

def publish(engine: sa.engine.Engine, events: List[Dict[str, Any]]) -> None:
    """Broker rows in bulk: executemany on SQLite, COPY on PostgreSQL."""
    rows = [(e["sender_id"], json.dumps(e)) for e in events]
    if engine.dialect.name == "postgresql":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        buffer.seek(0)
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                cursor.copy_expert("COPY events (sender_id, data) FROM STDIN WITH (FORMAT csv)",
                                   buffer)
            raw.commit()
        finally:
            raw.close()
        return
    with engine.begin() as connection:
        for start in range(0, len(rows), INSERT_ROWS):
            connection.execute(store.BROKER.insert(), [
                {"sender_id": s, "data": d} for s, d in rows[start:start + INSERT_ROWS]])


def timed(function: Callable[[], Any]) -> Dict[str, float]:
    """Seconds of REPEATS runs: median and slowest."""
    runs = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        function()
        runs.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(runs), 3), "max_s": round(max(runs), 3)}


def measure(url: str, label: str) -> Dict[str, Any]:
    engine = store.engine_for(url)
    store.BROKER.metadata.create_all(engine)  # as Rasa's broker does
    now = time.time()
    today = datetime.datetime.now(datetime.timezone.utc).date()
    started = time.perf_counter()
    events = 0
    for day in synthetic_days(CONVERSATIONS, DAYS, now):
        publish(engine, day)
        events += len(day)
    filled = time.perf_counter() - started
    print(f"{label}: {CONVERSATIONS} conversations, {events} broker rows written in "
          f"{filled:.1f} s", flush=True)
    started = time.perf_counter()
    ingested = store.ingest(engine)
    ingest_s = time.perf_counter() - started
    print(f"{label}: ingest {ingested} events in {ingest_s:.1f} s "
          f"({ingested / ingest_s:,.0f}/s)", flush=True)
    figures: Dict[str, Any] = {"conversations": CONVERSATIONS, "broker_rows": events,
                               "fill_s": round(filled, 1), "ingest_s": round(ingest_s, 1),
                               "ingest_events_per_s": round(ingested / ingest_s)}
    for days in (30, 90):
        start = today - datetime.timedelta(days=days - 1)
        counts = store.summary(engine, start, today, None, TIMEZONE)
        figures[f"summary_{days}d_conversations"] = counts["conversations"]
        figures[f"summary_{days}d"] = timed(
            lambda s=start: store.summary(engine, s, today, None, TIMEZONE))
        figures[f"summary_{days}d_socketio"] = timed(
            lambda s=start: store.summary(engine, s, today, "socketio", TIMEZONE))
        figures[f"report_{days}d"] = timed(
            lambda s=start: report.build(engine, s, today, None, TIMEZONE))
        print(f"{label}: {days} days ({counts['conversations']} conversations): summary "
              f"{figures[f'summary_{days}d']['median_s']} s, one channel "
              f"{figures[f'summary_{days}d_socketio']['median_s']} s, report "
              f"{figures[f'report_{days}d']['median_s']} s (medians of {REPEATS})", flush=True)
    engine.dispose()
    return figures


def main() -> int:
    report.web_files()  # fails now, not after filling the stores, if the bundle is missing
    results: Dict[str, Any] = {"timezone": TIMEZONE, "days": DAYS}
    folder = Path(tempfile.mkdtemp(prefix="bench-insights-"))
    folder.chmod(0o755)  # PostgreSQL runs as `postgres` when we are root
    try:
        sqlite_file = folder / "analytics.db"
        results["sqlite"] = measure(f"sqlite:///{sqlite_file}", "SQLite")
        results["sqlite"]["store_mb"] = round(sqlite_file.stat().st_size / 2**20, 1)
        postgres = Cluster(folder / "postgres", postgres_port=free_port(), env={})
        postgres.start_postgres()
        try:
            results["postgresql"] = measure(postgres.analytics_url, "PostgreSQL")
        finally:
            postgres.stop_postgres()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
