"""Click-to-call, the team's telephony names and the missed-call notice (issue 14, T1 and T4) in a real headless
Chromium against the running stack.

The local stack configures the Twilio stand-in (local/telephony.py), so "Call" places the call through it; the
page's answer from GET /api/me is rewritten to "no provider" to see the plain tel: link a deployment without
telephony shows. The missed-call notice is written as crm.services.calls writes it, into the stack's DynamoDB Local.

Screenshots of the record page with its Call button go to test-artifacts/screenshots/ (and one per test to
test-artifacts/click_to_call/, tests/e2e/browser.py).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.browser import ARTIFACTS, call_api, log_in, unique
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

DYNAMODB_ENDPOINT = re.compile(r"DynamoDB Local on (http://127\.0\.0\.1:\d+)")
SCREENSHOTS = ARTIFACTS / "screenshots"


def fresh_number() -> str:
    """A Berlin number no other lead has (a known number makes a returning lead, not a new one)."""
    return f"+49309{uuid.uuid4().int % 10**6:06d}"


def new_lead(stack: RunningStack, phone: str | None = "new") -> dict[str, Any]:
    """A lead of rep Anna's (German: the routing rules give it to her) with `phone` (by default a fresh number; None:
    an email address instead)."""
    name = unique("Caller")
    phone = fresh_number() if phone == "new" else phone
    reach = {"phone": phone} if phone else {"email": f"{uuid.uuid4().hex[:10]}@example.org"}
    for attempt in range(10):  # a 503 asks to try again (a busy machine's moto may time out the workflow's start)
        response = call_api(stack, "rep-anna", "POST", "/api/leads",
                            json={"name": name, "company": "Ringing GmbH", "country": "DE", **reach})
        if response.status_code != 503:
            break
        time.sleep(1 + attempt)
    assert response.status_code == 201, response.text
    return {"id": response.json()["id"], "name": name, "phone": phone}


def provider_ready(stack: RunningStack) -> None:
    """Waits until GET /api/me names the Twilio stand-in: a busy machine's Secrets Manager may answer too late for a
    while, and then the API offers tel: links instead (crm.services.click_to_call.dialer_if_known)."""
    deadline = time.monotonic() + 60
    while call_api(stack, "rep-anna", "GET", "/api/me").json().get("click_to_call") != "twilio":
        assert time.monotonic() < deadline, "the local telephony secret was never read"
        time.sleep(1)


def without_provider(page) -> None:
    """The page sees GET /api/me as a deployment without a telephony provider answers it."""
    def answer(route) -> None:
        response = route.fetch()
        route.fulfill(response=response, json={**response.json(), "click_to_call": None})

    page.route(re.compile(r".*/api/me$"), answer)


def open_record(page, stack: RunningStack, kind: str, record_id: str, language: str = "en") -> None:
    """Anna's record page in `language` (picked on this browser: her own is German), once its facts show."""
    page.add_init_script(f"localStorage.setItem('crm.language', '{language}')")
    log_in(page, stack, "rep-anna", then=f"record.html?kind={kind}&id={record_id}")
    page.locator("#record:not([aria-busy])").wait_for(timeout=60_000)


def test_without_a_provider_call_is_a_tel_link_to_the_leads_number_beside_log_a_call(stack, page):
    # Given a lead with a number, and a CRM without a telephony provider
    number = fresh_number()
    lead = new_lead(stack, f"{number[:3]} {number[3:5]} {number[5:]}")
    without_provider(page)
    # When its owner opens its page
    open_record(page, stack, "lead", lead["id"])
    # Then "Call" is a plain tel: link to the lead's number, and logging a call by hand is still offered apart
    call = page.get_by_test_id("call-record")
    call.wait_for()
    assert call.evaluate("element => element.tagName") == "A"
    assert call.get_attribute("href") == f"tel:{number}"
    assert call.inner_text().startswith("Call")
    assert page.get_by_test_id("call-action").locator("summary").inner_text() == "Log a call or email"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "record_call_en.png"))
    # And in Persian it reads right to left, the number still left to right
    page.get_by_test_id("language").select_option("fa")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert call.inner_text().startswith("تماس")
    assert call.locator("bdi").get_attribute("dir") == "ltr"
    page.screenshot(path=str(SCREENSHOTS / "record_call_fa.png"))


