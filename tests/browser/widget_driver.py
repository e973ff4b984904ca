"""Driving the widget from tests: its state read from inside its shadow root, and a patient's
actions (open, type, click a quick reply) that wait for the assistant's answer."""
import json
import re
import time
from typing import Any, Dict

from playwright.sync_api import Page, expect

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 60_000

expect.set_options(timeout=TIMEOUT_MS)

# The widget's state, read from inside its shadow root.
STATE_JS = """() => {
  const root = document.querySelector('#clinic-chat-widget').shadowRoot;
  const bots = [...root.querySelectorAll('.cc-log [data-testid="bot-message"]')];
  let focused = document.activeElement;
  while (focused && focused.shadowRoot && focused.shadowRoot.activeElement) {
    focused = focused.shadowRoot.activeElement;
  }
  return {
    bots: bots.map(b => b.innerText),
    replies: [...root.querySelectorAll('[data-testid="quick-reply"]')].map(b => b.innerText),
    levels: [...root.querySelectorAll('[data-level]')].map(m => m.getAttribute('data-level')),
    typing: !root.querySelector('[data-testid="chat-typing"]').hidden,
    open: !root.querySelector('[data-testid="chat-panel"]').hidden,
    focused: focused ? (focused.getAttribute('data-testid') || focused.tagName) : null,
    focusedText: focused ? focused.innerText || '' : '',
  };
}"""


class Widget:
    """A patient using the widget on a page."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def testid(self, name: str):
        return self.page.get_by_test_id(name)

    def state(self) -> Dict[str, Any]:
        return self.page.evaluate(STATE_JS)

    def storage(self) -> Dict[str, Any]:
        raw = self.page.evaluate("""() => {
          const key = Object.keys(sessionStorage).find(k => k.startsWith('clinic-chat:'));
          return key ? sessionStorage.getItem(key) : null; }""")
        return json.loads(raw) if raw else {}

    def open(self) -> "Widget":
        self.testid("chat-launcher").click()
        expect(self.testid("chat-panel")).to_be_visible()
        return self

    def wait(self, predicate, what: str, timeout: float = TIMEOUT_MS / 1000) -> Dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            if predicate(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"waited for {what}; widget state: {state}")
            time.sleep(0.2)

    def settled(self, before: int) -> Dict[str, Any]:
        """Waits for the assistant's answer to the last message: new messages, and then no
        typing indicator and nothing new for a moment."""
        state = self.wait(lambda s: len(s["bots"]) > before and not s["typing"], "an answer")
        while True:
            time.sleep(0.6)
            again = self.state()
            if again["bots"] == state["bots"] and again["replies"] == state["replies"]:
                return again
            state = again

    def say(self, text: str) -> Dict[str, Any]:
        before = len(self.state()["bots"])
        box = self.testid("chat-input")
        box.fill(text)
        box.press("Enter")
        return self.settled(before)

    def reply(self, title: str) -> Dict[str, Any]:
        before = len(self.state()["bots"])
        exact = re.compile("^" + re.escape(title) + "$")
        self.testid("quick-reply").filter(has_text=exact).first.click()
        return self.settled(before)

    def greeted(self) -> Dict[str, Any]:
        return self.wait(lambda s: s["bots"] and s["replies"], "the greeting")

    def screen_to_outcome(self, questions: Dict[str, str]) -> Dict[str, Any]:
        """Runs the warning-sign check from the greeting to its outcome, answering "No" to every
        yes/no question, "3 days" to how long and "30" to the age (`questions`: the screening
        questions' wording by slot, tests/e2e/servers.screening_questions()); returns the state
        with the outcome shown."""
        state = self.reply("Check my symptoms")
        for _ in range(30):
            if state["levels"]:
                break
            last = state["bots"][-1]
            if "No" in state["replies"]:
                state = self.reply("No")
            elif questions["pain_duration_weeks"] in last:
                state = self.say("3 days")
            elif questions["age"] in last:
                state = self.say("30")
            else:
                raise AssertionError(f"unexpected turn: {last!r}")
        assert state["levels"], f"no outcome after 30 turns; widget state: {state}"
        return state
