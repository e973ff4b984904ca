"""Messaging channels: Telegram, Slack, Twilio (SMS and WhatsApp) and Facebook Messenger.

Each is Rasa's own channel, subclassed so that:
- it starts only from its environment variables (scripts/credentials.py) and never crashes the
  server's start-up on a network error (Telegram's webhook is registered in the background);
- the platform's API base URL can be changed (TELEGRAM_API_URL, SLACK_API_URL, TWILIO_API_URL,
  FACEBOOK_API_URL): a self-hosted Bot API server, a proxy, or the tests' local recorder;
- inbound requests are authenticated where the platform signs them: Slack's signing secret (Rasa),
  Facebook's X-Hub-Signature-256 / X-Hub-Signature, Twilio's X-Twilio-Signature, and Telegram's
  secret token header (TELEGRAM_SECRET_TOKEN);
- buttons degrade well: where a platform cannot show them (SMS, WhatsApp; too many or too long
  buttons elsewhere) they become numbered options, and on every channel the user may answer a
  question that offered buttons by its number ("2") or its words ("not sure");
- the screening outcome's level payload ({"triage_level": ...}), which the website widget uses to
  style the advice, is not sent: the advice itself is in the message text;
- the blocking HTTP clients (Twilio, Facebook) run off the event loop.
"""
import asyncio
import hashlib
import hmac
import json
import logging
import re
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from aiogram import Bot
from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer
from fbmessenger import MessengerClient
from fbmessenger.elements import Text as FBText
from fbmessenger.sender_actions import SenderAction
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput, Messenger, MessengerBot
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
Buttons = List[Dict[Text, Any]]

# ---------------------------------------------------------------------------------------------
# Buttons as numbered options, and answers by number or by words


def numbered_options(text: Text, buttons: Buttons) -> Text:
    """A question with buttons, for a screen that shows text only."""
    lines = [text.rstrip(), ""]
    lines += [f"{number}. {button['title']}" for number, button in enumerate(buttons, 1)]
    lines.append("Reply with a number or in your own words.")
    return "\n".join(lines)


def _words(text: Text) -> Text:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


_NUMBER = re.compile(r"\s*(?:#|no\.?\s*|number\s*|option\s*)?(\d{1,2})\s*[.)]?\s*", re.IGNORECASE)


def resolve_choice(text: Text, buttons: Buttons) -> Text:
    """The payload of the button that `text` names by its number or its title, else `text`."""
    if not buttons or not text:
        return text
    match = _NUMBER.fullmatch(text)
    if match:
        number = int(match.group(1))
        if 1 <= number <= len(buttons):
            return buttons[number - 1]["payload"]
        return text
    words = _words(text)
    for button in buttons:
        if words and _words(str(button.get("title", ""))) == words:
            return button["payload"]
    return text


async def offered_buttons(agent: Any, sender_id: Text) -> Buttons:
    """The buttons of the assistant's last turn in this conversation (none once the user spoke)."""
    try:
        tracker = await agent.tracker_store.retrieve(sender_id)
    except Exception:  # a store error must not lose the message: answer it as typed
        logger.exception("could not read the conversation to resolve a numbered answer")
        return []
    for event in reversed(tracker.events if tracker else []):
        if isinstance(event, UserUttered):
            return []
        if isinstance(event, BotUttered):
            buttons = event.data.get("buttons") or event.data.get("quick_replies")
            if buttons:
                return [b for b in buttons if isinstance(b, dict) and b.get("payload")]
    return []


def split_text(text: Text, limit: int) -> List[Text]:
    """`text` in pieces of at most `limit` characters, cut at blank lines, lines or spaces."""
    text = text.strip()
    pieces: List[Text] = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit))
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def is_level_payload(json_message: Any) -> bool:
    return isinstance(json_message, dict) and "triage_level" in json_message


class ChoiceAnswers:
    """For input channels: an answer by number or words becomes the offered button's payload."""

    _agent: Any = None

    def _resolving(self, on_new_message: OnNewMessage) -> OnNewMessage:
        async def handler(message: UserMessage) -> None:
            if self._agent is not None and message.text and message.sender_id:
                buttons = await offered_buttons(self._agent, message.sender_id)
                message.text = resolve_choice(message.text, buttons)
            await on_new_message(message)

        return handler

    def _remember_agent(self, blueprint: Blueprint) -> None:
        @blueprint.middleware("request")
        async def remember_agent(request: Request) -> None:
            self._agent = getattr(request.app.ctx, "agent", None)


