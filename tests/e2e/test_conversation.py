"""Conversations through the real Rasa server and action server over the REST channel."""
from pathlib import Path

import pytest
import yaml

from tests import SPEC_DIR
from tests.e2e.servers import Chat

ROOT = Path(__file__).resolve().parents[2]
TOPICS = yaml.safe_load((SPEC_DIR / "faq_topics.yml").read_text())["topics"]
ANSWERS = yaml.safe_load((ROOT / "data/responses/faq.yml").read_text())["responses"]


def answer_text(topic_id: str) -> str:
    return ANSWERS[f"utter_faq/{topic_id}"][0]["text"]


def test_first_message_carries_the_disclaimer(chat):
    replies = chat.say("hello")
    assert "not a diagnosis" in replies[0]["text"]
    assert "911" in replies[0]["text"]
    assert len(replies) >= 2, "the greeting follows the disclaimer"


def test_all_topics_answered_in_one_conversation(stack):
    chat = Chat(stack)
    chat.say("hi")
    wrong = []
    for topic in TOPICS:
        replies = chat.say(topic["question"])
        texts = [r.get("text") for r in replies]
        if answer_text(topic["id"]) not in texts:
            wrong.append((topic["id"], texts))
    assert not wrong


@pytest.mark.parametrize("topic_id", [t["id"] for t in TOPICS if t.get("offer_screening")])
def test_screening_topics_offer_the_check(stack, topic_id):
    chat = Chat(stack)
    question = next(t["question"] for t in TOPICS if t["id"] == topic_id)
    replies = chat.say(question)
    offer = next(r for r in replies if r.get("text") == answer_text(topic_id))
    assert "/start_screening" in [b["payload"] for b in offer.get("buttons", [])]


@pytest.mark.parametrize("message,expected", [
    ("are you a real doctor?", "not a doctor"),
    ("what can I ask you?", "You can ask me"),
    ("what's the weather like in paris tomorrow", "can't help with that"),
    ("thank you so much", "You're welcome"),
    ("bye for now", "Take care"),
])
def test_small_talk(chat, message, expected):
    assert expected in chat.texts(message)


def test_help_offers_example_buttons(chat):
    replies = chat.say("what can you do?")
    assert any(r.get("buttons") for r in replies)


def test_unclear_message_asks_to_rephrase_and_never_guesses(chat):
    text = chat.texts("blorp fizzle wug")
    assert "another way" in text or "can't help" in text
    assert not any(text.endswith(a[0]["text"]) for a in ANSWERS.values())
