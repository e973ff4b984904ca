"""Privacy through the real servers and the real SQLite stores: "delete my conversation" erases
it from the conversation store's file and from the analytics store (the event broker's), the
retention purge deletes old conversations from both, and the logs carry no message text, slot
values or raw sender ids."""
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import yaml

from scripts.stack import Stack
from tests.e2e.servers import API_TOKEN, Chat, analytics_senders, screening_questions

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = screening_questions()
MRI = "An MRI is one of the most powerful tests"
DELETED = "deleted this conversation"
SLOTS = [s for s in yaml.safe_load((ROOT / "domain.yml").read_text())["slots"]]


def db_file(stack: Stack) -> Path:
    return Path(stack.env["DATA_DIR"]) / "conversations.db"


def rows(stack: Stack, sender: str) -> int:
    with sqlite3.connect(db_file(stack)) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?",
                          (sender,)).fetchone()[0]


def in_file(stack: Stack, marker: str) -> bool:
    """Whether the bytes are anywhere in the database file, free pages included."""
    return marker.encode() in db_file(stack).read_bytes()


def in_analytics_files(stack: Stack, marker: str) -> bool:
    """Whether the bytes are anywhere in the analytics store's files (its journal included)."""
    return any(marker.encode() in path.read_bytes()
               for path in Path(stack.env["DATA_DIR"]).glob("analytics.db*"))


def canary() -> str:
    return "CANARY" + uuid.uuid4().hex


# ---------------------------------------------------------------------------------------------
# "Delete my conversation"


def test_delete_my_conversation_erases_it_from_the_store(stack):
    chat = Chat(stack)
    marker = canary()
    assert MRI in chat.texts(f"what is an MRI? {marker}")
    assert rows(stack, chat.sender) > 0 and in_file(stack, marker)
    assert chat.sender in analytics_senders(stack) and in_analytics_files(stack, marker)

    replies = chat.say("please delete my conversation")
    assert any(DELETED in (r.get("text") or "") for r in replies), replies
    assert {"conversation_deleted": True} in [r.get("custom") for r in replies]
    assert rows(stack, chat.sender) == 0
    assert not in_file(stack, marker), "erased from the file, free pages included"
    assert chat.sender not in analytics_senders(stack)
    assert not in_analytics_files(stack, marker), "and from the analytics store's files"
    assert not [e for e in chat.tracker()["events"] if e["event"] == "user"]

    again = chat.say("hello")
    assert "not a diagnosis" in again[0]["text"], "a new conversation starts"
    assert rows(stack, chat.sender) > 0


def test_delete_in_the_middle_of_the_check(stack):
    chat = Chat(stack)
    marker = canary()
    chat.say("check my symptoms")
    chat.say("no")
    chat.say(f"no {marker}")
    assert chat.slot("saddle_numbness") is False
    replies = chat.say("delete my data")
    assert any(DELETED in (r.get("text") or "") for r in replies), replies
    assert not any(r.get("text") in QUESTIONS.values() for r in replies), "no further question"
    assert rows(stack, chat.sender) == 0 and not in_file(stack, marker)
    tracker = chat.tracker()
    assert not (tracker.get("active_loop") or {}).get("name")
    assert tracker["slots"]["bladder_bowel_change"] is None


@pytest.mark.parametrize("text", [
    "delete my conversation",
    "can you erase this chat please",
    "I want my data deleted",
    "remove everything I told you from your records",
    "please wipe my chat history",
    "delete all my information",
])
def test_delete_requests_are_understood(stack, text):
    parse = requests.post(f"{stack.url}/model/parse", params={"token": API_TOKEN},
                          json={"text": text}, timeout=30).json()
    assert parse["intent"]["name"] == "delete_conversation", parse["intent"]


@pytest.mark.parametrize("text,intent", [
    ("start over", "restart_screening"),
    ("stop", "stop_screening"),
    ("forget it", "stop_screening"),
    ("what is an MRI?", "faq"),
])
def test_other_requests_are_not_taken_for_deletion(stack, text, intent):
    parse = requests.post(f"{stack.url}/model/parse", params={"token": API_TOKEN},
                          json={"text": text}, timeout=30).json()
    assert parse["intent"]["name"] == intent


# ---------------------------------------------------------------------------------------------
# Retention


