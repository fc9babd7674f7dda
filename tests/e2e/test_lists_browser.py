"""The lists page in a real headless Chromium against the running stack: filter leads by cycle, export what the
filter selects as CSV (a job: its progress, then a link to the file in the results bucket), email the list (a job:
its progress, then who got it), and convert a lead from its row."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from tests.e2e.browser import ARTIFACTS, call_api, log_in, posted_lead_id, unique
from tests.e2e.conftest import RunningStack
from tests.integration.conftest import HOT_ANSWERS

pytestmark = pytest.mark.e2e


def new_lead(stack: RunningStack, name: str, hot: bool, consent: bool = False, **fields: str) -> str:
    """A lead from Germany (routed to rep-anna): an expected buyer if `hot`, else not; who may get marketing email
    if `consent`."""
    email = lead_email(name)
    answers = {**(HOT_ANSWERS if hot else {}),
               **({"marketing_consent": True, "consent_text": "Yes, email me"} if consent else {}), **fields}
    response = requests.post(f"{stack.url}/leads", json={"name": name, "email": email, "country": "DE",
                                                          "company": f"{name} GmbH", **answers}, timeout=10)
    assert response.status_code == 201, response.text
    return posted_lead_id(stack, email)


def lead_email(name: str) -> str:
    return f"{name.replace(' ', '.').lower()}@example.de"


def cycle_of(stack: RunningStack, lead_id: str) -> str:
    rows = call_api(stack, "rep-anna", "GET", "/api/lists/leads", params={"limit": "100"}).json()["items"]
    return next(row["cycle"] for row in rows if row["id"] == lead_id)


def shown_ids(page) -> list[str]:
    return page.get_by_test_id("list-row").evaluate_all("rows => rows.map(row => row.dataset.id)")


def test_filter_by_cycle_then_export_shows_its_progress_and_downloads_only_matching_leads(stack, page):
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
    page.get_by_test_id("export-csv").click()
    # Then the export's progress shows, and once the worker wrote the file, how many rows it holds and a link to it
    page.get_by_test_id("export-job").get_by_test_id("job-progress").wait_for()
    link = page.get_by_test_id("export-download")
    link.wait_for(timeout=30_000)
    filename = f"leads-{datetime.now(UTC).date().isoformat()}.csv"
    rows = "Zeile" if len(expected) == 1 else "Zeilen"  # Anna's site speaks German
    assert page.get_by_test_id("export-status").text_content() == f"{filename} ist fertig: {len(expected)} {rows}."
    assert page.get_by_test_id("export-job").get_by_test_id("job-progress").get_attribute("data-status") == "done"
    # When she clicks the link, the browser downloads the file from the results bucket
    with page.expect_download() as download_info:
        link.click()
    assert download_info.value.suggested_filename == filename
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    # Then the file has a BOM, a header, and exactly the rows the filter selects
    assert text.startswith("\ufeff")
    table = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert {row["id"] for row in table} == expected and {row["cycle"] for row in table} == {"expected_buyer"}


def test_email_these_sends_as_a_job_showing_its_progress_then_who_got_it(stack, page):
    # Given two of Anna's new leads: one who agreed to marketing email, one who did not
    willing = unique("Willing Reader").replace(" ", "")
    unwilling = unique("Quiet Reader").replace(" ", "")
    new_lead(stack, willing, hot=False, consent=True)
    new_lead(stack, unwilling, hot=False)
    # When she opens her leads, chooses "Email these" and sees who would get the first template
    log_in(page, stack, "rep-anna", then="lists.html?kind=leads")
    page.get_by_test_id("list-row").first.wait_for()
    page.get_by_test_id("email-these").click()
    page.get_by_test_id("email-recipients").wait_for()
    template_id = page.get_by_test_id("email-template").input_value()
    preview = call_api(stack, "rep-anna", "POST", "/api/mass-email/preview",
                       json={"kind": "leads", "template_id": template_id}).json()
    assert preview["recipients"] >= 1 and preview["blocked"].get("no_consent", 0) >= 1
    # And the dialog says why people are left out in words, with no "null" or "[object …]" among them
    page.get_by_test_id("email-summary").locator("li").first.wait_for()
    said = page.get_by_test_id("email-summary").inner_text()
    assert "null" not in said and "[object" not in said, said
    # And sends it
    page.get_by_test_id("email-send").click()
    # Then the dialog shows the job's progress, then how many got it and how many were skipped
    summary = page.get_by_test_id("email-summary")
    summary.get_by_test_id("job-progress").wait_for()
    (ARTIFACTS / "lists").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lists" / "email_these_sending.png"), full_page=True)
    done = summary.locator("[data-testid=email-result][data-status=done]")
    done.wait_for(timeout=60_000)
    # (counted when the job ran: the stack's sped-up automation may have changed a lead since the preview)
    counts = re.fullmatch(r"Fertig: (\d+) gesendet, (\d+) übersprungen\.", done.text_content() or "")
    assert counts and int(counts[1]) >= 1 and int(counts[2]) >= 1, done.text_content()
    assert summary.get_by_test_id("job-progress").get_attribute("data-status") == "done"
    # And the willing lead got the email; the other did not
    stack.wait_for(lambda message: message["kind"] == "email" and lead_email(willing) in message["to"])
    assert not [message for message in stack.outbox() if lead_email(unwilling) in message.get("to", "")]


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


def test_typing_in_the_lists_text_box_narrows_it_as_she_types_and_the_url_keeps_it(stack, page):
    # Given two of Anna's leads, one with a Berlin phone number
    suffix = str(uuid.uuid4().int)[:4]
    wanted = new_lead(stack, unique("Tina Textfeld").replace(" ", ""), hot=False, phone=f"+49 30 5550{suffix}")
    other = new_lead(stack, unique("Otto Anders").replace(" ", ""), hot=False)
    log_in(page, stack, "rep-anna", then="lists.html?kind=leads")
    page.locator(f"[data-testid=list-row][data-id='{other}']").wait_for()
    # When she types the number as dialled in Germany, key by key
    page.get_by_test_id("filter-q").press_sequentially(f"030 5550 {suffix}", delay=40)
    # Then, without pressing Show, the list holds that lead only, and the address carries the text
    page.locator(f"[data-testid=list-row][data-id='{other}']").wait_for(state="detached")
    assert shown_ids(page) == [wanted]
    page.wait_for_url(re.compile(r"[?&]q=030"))
    # When she reloads the page, the box and the list are as she left them
    page.reload()
    page.locator(f"[data-testid=list-row][data-id='{wanted}']").wait_for()
    assert page.get_by_test_id("filter-q").input_value() == f"030 5550 {suffix}"
    assert shown_ids(page) == [wanted]
    # When she clears the box, every lead is back
    page.get_by_test_id("filter-q").fill("")
    page.locator(f"[data-testid=list-row][data-id='{other}']").wait_for()
    assert "q=" not in page.url
