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
import yaml

from servers import Chat, free_port
from stack import MODEL, Stack

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = yaml.safe_load((ROOT / "actions/wording.yml").read_text())["screening"]["questions"]
# The check's questions when every answer is "no".
ORDER = ["bladder_bowel_change", "saddle_numbness", "leg_weakness", "leg_numbness",
         "recent_injury", "fever", "cancer_history", "weight_loss", "severe_pain"]
UNAVAILABLE = "temporarily unavailable"
MRI = "An MRI is one of the most powerful tests"
ACTION_TIMEOUT = 3


class Servers:
    """The stack, with its two processes at hand so that tests can stop and start each."""

    def __init__(self, run_dir: Path) -> None:
        self.stack = Stack(free_port(), free_port(), log_dir=run_dir / "logs",
                           env={"DATA_DIR": str(run_dir / "data"), "RASA_API_TOKEN": "",
                                "ACTION_TIMEOUT_SECONDS": str(ACTION_TIMEOUT)})
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
    for asked, following in zip(ORDER, ORDER[1:]):
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


def test_action_server_down_then_back(servers):
    chat = Chat(servers.stack)
    answer_no(chat, until="leg_numbness")
    servers.stop_actions()
    try:
        for _ in range(2):  # the answer is not taken, however often it is given
            replies, seconds = timed(chat, "no")
            assert len(replies) == 1 and UNAVAILABLE in replies[0]["text"], replies
            assert "911" in replies[0]["text"]
            assert seconds < ACTION_TIMEOUT + 2
        # in the middle of the check even a question goes through the form (a reply with a
        # detail is often taken for a question), so it waits too; the check is not lost
        replies = chat.say("what is an MRI?")
        assert len(replies) == 1 and UNAVAILABLE in replies[0]["text"], replies
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
        assert len(replies) == 1 and UNAVAILABLE in replies[0]["text"], replies
        assert ACTION_TIMEOUT - 0.5 < seconds < ACTION_TIMEOUT + 5, seconds
        replies, seconds = timed(chat, "no")  # no second wait right after a timeout
        assert UNAVAILABLE in replies[0]["text"] and seconds < 2
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


def test_fallback_restores_the_state_before_the_message():
    """The restoring events, applied by Rasa's own tracker, give back the state before the
    user's message: a slot filled by the message and a check that ended with it."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (ActionExecuted, ActiveLoop, SlotSet, UserUttered,
                                         deserialise_events)
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
    from rasa.utils.endpoints import EndpointConfig

    from channels.action_endpoint import ResilientActionEndpoint, restore_events

    domain = Domain.load(str(ROOT / "domain.yml"))
    before = [ActionExecuted("action_listen"), UserUttered("check", {"name": "start_screening"}),
              ActionExecuted("screening_form"), ActiveLoop("screening_form"),
              SlotSet("bladder_bowel_change", False), SlotSet("requested_slot", "age"),
              ActionExecuted("action_listen")]
    turn = [UserUttered("40", {"name": "inform"}), SlotSet("age", "40"),
            ActionExecuted("screening_form"), SlotSet("age", 40.0),
            SlotSet("requested_slot", None), ActiveLoop(None)]
    tracker = DialogueStateTracker.from_events("someone", before + turn, domain.slots)
    body = {"next_action": "action_screening_outcome", "sender_id": "someone",
            "tracker": tracker.current_state(EventVerbosity.ALL), "domain": domain.as_dict()}

    restored = restore_events(body)
    tracker.update_with_events(deserialise_events(restored), domain)
    assert tracker.get_slot("age") is None
    assert tracker.get_slot("requested_slot") == "age"
    assert tracker.get_slot("bladder_bowel_change") is False
    assert tracker.active_loop_name == "screening_form"

    endpoint = ResilientActionEndpoint(EndpointConfig(url="http://127.0.0.1:9/webhook",
                                                      timeout="2"))
    answer = endpoint.fallback(body)
    assert answer["events"][-1] == {"event": "followup", "name": "action_listen"}
    assert answer["responses"][0]["response"] == "utter_temporarily_unavailable"
    assert endpoint.timeout == 2.0
    assert restore_events({**body, "tracker": {"events": [e.as_dict() for e in before]}}) == []
