"""The cluster as deployed: two Rasa servers behind nginx, PostgreSQL tracker store, Redis lock
store (conftest.py starts them). Conversations move between servers freely and lose nothing,
also when two servers get the same conversation at once, when a server dies and when Redis
restarts. The tests run in this order; the last one kills and restarts a server."""
import asyncio
import datetime
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List

import pytest
import requests
import socketio
import sqlalchemy as sa

from insights import store
from tests.cluster.cluster_client import (
    FAQS,
    GREETINGS,
    MID_CHECK_FAQ,
    ORIGIN,
    Patient,
    assert_screening_at,
    assert_turns_whole,
    run_async,
    user_texts,
)

pytestmark = pytest.mark.slow


MESSAGES_40 = {"sent": 0}  # what the 40 conversations sent, for the analytics test after them


def upstreams(cluster) -> List[str]:
    return [f"127.0.0.1:{port}" for port in cluster.rasa_ports]


def test_rest_is_round_robin_and_the_api_needs_the_token(cluster):
    patient = Patient(cluster.url)
    patient.say("hello")
    patient.say("What is an MRI?")
    assert patient.servers() == set(upstreams(cluster)), "consecutive messages alternate"
    assert user_texts(patient.tracker()) == ["hello", "What is an MRI?"]
    unauthorised = requests.get(f"{cluster.url}/conversations/{patient.sender}/tracker",
                                timeout=30)
    assert unauthorised.status_code == 401
    for i in range(2):  # the Rasa servers themselves listen on loopback, behind nginx
        assert requests.get(cluster.rasa_url(i), timeout=10).ok


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_socketio_through_nginx(cluster, transport):
    """The widget's channel: WebSocket upgrade through nginx, and long-polling, which works only
    if every request of the session reaches the same server."""
    async def talk() -> List[str]:
        client = socketio.AsyncClient(reconnection=False)
        answers: asyncio.Queue = asyncio.Queue()
        confirmed = asyncio.Event()
        client.on("session_confirm", lambda *_: confirmed.set())
        client.on("bot_uttered", answers.put_nowait)
        session = f"sio-{transport}-{time.monotonic_ns()}"
        await client.connect(cluster.url, socketio_path="socket.io", transports=[transport],
                             headers={"Origin": ORIGIN})
        try:
            await client.emit("session_request", {"session_id": session})
            await asyncio.wait_for(confirmed.wait(), 30)
            texts = []
            for message in ["hello", "What is an MRI?", "thanks"]:
                await client.emit("user_uttered", {"message": message, "session_id": session})
                texts.append((await asyncio.wait_for(answers.get(), 120)).get("text", ""))
                while not answers.empty():
                    answers.get_nowait()
            return texts
        finally:
            await client.disconnect()

    texts = run_async(talk)
    assert all(texts) and any("MRI" in t for t in texts), texts


def test_40_concurrent_conversations_move_between_servers(cluster):
    """Each conversation's consecutive messages are spread over both servers by nginx; every
    tracker holds exactly its own messages, in order, and its check is where it should be."""
    def converse(i: int) -> Patient:
        patient = Patient(cluster.url, f"c40-{i}")
        answered_no = 1 + i % 4
        for text in [GREETINGS[i % 4], FAQS[i % 4], "check my symptoms", *["no"] * answered_no]:
            patient.say(text)
        while len(patient.servers()) < 2 and len(patient.sent) < 16:
            patient.say(MID_CHECK_FAQ)  # the check stays at its question
        return patient

    started = time.monotonic()
    with ThreadPoolExecutor(40) as pool:
        patients = list(pool.map(converse, range(40)))
    elapsed = time.monotonic() - started
    messages = sum(len(p.sent) for p in patients)
    MESSAGES_40["sent"] = messages
    print(f"\n40 conversations, {messages} messages in {elapsed:.0f} s "
          f"({messages / elapsed:.1f}/s)")
    for i, patient in enumerate(patients):
        assert patient.servers() == set(upstreams(cluster)), (patient.sender, patient.upstreams)
        tracker = patient.tracker()
        assert user_texts(tracker) == patient.sent, patient.sender
        assert_turns_whole(tracker)
        assert_screening_at(tracker, answered_no=1 + i % 4)


