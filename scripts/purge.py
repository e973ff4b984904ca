"""`make purge`: deletes stored conversations older than the retention period.

RETENTION_DAYS [30] after its last message a conversation is deleted entirely; in a
conversation that is still going on, the sessions that ended more than RETENTION_DAYS ago are
deleted (Rasa loads only the latest session, so what is left keeps working). The store is the
one the servers use: TRACKER_STORE_URL [sqlite:///$DATA_DIR/conversations.db], DATA_DIR [./var].
The analytics store (ANALYTICS_URL [sqlite:///$DATA_DIR/analytics.db], written by Rasa's event
broker) is purged with it: what the insights keep of conversations older than the retention
period, and the unanswered texts of that age (insights/store.py, `purge`).
`make run` also runs this at start and every PURGE_EVERY_HOURS [6] while it runs.

    .venv/bin/python -m scripts.purge [--days N] [--dry-run]
    .venv/bin/python -m scripts.purge --sender ID    # one conversation now, e.g. on request
"""
import argparse
import logging
import os
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, Mapping, Optional

import sqlalchemy as sa

from common.settings import RETENTION_DAYS, analytics_url, tracker_store_url
from insights import store as analytics

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RETENTION_DAYS = float(RETENTION_DAYS)
logger = logging.getLogger("purge")

# Conversations whose last event is older than the cutoff.
EXPIRED_SENDERS = sa.text(
    "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff")
DELETE_SENDER = sa.text("DELETE FROM events WHERE sender_id = :sender_id")
# Events of earlier sessions, ended before the cutoff, in conversations still going on.
DELETE_OLD_SESSIONS = sa.text(
    "DELETE FROM events WHERE timestamp < :cutoff AND timestamp < ("
    " SELECT MAX(latest.timestamp) FROM events AS latest"
    " WHERE latest.sender_id = events.sender_id AND latest.type_name = 'session_started')")
COUNT_OLD_SESSIONS = sa.text(
    "SELECT COUNT(*) FROM events WHERE timestamp < :cutoff AND timestamp < ("
    " SELECT MAX(latest.timestamp) FROM events AS latest"
    " WHERE latest.sender_id = events.sender_id AND latest.type_name = 'session_started')")


def store_url(env: Optional[Mapping[str, str]] = None) -> str:
    return tracker_store_url(os.environ if env is None else env)


def retention_days(env: Optional[Mapping[str, str]] = None) -> float:
    env = os.environ if env is None else env
    try:
        days = float(env.get("RETENTION_DAYS") or DEFAULT_RETENTION_DAYS)
    except ValueError:
        raise SystemExit(
            f"RETENTION_DAYS must be a number of days, not {env['RETENTION_DAYS']!r}") from None
    if days < 0:
        raise SystemExit("RETENTION_DAYS must not be negative")
    return days


@contextmanager
def _transaction(url: str) -> Iterator[sa.engine.Connection]:
    """One transaction on the store. On SQLite, deleted rows are overwritten in the file
    (`secure_delete`), as in the servers' store (rasa_server/stores/tracker_store.py)."""
    engine = sa.create_engine(url, **({"connect_args": {"timeout": 30}}
                                      if url.startswith("sqlite") else {}))
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.execute(sa.text("PRAGMA secure_delete = ON"))
            yield connection
    finally:
        engine.dispose()


