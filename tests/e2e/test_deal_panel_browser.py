"""The board's deal side panel (static_site/js/deal_panel.js) in a real headless Chromium against the running stack:
opened from a card, it saves the expected close date in place, shows a deal someone changed meanwhile (409), moves
the deal (a lost stage asks why), runs each quick action (call, email from a template, task, meeting) with the record
page's forms, closes with Escape back to the card, and sits at the inline end: the left in Persian, the whole width
on a phone.

Screenshots go to test-artifacts/deal_panel/ (tests/e2e/browser.py), one per test.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
import requests

from tests.e2e.browser import call_api, log_in, posted_lead_id, unique
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# The panel as the board opens it; a board without the wiring yet gets it through the module itself.
OPEN_BY_IMPORT = """async ([dealId, action]) => {
  const token = sessionStorage.getItem("crm.token");
  const get = async (path) => (await fetch(`/api${path}`, {headers: {Authorization: `Bearer ${token}`}})).json();
  const {openDealPanel} = await import("/js/deal_panel.js");
  openDealPanel({dealId, card: await get(`/deals/${dealId}`), pipeline: await get("/pipelines/sales"), action});
}"""


def new_deal(stack: RunningStack, title: str, **fields: str) -> dict:
    response = call_api(stack, "rep-anna", "POST", "/api/deals", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def converted_deal(stack: RunningStack) -> tuple[dict, str]:
    """Rep Anna's deal from a converted German lead (its contact has an email address), and that address."""
    email = f"karl.{uuid.uuid4().hex[:6]}@example.de"
    lead = requests.post(f"{stack.url}/leads", json={"name": "Karl Huber", "email": email, "country": "DE",
                                                     "company": "Huber KG", "language": "de"}, timeout=10)
    assert lead.status_code == 201, lead.text
    response = call_api(stack, "rep-anna", "POST", f"/api/leads/{posted_lead_id(stack, email)}/convert",
                        json={"deal": {"amount": "5000", "currency": "EUR"}})
    assert response.status_code == 201, response.text
    deal = call_api(stack, "rep-anna", "GET", f"/api/deals/{response.json()['deal_id']}").json()
    return deal, email


def deal_record(stack: RunningStack, deal: dict) -> dict:
    response = call_api(stack, "rep-anna", "GET", f"/api/records/deal/{deal['deal_id']}")
    assert response.status_code == 200, response.text
    return response.json()


def on_board(page, stack: RunningStack, deal: dict, language: str = "en") -> None:
    """Anna's board at 1440x900 in `language` (picked on this browser: her own is German)."""
    page.set_viewport_size(DESKTOP)
    page.add_init_script(f"localStorage.setItem('crm.language', '{language}')")
    log_in(page, stack, "rep-anna")
    page.get_by_test_id(f"card-{deal['deal_id']}").wait_for()


def open_panel(page, deal: dict, action: str | None = None):
    """Opens the panel as a rep does: the card's title, or the card's quick action; the panel, once it shows."""
    deal_id = deal["deal_id"]
    opener = page.get_by_test_id(f"{action}-{deal_id}" if action else f"card-link-{deal_id}")
    if opener.count():
        opener.click()
    else:
        page.evaluate(OPEN_BY_IMPORT, [deal_id, action])
    panel = page.get_by_test_id("deal-panel")
    panel.get_by_test_id("deal-panel-timeline").locator("li.timeline-event").first.wait_for()
    return panel


def test_the_expected_close_date_is_changed_in_place_and_kept(stack, page):
    # Given Anna's deal on her board, opened in the panel
    deal = new_deal(stack, unique("Close date deal"))
    on_board(page, stack, deal)
    panel = open_panel(page, deal)
    assert panel.get_by_test_id("deal-panel-title").text_content() == deal["title"]
    assert panel.get_by_role("link", name="Open the full record").get_attribute("href") == (
        f"record.html?kind=deal&id={deal['deal_id']}")
    # When she changes its expected close date in place
    panel.get_by_test_id("deal-panel-edit-expected_close_date").click()
    panel.get_by_test_id("deal-panel-expected_close_date-input").fill("2027-03-31")
    panel.get_by_test_id("deal-panel-save-expected_close_date").click()
    # Then the panel says so and shows it, focus back on its Change button
    panel.get_by_test_id("deal-panel-message").filter(has_text="Expected close saved.").wait_for()
    assert panel.get_by_test_id("deal-panel-expected_close_date").text_content() == "Mar 31, 2027"
    assert page.evaluate("document.activeElement.dataset.testid") == "deal-panel-edit-expected_close_date"
    # And the deal keeps it: the API, and the panel opened again after a reload of the board
    assert call_api(stack, "rep-anna", "GET", f"/api/deals/{deal['deal_id']}").json()[
        "expected_close_date"] == "2027-03-31"
    page.reload()
    page.get_by_test_id(f"card-{deal['deal_id']}").wait_for()
    panel = open_panel(page, deal)
    panel.get_by_test_id("deal-panel-expected_close_date").filter(has_text="Mar 31, 2027").wait_for()
    # And the change is on the deal's timeline
    assert any(event["type"] == "deal_updated" for event in deal_record(stack, deal)["timeline"]["events"])


