"""Replies read against the question asked (triage.md, "Reading answers"), from what the real
clinical language layer finds in them (tests/conftest.py, `language`)."""
import pytest

from actions.reading import left_to_the_check, reply_to
from common.parse_data import EXPLAIN, NO, UNSURE, YES

YES_REPLIES = ["yes", "Yes!!", "yeah a bit", "I think so", "yep", "sort of", "a little", "kind of",
               "ya", "yess", "yup", "definitely", "I do", "I have", "y", "yea", "yes, I have",
               "I did", "a lot", "kinda", "yes please", "ofc", "sometimes",
               "yes I don't sleep well because of it"]
UNSURE_REPLIES = ["not sure", "maybe", "I don't know", "dunno", "idk", "possibly", "can't tell",
                  "perhaps", "unsure", "I dont know", "i dunno", "no idea", "not really sure",
                  "I'm not sure, maybe", "hard to say", "I can't remember"]
NO_REPLIES = ["no", "nope", "not really", "nah", "never", "none", "not at all",
              "I don't think so", "no I haven't", "n", "nop", "NO.", "nooo", "naw",
              "I have never", "I do not", "I'm fine", "nope, definitely not",
              "not that I know of", "not that I've noticed", "no, not really", "negative",
              "nothing like that"]
EXPLAIN_REPLIES = ["what?", "sorry?", "huh", "why do you ask", "what do you mean?",
                   "I'm not sure what you mean", "I don't understand", "what is saddle numbness?"]


def read(language, slot, text, intent="inform"):
    return reply_to(slot, language.parse(text, intent))


@pytest.mark.parametrize("text,expected", [(t, YES) for t in YES_REPLIES]
                         + [(t, UNSURE) for t in UNSURE_REPLIES] + [(t, NO) for t in NO_REPLIES])
def test_yes_no_and_not_sure(language, text, expected):
    assert read(language, "fever", text) == expected


@pytest.mark.parametrize("text", EXPLAIN_REPLIES)
def test_a_request_to_explain_is_never_not_sure(language, text):
    assert read(language, "saddle_numbness", text) == EXPLAIN


@pytest.mark.parametrize("slot,text,expected", [
    ("recent_injury", "no, but I did slip off a ladder last week", YES),
    ("fever", "no temperature, just shivery and sweaty at night", YES),
    ("both_legs", "just my left side", NO),
    ("both_legs", "only on the right", NO),
    ("both_legs", "both of them", YES),
    ("bladder_bowel_change", "no, I can go to the toilet normally", NO),
    ("leg_weakness", "it gave way once on the stairs", YES),
    ("leg_weakness", "not weak, just sore", NO),
    ("cancer_history", "breast cancer in 2009, all clear since", YES),
    ("weight_loss", "yes but I've been dieting", NO),
    # a denied reason is no reason: the weight went without trying
    ("weight_loss", "lost a few pounds, not that I was trying to", YES),
    ("weight_loss", "I'm 4 kilos lighter than at Christmas", YES),
    # a hedge stands over a detail that denies: not sure counts as yes
    ("infection_risk", "not sure, I had a tooth abscess a while back", UNSURE),
    ("both_legs", "hard to say, the right might be a bit", UNSURE),
    # a hedge in a later clause still hedges, unless it is unsure of something else ("why")
    ("weight_loss", "Haven't weighed myself in ages, so I couldn't say.", UNSURE),
    ("leg_weakness", "No, not sure why it hurts so much though", NO),
    ("fever", "no. not sure what's causing the pain", NO),
    # weight put on is no weight lost, whatever the number
    ("weight_loss", "I have put on 2 kilos if anything", NO),
    # "why do you ...", "is that the same as ..." ask about the question; "I don't know why
    # you ..." does not
    ("recent_injury", "why would you want to know about accidents?", EXPLAIN),
    ("leg_numbness", "is that the same as a trapped nerve?", EXPLAIN),
    ("fever", "no and I don't know why you'd think so", NO),
    # "meaning" asks only as a question ("meaning?")
    ("fever", "no, I snapped at my wife without meaning to", NO),
    ("saddle_numbness", "meaning?", EXPLAIN),
    # "I don't know why" says nothing of the question; "why are you asking me" asks about it
    ("weight_loss", "yes, 5 kilos in two months and I don't know why", YES),
    ("cancer_history", "why are you asking me about cancer?", EXPLAIN),
    ("injury_severe", "what do you class as serious?", EXPLAIN),
    ("recent_injury", "does bending over to pick up a sock count?", EXPLAIN),
    # "down the leg" is where numbness goes, denied by "nothing"
    ("leg_numbness", "just my lower back and a bit in my buttock, nothing goes down the leg", NO),
    # a small fall from standing or a step is no serious accident
    ("injury_severe", "I just tumbled over on the grass", NO),
    ("injury_severe", "fell off a stepladder, only from the second step", NO),
    # lost without meaning to is lost without trying
    ("weight_loss", "Not intentionally, but yes, about half a stone", YES),
    ("weight_loss", "no, not trying to lose any", NO),
    # pain only when moving, easing at rest, is no severe pain
    ("severe_pain", "Only when I bend, it's fine when I'm resting", NO),
    ("severe_pain", "only when I bend, otherwise it's ok", NO),
    ("severe_pain", "yes, it's bad at night", YES),
    # a hedge before a number is unsure of the number, not of the answer
    ("severe_pain", "no, it's bearable, maybe a two", NO),
    ("bone_risk", "only the one steroid injection in my back last month", NO),
    ("leg_numbness", "sorry, I don't get the question", EXPLAIN),
    ("severe_pain", "it's fine lying down, only bad when I bend", NO),
    # a fact inside a request to explain is asked about
    ("fever", "define generally unwell", EXPLAIN),
    ("bladder_bowel_change", "what, like leaking?", EXPLAIN),
    # lifting sacks is an injury; a bump in a car park at walking speed is no serious one;
    # a week of steroid tablets is no long-term steroid use
    ("recent_injury", "no, but I was lifting sacks of compost that day", YES),
    ("injury_severe", "someone reversed into me in a car park at 5 mph", NO),
    ("bone_risk", "two weeks of steroid tablets once, years ago", NO),
    # weight gained, said without a number, is no weight lost
    ("weight_loss", "gained a bit over christmas, if anything", NO),
    # better day by day is no pain getting worse
    ("severe_pain", "it's getting a little better every morning", NO),
    # a part that feels like someone else's is numb
    ("saddle_numbness", "yes, my bum feels like it's not mine", YES),
    # a temperature is its own answer: 38 °C (100.4 °F) or above is a fever
    ("fever", "38.7 last night", YES),
    ("fever", "it was 101.5F this morning", YES),
    ("fever", "36.8", NO),
    ("fever", "I took it, 37.2", NO),
    # a word for the follow-up says where the fact is, so it is there
    ("leg_numbness", "just the left one, down to my ankle", YES),
    ("leg_numbness", "no", NO),
    # a mild mechanism, said as all there was, is no serious accident
    ("injury_severe", "it was only lifting a suitcase", NO),
    ("recent_injury", "I went flying on the ice on Sunday", YES),
    ("recent_injury", "well, I was hauling bags of sand all weekend", YES),
    # a hedge before a number hedges the number, not what was said before it
    ("severe_pain", "it's bearable, maybe a four", NO),
])
def test_a_detail_answers_the_question(language, slot, text, expected):
    assert read(language, slot, text) == expected


