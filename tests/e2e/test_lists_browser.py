"""The lists page in a real headless Chromium against the running stack: filter leads by cycle, export what the
filter selects as CSV, and convert a lead from its row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import requests

from tests.e2e.browser import call_api, log_in, unique
from tests.e2e.conftest import RunningStack
from tests.integration.conftest import HOT_ANSWERS

pytestmark = pytest.mark.e2e


def new_lead(stack: RunningStack, name: str, hot: bool) -> str:
    """A lead from Germany (routed to rep-anna): an expected buyer if `hot`, else not."""
    email = f"{name.replace(' ', '.').lower()}@example.de"
    answers = HOT_ANSWERS if hot else {}
    response = requests.post(f"{stack.url}/leads", json={"name": name, "email": email, "country": "DE",
                                                          "company": f"{name} GmbH", **answers}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def cycle_of(stack: RunningStack, lead_id: str) -> str:
    rows = call_api(stack, "rep-anna", "GET", "/api/lists/leads", params={"limit": "100"}).json()["items"]
    return next(row["cycle"] for row in rows if row["id"] == lead_id)


def shown_ids(page) -> list[str]:
    return page.get_by_test_id("list-row").evaluate_all("rows => rows.map(row => row.dataset.id)")


def test_filter_by_cycle_then_export_shows_and_downloads_only_matching_leads(stack, page):
    # Given an expected buyer and a lead that is not one, both rep Anna's
    hot = new_lead(stack, unique("Hot Buyer").replace(" ", ""), hot=True)
    other = new_lead(stack, unique("Quiet Reader").replace(" ", ""), hot=False)
    assert cycle_of(stack, hot) == "expected_buyer" != cycle_of(stack, other)
    # When Anna opens her leads and filters by the expected-buyer cycle
    log_in(page, stack, "rep-anna", then="lists.html?kind=leads")
    page.get_by_test_id("list-row").first.wait_for()
    page.get_by_test_id("filter-cycle").select_option("expected_buyer")
    page.get_by_test_id("apply-filters").click()
    page.wait_for_url("**cycle=expected_buyer*")
    page.locator(f"[data-testid=list-row][data-id='{other}']").wait_for(state="detached")
    # Then only expected buyers are listed, the hot lead among them and the other not
    ids = shown_ids(page)
    assert hot in ids and other not in ids
    expected = {row["id"] for row in call_api(stack, "rep-anna", "GET", "/api/lists/leads",
                                              params={"cycle": "expected_buyer", "limit": "100"}).json()["items"]}
    assert set(ids) == expected
    # When she exports the list
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    # Then the file has a BOM, a header, and exactly the rows the filter selects
    assert text.startswith("\ufeff")
    table = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert {row["id"] for row in table} == expected and {row["cycle"] for row in table} == {"expected_buyer"}


def test_convert_a_lead_from_its_row_then_it_links_to_its_contact_and_account(stack, page):
    # Given Anna's new lead
    name = unique("Convert Me").replace(" ", "")
    lead_id = new_lead(stack, name, hot=False)
    log_in(page, stack, "rep-anna", then="lists.html?kind=leads")
    row = page.locator(f"[data-testid=list-row][data-id='{lead_id}']")
    # When she clicks Convert, sees the account prefilled from the company, adds a deal and confirms
    row.get_by_test_id("convert-lead").click()
    assert page.get_by_test_id("convert-account").input_value() == f"{name} GmbH"
    page.get_by_test_id("convert-amount").fill("2500")
    page.get_by_test_id("convert-submit").click()
    # Then the row links to the new contact and account, and the API agrees
    links = row.get_by_test_id("converted-links")
    links.wait_for()
    converted = next(item for item in call_api(stack, "rep-anna", "GET", "/api/lists/leads",
                                               params={"status": "converted"}).json()["items"]
                     if item["id"] == lead_id)
    hrefs = links.locator("a").evaluate_all("anchors => anchors.map(a => a.getAttribute('href'))")
    assert hrefs == [f"record.html?kind=contact&id={converted['contact_id']}",
                     f"record.html?kind=account&id={converted['account_id']}"]
    deals = call_api(stack, "rep-anna", "GET", "/api/lists/deals").json()["items"]
    assert any(deal["account_id"] == converted["account_id"] and deal["amount"] == "2500.00" for deal in deals)
