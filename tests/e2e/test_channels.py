"""Messaging channels through a real Rasa server: a real inbound webhook request (signed as the
platform signs it) produces the right reply. Only the platforms' APIs, which can't be reached
from here, are replaced by a local recorder that the channels are pointed at through their
*_API_URL variables."""
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import yaml
from twilio.request_validator import RequestValidator

from scripts.stack import MODEL, Stack
from tests.e2e.servers import make_stack, screening_questions

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = yaml.safe_load((ROOT / "data/responses/faq.yml").read_text())["responses"]
QUESTIONS = screening_questions()
MRI_ANSWER = ANSWERS["utter_faq/mri_what"][0]["text"]

TELEGRAM_TOKEN = "123456:TEST-telegram-token"
TELEGRAM_BOT = "clinic_test_bot"
TELEGRAM_SECRET = "telegram-secret-" + uuid.uuid4().hex
SLACK_SECRET = "slack-signing-" + uuid.uuid4().hex
TWILIO_SID = "AC" + uuid.uuid4().hex
TWILIO_TOKEN = "twilio-auth-" + uuid.uuid4().hex
TWILIO_NUMBER = "+15550100000"
FACEBOOK_SECRET = "fb-app-secret-" + uuid.uuid4().hex
FACEBOOK_VERIFY = "fb-verify-" + uuid.uuid4().hex


# ---------------------------------------------------------------------------------------------
# The platforms' side: a recorder of the calls the channels make


class Recorder:
    """Answers the calls a channel makes to its platform's API as the platform would, and keeps
    them for the tests to look at."""

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []
        self.changed = threading.Condition()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.do_POST()

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, answer = recorder.record(self.command, self.path, self.headers, raw)
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def parse(headers: Any, raw: bytes) -> Dict[str, Any]:
        content_type = headers.get("Content-Type") or ""
        if "json" in content_type:
            return json.loads(raw or b"{}")
        if "multipart/form-data" in content_type:
            boundary = content_type.split("boundary=")[1].strip('"').encode()
            fields = {}
            for part in raw.split(b"--" + boundary):
                head, _, value = part.partition(b"\r\n\r\n")
                if b'name="' in head:
                    name = head.split(b'name="')[1].split(b'"')[0].decode()
                    fields[name] = value.rstrip(b"\r\n").decode()
            return fields
        return {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}

    def record(self, method: str, path: str, headers: Any, raw: bytes):
        url = urlparse(path)
        body = self.parse(headers, raw)
        platform = url.path.strip("/").split("/")[0]
        call = {"platform": platform, "method": method, "path": url.path,
                "query": parse_qs(url.query), "body": body,
                "authorization": headers.get("Authorization")}
        with self.changed:
            self.calls.append(call)
            self.changed.notify_all()
        return self.answer(call)

    @staticmethod
    def answer(call: Dict[str, Any]):
        body = call["body"]
        if call["platform"] == "telegram":
            api_method = call["path"].rsplit("/", 1)[-1].lower()
            if api_method == "getme":
                return 200, {"ok": True, "result": {"id": 123456, "is_bot": True,
                                                    "first_name": "Clinic",
                                                    "username": TELEGRAM_BOT}}
            if api_method == "sendmessage":
                return 200, {"ok": True, "result": {
                    "message_id": len(body), "date": int(time.time()), "text": body.get("text"),
                    "chat": {"id": int(body["chat_id"]), "type": "private"}}}
            return 200, {"ok": True, "result": True}
        if call["platform"] == "slack":
            return 200, {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"}
        if call["platform"] == "twilio":
            return 201, {"sid": "SM" + uuid.uuid4().hex, "account_sid": TWILIO_SID,
                         "to": body.get("To"), "from": body.get("From"),
                         "body": body.get("Body"), "status": "queued"}
        if call["platform"] == "facebook":
            return 200, {"recipient_id": body.get("recipient", {}).get("id"),
                         "message_id": "mid." + uuid.uuid4().hex}
        return 404, {"error": "unknown platform"}

    def wait_for(self, predicate: Callable[[Dict[str, Any]], bool], timeout: float = 60,
                 what: str = "a call") -> Dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for call in self.calls:
                    if predicate(call):
                        return call
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {what} within {timeout:.0f} s; calls: "
                                         + json.dumps(self.calls[-8:], indent=1)[-3000:])
                self.changed.wait(left)

    def matching(self, predicate: Callable[[Dict[str, Any]], bool]) -> List[Dict[str, Any]]:
        with self.changed:
            return [call for call in self.calls if predicate(call)]