def test_with_a_provider_call_rings_the_reps_phone_and_says_so(stack, page):
    # Given a lead with a number, and the local Twilio stand-in as the provider
    lead = new_lead(stack)
    provider_ready(stack)
    open_record(page, stack, "lead", lead["id"])
    call = page.get_by_test_id("call-record")
    call.wait_for()
    assert (call.evaluate("element => element.tagName"), call.get_attribute("data-mode")) == ("BUTTON", "twilio")
    # When the rep clicks Call
    call.click()
    # Then the page's status line says the rep's phone rings first, and which number it connects to
    message = page.get_by_test_id("message")
    message.filter(has_text="Calling your phone").wait_for()
    assert message.get_attribute("role") == "status"
    assert lead["phone"] in message.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "record_calling_en.png"))


def test_a_lead_without_a_number_has_no_call_button(stack, page):
    lead = new_lead(stack, phone=None)
    open_record(page, stack, "lead", lead["id"])
    page.get_by_test_id("record-facts").locator("dt").first.wait_for()
    assert page.get_by_test_id("call-record").count() == 0
    assert page.get_by_test_id("record-call-bar").is_hidden()


def converted_deal(stack: RunningStack) -> dict[str, Any]:
    """Rep Anna's deal from a converted lead with a number: its contact holds it."""
    lead = new_lead(stack)
    response = call_api(stack, "rep-anna", "POST", f"/api/leads/{lead['id']}/convert",
                        json={"deal": {"amount": "900", "currency": "EUR"}})
    assert response.status_code == 201, response.text
    return {"deal_id": response.json()["deal_id"], **lead}


def test_a_deal_calls_its_contact_from_its_page_the_side_panel_and_its_card(stack, page):
    # Given a deal whose contact has a number, and a CRM without a telephony provider
    deal = converted_deal(stack)
    without_provider(page)
    # Its page offers Call as a tel: link to the contact's number
    open_record(page, stack, "deal", deal["deal_id"])
    page.get_by_test_id("call-record").wait_for()
    assert page.get_by_test_id("call-record").get_attribute("href") == f"tel:{deal['phone']}"
    # So does the side panel on the board, beside "Log a call"
    page.goto(f"{stack.url}/board.html")
    card = page.get_by_test_id(f"card-{deal['deal_id']}")
    card.get_by_test_id(f"card-link-{deal['deal_id']}").click()
    panel = page.get_by_test_id("deal-panel")
    panel.get_by_test_id("deal-panel-call").wait_for()
    assert panel.get_by_test_id("deal-panel-call").get_attribute("href") == f"tel:{deal['phone']}"
    assert panel.get_by_test_id("deal-panel-action-call").inner_text() == "Log a call"
    panel.get_by_test_id("deal-panel-close").click()
    # And the card's quick actions tell Call and Log a call apart
    card.hover()
    assert card.get_by_test_id(f"dial-{deal['deal_id']}").get_attribute("title") == "Call"
    assert card.get_by_test_id(f"call-{deal['deal_id']}").get_attribute("title") == "Log a call"


def test_a_cards_call_goes_through_the_provider_and_says_why_it_cannot(stack, page):
    # Given a deal with a number and one without (no contact, no lead), with the Twilio stand-in
    deal = converted_deal(stack)
    bare = call_api(stack, "rep-anna", "POST", "/api/deals", json={"title": unique("No number")})
    assert bare.status_code == 201, bare.text
    provider_ready(stack)
    page.add_init_script("localStorage.setItem('crm.language', 'en')")
    log_in(page, stack, "rep-anna")
    message = page.get_by_test_id("message")
    # When the rep clicks Call on the first card, the provider rings the rep's phone
    card = page.get_by_test_id(f"card-{deal['deal_id']}")
    card.hover()
    card.get_by_test_id(f"dial-{deal['deal_id']}").click()
    message.filter(has_text="Calling your phone").wait_for()
    assert deal["phone"] in message.inner_text()
    assert page.get_by_test_id("deal-panel").count() == 0  # a call, not the panel's "Log a call" form
    # And on the card without a number, the page says why no call started
    bare_card = page.get_by_test_id(f"card-{bare.json()['deal_id']}")
    bare_card.hover()
    bare_card.get_by_test_id(f"dial-{bare.json()['deal_id']}").click()
    message.filter(has_text="no phone number").wait_for()
    assert message.get_attribute("data-kind") == "error"


