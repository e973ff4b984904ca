"""The action server's wording (actions/wording.yml), rendered with values known at run time."""
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Text, Tuple

import yaml
from rasa_sdk.executor import CollectingDispatcher

from common import clinic
from common.triage import EMERGENCY, SOON, URGENT, Outcome


@lru_cache(maxsize=1)
def wording() -> Dict[Text, Any]:
    return yaml.safe_load((Path(__file__).parent / "wording.yml").read_text(encoding="utf-8"))


def screening() -> Dict[Text, Any]:
    return wording()["screening"]


def emergency_number() -> Text:
    return clinic.current().emergency_number


def disclaimer() -> Text:
    return wording()["disclaimer"].format(emergency_number=emergency_number())


def clause(text: Text) -> Text:
    """A profile's text inside one of our sentences ("Appointments are available {hours}.")."""
    return text.rstrip(" .")


def booking_lines(profile: clinic.Clinic) -> Tuple[Text, Optional[Text]]:
    """How to book (the booking page if there is one, and the phone), and the clinic's hours
    if the profile gives them."""
    texts = wording()["clinic"]["contacts"]
    line = profile.appointments
    how = texts["booking_url" if profile.booking_url else "booking_phone"].format(
        name=profile.name, url=profile.booking_url, phone=line.phone)
    return how, line.hours and texts["booking_hours"].format(hours=clause(line.hours))


def same_day_lines(profile: clinic.Clinic) -> Tuple[Text, Optional[Text]]:
    """How to be seen today, and when same-day appointments are offered if the profile says."""
    texts = wording()["clinic"]["contacts"]
    line = profile.same_day
    return (texts["same_day"].format(name=profile.name, phone=line.phone),
            line.hours and texts["same_day_hours"].format(hours=clause(line.hours)))


def contacts(lines: Sequence[Optional[Text]]) -> Text:
    return " ".join(line for line in lines if line)


def outcome_payload(outcome: Outcome) -> Dict[Text, Any]:
    """Machine-readable part of an outcome, so that channels can style it by level: the
    emergency number, or the phone and booking page the advice gives (the same-day line for
    urgent), in the keys the website widget reads."""
    payload: Dict[Text, Any] = {"triage_level": outcome.level}
    profile = clinic.current()
    if outcome.level == EMERGENCY:
        payload["emergency_number"] = profile.emergency_number
    elif outcome.level == URGENT:
        payload.update(booking_url=None, booking_phone=profile.same_day.phone)
    elif outcome.level == SOON:
        payload.update(booking_url=profile.booking_url, booking_phone=profile.appointments.phone)
    return payload


def _level_contacts(level: Text) -> Text:
    profile = clinic.current()
    if level == URGENT:
        return contacts(same_day_lines(profile))
    if level == SOON:
        return contacts(booking_lines(profile))
    return ""


def _reasons(keys: Sequence[Text], unsure: Sequence[Text]) -> Text:
    """Stated reasons first, then "you weren't sure whether ..." for the not-sure answers."""
    texts = wording()["outcome"]["reasons"]
    stated = [texts[key]["stated"] for key in keys if key not in unsure]
    doubted = [texts[key]["unsure"] for key in keys if key in unsure]
    if doubted:
        stated.append(wording()["outcome"]["not_sure"].format(what=" or ".join(doubted)))
    return "; ".join(stated)


def outcome_text(outcome: Outcome, unsure: Sequence[Text] = (), unclear: Sequence[Text] = (),
                 unanswered: Sequence[Text] = (), someone_else: bool = False) -> Text:
    """Action first; why (the deciding row, then everything else that points to care); the
    imaging; unclear and unanswered questions; the safety net; not-a-diagnosis."""
    texts = wording()["outcome"]
    action = texts["action_for_someone_else" if someone_else else "action"][outcome.level]
    lines = [action.format(emergency_number=emergency_number(),
                           contacts=_level_contacts(outcome.level))]
    if outcome.reasons:
        lines.append(texts["why"].format(reasons=_reasons(outcome.reasons, unsure)))
    if outcome.also:
        lines.append(texts["also"].format(reasons=_reasons(outcome.also, unsure)))
    lines.append(texts["imaging"].format(imaging=outcome.imaging))
    labels = screening()["question_labels"]
    if unclear:
        lines.append(texts["unclear"].format(questions=", ".join(labels[s] for s in unclear)))
    if unanswered:
        lines.append(texts["unanswered"].format(
            questions=", ".join(labels[s] for s in unanswered)))
    if outcome.level != EMERGENCY:
        lines.append(texts["safety_net"].format(emergency_number=emergency_number()))
    lines.append(texts["not_a_diagnosis"])
    return "\n".join(lines)


def send_outcome(dispatcher: CollectingDispatcher, outcome: Outcome, **details: Any) -> None:
    """One message carrying both the full text and the level; then what the user can do next."""
    dispatcher.utter_message(text=outcome_text(outcome, **details),
                             json_message=outcome_payload(outcome))
    if outcome.level != EMERGENCY:
        next_steps = screening()["next_steps"]
        dispatcher.utter_message(text=next_steps["text"], buttons=next_steps["buttons"])
