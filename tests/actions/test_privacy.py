"""action_delete_conversation: confirms, and asks the tracker store to erase the conversation in
the form the store recognises (the store's check runs on the events as Rasa reads them back)."""
import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.privacy import ERASE_MARK, ActionDeleteConversation


def run_action():
    tracker = Tracker("someone", {"requested_slot": "age"}, {"text": "delete my data"}, [],
                      False, None, {"name": "screening_form"}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionDeleteConversation().run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_confirms_with_the_domain_response():
    messages, _ = run_action()
    assert [m.get("response") for m in messages] == ["utter_conversation_deleted"]
    assert messages[0]["custom"] == {"conversation_deleted": True}, "so clients forget theirs"


def test_asks_for_erasure_then_listens_without_a_new_session():
    _, events = run_action()
    assert events[0]["event"] == "restart" and events[0]["metadata"] == {ERASE_MARK: True}
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "action_listen"}


def test_the_store_recognises_the_request():
    from rasa.shared.core.events import deserialise_events

    from rasa_server.stores.tracker_store import ERASE_MARK as STORE_MARK
    from rasa_server.stores.tracker_store import erase_requested

    _, events = run_action()
    assert STORE_MARK == ERASE_MARK
    assert erase_requested(deserialise_events(events))
    assert not erase_requested(deserialise_events([{"event": "restart"}]))


def test_domain_declares_the_intent_action_and_response():
    from pathlib import Path

    import yaml

    domain = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
    assert "delete_conversation" in domain["intents"]
    assert "action_delete_conversation" in domain["actions"]
    assert "utter_conversation_deleted" in domain["responses"]
    not_intents = domain["slots"]["bladder_bowel_change"]["mappings"][0]["not_intent"]
    assert "delete_conversation" in not_intents, "never taken as an answer to a question"