def test_a_deal_changed_meanwhile_shows_its_fresh_data_and_says_so(stack, page):
    # Given the panel showing Anna's deal, and then someone else setting its close date (a newer version)
    deal = new_deal(stack, unique("Stale deal"))
    on_board(page, stack, deal)
    panel = open_panel(page, deal)
    changed = call_api(stack, "rep-anna", "PATCH", f"/api/deals/{deal['deal_id']}",
                       json={"version": deal["version"], "expected_close_date": "2027-06-30"})
    assert changed.status_code == 200, changed.text
    # When she sets its type from the panel, which still has the old version
    panel.get_by_test_id("deal-panel-edit-deal_type").click()
    panel.get_by_test_id("deal-panel-deal_type-input").select_option("renewal")
    panel.get_by_test_id("deal-panel-save-deal_type").click()
    # Then the panel says someone changed the deal and shows it as it is now; her type was not saved
    message = panel.get_by_test_id("deal-panel-message")
    message.filter(has_text="Someone else changed this deal meanwhile").wait_for()
    assert message.get_attribute("data-kind") == "error"
    panel.get_by_test_id("deal-panel-expected_close_date").filter(has_text="Jun 30, 2027").wait_for()
    assert panel.get_by_test_id("deal-panel-deal_type").text_content() == "Not set"
    # And saving again, now on the fresh version, works
    panel.get_by_test_id("deal-panel-edit-deal_type").click()
    panel.get_by_test_id("deal-panel-deal_type-input").select_option("renewal")
    panel.get_by_test_id("deal-panel-save-deal_type").click()
    panel.get_by_test_id("deal-panel-deal_type").filter(has_text="Renewal").wait_for()
    fresh = call_api(stack, "rep-anna", "GET", f"/api/deals/{deal['deal_id']}").json()
    assert (fresh["deal_type"], fresh["expected_close_date"]) == ("renewal", "2027-06-30")


def test_the_stage_menu_moves_the_deal_and_a_lost_stage_asks_why(stack, page):
    # Given Anna's deal of 1,000 EUR in the panel
    deal = new_deal(stack, unique("Move deal"), amount="1000", currency="EUR")
    on_board(page, stack, deal)
    panel = open_panel(page, deal)
    # When she picks Proposal in its stage menu, nothing moves until she says Move
    panel.get_by_test_id("deal-panel-stage").select_option("proposal")
    assert call_api(stack, "rep-anna", "GET", f"/api/deals/{deal['deal_id']}").json()["stage_id"] == "unsorted"
    panel.get_by_test_id("deal-panel-move").click()
    # Then it moves there, and the panel shows its weighted amount once the stage has a probability
    panel.get_by_test_id("deal-panel-message").filter(has_text="Moved to Proposal.").wait_for()
    assert call_api(stack, "rep-anna", "GET", f"/api/deals/{deal['deal_id']}").json()["stage_id"] == "proposal"
    panel.get_by_test_id("deal-panel-facts").filter(has_text="€600.00 at 60 %").wait_for()
    # When she picks Closed lost, the panel asks why, and the move carries her reason
    panel.get_by_test_id("deal-panel-stage").select_option("closed-lost")
    reason = panel.get_by_test_id("deal-panel-lost-reason")
    reason.wait_for()
    chosen = reason.locator("option").nth(1).get_attribute("value")
    reason.select_option(chosen)
    panel.get_by_test_id("deal-panel-move").click()
    panel.get_by_test_id("deal-panel-message").filter(has_text="Moved to Closed lost.").wait_for()
    lost = call_api(stack, "rep-anna", "GET", f"/api/deals/{deal['deal_id']}").json()
    assert (lost["stage_id"], lost["lost_reason"]) == ("closed-lost", chosen)
    panel.get_by_test_id("deal-panel-facts").filter(has_text=chosen).wait_for()


