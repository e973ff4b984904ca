"""Analytics stores for the insights' tests: the events recorded from the real servers, written
to a store by Rasa's own SQL event broker class, on SQLite or on a PostgreSQL of the tests."""
import datetime
import json
import warnings
from pathlib import Path
from typing import Any, Dict, Iterable, List, Set

import sqlalchemy as sa

from scripts.stack import sql_broker_settings

# Recorded from the real servers (make run, REST channel) by Rasa's SQL event broker: 276 events
# of 4 conversations: a FAQ and two messages out of scope (faq-user), a check stopped at its
# third question (check-user), a check finished with the outcome self_care (done-user), an
# emergency sign stated at once (emerg-user).
RECORDED = Path(__file__).with_name("rasa_events_sample.jsonl")


def recorded() -> List[Dict[str, Any]]:
    return [json.loads(line) for line in RECORDED.read_text().splitlines() if line.strip()]


def recorded_day() -> datetime.date:
    """The (UTC) day the recording was made."""
    return datetime.datetime.fromtimestamp(recorded()[0]["timestamp"],
                                           datetime.timezone.utc).date()


def rasa_broker(url: str) -> Any:
    """Rasa's SQLEventBroker on the store, as endpoints.yml configures it (it creates `events`)."""
    settings = sql_broker_settings(url)
    from rasa.core.brokers.sql import SQLEventBroker  # Rasa: imported only when needed

    with warnings.catch_warnings():  # Rasa's own use of a deprecated SQLAlchemy API
        warnings.simplefilter("ignore")
        return SQLEventBroker(host=settings.pop("url", None), **settings)


def publish(url: str, events: Iterable[Dict[str, Any]]) -> None:
    """The events as Rasa's broker writes them (its `publish`: one row of JSON per event), in
    one transaction."""
    broker = rasa_broker(url)
    try:
        with broker.session_scope() as session:
            session.add_all([broker.SQLBrokerEvent(sender_id=e.get("sender_id"),
                                                   data=json.dumps(e)) for e in events])
            session.commit()
    finally:
        broker.engine.dispose()


def senders_by_table(engine: sa.engine.Engine) -> Dict[str, Set[str]]:
    """The sender ids in every table of the store that has a sender_id column."""
    found = {}
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        for table in inspector.get_table_names():
            if "sender_id" in {c["name"] for c in inspector.get_columns(table)}:
                found[table] = {row[0] for row in connection.execute(
                    sa.text(f'SELECT DISTINCT sender_id FROM "{table}"'))}
    return found


def broker_rows(engine: sa.engine.Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text("SELECT COUNT(*) FROM events")).scalar()
