"""The cluster's lock store against a real Redis: one holder at a time, across store instances
(as across Rasa servers), dead holders freed after a lease, Redis restarts and lost queues."""
import asyncio
import threading
import time
from collections import defaultdict
from typing import Dict, List, Optional

import pytest
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from rasa_server.stores.lock_store import AtomicRedisLockStore
from tests.cluster.cluster_client import run_async


def store(redis_server, lease: float = 12.0) -> AtomicRedisLockStore:
    config = EndpointConfig(url="127.0.0.1",
                            type="rasa_server.stores.lock_store.AtomicRedisLockStore",
                            port=str(redis_server.port), db="0")  # strings, as from YAML
    lock_store = AtomicRedisLockStore(config)
    lock_store.lease, lock_store.grace = lease, lease / 2
    return lock_store


class Critical:
    """A critical section that records overlaps and the order of entries."""

    def __init__(self) -> None:
        self.inside: Dict[str, int] = defaultdict(int)  # per conversation
        self.overlaps = 0
        self.entries: List[str] = []
        self.guard = threading.Lock()

    async def run(self, lock_store, conversation: str, who: str, hold: float = 0.01,
                  entered: Optional[threading.Event] = None) -> None:
        async with lock_store.lock(conversation):
            with self.guard:
                self.inside[conversation] += 1
                self.overlaps += self.inside[conversation] > 1
                self.entries.append(who)
            if entered is not None:
                entered.set()
            await asyncio.sleep(hold)
            with self.guard:
                self.inside[conversation] -= 1


async def until(event: threading.Event, timeout: float = 30) -> None:
    """Waits (without blocking the event loop) until another thread has set `event`."""
    assert await asyncio.get_running_loop().run_in_executor(None, event.wait, timeout)


def in_threads(*workers) -> None:
    """Each worker (a coroutine function) on its own thread and event loop, like servers.
    (Never asyncio.run on the main thread: an earlier test may have left a loop running.)"""
    errors = []

    def run(worker):
        try:
            asyncio.run(worker())
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    if errors:
        raise errors[0]


def test_one_holder_at_a_time_across_stores(redis_server):
    stores = [store(redis_server) for _ in range(4)]
    critical = Critical()

    def worker(n):
        async def go():
            await asyncio.gather(*(critical.run(stores[n], f"c{k % 3}", f"{n}-{k}")
                                   for k in range(15)))
        return go

    in_threads(*(worker(n) for n in range(4)))
    assert critical.overlaps == 0
    assert len(critical.entries) == 60


def test_a_dead_holder_frees_the_conversation_after_one_lease(redis_server):
    dead, alive = store(redis_server, lease=1.0), store(redis_server, lease=1.0)
    dead._issue("crash")  # took the conversation, then its server died: no renewal, no release
    started = time.monotonic()

    async def take():
        async with alive.lock("crash"):
            return time.monotonic() - started

    waited = run_async(take)
    assert 0.8 < waited < 3


def test_a_long_message_keeps_its_turn(redis_server):
    first, second = store(redis_server, lease=0.6), store(redis_server, lease=0.6)
    critical = Critical()
    slow_inside = threading.Event()

    async def slow():  # holds for three leases: renewals keep it
        await critical.run(first, "long", "slow", hold=1.8, entered=slow_inside)

    async def fast():  # comes while slow holds the conversation
        await until(slow_inside)
        await critical.run(second, "long", "fast")

    in_threads(slow, fast)
    assert critical.entries == ["slow", "fast"] and critical.overlaps == 0


def test_waits_while_redis_restarts(redis_server):
    lock_store = store(redis_server, lease=4.0)
    redis_server.stop()
    back = {}

    def restart():  # Redis is away for 1.5 s, then as long as it takes to start
        redis_server.start()
        back["after"] = time.monotonic() - started

    restarter = threading.Timer(1.5, restart)
    started = time.monotonic()
    restarter.start()

    async def take():
        async with lock_store.lock("restart"):
            return time.monotonic() - started

    try:
        waited = run_async(take)
    finally:
        restarter.join()
    # the lost queues mean half a lease of grace (2 s) from when Redis answered again (it may
    # have answered the lock store a moment before it answered start()'s check, every 0.2 s)
    assert back["after"] + 2 - 0.3 < waited < back["after"] + 2 + 1.5, (waited, back)


def test_gives_up_cleanly_when_redis_stays_away(redis_server):
    lock_store = store(redis_server)
    lock_store.redis_wait = 1.0  # LOCK_REDIS_WAIT_SECONDS
    redis_server.stop()
    entered = []

    async def take():
        async with lock_store.lock("gone"):
            entered.append(True)

    try:
        with pytest.raises(LockError):
            run_async(take)
    finally:
        redis_server.start()
    assert not entered


def test_lost_queues_do_not_let_a_newcomer_in_beside_the_holder(redis_server):
    holder, newcomer = store(redis_server, lease=2.0), store(redis_server, lease=2.0)
    critical = Critical()
    holding = threading.Event()

    async def hold():
        await critical.run(holder, "lost", "holder", hold=2.0, entered=holding)

    async def arrive():
        await until(holding)
        redis_server.client().flushall()  # a restart without persistence
        await critical.run(newcomer, "lost", "newcomer")

    in_threads(hold, arrive)
    assert critical.entries == ["holder", "newcomer"] and critical.overlaps == 0
