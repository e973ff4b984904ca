"""The retention purge (scripts/purge.py) on a real SQLite store."""
import re
import time
from typing import List

from scripts.stack import ROOT


def test_make_purge_runs_the_retention_command():
    makefile = (ROOT / "Makefile").read_text()
    target = re.search(r"^purge:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert target and "scripts.purge" in target.group(1)


def test_retention_deletes_ended_sessions_of_an_ongoing_conversation(tmp_path):
    """With Rasa's SQL store class on a fresh SQLite file: a conversation with a session that
    ended 40 days ago and one going on now; another that ended 40 days ago."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from rasa_server.stores.tracker_store import PrivateSQLTrackerStore
    from scripts import purge as purge_module

    domain = Domain.load(str(ROOT / "domain.yml"))
    url = f"sqlite:///{tmp_path}/conversations.db"
    store = PrivateSQLTrackerStore(domain=domain, host=url)
    day, now = 86400.0, time.time()

    def session(start: float, text: str) -> List:
        return [ActionExecuted("action_session_start", timestamp=start),
                SessionStarted(timestamp=start + 1),
                ActionExecuted("action_listen", timestamp=start + 2),
                UserUttered(text, {"name": "greet"}, timestamp=start + 3),
                BotUttered("hi", timestamp=start + 4),
                ActionExecuted("action_listen", timestamp=start + 5)]

    import asyncio

    ongoing = DialogueStateTracker.from_events(
        "ongoing", session(now - 40 * day, "OLDSESSION") + session(now - 60, "NEWSESSION"),
        domain.slots)
    ended = DialogueStateTracker.from_events("ended", session(now - 40 * day, "ENDED"),
                                             domain.slots)
    asyncio.run(store.save(ongoing))
    asyncio.run(store.save(ended))

    result = purge_module.purge(url, days=30, now=now)
    assert result["conversations"] == 1 and result["events"] > 6
    data = (tmp_path / "conversations.db").read_bytes()
    assert b"OLDSESSION" not in data and b"ENDED" not in data and b"NEWSESSION" in data
    kept = asyncio.run(store.retrieve("ongoing"))
    assert kept is not None and kept.latest_message.text == "NEWSESSION"
    assert asyncio.run(store.retrieve("ended")) is None