# ---------------------------------------------------------------------------------------------
# Telegram


class TelegramBot(TelegramOutput):
    """Telegram's output at a configurable Bot API server, with getMe asked once."""

    def __init__(self, access_token: Text, api_url: Optional[Text] = None) -> None:
        server = TelegramAPIServer.from_base(api_url) if api_url else TELEGRAM_PRODUCTION
        Bot.__init__(self, access_token, server=server)
        self._me: Any = None

    async def get_me(self) -> Any:
        if self._me is None:
            self._me = await super().get_me()
        return self._me

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for piece in split_text(text, 4096):
            await self.send_message(recipient_id, piece)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: Buttons,
                                     button_type: Optional[Text] = None, **kwargs: Any) -> None:
        if len(text) > 4096 or any(len(str(b["payload"]).encode()) > 64 for b in buttons):
            # callback data is limited to 64 bytes
            await self.send_text_message(recipient_id, numbered_options(text, buttons))
            return
        if button_type is None:
            short = len(buttons) <= 3 and all(len(str(b["title"])) <= 12 for b in buttons)
            button_type = "inline" if short else "vertical"
        await super().send_text_with_buttons(recipient_id, text, buttons, button_type)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        if not is_level_payload(json_message):
            await super().send_custom_json(recipient_id, json_message, **kwargs)


class TelegramChannel(ChoiceAnswers, TelegramInput):
    """Telegram: TELEGRAM_ACCESS_TOKEN, TELEGRAM_BOT_USERNAME, TELEGRAM_WEBHOOK_URL; optional
    TELEGRAM_SECRET_TOKEN (then updates without it are refused) and TELEGRAM_API_URL."""

    SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(credentials.get("access_token"), credentials.get("verify"),
                   credentials.get("webhook_url"), secret_token=credentials.get("secret_token"),
                   api_url=credentials.get("api_url"))

    def __init__(self, access_token: Optional[Text], verify: Optional[Text],
                 webhook_url: Optional[Text], debug_mode: bool = False,
                 secret_token: Optional[Text] = None, api_url: Optional[Text] = None) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode)
        self.secret_token = secret_token or None
        self.api_url = api_url or None

    def get_output_channel(self) -> TelegramBot:
        # Rasa's sets the webhook here, synchronously, and fails the start-up when it can't.
        return TelegramBot(self.access_token, self.api_url)

    async def register_webhook(self) -> None:
        """Tells Telegram where to deliver updates (also: GET /webhooks/telegram/set_webhook)."""
        bot = TelegramBot(self.access_token, self.api_url)
        data = {"url": self.webhook_url,
                "allowed_updates": json.dumps(["message", "edited_message", "callback_query"])}
        if self.secret_token:
            data["secret_token"] = self.secret_token
        try:
            await bot.request("setWebhook", data)
            logger.info("Telegram webhook set to %s", self.webhook_url)
        except Exception as error:  # the server keeps running; the route above can retry
            logger.warning("Could not set the Telegram webhook to %s: %s", self.webhook_url, error)
        finally:
            await bot.session.close()

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(self._commands(self._resolving(on_new_message)))
        self._remember_agent(blueprint)
        out_channel = self.get_output_channel()

        @blueprint.middleware("request")
        async def authenticate(request: Request) -> Optional[HTTPResponse]:
            if request.path.endswith("/set_webhook"):
                # Rasa's route would set the webhook without the secret token.
                await self.register_webhook()
                return response.text("Webhook setup requested")
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            if self.secret_token and not hmac.compare_digest(
                    request.headers.get(self.SECRET_HEADER, ""), self.secret_token):
                logger.warning("Telegram update without the right secret token refused")
                return response.text("forbidden", status=HTTPStatus.FORBIDDEN)
            try:
                update = request.json
            except Exception:
                return response.text("bad request", status=HTTPStatus.BAD_REQUEST)
            query = update.get("callback_query") if isinstance(update, dict) else None
            if isinstance(query, dict) and query.get("id"):
                asyncio.create_task(self._answer_callback(out_channel, str(query["id"])))
            return None

        @blueprint.listener("after_server_start")
        async def set_webhook(app: Any, loop: Any) -> None:
            if self.webhook_url:
                asyncio.create_task(self.register_webhook())

        return blueprint

    @staticmethod
    async def _answer_callback(bot: TelegramBot, query_id: Text) -> None:
        """Stops the button's spinner in the user's app."""
        try:
            await bot.answer_callback_query(query_id)
        except Exception as error:
            logger.debug("answerCallbackQuery failed: %s", error)

    @staticmethod
    def _commands(on_new_message: OnNewMessage) -> OnNewMessage:
        """Telegram's /start (sent when a user opens the bot) is a greeting."""
        async def handler(message: UserMessage) -> None:
            if message.text and message.text.split("@")[0].split(" ")[0] == "/start":
                message.text = "/greet"
            message.sender_id = str(message.sender_id)
            await on_new_message(message)

        return handler


