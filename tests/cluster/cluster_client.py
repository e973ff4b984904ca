"""Patients talking to the cluster over REST, and what their stored conversations must show."""
import asyncio
import threading
import time
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Tuple

import requests

API_TOKEN = "cluster-" + uuid.uuid4().hex
ORIGIN = "http://localhost:8080"  # the widget page's origin, allowed by the cluster under test
# The screening form's questions when every answer is "no" (domain.yml; the follow-ups both_legs,
# injury_severe, bone_risk and infection_risk are skipped): after k answers it asks NO_PATH[k].
NO_PATH = ["bladder_bowel_change", "saddle_numbness", "leg_weakness", "leg_numbness",
           "recent_injury", "fever", "cancer_history", "weight_loss", "severe_pain",
           "pain_duration_weeks", "age"]
GREETINGS = ["hello", "hi there", "good morning", "hey"]
FAQS = ["What is an MRI?", "is a ct scan safe", "what can an x-ray show",
        "can ultrasound help my back"]
MID_CHECK_FAQ = "what is a CT scan?"  # answered, then the pending question is asked again
FAILED = (502, 503, 504)
RETRY_SECONDS = 0.5  # between the attempts of a message that failed


def run_async(make_coroutine: Callable[[], Awaitable[Any]]) -> Any:
    """asyncio.run on a thread of its own: an earlier test may have left an event loop running
    in the main thread (Playwright's sync API does), where asyncio.run would refuse."""
    outcome: Dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(make_coroutine())
        except BaseException as error:  # noqa: BLE001 (raised again below)
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


class Patient:
    """One conversation: what was sent and delivered, and which servers answered."""

    def __init__(self, url: str, name: str = "patient") -> None:
        self.url = url
        self.sender = f"{name}-{uuid.uuid4().hex[:12]}"
        self.sent: List[str] = []  # delivered messages, in order
        self.upstreams: List[str] = []
        self.retries = 0
        self.timings: List[Tuple[float, float]] = []  # (sent, answered) of surely-said messages
        self.http = requests.Session()

    def say(self, text: str, url: Optional[str] = None) -> List[Dict[str, Any]]:
        """One message that must be answered at once (no failure expected)."""
        response = self.http.post(f"{url or self.url}/webhooks/rest/webhook",
                                  json={"sender": self.sender, "message": text}, timeout=180)
        assert response.status_code == 200, (response.status_code, response.text[:300])
        self.sent.append(text)
        self.upstreams.append(response.headers.get("X-Upstream", url or ""))
        replies = response.json()
        assert replies, f"no answer to {text!r}"
        return replies

    def say_surely(self, text: str, within: float = 120) -> List[Dict[str, Any]]:
        """A message that may meet a failure (a server killed mid-request, Redis away): a
        failed attempt must have stored nothing, or all of the turn; then it is sent again,
        until it is delivered or `within` seconds have passed (failures last until nginx has
        taken a dead server out, or while Redis is away: up to LOCK_REDIS_WAIT_SECONDS)."""
        started = time.monotonic()
        while time.monotonic() < started + within:
            try:
                response = self.http.post(f"{self.url}/webhooks/rest/webhook",
                                          json={"sender": self.sender, "message": text},
                                          timeout=180)
            except requests.ConnectionError:
                response = None
            if response is not None and response.status_code == 200 and response.json():
                self.sent.append(text)
                self.upstreams.append(response.headers.get("X-Upstream", ""))
                self.timings.append((started, time.monotonic()))
                return response.json()
            status = None if response is None else response.status_code
            assert status in (None, 500, *FAILED), (
                status, response.text[:300], response.headers.get("X-Upstream"), text,
                self.sent, [(e["event"], e.get("name") or e.get("text"))
                            for e in self.tracker()["events"][-12:]])
            stored = user_texts(self.tracker())
            if stored == [*self.sent, text]:  # handled, but the answer was lost on the way
                self.sent.append(text)
                self.timings.append((started, time.monotonic()))
                return []
            assert stored == self.sent, f"a failed message left a trace: {stored} {self.sent}"
            self.retries += 1
            time.sleep(RETRY_SECONDS)
        raise AssertionError(f"{text!r} was not delivered within {within:.0f} s "
                             f"({self.retries} retries)")

    def tracker(self, url: Optional[str] = None) -> Dict[str, Any]:
        response = self.http.get(f"{url or self.url}/conversations/{self.sender}/tracker",
                                 params={"token": API_TOKEN}, timeout=60)
        response.raise_for_status()
        return response.json()

    def servers(self) -> Set[str]:
        return set(self.upstreams)


def user_texts(tracker: Dict[str, Any]) -> List[str]:
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


def assert_turns_whole(tracker: Dict[str, Any]) -> None:
    """Every user message is followed by its own turn: actions, then exactly one
    action_listen, before the next user message (interleaved turns break this)."""
    events = tracker["events"]
    starts = [i for i, e in enumerate(events) if e["event"] == "user"]
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(events)
        actions = [e.get("name") for e in events[start + 1:end] if e["event"] == "action"]
        assert actions and actions[-1] == "action_listen", (n, actions)
        assert actions.count("action_listen") == 1, (n, actions)
        assert len(actions) >= 2, f"turn {n} has no answer: {actions}"


def assert_screening_at(tracker: Dict[str, Any], answered_no: int) -> None:
    """The check is running and has recorded exactly `answered_no` answers of "no"."""
    slots = tracker["slots"]
    assert (tracker.get("active_loop") or {}).get("name") == "screening_form"
    assert slots["requested_slot"] == NO_PATH[answered_no], (slots["requested_slot"], answered_no)
    for slot in NO_PATH[:answered_no]:
        assert slots[slot] is False, (slot, slots[slot])
    for slot in NO_PATH[answered_no:]:
        assert slots[slot] is None, (slot, slots[slot])
