"""Security and bad input through the real servers (the session stack): the HTTP API only with
its token, CORS and socket.io origins, and malformed, odd or excessive input. None of it may give
a 5xx, a crash, a hang or a lost conversation: after each case a conversation that was in the
middle of the check still has its answers and still gets a normal question answered."""
import asyncio
import re
import sqlite3
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List

import aiohttp
import pytest
import requests

from rasa_server import limits
from scripts.stack import Stack
from tests.e2e.servers import API_TOKEN, Chat, screening_questions

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = screening_questions()
MRI = "An MRI is one of the most powerful tests"
ANSWER_SLOTS = ("bladder_bowel_change", "saddle_numbness", "leg_weakness", "leg_numbness")
EVIL = "http://evil.example"


def webhook(stack: Stack) -> str:
    return f"{stack.url}/webhooks/rest/webhook"


def post(stack: Stack, body: Any = None, data: bytes = None, timeout: float = 60
         ) -> requests.Response:
    if data is None:
        return requests.post(webhook(stack), json=body, timeout=timeout)
    return requests.post(webhook(stack), data=data, timeout=timeout,
                         headers={"Content-Type": "application/json"})


def texts(response: requests.Response) -> str:
    return "\n".join(m.get("text") or "" for m in response.json())


def db_file(stack: Stack) -> Path:
    return Path(stack.env["DATA_DIR"]) / "conversations.db"


def stored_events(stack: Stack, sender: str) -> List[str]:
    with sqlite3.connect(db_file(stack)) as db:
        return [row[0] for row in db.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))]


# ---------------------------------------------------------------------------------------------
# A conversation in the middle of the check, and the proof that it is intact


@pytest.fixture(scope="module")
def patient(stack) -> Chat:
    """Has answered two questions of the check; the third is pending."""
    chat = Chat(stack)
    chat.say("check my symptoms")
    chat.say("no")
    assert chat.say("no")[-1]["text"] == QUESTIONS["leg_weakness"]
    return chat


def state(chat: Chat) -> Dict[str, Any]:
    tracker = chat.tracker()
    return {"answers": {s: tracker["slots"][s] for s in ANSWER_SLOTS},
            "requested_slot": tracker["slots"]["requested_slot"],
            "active_loop": (tracker.get("active_loop") or {}).get("name"),
            "events": len(tracker["events"])}


@pytest.fixture
def intact(patient):
    """Checks, after the test, that the patient's conversation is as it was and still answers
    a question (the FAQ answer, then the pending question again)."""
    before = state(patient)
    yield before
    after = state(patient)
    assert after == before, "the running conversation changed"
    replies = patient.say("what is an MRI?")
    assert MRI in replies[0]["text"]
    assert replies[-1]["text"] == QUESTIONS["leg_weakness"]


# ---------------------------------------------------------------------------------------------
# The HTTP API


def api_routes() -> List[tuple]:
    """Every route of Rasa's HTTP API, read from rasa/server.py (so a new one is covered)."""
    import rasa

    source = (Path(rasa.__file__).parent / "server.py").read_text()
    routes = re.findall(r'@app\.(get|post|put|delete)\("([^"]+)"\)', source)
    assert len(routes) > 15
    return [(method.upper(), path.replace("<conversation_id:path>", "someone"))
            for method, path in routes if path != "/"]


@pytest.mark.parametrize("method,path", api_routes())
def test_every_api_route_needs_the_token(stack, method, path):
    for params in ({}, {"token": "wrong-" + API_TOKEN}):
        response = requests.request(method, stack.url + path, params=params, json={}, timeout=30)
        assert response.status_code == 401, (params, response.text[:200])


def test_api_answers_with_the_token(stack):
    for path in ("/status", "/version"):
        response = requests.get(stack.url + path, params={"token": API_TOKEN}, timeout=30)
        assert response.status_code == 200, path




# ---------------------------------------------------------------------------------------------
# Origins