def purge(stack: Stack, *args: str) -> str:
    env = {"PATH": os.environ["PATH"], "DATA_DIR": stack.env["DATA_DIR"],
           "TRACKER_STORE_URL": stack.env["TRACKER_STORE_URL"]}
    done = subprocess.run([sys.executable, "-m", "scripts.purge", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def last_event_time(stack: Stack, sender: str) -> float:
    with sqlite3.connect(db_file(stack)) as db:
        return db.execute("SELECT MAX(timestamp) FROM events WHERE sender_id = ?",
                          (sender,)).fetchone()[0]


def test_retention_purge_deletes_old_conversations_and_keeps_recent_ones(stack):
    """On the session stack's store: `old` is made to be past the retention period by purging
    as if it were a day after it; conversations older than it (earlier tests') go too."""
    old, recent = Chat(stack), Chat(stack)
    old_marker, recent_marker = canary(), canary()
    old.say(f"what is an MRI? {old_marker}")
    time.sleep(1.5)
    recent.say("check my symptoms")
    recent.say(f"no {recent_marker}")
    now = last_event_time(stack, old.sender) + 86400 + 0.5

    assert "Would delete" in purge(stack, "--days", "1", "--now", str(now), "--dry-run")
    assert rows(stack, old.sender) > 0
    output = purge(stack, "--days", "1", "--now", str(now))
    assert re.search(r"Deleted [1-9]\d* conversation", output), output

    assert rows(stack, old.sender) == 0 and not in_file(stack, old_marker)
    assert rows(stack, recent.sender) > 0 and in_file(stack, recent_marker)
    senders = analytics_senders(stack)
    assert old.sender not in senders and recent.sender in senders
    assert recent.say("no")[-1]["text"] == QUESTIONS["leg_weakness"], "recent one goes on"
    assert "not a diagnosis" in old.say("hello")[0]["text"], "old one starts afresh"


def test_retention_keeps_everything_younger_than_the_period(stack):
    chat = Chat(stack)
    chat.say("hello")
    output = purge(stack)  # RETENTION_DAYS default: 30 days
    assert "older than 30 days" in output
    assert rows(stack, chat.sender) > 0




def test_operator_deletes_one_conversation_by_sender_id(stack):
    chat, other = Chat(stack), Chat(stack)
    marker = canary()
    chat.say(f"what is an MRI? {marker}")
    other.say("hello")
    output = purge(stack, "--sender", chat.sender)
    assert re.search(r"Deleted [1-9]\d* event", output), output
    assert rows(stack, chat.sender) == 0 and not in_file(stack, marker)
    assert rows(stack, other.sender) > 0
    senders = analytics_senders(stack)
    assert chat.sender not in senders and other.sender in senders




# ---------------------------------------------------------------------------------------------
# What the two stores hold


def stored_events(path: Path, sender: str) -> list:
    with sqlite3.connect(path) as db:
        return [json.loads(data) for (data,) in db.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))]


def test_the_analytics_store_gets_each_stored_event_once_in_order(stack):
    """The tracker store publishes a turn's new events to the broker together (one transaction,
    counted instead of Rasa's reloading the conversation): over several turns, a check
    included, the broker's rows are the conversation store's events, each once, in order."""
    chat = Chat(stack)
    chat.say("what is an MRI?")
    chat.say("check my symptoms")
    chat.say("no")
    chat.say("stop the check")
    kept = stored_events(db_file(stack), chat.sender)
    published = stored_events(Path(stack.env["DATA_DIR"]) / "analytics.db", chat.sender)
    assert len(kept) > 10
    assert published == [{"sender_id": chat.sender, **event} for event in kept]


# ---------------------------------------------------------------------------------------------
# Logs


def test_logs_carry_no_message_text_slot_values_or_raw_sender(stack):
    """Everything the session stack's servers logged so far, at their level (INFO), after a
    conversation full of markers: a question, a check with answers, a deletion."""
    marker = canary()
    chat = Chat(stack, sender="privacy-" + uuid.uuid4().hex)
    chat.say(f"hello {marker}")
    chat.say(f"check my symptoms {marker}")
    for _ in range(4):
        chat.say(f"no {marker}")
    chat.say("47 weeks")
    chat.say(f"delete my conversation {marker}")
    logs = "".join(p.read_text(errors="replace") for p in stack.log_dir.glob("*.log"))
    assert marker not in logs
    assert chat.sender not in logs
    assert API_TOKEN not in logs
    from common.logs import hash_sender

    assert f"sender={hash_sender(chat.sender)}" in logs, "events are logged, by hashed sender"
    assert "message.received" in logs and "conversation.erased" in logs
    for slot in SLOTS:
        assert not re.search(rf"\b{slot}\b['\"]?\s*[:=]", logs), slot
