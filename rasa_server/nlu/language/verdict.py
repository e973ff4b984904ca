"""What a message's facts mean for the conversation, by the decision table.

A message is an emergency when the facts it states for the patient, now, make an emergency row
of common/triage.py (single signs and combined rows alike), or when someone else's facts, now,
do. A question about an emergency sign is a sign question. No Rasa imports.
"""
from dataclasses import dataclass
from typing import Dict, Iterable, Tuple

from common import triage
from common.parse_data import ASKED, SOMEONE_ELSE_NOW
from rasa_server.nlu.language.layer import Fact


@dataclass(frozen=True)
class Verdict:
    emergency: bool
    asked_signs: Tuple[str, ...]  # emergency signs the message asks about
    # the layer's reading explains the whole message and finds no emergency in it: DIET's
    # red_flag, if any, is overruled (a reading of only part of it never overrules DIET)
    explained: bool


def own_answers(facts: Iterable[Fact]) -> Dict[str, object]:
    """The table answers the patient's facts give (yes only: a denial never skips a question)."""
    return triage.with_implied({f.slot: True for f in facts if f.counts})


def verdict(facts: Tuple[Fact, ...], explains_all: bool = False) -> Verdict:
    own = own_answers(facts)
    others = triage.with_implied({
        f.slot: True for f in facts
        if f.experiencer == SOMEONE_ELSE_NOW and f.stated})
    own_emergency = triage.decide(own).level == triage.EMERGENCY
    other_emergency = triage.decide(others).level == triage.EMERGENCY
    signs = [f for f in facts if f.slot in triage.SIGNS]
    asked = tuple(dict.fromkeys(f.slot for f in signs if f.assertion == ASKED))
    return Verdict(
        emergency=own_emergency or other_emergency,
        asked_signs=() if own_emergency or other_emergency else asked,
        explained=explains_all and not any(f.counts for f in signs),
    )
