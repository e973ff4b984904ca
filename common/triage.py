"""The red-flag decision table from shared/spec/triage.md, as pure functions.

No Rasa imports: this is clinical logic, reviewed and tested on its own. The slot names and
level values are a contract with the rest of the product.
"""
from dataclasses import dataclass
from typing import Callable, Dict, Mapping, Sequence, Tuple

EMERGENCY = "emergency"
URGENT = "urgent"
SOON = "soon"
SELF_CARE = "self_care"
LEVELS = (EMERGENCY, URGENT, SOON, SELF_CARE)

Answers = Mapping[str, object]


def _yes(slot: str) -> Callable[[Answers], bool]:
    return lambda a: a.get(slot) is True


def _at_least(slot: str, limit: float) -> Callable[[Answers], bool]:
    def test(a: Answers) -> bool:
        value = a.get(slot)
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= limit
    return test


# (slot, asked when) in the spec's order; the condition sees the answers given so far.
QUESTIONS: Tuple[Tuple[str, Callable[[Answers], bool]], ...] = (
    ("bladder_bowel_change", lambda a: True),
    ("saddle_numbness", lambda a: True),
    ("leg_weakness", lambda a: True),
    ("leg_numbness", lambda a: True),
    ("both_legs", _yes("leg_numbness")),
    ("recent_injury", lambda a: True),
    ("injury_severe", _yes("recent_injury")),
    ("bone_risk", lambda a: a.get("recent_injury") is True and a.get("injury_severe") is not True),
    ("fever", lambda a: True),
    ("infection_risk", _yes("fever")),
    ("cancer_history", lambda a: True),
    ("weight_loss", lambda a: True),
    ("severe_pain", lambda a: True),
    ("pain_duration_weeks", lambda a: True),
    ("age", lambda a: True),
)
SLOTS = tuple(slot for slot, _ in QUESTIONS)
NUMERIC_SLOTS = ("pain_duration_weeks", "age")
BOOLEAN_SLOTS = tuple(s for s in SLOTS if s not in NUMERIC_SLOTS)
# A yes to a follow-up is also a yes to the question it follows ("numb in both legs").
IMPLIED: Mapping[str, Tuple[str, ...]] = {
    "both_legs": ("leg_numbness",),
    "injury_severe": ("recent_injury",),
}

# What points to care, by reason key: every boolean slot (its yes), and the number rules.
FACTS: Dict[str, Callable[[Answers], bool]] = {
    **{slot: _yes(slot) for slot in BOOLEAN_SLOTS},
    "age_70": _at_least("age", 70),
    "pain_6_weeks": _at_least("pain_duration_weeks", 6),
    "age_50_pain_4_weeks": lambda a: _at_least("age", 50)(a)
    and _at_least("pain_duration_weeks", 4)(a),
}


@dataclass(frozen=True)
class Row:
    level: str
    rule: Callable[[Answers], bool]
    reasons: Tuple[str, ...]  # reason keys (FACTS); those that hold are shown
    imaging: str


ROWS: Tuple[Row, ...] = (
    Row(EMERGENCY, _yes("bladder_bowel_change"), ("bladder_bowel_change",),
        "an urgent MRI (to check for cauda equina syndrome)"),
    Row(EMERGENCY, _yes("saddle_numbness"), ("saddle_numbness",),
        "an urgent MRI (to check for cauda equina syndrome)"),
    Row(EMERGENCY, _yes("leg_weakness"), ("leg_weakness",), "an urgent MRI"),
    Row(EMERGENCY, lambda a: _yes("leg_numbness")(a) and _yes("both_legs")(a), ("both_legs",),
        "an urgent MRI (to check for cauda equina syndrome)"),
    Row(EMERGENCY, lambda a: _yes("recent_injury")(a) and _yes("injury_severe")(a),
        ("injury_severe",), "a CT scan (for injuries)"),
    Row(EMERGENCY, lambda a: _yes("fever")(a) and _yes("infection_risk")(a),
        ("fever", "infection_risk"), "an MRI (to check for a spinal infection)"),
    Row(EMERGENCY, lambda a: _yes("cancer_history")(a) and _yes("leg_numbness")(a),
        ("cancer_history", "leg_numbness"),
        "an MRI within 24 hours (to check for pressure on the spinal cord)"),
    Row(URGENT, _yes("fever"), ("fever",), "an MRI if an infection is suspected"),
    Row(URGENT, _yes("cancer_history"), ("cancer_history",), "an MRI"),
    Row(URGENT, lambda a: _yes("recent_injury")(a) and (_yes("bone_risk")(a)
                                                        or _at_least("age", 70)(a)),
        ("recent_injury", "bone_risk", "age_70"),
        "an X-ray first, then a CT scan if needed (to check for a broken bone)"),
    Row(SOON, _yes("recent_injury"), ("recent_injury",), "an X-ray if a broken bone is suspected"),
    Row(SOON, _yes("weight_loss"), ("weight_loss",), "an X-ray or MRI, depending on the exam"),
    Row(SOON, _yes("leg_numbness"), ("leg_numbness",),
        "an MRI only if it lasts more than about 6 weeks or weakness appears"),
    Row(SOON, _yes("severe_pain"), ("severe_pain",), "it depends on the exam"),
    Row(SOON, FACTS["pain_6_weeks"], ("pain_6_weeks",),
        "an MRI if a treatment such as an injection or surgery is being considered"),
    Row(SOON, FACTS["age_50_pain_4_weeks"], ("age_50_pain_4_weeks",), "an X-ray"),
)
SELF_CARE_IMAGING = ("no scan for now: in the first six weeks without warning signs, imaging "
                     "usually does not help")


@dataclass(frozen=True)
class Outcome:
    """The deciding row's level, reasons and imaging, and every other answer pointing to care."""

    level: str
    reasons: Tuple[str, ...] = ()
    imaging: str = SELF_CARE_IMAGING
    also: Tuple[str, ...] = ()


def with_implied(answers: Answers) -> Dict[str, object]:
    """The answers plus what their yeses imply (IMPLIED)."""
    full = dict(answers)
    for slot, implied in IMPLIED.items():
        if full.get(slot) is True:
            full.update({other: True for other in implied})
    return full


def decide(answers: Answers) -> Outcome:
    """First matching row of the decision table; unanswered questions count as no."""
    matching = [row for row in ROWS if row.rule(answers)]
    shown = [tuple(key for key in row.reasons if FACTS[key](answers)) for row in matching]
    if not matching:
        return Outcome(SELF_CARE)
    first = shown[0]
    also = tuple(dict.fromkeys(key for keys in shown[1:] for key in keys if key not in first))
    return Outcome(matching[0].level, first, matching[0].imaging, also)


# The signs that are an emergency on their own (with what they imply): what a question about a
# sign is about, and what the emergency advice names when someone states one.
SIGNS: Tuple[str, ...] = tuple(
    slot for slot in BOOLEAN_SLOTS if decide(with_implied({slot: True})).level == EMERGENCY)


def questions_to_ask(answers: Answers, skipped: Sequence[str] = ()) -> Tuple[str, ...]:
    """Slots the check needs, in the spec's order: none once an answer made it an emergency."""
    if decide(answers).level == EMERGENCY:
        return ()
    return tuple(slot for slot, asked_when in QUESTIONS
                 if slot not in skipped and asked_when(answers))
