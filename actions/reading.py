"""Reading a reply against the question asked (triage.md, "Reading answers").

The clinical language layer (rasa_server/nlu/language) has already found the message's table facts,
with what is said of each, and its yes/no/not-sure words; this module only decides what they
answer. Pure functions, no Rasa imports.
"""
from typing import Any, Dict, Iterable, List, NamedTuple, Optional

from common import triage
from common.parse_data import (
    AFFIRMED,
    EXPLAIN,
    HISTORICAL,
    NEGATED,
    NO,
    NUMBER_ANSWER,
    PATIENT,
    POSSIBLE,
    REPLY,
    SOMEONE_ELSE_NOW,
    STATED,
    UNCERTAIN,
    UNSURE,
    YES,
)

# A button's payload names its intent: the answer it stands for.
BUTTON_ANSWERS = {"affirm": YES, "deny": NO, "unsure": UNSURE}
EXPLAIN_INTENT = "explain_question"


class Mention(NamedTuple):
    slot: str
    assertion: str  # affirmed | uncertain | possible | negated | historical | hypothetical | asked
    experiencer: str  # patient | someone_else | someone_else_now

    @property
    def stated(self) -> bool:
        """Said as so (or possibly so, which counts as yes), whoever it is about."""
        return self.assertion in STATED

    @property
    def counts(self) -> bool:
        """A yes for the patient, now."""
        return self.experiencer == PATIENT and self.stated


class Word(NamedTuple):
    kind: str  # yes | no | unsure | explain
    question: Optional[str]  # the one question it answers ("both" to both_legs), or None


def _mentions_of(slot: str, mentions: Iterable[Mention]) -> list:
    """The patient's mentions of the slot, and the yeses of a follow-up that implies it (a
    possible one surely: "came off my horse" is an injury, serious or not)."""
    own = [m for m in mentions if m.experiencer == PATIENT and m.slot == slot]
    return own + [m._replace(slot=slot, assertion=AFFIRMED if m.assertion == POSSIBLE
                             else m.assertion)
                  for m in mentions if m.experiencer == PATIENT and m.stated
                  and slot in triage.IMPLIED.get(m.slot, ())]


def read_yes_no(slot: str, mentions: Iterable[Mention], words: Iterable[Word]) -> Optional[str]:
    """yes, no, unsure, explain (a request to explain the question), or None (unclear).

    A detail answers the question before any yes or no does: the asked fact stated ("no, but
    I slipped off a ladder" is yes; "no temperature, just shivery" is yes: what points to care
    wins), then a request to explain, then a hedge ("not sure"; in a later clause only when it
    is not unsure of something else, "not sure why"), then words that answer only this question
    ("both", "it gave way"; both yes and no: not sure), then the fact denied ("just sore"), then
    words that answer a follow-up of this question (they say where or how the fact is: "only
    the right"), then the first general word of the first clause.
    """
    own = {m.assertion for m in _mentions_of(slot, mentions)}
    words = list(words)
    specific = {w.kind for w in words if w.question == slot}
    general = [w.kind for w in words if w.question is None]
    if AFFIRMED in own:
        return YES
    if own & {UNCERTAIN, POSSIBLE}:
        return UNSURE
    if EXPLAIN in general:
        return EXPLAIN
    if UNSURE in general:  # a hedge stands over a detail that denies ("not sure, I had an
        return UNSURE  # abscess a while back"): not sure counts as yes
    # a word for a follow-up of this question ("only the right" to "numbness down a leg?")
    # says where the fact is, so it is there
    follow_up = {YES for w in words if slot in triage.IMPLIED.get(w.question, ())}
    for kinds in (specific, {NO} if own & {NEGATED, HISTORICAL} else set(), follow_up):
        if UNSURE in kinds or {YES, NO} <= kinds:
            return UNSURE
        if kinds:
            return next(iter(kinds))
    return general[0] if general else None  # the first word settles: "yes I don't sleep"


