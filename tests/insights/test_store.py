"""insights/store.py on real stores (SQLite and PostgreSQL, `engine` in conftest.py): the events
recorded from the real servers counted exactly, ingest incremental, idempotent and safe when two
processes run it, erasure, retention, time zones, channels, masking, checks in progress."""
import datetime
import logging
import os
import stat
import threading

import pytest
import sqlalchemy as sa

from bench.insights import active_loop, bot, feedback_entities, marker, slot, user
from insights import store
from tests.insights.stores import (
    broker_rows,
    publish,
    rasa_broker,
    recorded,
    recorded_day,
    senders_by_table,
)

DAY = recorded_day()
RECORDED_SUMMARY = {
    "conversations": 4,
    "messages": 24,
    "faq_topics": {"mri_what": 1},
    "unanswered": {"count": 2, "examples": ["what's the weather in Paris", "asdkjh qwe zzz"]},
    "checks": {"started": 2, "completed": 1, "stopped": 1,
               "levels": {"emergency": 1, "urgent": 0, "soon": 0, "self_care": 1},
               "stopped_at": {"leg_weakness": 1}},
    "feedback": {"helpful": 0, "not_helpful": 0},
}
T0 = datetime.datetime(2026, 3, 10, 15, tzinfo=datetime.timezone.utc).timestamp()


def summary(engine, start=DAY, end=DAY, **options):
    return store.summary(engine, start, end, **options)


def test_the_recorded_conversations_are_counted_exactly(store_url, engine):
    publish(store_url, recorded())
    assert store.ingest(engine) == 276
    assert broker_rows(engine) == 0  # the message texts are gone from the store
    assert summary(engine) == RECORDED_SUMMARY
    assert store.ingest(engine) == 0
    assert summary(engine) == RECORDED_SUMMARY  # counted once


def test_details_of_the_recording(store_url, engine):
    publish(store_url, recorded())
    result = store.details(engine, DAY - datetime.timedelta(days=1), DAY)
    assert result["days"] == [
        {"date": str(DAY - datetime.timedelta(days=1)), "conversations": 0, "messages": 0},
        {"date": str(DAY), "conversations": 4, "messages": 24}]
    assert result["unanswered"] == [{"date": str(DAY), "text": "what's the weather in Paris"},
                                    {"date": str(DAY), "text": "asdkjh qwe zzz"}]
    emergency_hour = datetime.datetime.fromtimestamp(
        next(e["timestamp"] for e in recorded() if e.get("value") == "emergency"),
        datetime.timezone.utc).hour
    assert result["emergencies_by_hour"] == [int(h == emergency_hour) for h in range(24)]
    assert result["feedback_by_topic"] == {}
    assert result["checks_in_progress"] == 0
    assert result["channels"] == ["rest"]


