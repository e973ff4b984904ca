"""Rasa's SQL event broker, kept as private as the conversation store.

endpoints.yml names this class as the event broker. It writes what Rasa's SQL broker writes
(table `events`: id, sender_id, the event as JSON) to the analytics store, ANALYTICS_URL
[sqlite:///$DATA_DIR/analytics.db], from which insights/store.py builds the clinic's insights.
The events hold what patients wrote, so the store gets the conversation store's protections:
on SQLite its folder is created private, the file is readable by its owner only and deleted
rows are overwritten; "delete my conversation" and the retention purge reach it
(rasa_server/stores/tracker_store.py, scripts/purge.py).
"""
import json
from typing import Any, Dict, List, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import SQLTrackerStore

from insights import store
from rasa_server.stores.tracker_store import make_sqlite_folder, private_engine


class PrivateSQLEventBroker(SQLEventBroker):
    def __init__(self, dialect: Text = "sqlite", host: Optional[Text] = None,
                 port: Optional[int] = None, db: Text = "events.db",
                 username: Optional[Text] = None, password: Optional[Text] = None,
                 **_: Any) -> None:
        url = SQLTrackerStore.get_db_url(dialect, host, port, db, username, password)
        make_sqlite_folder(str(url))
        try:
            super().__init__(dialect, host, port, db, username, password)
        except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
            # Servers started together on one PostgreSQL: each found no `events` table and
            # created it, and only the first CREATE TABLE succeeded. The table is there now.
            self.engine.dispose()
            super().__init__(dialect, host, port, db, username, password)
        self.engine = private_engine(self.engine)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    def publish_many(self, events: List[Dict[Text, Any]]) -> None:
        """What `publish` writes for each event, in one transaction (a message's turn has
        several events; the tracker store publishes them together)."""
        if not events:
            return
        with self.session_scope() as session:
            session.add_all([self.SQLBrokerEvent(sender_id=event.get("sender_id"),
                                                 data=json.dumps(event)) for event in events])
            session.commit()

    def erase(self, sender_id: Text) -> int:
        """Deletes the conversation's events and what the insights kept of it."""
        return store.erase_conversation(self.engine, sender_id)
