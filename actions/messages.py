"""The action server's wording (actions/wording.yml), rendered with values known at run time."""
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions import settings
from actions.triage import EMERGENCY, SOON, URGENT, Outcome


@lru_cache(maxsize=1)
def wording() -> Dict[Text, Any]:
    return yaml.safe_load((Path(__file__).parent / "wording.yml").read_text(encoding="utf-8"))


def screening() -> Dict[Text, Any]:
    return wording()["screening"]


def disclaimer() -> Text:
    return wording()["disclaimer"].format(emergency_number=settings.emergency_number())


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
        payload["emergency_number"] = settings.emergency_number()
    elif outcome.level in (URGENT, SOON):
        payload["booking_url"] = settings.booking_url()
        payload["booking_phone"] = settings.booking_phone()
    return payload


def outcome_text(outcome: Outcome, unanswered: Optional[List[Text]] = None) -> Text:
    """Action first, then reasons, imaging, unanswered questions and not-a-diagnosis."""
    texts = wording()["outcome"]
    lines = [
        texts["action"][outcome.level].format(
            emergency_number=settings.emergency_number(), booking=_booking()
        ),
        texts["reasons"].format(reasons="; ".join(outcome.reasons)),
        texts["imaging"].format(imaging=outcome.imaging),
    ]
    if unanswered:
        labels = screening()["question_labels"]
        lines.append(texts["unanswered"].format(
            questions=", ".join(labels[slot] for slot in unanswered)))
    lines.append(texts["not_a_diagnosis"])
    return "\n".join(lines)


def send_outcome(
    dispatcher: CollectingDispatcher, outcome: Outcome, unanswered: Optional[List[Text]] = None
) -> None:
    """One message carrying both the full text and the level; then what the user can do next."""
    dispatcher.utter_message(
        text=outcome_text(outcome, unanswered), json_message=outcome_payload(outcome)
    )
    if outcome.level != EMERGENCY:
        next_steps = screening()["next_steps"]
        dispatcher.utter_message(text=next_steps["text"], buttons=next_steps["buttons"])
