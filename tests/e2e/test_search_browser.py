"""The search box in the topbar of every page (js/search.js) in a real headless Chromium against the running stack:
typing a phone number the way one writes it at home finds the lead, the keyboard opens it; another rep finds
nothing; a deal is found by a word of its title."""

from __future__ import annotations

import random

import pytest
import requests

from tests.e2e.browser import call_api, log_in, posted_lead_id, unique
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def new_lead(stack: RunningStack, name: str, mobile: str) -> str:
    """Anna's lead (Germany), with a German mobile number `0151 <mobile>`; she called it at once, so it stays hers
    (the stack's SLA is seconds long)."""
    email = f"{name.replace(' ', '.').lower()}@example.de"
    posted = requests.post(f"{stack.url}/leads", json={
        "name": name, "email": email, "country": "DE", "company": "Suchbar GmbH", "phone": f"+49 151 {mobile}"},
        timeout=10)
    assert posted.status_code == 201, posted.text
    lead_id = posted_lead_id(stack, email)
    called = call_api(stack, "rep-anna", "POST", f"/api/leads/{lead_id}/activities",
                      json={"type": "call", "outcome": "answered"})
    assert called.status_code == 201, called.text
    return lead_id


def test_typing_a_phone_in_the_search_box_finds_the_lead_and_enter_opens_it(stack, page):
    # Given Anna's new lead with a mobile number
    mobile = f"{random.randrange(10_000_000, 99_999_999)}"
    name = unique("Sina Sucher")
    lead_id = new_lead(stack, name, mobile)
    # When Anna, on her home page, types the number as dialled in Germany into the search box
    log_in(page, stack, "rep-anna", then="home.html")
    box = page.get_by_test_id("search-input")
    box.press_sequentially(f"0151 {mobile[:4]} {mobile[4:]}", delay=20)
    # Then the lead is listed under Leads, with its company
    result = page.get_by_test_id("search-result").first
    result.wait_for()
    assert result.get_attribute("data-kind") == "lead"
    assert name in result.inner_text() and "Suchbar GmbH" in result.inner_text()
    # And ArrowDown then Enter opens its page
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == result.get_attribute("id")
    box.press("Enter")
    page.wait_for_url(f"**/record.html?kind=lead&id={lead_id}")


def test_another_rep_does_not_find_annas_lead(stack, page):
    # Given Anna's lead
    mobile = f"{random.randrange(10_000_000, 99_999_999)}"
    new_lead(stack, unique("Nora Nichtfuerdich"), mobile)
    # When Béla searches for its number on the board
    log_in(page, stack, "rep-bela", then="board.html")
    page.get_by_test_id("search-input").fill(f"+49 151 {mobile}")
    # Then he finds nothing
    page.get_by_test_id("search-none").wait_for()
    assert page.get_by_test_id("search-result").count() == 0


def test_a_deal_is_found_by_a_word_of_its_title_and_a_click_opens_it(stack, page):
    # Given Anna's new deal
    title = unique("Glasfaser Suchprojekt")
    created = call_api(stack, "rep-anna", "POST", "/api/deals", json={"title": title})
    assert created.status_code == 201, created.text
    # When she types the title's second word on the board, in German
    log_in(page, stack, "rep-anna", then="board.html")
    page.get_by_test_id("language").select_option("de")
    page.get_by_test_id("search-input").fill(title.split()[1][:9].lower())
    # Then the deal is listed under the menu's word for deals, and clicking it opens its page
    result = page.locator("[data-testid=search-result][data-kind=deal]", has_text=title)
    result.wait_for()
    assert "Deals" in page.get_by_test_id("search-results").inner_text()
    result.click()
    page.wait_for_url(f"**/record.html?kind=deal&id={created.json()['deal_id']}")
