"""The board in a real headless Chromium (Debian's chromium, driven by Playwright) against the running stack.

Screenshots go to test-artifacts/board/ (tests/e2e/browser.py), one per test, for a person to look at.
"""

from __future__ import annotations

import pytest
import requests

from tests.e2e.browser import call_api, unique
from tests.e2e.browser import log_in as sign_in
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def create_deal(stack: RunningStack, user_id: str, title: str, **fields) -> dict:
    response = call_api(stack, user_id, "POST", "/api/deals", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def log_in(page, stack: RunningStack, user_id: str) -> None:
    sign_in(page, stack, user_id)
    page.get_by_test_id("column-unsorted").wait_for()


def card(page, deal: dict):
    return page.get_by_test_id(f"card-{deal['deal_id']}")


def test_a_rep_sees_only_their_own_cards(stack, page):
    own = create_deal(stack, "rep-anna", unique("Anna's deal"), amount="1200.00", currency="EUR")
    other = create_deal(stack, "rep-bela", unique("Béla's deal"))
    log_in(page, stack, "rep-anna")
    assert card(page, own).is_visible()
    assert card(page, other).count() == 0


def test_dragging_a_card_to_another_column_sticks_after_a_reload(stack, page):
    deal = create_deal(stack, "rep-anna", unique("Drag me"))
    log_in(page, stack, "rep-anna")
    card(page, deal).drag_to(page.get_by_test_id("column-identified"))
    page.get_by_test_id("column-identified").get_by_test_id(f"card-{deal['deal_id']}").wait_for()
    page.reload()
    page.get_by_test_id("column-identified").get_by_test_id(f"card-{deal['deal_id']}").wait_for()
    assert page.get_by_test_id("column-unsorted").get_by_test_id(f"card-{deal['deal_id']}").count() == 0


def test_the_keyboard_path_moves_a_card(stack, page):
    deal = create_deal(stack, "rep-anna", unique("Keyboard"))
    log_in(page, stack, "rep-anna")
    mover = page.get_by_test_id(f"move-{deal['deal_id']}")
    mover.focus()
    mover.select_option("proposal")
    page.get_by_test_id("column-proposal").get_by_test_id(f"card-{deal['deal_id']}").wait_for()
    page.reload()
    page.get_by_test_id("column-proposal").get_by_test_id(f"card-{deal['deal_id']}").wait_for()


def deal_record(stack: RunningStack, deal: dict) -> dict:
    response = call_api(stack, "rep-anna", "GET", f"/api/records/deal/{deal['deal_id']}")
    assert response.status_code == 200, response.text
    return response.json()


def stage_changes(stack: RunningStack, deal: dict) -> list[dict]:
    return [event for event in deal_record(stack, deal)["timeline"]["events"] if event["type"] == "stage_changed"]


def test_arrow_keys_browse_the_stages_and_escape_moves_nothing(stack, page):
    # Given Anna's deal in Unsorted and its stage list focused
    deal = create_deal(stack, "rep-anna", unique("Browse"))
    log_in(page, stack, "rep-anna")
    mover = page.get_by_test_id(f"move-{deal['deal_id']}")
    mover.focus()
    # When she arrows down twice, then presses Escape
    mover.press("ArrowDown")
    mover.press("ArrowDown")
    assert mover.input_value() == "in-discussion"
    mover.press("Escape")
    # Then the card stays in Unsorted, its list shows Unsorted again, and the deal never moved
    assert mover.input_value() == "unsorted"
    page.wait_for_timeout(500)
    assert page.get_by_test_id("column-unsorted").get_by_test_id(f"card-{deal['deal_id']}").is_visible()
    assert stage_changes(stack, deal) == []
    assert deal_record(stack, deal)["open_tasks"] == []


def test_arrow_keys_then_enter_make_exactly_one_move(stack, page):
    # Given Anna's deal in Unsorted and its stage list focused
    deal = create_deal(stack, "rep-anna", unique("Arrow and enter"))
    log_in(page, stack, "rep-anna")
    mover = page.get_by_test_id(f"move-{deal['deal_id']}")
    mover.focus()
    # When she arrows down twice (past Identified) and presses Enter
    mover.press("ArrowDown")
    mover.press("ArrowDown")
    mover.press("Enter")
    # Then the card is in "In discussion", moved once, with only that stage's task (none of Identified's)
    page.get_by_test_id("column-in-discussion").get_by_test_id(f"card-{deal['deal_id']}").wait_for()
    moves = stage_changes(stack, deal)
    assert len(moves) == 1, moves
    assert len(deal_record(stack, deal)["open_tasks"]) == 1


def test_quick_create_puts_a_new_deal_in_unsorted(stack, page):
    log_in(page, stack, "rep-anna")
    title = unique("Quick deal")
    page.get_by_test_id("new-deal").click()
    dialog = page.locator("dialog[open]")  # Anna reads German: find the fields by their hooks, not their words
    dialog.get_by_test_id("deal-title").fill(title)
    dialog.get_by_test_id("deal-amount").fill("500")
    dialog.get_by_test_id("deal-submit").click()
    page.get_by_test_id("column-unsorted").get_by_role("heading", name=title).wait_for()
    assert not dialog.is_visible()


def test_persian_turns_the_page_right_to_left(stack, page):
    log_in(page, stack, "rep-anna")
    page.get_by_test_id("language").select_option("fa")
    page.wait_for_function("document.documentElement.dir === 'rtl'")
    assert page.evaluate("document.documentElement.lang") == "fa"


def test_the_manager_sees_every_reps_cards(stack, page):
    anna = create_deal(stack, "rep-anna", unique("For Anna"))
    bela = create_deal(stack, "rep-bela", unique("For Béla"))
    log_in(page, stack, "manager-maria")
    assert card(page, anna).is_visible() and card(page, bela).is_visible()
    assert page.get_by_test_id("owner-filter").is_visible()


def test_the_login_page_offers_every_active_user(stack, page):
    users = requests.get(f"{stack.url}/local/users", timeout=10).json()
    assert {"admin-ada", "manager-maria", "rep-anna", "rep-bela", "rep-chris"} <= {user["user_id"] for user in users}
    page.goto(f"{stack.url}/login.html")
    for user in users:
        page.get_by_test_id(f"login-{user['user_id']}").wait_for()