@pytest.fixture(scope="module")
def recorder():
    rec = Recorder()
    yield rec
    rec.stop()


@pytest.fixture(scope="module")
def channels_stack(recorder, tmp_path_factory):
    """A second stack with all four messaging channels switched on from the environment."""
    if not MODEL.exists():
        pytest.fail("no trained model: run the suite with `make test`")
    run_dir = tmp_path_factory.mktemp("channels-stack")
    env = {
        "DATA_DIR": str(run_dir / "data"),
        "TELEGRAM_ACCESS_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_BOT_USERNAME": TELEGRAM_BOT,
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook",
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": recorder.url + "/telegram",
        "SLACK_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_API_URL": recorder.url + "/slack/",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_NUMBER": TWILIO_NUMBER,
        "TWILIO_API_URL": recorder.url + "/twilio",
        "FACEBOOK_VERIFY_TOKEN": FACEBOOK_VERIFY,
        "FACEBOOK_APP_SECRET": FACEBOOK_SECRET,
        "FACEBOOK_PAGE_ACCESS_TOKEN": "fb-page-token",
        "FACEBOOK_API_URL": recorder.url + "/facebook",
    }
    servers = make_stack(run_dir, **env)
    servers.start()
    print(f"channel stack logs: {run_dir / 'logs'}")
    yield servers
    servers.stop()


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def quiet_for(recorder: Recorder, predicate: Callable[[Dict[str, Any]], bool],
              seconds: float = 3) -> None:
    time.sleep(seconds)
    assert not recorder.matching(predicate), "a refused request was answered"


# ---------------------------------------------------------------------------------------------
# Without their variables the channels are not started




def test_every_channel_is_on_with_its_variables(channels_stack):
    for name in ("telegram", "slack", "twilio", "facebook"):
        answer = requests.get(f"{channels_stack.url}/webhooks/{name}/", timeout=10)
        assert answer.status_code == 200, name


# ---------------------------------------------------------------------------------------------
# Text-only replies






# ---------------------------------------------------------------------------------------------
# Telegram


def telegram_post(stack: Stack, update: Dict[str, Any], secret: Optional[str] = TELEGRAM_SECRET):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    return requests.post(f"{stack.url}/webhooks/telegram/webhook", json=update,
                         headers=headers, timeout=60)


def telegram_message(chat_id: int, text: str) -> Dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Pat"}
    return {"update_id": chat_id % 100000, "message": {
        "message_id": 1, "date": int(time.time()), "text": text, "from": user,
        "chat": {"id": chat_id, "type": "private", "first_name": "Pat"}}}


def telegram_button(chat_id: int, data: str) -> Dict[str, Any]:
    user = {"id": chat_id, "is_bot": False, "first_name": "Pat"}
    return {"update_id": chat_id % 100000 + 1, "callback_query": {
        "id": "cb" + new_id(), "from": user, "chat_instance": "1", "data": data,
        "message": {"message_id": 2, "date": int(time.time()), "text": "question",
                    "chat": {"id": chat_id, "type": "private"}}}}


def telegram_sent(chat_id: int, contains: str) -> Callable[[Dict[str, Any]], bool]:
    return lambda call: (call["platform"] == "telegram"
                         and call["path"].endswith("/sendMessage")
                         and call["body"].get("chat_id") == str(chat_id)
                         and contains in call["body"].get("text", ""))


