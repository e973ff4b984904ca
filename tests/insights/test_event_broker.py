"""The servers' event broker (rasa_server/stores/event_broker.py) on the analytics store."""
import threading
import time
import warnings

import pytest
import sqlalchemy as sa

from scripts.stack import sql_broker_settings
from tests.insights.stores import broker_rows

CREATE_EVENTS = "CREATE TABLE events (id SERIAL PRIMARY KEY, sender_id VARCHAR(255), data TEXT)"


def _private_broker(url):
    from rasa_server.stores.event_broker import PrivateSQLEventBroker  # imports Rasa

    settings = sql_broker_settings(url)
    with warnings.catch_warnings():  # Rasa's own use of a deprecated SQLAlchemy API
        warnings.simplefilter("ignore")
        return PrivateSQLEventBroker(host=settings.pop("url", None), **settings)


def _waiting_on_a_lock(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()")).scalar()


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_a_server_starting_while_another_creates_the_table_gets_it_too(store_url, engine):
    """Two servers started together: the second one's CREATE TABLE waits on the first one's
    and then fails; the broker starts anyway, on the table the first one made."""
    first = engine.connect()
    creating = first.begin()
    first.exec_driver_sql(CREATE_EVENTS)  # not committed yet: the first server is creating it
    started, failed = [], []

    def start_second():
        try:
            started.append(_private_broker(store_url))
        except Exception as error:  # noqa: BLE001 (asserted below)
            failed.append(error)

    second = threading.Thread(target=start_second)
    second.start()
    deadline = time.monotonic() + 120
    while _waiting_on_a_lock(engine) == 0 and second.is_alive():
        assert time.monotonic() < deadline, "the second server never reached CREATE TABLE"
        time.sleep(0.05)
    creating.commit()
    first.close()
    second.join(120)
    assert not failed and started
    broker = started[0]
    broker.publish_many([{"sender_id": "a", "event": "user"}])
    broker.engine.dispose()
    assert broker_rows(engine) == 1
