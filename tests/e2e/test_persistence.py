"""Conversations survive restarts and outages, on a stack of their own (its own data directory
and ports, started as `make run` starts it: no API token, so the HTTP API is off).

- Restarting the Rasa server or the action server: a patient in the middle of the check gets
  the next question after the restart.
- The action server down or stuck: the patient gets a short "temporarily unavailable, please try
  again" within the configured timeout; the answer given meanwhile is not taken, and once the
  action server is back the same conversation goes on from the same question.
"""
import os
import signal
import sqlite3
import stat
import time
import uuid
from pathlib import Path

import pytest
import requests

from common import triage
from scripts.stack import MODEL
from tests.e2e.servers import Chat, make_stack, screening_questions

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = screening_questions()
# The check's yes/no questions when every answer is "no".
ALL_NO = {slot: False for slot in triage.BOOLEAN_SLOTS}
ORDER = [slot for slot, asked in triage.QUESTIONS
         if slot in triage.BOOLEAN_SLOTS and asked(ALL_NO)]
UNAVAILABLE = "temporarily unavailable"
MRI = "An MRI is one of the most powerful tests"
ACTION_TIMEOUT = 3


class Servers:
    """The stack, with its two processes at hand so that tests can stop and start each."""

    def __init__(self, run_dir: Path) -> None:
        self.stack = make_stack(run_dir, ACTION_TIMEOUT_SECONDS=str(ACTION_TIMEOUT))
        self.actions = self.rasa = None

    def start_actions(self) -> None:
        self.actions = self.stack.start_actions()

    def start_rasa(self) -> None:
        self.rasa = self.stack.start_rasa()

    def restart_rasa(self) -> None:
        self.stack.stop_process(self.rasa)
        self.start_rasa()

    def stop_actions(self) -> None:
        self.stack.stop_process(self.actions)

    @property
    def db(self) -> Path:
        return Path(self.stack.env["DATA_DIR"]) / "conversations.db"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail("no trained model: run the suite with `make test`")
    servers = Servers(tmp_path_factory.mktemp("persistence"))
    try:
        servers.start_actions()
        servers.start_rasa()
        yield servers
    finally:
        servers.stack.stop()


def question(slot: str) -> str:
    return QUESTIONS[slot]


def answer_no(chat: Chat, until: str) -> None:
    """Starts the check and answers "no" until `until` is the pending question."""
    assert chat.say("check my symptoms")[-1]["text"] == question(ORDER[0])
    for asked, following in zip(ORDER, ORDER[1:], strict=False):
        if asked == until:
            return
        assert chat.say("no")[-1]["text"] == question(following)
    raise AssertionError(until)


def timed(chat: Chat, text: str):
    started = time.monotonic()
    replies = chat.say(text)
    return replies, time.monotonic() - started


def test_api_is_off_without_a_token(servers):
    url = servers.stack.url
    for path in ("/status", "/version", "/conversations/someone/tracker", "/model/parse"):
        assert requests.get(url + path, timeout=30).status_code in (404, 405), path
    assert requests.get(url + "/", timeout=30).status_code == 200
    assert MRI in Chat(servers.stack).texts("what is an MRI?")


def test_store_is_a_private_sqlite_file_in_the_data_directory(servers):
    Chat(servers.stack).say("hello")
    assert servers.db.is_file()
    assert stat.S_IMODE(servers.db.stat().st_mode) == 0o600
    assert stat.S_IMODE(servers.db.parent.stat().st_mode) == 0o700


def test_check_goes_on_after_the_rasa_server_restarts(servers):
    chat = Chat(servers.stack)
    answer_no(chat, until="leg_weakness")
    servers.restart_rasa()
    replies = chat.say("no")
    assert [r["text"] for r in replies] == [question("leg_numbness")], "no new session either"
    assert chat.say("no")[-1]["text"] == question("recent_injury")


def test_check_goes_on_after_the_action_server_restarts(servers):
    chat = Chat(servers.stack)
    answer_no(chat, until="saddle_numbness")
    servers.stop_actions()
    servers.start_actions()
    assert chat.say("no")[-1]["text"] == question("leg_weakness")


def assert_unavailable(replies, pending: str) -> None:
    """The apology, then the pending question again (the form asks it; the answer was not
    taken)."""
    assert [UNAVAILABLE in r["text"] for r in replies] == [True, False], replies
    assert replies[1]["text"] == question(pending)


def test_action_server_down_then_back(servers):
    chat = Chat(servers.stack)
    answer_no(chat, until="leg_numbness")
    servers.stop_actions()
    try:
        for _ in range(2):  # the answer is not taken, however often it is given
            replies, seconds = timed(chat, "no")
            assert_unavailable(replies, "leg_numbness")
            assert "911" in replies[0]["text"]
            assert seconds < ACTION_TIMEOUT + 2
        # in the middle of the check even a question goes through the form (a reply with a
        # detail is often taken for a question), so it waits too; the check is not lost
        assert_unavailable(chat.say("what is an MRI?"), "leg_numbness")
        # a new conversation still opens with the disclaimer
        newcomer = Chat(servers.stack).say("hello")
        assert "not a diagnosis" in newcomer[0]["text"] and len(newcomer) >= 2
        failed = time.monotonic()
    finally:
        servers.start_actions()
    # after a failed connection the endpoint answers from its fallback for 5 s (retry_after)
    time.sleep(max(0.0, failed + 5.5 - time.monotonic()))
    assert chat.say("no")[-1]["text"] == question("recent_injury")
    assert chat.say("no")[-1]["text"] == question("fever")


def test_action_server_stuck_then_back(servers):
    chat = Chat(servers.stack)
    answer_no(chat, until="fever")
    os.killpg(servers.actions.pid, signal.SIGSTOP)
    try:
        replies, seconds = timed(chat, "no")
        assert_unavailable(replies, "fever")
        assert ACTION_TIMEOUT - 0.5 < seconds < ACTION_TIMEOUT + 5, seconds
        replies, seconds = timed(chat, "no")  # no second wait right after a timeout
        assert_unavailable(replies, "fever")
        assert seconds < 2
        failed = time.monotonic()
    finally:
        os.killpg(servers.actions.pid, signal.SIGCONT)
    time.sleep(max(0.0, failed + 5.5 - time.monotonic()))
    assert chat.say("no")[-1]["text"] == question("cancer_history")


def test_logs_carry_no_message_text_and_no_raw_sender(servers):
    marker = "CANARY" + uuid.uuid4().hex
    chat = Chat(servers.stack, sender="persist-" + uuid.uuid4().hex)
    chat.say(f"{marker} what is an MRI?")
    servers.stop_actions()
    try:
        chat.say(f"check my symptoms {marker}")
    finally:
        servers.start_actions()
    logs = "".join(p.read_text(errors="replace") for p in servers.stack.log_dir.glob("*.log"))
    assert "action_server.unavailable" in logs
    assert marker not in logs
    assert chat.sender not in logs
    with sqlite3.connect(servers.db) as db:
        assert db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?",
                          (chat.sender,)).fetchone()[0] > 0


