"""The action server's wording (actions/wording.yml), rendered with values known at run time."""
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Sequence, Text

import yaml
from rasa_sdk.executor import CollectingDispatcher

from common import settings
from common.triage import EMERGENCY, SOON, URGENT, Outcome


@lru_cache(maxsize=1)
def wording() -> Dict[Text, Any]:
    return yaml.safe_load((Path(__file__).parent / "wording.yml").read_text(encoding="utf-8"))


def screening() -> Dict[Text, Any]:
    return wording()["screening"]


def emergency_number() -> Text:
    return settings.emergency_number()


def disclaimer() -> Text:
    return wording()["disclaimer"].format(emergency_number=emergency_number())


def _booking() -> Text:
    url, phone = settings.booking_url(), settings.booking_phone()
    texts = wording()["outcome"]["booking"]
    if url and phone:
        return texts["url_and_phone"].format(url=url, phone=phone)
    if url:
        return texts["url"].format(url=url)
    if phone:
        return texts["phone"].format(phone=phone)
    return ""


def outcome_payload(outcome: Outcome) -> Dict[Text, Any]:
    """Machine-readable part of an outcome, so that channels can style it by level."""
    payload: Dict[Text, Any] = {"triage_level": outcome.level}
    if outcome.level == EMERGENCY:
        payload["emergency_number"] = emergency_number()
    elif outcome.level in (URGENT, SOON):
        payload["booking_url"] = settings.booking_url()
        payload["booking_phone"] = settings.booking_phone()
    return payload


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
    lines = [action.format(emergency_number=emergency_number(), booking=_booking())]
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
