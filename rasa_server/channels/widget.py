"""The website widget's channel: Rasa's socketio channel with a working custom-JSON output.

Rasa 3.6's SocketIOOutput.send_custom_json calls `sio.emit(event, **json_message)`, so the
screening outcome's payload ({"triage_level": ..., "emergency_number": ...}) raises a TypeError,
and the turn is lost (the tracker is not saved). This output emits it as its own bot message
`{"custom": {...}}` to the conversation's room, as the REST channel returns it. Texts are sent
whole (newlines kept) instead of being cut at blank lines, so a long answer stays one message.
A FAQ answer (response `utter_faq/<topic>`) carries `faq_topic`, under which the widget offers
"Helpful / Not helpful"; the click comes back as `/answer_feedback{"faq_topic": ..., "feedback":
...}`, an event the clinic's insights count (insights/store.py).

credentials.yml names this class instead of `socketio`; the channel's name, its routes
(/socket.io, /webhooks/socketio/) and its settings are those of Rasa's socketio channel. Its
socket.io server takes connections from ALLOWED_ORIGINS only (rasa_server/protections.py).
"""
import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from rasa_server import protections

logger = logging.getLogger(__name__)


FAQ_RESPONSE_PREFIX = "utter_faq/"


def faq_topic(response: Dict[Text, Any]) -> Dict[Text, Text]:
    """{"faq_topic": <id>} for a FAQ answer (its response's name, `utter_action`), else {}."""
    name = response.get("utter_action") or ""
    return {"faq_topic": name[len(FAQ_RESPONSE_PREFIX):]} if name.startswith(
        FAQ_RESPONSE_PREFIX) else {}


class WidgetSocketIOOutput(SocketIOOutput):
    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text.strip(), **faq_topic(kwargs)})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {
            "text": text.strip(),
            "quick_replies": [{"content_type": "text", "title": b["title"],
                               "payload": b["payload"]} for b in buttons],
            **faq_topic(kwargs),
        })

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WidgetSocketIO(SocketIOInput):
    """Rasa's socketio input channel, answering through WidgetSocketIOOutput."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        protections.install()
        blueprint = super().blueprint(on_new_message)
        blueprint.listener("after_server_start")(protections.protect_api)
        sio = self.sio
        assert sio is not None
        protections.limit_socket_origins(sio.eio)

        # Replaces Rasa's handler of the same event, which builds a SocketIOOutput.
        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Dict) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                if not data.get("session_id"):
                    logger.warning("socketio message without a session_id ignored")
                    return
                sender_id = str(data["session_id"])
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            await on_new_message(UserMessage(
                str(data.get("message", "")), WidgetSocketIOOutput(sio, self.bot_message_evt),
                sender_id, input_channel=self.name(), metadata=metadata))

        return blueprint

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return WidgetSocketIOOutput(self.sio, self.bot_message_evt)
