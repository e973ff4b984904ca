"""The channels a server starts with: those in credentials.yml (REST, socketio) always; a
messaging channel only when all of its required environment variables are set, so that a missing
secret never crashes start-up."""
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

import yaml

BASE = Path(__file__).resolve().parent.parent / "credentials.yml"
Credentials = Dict[str, Optional[Dict[str, Any]]]
Fields = Dict[str, str]  # credentials field -> environment variable

# (credentials key, required fields, optional fields). The classes are Rasa's channels, adapted
# in rasa_server/channels/messaging.py; the README's "Messaging channels" tells how to set each up.
OPTIONAL_CHANNELS: Tuple[Tuple[str, Fields, Fields], ...] = (
    ("rasa_server.channels.messaging.TelegramChannel",
     {"access_token": "TELEGRAM_ACCESS_TOKEN", "verify": "TELEGRAM_BOT_USERNAME",
      "webhook_url": "TELEGRAM_WEBHOOK_URL"},
     {"secret_token": "TELEGRAM_SECRET_TOKEN", "api_url": "TELEGRAM_API_URL"}),
    ("rasa_server.channels.messaging.SlackChannel",
     {"slack_token": "SLACK_TOKEN", "slack_signing_secret": "SLACK_SIGNING_SECRET"},
     {"slack_channel": "SLACK_CHANNEL", "api_url": "SLACK_API_URL"}),
    ("rasa_server.channels.messaging.TwilioChannel",
     {"account_sid": "TWILIO_ACCOUNT_SID", "auth_token": "TWILIO_AUTH_TOKEN",
      "twilio_number": "TWILIO_NUMBER"},
     {"webhook_url": "TWILIO_WEBHOOK_URL", "api_url": "TWILIO_API_URL"}),
    ("rasa_server.channels.messaging.FacebookChannel",
     {"verify": "FACEBOOK_VERIFY_TOKEN", "secret": "FACEBOOK_APP_SECRET",
      "page-access-token": "FACEBOOK_PAGE_ACCESS_TOKEN"},
     {"api_url": "FACEBOOK_API_URL"}),
)


def credentials(env: Mapping[str, str]) -> Credentials:
    creds: Credentials = yaml.safe_load(BASE.read_text())
    for key, required, optional in OPTIONAL_CHANNELS:
        if all(env.get(variable) for variable in required.values()):
            creds[key] = {field: env.get(variable) or None
                          for field, variable in {**required, **optional}.items()}
    return creds
