"""A Redis lock store that several Rasa servers can share safely (the cluster's default).

Rasa's own `RedisLockStore` (`LOCK_STORE_TYPE=redis`) keeps each conversation's ticket queue as
one JSON value and changes it with a plain GET, then SET. Two servers that receive a message for
the same conversation at the same moment can both read the empty queue, both take ticket 0 and
process the conversation at once; the SQL tracker store then keeps a mix of both turns (see
README, "Running several Rasa servers"). This store keeps Rasa's ticket queue (messages of one
conversation are handled one at a time, in arrival order) and changes it atomically, with leases:

- every change is a WATCH/MULTI transaction, retried when another server changed the queue;
- a ticket is a lease of LOCK_LEASE_SECONDS [12], renewed every quarter of that while its message
  waits or is processed, so a server that dies holding a conversation frees it within one lease
  (Rasa's fixed lifetime is 60 s) and a message slower than a lease keeps its turn;
- while Redis is unreachable (restart, fail-over), taking a ticket waits and retries for up to
  LOCK_REDIS_WAIT_SECONDS [30]; after that the message is refused with Rasa's LockError before
  anything is processed or stored;
- a Redis restart without persistence loses every queue. The first server to notice (a missing
  marker key) starts a grace period of half a lease during which nobody is served, so that
  messages still being processed re-register their tickets first (ticket numbers are
  microsecond timestamps, so re-registered older tickets keep their place in the queue).

Select it with `LOCK_STORE_TYPE=rasa_server.stores.lock_store.AtomicRedisLockStore` and the usual
REDIS_HOST, REDIS_PORT, REDIS_DB (endpoints.yml).
"""
import asyncio
import json
import logging
import os
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Text, Tuple

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

LEASE_SECONDS = float(os.environ.get("LOCK_LEASE_SECONDS") or 12)
REDIS_WAIT_SECONDS = float(os.environ.get("LOCK_REDIS_WAIT_SECONDS") or 30)
POLL_SECONDS = 0.05
RETRY_SECONDS = 0.25
REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError)


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's ticket lock on Redis, with atomic updates and renewed leases."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        kwargs = {k: v for k, v in endpoint_config.kwargs.items() if v not in (None, "")}
        # Redis calls run on the server's event loop: never block it for long.
        kwargs.setdefault("socket_timeout", 2.0)
        super().__init__(host=endpoint_config.url or "127.0.0.1", **kwargs)
        self.red.connection_pool.connection_kwargs.setdefault("socket_connect_timeout", 2.0)
        self.lease = LEASE_SECONDS
        self.grace = LEASE_SECONDS / 2
        self.redis_wait = REDIS_WAIT_SECONDS
        self.epoch_key = self.key_prefix.rstrip(":") + "-store:epoch"
        try:  # a fresh Redis at cluster start: no grace period needed
            self.red.set(self.epoch_key, "0", nx=True)
        except REDIS_ERRORS:
            logger.warning("Redis is not reachable yet; the lock store will retry per message.")

    # -- atomic changes to one conversation's queue ----------------------------------------

    def _update(self, conversation_id: Text, change: Callable[[TicketLock], Any]) -> Any:
        """Applies `change` to the stored queue in one transaction; returns what it returns."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = (TicketLock.from_dict(json.loads(raw)) if raw
                            else TicketLock(conversation_id))
                    result = change(lock)
                    lock.remove_expired_tickets()
                    new = lock.dumps() if lock.tickets else None
                    if new != (raw.decode() if raw else None):
                        pipe.multi()
                        if new is None:
                            pipe.delete(key)
                        else:  # an abandoned queue disappears by itself
                            pipe.set(key, new, px=int(self.lease * 2000))
                        pipe.execute()
                    return result
                except redis.WatchError:
                    continue

    def _put(self, lock: TicketLock, number: int) -> None:
        """Adds or renews ticket `number`, keeping the queue ordered by number."""
        expires = time.time() + self.lease
        for ticket in lock.tickets:
            if ticket.number == number:
                ticket.expires = expires
                return
        lock.tickets.append(Ticket(number, expires))
        lock.tickets = type(lock.tickets)(sorted(lock.tickets, key=lambda t: t.number))

    def _issue(self, conversation_id: Text) -> int:
        def take(lock: TicketLock) -> int:
            number = max(lock.last_issued + 1, time.time_ns() // 1000)
            self._put(lock, number)
            return number

        return self._update(conversation_id, take)

    def _serving(self, conversation_id: Text, number: int) -> Tuple[bool, Optional[TicketLock]]:
        def look(lock: TicketLock) -> Tuple[bool, TicketLock]:
            if all(t.number != number for t in lock.tickets):
                self._put(lock, number)  # lost with Redis' data: take the place back
            return lock.now_serving == number, lock

        serving, lock = self._update(conversation_id, look)
        return serving and self._grace_over(), lock

    def _renew(self, conversation_id: Text, number: int) -> None:
        self._update(conversation_id, lambda lock: self._put(lock, number))

    def _release(self, conversation_id: Text, number: int) -> None:
        self._update(conversation_id, lambda lock: lock.remove_ticket_for(number))

    def _grace_over(self) -> bool:
        started = self.red.get(self.epoch_key)
        if started is None:  # Redis lost its data: let running messages re-register first
            if self.red.set(self.epoch_key, repr(time.time()), nx=True):
                logger.warning(f"The lock queues were lost (Redis restarted?); serving no "
                               f"conversation for {self.grace:.0f} s while running messages "
                               f"re-register.")
            return False
        return time.time() >= float(started) + self.grace

    # -- what Rasa calls ---------------------------------------------------------------------

    async def _retrying(self, call: Callable[..., Any], *args: Any,
                        wait: Optional[float] = None) -> Any:
        deadline = time.monotonic() + (self.redis_wait if wait is None else wait)
        warned = False
        while True:
            try:
                return call(*args)
            except REDIS_ERRORS as error:
                if time.monotonic() >= deadline:
                    raise LockError(f"The lock store (Redis) is unreachable: {error}") from error
                if not warned:
                    logger.warning(f"The lock store (Redis) is unreachable, retrying: {error}")
                    warned = True
                await asyncio.sleep(RETRY_SECONDS)

    async def _keep_alive(self, conversation_id: Text, number: int) -> None:
        while True:
            await asyncio.sleep(self.lease / 4)
            try:
                self._renew(conversation_id, number)
            except REDIS_ERRORS as error:
                logger.warning(f"Could not renew the lock of '{conversation_id}': {error}")

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = POLL_SECONDS
                   ) -> AsyncGenerator[TicketLock, None]:
        """Waits for this conversation's turn, holds it while the caller runs, then frees it.

        `lock_lifetime` and `wait_time_in_seconds` (Rasa's parameters) are replaced by the
        renewed lease and a short poll.
        """
        number = await self._retrying(self._issue, conversation_id)
        keep_alive = asyncio.ensure_future(self._keep_alive(conversation_id, number))
        try:
            while True:
                serving, lock = await self._retrying(self._serving, conversation_id, number)
                if serving:
                    break
                await asyncio.sleep(POLL_SECONDS)
            logger.debug(f"Acquired lock for conversation '{conversation_id}'.")
            yield lock
        finally:
            keep_alive.cancel()
            try:
                await self._retrying(self._release, conversation_id, number, wait=2)
            except LockError as error:  # the lease runs out by itself
                logger.warning(f"Could not release the lock of '{conversation_id}': {error}")
