"""The red-flag check: translates between the conversation and the decision table."""
from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers, messages, triage

FORM = "screening_form"
SKIPPED = "screening_skipped"
FAILED = "screening_failed_answers"
START_PAYLOAD = "/start_screening"
# Unclear replies after which a question is left unanswered (it was asked again this often).
MAX_REASKS = 2
YES_INTENTS = ("affirm", "unsure")


def screening_answers(tracker: Tracker) -> Dict[Text, Any]:
    return {slot: tracker.get_slot(slot) for slot in triage.SLOTS}


def _entity_texts(tracker: Tracker, labels: tuple) -> List[Text]:
    text = tracker.latest_message.get("text") or ""
    return [
        text[e["start"]:e["end"]] if "start" in e and "end" in e else str(e.get("value"))
        for e in tracker.latest_message.get("entities", [])
        if e.get("entity") in labels
    ]


def _parse_yes_no(value: Any, tracker: Tracker) -> Optional[bool]:
    """A button's payload names the intent; typed text is parsed by rule, never by the
    classifier's guess (it would turn gibberish into a confident yes or no)."""
    text = str(value).strip()
    if text.startswith("/"):
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return True if intent in YES_INTENTS else False if intent == "deny" else None
    return answers.parse_yes_no(text)


def _parse_duration(value: Any, tracker: Tracker) -> Optional[float]:
    return answers.parse_duration_weeks(str(value), _entity_texts(tracker, ("DATE", "CARDINAL")))


def _parse_age(value: Any, tracker: Tracker) -> Optional[float]:
    return answers.parse_age(str(value), _entity_texts(tracker, ("CARDINAL", "DATE")))


def start_events() -> List[EventType]:
    """Forget the answers of any earlier check, so that a new one starts clean."""
    return [
        SlotSet(slot, None)
        for slot in (*triage.SLOTS, "triage_level", SKIPPED, FAILED)
    ]


class ValidateScreeningForm(FormValidationAction):
    """Turns free-text replies into answers; explains and re-asks unclear ones, then moves on."""

    def name(self) -> Text:
        return "validate_screening_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        return triage.questions_to_ask(
            screening_answers(tracker), tracker.get_slot(SKIPPED) or []
        )

    def _validated(
        self,
        slot: Text,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> Dict[Text, Any]:
        parse = ANSWER_PARSERS[slot]
        failed = dict(tracker.get_slot(FAILED) or {})
        parsed = parse(value, tracker)
        if parsed is not None:
            failed.pop(slot, None)
            return {slot: parsed, FAILED: failed}
        failed[slot] = failed.get(slot, 0) + 1
        if failed[slot] > MAX_REASKS:
            dispatcher.utter_message(text=messages.screening()["skipped"])
            skipped = [*(tracker.get_slot(SKIPPED) or []), slot]
            return {slot: None, FAILED: failed, SKIPPED: skipped}
        invalid = messages.screening()["invalid"]
        dispatcher.utter_message(text=invalid.get(slot, invalid["yes_no"]))
        return {slot: None, FAILED: failed}


ANSWER_PARSERS: Dict[Text, Callable[[Any, Tracker], Any]] = {
    **{slot: _parse_yes_no for slot in triage.BOOLEAN_SLOTS},
    "pain_duration_weeks": _parse_duration,
    "age": _parse_age,
}


def _slot_validator(slot: Text) -> Callable:
    def validate(self, value, dispatcher, tracker, domain):  # noqa: ANN001
        return self._validated(slot, value, dispatcher, tracker)

    validate.__name__ = f"validate_{slot}"
    return validate


# rasa_sdk looks up one `validate_<slot>` method per slot; all share `_validated`.
for _slot in triage.SLOTS:
    setattr(ValidateScreeningForm, f"validate_{_slot}", _slot_validator(_slot))


class ActionAskScreeningQuestion(Action, ABC):
    """Asks one question of the check; one subclass per slot, since Rasa asks `action_ask_<slot>`."""

    @property
    @abstractmethod
    def slot(self) -> Text:
        """The question's slot."""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        texts = messages.screening()
        buttons = texts["answer_buttons"] if self.slot in triage.BOOLEAN_SLOTS else []
        dispatcher.utter_message(text=texts["questions"][self.slot], buttons=buttons)
        return []


# Kept in a dict: rasa_sdk finds actions through Action.__subclasses__(), which holds weak refs.
ASK_ACTIONS = {
    slot: type(f"ActionAsk_{slot}", (ActionAskScreeningQuestion,), {"slot": slot})
    for slot in triage.SLOTS
}


class ActionStartScreening(Action):
    def name(self) -> Text:
        return "action_start_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(text=messages.screening()["intro"])
        return start_events()


class ActionAnswerYesNo(Action):
    """A yes/no outside the check: starts the check if the last bot message offered it."""

    def name(self) -> Text:
        return "action_answer_yes_no"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        offered = _last_bot_message_offered_check(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if offered and intent in YES_INTENTS:
            dispatcher.utter_message(text=messages.screening()["intro"])
            return [*start_events(), FollowupAction(FORM)]
        if offered:
            dispatcher.utter_message(text=messages.wording()["no_check"])
        else:
            dispatcher.utter_message(response="utter_anything_else")
        return []


def _last_bot_message_offered_check(tracker: Tracker) -> bool:
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            buttons = (event.get("data") or {}).get("buttons") or []
            return any(b.get("payload") == START_PAYLOAD for b in buttons)
    return False


class ActionScreeningOutcome(Action):
    """After the last question, or the answer that made it an emergency."""

    def name(self) -> Text:
        return "action_screening_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        outcome = triage.decide(screening_answers(tracker))
        messages.send_outcome(dispatcher, outcome, tracker.get_slot(SKIPPED) or [])
        return [SlotSet("triage_level", outcome.level)]


class ActionEmergencyAdvice(Action):
    """An emergency sign stated in free text, at any point of the conversation."""

    def name(self) -> Text:
        return "action_emergency_advice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        signs = sorted({
            e.get("value")
            for e in tracker.latest_message.get("entities", [])
            if e.get("entity") == "red_flag_sign" and e.get("value") in triage.SLOTS
        })
        outcome = triage.emergency_from_signs(signs)
        messages.send_outcome(dispatcher, outcome)
        return [SlotSet("triage_level", triage.EMERGENCY)]
