"""The form's validation and outcome actions, run on real rasa_sdk Tracker objects with the
parse data the real clinical language layer gives (tests/conftest.py, `language`)."""
import asyncio
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.screening import (
    ActionAnswerYesNo,
    ActionEmergencyAdvice,
    ActionScreeningOutcome,
    ValidateScreeningForm,
)
from common import triage

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())


LANGUAGE = None  # the session's language pipeline, set for every test below


@pytest.fixture(autouse=True)
def _parse(language):
    global LANGUAGE
    LANGUAGE = language


def tracker(slots=None, text="", intent="inform", requested=None, events=(), parse=None):
    all_slots = {slot: None for slot in DOMAIN["slots"]}
    all_slots.update(slots or {})
    all_slots["requested_slot"] = requested
    return Tracker(
        sender_id="unit", slots=all_slots,
        latest_message=parse or LANGUAGE.parse(text, intent),
        events=list(events), paused=False, followup_action=None,
        active_loop={"name": "screening_form"}, latest_action_name="action_listen",
    )


def answer(slot, text, slots=None, intent="inform", extra_slots=None):
    """Runs the validation action as Rasa does after `text` filled `slot` (and the layer's
    facts filled `extra_slots`); returns (slot values it set, messages it sent)."""
    set_now = {slot: text, **(extra_slots or {})}
    events = [{"event": "slot", "name": name, "value": value} for name, value in set_now.items()]
    t = tracker({**(slots or {}), **set_now}, text=text, intent=intent, requested=slot,
                events=[{"event": "user", "text": text}, *events])
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


def test_numbers_in_words():
    assert answer("age", "sixty-two")[0]["age"] == 62
    slots, _ = answer("pain_duration_weeks", "about two months")
    assert 8 < slots["pain_duration_weeks"] < 9.5


def test_a_request_to_explain_is_explained_and_not_counted():
    slots, messages = answer("saddle_numbness", "what do you mean?")
    assert slots["saddle_numbness"] is None
    assert "saddle" in messages[0]["text"] and "I ask because" in messages[0]["text"]
    assert not slots.get("screening_failed_answers")


def test_not_sure_is_remembered_for_the_outcome():
    slots, _ = answer("fever", "maybe")
    assert slots["fever"] is True and slots["screening_unsure"] == ["fever"]


def test_a_fact_stated_in_passing_fills_its_slot():
    """The layer's entity filled leg_numbness (domain.yml, from_entity): it stays a yes."""
    slots, _ = answer("bladder_bowel_change", "no, but there's tingling down my left leg",
                      extra_slots={"leg_numbness": True})
    assert slots["bladder_bowel_change"] is False and slots["leg_numbness"] is True


def test_a_faq_in_the_middle_is_answered_and_the_question_stays():
    parse = {**LANGUAGE.parse("what does an x-ray show?", "faq"),
             "response_selector": {"faq": {"response": {"intent_response_key": "faq/xray_shows"}}}}
    t = tracker({"fever": "what does an x-ray show?"}, requested="fever", parse=parse, events=[
        {"event": "slot", "name": "fever", "value": "what does an x-ray show?"}])
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateScreeningForm().run(dispatcher, t, DOMAIN))
    assert dispatcher.messages[0]["response"] == "utter_faq/xray_shows"
    assert {e["name"]: e["value"] for e in result if e["event"] == "slot"}["fever"] is None


EARLIER_NO = {slot: False for slot in triage.BOOLEAN_SLOTS} | {"pain_duration_weeks": 1.0}


def test_out_of_range_age_is_explained_and_asked_again():
    slots, messages = answer("age", "400", slots=EARLIER_NO)
    assert slots["age"] is None and slots["requested_slot"] == "age"
    assert "age in years" in messages[0]["text"]


def test_third_unclear_number_leaves_the_question_out():
    failed = {"screening_failed_answers": {"age": 2}}
    slots, messages = answer("age", "dunno", slots=failed)
    assert slots["screening_skipped"] == ["age"]
    assert "move on" in messages[0]["text"]


def test_third_unclear_yes_no_counts_as_not_sure():
    failed = {"screening_failed_answers": {"fever": 2}}
    slots, messages = answer("fever", "purple", slots=failed)
    assert slots["fever"] is True and "fever" in slots["screening_unsure"]
    assert "not sure" in messages[0]["text"]


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
    t = tracker(text="my groin went numb", intent="red_flag")
    events, messages = run_action(ActionEmergencyAdvice(), t)
    assert messages[0]["text"].startswith("Call 112")
    assert "Why: numbness or tingling in the groin" in messages[0]["text"]
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


def test_outcome_lists_every_reason_the_unsure_ones_and_the_safety_net():
    answers = {slot: False for slot in triage.BOOLEAN_SLOTS} | {
        "fever": True, "cancer_history": True, "pain_duration_weeks": 8.0, "age": 40.0,
        "screening_unsure": ["cancer_history"]}
    _, messages = run_action(ActionScreeningOutcome(), tracker(answers))
    lines = messages[0]["text"].splitlines()
    assert lines[0].startswith("Please contact a doctor or urgent care today")
    assert lines[1] == "Why: fever, chills or feeling very unwell."
    assert lines[2] == ("You also mentioned: the pain has lasted 6 weeks or more; you weren't "
                        "sure whether you have had cancer.")
    assert any(line.startswith("Call 911 or go to an emergency department at once if any of")
               for line in lines)
    assert "not a diagnosis" in lines[-1]


def test_someone_elses_emergency_is_addressed_to_the_helper():
    t = tracker(text="my husband says his legs have gone numb and he can't stand",
                intent="red_flag")
    _, messages = run_action(ActionEmergencyAdvice(), t)
    assert messages[0]["text"].startswith("Call 911 for them")


def test_yes_to_is_this_happening_now_gives_the_emergency_advice():
    asked = {"event": "bot", "text": "Is this happening to you now?"}
    events, messages = run_action(ActionAnswerYesNo(), tracker(
        {"asked_signs": ["both_legs"]}, text="yes", intent="affirm", events=[asked]))
    assert messages[0]["custom"]["triage_level"] == "emergency"
    assert "both legs" in messages[0]["text"]
    events, messages = run_action(ActionAnswerYesNo(), tracker(
        {"asked_signs": ["both_legs"]}, text="no", intent="deny", events=[asked]))
    assert not messages[0]["custom"] and "If it does start" in messages[0]["text"]
