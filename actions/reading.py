"""Reading a reply against the question asked (triage.md, "Reading answers").

The clinical language layer (components/language) has already found the message's table facts,
with what is said of each, and its yes/no/not-sure words; this module only decides what they
answer. Pure functions, no Rasa imports.
"""
from typing import Iterable, NamedTuple, Optional

from actions import triage

YES, NO, UNSURE, EXPLAIN = "yes", "no", "unsure", "explain"


class Mention(NamedTuple):
    slot: str
    assertion: str  # affirmed | uncertain | negated | historical | hypothetical | asked
    experiencer: str  # patient | someone_else | someone_else_now


class Word(NamedTuple):
    kind: str  # yes | no | unsure | explain
    question: Optional[str]  # the one question it answers ("both" to both_legs), or None


def _mentions_of(slot: str, mentions: Iterable[Mention]) -> list:
    """The patient's mentions of the slot, and the yeses of a follow-up that implies it."""
    return [m for m in mentions if m.experiencer == "patient" and (
        m.slot == slot or (slot in triage.IMPLIED.get(m.slot, ())
                           and m.assertion in ("affirmed", "uncertain")))]


def read_yes_no(slot: str, mentions: Iterable[Mention], words: Iterable[Word]) -> Optional[str]:
    """yes, no, unsure, explain (a request to explain the question), or None (unclear).

    A detail answers the question before any yes or no does: the asked fact stated ("no, but
    I slipped off a ladder" is yes; "no temperature, just shivery" is yes: what points to care
    wins), then a request to explain, then words that answer only this question ("both",
    "it gave way"), then the fact denied ("just sore"), then the general yes/no/not-sure words
    (both yes and no: not sure).
    """
    own = {m.assertion for m in _mentions_of(slot, mentions)}
    words = list(words)
    specific = {w.kind for w in words if w.question == slot}
    general = {w.kind for w in words if w.question is None}
    if "affirmed" in own:
        return YES
    if "uncertain" in own:
        return UNSURE
    if EXPLAIN in general:
        return EXPLAIN
    for kinds in (specific, {NO} if own & {"negated", "historical"} else set(), general):
        if UNSURE in kinds or {YES, NO} <= kinds:
            return UNSURE
        if YES in kinds:
            return YES
        if NO in kinds:
            return NO
    return None