def test_telegram_registers_its_webhook_with_the_secret(channels_stack, recorder):
    call = recorder.wait_for(lambda c: c["path"].endswith("/setWebhook"), what="setWebhook")
    assert call["path"] == f"/telegram/bot{TELEGRAM_TOKEN}/setWebhook"
    assert call["body"]["url"] == "https://bot.example.org/webhooks/telegram/webhook"
    assert call["body"]["secret_token"] == TELEGRAM_SECRET


def test_telegram_question_is_answered(channels_stack, recorder):
    chat_id = int(time.time() * 1000) % 10**9
    assert telegram_post(channels_stack, telegram_message(chat_id, "What is an MRI?")).ok
    recorder.wait_for(telegram_sent(chat_id, "not a diagnosis"), what="the disclaimer")
    recorder.wait_for(telegram_sent(chat_id, MRI_ANSWER), what="the MRI answer")


def test_telegram_buttons_are_inline_keyboards(channels_stack, recorder):
    chat_id = int(time.time() * 1000) % 10**9 + 7
    assert telegram_post(channels_stack, telegram_message(chat_id, "/start")).ok
    greeting = recorder.wait_for(telegram_sent(chat_id, "What would you like to know?"),
                                 what="the greeting")
    keyboard = json.loads(greeting["body"]["reply_markup"])["inline_keyboard"]
    assert "/start_screening" in [b["callback_data"] for row in keyboard for b in row]

    assert telegram_post(channels_stack, telegram_button(chat_id, "/start_screening")).ok
    question = recorder.wait_for(telegram_sent(chat_id, QUESTIONS["bladder_bowel_change"]),
                                 what="the first question")
    keyboard = json.loads(question["body"]["reply_markup"])["inline_keyboard"]
    assert [b["callback_data"] for row in keyboard for b in row] == ["/affirm", "/deny", "/unsure"]
    recorder.wait_for(lambda c: c["path"].endswith("/answerCallbackQuery"),
                      what="answerCallbackQuery")

    assert telegram_post(channels_stack, telegram_button(chat_id, "/affirm")).ok
    recorder.wait_for(telegram_sent(chat_id, "Call 911"), what="the emergency advice")
    assert not recorder.matching(telegram_sent(chat_id, "triage_level"))


def test_telegram_refuses_updates_without_the_secret(channels_stack, recorder):
    chat_id = int(time.time() * 1000) % 10**9 + 13
    answer = telegram_post(channels_stack, telegram_message(chat_id, "hello"), secret="wrong")
    assert answer.status_code == 403
    answer = telegram_post(channels_stack, telegram_message(chat_id, "hello"), secret=None)
    assert answer.status_code == 403
    quiet_for(recorder, telegram_sent(chat_id, ""))


# ---------------------------------------------------------------------------------------------
# Slack


def slack_signed(body: bytes, secret: str = SLACK_SECRET) -> Dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body,
                      hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


def slack_event(stack: Stack, user: str, channel: str, text: str, secret: str = SLACK_SECRET):
    body = json.dumps({
        "token": "unused", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
        "event_id": "Ev" + new_id(), "event_time": int(time.time()),
        "authorizations": [{"user_id": "UBOT"}],
        "event": {"type": "message", "channel_type": "im", "channel": channel, "user": user,
                  "text": text, "ts": f"{time.time():.6f}"},
    }).encode()
    headers = {"Content-Type": "application/json", **slack_signed(body, secret)}
    return requests.post(f"{stack.url}/webhooks/slack/webhook", data=body, headers=headers,
                         timeout=60)


def slack_posted(channel: str, contains: str) -> Callable[[Dict[str, Any]], bool]:
    return lambda call: (call["platform"] == "slack"
                         and call["path"].endswith("/chat.postMessage")
                         and call["body"].get("channel") == channel
                         and contains in call["body"].get("text", ""))


def test_slack_url_verification(channels_stack):
    body = json.dumps({"token": "x", "challenge": "challenge-123",
                       "type": "url_verification"}).encode()
    answer = requests.post(f"{channels_stack.url}/webhooks/slack/webhook", data=body,
                           headers={"Content-Type": "application/json", **slack_signed(body)},
                           timeout=30)
    assert answer.json() == {"challenge": "challenge-123"}


