"""What a rep does to a lead from its own page, in a real headless Chromium against the running stack: convert it
(then the page links to the new contact, account and deal), mark it junk, or ask a manager to delete it; and the
manager's review of those requests (L9) on review.html."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from tests.e2e.browser import ARTIFACTS, call_api, log_in, posted_lead_id, unique
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def annas_lead(stack: RunningStack, name: str) -> str:
    """A new German lead from the web (routed to rep Anna, DACH): its id."""
    email = f"lead.{uuid.uuid4().hex[:8]}@example.de"
    posted = requests.post(f"{stack.url}/leads", json={"name": name, "email": email, "country": "DE",
                                                      "company": f"{name} GmbH"}, timeout=10)
    assert posted.status_code == 201, posted.text
    return posted_lead_id(stack, email)


def open_lead(page, stack: RunningStack, lead_id: str, user_id: str = "rep-anna") -> None:
    log_in(page, stack, user_id, then=f"record.html?kind=lead&id={lead_id}")
    page.get_by_test_id("timeline").locator("li").first.wait_for()


def test_converting_a_lead_on_its_page_links_to_the_new_contact_account_and_deal(stack, page):
    # Given Anna's new lead, on its page
    name = unique("Karl Brandt")
    lead_id = annas_lead(stack, name)
    open_lead(page, stack, lead_id)
    # When she converts it there with a deal of 4,000 EUR
    page.get_by_test_id("convert-lead").click()
    assert page.get_by_test_id("convert-account").input_value() == f"{name} GmbH"
    page.get_by_test_id("convert-amount").fill("4000")
    page.get_by_test_id("convert-submit").click()
    # Then the page links to the contact, the account and the deal the conversion made, and offers no more Convert
    links = page.get_by_test_id("record-links")
    links.locator("a[href*='kind=deal']").wait_for()
    conversion = call_api(stack, "rep-anna", "GET", f"/api/records/lead/{lead_id}").json()["fields"]["flags"][
        "conversion"]
    for kind in ("contact", "account", "deal"):
        href = links.get_by_test_id(f"link-{kind}-{conversion[f'{kind}_id']}").get_attribute("href")
        assert href == f"record.html?kind={kind}&id={conversion[f'{kind}_id']}"
    assert page.get_by_test_id("convert-lead").is_hidden()
    page.screenshot(path=str(ARTIFACTS / "lead_actions" / "lead_converted.png"), full_page=True)
    # And the deal link opens the deal, worth what she typed
    links.get_by_test_id(f"link-deal-{conversion['deal_id']}").click()
    page.wait_for_url(f"**/record.html?kind=deal&id={conversion['deal_id']}")
    page.get_by_test_id("record-facts").get_by_text(re.compile(r"4[.,]000")).wait_for()  # Anna reads German


def test_marking_a_lead_junk_on_its_page_says_why_and_takes_convert_away(stack, page):
    # Given Anna's new lead, on its page
    lead_id = annas_lead(stack, unique("Spam Bot"))
    open_lead(page, stack, lead_id)
    # When she marks it junk, first without a reason, then with one
    page.locator("#junk-action summary").click()
    page.get_by_test_id("junk-submit").click()
    assert page.locator("#junk-reason-error").is_visible()
    page.get_by_test_id("junk-reason").fill("Keyboard mash in every field")
    page.get_by_test_id("junk-submit").click()
    # Then the facts say it is junk and why, Convert and Junk are gone, and the timeline has the mark
    page.get_by_test_id("record-facts").get_by_text("Keyboard mash in every field").wait_for()
    page.get_by_test_id("event-marked_junk").wait_for()
    assert page.get_by_test_id("convert-lead").is_hidden()
    assert page.get_by_test_id("junk-action").is_hidden()
    assert call_api(stack, "rep-anna", "GET", f"/api/records/lead/{lead_id}").json()["fields"]["flags"]["junk"][
        "reason"] == "Keyboard mash in every field"


def flag_on_its_page(page, stack: RunningStack, lead_id: str, reason: str) -> None:
    """Rep Anna asks, on the lead's page, for the lead to be deleted."""
    open_lead(page, stack, lead_id)
    page.locator("#delete-action summary").click()
    page.get_by_test_id("delete-reason").fill(reason)
    page.get_by_test_id("delete-submit").click()
    page.get_by_test_id("record-facts").get_by_text(reason).wait_for()
    page.get_by_test_id("event-deletion_requested").wait_for()
    assert page.get_by_test_id("delete-action").is_hidden()


