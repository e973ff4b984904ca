"""Answers about the clinic: cost, insurance, referral, hours, location, booking, a person.

Each is filled from the clinic's profile (clinic.yml, common/clinic.py) with the wording of
actions/wording.yml. What the profile leaves out, the assistant says it does not know and gives
the clinic's phone: it never guesses a price or a policy.
"""
from functools import partial
from typing import Any, Callable, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import messages
from common import clinic

# The questions answered with the profile's own text, by intent: the profile key.
ABOUT = {"ask_cost": "costs", "ask_insurance": "insurance", "ask_referral": "referral",
         "ask_location": "address"}


def _texts() -> Dict[Text, Any]:
    return messages.wording()["clinic"]


def sentence(text: Text) -> Text:
    return text if text.endswith((".", "!", "?")) else text + "."


def dont_know(topic: Text, profile: clinic.Clinic) -> Text:
    texts = _texts()
    return texts["dont_know"].format(what=texts["unknown"][topic], name=profile.name,
                                     phone=profile.appointments.phone)


def about(key: Text, profile: clinic.Clinic) -> Text:
    """The profile's text for `key`, as written, or "I don't know" and the phone."""
    value = getattr(profile, key)
    if value is None:
        return dont_know(key, profile)
    return _texts()["about"][key].format(name=profile.name, value=sentence(value))


def hours(profile: clinic.Clinic) -> Text:
    """The hours the profile gives, then how to book and how to be seen today."""
    (book, book_hours), (today, today_hours) = (messages.booking_lines(profile),
                                                messages.same_day_lines(profile))
    if not (book_hours or today_hours):
        return dont_know("hours", profile)
    return messages.contacts((book_hours, today_hours, book, today))


def booking(profile: clinic.Clinic) -> Text:
    return " ".join([_texts()["not_booking"], messages.contacts(messages.booking_lines(profile))])


def talk_to_person(profile: clinic.Clinic) -> Text:
    """Always the phone; then what to ask for, if the profile says."""
    text = _texts()["talk_to_person"].format(name=profile.name, phone=profile.appointments.phone)
    return f"{text} {sentence(profile.talk_to_person)}" if profile.talk_to_person else text


ANSWERS: Dict[Text, Callable[[clinic.Clinic], Text]] = {
    **{intent: partial(about, key) for intent, key in ABOUT.items()},
    "ask_hours": hours,
    "ask_booking": booking,
    "talk_to_person": talk_to_person,
}


def answer(intent: Text, profile: clinic.Clinic) -> Text:
    return ANSWERS[intent](profile)


class ActionClinicAnswer(Action):
    """The answer to the clinic question the latest message asks (its intent)."""

    def name(self) -> Text:
        return "action_clinic_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(text=answer(intent, clinic.current()))
        return []
