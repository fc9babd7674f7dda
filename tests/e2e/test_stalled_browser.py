"""The stalled-deals page and the notices control (D5) in a real headless Chromium against the running stack.

The runner's demo deals entered their stages days ago (local/demo_data.py), so some are stuck now; the daily
robots are fired on demand through POST /local/schedules/DealRobotsFunction/run, as if at a later `time`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.e2e.browser import call_api, log_in, unique
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def run_robots(stack: RunningStack, at: datetime) -> dict:
    response = requests.post(f"{stack.url}/local/schedules/DealRobotsFunction/run",
                             json={"time": at.isoformat()}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["result"]


def stalled_rows(page) -> list[str]:
    page.get_by_test_id("stalled-summary").wait_for()
    page.wait_for_selector("#stalled[aria-busy=false]")
    return page.get_by_test_id("stalled-link").all_inner_texts()


def test_a_rep_sees_their_stuck_deal_with_its_days_and_a_link_to_it(stack, page):
    # Given Anna's demo deal "Vertrieb Süd", 18 days in a stage that allows 14, and Béla's stuck one
    log_in(page, stack, "rep-anna", then="stalled.html")
    # Then her stalled list shows hers only, with the days against the limit, linking to the deal
    assert stalled_rows(page) == ["Vertrieb Süd"]
    row = page.get_by_test_id("stalled-deal").first
    assert "18" in row.get_by_test_id("stalled-days").inner_text()
    assert "14" in row.get_by_test_id("stalled-days").inner_text()
    href = row.get_by_test_id("stalled-link").get_attribute("href")
    assert href.startswith("record.html?kind=deal&id=")


def test_a_manager_sees_every_reps_stuck_deals_and_filters_by_rep(stack, page):
    log_in(page, stack, "manager-maria", then="stalled.html")
    assert set(stalled_rows(page)) >= {"Vertrieb Süd", "CRM for the Budapest office", "Enterprise pilot"}
    page.get_by_test_id("stalled-owner").select_option("rep-bela")
    page.wait_for_url("**/stalled.html?owner=rep-bela")
    page.wait_for_function("!document.body.innerText.includes('Vertrieb Süd')")
    assert stalled_rows(page) == ["CRM for the Budapest office"]


def test_the_robots_nudge_appears_as_a_notice_that_can_be_marked_read(stack, page):
    # Given Anna's new deal in Proposal, and the robots run as if a month later
    title = unique("Nudged proposal")
    created = call_api(stack, "rep-anna", "POST", "/api/deals", json={"title": title, "stage_id": "proposal"})
    assert created.status_code == 201, created.text
    outcome = run_robots(stack, datetime.now(UTC) + timedelta(days=30))
    assert outcome["deals_nudged"] >= 1
    # When Anna opens any page, the topbar counts her unread notices
    log_in(page, stack, "rep-anna", then="board.html")
    button = page.get_by_test_id("notices-button")
    page.wait_for_function("Number(document.querySelector('[data-testid=notices-button]')?.dataset.unread) > 0")
    unread = int(button.get_attribute("data-unread"))
    # And the list names the stuck deal
    button.click()
    notice = page.get_by_test_id("notice").filter(has_text=title)
    notice.wait_for()
    assert notice.get_by_role("link").get_attribute("href").startswith("record.html?kind=deal&id=")
    # When she marks it read, the count drops by one and it is no longer unread
    notice.get_by_test_id("notice-read").click()
    page.wait_for_function(
        f"document.querySelector('[data-testid=notices-button]').dataset.unread === '{unread - 1}'")
    assert notice.get_attribute("data-unread") == "false"
    # And a second run the same day leaves nothing new
    assert run_robots(stack, datetime.now(UTC) + timedelta(days=30))["deals_nudged"] == 0


def test_the_board_marks_a_stuck_card_in_words_and_links_its_title(stack, page):
    deals = call_api(stack, "rep-anna", "GET", "/api/board/sales").json()
    stuck = next(card for column in deals["columns"] for card in column["cards"] if card["title"] == "Vertrieb Süd")
    log_in(page, stack, "rep-anna", then="board.html")
    page.get_by_test_id(f"stalled-{stuck['deal_id']}").wait_for()
    link = page.get_by_test_id(f"card-link-{stuck['deal_id']}")
    assert link.get_attribute("href") == f"record.html?kind=deal&id={stuck['deal_id']}"
