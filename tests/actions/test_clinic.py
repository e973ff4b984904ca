"""The answers about the clinic, from a profile: what the profile says, as written, and "I don't
know" with the clinic's phone for what it leaves out; the contacts the outcomes give."""
import asyncio
import dataclasses

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import messages
from actions.clinic import ANSWERS, ActionClinicAnswer, answer
from common.clinic import DEFAULT_PROFILE, Line, current, load
from common.triage import SOON, URGENT, Outcome
from scripts.stack import ROOT

PROFILE = current({})
BARE = dataclasses.replace(
    PROFILE, same_day=Line("555-0100", None), appointments=Line("555-0123", None),
    booking_url=None, address=None, referral=None, costs=None, insurance=None,
    talk_to_person=None)
DONT_KNOW = "Sorry, I don't have information about"


def test_every_clinic_intent_of_the_domain_has_an_answer():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    rules = yaml.safe_load((ROOT / "data/rules/clinic.yml").read_text())["rules"]
    asked = {step["intent"] for step in rules[0]["steps"][0]["or"]}
    assert asked == set(ANSWERS) <= set(domain["intents"])


@pytest.mark.parametrize("intent,key,start", [
    ("ask_cost", "costs", "About costs at Riverside Spine Clinic (demo): "),
    ("ask_insurance", "insurance", "About insurance at Riverside Spine Clinic (demo): "),
    ("ask_referral", "referral", "About referrals at Riverside Spine Clinic (demo): "),
    ("ask_location", "address", "Riverside Spine Clinic (demo) is at "),
])
def test_a_question_the_profile_answers_gets_its_text_as_written(intent, key, start):
    assert answer(intent, PROFILE) == start + getattr(PROFILE, key)


@pytest.mark.parametrize("intent,what", [
    ("ask_cost", "what a scan costs"), ("ask_insurance", "insurance"),
    ("ask_referral", "referrals"), ("ask_location", "the clinic's address"),
    ("ask_hours", "opening hours"),
])
def test_what_the_profile_leaves_out_is_not_guessed_and_the_phone_is_given(intent, what):
    assert answer(intent, BARE) == (f"{DONT_KNOW} {what}. Please call Riverside Spine Clinic "
                                    "(demo) on 555-0123; they can tell you.")


def test_a_profile_text_without_a_full_stop_ends_as_a_sentence():
    profile = dataclasses.replace(PROFILE, address="1 Main Street")
    assert answer("ask_location", profile) == "Riverside Spine Clinic (demo) is at 1 Main Street."


def test_hours_give_both_lines_and_how_to_reach_them():
    assert answer("ask_hours", PROFILE) == (
        "Appointments are available Monday to Friday, 9 am to 5 pm. "
        "Same-day appointments are available Monday to Saturday, 8 am to 8 pm. "
        "You can book with Riverside Spine Clinic (demo) at "
        "https://riverside-spine.example.org/book or call 555-0123. "
        "For a same-day appointment at Riverside Spine Clinic (demo), call 555-0100.")


def test_hours_say_only_what_the_profile_gives():
    profile = dataclasses.replace(BARE, same_day=Line("555-0100", "weekdays 8 am to 6 pm."))
    text = answer("ask_hours", profile)
    assert text.startswith("Same-day appointments are available weekdays 8 am to 6 pm. ")
    assert "Appointments are available" not in text
    assert "6 pm.." not in text


def test_booking_says_the_assistant_cannot_book_and_how_to():
    assert answer("ask_booking", PROFILE) == (
        "I can't book or change appointments myself. You can book with Riverside Spine Clinic "
        "(demo) at https://riverside-spine.example.org/book or call 555-0123. "
        "Appointments are available Monday to Friday, 9 am to 5 pm.")
    assert answer("ask_booking", BARE) == (
        "I can't book or change appointments myself. You can call Riverside Spine Clinic (demo) "
        "on 555-0123 to book.")


def test_a_person_is_always_reached_by_phone_then_what_to_ask_for():
    plain = ("I'm an automated assistant, so I can't put you through myself. To talk to someone "
             "at Riverside Spine Clinic (demo), call 555-0123.")
    assert answer("talk_to_person", BARE) == plain
    assert answer("talk_to_person", PROFILE) == f"{plain} {PROFILE.talk_to_person}"


def test_the_action_answers_the_intent_of_the_latest_message():
    tracker = Tracker(sender_id="unit", slots={}, latest_message={
        "text": "how much is an mri", "intent": {"name": "ask_cost", "confidence": 0.99}},
        events=[], paused=False, followup_action=None, active_loop={},
        latest_action_name="action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionClinicAnswer().run(dispatcher, tracker, {}))
    assert events == []
    assert [m["text"] for m in dispatcher.messages] == [answer("ask_cost", PROFILE)]


def test_outcomes_give_the_same_day_line_on_urgent_and_booking_on_soon():
    urgent, soon = (Outcome(level, ("severe_pain",), "an MRI") for level in (URGENT, SOON))
    assert messages.outcome_text(urgent).splitlines()[0] == (
        "Please contact a doctor or urgent care today (within 24 hours). For a same-day "
        "appointment at Riverside Spine Clinic (demo), call 555-0100. Same-day appointments are "
        "available Monday to Saturday, 8 am to 8 pm.")
    assert messages.outcome_text(soon).splitlines()[0].endswith(
        "imaging may be discussed there. You can book with Riverside Spine Clinic (demo) at "
        "https://riverside-spine.example.org/book or call 555-0123. Appointments are available "
        "Monday to Friday, 9 am to 5 pm.")
    assert messages.outcome_payload(urgent) == {"triage_level": "urgent", "booking_url": None,
                                                "booking_phone": "555-0100"}
    assert messages.outcome_payload(soon) == {
        "triage_level": "soon", "booking_url": "https://riverside-spine.example.org/book",
        "booking_phone": "555-0123"}


def test_outcomes_follow_the_profile_named_by_clinic_profile(tmp_path, monkeypatch):
    data = yaml.safe_load(DEFAULT_PROFILE.read_text())
    data.update(name="Lakeside Back Care", emergency_number="112", booking_url=None,
                same_day={"phone": "555-0177"})
    path = tmp_path / "lakeside.yml"
    path.write_text(yaml.safe_dump(data))
    assert load(path).same_day.hours is None
    monkeypatch.setenv("CLINIC_PROFILE", str(path))
    urgent = Outcome(URGENT, ("severe_pain",), "an MRI")
    assert messages.outcome_text(urgent).splitlines()[0].endswith(
        "For a same-day appointment at Lakeside Back Care, call 555-0177.")
    assert messages.disclaimer().endswith("call 112.")