def test_an_admin_saves_a_users_extension_and_sip_user_and_the_team_table_shows_them(stack, page):
    extension = str(200 + uuid.uuid4().int % 700)
    sip_user = unique("chris").replace(" ", ".")
    log_in(page, stack, "admin-ada", then="settings.html#team")
    page.locator("body[data-ready=true]").wait_for()
    page.get_by_test_id("team-edit-rep-chris").click()
    assert page.locator("#user-extension-hint").is_visible()
    page.get_by_test_id("user-extension").fill(extension)
    page.get_by_test_id("user-sip-user").fill(sip_user)
    page.get_by_test_id("user-save").click()
    page.get_by_test_id("message").filter(has_text="saved").wait_for()

    row = page.get_by_test_id("team-row-rep-chris")
    row.filter(has_text=extension).filter(has_text=sip_user).wait_for()  # the table reloads after the save
    saved = next(user for user in call_api(stack, "admin-ada", "GET", "/api/users").json()
                 if user["user_id"] == "rep-chris")
    assert (saved["extension"], saved["sip_user"]) == (extension, sip_user)
    # a wrong extension is refused under its field
    page.get_by_test_id("team-edit-rep-chris").click()
    page.get_by_test_id("user-extension").fill("12-34")
    page.get_by_test_id("user-save").click()
    page.locator("#user-extension-error:not([hidden])").wait_for()


@pytest.fixture
def table(stack: RunningStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process writes items as a function of the stack would: into its DynamoDB Local."""
    from crm.integrations import aws

    endpoint = DYNAMODB_ENDPOINT.search(stack.log_path.read_text())
    assert endpoint, stack.log()
    for name, value in {"AWS_ENDPOINT_URL_DYNAMODB": endpoint[1], "AWS_ACCESS_KEY_ID": "local",
                        "AWS_SECRET_ACCESS_KEY": "local", "AWS_REGION": "us-east-1",
                        "AWS_DEFAULT_REGION": "us-east-1", "TABLE_NAME": "crm"}.items():
        monkeypatch.setenv(name, value)
    aws.client.cache_clear()
    yield
    aws.client.cache_clear()


def missed_call_notice(user_id: str, kind: str, record_id: str, name: str | None, customer: str) -> None:
    """The notice crm.services.calls writes for a missed call from a known person."""
    from crm.clock import to_iso, utcnow
    from crm.data.notices import NoticeItem

    call_id = f"pbx:{uuid.uuid4().hex}"
    NoticeItem.build(user_id=user_id, name=f"missed-call-{call_id}", notice_type="missed_call", at=to_iso(utcnow()),
                     data={"customer": customer, "kind": kind, "id": record_id, "name": name,
                           "call_id": call_id}).save()


def test_a_missed_call_notice_names_the_caller_in_every_language_and_opens_their_lead(stack, page, table):
    # Given a missed call from Anna's lead, and one from a person without a name
    lead = new_lead(stack)
    missed_call_notice("rep-anna", "lead", lead["id"], lead["name"], lead["phone"])
    missed_call_notice("rep-anna", "lead", lead["id"], None, "+4930901821")
    # When Anna opens her notices
    page.add_init_script("localStorage.setItem('crm.language', 'en')")
    log_in(page, stack, "rep-anna", then="home.html")
    page.get_by_test_id("notices-button").click()
    # Then they read "Missed call from <name>", else from the number
    notice = page.get_by_test_id("notice").filter(has_text=f"Missed call from {lead['name']}")
    notice.wait_for()
    page.get_by_test_id("notice").filter(has_text="Missed call from \u2066+4930901821\u2069").wait_for()
    assert notice.get_by_role("link").get_attribute("href") == f"record.html?kind=lead&id={lead['id']}"
    # In Persian it reads right to left
    page.get_by_test_id("language").select_option("fa")
    assert (page.locator("html").get_attribute("lang"), page.locator("html").get_attribute("dir")) == ("fa", "rtl")
    if page.get_by_test_id("notices-panel").is_hidden():
        page.get_by_test_id("notices-button").click()
    notice = page.get_by_test_id("notice").filter(has_text=f"تماس بی‌پاسخ از {lead['name']}")
    notice.wait_for()
    # And following it opens the lead's page
    notice.get_by_role("link").click()
    page.wait_for_url(f"**/record.html?kind=lead&id={lead['id']}")
    page.get_by_test_id("record-title").filter(has_text=lead["name"]).wait_for()