# ---------------------------------------------------------------------------------------------
# Slack


def _slack_escape(text: Text) -> Text:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackSender(SlackBot):
    """Slack's output at a configurable Web API URL; texts sent whole and escaped."""

    def __init__(self, token: Text, slack_channel: Optional[Text] = None,
                 thread_id: Optional[Text] = None, proxy: Optional[Text] = None,
                 api_url: Optional[Text] = None) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_url:
            self.client = AsyncWebClient(token, base_url=api_url.rstrip("/") + "/", proxy=proxy)

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        kwargs.pop("as_user", None)  # classic apps only; a bot token posts as the bot
        kwargs.pop("type", None)
        await super()._post_message(channel=channel, **kwargs)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        recipient = self.slack_channel or recipient_id
        for piece in split_text(text, 3000):
            await self._post_message(channel=recipient, text=_slack_escape(piece))

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: Buttons,
                                     **kwargs: Any) -> None:
        if len(buttons) > 5 or len(text) > 3000 or any(len(str(b["title"])) > 75 for b in buttons):
            await self.send_text_message(recipient_id, numbered_options(text, buttons))
            return
        await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        if not is_level_payload(json_message):
            await super().send_custom_json(recipient_id, json_message, **kwargs)


class SlackChannel(ChoiceAnswers, SlackInput):
    """Slack: SLACK_TOKEN, SLACK_SIGNING_SECRET; optional SLACK_CHANNEL, SLACK_API_URL."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        channel = super().from_credentials(credentials)
        channel.api_url = credentials.get("api_url") or None  # type: ignore[attr-defined]
        return channel

    api_url: Optional[Text] = None

    def get_output_channel(self, channel: Optional[Text] = None,
                           thread_id: Optional[Text] = None) -> SlackSender:
        return SlackSender(self.slack_token, channel or self.slack_channel, thread_id, self.proxy,
                           self.api_url)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(self._resolving(on_new_message))
        self._remember_agent(blueprint)

        @blueprint.middleware("request")
        async def url_verification(request: Request) -> Optional[HTTPResponse]:
            # Slack checks the Request URL with a signed challenge, answered as {"challenge": ..}
            if (request.method == "POST" and request.path.endswith("/webhook")
                    and request.headers.get("content-type") == "application/json"
                    and isinstance(request.json, dict)
                    and request.json.get("type") == "url_verification"):
                if not self.is_request_from_slack_authentic(request):
                    return response.text("invalid signature", status=HTTPStatus.BAD_REQUEST)
                return response.json({"challenge": request.json.get("challenge")})
            return None

        return blueprint


# ---------------------------------------------------------------------------------------------
# Twilio: SMS and WhatsApp


TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class TwilioSender(TwilioOutput):
    """Twilio's output: text only (buttons become numbered options), off the event loop, at a
    configurable API URL, from the number the user wrote to."""

    LIMIT = 1600  # characters Twilio takes in one message

    def __init__(self, account_sid: Text, auth_token: Text, twilio_number: Text,
                 api_url: Optional[Text] = None) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        if api_url:
            self.api.base_url = api_url.rstrip("/")

    def _create(self, message_data: Dict[Text, Any]) -> Any:
        try:
            return self.messages.create(**message_data)
        except TwilioRestException as error:
            logger.error("Twilio refused a message: %s", error.msg)
        except Exception:
            logger.exception("Could not send a message through Twilio")
        return None

    async def _send_message(self, message_data: Dict[Text, Any]) -> Any:
        return await asyncio.to_thread(self._create, dict(message_data))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for piece in split_text(text, self.LIMIT):
            await self._send_message({"to": recipient_id, "from_": self.twilio_number,
                                      "body": piece})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: Buttons,
                                     **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, numbered_options(text, buttons))

    async def send_quick_replies(self, recipient_id: Text, text: Text,
                                 quick_replies: Buttons, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, numbered_options(text, quick_replies))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        if not is_level_payload(json_message):
            await super().send_custom_json(recipient_id, json_message, **kwargs)


class TwilioChannel(ChoiceAnswers, TwilioInput):
    """Twilio: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_NUMBER; optional TWILIO_WEBHOOK_URL
    (the public URL Twilio calls, when a proxy changes it) and TWILIO_API_URL."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(credentials.get("account_sid"), credentials.get("auth_token"),
                   credentials.get("twilio_number"), webhook_url=credentials.get("webhook_url"),
                   api_url=credentials.get("api_url"))

    def __init__(self, account_sid: Optional[Text], auth_token: Optional[Text],
                 twilio_number: Optional[Text], debug_mode: bool = False,
                 webhook_url: Optional[Text] = None, api_url: Optional[Text] = None) -> None:
        super().__init__(account_sid, auth_token, twilio_number, debug_mode)
        self.webhook_url = webhook_url or None
        self.api_url = api_url or None

    def is_signed(self, request: Request) -> bool:
        """X-Twilio-Signature: HMAC-SHA1 of the URL and the sorted form fields, keyed with the
        auth token."""
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not self.auth_token:
            return False
        params = {key: values[0] for key, values in request.form.items()}
        url = self.webhook_url or request.url
        return RequestValidator(self.auth_token).validate(url, params, signature)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        on_new_message = self._resolving(on_new_message)
        blueprint = Blueprint("twilio_webhook", __name__)
        self._remember_agent(blueprint)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def message(request: Request) -> HTTPResponse:
            if not self.is_signed(request):
                logger.warning("Twilio request without a valid X-Twilio-Signature refused")
                return response.text("invalid signature", status=HTTPStatus.FORBIDDEN)
            sender = request.form.get("From")
            text = request.form.get("Body")
            if sender and text is not None:
                out_channel = self.get_output_channel(request.form.get("To"))
                try:
                    # @ signs get corrupted in SMSes by some carriers
                    await on_new_message(UserMessage(
                        text.replace("¡", "@"), out_channel, sender, input_channel=self.name(),
                        metadata=self.get_metadata(request)))
                except Exception:
                    logger.exception("Exception when handling a Twilio message")
            return response.text(TWIML_EMPTY, content_type="text/xml")

        return blueprint

    def get_output_channel(self, to_number: Optional[Text] = None) -> TwilioSender:
        """Replies come from the number the user wrote to (SMS or whatsapp:+...)."""
        return TwilioSender(self.account_sid, self.auth_token, to_number or self.twilio_number,
                            self.api_url)