def test_the_first_clause_answers_later_ones_tell_a_detail(language):
    assert read(language, "bladder_bowel_change", "no, but I've got a fever") == NO


@pytest.mark.parametrize("text", ["purple", "how long does an mri take", ""])
def test_unclear(language, text):
    assert read(language, "fever", text) is None


def test_buttons_answer_by_their_intent(language):
    assert read(language, "fever", "/unsure", "unsure") == UNSURE
    assert read(language, "fever", "/deny", "deny") == NO


def test_numbers_for_the_number_questions(language):
    assert read(language, "age", "sixty-two") == 62
    assert read(language, "pain_duration_weeks", "about two months") == pytest.approx(8.7, 0.01)
    assert read(language, "age", "why do you need my age?") == EXPLAIN
    assert read(language, "age", "no idea") is None


@pytest.mark.parametrize("slot,text,expected", [
    ("recent_injury", "yeah I came off my horse", YES),  # an injury, surely
    ("recent_injury", "I fell down the stairs last week", YES),
    ("injury_severe", "kind of, I came off a horse", UNSURE),  # serious or not: not sure
])
def test_a_possible_fact_answers_its_own_question_as_not_sure(language, slot, text, expected):
    assert read(language, slot, text) == expected


@pytest.mark.parametrize("slot,text,answers,goes_on", [
    # the check asks next whether it was serious
    ("recent_injury", "yeah I came off my motorbike", {}, True),
    ("fever", "no fever, but I fell down the stairs yesterday", {"recent_injury": False}, True),
    # its question was answered already: the patient said it was not serious
    ("fever", "no, but I fell down the stairs yesterday", {"injury_severe": False}, True),
    # the reply surely states an emergency, or the answers so far with it do
    ("fever", "yes, and I fell down the stairs yesterday", {"infection_risk": True}, False),
    ("recent_injury", "I came off my motorbike on the motorway at speed", {}, False),
    ("recent_injury", "I fell down the stairs and now I can't feel my bum", {}, False),
    # not possible at all
    ("leg_numbness", "yes, in both legs", {}, False),
    # the classifiers alone: a yes the table takes, unless it makes an emergency
    ("recent_injury", "I twisted awkwardly getting out of the car", {}, True),
    ("pain_duration_weeks", "since yesterday morning", {}, True),
    ("leg_weakness", "yes, my left leg", {}, False),
    ("infection_risk", "yes I had an operation last week", {"fever": True}, False),
    # ... and a no or an unclear reply still gets the emergency advice
    ("leg_weakness", "no, they just ache", {}, False),
    ("saddle_numbness", "hmm", {}, False),
])
def test_a_possible_emergency_waits_for_its_question(language, slot, text, answers, goes_on):
    parse = language.parse(text, "red_flag")
    assert left_to_the_check(slot, parse, answers) is goes_on
