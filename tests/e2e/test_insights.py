"""The clinic's insights through the real servers: conversations over REST reach the analytics
store through Rasa's event broker, and /api/summary counts exactly them; "delete my
conversation" removes a conversation from the analytics store too."""
import datetime
import uuid

import pytest
import requests

from tests.e2e.servers import API_TOKEN, Chat, analytics_senders, free_port, make_stack

TOKEN = "insights-" + uuid.uuid4().hex
# The check through to its outcome with no warning sign (vignettes.yml, row 17): self-care.
NO_SIGNS = ["check my symptoms", *["no"] * 9, "3 days", "30"]
EMERGENCY = "I can't control my bladder since yesterday and my back hurts"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Servers of their own, so that the store holds only this module's conversations."""
    stack = make_stack(tmp_path_factory.mktemp("insights"), INSIGHTS_TOKEN=TOKEN,
                       RASA_API_TOKEN=API_TOKEN)
    stack.start()
    stack.start_insights(free_port())
    yield stack
    stack.stop()


def summary(stack, **params):
    today = datetime.date.today()
    window = {"from": str(today - datetime.timedelta(days=1)),
              "to": str(today + datetime.timedelta(days=1))}  # whatever the clinic's time zone
    response = requests.get(f"http://127.0.0.1:{stack.insights_port}/api/summary",
                            params={**window, **params},
                            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    response.raise_for_status()
    return response.json()


@pytest.fixture(scope="module")
def conversations(servers):
    """A FAQ with feedback, an unanswered message, a finished check, a check stopped at its
    third question, an emergency."""
    faq = Chat(servers)
    faq.say("what is an MRI?")
    faq.say('/answer_feedback{"faq_topic": "mri_what", "feedback": "helpful"}')
    unanswered = Chat(servers)
    unanswered.say("what's the weather in Paris tomorrow, call me on 555 123 4567")
    finished = Chat(servers)
    for text in NO_SIGNS:
        finished.say(text)
    stopped = Chat(servers)
    for text in ["check my symptoms", "no", "no", "stop the check"]:
        stopped.say(text)
    emergency = Chat(servers)
    emergency.say(EMERGENCY)
    assert finished.slot("triage_level") == "self_care"
    assert emergency.slot("triage_level") == "emergency"
    return {"faq": faq, "unanswered": unanswered, "finished": finished, "stopped": stopped,
            "emergency": emergency}


def test_summary_counts_exactly_these_conversations(servers, conversations):
    result = summary(servers)
    assert result["conversations"] == 5
    assert result["messages"] == 2 + 1 + len(NO_SIGNS) + 4 + 1
    assert result["faq_topics"] == {"mri_what": 1}
    assert result["unanswered"]["count"] == 1
    [example] = result["unanswered"]["examples"]
    assert "Paris" in example and "555" not in example and "4567" not in example
    assert result["checks"] == {
        "started": 2, "completed": 1, "stopped": 1,
        "levels": {"emergency": 1, "urgent": 0, "soon": 0, "self_care": 1},
        "stopped_at": {"leg_weakness": 1}}
    assert result["feedback"] == {"helpful": 1, "not_helpful": 0}
    assert summary(servers, channel="socketio")["conversations"] == 0


def test_summary_needs_the_token(servers, conversations):
    url = f"http://127.0.0.1:{servers.insights_port}/api/summary"
    assert requests.get(url, timeout=30).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer wrong"},
                        timeout=30).status_code == 401


def test_deleted_conversation_is_gone_from_the_analytics_store(servers, conversations):
    faq = conversations["faq"]
    summary(servers)  # what the broker wrote is taken into the insights' own tables first
    assert faq.sender in analytics_senders(servers)
    replies = faq.say("please delete my conversation")
    assert {"conversation_deleted": True} in [r.get("custom") for r in replies]
    assert faq.sender not in analytics_senders(servers)
    result = summary(servers)
    assert result["conversations"] == 4
    assert result["faq_topics"] == {}
    assert result["feedback"] == {"helpful": 0, "not_helpful": 0}
