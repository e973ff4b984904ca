"""The channels a server starts with (scripts/credentials.py)."""
from scripts.credentials import credentials


def test_channels_are_off_without_their_variables():
    base = credentials({})
    assert not any("messaging" in key for key in base)
    partial = credentials({"SLACK_TOKEN": "xoxb-1", "TWILIO_ACCOUNT_SID": "AC1",
                           "TWILIO_AUTH_TOKEN": "t"})
    assert partial == base
