"""The channels a server starts with: those in credentials.yml (REST, socketio) always; a
messaging channel only when all of its environment variables are set, so that a missing secret
never crashes start-up."""
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

import yaml

BASE = Path(__file__).resolve().parent.parent / "credentials.yml"
Credentials = Dict[str, Optional[Dict[str, Any]]]


def _optional(env: Mapping[str, str], name: str) -> Optional[str]:
    return env.get(name) or None


# (credentials key, environment variables it needs, builder from those values). The classes are
# Rasa's channels, adapted in channels/messaging.py; the README's "Messaging channels" tells
# how to set each up.
OPTIONAL_CHANNELS: Tuple[Tuple[str, Tuple[str, ...], Callable[[Mapping[str, str]], Dict]], ...] = (
    ("channels.messaging.TelegramChannel",
     ("TELEGRAM_ACCESS_TOKEN", "TELEGRAM_BOT_USERNAME", "TELEGRAM_WEBHOOK_URL"),
     lambda env: {"access_token": env["TELEGRAM_ACCESS_TOKEN"],
                  "verify": env["TELEGRAM_BOT_USERNAME"],
                  "webhook_url": env["TELEGRAM_WEBHOOK_URL"],
                  "secret_token": _optional(env, "TELEGRAM_SECRET_TOKEN"),
                  "api_url": _optional(env, "TELEGRAM_API_URL")}),
    ("channels.messaging.SlackChannel",
     ("SLACK_TOKEN", "SLACK_SIGNING_SECRET"),
     lambda env: {"slack_token": env["SLACK_TOKEN"],
                  "slack_signing_secret": env["SLACK_SIGNING_SECRET"],
                  "slack_channel": _optional(env, "SLACK_CHANNEL"),
                  "api_url": _optional(env, "SLACK_API_URL")}),
    ("channels.messaging.TwilioChannel",
     ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER"),
     lambda env: {"account_sid": env["TWILIO_ACCOUNT_SID"],
                  "auth_token": env["TWILIO_AUTH_TOKEN"],
                  "twilio_number": env["TWILIO_NUMBER"],
                  "webhook_url": _optional(env, "TWILIO_WEBHOOK_URL"),
                  "api_url": _optional(env, "TWILIO_API_URL")}),
    ("channels.messaging.FacebookChannel",
     ("FACEBOOK_VERIFY_TOKEN", "FACEBOOK_APP_SECRET", "FACEBOOK_PAGE_ACCESS_TOKEN"),
     lambda env: {"verify": env["FACEBOOK_VERIFY_TOKEN"],
                  "secret": env["FACEBOOK_APP_SECRET"],
                  "page-access-token": env["FACEBOOK_PAGE_ACCESS_TOKEN"],
                  "api_url": _optional(env, "FACEBOOK_API_URL")}),
)


def credentials(env: Mapping[str, str]) -> Credentials:
    creds: Credentials = yaml.safe_load(BASE.read_text())
    for key, variables, build in OPTIONAL_CHANNELS:
        if all(env.get(v) for v in variables):
            creds[key] = build(env)
    return creds