def test_both_servers_publish_to_the_analytics_store(cluster):
    """Rasa's event broker of each server writes to the PostgreSQL analytics database, and the
    insights count from it: the 40 conversations above, each with its check started."""
    engine = store.engine_for(cluster.analytics_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT sender_id, data FROM events WHERE sender_id LIKE 'c40-%'")).all()
        users = [sender for sender, data in rows if json.loads(data)["event"] == "user"]
        assert len(set(users)) == 40 and len(users) == MESSAGES_40["sent"]
        today = datetime.datetime.now(datetime.timezone.utc).date()
        result = store.summary(engine, today - datetime.timedelta(days=1),
                               today + datetime.timedelta(days=1))
        assert result["conversations"] >= 40 and result["checks"]["started"] >= 40
    finally:
        engine.dispose()


def test_same_conversation_on_both_servers_at_the_same_moment(cluster):
    """Two answers of one conversation reach the two servers directly at the same moment, for
    ten conversations at once: the lock store serialises them, so both answers count, one
    question after the other, and no turn is interleaved or lost."""
    conversations, rounds = 10, 2
    patients = [Patient(cluster.url, f"same-{i}") for i in range(conversations)]
    for patient in patients:
        patient.say("check my symptoms", url=cluster.rasa_url(0))
    sent = {p.sender: ["check my symptoms"] for p in patients}
    barrier = threading.Barrier(2 * conversations)
    lock = threading.Lock()

    def answer(patient: Patient, server: int) -> None:
        barrier.wait(timeout=60)
        response = requests.post(f"{cluster.rasa_url(server)}/webhooks/rest/webhook",
                                 json={"sender": patient.sender, "message": "no"}, timeout=180)
        assert response.status_code == 200 and response.json(), response.text[:300]
        with lock:
            sent[patient.sender].append("no")

    with ThreadPoolExecutor(2 * conversations) as pool:
        for _ in range(rounds):
            jobs = [pool.submit(answer, p, s) for p in patients for s in (0, 1)]
            for job in jobs:
                job.result()
    for patient in patients:
        tracker = patient.tracker()
        assert user_texts(tracker) == sent[patient.sender] == ["check my symptoms"] + ["no"] * 4
        assert_turns_whole(tracker)
        assert_screening_at(tracker, answered_no=2 * rounds)


def run_conversations(cluster, name: str, count: int, answers: int, during) -> List[Patient]:
    """`count` patients each start the check and answer "no" `answers` times through nginx,
    surviving failures; `during(progress)` runs meanwhile, given the messages done so far."""
    patients = [Patient(cluster.url, f"{name}-{i}") for i in range(count)]
    done = [0]
    lock = threading.Lock()

    def converse(patient: Patient) -> None:
        for text in ["check my symptoms", *["no"] * answers]:
            patient.say_surely(text)
            with lock:
                done[0] += 1
            time.sleep(0.2)

    with ThreadPoolExecutor(count) as pool:
        jobs = [pool.submit(converse, p) for p in patients]
        during(lambda: done[0], count * (answers + 1))
        for job in jobs:
            job.result()
    for patient in patients:
        tracker = patient.tracker()
        assert user_texts(tracker) == patient.sent == ["check my symptoms"] + ["no"] * answers
        assert_turns_whole(tracker)
        assert_screening_at(tracker, answered_no=answers)
    return patients


def wait_for(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_redis_restart_mid_run(cluster):
    """Redis goes away for two seconds while 12 conversations run: messages wait for it (or
    fail cleanly, storing nothing, and are sent again); no state is lost."""
    outage = {}

    def restart_redis(progress, total):
        wait_for(lambda: progress() >= total // 3, 300)
        cluster.stop_redis()
        outage["down"] = time.monotonic()
        time.sleep(2)
        cluster.start_redis()
        outage["up"] = time.monotonic()

    patients = run_conversations(cluster, "redis", count=12, answers=6, during=restart_redis)
    assert outage["up"] - outage["down"] >= 2
    across = [t for p in patients for t in p.timings
              if t[0] < outage["up"] and t[1] > outage["down"]]
    assert across, "messages were sent while Redis was away, and answered"
    print(f"\n{len(across)} messages spanned the outage, longest "
          f"{max(t[1] - t[0] for t in across):.1f} s; retries after a failed message: "
          f"{sum(p.retries for p in patients)}")
    # the lock queues are back in use: a conversation still can't be taken twice at once
    patient = Patient(cluster.url, "after-redis")
    patient.say("check my symptoms")
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda s: requests.post(
            f"{cluster.rasa_url(s)}/webhooks/rest/webhook",
            json={"sender": patient.sender, "message": "no"}, timeout=180), (0, 1)))
    assert_screening_at(patient.tracker(), answered_no=2)


def test_a_server_killed_mid_run_and_restarted(cluster):
    """One Rasa server is killed (SIGKILL) while 12 conversations run: they carry on on the
    other with nothing lost; the restarted server takes its share again."""
    killed = upstreams(cluster)[1]
    back = threading.Event()
    restart = {}

    def restart_killed():
        try:  # returns once nginx routes to it again (it keeps a failed server out a while)
            cluster.restart_rasa(1)
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            restart["error"] = error
        back.set()

    def kill_and_restart(progress, total):
        wait_for(lambda: progress() >= total // 3, 300)
        cluster.kill_rasa(1)
        threading.Thread(target=restart_killed, daemon=True).start()

    patients = run_conversations(cluster, "kill", count=12, answers=6, during=kill_and_restart)
    print(f"\nretries after a failed message: {sum(p.retries for p in patients)}; longest "
          f"wait: {max(t[1] - t[0] for p in patients for t in p.timings):.1f} s")
    served_by_killed_before = [p for p in patients if killed in p.upstreams[:2]]
    assert served_by_killed_before, "some conversations had been on the killed server"
    assert back.wait(600), "the killed server did not restart"
    if "error" in restart:
        raise restart["error"]
    # back in rotation, so round-robin sends it one of the next messages
    patient = Patient(cluster.url, "rejoin")
    patient.say("check my symptoms")
    deadline = time.monotonic() + 60
    while killed not in patient.upstreams:
        assert time.monotonic() < deadline, patient.upstreams
        patient.say("what is a CT scan?")
    # and it sees the conversations continued while it was down
    survivor = served_by_killed_before[0]
    tracker = survivor.tracker(url=cluster.rasa_url(1))
    assert user_texts(tracker) == survivor.sent
    assert_screening_at(tracker, answered_no=6)