def test_cors_allows_only_the_configured_origins(stack):
    allowed = stack.origins()[0]
    for origin, expected in ((allowed, allowed), (EVIL, None)):
        response = requests.options(webhook(stack), timeout=30, headers={
            "Origin": origin, "Access-Control-Request-Method": "POST"})
        assert response.headers.get("Access-Control-Allow-Origin") == expected, origin
        response = requests.post(webhook(stack), json={"sender": "cors-" + uuid.uuid4().hex,
                                                       "message": "hi"},
                                 headers={"Origin": origin}, timeout=60)
        assert response.headers.get("Access-Control-Allow-Origin") == expected, origin




def test_socket_io_accepts_only_the_configured_origins(stack):
    handshake = f"{stack.url}/socket.io/?EIO=4&transport=polling"
    allowed = stack.origins()[0]
    ok = requests.get(handshake, headers={"Origin": allowed}, timeout=30)
    assert ok.status_code == 200 and '"sid"' in ok.text
    assert ok.headers.get("Access-Control-Allow-Origin") == allowed
    assert requests.get(handshake, headers={"Origin": EVIL}, timeout=30).status_code == 400

    async def websocket(origin: str) -> bool:
        url = f"{stack.url}/socket.io/?EIO=4&transport=websocket".replace("http", "ws", 1)
        async with aiohttp.ClientSession() as session:
            try:
                async with session.ws_connect(url, origin=origin, timeout=10) as ws:
                    message = await ws.receive(timeout=10)
                    return message.type == aiohttp.WSMsgType.TEXT and '"sid"' in message.data
            except aiohttp.WSServerHandshakeError:
                return False

    assert asyncio.run(websocket(allowed))
    assert not asyncio.run(websocket(EVIL)), "a page elsewhere must not open a socket"


# ---------------------------------------------------------------------------------------------
# Messages that are not processed: a polite answer or a 4xx, nothing stored


@pytest.mark.parametrize("text", ["", "   ", " \n\t "])
def test_empty_message_is_answered_and_not_stored(stack, patient, intact, text):
    response = post(stack, {"sender": patient.sender, "message": text})
    assert response.status_code == 200
    assert "didn't get any text" in texts(response)


def test_200_kb_message_gets_a_polite_answer_and_nothing_is_stored(stack, patient, intact):
    marker = "LONG" + uuid.uuid4().hex
    text = (marker + " ") + "x" * 200 * 1024
    started = time.monotonic()
    response = post(stack, {"sender": patient.sender, "message": text})
    assert response.status_code == 200
    assert time.monotonic() - started < 10
    assert "too long" in texts(response) and str(limits.MAX_MESSAGE_CHARS) in texts(response)
    assert marker.encode() not in db_file(stack).read_bytes()


def test_message_at_the_limit_is_processed(stack):
    chat = Chat(stack)
    text = "what is an MRI? " + "please " * ((limits.MAX_MESSAGE_CHARS - 16) // 7)
    assert len(text) <= limits.MAX_MESSAGE_CHARS
    assert "too long" not in chat.texts(text)
    assert "too long" in chat.texts(text + "x" * (limits.MAX_MESSAGE_CHARS - len(text) + 1))


@pytest.mark.parametrize("body,code", [
    ({"message": 42}, "invalid_message"),
    ({"message": 4.2}, "invalid_message"),
    ({"message": True}, "invalid_message"),
    ({"message": ["hi"]}, "invalid_message"),
    ({"message": {"text": "hi"}}, "invalid_message"),
    ({"message": None}, "missing_message"),
    ({}, "missing_message"),
], ids=["int", "float", "bool", "list", "object", "null", "missing"])
def test_message_not_a_string_is_a_clean_400(stack, patient, intact, body, code):
    response = post(stack, {"sender": patient.sender, **body})
    assert response.status_code == 400
    assert response.json()["error"] == code and response.json()["message"]


@pytest.mark.parametrize("sender,code", [
    (None, "missing_sender"),
    ("", "invalid_sender"),
    ("it's \"me\"", "invalid_sender"),
    ("x'; DROP TABLE events; --", "invalid_sender"),
    ("1 OR 1=1", "invalid_sender"),
    ("../../etc/passwd", "invalid_sender"),
    ("a" * 10 * 1024, "invalid_sender"),
    ("a" * (limits.MAX_SENDER_ID_CHARS + 1), "invalid_sender"),
    (["a"], "invalid_sender"),
], ids=["missing", "empty", "quotes", "sql", "sql-or", "path", "10kb", "over-limit", "list"])
def test_odd_sender_is_a_clean_400(stack, intact, sender, code):
    body = {"message": "what is an MRI?"}
    if sender is not None:
        body["sender"] = sender
    response = post(stack, body)
    assert response.status_code == 400
    assert response.json()["error"] == code
    with sqlite3.connect(db_file(stack)) as db:
        assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] > 0, "table intact"
        if isinstance(sender, str) and sender:
            assert not db.execute("SELECT 1 FROM events WHERE sender_id = ?",
                                  (sender,)).fetchall()


