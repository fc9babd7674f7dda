"""Record pages and my tasks (D6) in a real headless Chromium against the running stack: a note that stays on a
deal's timeline, a task due today found on tasks.html and marked done, a templated email to a contact, and the link
in a rep's "new lead" email, followed signed out, landing on the lead's page with its owner, status and request."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import pytest
import requests

from tests.e2e.browser import call_api, log_in, posted_lead_id, unique
from tests.e2e.conftest import RunningStack
from tests.integration.conftest import HOT_ANSWERS

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
    response = call_api(stack, "rep-anna", "POST", f"/api/leads/{posted_lead_id(stack, email)}/convert", json={})
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


def test_the_link_in_a_reps_new_lead_email_opens_the_lead_after_sign_in(stack, page):
    # Given a hot German lead from the web, routed to Anna (DACH), whose "new lead" email is in the outbox
    name = unique("Greta Vogel")
    address = f"greta.{uuid.uuid4().hex[:6]}@example.de"
    posted = requests.post(f"{stack.url}/leads", json={
        **HOT_ANSWERS, "name": name, "email": address, "country": "DE",
        "company": "Vogel AG", "need": "One place for every lead", "utm": {"utm_campaign": "spring-fair"}},
        timeout=10)
    assert posted.status_code == 201, posted.text
    lead_id = posted_lead_id(stack, address)
    email = stack.wait_for(lambda message: message["kind"] == "email" and name in (message.get("subject") or "")
                           and "anna@example.com" in message["to"])
    link = re.search(r"https?://\S+/record\.html\?\S+", email["text"]).group(0)
    assert link == f"{stack.url}/record.html?kind=lead&id={lead_id}"
    # When Anna follows it in a browser where she is not signed in, and signs in
    page.goto(link)
    page.wait_for_url("**/login.html")
    page.get_by_test_id("login-rep-anna").click()
    # Then she lands on that lead's page, in her language (German): the status is translated
    page.wait_for_url(f"**/record.html?kind=lead&id={lead_id}")
    page.get_by_test_id("timeline").locator("li").first.wait_for()
    assert page.get_by_test_id("record-title").text_content() == name
    facts = page.get_by_test_id("record-facts")
    assert "Neu" in facts.text_content() and "new" not in facts.text_content().split()
    # And in English the owner is named (not "rep-anna") and the temperature is a word, not the enum value
    page.get_by_test_id("language").select_option("en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    text = facts.text_content()
    assert "Anna Schmidt" in text and "rep-anna" not in text and "Hot" in text
    # And what the lead asked for is there: message, need, BANT answers, source and campaign
    asked = page.get_by_test_id("record-asked").text_content()
    for expected in (HOT_ANSWERS["message"], "One place for every lead", HOT_ANSWERS["budget"],
                     HOT_ANSWERS["authority"], HOT_ANSWERS["timing"], "Web page", "spring-fair"):
        assert expected in asked, expected
    # And no timeline event shows its raw type
    for event in page.get_by_test_id("timeline").locator("li.timeline-event").all():
        event_type = event.get_attribute("data-testid").removeprefix("event-")
        assert event.locator("strong").text_content() != event_type, event_type


def test_another_reps_lead_shows_the_not_found_message_and_no_forms(stack, page):
    # Given a German lead from the web, routed to Anna (DACH)
    address = f"paula.{uuid.uuid4().hex[:6]}@example.de"
    posted = requests.post(f"{stack.url}/leads", json={
        "name": unique("Paula Kern"), "email": address, "country": "DE", "company": "Kern KG"}, timeout=10)
    assert posted.status_code == 201, posted.text
    # When Béla opens its page
    log_in(page, stack, "rep-bela", then=f"record.html?kind=lead&id={posted_lead_id(stack, address)}")
    page.locator("#record:not([aria-busy])").wait_for()
    # Then he reads that it was not found, and sees no facts, tasks or forms to add a note or a task to it
    assert page.get_by_test_id("message").get_attribute("data-kind") == "error"
    for hidden in ("note-form", "task-form", "record-facts", "record-tasks", "timeline"):
        assert page.get_by_test_id(hidden).is_hidden(), hidden
    assert page.locator("#note-action").is_hidden() and page.locator("#task-action").is_hidden()
    assert not page.locator("#record .record-panel:visible").count()


def test_a_call_and_an_email_logged_on_a_deal_and_a_contact_land_on_their_timelines(stack, page):
    # Given rep Anna's deal
    deal = new_deal(stack, unique("Call deal"))
    open_record(page, stack, "deal", deal["deal_id"])
    # When she logs an answered call with a note on it
    page.locator("#call-action summary").click()
    page.get_by_test_id("call-type").select_option("call")
    page.get_by_test_id("call-outcome").select_option("answered")
    page.locator("#call-note").fill("Wants the VIP prices")
    page.get_by_test_id("call-submit").click()
    # Then the call is on the deal's timeline with its outcome and note, also after a reload
    page.get_by_test_id("event-activity").filter(has_text="Wants the VIP prices").wait_for()
    page.reload()
    page.get_by_test_id("event-activity").filter(has_text="Wants the VIP prices").wait_for()
    # When she logs an email she sent on a converted contact (the email's outcomes replace the call's)
    contact_id, _ = converted_contact(stack)
    open_record(page, stack, "contact", contact_id)
    page.locator("#call-action summary").click()
    page.get_by_test_id("call-type").select_option("email")
    assert page.get_by_test_id("call-outcome").locator("option").evaluate_all(
        "options => options.map((option) => option.value)") == ["sent", "replied"]
    page.get_by_test_id("call-outcome").select_option("sent")
    page.get_by_test_id("call-submit").click()
    # Then the contact's timeline has it, by Anna
    logged = page.get_by_test_id("event-activity").filter(has_not=page.locator(".timeline-from")).first
    logged.wait_for()
    events = call_api(stack, "rep-anna", "GET", f"/api/records/contact/{contact_id}").json()["timeline"]["events"]
    assert [(event["data"]["type"], event["data"]["outcome"]) for event in events
            if event["type"] == "activity" and not event.get("from")] == [("email", "sent")]
