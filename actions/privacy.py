"""Deleting a conversation on request ("delete my conversation"): confirms, and has it erased.

The action server cannot reach the conversation store, and Rasa saves the tracker after an
action ran, so the action asks for the erasure instead: it returns a `restart` event marked
`erase_conversation`, and the tracker store (rasa_server/stores/tracker_store.py) deletes
every stored event of the sender, this message included, instead of saving. The restart also
clears the conversation's state should the store be one without that support. `action_listen`
follows, so no new session (and no second disclaimer) starts before the user writes again.
"""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from common.erasure import ERASE_MARK


def erase_events() -> List[Dict[Text, Any]]:
    return [{"event": "restart", "timestamp": None, "metadata": {ERASE_MARK: True}},
            FollowupAction("action_listen")]


class ActionDeleteConversation(Action):
    def name(self) -> Text:
        return "action_delete_conversation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        # The custom payload lets a client forget its own copy of the conversation too.
        dispatcher.utter_message(response="utter_conversation_deleted",
                                 json_message={"conversation_deleted": True})
        return erase_events()