def test_longest_valid_sender_is_accepted(stack):
    chat = Chat(stack, sender="a:b.c@d+e-f_" + "x" * (limits.MAX_SENDER_ID_CHARS - 12))
    assert MRI in chat.texts("what is an MRI?")


@pytest.mark.parametrize("data,code", [
    (b'{"sender": "x", "message": "hi"', "invalid_json"),
    (b"not json at all", "invalid_json"),
    (b"", "invalid_json"),
    (b'{"sender": "x", "message": "caf\xe9 \xff\xfe"}', "invalid_encoding"),
    (b'[{"sender": "x", "message": "hi"}]', "invalid_body"),
    (b'"hi"', "invalid_body"),
    (b"42", "invalid_body"),
    (b"null", "invalid_body"),
    (b"[" * 100000 + b"]" * 100000, "invalid_json"),
    (b'{"sender": "x", "message": "hi", "n": ' + b"9" * 5000 + b"}", "invalid_json"),
], ids=["truncated", "text", "empty", "utf8", "array", "string", "number", "null", "nested",
        "huge-number"])
def test_malformed_body_is_a_clean_400(stack, intact, data, code):
    response = post(stack, data=data)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"] == code


def test_oversized_body_is_a_clean_413(stack, patient, intact):
    import rasa_server.channels.rest

    data = b'{"sender": "%s", "message": "%s"}' % (
        patient.sender.encode(), b"x" * (rasa_server.channels.rest.MAX_BODY_BYTES + 1))
    response = post(stack, data=data)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_client_metadata_is_not_stored(stack, intact):
    sender = "meta-" + uuid.uuid4().hex
    marker = "META" + uuid.uuid4().hex
    response = post(stack, {"sender": sender, "message": "what is an MRI?",
                            "metadata": {"note": marker}, "input_channel": "admin"})
    assert response.status_code == 200 and MRI in texts(response)
    events = stored_events(stack, sender)
    assert events and not any(marker in e for e in events)
    assert all('"input_channel": "admin"' not in e for e in events)


# ---------------------------------------------------------------------------------------------
# Odd but valid text: processed like any other message


@pytest.mark.parametrize("text,stored", [
    ("what is\x00 an\x07 MRI\x1b?\x7f", "what is an MRI?"),
    ("what is an\r\nMRI?", "what is an MRI?"),
    ("what\u0085 is an MRI?", "what is an MRI?"),
])
def test_control_characters_are_removed(stack, intact, text, stored):
    chat = Chat(stack)
    assert MRI in chat.texts(text)
    assert chat.tracker()["latest_message"]["text"] == stored


@pytest.mark.parametrize("text", [
    "😀 what is an MRI? 🙏🏽",
    "👩‍⚕️🩻",
    "ما هو التصوير بالرنين المغناطيسي؟",
    "\u200fמה זה MRI?\u200f",
    "\u202ewhat is an MRI?\u202c",
])
def test_emoji_and_right_to_left_text(stack, intact, text):
    chat = Chat(stack)
    response = post(stack, {"sender": chat.sender, "message": text})
    assert response.status_code == 200 and response.json()
    assert chat.tracker()["latest_message"]["text"] == text


