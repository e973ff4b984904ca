"""The form's validation and outcome actions, run on real rasa_sdk Tracker objects."""
import asyncio
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import triage
from actions.screening import (
    ActionAnswerYesNo,
    ActionEmergencyAdvice,
    ActionScreeningOutcome,
    ValidateScreeningForm,
)

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())


def tracker(slots=None, text="", intent="inform", entities=(), requested=None, events=()):
    all_slots = {slot: None for slot in DOMAIN["slots"]}
    all_slots.update(slots or {})
    all_slots["requested_slot"] = requested
    return Tracker(
        sender_id="unit", slots=all_slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0},
                        "entities": list(entities)},
        events=list(events), paused=False, followup_action=None,
        active_loop={"name": "screening_form"}, latest_action_name="action_listen",
    )


def answer(slot, text, slots=None, intent="inform", entities=()):
    """Runs the validation action as Rasa does after `text` filled `slot`; returns
    (slot values it set, messages it sent)."""
    events = [{"event": "slot", "name": slot, "value": text}]
    t = tracker({**(slots or {}), slot: text}, text=text, intent=intent, entities=entities,
                requested=slot, events=[{"event": "user", "text": text}, *events])
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateScreeningForm().run(dispatcher, t, DOMAIN))
    return {e["name"]: e["value"] for e in result if e["event"] == "slot"}, dispatcher.messages


def test_typed_yes_and_no_become_booleans():
    assert answer("fever", "yeah a bit")[0]["fever"] is True
    assert answer("fever", "nope")[0]["fever"] is False


def test_not_sure_counts_as_yes():
    assert answer("saddle_numbness", "not sure")[0]["saddle_numbness"] is True


def test_buttons_use_the_payload_intent():
    assert answer("fever", "/unsure", intent="unsure")[0]["fever"] is True
    assert answer("fever", "/deny", intent="deny")[0]["fever"] is False


def test_classifier_guess_never_answers_typed_gibberish():
    slots, messages = answer("leg_weakness", "purple", intent="affirm")
    assert slots["leg_weakness"] is None
    assert "yes, no or not sure" in messages[0]["text"]


def test_numbers_in_words_and_entities():
    assert answer("age", "sixty-two")[0]["age"] == 62
    slots, _ = answer("pain_duration_weeks", "about two months",
                      entities=[{"entity": "DATE", "start": 0, "end": 16, "value": "about two months"}])
    assert 8 < slots["pain_duration_weeks"] < 9.5


EARLIER_NO = {slot: False for slot in triage.BOOLEAN_SLOTS} | {"pain_duration_weeks": 1.0}


def test_out_of_range_age_is_explained_and_asked_again():
    slots, messages = answer("age", "400", slots=EARLIER_NO)
    assert slots["age"] is None and slots["requested_slot"] == "age"
    assert "age in years" in messages[0]["text"]


def test_third_unclear_answer_skips_the_question():
    failed = {"screening_failed_answers": {"age": 2}}
    slots, messages = answer("age", "dunno", slots=failed)
    assert slots["screening_skipped"] == ["age"]
    assert "move on" in messages[0]["text"]


def test_an_emergency_answer_ends_the_form():
    slots, messages = answer("bladder_bowel_change", "yes")
    assert slots["bladder_bowel_change"] is True
    assert slots["requested_slot"] is None
    assert messages == []


def test_follow_up_asked_only_when_its_condition_holds():
    earlier = {"bladder_bowel_change": False, "saddle_numbness": False, "leg_weakness": False}
    assert answer("leg_numbness", "yes", earlier)[0]["requested_slot"] == "both_legs"
    assert answer("leg_numbness", "no", earlier)[0]["requested_slot"] == "recent_injury"


def run_action(action, t):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return events, dispatcher.messages


def test_outcome_sets_the_level_and_sends_the_payload():
    answers = {slot: False for slot in triage.BOOLEAN_SLOTS} | {"pain_duration_weeks": 8.0,
                                                                 "age": 40.0}
    events, messages = run_action(ActionScreeningOutcome(), tracker(answers))
    assert {"event": "slot", "timestamp": None, "name": "triage_level", "value": "soon"} in events
    assert messages[0]["custom"]["triage_level"] == "soon"
    assert messages[0]["text"].splitlines()[-1].startswith("This is not a diagnosis")


def test_emergency_number_comes_from_configuration(monkeypatch):
    monkeypatch.setenv("EMERGENCY_NUMBER", "112")
    t = tracker(entities=[{"entity": "red_flag_sign", "value": "saddle_numbness"}],
                intent="red_flag")
    events, messages = run_action(ActionEmergencyAdvice(), t)
    assert messages[0]["text"].startswith("Call 112")
    assert messages[0]["custom"] == {"triage_level": "emergency", "emergency_number": "112"}
    assert len(messages) == 1, "nothing follows the emergency advice"


@pytest.mark.parametrize("intent,starts", [("affirm", True), ("unsure", True), ("deny", False)])
def test_yes_after_an_offer_starts_the_check(intent, starts):
    offer = {"event": "bot", "text": "...",
             "data": {"buttons": [{"title": "Check my symptoms", "payload": "/start_screening"}]}}
    events, _ = run_action(ActionAnswerYesNo(), tracker(intent=intent, events=[offer]))
    assert any(e["event"] == "followup" for e in events) is starts


def test_yes_without_an_offer_does_not_start_the_check():
    events, messages = run_action(ActionAnswerYesNo(), tracker(intent="affirm"))
    assert events == [] and messages