def test_a_reps_please_delete_reaches_the_managers_review_which_erases_or_keeps_the_lead(stack, page):
    # Given two leads Anna asked to delete from their pages, and the review missing from her menu
    kept_name, erased_name = unique("Kept Person"), unique("Erased Person")
    kept, erased = annas_lead(stack, kept_name), annas_lead(stack, erased_name)
    flag_on_its_page(page, stack, kept, "Duplicate of an existing customer?")
    flag_on_its_page(page, stack, erased, "Asked us to forget them")
    assert page.get_by_test_id("nav-review").count() == 0
    # When manager Maria opens the deletion requests from her menu
    page.context.clear_cookies()
    log_in(page, stack, "manager-maria", then="home.html")
    page.get_by_test_id("nav-review").click()
    page.wait_for_url("**/review.html")
    requests_list = page.get_by_test_id("review-list")
    kept_item = requests_list.locator(f"[data-lead-id='{kept}']")
    erased_item = requests_list.locator(f"[data-lead-id='{erased}']")
    erased_item.wait_for()
    # Then each names the lead, who asked (by name) and why
    assert erased_item.get_by_test_id("review-reason").text_content() == "Asked us to forget them"
    assert "Anna Schmidt" in erased_item.text_content()
    assert erased_item.get_by_role("link", name=erased_name).get_attribute("href") == (
        f"record.html?kind=lead&id={erased}")
    page.screenshot(path=str(ARTIFACTS / "lead_actions" / "review_page.png"), full_page=True)
    # When she rejects the first with a note, Then it leaves the list and the lead stays, with her note on its timeline
    kept_item.get_by_test_id("review-note").fill("Not a duplicate: keep working it")
    kept_item.get_by_test_id("review-reject").click()
    kept_item.wait_for(state="detached")
    kept_lead = call_api(stack, "rep-anna", "GET", f"/api/records/lead/{kept}").json()
    assert kept_lead["fields"]["name"] == kept_name
    rejected = [event for event in kept_lead["timeline"]["events"] if event["type"] == "deletion_rejected"]
    assert rejected and "Not a duplicate: keep working it" in str(rejected[0]["data"])
    # When she approves the second and confirms, Then it leaves the list and the person is erased
    page.once("dialog", lambda dialog: dialog.accept())
    erased_item.get_by_test_id("review-approve").click()
    erased_item.wait_for(state="detached")
    assert call_api(stack, "manager-maria", "GET", f"/api/records/lead/{erased}").json()["fields"]["erased_at"]
    pending = call_api(stack, "manager-maria", "GET", "/api/admin/deletion-requests").json()["requests"]
    assert not {kept, erased} & {request["lead_id"] for request in pending}


def test_a_rep_opening_the_review_page_is_told_it_is_for_managers(stack, page):
    log_in(page, stack, "rep-anna", then="review.html")
    page.get_by_test_id("message").get_by_text("Nur Führungskräfte und Admins").wait_for()  # Anna reads German
    assert page.get_by_test_id("review-request").count() == 0


def test_the_review_page_speaks_persian_right_to_left(stack, page):
    # Given manager Maria on the deletion requests
    log_in(page, stack, "manager-maria", then="review.html")
    page.get_by_test_id("review-summary").wait_for()
    # When she picks Persian, Then the page, its menu entry and its summary read right to left in Persian
    page.get_by_test_id("language").select_option("fa")
    page.wait_for_function("document.documentElement.dir === 'rtl'")
    assert page.locator("#review-title").inner_text() == "درخواست‌های حذف"
    assert page.get_by_test_id("nav-review").inner_text() == "درخواست‌های حذف"
    assert "سرنخ" in page.get_by_test_id("review-summary").inner_text()


def test_the_owner_applies_on_the_lead_page_what_a_public_post_proposed(stack, page):
    # Given Anna's lead, and a later public post of its address with a phone and another company
    name = unique("Lena Roth")
    email = f"lena.{uuid.uuid4().hex[:8]}@example.de"
    first = requests.post(f"{stack.url}/leads", json={"name": name, "email": email, "country": "DE",
                                                      "company": f"{name} GmbH"}, timeout=10)
    assert first.status_code == 201, first.text
    lead_id = posted_lead_id(stack, email)
    again = requests.post(f"{stack.url}/leads", json={"name": name, "email": email, "country": "DE",
                                                      "company": "Roth Logistik AG", "phone": "+49 30 901820"},
                          timeout=10)
    assert again.status_code == 201, again.text
    # When Anna follows her notice of it (she reads German)
    log_in(page, stack, "rep-anna", then="home.html")
    page.get_by_test_id("notices-button").click()
    notice = page.get_by_test_id("notices-list").get_by_role("link", name=re.compile("Formular"))
    assert notice.get_attribute("href") == f"record.html?kind=lead&id={lead_id}"
    notice.click()
    page.wait_for_url(f"**/record.html?kind=lead&id={lead_id}")
    # Then the lead's page shows the proposal, what it would change, and a button to apply it; the lead is unchanged
    proposal = page.get_by_test_id("event-changes_proposed")
    proposal.wait_for()
    assert "Änderungen per Formular vorgeschlagen" in proposal.text_content()
    assert "Firma: " in proposal.text_content() and "→ Roth Logistik AG" in proposal.text_content()
    facts = page.get_by_test_id("record-facts")
    assert "Roth Logistik AG" not in facts.text_content()
    page.screenshot(path=str(ARTIFACTS / "lead_actions" / "changes_proposed.png"), full_page=True)
    # When she applies it
    proposal.get_by_test_id("apply-proposal").get_by_text("Diese Änderungen übernehmen").click()
    # Then the lead takes the new company and phone, the timeline says so, and the button is gone
    page.get_by_test_id("event-changes_applied").wait_for()
    facts.get_by_text("Roth Logistik AG").wait_for()
    assert page.get_by_test_id("apply-proposal").count() == 0
    fields = call_api(stack, "rep-anna", "GET", f"/api/records/lead/{lead_id}").json()["fields"]
    assert (fields["company"], fields["phone"]) == ("Roth Logistik AG", "+4930901820")
    page.screenshot(path=str(ARTIFACTS / "lead_actions" / "changes_applied.png"), full_page=True)
