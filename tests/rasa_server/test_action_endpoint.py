"""The action endpoint's clean failure (rasa_server/action_endpoint.py)."""
from scripts.stack import ROOT


def test_fallback_restores_the_state_before_the_message():
    """The restoring events, applied by Rasa's own tracker, give back the state before the
    user's message: a slot filled by the message and a check that ended with it."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        SlotSet,
        UserUttered,
        deserialise_events,
    )
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
    from rasa.utils.endpoints import EndpointConfig

    from rasa_server.action_endpoint import ResilientActionEndpoint, restore_events

    domain = Domain.load(str(ROOT / "domain.yml"))
    before = [ActionExecuted("action_listen"), UserUttered("check", {"name": "start_screening"}),
              ActionExecuted("screening_form"), ActiveLoop("screening_form"),
              SlotSet("bladder_bowel_change", False), SlotSet("requested_slot", "age"),
              ActionExecuted("action_listen")]
    turn = [UserUttered("40", {"name": "inform"}), SlotSet("age", "40"),
            ActionExecuted("screening_form"), SlotSet("age", 40.0),
            SlotSet("requested_slot", None), ActiveLoop(None)]
    tracker = DialogueStateTracker.from_events("someone", before + turn, domain.slots)
    body = {"next_action": "action_screening_outcome", "sender_id": "someone",
            "tracker": tracker.current_state(EventVerbosity.ALL), "domain": domain.as_dict()}

    restored = restore_events(body)
    tracker.update_with_events(deserialise_events(restored), domain)
    assert tracker.get_slot("age") is None
    assert tracker.get_slot("requested_slot") == "age"
    assert tracker.get_slot("bladder_bowel_change") is False
    assert tracker.active_loop_name == "screening_form"

    endpoint = ResilientActionEndpoint(EndpointConfig(url="http://127.0.0.1:9/webhook",
                                                      timeout="2"))
    answer = endpoint.fallback(body)
    assert answer["events"][-1] == {"event": "followup", "name": "action_listen"}
    assert answer["responses"][0]["response"] == "utter_temporarily_unavailable"
    assert endpoint.timeout == 2.0
    assert restore_events({**body, "tracker": {"events": [e.as_dict() for e in before]}}) == []
