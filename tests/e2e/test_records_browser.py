"""Record pages and my tasks (D6) in a real headless Chromium against the running stack: a note that stays on a
deal's timeline, a task due today found on tasks.html and marked done, and a templated email to a contact."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
import requests

from tests.e2e.browser import call_api, log_in, unique
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def new_deal(stack: RunningStack, title: str) -> dict:
    response = call_api(stack, "rep-anna", "POST", "/api/deals", json={"title": title})
    assert response.status_code == 201, response.text
    return response.json()


def converted_contact(stack: RunningStack) -> tuple[str, str]:
    """A German lead of rep Anna's, converted: its contact id and email address."""
    email = f"jonas.{uuid.uuid4().hex[:6]}@example.de"
    lead = requests.post(f"{stack.url}/leads", json={"name": "Jonas Weber", "email": email, "country": "DE",
                                                     "company": "Weber GmbH", "language": "de"}, timeout=10)
    assert lead.status_code == 201, lead.text
    response = call_api(stack, "rep-anna", "POST", f"/api/leads/{lead.json()['id']}/convert", json={})
    assert response.status_code == 201, response.text
    return response.json()["contact_id"], email


def open_record(page, stack: RunningStack, kind: str, record_id: str) -> None:
    log_in(page, stack, "rep-anna", then=f"record.html?kind={kind}&id={record_id}")
    page.get_by_test_id("timeline").locator("li").first.wait_for()


def test_a_note_on_a_deal_stays_on_its_timeline_after_a_reload(stack, page):
    # Given rep Anna's deal, made through the API
    deal = new_deal(stack, unique("Fleet renewal"))
    open_record(page, stack, "deal", deal["deal_id"])
    assert page.get_by_test_id("record-title").text_content() == deal["title"]
    # When she adds a note
    text = unique("Asked for two references")
    page.locator("#note-action summary").click()
    page.get_by_test_id("note-text").fill(text)
    page.get_by_test_id("note-submit").click()
    # Then it is on the timeline, newest first, also after a reload
    page.get_by_test_id("event-note").filter(has_text=text).wait_for()
    page.reload()
    first = page.get_by_test_id("timeline").locator("li").first
    first.wait_for()
    assert text in first.text_content()


def test_a_task_due_today_is_on_my_tasks_and_marking_it_done_removes_it(stack, page):
    # Given a task due in a few minutes, added on a deal page
    deal = new_deal(stack, unique("Task deal"))
    open_record(page, stack, "deal", deal["deal_id"])
    title = unique("Send the contract")
    page.locator("#task-action summary").click()
    page.get_by_test_id("task-title").fill(title)
    due = datetime.now().replace(second=0, microsecond=0)  # the browser's clock and zone: today there
    page.get_by_test_id("task-due").fill(due.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_test_id("task-submit").click()
    page.get_by_test_id("record-tasks").get_by_text(title).wait_for()
    # When Anna opens her tasks for today
    page.goto(f"{stack.url}/tasks.html")
    row = page.get_by_test_id("tasks-list").locator("li", has_text=title)
    row.wait_for()
    # Then the task links to its deal, and marking it done takes it off the list
    assert f"id={deal['deal_id']}" in row.get_by_role("link").get_attribute("href")
    row.get_by_role("button").click()
    row.wait_for(state="detached")
    assert page.get_by_test_id("tasks-list").get_by_text(title).count() == 0


def test_emailing_a_converted_contact_from_a_template_lands_on_its_timeline(stack, page):
    # Given a converted contact of Anna's (German)
    contact_id, email = converted_contact(stack)
    open_record(page, stack, "contact", contact_id)
    # When she picks the "proposal sent" template, sees the German preview and sends it
    page.locator("#email-action summary").click()
    page.get_by_test_id("email-template").select_option("proposal_sent")
    assert page.get_by_test_id("email-preview-subject").text_content() == "Ihr Angebot für Weber GmbH"
    page.get_by_test_id("email-send").click()
    # Then the email is in the outbox and on the contact's timeline
    sent = stack.wait_for(lambda message: email in message.get("to", ""))
    assert sent["subject"] == "Ihr Angebot für Weber GmbH"
    page.get_by_test_id("event-email_sent").filter(has_text="Ihr Angebot für Weber GmbH").wait_for()


def test_a_big_accounts_page_shows_more_deals_on_request(stack, page):
    # Given an account with 51 deals, made by quick-creating won deals for one new company (won: no other test's
    # board column or stalled list fills up with them)
    company = unique("Big Account")
    deals = [call_api(stack, "rep-anna", "POST", "/api/deals", json={"title": f"Deal {number}",
                                                                     "account_name": company,
                                                                     "stage_id": "closed-won"})
             for number in range(51)]
    assert all(deal.status_code == 201 for deal in deals), deals[-1].text
    account_id = call_api(stack, "rep-anna", "GET", f"/api/deals/{deals[0].json()['deal_id']}").json()["account_id"]
    # When Anna opens the account, Then it links the first 50 deals and offers the rest
    open_record(page, stack, "account", account_id)
    links = page.get_by_test_id("record-links").locator("a[href*='kind=deal']")
    assert links.count() == 50
    # And "show more deals" adds the last one and goes away
    page.get_by_test_id("more-deals").click()
    page.wait_for_function("document.querySelectorAll(\"#record-links a[href*='kind=deal']\").length === 51")
    assert page.get_by_test_id("more-deals").count() == 0
    assert page.get_by_test_id("record-links").get_by_role("link", name="Deal 50").count() == 1
