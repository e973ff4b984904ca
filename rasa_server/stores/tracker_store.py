"""Rasa's SQL tracker store, plus erasing a conversation when the user asks for it.

endpoints.yml names this class as the tracker store. It stores exactly what Rasa's SQL store
does (table `events`, one row per event, in the SQLite file $DATA_DIR/conversations.db by
default), with these additions:

- When a tracker to be saved holds the erase request of `action_delete_conversation`
  (actions/privacy.py: a `restart` event with metadata `erase_conversation`), every stored event
  of that sender is deleted, in this store and in the analytics store of the event broker
  (rasa_server/stores/event_broker.py), and nothing of the tracker is saved or published. The
  erasure has to happen here: the action server has no access to the store, and Rasa saves the
  in-memory tracker after the action ran, so rows deleted by anyone else would be written again.
- Rasa finds the events to publish to the event broker by loading and rebuilding the whole
  stored conversation, then publishes them one transaction each; here they are counted, and
  published in one transaction (`publish_many` of rasa_server/stores/event_broker.py).
- On SQLite, connections are kept open between messages (SQLAlchemy 1.4 opens a new one for
  every session on an SQLite file, several per message), and deleted rows are overwritten in the
  file (`PRAGMA secure_delete`), so that erased and purged conversations cannot be read back
  from the file's free pages; the database file is readable by its owner only.

scripts/purge.py deletes conversations after the retention period, on the same table.
"""
import logging
import os
from typing import Any, Dict, Iterable, List, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, Restarted
from rasa.shared.core.trackers import DialogueStateTracker

from common.erasure import ERASE_MARK
from common.logs import hash_sender
from rasa_server import protections

logger = logging.getLogger(__name__)


def erase_requested(events: Iterable[Any]) -> bool:
    return any(isinstance(e, Restarted) and (e.metadata or {}).get(ERASE_MARK) for e in events)


def private_engine(engine: "sa.engine.Engine") -> "sa.engine.Engine":
    """The engine a store should use. SQLite only: connections kept open in a pool (SQLAlchemy
    2.0's default for files), deleted content overwritten, the file readable by its owner only.
    Other engines are returned as they are."""
    if engine.dialect.name != "sqlite":
        return engine
    path = engine.url.database
    if path and path != ":memory:":
        engine.dispose()
        engine = sa.create_engine(engine.url, poolclass=sa.pool.QueuePool,
                                  connect_args={"check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _secure_delete(connection: Any, _: Any) -> None:
        connection.execute("PRAGMA secure_delete = ON")

    if path and path != ":memory:" and os.path.exists(path):
        os.chmod(path, 0o600)
    return engine


def make_sqlite_folder(url: Any) -> None:
    """The folder of an SQLite file URL (sqlite:///var/conversations.db), created private:
    SQLite creates the file but not its folder."""
    if isinstance(url, str) and url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)


class PrivateSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Every endpoints file names this store, so creating it is where every Rasa server
        # (`rasa run`, `rasa shell`, `rasa interactive`, the cluster) starts its protections.
        protections.install()
        make_sqlite_folder(kwargs.get("host"))
        super().__init__(*args, **kwargs)
        self.engine = private_engine(self.engine)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if erase_requested(tracker.events):
            await self.erase(tracker.sender_id)
            return
        await super().save(tracker)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """The events not stored yet go to the event broker (counted, as `save` counts them,
        instead of Rasa's loading the stored conversation to compare)."""
        if self.event_broker is None:
            return
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
        await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    async def _stream_new_events(self, event_broker: EventBroker, new_events: List[Event],
                                 sender_id: Text) -> None:
        """In one go where the broker can (PrivateSQLEventBroker: one transaction)."""
        publish_many = getattr(event_broker, "publish_many", None)
        if publish_many is None:
            await super()._stream_new_events(event_broker, new_events, sender_id)
            return
        bodies: List[Dict[Text, Any]] = [{"sender_id": sender_id, **event.as_dict()}
                                         for event in new_events]
        publish_many(bodies)

    async def erase(self, sender_id: Text) -> int:
        """Deletes every stored event of the conversation, here and in the analytics store;
        returns how many were deleted here."""
        with self.session_scope() as session:  # secure_delete: see private_engine
            deleted = (session.query(self.SQLEvent)
                       .filter(self.SQLEvent.sender_id == sender_id)
                       .delete(synchronize_session=False))
            session.commit()
        analytics = getattr(self.event_broker, "erase", None)
        erased = analytics(sender_id) if analytics else 0
        logger.info("conversation.erased sender=%s events=%d analytics=%d",
                    hash_sender(sender_id), deleted, erased)
        return deleted
