"""The red-flag decision table from shared/spec/triage.md, as pure functions.

No Rasa imports: this is clinical logic, reviewed and tested on its own. The slot names and
level values are a contract with the rest of the product.
"""
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Sequence, Tuple

EMERGENCY = "emergency"
URGENT = "urgent"
SOON = "soon"
SELF_CARE = "self_care"
LEVELS = (EMERGENCY, URGENT, SOON, SELF_CARE)

# (slot, asked when) in the spec's order; the condition sees the answers given so far.
Answers = Mapping[str, object]
QUESTIONS: Tuple[Tuple[str, Callable[[Answers], bool]], ...] = (
    ("bladder_bowel_change", lambda a: True),
    ("saddle_numbness", lambda a: True),
    ("leg_weakness", lambda a: True),
    ("leg_numbness", lambda a: True),
    ("both_legs", lambda a: a.get("leg_numbness") is True),
    ("recent_injury", lambda a: True),
    ("injury_severe", lambda a: a.get("recent_injury") is True),
    (
        "bone_risk",
        lambda a: a.get("recent_injury") is True and a.get("injury_severe") is False,
    ),
    ("fever", lambda a: True),
    ("infection_risk", lambda a: a.get("fever") is True),
    ("cancer_history", lambda a: True),
    ("weight_loss", lambda a: True),
    ("severe_pain", lambda a: True),
    ("pain_duration_weeks", lambda a: True),
    ("age", lambda a: True),
)
SLOTS = tuple(slot for slot, _ in QUESTIONS)
NUMERIC_SLOTS = ("pain_duration_weeks", "age")
BOOLEAN_SLOTS = tuple(s for s in SLOTS if s not in NUMERIC_SLOTS)


@dataclass(frozen=True)
class Outcome:
    level: str
    reasons: List[str] = field(default_factory=list)
    imaging: str = ""


def _yes(a: Answers, slot: str) -> bool:
    return a.get(slot) is True


def _at_least(a: Answers, slot: str, limit: float) -> bool:
    value = a.get(slot)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= limit


# (level, rule, reasons shown to the user, imaging a clinician may consider); first match wins.
Rule = Tuple[str, Callable[[Answers], bool], Tuple[str, ...], str]
RULES: Tuple[Rule, ...] = (
    (EMERGENCY, lambda a: _yes(a, "bladder_bowel_change"),
     ("new trouble controlling or feeling your bladder or bowels",),
     "an urgent MRI (to check for cauda equina syndrome)"),
    (EMERGENCY, lambda a: _yes(a, "saddle_numbness"),
     ("numbness or tingling in the groin, genitals, buttocks or inner thighs",),
     "an urgent MRI (to check for cauda equina syndrome)"),
    (EMERGENCY, lambda a: _yes(a, "leg_weakness"),
     ("new or worsening weakness in a leg or foot",),
     "an urgent MRI"),
    (EMERGENCY, lambda a: _yes(a, "leg_numbness") and _yes(a, "both_legs"),
     ("numbness, tingling or shooting pain in both legs",),
     "an urgent MRI (to check for cauda equina syndrome)"),
    (EMERGENCY, lambda a: _yes(a, "recent_injury") and _yes(a, "injury_severe"),
     ("the pain started after a serious accident",),
     "a CT scan (for injuries)"),
    (EMERGENCY, lambda a: _yes(a, "fever") and _yes(a, "infection_risk"),
     ("fever or feeling very unwell", "a higher risk of infection"),
     "an MRI (to check for a spinal infection)"),
    (EMERGENCY, lambda a: _yes(a, "cancer_history") and _yes(a, "leg_numbness"),
     ("a history of cancer", "numbness, tingling or shooting pain down a leg"),
     "an MRI within 24 hours (to check for pressure on the spinal cord)"),
    (URGENT, lambda a: _yes(a, "fever"),
     ("fever, chills or feeling very unwell",),
     "an MRI if an infection is suspected"),
    (URGENT, lambda a: _yes(a, "cancer_history"),
     ("a history of cancer",),
     "an MRI"),
    (URGENT, lambda a: _yes(a, "recent_injury")
     and (_yes(a, "bone_risk") or _at_least(a, "age", 70)),
     ("the pain started after an injury", "a higher risk of broken bones (thin bones, steroid "
      "medicines or age 70 or over)"),
     "an X-ray first, then a CT scan if needed (to check for a broken bone)"),
    (SOON, lambda a: _yes(a, "recent_injury"),
     ("the pain started after an injury",),
     "an X-ray if a broken bone is suspected"),
    (SOON, lambda a: _yes(a, "weight_loss"),
     ("weight loss without trying",),
     "an X-ray or MRI, depending on the exam"),
    (SOON, lambda a: _yes(a, "leg_numbness"),
     ("numbness, tingling or shooting pain down a leg",),
     "an MRI only if it lasts more than about 6 weeks or weakness appears"),
    (SOON, lambda a: _yes(a, "severe_pain"),
     ("severe or worsening pain, or pain at night or at rest",),
     "it depends on the exam"),
    (SOON, lambda a: _at_least(a, "pain_duration_weeks", 6),
     ("the pain has lasted 6 weeks or more",),
     "an MRI if a treatment such as an injection or surgery is being considered"),
    (SOON, lambda a: _at_least(a, "age", 50) and _at_least(a, "pain_duration_weeks", 4),
     ("age 50 or over with pain for 4 weeks or more",),
     "an X-ray"),
)
SELF_CARE_OUTCOME = Outcome(
    SELF_CARE,
    ["none of the warning signs in this check"],
    "no scan for now: in the first six weeks without warning signs, imaging usually does not help",
)


def decide(answers: Answers) -> Outcome:
    """First matching row of the decision table; unanswered questions count as no."""
    for level, rule, reasons, imaging in RULES:
        if rule(answers):
            return Outcome(level, list(reasons), imaging)
    return SELF_CARE_OUTCOME


def questions_to_ask(answers: Answers, skipped: Sequence[str] = ()) -> List[str]:
    """Slots the check needs, in the spec's order: none once an answer made it an emergency."""
    if decide(answers).level == EMERGENCY:
        return []
    return [slot for slot, asked_when in QUESTIONS if slot not in skipped and asked_when(answers)]


def emergency_from_signs(signs: List[str]) -> Outcome:
    """Outcome for emergency signs volunteered in free text (slot names from the table)."""
    answers: Dict[str, object] = {sign: True for sign in signs}
    if "both_legs" in answers:
        answers["leg_numbness"] = True
    if "injury_severe" in answers:
        answers["recent_injury"] = True
    outcome = decide(answers)
    if outcome.level == EMERGENCY:
        return outcome
    return Outcome(EMERGENCY, ["you described a warning sign that needs checking now"],
                   "an urgent scan, usually an MRI, if the emergency team thinks it is needed")