def test_slack_question_is_answered(channels_stack, recorder):
    user, channel = "U" + new_id(), "D" + new_id()
    assert slack_event(channels_stack, user, channel, "What is an MRI?").ok
    call = recorder.wait_for(slack_posted(channel, MRI_ANSWER), what="the MRI answer")
    assert call["authorization"] == "Bearer xoxb-test-token"


def test_slack_button_click_gets_buttons(channels_stack, recorder):
    user, channel = "U" + new_id(), "D" + new_id()
    payload = json.dumps({
        "type": "block_actions", "user": {"id": user}, "channel": {"id": channel},
        "message": {"ts": f"{time.time():.6f}"},
        "actions": [{"type": "button", "value": "/start_screening", "action_id": "a1"}]})
    body = "payload=" + requests.utils.quote(payload)
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               **slack_signed(body.encode())}
    assert requests.post(f"{channels_stack.url}/webhooks/slack/webhook", data=body,
                         headers=headers, timeout=60).ok
    call = recorder.wait_for(slack_posted(channel, QUESTIONS["bladder_bowel_change"]),
                             what="the first question")
    actions = [b for b in call["body"]["blocks"] if b["type"] == "actions"][0]
    assert [e["value"] for e in actions["elements"]] == ["/affirm", "/deny", "/unsure"]


def test_slack_refuses_a_wrong_signature(channels_stack, recorder):
    user, channel = "U" + new_id(), "D" + new_id()
    answer = slack_event(channels_stack, user, channel, "hello", secret="not-the-secret")
    assert answer.status_code == 400
    quiet_for(recorder, slack_posted(channel, ""))


# ---------------------------------------------------------------------------------------------
# Twilio: SMS and WhatsApp


def twilio_post(stack: Stack, sender: str, text: str, to: str = TWILIO_NUMBER,
                token: str = TWILIO_TOKEN):
    url = f"{stack.url}/webhooks/twilio/webhook"
    form = {"From": sender, "To": to, "Body": text, "AccountSid": TWILIO_SID,
            "MessageSid": "SM" + new_id(), "NumMedia": "0"}
    signature = RequestValidator(token).compute_signature(url, form)
    return requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=60)


def twilio_sent(to: str, contains: str) -> Callable[[Dict[str, Any]], bool]:
    return lambda call: (call["platform"] == "twilio"
                         and call["path"]
                         == f"/twilio/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
                         and call["body"].get("To") == to
                         and contains in call["body"].get("Body", ""))


def test_twilio_sms_question_is_answered(channels_stack, recorder):
    sender = "+1555" + str(int(time.time() * 1000))[-7:]
    answer = twilio_post(channels_stack, sender, "What is an MRI?")
    assert answer.ok and "<Response>" in answer.text
    call = recorder.wait_for(twilio_sent(sender, MRI_ANSWER), what="the MRI answer")
    assert call["body"]["From"] == TWILIO_NUMBER
    assert call["authorization"].startswith("Basic ")


def test_twilio_buttons_are_numbered_and_answered_by_number_or_words(channels_stack, recorder):
    sender = "+1555" + str(int(time.time() * 1000) + 1)[-7:]
    assert twilio_post(channels_stack, sender, "check my symptoms").ok
    call = recorder.wait_for(twilio_sent(sender, QUESTIONS["bladder_bowel_change"]),
                             what="the first question")
    assert "1. Yes\n2. No\n3. Not sure" in call["body"]["Body"]

    assert twilio_post(channels_stack, sender, "2").ok  # No
    call = recorder.wait_for(twilio_sent(sender, QUESTIONS["saddle_numbness"]),
                             what="the second question")
    assert "1. Yes\n2. No\n3. Not sure" in call["body"]["Body"]

    assert twilio_post(channels_stack, sender, "Not sure").ok  # counts as yes: emergency
    recorder.wait_for(twilio_sent(sender, "Call 911"), what="the emergency advice")
    assert not recorder.matching(twilio_sent(sender, "triage_level"))


