"""Talking to the real servers from tests: ports, the API token, a patient's conversation."""
import uuid
from typing import Any, Dict, List, Optional

import requests

from stack import Stack, free_port  # noqa: F401  (re-exported for tests)

API_TOKEN = "test-" + uuid.uuid4().hex




class Chat:
    """One patient's conversation over the REST channel."""

    def __init__(self, stack: Stack, sender: Optional[str] = None) -> None:
        self.stack = stack
        self.sender = sender or "test-" + uuid.uuid4().hex

    def say(self, text: str) -> List[Dict[str, Any]]:
        response = requests.post(f"{self.stack.url}/webhooks/rest/webhook",
                                 json={"sender": self.sender, "message": text}, timeout=60)
        response.raise_for_status()
        return response.json()

    def texts(self, text: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(text))

    def tracker(self) -> Dict[str, Any]:
        response = requests.get(f"{self.stack.url}/conversations/{self.sender}/tracker",
                                params={"token": API_TOKEN}, timeout=30)
        response.raise_for_status()
        return response.json()

    def slot(self, name: str) -> Any:
        return self.tracker()["slots"].get(name)