def mentions(entities: Iterable[Dict[str, Any]]) -> List[Mention]:
    """The table facts the layer found in a message (an entity named after each slot)."""
    return [Mention(e["entity"], e.get("role", ""), e.get("group", ""))
            for e in entities if e.get("entity") in triage.BOOLEAN_SLOTS]


def reply_to(slot: str, parse: Dict[str, Any]) -> Optional[Any]:
    """What a message's parse data answers to the question of `slot`: yes, no, unsure or
    explain for a yes/no question, a number or explain for the other two, None when unclear."""
    intent = (parse.get("intent") or {}).get("name")
    if (parse.get("text") or "").startswith("/"):
        return BUTTON_ANSWERS.get(intent)
    entities = parse.get("entities") or []
    words = [Word(e["value"], e.get("role")) for e in entities if e.get("entity") == REPLY]
    if slot in triage.NUMERIC_SLOTS:
        numbers = [e["value"] for e in entities
                   if e.get("entity") == NUMBER_ANSWER and e.get("role") == slot]
        if numbers:
            return numbers[0]
        asks = intent == EXPLAIN_INTENT or any(w.kind == EXPLAIN for w in words)
        return EXPLAIN if asks else None
    reply = read_yes_no(slot, mentions(entities), words)
    return EXPLAIN if reply is None and intent == EXPLAIN_INTENT else reply


def left_to_the_check(question: str, parse: Dict[str, Any],
                      answers: Optional[Dict[str, Any]] = None) -> bool:
    """Whether a reply to `question` given the emergency intent leaves the check going on,
    its reply read as the answer:
    - where the layer calls it an emergency only through possible facts ("yes, I came off my
      horse": serious or not?): the reply and what it surely states (an injury, for a
      possible serious one), with the answers so far, make no emergency. The check then asks
      the possible facts' own questions, unless the patient answered them already;
    - where the classifiers alone gave it (the layer's facts, the patient's with the answers
      so far or someone else's now, make no emergency) and the reply answers its question
      yes, not sure or with a number ("I twisted awkwardly getting out of the car" to the
      injury question), and that answer (and the yes it gives other questions: "yes, in both
      legs") makes no emergency either: the check takes the answer. A no or an unclear reply
      still gets the emergency advice: the classifiers may have read a sign the layer
      missed."""
    entities = parse.get("entities") or []
    everyone = mentions(entities)
    found = [m for m in everyone if m.counts]
    reply = reply_to(question, parse)
    if reply in (YES, UNSURE) or question in triage.NUMERIC_SLOTS and isinstance(
            reply, (int, float)):
        # with that answer, and the yes the reply gives to other questions ("both legs")
        said = {question: True} if reply in (YES, UNSURE) else {}
        said.update({e["role"]: True for e in entities if e.get("entity") == REPLY
                     and e.get("value") == YES and e.get("role") in triage.BOOLEAN_SLOTS})
        if _classifiers_alone({**(answers or {}), **{m.slot: True for m in found}, **said},
                              everyone):
            return True
    possible = {m.slot for m in found if m.assertion == POSSIBLE}
    given = dict(answers or {})
    given.update({m.slot: True for m in found if m.assertion != POSSIBLE})
    given.update({implied: True for slot in possible for implied in triage.IMPLIED.get(slot, ())})
    if question in triage.BOOLEAN_SLOTS and reply in (YES, UNSURE):
        given[question] = True
    return bool(possible) and triage.decide(triage.with_implied(given)).level != triage.EMERGENCY


def _classifiers_alone(own: Dict[str, Any], everyone: List[Mention]) -> bool:
    """Whether the layer's facts make no emergency: the patient's (`own`, with the answers so
    far) nor someone else's now."""
    others = {m.slot: True for m in everyone if m.experiencer == SOMEONE_ELSE_NOW and m.stated}
    return all(triage.decide(triage.with_implied(facts)).level != triage.EMERGENCY
               for facts in (own, others))
