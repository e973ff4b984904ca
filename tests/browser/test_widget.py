"""A patient on the clinic's demo page uses the chat widget: FAQ, quick replies, a screening to
its outcome, emergency advice, HTML shown as text, a reload, keyboard only, a phone screen."""
import re
from pathlib import Path

import requests
import yaml
from playwright.sync_api import expect

from tests.browser.widget_driver import DESKTOP, PHONE, Widget
from tests.e2e.servers import API_TOKEN, free_port, screening_questions

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = yaml.safe_load((ROOT / "data/responses/faq.yml").read_text())["responses"]
QUESTIONS = screening_questions()
MRI_ANSWER = ANSWERS["utter_faq/mri_what"][0]["text"]
RED_FLAGS_ANSWER = ANSWERS["utter_faq/red_flags"][0]["text"]
EMERGENCY_RED = "rgb(176, 0, 32)"


def test_faq_question_is_answered_below_the_disclaimer(page):
    chat = Widget(page).open()
    expect(chat.testid("chat-input")).to_be_focused()
    chat.greeted()
    disclaimer = page.locator('[data-role="disclaimer"]')
    expect(disclaimer).to_contain_text("not a diagnosis")
    expect(disclaimer).to_contain_text("911")
    state = chat.say("What is an MRI?")
    assert any(MRI_ANSWER in text for text in state["bots"])
    expect(chat.testid("user-message").last).to_contain_text("What is an MRI?")


def test_faq_answer_asks_for_feedback_and_records_it(page, stack):
    chat = Widget(page).open()
    chat.greeted()
    chat.say("What is an MRI?")
    answer = chat.testid("bot-message").filter(has_text=MRI_ANSWER[:40]).last
    feedback = answer.get_by_role("group", name="Was this answer helpful?")
    expect(feedback.get_by_role("button")).to_have_text(["Helpful", "Not helpful"])
    before = len(chat.state()["bots"])
    feedback.get_by_role("button", name="Not helpful", exact=True).click()
    state = chat.settled(before)
    assert "Thank you, that helps the clinic improve these answers." in state["bots"][-1]
    expect(answer.get_by_test_id("feedback-given")).to_have_text("Thanks for your feedback.")
    expect(chat.testid("user-message")).to_have_count(1)  # the click is not shown as a message
    events = requests.get(
        f"{stack.url}/conversations/{chat.storage()['sessionId']}/tracker",
        params={"token": API_TOKEN}, timeout=30).json()["events"]
    [click] = [e for e in events if e["event"] == "user"
               and e["parse_data"]["intent"]["name"] == "answer_feedback"]
    assert {(e["entity"], e["value"]) for e in click["parse_data"]["entities"]} == {
        ("faq_topic", "mri_what"), ("feedback", "not_helpful")}


def test_long_answers_keep_their_lines(page):
    chat = Widget(page).open()
    chat.greeted()
    chat.say("What are the warning signs with back pain?")
    answer = chat.testid("bot-message").filter(has_text="Warning signs with back pain")
    expect(answer).to_be_visible()
    text = answer.inner_text()
    assert "what to do:\n- Go to an emergency department now for" in text
    assert "\n- See a clinician soon for" in text
    assert answer.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    # the start of a long answer is in view, not scrolled past
    top_visible = answer.evaluate("""e => {
        const log = e.parentElement, box = e.getBoundingClientRect(),
              view = log.getBoundingClientRect();
        return box.top >= view.top - 1 && box.top < view.bottom; }""")
    assert top_visible


def test_quick_reply_starts_the_check(page):
    chat = Widget(page).open()
    state = chat.greeted()
    assert "Check my symptoms" in state["replies"]
    state = chat.reply("Check my symptoms")
    expect(chat.testid("user-message").last).to_have_text(re.compile("Check my symptoms$"))
    assert QUESTIONS["bladder_bowel_change"] in state["bots"][-1]
    assert state["replies"] == ["Yes", "No", "Not sure"]
    expect(chat.testid("chat-input")).to_be_focused()


