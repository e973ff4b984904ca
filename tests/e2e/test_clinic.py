"""Questions about the clinic through the real servers: each answered from the clinic's profile,
in the middle of the check too; the outcomes' contacts; another clinic's profile; and the
servers refusing to start with a malformed one."""
from pathlib import Path

import pytest
import requests
import yaml

from actions import messages
from actions.clinic import answer
from common.clinic import DEFAULT_PROFILE, current
from tests.e2e.servers import ROOT, Chat, free_port, make_stack, screening_questions

PROFILE = current({})
DEMO = yaml.safe_load(DEFAULT_PROFILE.read_text())
QUESTIONS = screening_questions()
MRI_ANSWER = yaml.safe_load((ROOT / "data/responses/faq.yml").read_text())[
    "responses"]["utter_faq/mri_what"][0]["text"]
# The issue's messages (a new user's first try), and how to book.
ISSUE = [
    ("how much does an MRI cost?", "ask_cost"),
    ("will my insurance cover it", "ask_insurance"),
    ("do I need a referral", "ask_referral"),
    ("what are your opening hours", "ask_hours"),
    ("where are you", "ask_location"),
    ("can I talk to a person", "talk_to_person"),
    ("how do I book an appointment?", "ask_booking"),
]
URGENT = ["check my symptoms", "no", "no", "no", "no", "no", "yes", "no", "no", "no", "no",
          "3 days", "40"]  # fever alone
SOON = ["check my symptoms", *["no"] * 8, "yes", "2 weeks", "40"]  # severe pain


def outcome(chat: Chat, texts):
    """The outcome's first line (its advice) and its payload (REST sends them apart)."""
    for text in texts:
        replies = chat.say(text)
    return (replies[0]["text"].splitlines()[0],
            next(r["custom"] for r in replies if r.get("custom")))


@pytest.mark.parametrize("message,intent", ISSUE)
def test_the_issues_questions_get_the_clinics_answers(chat, message, intent):
    replies = chat.say(message)
    assert replies[-1]["text"] == answer(intent, PROFILE)


def test_what_an_mri_is_is_still_the_faq(chat):
    assert chat.say("what is an MRI?")[-1]["text"] == MRI_ANSWER


def test_a_clinic_question_in_the_middle_of_the_check_is_answered_then_the_check_goes_on(chat):
    chat.say("check my symptoms")
    assert chat.say("no")[-1]["text"] == QUESTIONS["saddle_numbness"]
    replies = chat.say("will my insurance cover it")
    assert [r["text"] for r in replies] == [answer("ask_insurance", PROFILE),
                                            QUESTIONS["saddle_numbness"]]
    assert chat.slot("saddle_numbness") is None
    assert chat.say("no")[-1]["text"] == QUESTIONS["leg_weakness"]
    tracker = chat.tracker()
    assert tracker["active_loop"]["name"] == "screening_form"
    assert tracker["slots"]["saddle_numbness"] is False


def test_urgent_gives_the_same_day_line(chat):
    first, payload = outcome(chat, URGENT)
    assert payload == {"triage_level": "urgent", "booking_url": None,
                       "booking_phone": PROFILE.same_day.phone}
    assert first.startswith("Please contact a doctor or urgent care today")
    assert first.endswith(messages.contacts(messages.same_day_lines(PROFILE)))
    assert PROFILE.same_day.phone in first and PROFILE.same_day.hours in first


def test_soon_gives_how_to_book(chat):
    first, payload = outcome(chat, SOON)
    assert payload == {"triage_level": "soon", "booking_url": PROFILE.booking_url,
                       "booking_phone": PROFILE.appointments.phone}
    assert first.startswith("Please book an appointment")
    assert first.endswith(messages.contacts(messages.booking_lines(PROFILE)))
    assert PROFILE.booking_url in first and PROFILE.appointments.phone in first


# -- another clinic's profile ------------------------------------------------------------------

LAKESIDE = {**{key: DEMO[key] for key in ("timezone", "referral")},
            "name": "Lakeside Back & Neck Care", "emergency_number": "112",
            "same_day": {"phone": "555-0177"}, "appointments": {"phone": "555-0166"},
            "address": "3 Shore Lane"}


@pytest.fixture(scope="module")
def lakeside(tmp_path_factory):
    """Servers with another clinic's profile, without costs, insurance or hours, and no
    EMERGENCY_NUMBER: the profile's own number is used."""
    run_dir = tmp_path_factory.mktemp("lakeside")
    path = run_dir / "lakeside.yml"
    path.write_text(yaml.safe_dump(LAKESIDE))
    stack = make_stack(run_dir, CLINIC_PROFILE=str(path), EMERGENCY_NUMBER="")
    stack.start()
    widget = stack.start_widget(port=free_port())
    yield stack
    stack.stop_process(widget)
    stack.stop()


def test_another_profile_is_what_the_assistant_says(lakeside):
    chat = Chat(lakeside)
    replies = chat.say("where are you")
    assert "call 112" in replies[0]["text"], "the disclaimer's emergency number"
    assert replies[-1]["text"] == "Lakeside Back & Neck Care is at 3 Shore Lane."
    assert chat.say("how much does an MRI cost?")[-1]["text"] == (
        "Sorry, I don't have information about what a scan costs. Please call Lakeside Back & "
        "Neck Care on 555-0166; they can tell you.")
    assert chat.say("what are your opening hours")[-1]["text"].startswith(
        "Sorry, I don't have information about opening hours.")


def test_the_demo_page_shows_the_profiles_clinic(lakeside):
    page = requests.get(f"http://127.0.0.1:{lakeside.widget_port}/", timeout=10)
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    text = page.text
    assert "<title>Lakeside Back &amp; Neck Care</title>" in text
    assert "Lakeside Back & Neck" not in text, "HTML-escaped"
    assert "call 112." in text and "555-0166" in text and "3 Shore Lane" in text
    assert "{{" not in text and "Riverside" not in text


# -- malformed profiles stop the servers at start-up -----------------------------------------

def malformed_stack(tmp_path: Path, **changes):
    path = tmp_path / "clinic.yml"
    path.write_text(yaml.safe_dump({**DEMO, **changes}))
    return make_stack(tmp_path, CLINIC_PROFILE=str(path))


def test_the_action_server_refuses_a_profile_without_a_same_day_phone(tmp_path):
    stack = malformed_stack(tmp_path, same_day={"hours": DEMO["same_day"]["hours"]})
    try:
        with pytest.raises(RuntimeError, match="exited"):
            stack.start_actions()
    finally:
        stack.stop()
    log = (tmp_path / "logs" / "actions.log").read_text()
    assert "`same_day.phone` is missing" in log


def test_the_demo_page_refuses_a_profile_with_a_bad_booking_url(tmp_path):
    stack = malformed_stack(tmp_path, booking_url="riverside.example.org/book")
    try:
        with pytest.raises(RuntimeError, match="exited"):
            stack.start_widget(port=free_port())
    finally:
        stack.stop()
    log = (tmp_path / "logs" / "widget.log").read_text()
    assert "The demo page cannot start" in log and "`booking_url` must be an http(s) URL" in log
