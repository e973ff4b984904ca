"""Talking to the real servers from tests: ports, the API token, a patient's conversation."""
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests
import sqlalchemy as sa
import yaml

from common.settings import analytics_url
from scripts.stack import ROOT, Stack, free_port  # noqa: F401  (re-exported for tests)

API_TOKEN = "test-" + uuid.uuid4().hex
# The settings the tests' expectations depend on ("call 911"), whatever the developer has set.
EMERGENCY_NUMBER = "911"


def make_stack(run_dir: Path, **env: str) -> Stack:
    """Servers on free ports with only the environment the tests set: `env` and
    EMERGENCY_NUMBER, over the documented defaults; DATA_DIR and logs in run_dir."""
    settings = {"DATA_DIR": str(run_dir / "data"), "EMERGENCY_NUMBER": EMERGENCY_NUMBER, **env}
    return Stack(free_port(), free_port(), env=settings, log_dir=run_dir / "logs",
                 inherit=False)


def screening_questions() -> Dict[str, str]:
    """The check's questions as patients see them, by slot (domain.yml: utter_ask_<slot>)."""
    responses = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
    return {name[len("utter_ask_"):]: variants[0]["text"]
            for name, variants in responses.items() if name.startswith("utter_ask_")}




def analytics_senders(stack: Stack) -> set:
    """Every sender id in the stack's analytics store, in any of its tables (the event broker's
    and the insights' own) that has a sender_id column."""
    engine = sa.create_engine(analytics_url(stack.env))
    found = set()
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            for table in inspector.get_table_names():
                if "sender_id" in {c["name"] for c in inspector.get_columns(table)}:
                    found |= {row[0] for row in connection.execute(
                        sa.text(f'SELECT DISTINCT sender_id FROM "{table}"'))}
    finally:
        engine.dispose()
    return found


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