def test_screening_runs_to_an_outcome(page, artefacts):
    chat = Widget(page).open()
    chat.greeted()
    state = chat.screen_to_outcome(QUESTIONS)
    assert state["levels"] == ["self_care"], state
    outcome = page.locator('[data-level="self_care"]')
    expect(outcome).to_be_visible()
    expect(outcome).to_contain_text("Self-care")
    expect(outcome).to_contain_text("not a diagnosis")
    assert state["replies"] == ["Start over", "Goodbye"]
    page.screenshot(path=str(artefacts / "widget-outcome-desktop.png"))


def test_emergency_advice_is_marked(page, artefacts):
    chat = Widget(page).open()
    chat.greeted()
    chat.reply("Check my symptoms")
    state = chat.reply("Yes")
    assert state["levels"] == ["emergency"]
    advice = page.locator('[data-level="emergency"]')
    expect(advice).to_be_visible()
    expect(advice).to_contain_text("Emergency: act now")
    expect(advice).to_contain_text("Call 911")
    call = advice.get_by_test_id("emergency-call")
    expect(call).to_have_attribute("href", "tel:911")
    expect(advice.locator('a[href="tel:911"]')).to_have_count(2)  # in the text and the button
    assert advice.locator("svg").count() >= 1  # the icon
    assert advice.evaluate("e => getComputedStyle(e).borderLeftColor") == EMERGENCY_RED
    expect(chat.testid("chat-alert")).to_contain_text("Emergency advice")
    expect(advice.get_by_test_id("feedback")).to_have_count(0)  # no feedback on emergency advice
    path = artefacts / "widget-emergency-desktop.png"
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")


def test_html_is_shown_as_text(page):
    chat = Widget(page).open()
    chat.greeted()
    attack = "<img src=x onerror=alert(1)>"
    chat.say(attack)
    expect(chat.testid("user-message").last).to_contain_text(attack)
    # a bot message with markup and links: text stays text, only http(s) becomes a link
    page.evaluate("""() => window.ClinicChat._receive({text:
        '<b>bold</b> <script>alert(2)</script> book at https://clinic.example.org/book. ' +
        'or javascript:alert(3) or <a href="javascript:alert(4)">x</a>'})""")
    message = chat.testid("bot-message").last
    expect(message).to_contain_text("<b>bold</b> <script>alert(2)</script>")
    counts = page.evaluate("""() => {
        const root = document.querySelector('#clinic-chat-widget').shadowRoot;
        return {img: root.querySelectorAll('img').length,
                b: root.querySelectorAll('.cc-log b').length,
                script: root.querySelectorAll('script').length,
                links: [...root.querySelectorAll('.cc-log a')].map(
                    a => [a.href, a.target, a.rel])}; }""")
    assert counts["img"] == 0 and counts["b"] == 0 and counts["script"] == 0
    assert counts["links"] == [["https://clinic.example.org/book", "_blank",
                                "noopener noreferrer nofollow"]]
    # the new_page fixture fails the test on any dialog or page error


def test_conversation_is_kept_across_a_reload(page, stack):
    chat = Widget(page).open()
    chat.greeted()
    chat.say("What is an MRI?")
    session_id = chat.storage()["sessionId"]
    bots_before = chat.state()["bots"]

    page.reload()
    chat = Widget(page)
    state = chat.wait(lambda s: s["open"] and s["bots"], "the restored conversation")
    assert state["bots"] == bots_before
    expect(chat.testid("user-message").last).to_contain_text("What is an MRI?")
    assert chat.storage()["sessionId"] == session_id

    state = chat.say("What does an X-ray show?")
    assert len(state["bots"]) == len(bots_before) + 1, "one answer, no new session disclaimer"
    tracker = requests.get(f"{stack.url}/conversations/{session_id}/tracker",
                           params={"token": API_TOKEN}, timeout=30).json()
    said = [e["text"] for e in tracker["events"] if e["event"] == "user"]
    assert said[-2:] == ["What is an MRI?", "What does an X-ray show?"]