@pytest.mark.parametrize("parts", [2, 5, 37])
def test_ingesting_in_parts_gives_the_same_counts(store_url, engine, parts):
    """Parts end anywhere, also between the end of a check and its outcome."""
    events = recorded()
    size = -(-len(events) // parts)
    for start in range(0, len(events), size):
        publish(store_url, events[start:start + size])
        store.ingest(engine)
    assert summary(engine) == RECORDED_SUMMARY


def test_small_batches_give_the_same_counts(store_url, engine, monkeypatch):
    publish(store_url, recorded())
    monkeypatch.setattr(store, "BATCH_EVENTS", 7)
    assert store.ingest(engine) == 276
    assert summary(engine) == RECORDED_SUMMARY


def test_two_processes_ingesting_at_once_count_each_event_once(store_url, engine,
                                                               monkeypatch):
    publish(store_url, recorded())
    monkeypatch.setattr(store, "BATCH_EVENTS", 11)
    engines = [store.engine_for(store_url) for _ in range(2)]
    done = []
    start = threading.Barrier(2)

    def run(other):
        start.wait()
        done.append(store.ingest(other))

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for other in engines:
        other.dispose()
    assert sum(done) == 276
    assert summary(engine) == RECORDED_SUMMARY


def test_events_published_one_by_one_by_rasas_broker(store_url, engine):
    broker = rasa_broker(store_url)
    try:
        for event in [e for e in recorded() if e["sender_id"] == "done-user"]:
            broker.publish(event)
    finally:
        broker.engine.dispose()
    result = summary(engine)
    assert result["conversations"] == 1
    assert result["checks"]["completed"] == 1
    assert result["checks"]["levels"]["self_care"] == 1


def test_erase_conversation_removes_it_from_every_table(store_url, engine):
    publish(store_url, recorded())
    store.ingest(engine)
    later = user("faq-user", recorded()[-1]["timestamp"] + 1, "my number is 555 123 4567",
                 "out_of_scope")
    publish(store_url, [later])  # in the broker's table, not yet ingested
    assert store.erase_conversation(engine, "faq-user") > 0
    assert all("faq-user" not in senders for senders in senders_by_table(engine).values())
    assert {"check-user", "done-user", "emerg-user"} <= senders_by_table(engine)[
        "insights_conversations"]
    result = summary(engine)
    assert result["conversations"] == 3
    assert result["faq_topics"] == {}
    assert result["unanswered"] == {"count": 0, "examples": []}
    assert result["checks"] == RECORDED_SUMMARY["checks"]
    assert store.erase_conversation(engine, "faq-user") == 0


def test_erasing_before_anything_was_ingested(store_url, engine):
    publish(store_url, recorded())
    assert store.erase_conversation(engine, "emerg-user") == len(
        [e for e in recorded() if e["sender_id"] == "emerg-user"])
    assert summary(engine)["checks"]["levels"]["emergency"] == 0


def test_purge_deletes_expired_conversations_and_old_unanswered_texts(store_url, engine):
    day = 86400
    publish(store_url, [
        user("old", T0, "hello", "greet"), bot("old", T0 + 1, "utter_faq/mri_what"),
        user("old", T0 + 2, "weather 1", "out_of_scope"),
        user("going-on", T0, "weather 2", "nlu_fallback"),
        user("going-on", T0 + 40 * day, "hello again", "greet"),
        bot("going-on", T0 + 40 * day, "utter_faq/ct_what"),
    ])
    result = store.purge(engine, cutoff=T0 + 30 * day)
    assert result == {"conversations": 1, "unanswered_texts": 2}
    assert all("old" not in senders for senders in senders_by_table(engine).values())
    start = datetime.date(2026, 3, 1)
    counts = summary(engine, start, start + datetime.timedelta(days=60))
    assert counts["conversations"] == 1
    assert counts["messages"] == 2  # the counts of the conversation going on stay ...
    assert counts["faq_topics"] == {"ct_what": 1}
    assert counts["unanswered"] == {"count": 0, "examples": []}  # ... its old texts do not
    assert store.purge(engine, cutoff=T0 + 30 * day) == {"conversations": 0,
                                                         "unanswered_texts": 0}


def test_days_and_hours_are_the_clinics(store_url, engine):
    """New York: 04:30 UTC on 8 March 2026 is 23:30 on the 7th (EST); daylight saving starts at
    07:00 UTC that day, so 12:00 UTC is 08:00 (EDT)."""
    night = datetime.datetime(2026, 3, 8, 4, 30, tzinfo=datetime.timezone.utc).timestamp()
    morning = datetime.datetime(2026, 3, 8, 12, tzinfo=datetime.timezone.utc).timestamp()
    publish(store_url, [
        user("night", night, "hello", "greet"),
        user("morning", morning, "my bladder", "red_flag"),
        slot("morning", morning + 1, "triage_level", "emergency"),
    ])
    march7, march8 = datetime.date(2026, 3, 7), datetime.date(2026, 3, 8)
    new_york = {"timezone": "America/New_York"}
    assert summary(engine, march7, march7, **new_york)["messages"] == 1
    assert summary(engine, march8, march8, **new_york)["messages"] == 1
    assert summary(engine, march8, march8)["messages"] == 2  # UTC
    local = store.details(engine, march7, march8, **new_york)
    assert [d["messages"] for d in local["days"]] == [1, 1]
    assert local["emergencies_by_hour"][8] == 1
    assert store.details(engine, march8, march8)["emergencies_by_hour"][12] == 1
    assert store.details(engine, march7, march8, timezone="Asia/Kolkata")["days"] == [
        {"date": "2026-03-07", "conversations": 0, "messages": 0},
        {"date": "2026-03-08", "conversations": 2, "messages": 2}]


def test_channel_filter(store_url, engine):
    widget = [user("widget", T0, "what is an mri", "faq", "socketio"),
              bot("widget", T0 + 1, "utter_faq/mri_what"),
              user("widget", T0 + 2, '/answer_feedback{"faq_topic":"mri_what",'
                   '"feedback":"helpful"}', "answer_feedback", "socketio",
                   feedback_entities("mri_what", "helpful"))]
    publish(store_url, [*recorded(), *widget])
    day = datetime.date(2026, 3, 10)
    both = summary(engine, min(day, DAY), max(day, DAY))
    assert both["conversations"] == 5 and both["faq_topics"] == {"mri_what": 2}
    socketio = summary(engine, day, day, channel="socketio")
    assert (socketio["conversations"], socketio["messages"]) == (1, 2)
    assert socketio["faq_topics"] == {"mri_what": 1}
    assert socketio["feedback"] == {"helpful": 1, "not_helpful": 0}
    assert summary(engine, channel="rest") == RECORDED_SUMMARY
    assert summary(engine, channel="telegram")["conversations"] == 0
    assert store.details(engine, DAY, DAY)["channels"] == ["rest", "socketio"]


def test_feedback_overall_and_per_topic(store_url, engine):
    def rating(sender, ts, topic, value):
        return user(sender, ts, "/answer_feedback", "answer_feedback", "socketio",
                    feedback_entities(topic, value))

    publish(store_url, [
        rating("a", T0, "mri_what", "helpful"), rating("b", T0 + 1, "mri_what", "not_helpful"),
        rating("c", T0 + 2, "ct_what", "helpful"),
        rating("d", T0 + 3, "Call me 555 1234567", "helpful"),  # not a topic id: not counted
        rating("e", T0 + 4, "ct_what", "great"),  # not a feedback value
    ])
    day = datetime.date(2026, 3, 10)
    assert summary(engine, day, day)["feedback"] == {"helpful": 2, "not_helpful": 1}
    assert store.details(engine, day, day)["feedback_by_topic"] == {
        "ct_what": {"helpful": 1, "not_helpful": 0},
        "mri_what": {"helpful": 1, "not_helpful": 1}}


def _check_events(sender, ts):
    """A check started, its first two questions answered, the third asked."""
    return [user(sender, ts, "/start_screening", "start_screening"),
            active_loop(sender, ts + 1, store.FORM),
            slot(sender, ts + 2, "requested_slot", "bladder_bowel_change"),
            user(sender, ts + 3, "no", "deny"),
            slot(sender, ts + 4, "requested_slot", "saddle_numbness"),
            user(sender, ts + 5, "no", "deny"),
            slot(sender, ts + 6, "requested_slot", "leg_weakness")]


def test_a_check_going_on_is_in_progress_then_stopped_once_quiet(store_url, engine):
    publish(store_url, _check_events("open", T0))
    day = datetime.date(2026, 3, 10)
    last = T0 + 6
    recent = summary(engine, day, day, now=last + 60)["checks"]
    assert (recent["started"], recent["completed"], recent["stopped"]) == (1, 0, 0)
    assert store.details(engine, day, day, now=last + 60)["checks_in_progress"] == 1
    idle = last + store.SESSION_IDLE_MINUTES * 60 + 1
    quiet = summary(engine, day, day, now=idle)["checks"]
    assert (quiet["started"], quiet["stopped"], quiet["stopped_at"]) == (
        1, 1, {"leg_weakness": 1})
    assert store.details(engine, day, day, now=idle)["checks_in_progress"] == 0


@pytest.mark.parametrize("ending, expected", [
    # an emergency sign during the check: the form ends, then the emergency outcome
    ([active_loop("x", T0 + 10, None), slot("x", T0 + 11, "triage_level", "emergency")],
     {"completed": 1, "stopped": 0, "stopped_at": {}}),
    # the outcome came only after the patient's next message: not this check's
    ([active_loop("x", T0 + 10, None), user("x", T0 + 11, "hi", "greet"),
      slot("x", T0 + 12, "triage_level", "soon")],
     {"completed": 0, "stopped": 1, "stopped_at": {"leg_weakness": 1}}),
    ([marker("x", T0 + 10, "restart")], {"completed": 0, "stopped": 1,
                                          "stopped_at": {"leg_weakness": 1}}),
    ([marker("x", T0 + 10, "session_started")],
     {"completed": 0, "stopped": 1, "stopped_at": {"leg_weakness": 1}}),
])
def test_how_a_check_ends(store_url, engine, ending, expected):
    publish(store_url, [*_check_events("x", T0), *ending])
    day = datetime.date(2026, 3, 10)
    checks = summary(engine, day, day, now=T0 + 60)["checks"]
    assert {key: checks[key] for key in expected} == expected
    assert checks["started"] == 1


def test_starting_again_ends_the_check_going_on(store_url, engine):
    publish(store_url, [*_check_events("x", T0), *_check_events("x", T0 + 20)])
    day = datetime.date(2026, 3, 10)
    checks = summary(engine, day, day, now=T0 + 60)["checks"]
    assert (checks["started"], checks["stopped"]) == (2, 1)
    assert store.details(engine, day, day, now=T0 + 60)["checks_in_progress"] == 1


def test_a_range_that_ends_before_it_starts_is_refused(engine):
    with pytest.raises(ValueError):
        summary(engine, DAY, DAY - datetime.timedelta(days=1))


@pytest.mark.parametrize("text, masked", [
    ("call me on 555 123 4567", "call me on [phone]"),
    ("(555) 123-4567 or +44 20 7946 0958", "[phone] or [phone]"),
    ("write to jo.smith+back@example.org now", "write to [email] now"),
    ("I'm 45 and the pain started 3 weeks ago", "I'm ## and the pain started # weeks ago"),
    ("room 12 34", "room ## ##"),  # too few digits for a phone number
    ("no digits here", "no digits here"),
])
def test_masking(text, masked):
    assert store.mask(text) == masked


def test_unanswered_texts_are_stored_masked(store_url, engine):
    publish(store_url, [user("u", T0, "ring 555 123 4567 or mail a@b.org, I am 61",
                             "nlu_fallback")])
    day = datetime.date(2026, 3, 10)
    assert summary(engine, day, day)["unanswered"]["examples"] == [
        "ring [phone] or mail [email], I am ##"]
    with engine.connect() as connection:
        texts = connection.execute(sa.text("SELECT text FROM insights_unanswered")).all()
    assert texts == [("ring [phone] or mail [email], I am ##",)]


def test_sqlite_store_is_private(tmp_path):
    path = tmp_path / "new" / "analytics.db"
    engine = store.engine_for(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        engine.dispose()
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_audit_rows_and_log_lines(engine, caplog):
    with caplog.at_level(logging.INFO, logger="insights.store"):
        store.audit(engine, "Dr Who\nforged line", "export", DAY, DAY, "rest", "127.0.0.1")
    with engine.connect() as connection:
        rows = connection.execute(sa.select(
            store.AUDIT.c.who, store.AUDIT.c.action, store.AUDIT.c.range_from,
            store.AUDIT.c.range_to, store.AUDIT.c.channel, store.AUDIT.c.address)).all()
    assert rows == [("Dr Whoforged line", "export", DAY, DAY, "rest", "127.0.0.1")]
    [record] = [r for r in caplog.records if "insights.audit" in r.getMessage()]
    assert "action=export" in record.getMessage() and "\n" not in record.getMessage()
