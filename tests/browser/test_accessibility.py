"""The demo clinic page with the widget, audited with axe-core in Chromium: no WCAG 2.1 A/AA
violation, no label that hides the visible text (2.5.3), and one banner landmark, with the
widget closed, open, in a conversation and showing a screening outcome, on a desktop and on a
360 px phone. Each state is reached through the real servers before axe runs, since what axe
sees (messages, quick replies, outcome colours) exists only once the assistant has answered."""
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.axe_audit import EXTRA_RULES, describe, run_axe
from tests.browser.widget_driver import DESKTOP, PHONE, Widget
from tests.e2e.servers import screening_questions

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = yaml.safe_load((ROOT / "data/responses/faq.yml").read_text())["responses"]
QUESTIONS = screening_questions()
MRI_ANSWER = ANSWERS["utter_faq/mri_what"][0]["text"]
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def reach(state: str, page) -> None:
    """Drives the widget to `state` and checks that it is on screen."""
    chat = Widget(page)
    expect(chat.testid("chat-launcher")).to_be_visible()
    if state == "closed":
        expect(chat.testid("chat-panel")).to_be_hidden()
        return
    chat.open()
    chat.greeted()
    expect(chat.testid("quick-reply").first).to_be_visible()
    if state == "open":
        return
    if state == "conversation":
        bots = chat.say("What is an MRI?")["bots"]
        assert any(MRI_ANSWER in text for text in bots), bots
        expect(chat.testid("user-message").last).to_contain_text("What is an MRI?")
        expect(chat.testid("bot-message").last).to_be_visible()
        return
    assert state == "outcome", state
    levels = chat.screen_to_outcome(QUESTIONS)["levels"]
    assert levels == ["self_care"], levels
    outcome = page.locator('[data-level="self_care"]')
    expect(outcome).to_be_visible()
    expect(outcome).to_contain_text("Self-care")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("state", ["closed", "open", "conversation", "outcome"])
def test_no_wcag_21_aa_violations(new_page, artefacts, state, viewport):
    """axe's WCAG 2.0/2.1 A and AA rules, label-in-name and the landmark rules find nothing;
    the failure lists each rule, its impact and the failing elements."""
    page = new_page(viewport=VIEWPORTS[viewport])
    reach(state, page)
    path = artefacts / f"axe-{state}-{viewport}.png"
    page.screenshot(path=str(path))
    results = run_axe(page)
    ran = {rule["id"] for kind in ("passes", "violations", "incomplete", "inapplicable")
           for rule in results[kind]}
    assert set(EXTRA_RULES) <= ran, f"axe did not run {sorted(set(EXTRA_RULES) - ran)}"
    violations = results["violations"]
    assert not violations, (f"axe-core {results['testEngine']['version']} on the {state} widget "
                            f"at {viewport} size ({path.name}):\n" + describe(violations))
