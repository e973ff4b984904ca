"""The decision table of shared/spec/triage.md, row by row, boundary by boundary."""
import pytest

from common.triage import (
    BOOLEAN_SLOTS,
    EMERGENCY,
    LEVELS,
    SELF_CARE,
    SIGNS,
    SLOTS,
    SOON,
    URGENT,
    decide,
    questions_to_ask,
    with_implied,
)

ALL_NO = {slot: False for slot in BOOLEAN_SLOTS} | {"pain_duration_weeks": 1.0, "age": 30.0}


def answers(**changes):
    return ALL_NO | changes


# One case per row of the table, in the table's order: (answers, level, words in the imaging).
ROWS = [
    (answers(bladder_bowel_change=True), EMERGENCY, "urgent MRI"),
    (answers(saddle_numbness=True), EMERGENCY, "urgent MRI"),
    (answers(leg_weakness=True), EMERGENCY, "urgent MRI"),
    (answers(leg_numbness=True, both_legs=True), EMERGENCY, "cauda equina"),
    (answers(recent_injury=True, injury_severe=True), EMERGENCY, "CT"),
    (answers(fever=True, infection_risk=True), EMERGENCY, "infection"),
    (answers(cancer_history=True, leg_numbness=True), EMERGENCY, "within 24 hours"),
    (answers(fever=True), URGENT, "infection"),
    (answers(cancer_history=True), URGENT, "MRI"),
    (answers(recent_injury=True, bone_risk=True), URGENT, "X-ray first"),
    (answers(recent_injury=True, age=70.0), URGENT, "X-ray first"),
    (answers(recent_injury=True), SOON, "X-ray if a broken bone"),
    (answers(weight_loss=True), SOON, "X-ray or MRI"),
    (answers(leg_numbness=True), SOON, "6 weeks"),
    (answers(severe_pain=True), SOON, "depends on the exam"),
    (answers(pain_duration_weeks=6.0), SOON, "injection or surgery"),
    (answers(age=50.0, pain_duration_weeks=4.0), SOON, "X-ray"),
    (ALL_NO, SELF_CARE, "no scan"),
]


@pytest.mark.parametrize("given,level,imaging", ROWS)
def test_every_row_of_the_table(given, level, imaging):
    outcome = decide(given)
    assert outcome.level == level
    assert imaging in outcome.imaging
    assert bool(outcome.reasons) == (level != SELF_CARE)


@pytest.mark.parametrize("age,duration,level", [
    (49.0, 4.0, SELF_CARE), (50.0, 4.0, SOON), (50.0, 3.9, SELF_CARE), (49.9, 5.9, SELF_CARE),
    (30.0, 5.9, SELF_CARE), (30.0, 6.0, SOON), (69.0, 3.9, SELF_CARE), (70.0, 3.9, SELF_CARE),
])
def test_age_and_duration_boundaries(age, duration, level):
    assert decide(answers(age=age, pain_duration_weeks=duration)).level == level


@pytest.mark.parametrize("age,level", [(69.0, SOON), (70.0, URGENT), (71.0, URGENT)])
def test_injury_age_boundary(age, level):
    assert decide(answers(recent_injury=True, injury_severe=False, age=age)).level == level


def test_first_matching_row_wins():
    # emergency rows beat everything below them
    combined = answers(bladder_bowel_change=True, fever=True, cancer_history=True)
    assert decide(combined).level == EMERGENCY
    # fever (urgent) is above cancer (urgent): reasons name fever
    assert decide(answers(fever=True, cancer_history=True)).reasons == ("fever",)
    # urgent injury row beats the soon injury row
    assert decide(answers(recent_injury=True, bone_risk=True, weight_loss=True)).level == URGENT
    # cancer and one-leg numbness is the cord-compression emergency, not "soon"
    assert "24 hours" in decide(answers(cancer_history=True, leg_numbness=True)).imaging


def test_unanswered_questions_count_as_no():
    assert decide({}).level == SELF_CARE
    assert decide({"leg_numbness": True}).level == SOON
    assert decide({"age": 80.0}).level == SELF_CARE
    # text that has not been validated yet is not an answer
    assert decide({"bladder_bowel_change": "yes"}).level == SELF_CARE


def test_not_sure_is_passed_in_as_yes():
    """The normalisers turn "not sure" into True, which must then escalate like a yes."""
    assert decide({"saddle_numbness": True}).level == EMERGENCY


def test_questions_follow_the_spec_order_and_conditions():
    assert questions_to_ask({}) == tuple(s for s in SLOTS if s not in
                                         ("both_legs", "injury_severe", "bone_risk",
                                          "infection_risk"))
    assert "both_legs" in questions_to_ask({"leg_numbness": True})
    assert "injury_severe" in questions_to_ask({"recent_injury": True})
    # bone_risk follows an injury unless it was serious (asked also while that is unanswered)
    assert "bone_risk" in questions_to_ask({"recent_injury": True})
    assert "bone_risk" in questions_to_ask({"recent_injury": True, "injury_severe": False})
    assert "bone_risk" not in questions_to_ask({"recent_injury": False})
    assert "infection_risk" in questions_to_ask({"fever": True})
    assert "infection_risk" not in questions_to_ask({"fever": False})


def test_no_more_questions_once_it_is_an_emergency():
    assert questions_to_ask({"bladder_bowel_change": True}) == ()
    assert questions_to_ask({"leg_numbness": True, "both_legs": True}) == ()
    assert questions_to_ask({"bladder_bowel_change": False, "cancer_history": True,
                             "leg_numbness": True}) == ()


def test_skipped_questions_are_not_asked_again():
    assert "age" not in questions_to_ask({}, skipped=["age"])


def test_every_answer_pointing_to_care_is_a_reason():
    """The deciding row's reasons first, then everything else that points to care."""
    outcome = decide(answers(fever=True, cancer_history=True, severe_pain=True,
                             pain_duration_weeks=8.0, age=72.0))
    assert outcome.level == URGENT
    assert outcome.reasons == ("fever",)
    assert outcome.also == ("cancer_history", "severe_pain", "pain_6_weeks",
                            "age_50_pain_4_weeks")


def test_a_row_names_only_the_reasons_that_hold():
    assert decide(answers(recent_injury=True, age=75.0)).reasons == ("recent_injury", "age_70")
    assert decide(answers(recent_injury=True, bone_risk=True)).reasons == (
        "recent_injury", "bone_risk")


def test_self_care_has_no_reasons():
    assert decide(ALL_NO).reasons == () and decide(ALL_NO).also == ()


def test_a_follow_up_yes_implies_its_question():
    assert with_implied({"both_legs": True}) == {"both_legs": True, "leg_numbness": True}
    assert with_implied({"injury_severe": True})["recent_injury"] is True
    assert with_implied({"both_legs": False}) == {"both_legs": False}


def test_the_signs_that_are_an_emergency_alone():
    assert SIGNS == ("bladder_bowel_change", "saddle_numbness", "leg_weakness", "both_legs",
                     "injury_severe")


def test_levels_are_the_contract_values():
    assert LEVELS == ("emergency", "urgent", "soon", "self_care")
