"""The red-flag check: translates between the conversation and the decision table.

The clinical language layer (rasa_server/nlu/language, in the NLU pipeline) has already read each
message; this module takes what it found from the parse data (tracker.latest_message) and never
parses the text again.
"""
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import messages
from actions.reading import Mention, left_to_the_check, mentions, reply_to
from common import triage
from common.parse_data import EXPLAIN, UNCERTAIN, UNSURE, YES

FORM = "screening_form"
SKIPPED = "screening_skipped"
FAILED = "screening_failed_answers"
UNSURE_SLOT = "screening_unsure"
ASKED_SIGNS = "asked_signs"
START_PAYLOAD = "/start_screening"
# Unclear replies after which a question is settled without an answer (asked again this often).
MAX_REASKS = 2
YES_INTENTS = ("affirm", "unsure")
# The actions after which volunteered facts belong to the next check, not the last one.
CHECK_BOUNDARIES = ("action_start_screening", "action_screening_outcome",
                    "action_emergency_advice")


def screening_answers(tracker: Tracker) -> Dict[Text, Any]:
    return triage.with_implied({slot: tracker.get_slot(slot) for slot in triage.SLOTS})


def _latest_mentions(tracker: Tracker) -> List[Mention]:
    return mentions(tracker.latest_message.get("entities") or [])


def volunteered_since_last_check(tracker: Tracker) -> Dict[Text, Any]:
    """Facts the patient stated since the last check started or ended: they are answers."""
    found: Dict[Text, Any] = {}
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") in CHECK_BOUNDARIES:
            break
        if event.get("event") == "user":
            entities = (event.get("parse_data") or {}).get("entities") or []
            found.update({m.slot: True for m in mentions(entities) if m.counts})
    return triage.with_implied(found)


def start_events(tracker: Tracker) -> List[EventType]:
    """Forget the answers of any earlier check, keeping what the patient has said since."""
    kept = volunteered_since_last_check(tracker)
    return [SlotSet(slot, kept.get(slot)) for slot in triage.SLOTS] + [
        SlotSet(slot, None) for slot in ("triage_level", SKIPPED, FAILED, UNSURE_SLOT,
                                         ASKED_SIGNS)]


class ValidateScreeningForm(FormValidationAction):
    """Reads each reply against the question asked; explains the question when asked to; asks
    an unclear reply again twice, then counts a yes/no as not sure and leaves a number out."""

    def name(self) -> Text:
        return "validate_screening_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        return list(triage.questions_to_ask(
            screening_answers(tracker), tracker.get_slot(SKIPPED) or []))

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """One reading for every slot the turn set: the one asked, and facts volunteered."""
        required = await self.required_slots(
            self.domain_slots(domain), dispatcher, tracker, domain)
        updates: Dict[Text, Any] = {}
        to_validate = tracker.slots_to_validate()
        asked = tracker.get_slot("requested_slot")
        if asked and asked not in to_validate and left_to_the_check(
                asked, tracker.latest_message, screening_answers(tracker)):
            to_validate[asked] = None  # a red_flag possible only: its reply is read as well
        for slot, value in to_validate.items():
            if slot in triage.SLOTS and slot in required:
                updates.update(self._validated(slot, value, dispatcher, tracker))
                tracker.slots.update(updates)
        return [SlotSet(slot, value) for slot, value in updates.items()]

    def _validated(self, slot: Text, value: Any, dispatcher: CollectingDispatcher,
                   tracker: Tracker) -> Dict[Text, Any]:
        unsure = list(tracker.get_slot(UNSURE_SLOT) or [])
        if slot != tracker.get_slot("requested_slot"):
            # stated in passing ("... and my leg has gone numb"): a yes from the layer
            uncertain = any(m.slot == slot and m.assertion == UNCERTAIN
                            for m in _latest_mentions(tracker))
            return self._answer(slot, True, unsure + [slot] if uncertain else unsure)
        reply = reply_to(slot, tracker.latest_message)
        texts = messages.screening()
        if reply == EXPLAIN:
            dispatcher.utter_message(text=texts["explain"][slot])
            return {slot: None}
        question = _faq_asked(tracker)
        if reply is None and question:
            dispatcher.utter_message(response=question)  # then the same question again
            return {slot: None}
        failed = dict(tracker.get_slot(FAILED) or {})
        if reply is not None:
            failed.pop(slot, None)
            if reply == UNSURE:
                unsure.append(slot)
            value = reply if slot in triage.NUMERIC_SLOTS else reply in (YES, UNSURE)
            return {**self._answer(slot, value, unsure), FAILED: failed}
        failed[slot] = failed.get(slot, 0) + 1
        if failed[slot] <= MAX_REASKS:
            invalid = texts["invalid"]
            dispatcher.utter_message(text=invalid.get(slot, invalid["yes_no"]))
            return {slot: None, FAILED: failed}
        dispatcher.utter_message(text=texts["settled"][
            "number" if slot in triage.NUMERIC_SLOTS else "yes_no"])
        if slot in triage.NUMERIC_SLOTS:
            return {slot: None, FAILED: failed,
                    SKIPPED: [*(tracker.get_slot(SKIPPED) or []), slot]}
        return {**self._answer(slot, True, unsure + [slot]), FAILED: failed}

    @staticmethod
    def _answer(slot: Text, value: Any, unsure: List[Text]) -> Dict[Text, Any]:
        """The answer, what a yes implies (both legs: a leg), and the not-sure list."""
        implied = triage.with_implied({slot: value}) if value is True else {slot: value}
        return {**implied, UNSURE_SLOT: list(dict.fromkeys(unsure))}