@pytest.mark.parametrize("text", [
    "<script>alert('x')</script> what is an MRI?",
    "<img src=x onerror=alert(1)>",
    "</div><iframe src='javascript:alert(1)'></iframe>",
    "{{7*7}} ${7*7} {emergency_number} %s %(text)s",
])
def test_html_script_and_template_text(stack, intact, text):
    response = post(stack, {"sender": "html-" + uuid.uuid4().hex, "message": text})
    assert response.status_code == 200
    answer = texts(response)
    assert answer
    for fragment in ("<script", "<img", "<iframe", "onerror", "49", "%(text)s"):
        assert fragment not in answer


# ---------------------------------------------------------------------------------------------
# A burst


def test_burst_of_500_from_one_sender_is_bounded_and_others_keep_their_turn(stack, intact):
    flooder = "burst-" + uuid.uuid4().hex

    def say(text: str) -> requests.Response:
        return requests.post(webhook(stack), json={"sender": flooder, "message": text},
                             timeout=120)

    def flood(_: int) -> tuple:
        response = say("what is an MRI?")
        if response.status_code != 429:
            return response.status_code, None
        return 429, (response.json()["error"], int(response.headers["Retry-After"]))

    started = time.monotonic()
    others: List[float] = []
    with ThreadPoolExecutor(50) as pool:
        burst = [pool.submit(flood, i) for i in range(500)]
        while not all(f.done() for f in burst):
            chat = Chat(stack)
            asked = time.monotonic()
            assert MRI in chat.texts("what is an MRI?")
            others.append(time.monotonic() - asked)
        results = [f.result() for f in burst]
    elapsed = time.monotonic() - started
    statuses = [status for status, _ in results]
    print(f"burst: {elapsed:.1f} s, {statuses.count(200)} answered, {statuses.count(429)} "
          f"refused, others answered in at most {max(others or [0]):.2f} s ({len(others)})")
    assert set(statuses) <= {200, 429}
    assert statuses.count(429) > 0 and statuses.count(200) > 0
    assert all(refusal[0] == "too_many_requests" and refusal[1] >= 1
               for status, refusal in results if status == 429)
    assert elapsed < 90, "the burst ends by itself"
    assert others, "other senders keep getting answers"
    assert statistics.median(others) < 5 and max(others) < 30, sorted(others)
    deadline = time.monotonic() + 10
    while True:  # the flooder can talk again soon
        again = say("what is an MRI?")
        if again.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert again.status_code == 200 and MRI in texts(again)


# ---------------------------------------------------------------------------------------------
# The same limits on the website widget's channel (socket.io)


def test_socket_io_messages_get_the_same_limits(stack):
    import socketio

    session_id = "socket-" + uuid.uuid4().hex
    marker = "LONG" + uuid.uuid4().hex

    async def converse() -> List[List[str]]:
        client = socketio.AsyncClient()
        answers: asyncio.Queue = asyncio.Queue()
        confirmed = asyncio.Event()
        client.on("bot_uttered", lambda data: answers.put_nowait(data.get("text") or ""))
        client.on("session_confirm", lambda data: confirmed.set())
        await client.connect(stack.url, transports=["websocket"],
                             headers={"Origin": stack.origins()[0]})
        try:
            await client.emit("session_request", {"session_id": session_id})
            await asyncio.wait_for(confirmed.wait(), 10)
            received = []
            for text in (marker + " " + "x" * 5000, "  \t ", "what is an MRI?"):
                await client.emit("user_uttered", {"message": text, "session_id": session_id})
                texts_ = [await asyncio.wait_for(answers.get(), 30)]
                await asyncio.sleep(1.5)  # collect the rest of this turn's messages
                while not answers.empty():
                    texts_.append(answers.get_nowait())
                received.append(texts_)
            return received
        finally:
            await client.disconnect()

    too_long, empty, question = asyncio.run(converse())
    assert any("too long" in t for t in too_long)
    assert any("didn't get any text" in t for t in empty)
    assert any(MRI in t for t in question)
    events = stored_events(stack, session_id)
    assert events and not any(marker in e for e in events), "only the question is stored"
    assert marker.encode() not in db_file(stack).read_bytes()
