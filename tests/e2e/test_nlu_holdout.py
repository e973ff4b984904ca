"""Accuracy floors on messages the model never saw in training."""
import pytest

from actions.clinic import ANSWERS
from scripts.holdout import evaluate
from tests.e2e.servers import API_TOKEN


@pytest.fixture(scope="module")
def scores(stack):
    return evaluate(stack.url, API_TOKEN)


def test_holdout_covers_every_topic_five_times(scores):
    import yaml

    from tests import SPEC_DIR
    topics = yaml.safe_load((SPEC_DIR / "faq_topics.yml").read_text())["topics"]
    for topic in topics:
        assert scores["counts"].get(f"faq/{topic['id']}", 0) >= 5, topic["id"]
    assert scores["counts"]["out_of_scope"] >= 20


def test_holdout_covers_every_clinic_question_ten_times(scores):
    for intent in ANSWERS:
        assert scores["counts"].get(intent, 0) >= 10, intent


def test_faq_top1_accuracy_at_least_90_percent(scores):
    assert scores["faq_accuracy"] >= 0.90, scores["misses"]


# 0.90 until the check's own intents (describe_symptoms, ask_about_sign, explain_question) were
# trained: 28 of 32 now (other body parts and report reading taken for FAQs; the four questions
# about booking and insurance became the clinic's held-out examples); see the README.
def test_out_of_scope_recall_at_least_85_percent(scores):
    assert scores["out_of_scope_recall"] >= 0.85, scores["misses"]


def test_red_flag_statements_recognised(scores):
    assert scores["per_label"]["red_flag"] >= 0.95, scores["misses"]


# Measured when the clinic's answers came: 0.80 in all (0.73 to 0.86 by question); most misses
# ask to rephrase (nlu_fallback), and a few scan-named cost questions get the scan's FAQ answer.
def test_clinic_questions_at_least_75_percent(scores):
    assert scores["clinic_accuracy"] >= 0.75, scores["misses"]
    assert min(scores["per_label"][intent] for intent in ANSWERS) >= 0.65, scores["misses"]