def _faq_asked(tracker: Tracker) -> Optional[Text]:
    """The answer to a FAQ the message asks (its response name), if it is one."""
    message = tracker.latest_message
    if (message.get("intent") or {}).get("name") != "faq":
        return None
    key = (((message.get("response_selector") or {}).get("faq") or {}).get("response")
           or {}).get("intent_response_key")
    return f"utter_{key}" if key else None


class ActionStartScreening(Action):
    def name(self) -> Text:
        return "action_start_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(text=messages.screening()["intro"])
        return start_events(tracker)


class ActionAnswerYesNo(Action):
    """A yes/no outside the check: to "Is this happening to you now?" (yes: the emergency
    advice), or to an offer of the check (yes: it starts)."""

    def name(self) -> Text:
        return "action_answer_yes_no"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        signs = tracker.get_slot(ASKED_SIGNS) or []
        if signs and _last_bot_asked_if_now(tracker):
            if intent in YES_INTENTS:
                outcome = triage.decide(triage.with_implied(
                    {**screening_answers(tracker), **{sign: True for sign in signs}}))
                messages.send_outcome(dispatcher, outcome)
                return [SlotSet(ASKED_SIGNS, None), SlotSet("triage_level", outcome.level)]
            dispatcher.utter_message(text=messages.wording()["not_now"].format(
                emergency_number=messages.emergency_number()))
            return [SlotSet(ASKED_SIGNS, None)]
        offered = _last_bot_buttons(tracker, START_PAYLOAD)
        if offered and intent in YES_INTENTS:
            dispatcher.utter_message(text=messages.screening()["intro"])
            return [*start_events(tracker), FollowupAction(FORM)]
        if offered:
            dispatcher.utter_message(text=messages.wording()["no_check"])
        else:
            dispatcher.utter_message(response="utter_anything_else")
        return []


def _last_bot_event(tracker: Tracker) -> Dict[Text, Any]:
    return next((e for e in reversed(tracker.events) if e.get("event") == "bot"), {})


def _last_bot_buttons(tracker: Tracker, payload: Text) -> bool:
    buttons = (_last_bot_event(tracker).get("data") or {}).get("buttons") or []
    return any(b.get("payload") == payload for b in buttons)


def _last_bot_asked_if_now(tracker: Tracker) -> bool:
    return _last_bot_event(tracker).get("text") == messages.wording()["sign_question"]["ask"]


class ActionAnswerSignQuestion(Action):
    """A question about a sign ("is tingling in both feet serious?"): a short answer, what to
    do if it is happening now, then "Is this happening to you now?"."""

    def name(self) -> Text:
        return "action_answer_sign_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        signs = list(dict.fromkeys(m.slot for m in _latest_mentions(tracker)
                                   if m.assertion == "asked" and m.slot in triage.SIGNS))
        texts = messages.wording()["sign_question"]
        answers = [texts["answers"][sign] for sign in signs] or [texts["answers"]["any"]]
        dispatcher.utter_message(text=" ".join(answers + [texts["if_now"].format(
            emergency_number=messages.emergency_number())]))
        dispatcher.utter_message(text=texts["ask"], buttons=texts["buttons"])
        return [SlotSet(ASKED_SIGNS, signs or list(triage.SIGNS))]


class ActionScreeningOutcome(Action):
    """After the last question, or the answer that made it an emergency."""

    def name(self) -> Text:
        return "action_screening_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        outcome = triage.decide(screening_answers(tracker))
        failed = tracker.get_slot(FAILED) or {}
        unclear = [s for s in triage.BOOLEAN_SLOTS if failed.get(s, 0) > MAX_REASKS]
        messages.send_outcome(
            dispatcher, outcome,
            unsure=[s for s in tracker.get_slot(UNSURE_SLOT) or [] if s not in unclear],
            unclear=unclear, unanswered=tracker.get_slot(SKIPPED) or [])
        return [SlotSet("triage_level", outcome.level)]


class ActionEmergencyAdvice(Action):
    """An emergency stated in free text, at any point of the conversation: the table's row for
    what the message states (with the answers so far), the patient's own or someone else's."""

    def name(self) -> Text:
        return "action_emergency_advice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        found = _latest_mentions(tracker)
        own = triage.decide(triage.with_implied(
            {**screening_answers(tracker), **{m.slot: True for m in found if m.counts}}))
        others = triage.decide(triage.with_implied(
            {m.slot: True for m in found if m.experiencer == "someone_else_now" and m.stated}))
        someone_else = own.level != triage.EMERGENCY and others.level == triage.EMERGENCY
        outcome = others if someone_else else own
        if outcome.level != triage.EMERGENCY:  # DIET's red_flag, with nothing the table names
            outcome = triage.Outcome(triage.EMERGENCY, ("warning_sign",), messages.wording()[
                "outcome"]["unnamed_sign_imaging"])
        messages.send_outcome(dispatcher, outcome, someone_else=someone_else)
        return [SlotSet("triage_level", triage.EMERGENCY)]