def test_start_over_begins_a_new_conversation(page):
    chat = Widget(page).open()
    chat.greeted()
    chat.reply("Check my symptoms")
    old_session = chat.storage()["sessionId"]
    chat.testid("chat-restart").click()
    expect(chat.testid("user-message")).to_have_count(0)
    state = chat.greeted()
    assert state["replies"] == ["Do I need a scan?", "Check my symptoms"]
    assert chat.storage()["sessionId"] not in (None, old_session)
    expect(chat.testid("chat-input")).to_be_focused()


def test_keyboard_only(page):
    chat = Widget(page)
    for _ in range(30):
        page.keyboard.press("Tab")
        if chat.state()["focused"] == "chat-launcher":
            break
    else:
        raise AssertionError("the launcher is not reachable with Tab")
    page.keyboard.press("Enter")
    chat.wait(lambda s: s["open"] and s["focused"] == "chat-input", "the open panel")
    state = chat.greeted()

    page.keyboard.press("Shift+Tab")
    state = chat.state()
    assert state["focused"] == "quick-reply" and state["focusedText"] == "Check my symptoms"
    before = len(state["bots"])
    page.keyboard.press("Enter")
    state = chat.settled(before)
    assert QUESTIONS["bladder_bowel_change"] in state["bots"][-1]
    assert state["focused"] == "chat-input", "focus goes back to the text box"

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    state = chat.state()
    assert state["focused"] == "quick-reply" and state["focusedText"] == "No"
    before = len(state["bots"])
    page.keyboard.press("Space")
    state = chat.settled(before)
    assert QUESTIONS["saddle_numbness"] in state["bots"][-1]

    assert state["focused"] == "chat-input"
    page.keyboard.type("no")
    before = len(state["bots"])
    page.keyboard.press("Enter")
    state = chat.settled(before)
    assert QUESTIONS["leg_weakness"] in state["bots"][-1]

    page.keyboard.press("Escape")
    state = chat.wait(lambda s: not s["open"], "the closed panel")
    assert state["focused"] == "chat-launcher"
    page.keyboard.press("Enter")
    state = chat.wait(lambda s: s["open"] and s["focused"] == "chat-input", "the panel again")
    assert QUESTIONS["leg_weakness"] in state["bots"][-1]


def test_reconnecting_notice_when_the_server_is_unreachable(new_page):
    dead = f"http://127.0.0.1:{free_port()}"
    page = new_page(init_script=f"window.ClinicChatConfig = {{serverUrl: {dead!r}}};")
    chat = Widget(page).open()
    status = chat.testid("chat-status")
    expect(status).to_be_visible()
    expect(status).to_have_text(re.compile("Trying again|Reconnecting"))
    expect(status).to_have_attribute("role", "status")


def test_phone_width(new_page, artefacts):
    page = new_page(viewport=PHONE)
    chat = Widget(page).open()
    chat.greeted()
    chat.say("What is an MRI?")
    chat.reply("Check my symptoms") if "Check my symptoms" in chat.state()["replies"] else \
        chat.say("check my symptoms")
    state = chat.reply("Yes")
    assert state["levels"] == ["emergency"]
    panel = chat.testid("chat-panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for name in ("chat-input", "chat-send", "chat-restart", "chat-close"):
        box = chat.testid(name).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
    widths = page.evaluate("""() => [...document.querySelector('#clinic-chat-widget').shadowRoot
        .querySelectorAll('.cc-msg')].map(m => m.getBoundingClientRect().right)""")
    assert max(widths) <= PHONE["width"]
    path = artefacts / "widget-emergency-phone.png"
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")


def test_desktop_screenshot(page, artefacts):
    chat = Widget(page).open()
    chat.greeted()
    chat.say("What are the warning signs with back pain?")
    path = artefacts / "widget-desktop.png"
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")