def test_each_quick_action_adds_its_call_email_task_or_meeting(stack, page):
    # Given Anna's deal from a converted lead, whose contact has an email address
    deal, email = converted_deal(stack)
    on_board(page, stack, deal)
    # When she logs an answered call from the card's quick action
    panel = open_panel(page, deal, "call")
    assert page.evaluate("document.activeElement.dataset.testid") == "deal-panel-call-type"
    panel.get_by_test_id("deal-panel-call-outcome").select_option("answered")
    panel.get_by_test_id("deal-panel-call-note").fill("Wants a pilot")
    panel.get_by_test_id("deal-panel-call-submit").click()
    # Then it is on the deal's timeline, in the panel and through the API
    panel.get_by_test_id("event-activity").filter(has_text="Wants a pilot").wait_for()
    [call] = [event for event in deal_record(stack, deal)["timeline"]["events"] if event["type"] == "activity"]
    assert (call["data"]["type"], call["data"]["outcome"]) == ("call", "answered")
    # When she emails the deal's contact from a template, its preview in the contact's language (German)
    panel.get_by_test_id("deal-panel-action-email").click()
    panel.get_by_test_id("deal-panel-email-template").select_option("proposal_sent")
    assert panel.get_by_test_id("deal-panel-email-preview-subject").text_content() == "Ihr Angebot für Huber KG"
    panel.get_by_test_id("deal-panel-email-send").click()
    # Then the contact gets it and the deal's timeline has it
    sent = stack.wait_for(lambda message: email in message.get("to", ""))
    assert sent["subject"] == "Ihr Angebot für Huber KG"
    panel.get_by_test_id("event-email_sent").wait_for()
    # When she schedules a task
    title = unique("Send the pilot plan")
    panel.get_by_test_id("deal-panel-action-task").click()
    panel.get_by_test_id("deal-panel-task-title").fill(title)
    due = datetime.now().replace(second=0, microsecond=0) + timedelta(days=1)
    panel.get_by_test_id("deal-panel-task-due").fill(due.strftime("%Y-%m-%dT%H:%M"))
    panel.get_by_test_id("deal-panel-task-submit").click()
    # Then it is among the deal's open tasks
    panel.get_by_test_id("deal-panel-tasks").get_by_text(title).wait_for()
    assert title in [task["title"] for task in deal_record(stack, deal)["open_tasks"]]
    # When she schedules a meeting, first forgetting its start
    panel.get_by_test_id("deal-panel-action-meeting").click()
    panel.get_by_test_id("deal-panel-meeting-title").fill("Pilot kick-off")
    panel.get_by_test_id("deal-panel-meeting-submit").click()
    # Then the panel asks for the start under its field, and takes the meeting once it has one
    panel.get_by_test_id("deal-panel-meeting-starts_at-error").filter(has_text="Fill this in.").wait_for()
    panel.get_by_test_id("deal-panel-meeting-start").fill(due.strftime("%Y-%m-%dT%H:%M"))
    panel.get_by_test_id("deal-panel-meeting-submit").click()
    panel.get_by_test_id("event-meeting").filter(has_text="Pilot kick-off").wait_for()
    assert any(event["type"] == "meeting" and event["data"]["title"] == "Pilot kick-off"
               for event in deal_record(stack, deal)["timeline"]["events"])


def test_a_deal_without_a_contact_says_why_it_cannot_be_emailed(stack, page):
    # Given a deal quick-created with no contact, opened at its email action
    deal = new_deal(stack, unique("No contact deal"))
    on_board(page, stack, deal)
    panel = open_panel(page, deal, "email")
    # Then the panel says why instead of offering a template
    blocked = panel.get_by_test_id("deal-panel-email-blocked")
    blocked.filter(has_text="This deal has no contact to email.").wait_for()
    assert panel.get_by_test_id("deal-panel-email-form").is_hidden()


def test_escape_closes_the_panel_and_focus_returns_to_the_card(stack, page):
    # Given Anna's deal opened in the panel from its card
    deal = new_deal(stack, unique("Escape deal"))
    on_board(page, stack, deal)
    panel = open_panel(page, deal)
    assert panel.get_attribute("aria-labelledby") == "deal-panel-title"
    # When she presses Escape while editing a field, only the edit ends
    panel.get_by_test_id("deal-panel-edit-deal_type").click()
    page.keyboard.press("Escape")
    assert panel.is_visible()
    assert page.evaluate("document.activeElement.dataset.testid") == "deal-panel-edit-deal_type"
    # When she presses Escape again, the panel closes and focus is back on the card
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")
    assert page.evaluate(f"document.getElementById('card-{deal['deal_id']}').contains(document.activeElement)")
    # And the close button does the same
    panel = open_panel(page, deal)
    panel.get_by_test_id("deal-panel-close").click()
    panel.wait_for(state="hidden")
    assert page.evaluate(f"document.getElementById('card-{deal['deal_id']}').contains(document.activeElement)")


def test_in_persian_the_panel_is_on_the_left_and_on_a_phone_it_takes_the_whole_width(stack, page):
    # Given Anna's board in Persian
    deal = new_deal(stack, unique("Persian deal"))
    on_board(page, stack, deal, language="fa")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    # When she opens a deal, Then the panel is at the inline end: the left, in Persian words
    panel = open_panel(page, deal)
    box = panel.bounding_box()
    assert box["x"] == 0 and box["width"] < DESKTOP["width"] / 2
    assert panel.get_by_role("button", name="بستن پنل معامله").count() == 1
    assert "مرحله" in panel.get_by_test_id("deal-panel-facts").text_content()
    # When the same board is on a phone, Then the panel takes the whole width
    page.set_viewport_size(PHONE)
    page.wait_for_function(f"document.getElementById('deal-panel').getBoundingClientRect().width === {PHONE['width']}")