# ---------------------------------------------------------------------------------------------
# Facebook Messenger


class MessengerSender(MessengerBot):
    """Messenger's output: quick replies for buttons (numbered options when they don't fit),
    texts cut to Messenger's 2,000 characters, requests made off the event loop."""

    TIMEOUT = 15

    async def _send(self, payload: Dict[Text, Any], recipient_id: Text) -> None:
        try:
            result = await asyncio.to_thread(self.messenger_client.send, payload, recipient_id,
                                             "RESPONSE", timeout=self.TIMEOUT)
            if isinstance(result, dict) and result.get("error"):
                logger.error("Messenger refused a message: %s", result["error"])
        except Exception:
            logger.exception("Could not send a message through Messenger")

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for piece in split_text(text, 2000):
            await self._send(FBText(text=piece).to_dict(), recipient_id)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: Buttons,
                                     **kwargs: Any) -> None:
        fits = (len(text) <= 2000 and len(buttons) <= 13
                and all(len(str(b["title"])) <= 20 and len(str(b["payload"])) <= 1000
                        for b in buttons))
        if not fits:
            await self.send_text_message(recipient_id, numbered_options(text, buttons))
            return
        await self._send({"text": text, "quick_replies": [
            {"content_type": "text", "title": b["title"], "payload": b["payload"]}
            for b in buttons]}, recipient_id)

    async def send_quick_replies(self, recipient_id: Text, text: Text, quick_replies: Buttons,
                                 **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._send({"attachment": {"type": "image", "payload": {"url": image}}},
                         recipient_id)

    async def send_action(self, recipient_id: Text, sender_action: Text) -> None:
        try:
            await asyncio.to_thread(self.messenger_client.send_action,
                                    SenderAction(sender_action).to_dict(), recipient_id,
                                    timeout=self.TIMEOUT)
        except Exception as error:
            logger.debug("Messenger sender action %s failed: %s", sender_action, error)

    async def send_custom_json(self, recipient_id: Text, json_message: Any,
                               **kwargs: Any) -> None:
        if is_level_payload(json_message):
            return
        if isinstance(json_message, dict) and "sender" in json_message:
            recipient_id = json_message.pop("sender", {}).pop("id", recipient_id)
        await self._send(json_message, recipient_id)


def messenger_client(page_access_token: Text, api_url: Optional[Text]) -> MessengerClient:
    client = MessengerClient(page_access_token)
    if api_url:
        client.graph_url = api_url.rstrip("/")
    return client


class MessengerHandler(Messenger):
    """Handles every event of a webhook delivery (Rasa's stops at the first), answering with
    MessengerSender."""

    def __init__(self, page_access_token: Text, on_new_message: OnNewMessage,
                 api_url: Optional[Text]) -> None:
        super().__init__(page_access_token, on_new_message)
        self.client = messenger_client(page_access_token, api_url)

    async def handle(self, payload: Dict, metadata: Optional[Dict[Text, Any]]) -> None:
        for entry in payload.get("entry") or []:
            for message in entry.get("messaging") or []:
                self.last_message = message
                if message.get("message"):
                    await self.message(message, metadata)
                elif message.get("postback"):
                    await self.postback(message, metadata)

    async def _handle_user_message(self, text: Text, sender_id: Text,
                                   metadata: Optional[Dict[Text, Any]]) -> None:
        out_channel = MessengerSender(self.client)
        await out_channel.send_action(sender_id, sender_action="mark_seen")
        await out_channel.send_action(sender_id, sender_action="typing_on")
        try:
            await self.on_new_message(UserMessage(text, out_channel, sender_id,
                                                  input_channel=self.name(), metadata=metadata))
        except Exception:
            logger.exception("Exception when handling a Messenger message")
        finally:
            await out_channel.send_action(sender_id, sender_action="typing_off")


class FacebookChannel(ChoiceAnswers, FacebookInput):
    """Facebook Messenger: FACEBOOK_VERIFY_TOKEN, FACEBOOK_APP_SECRET,
    FACEBOOK_PAGE_ACCESS_TOKEN; optional FACEBOOK_API_URL (Graph API base, with its version)."""

    DEFAULT_API_URL = "https://graph.facebook.com/v21.0"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        channel = super().from_credentials(credentials)
        channel.api_url = credentials.get("api_url") or cls.DEFAULT_API_URL  # type: ignore
        return channel

    api_url: Text = DEFAULT_API_URL

    def is_signed(self, request: Request) -> bool:
        """X-Hub-Signature-256 (sha256=...) when present, else X-Hub-Signature (sha1=...)."""
        for header, algorithm in (("X-Hub-Signature-256", "sha256"), ("X-Hub-Signature", "sha1")):
            value = request.headers.get(header)
            if value is None:
                continue
            prefix = algorithm + "="
            if not value.startswith(prefix) or not self.fb_secret:
                return False
            digest = hmac.new(self.fb_secret.encode(), request.body, getattr(hashlib, algorithm))
            return hmac.compare_digest(digest.hexdigest(), value[len(prefix):])
        return False

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        on_new_message = self._resolving(on_new_message)
        blueprint = Blueprint("fb_webhook", __name__)
        self._remember_agent(blueprint)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if self.fb_verify and hmac.compare_digest(token, self.fb_verify):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("Facebook webhook verification with a wrong verify token")
            return response.text("failure, invalid token", status=HTTPStatus.FORBIDDEN)

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.is_signed(request):
                logger.warning("Facebook request without a valid X-Hub-Signature refused")
                return response.text("not validated", status=HTTPStatus.FORBIDDEN)
            payload = request.json if isinstance(request.json, dict) else {}
            messenger = MessengerHandler(self.fb_access_token, on_new_message, self.api_url)
            await messenger.handle(payload, self.get_metadata(request))
            return response.text("success")

        return blueprint

    def get_output_channel(self) -> MessengerSender:
        return MessengerSender(messenger_client(self.fb_access_token, self.api_url))