def purge(url: str, days: float, now: Optional[float] = None, dry_run: bool = False
          ) -> Dict[str, int]:
    """Deletes what is older than `days` before `now` (default: the current time); returns
    the number of conversations deleted entirely and of events deleted in all."""
    cutoff = (time.time() if now is None else now) - days * 86400
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return {"conversations": 0, "events": 0}
    with _transaction(url) as connection:
        if not sa.inspect(connection).has_table("events"):
            return {"conversations": 0, "events": 0}
        senders = [row[0] for row in connection.execute(EXPIRED_SENDERS, {"cutoff": cutoff})]
        events = 0
        if dry_run:
            for sender_id in senders:
                events += connection.execute(
                    sa.text("SELECT COUNT(*) FROM events WHERE sender_id = :s"),
                    {"s": sender_id}).scalar()
            events += connection.execute(COUNT_OLD_SESSIONS, {"cutoff": cutoff}).scalar()
        else:
            for sender_id in senders:
                events += connection.execute(DELETE_SENDER, {"sender_id": sender_id}).rowcount
            events += connection.execute(DELETE_OLD_SESSIONS, {"cutoff": cutoff}).rowcount
    return {"conversations": len(senders), "events": events}


def delete_conversation(url: str, sender_id: str) -> int:
    """Deletes every stored event of one conversation; returns how many."""
    with _transaction(url) as connection:
        return connection.execute(DELETE_SENDER, {"sender_id": sender_id}).rowcount


@contextmanager
def _analytics(env: Optional[Mapping[str, str]]) -> Iterator[sa.engine.Engine]:
    engine = analytics.engine_for(analytics_url(os.environ if env is None else env))
    try:
        yield engine
    finally:
        engine.dispose()


def purge_analytics(env: Optional[Mapping[str, str]], days: float,
                    now: Optional[float] = None) -> Dict[str, int]:
    """The analytics store's part of the purge (insights/store.py `purge`)."""
    with _analytics(env) as engine:
        return analytics.purge(engine, (time.time() if now is None else now) - days * 86400)


def delete_analytics(env: Optional[Mapping[str, str]], sender_id: str) -> int:
    with _analytics(env) as engine:
        return analytics.erase_conversation(engine, sender_id)


def purge_configured(env: Optional[Mapping[str, str]] = None) -> Dict[str, int]:
    days = retention_days(env)
    result = purge(store_url(env), days)
    purge_analytics(env, days)
    logger.info("retention.purged days=%g conversations=%d events=%d",
                days, result["conversations"], result["events"])
    return result


def start_retention(env: Mapping[str, str]) -> threading.Thread:
    """For `make run`: purges now, then every PURGE_EVERY_HOURS [6] in the background."""
    every = float(env.get("PURGE_EVERY_HOURS") or 6) * 3600

    def purge_and_report() -> None:
        try:
            result = purge_configured(env)
            print(f"Retention ({retention_days(env):g} days): deleted "
                  f"{result['conversations']} conversation(s), {result['events']} event(s).",
                  flush=True)
        except Exception as error:  # keep serving; say so
            print(f"Retention purge failed: {type(error).__name__}", file=sys.stderr, flush=True)

    def run() -> None:
        while True:
            time.sleep(every)
            purge_and_report()

    purge_and_report()
    thread = threading.Thread(target=run, name="retention", daemon=True)
    thread.start()
    return thread


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, help="retention period [RETENTION_DAYS or 30]")
    parser.add_argument("--now", type=float, help="purge as if it were this Unix time")
    parser.add_argument("--dry-run", action="store_true", help="count, don't delete")
    parser.add_argument("--sender", help="delete this one conversation (its sender id) now")
    args = parser.parse_args(argv)
    url = store_url()
    if args.sender is not None:
        deleted = delete_conversation(url, args.sender)
        delete_analytics(None, args.sender)
        print(f"Deleted {deleted} event(s) of conversation {args.sender!r}, and what the "
              "insights kept of it.")
        return 0
    days = retention_days() if args.days is None else args.days
    if days < 0:
        parser.error("--days must not be negative")
    result = purge(url, days, now=args.now, dry_run=args.dry_run)
    if not args.dry_run:
        purge_analytics(None, days, now=args.now)
    where = url if url.startswith("sqlite") else url.split("@")[-1]
    verb = "Would delete" if args.dry_run else "Deleted"
    print(f"{verb} {result['conversations']} conversation(s) and {result['events']} event(s) "
          f"older than {days:g} days from {where}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
