"""Text-only replies of the messaging channels (rasa_server/channels/messaging.py)."""
from rasa_server.channels.messaging import numbered_options, resolve_choice, split_text


def test_buttons_become_numbered_options():
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"},
               {"title": "Not sure", "payload": "/unsure"}]
    text = numbered_options("Is it in both legs?", buttons)
    assert text.startswith("Is it in both legs?\n")
    assert "1. Yes\n2. No\n3. Not sure" in text
    assert resolve_choice("2", buttons) == "/deny"
    assert resolve_choice(" 3. ", buttons) == "/unsure"
    assert resolve_choice("not sure!", buttons) == "/unsure"
    assert resolve_choice("4", buttons) == "4"
    assert resolve_choice("30", []) == "30"
    assert resolve_choice("no, it started last week", buttons) == "no, it started last week"


def test_long_texts_are_cut_at_line_ends():
    text = "\n".join(f"line {i} " + "x" * 50 for i in range(100))
    pieces = split_text(text, 1600)
    assert all(len(p) <= 1600 for p in pieces)
    assert "\n".join(pieces) == text