def test_twilio_whatsapp_replies_from_the_whatsapp_number(channels_stack, recorder):
    sender = "whatsapp:+4477" + str(int(time.time() * 1000))[-8:]
    bot_number = "whatsapp:+14155238886"
    assert twilio_post(channels_stack, sender, "What is an MRI?", to=bot_number).ok
    call = recorder.wait_for(twilio_sent(sender, MRI_ANSWER), what="the MRI answer")
    assert call["body"]["From"] == bot_number


def test_twilio_refuses_a_wrong_signature(channels_stack, recorder):
    sender = "+1555" + str(int(time.time() * 1000) + 2)[-7:]
    answer = twilio_post(channels_stack, sender, "hello", token="not-the-token")
    assert answer.status_code == 403
    quiet_for(recorder, twilio_sent(sender, ""))


# ---------------------------------------------------------------------------------------------
# Facebook Messenger


def facebook_post(stack: Stack, event: Dict[str, Any], secret: str = FACEBOOK_SECRET,
                  header: str = "X-Hub-Signature"):
    body = json.dumps({"object": "page", "entry": [
        {"id": "PAGE1", "time": int(time.time() * 1000), "messaging": [event]}]}).encode()
    algorithm = "sha256" if header.endswith("256") else "sha1"
    digest = hmac.new(secret.encode(), body, getattr(hashlib, algorithm)).hexdigest()
    return requests.post(f"{stack.url}/webhooks/facebook/webhook", data=body, timeout=60,
                         headers={"Content-Type": "application/json",
                                  header: f"{algorithm}={digest}"})


def facebook_message(user: str, text: str, quick_reply: Optional[str] = None) -> Dict[str, Any]:
    message: Dict[str, Any] = {"mid": "m_" + new_id(), "text": text}
    if quick_reply:
        message["quick_reply"] = {"payload": quick_reply}
    return {"sender": {"id": user}, "recipient": {"id": "PAGE1"},
            "timestamp": int(time.time() * 1000), "message": message}


def facebook_sent(user: str, contains: str) -> Callable[[Dict[str, Any]], bool]:
    return lambda call: (call["platform"] == "facebook"
                         and call["path"].endswith("/me/messages")
                         and call["body"].get("recipient", {}).get("id") == user
                         and contains in (call["body"].get("message") or {}).get("text", ""))


def test_facebook_webhook_verification(channels_stack):
    params = {"hub.mode": "subscribe", "hub.verify_token": FACEBOOK_VERIFY,
              "hub.challenge": "1158201444"}
    url = f"{channels_stack.url}/webhooks/facebook/webhook"
    assert requests.get(url, params=params, timeout=30).text == "1158201444"
    params["hub.verify_token"] = "wrong"
    assert requests.get(url, params=params, timeout=30).status_code == 403


def test_facebook_question_is_answered(channels_stack, recorder):
    user = "PSID" + new_id()
    assert facebook_post(channels_stack, facebook_message(user, "What is an MRI?")).ok
    call = recorder.wait_for(facebook_sent(user, MRI_ANSWER), what="the MRI answer")
    assert call["query"]["access_token"] == ["fb-page-token"]
    assert call["body"]["messaging_type"] == "RESPONSE"


def test_facebook_quick_replies(channels_stack, recorder):
    user = "PSID" + new_id()
    event = facebook_message(user, "Check my symptoms", quick_reply="/start_screening")
    assert facebook_post(channels_stack, event, header="X-Hub-Signature-256").ok
    call = recorder.wait_for(facebook_sent(user, QUESTIONS["bladder_bowel_change"]),
                             what="the first question")
    replies = call["body"]["message"]["quick_replies"]
    assert [r["payload"] for r in replies] == ["/affirm", "/deny", "/unsure"]
    assert [r["title"] for r in replies] == ["Yes", "No", "Not sure"]


def test_facebook_refuses_a_wrong_signature(channels_stack, recorder):
    user = "PSID" + new_id()
    answer = facebook_post(channels_stack, facebook_message(user, "hello"), secret="wrong")
    assert answer.status_code == 403
    quiet_for(recorder, lambda c: c["platform"] == "facebook"
              and c["body"].get("recipient", {}).get("id") == user)
