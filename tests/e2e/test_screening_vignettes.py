"""The red-flag check through the real servers: vignettes, emergencies and the outcome message."""
from pathlib import Path

import pytest
import yaml

from common.clinic import current
from tests.e2e.servers import Chat

VIGNETTES = yaml.safe_load((Path(__file__).parent / "vignettes.yml").read_text())["vignettes"]


def is_emergency_advice(message) -> bool:
    return message.get("text", "").startswith("Call 911 or go to an emergency department now")


def run(chat: Chat, vignette):
    """Returns the replies to each message."""
    return [chat.say(text) for text in vignette["say"]]


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["name"] for v in VIGNETTES])
def test_vignette(stack, vignette):
    chat = Chat(stack)
    replies = run(chat, vignette)
    tracker = chat.tracker()
    assert tracker["slots"]["triage_level"] == vignette["level"], replies
    assert not tracker.get("active_loop", {}).get("name"), "the check is over"
    at = vignette.get("emergency_at")
    if at is not None:
        reply = [m for m in replies[at] if not m.get("text", "").startswith("I'm an automated")]
        assert is_emergency_advice(reply[0]), f"emergency advice is the very next message: {reply}"
        assert {"triage_level": "emergency", "emergency_number": "911"} in [
            m.get("custom") for m in reply]
        assert not any(m.get("text", "").endswith("?") for m in reply), "no further question"
        for later in replies[:at]:
            assert not any(is_emergency_advice(m) for m in later), "not before the sign"


def test_outcome_message_has_action_reasons_imaging_and_disclaimer(chat):
    for text in ["check my symptoms", *["no"] * 8, "yes", "2 weeks", "40"]:
        replies = chat.say(text)
    outcome = replies[0]["text"].split("\n")
    assert outcome[0].startswith("Please book an appointment")
    assert outcome[1].startswith("Why: severe or worsening pain")
    assert outcome[2].startswith("Imaging a clinician may consider")
    assert "not a diagnosis" in outcome[-1]
    profile = current({})  # the committed clinic.yml, as the servers run it
    assert {"triage_level": "soon", "booking_url": profile.booking_url,
            "booking_phone": profile.appointments.phone} in [m.get("custom") for m in replies]
    assert any(b["payload"] == "/restart_screening" for m in replies for b in m.get("buttons", []))


def test_cancel_ends_the_check_politely(chat):
    chat.say("check my symptoms")
    chat.say("no")
    text = chat.texts("stop")
    assert "stopped" in text and "check my symptoms" in text
    tracker = chat.tracker()
    assert not tracker.get("active_loop", {}).get("name")
    assert tracker["slots"]["triage_level"] is None


def test_faq_mid_check_repeats_the_pending_question(chat):
    chat.say("check my symptoms")
    first = chat.say("no")[-1]["text"]
    replies = chat.say("what is a CT scan?")
    assert "CT" in replies[0]["text"]
    assert replies[-1]["text"] == first


def test_a_no_fills_only_the_slot_asked(chat):
    chat.say("check my symptoms")
    chat.say("no")
    slots = chat.tracker()["slots"]
    assert slots["bladder_bowel_change"] is False
    assert all(slots[s] is None for s in ("saddle_numbness", "leg_weakness", "fever", "age"))


def test_unclear_number_is_skipped_after_two_reasks(chat):
    for text in ["check my symptoms", *["no"] * 9]:
        chat.say(text)
    for _ in range(2):
        assert "Sorry, I didn't catch how long" in chat.texts("whenever")
    text = chat.texts("no idea really")
    assert "move on" in text and "How old are you?" in text
    replies = chat.say("30")
    assert "how long you have had the pain" in replies[0]["text"]
    assert chat.slot("triage_level") == "self_care"
