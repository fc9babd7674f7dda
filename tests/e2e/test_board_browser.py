"""The board in a real headless Chromium (Debian's chromium, driven by Playwright) against the running stack.

Screenshots go to test-artifacts/board/ (tests/e2e/browser.py), one per test, for a person to look at.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.e2e.browser import call_api, unique
from tests.e2e.browser import log_in as sign_in
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

OPEN_STAGES = ("unsorted", "identified", "in-discussion", "decision-makers-identified", "proposal", "negotiation",
               "procurement")


def create_deal(stack: RunningStack, user_id: str, title: str, **fields) -> dict:
    response = call_api(stack, user_id, "POST", "/api/deals", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def move(stack: RunningStack, user_id: str, deal: dict, stage_id: str) -> dict:
    response = call_api(stack, user_id, "POST", f"/api/deals/{deal['deal_id']}/move",
                        json={"stage_id": stage_id, "version": deal["version"]})
    assert response.status_code == 200, response.text
    return response.json()


def log_in(page, stack: RunningStack, user_id: str, then: str = "board.html") -> None:
    sign_in(page, stack, user_id, then=then)
    page.get_by_test_id("column-unsorted").wait_for()


def card(page, deal: dict):
    return page.get_by_test_id(f"card-{deal['deal_id']}")


def in_column(page, stage_id: str, deal: dict):
    return page.get_by_test_id(f"column-{stage_id}").get_by_test_id(f"card-{deal['deal_id']}")


def deal_record(stack: RunningStack, deal: dict, user_id: str = "rep-anna") -> dict:
    response = call_api(stack, user_id, "GET", f"/api/records/deal/{deal['deal_id']}")
    assert response.status_code == 200, response.text
    return response.json()


def stage_changes(stack: RunningStack, deal: dict) -> list[dict]:
    return [event for event in deal_record(stack, deal)["timeline"]["events"] if event["type"] == "stage_changed"]


def url_filters(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


# --- seeing the board -------------------------------------------------------------------------------------------

def test_a_rep_sees_only_their_own_cards(stack, page):
    own = create_deal(stack, "rep-anna", unique("Anna's deal"), amount="1200.00", currency="EUR")
    other = create_deal(stack, "rep-bela", unique("Béla's deal"))
    log_in(page, stack, "rep-anna")
    assert card(page, own).is_visible()
    assert card(page, other).count() == 0


def test_at_1440_by_900_a_column_shows_eight_cards_and_every_open_stage_fits_the_width(stack, page):
    # Given ten of Anna's deals in Identified, with amounts, close dates (some soon), types and next tasks
    soon = date.today() + timedelta(days=3)
    for number in range(10):
        deal = create_deal(stack, "rep-anna", unique(f"Dense deal {number} with a rather long title"),
                           account_name=f"Account {number} Industries GmbH", amount=f"{(number + 1) * 1250}.00",
                           currency="EUR", expected_close_date=(soon + timedelta(days=number * 5)).isoformat(),
                           deal_type=("new_business", "upsell", None)[number % 3])
        move(stack, "rep-anna", deal, "identified")
    # When she opens the board at 1440x900
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, stack, "rep-anna")
    page.get_by_test_id("column-identified").locator(".card").nth(9).wait_for(state="attached")
    # Then 8 or more of its cards are wholly in view, and each open stage's column is within the window's width
    seen = page.evaluate("""() => {
      const column = document.querySelector('[data-testid=column-identified]').getBoundingClientRect();
      const bottom = Math.min(column.bottom, innerHeight);
      return [...document.querySelectorAll('[data-testid=column-identified] .card')]
        .map((card) => card.getBoundingClientRect()).filter((box) => box.top >= column.top && box.bottom <= bottom)
        .length;
    }""")
    assert seen >= 8, seen
    columns = page.evaluate("""() => [...document.querySelectorAll('.column')].map((column) => {
      const box = column.getBoundingClientRect();
      return [column.dataset.stageId, box.left >= 0 && box.right <= innerWidth];
    })""")
    assert [stage for stage, _ in columns] == list(OPEN_STAGES)
    assert all(inside for _, inside in columns), columns
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_card_shows_its_close_date_type_owner_and_warnings_in_words(stack, page):
    past = (date.today() - timedelta(days=2)).isoformat()
    deal = create_deal(stack, "rep-anna", unique("Late close"), amount="900.00", currency="EUR",
                       expected_close_date=past, deal_type="renewal")
    log_in(page, stack, "rep-anna")
    shown = card(page, deal)
    assert shown.get_by_test_id(f"close-passed-{deal['deal_id']}").is_visible()
    assert shown.get_by_test_id(f"close-date-{deal['deal_id']}").is_visible()
    assert shown.get_by_test_id(f"type-{deal['deal_id']}").is_visible()
    assert shown.locator(".avatar").get_attribute("data-initials") == "AS"  # Anna Schmidt, named in its text
    assert "Anna Schmidt" in shown.locator(".avatar").inner_text()


# --- moving -----------------------------------------------------------------------------------------------------

def test_dragging_a_card_to_another_column_sticks_after_a_reload(stack, page):
    deal = create_deal(stack, "rep-anna", unique("Drag me"))
    log_in(page, stack, "rep-anna")
    card(page, deal).drag_to(page.get_by_test_id("column-identified"))
    in_column(page, "identified", deal).wait_for()
    page.reload()
    in_column(page, "identified", deal).wait_for()
    assert in_column(page, "unsorted", deal).count() == 0


def test_the_move_menu_moves_a_card_on_a_click(stack, page):
    deal = create_deal(stack, "rep-anna", unique("Menu move"))
    log_in(page, stack, "rep-anna")
    page.get_by_test_id(f"move-{deal['deal_id']}").click()
    page.get_by_test_id("move-menu").get_by_test_id("move-to-proposal").click()
    in_column(page, "proposal", deal).wait_for()
    # focus is on the card's Move button in its new column, and the live region says what happened
    page.wait_for_function(f"document.activeElement?.id === 'move-{deal['deal_id']}'")
    page.get_by_test_id("message").filter(has_text=deal["title"]).wait_for()
    page.reload()
    in_column(page, "proposal", deal).wait_for()


def test_arrow_keys_browse_the_move_menu_and_escape_moves_nothing(stack, page):
    # Given Anna's deal in Unsorted and its Move button focused
    deal = create_deal(stack, "rep-anna", unique("Browse"))
    log_in(page, stack, "rep-anna")
    mover = page.get_by_test_id(f"move-{deal['deal_id']}")
    mover.focus()
    # When she opens the menu with Enter and arrows down twice
    page.keyboard.press("Enter")
    menu = page.get_by_test_id("move-menu")
    menu.wait_for()
    assert page.evaluate("document.activeElement.dataset.stageId") == "unsorted"  # the card's stage first
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.stageId") == "in-discussion"
    # Then nothing moved; Escape closes the menu and gives focus back to the Move button
    page.keyboard.press("Escape")
    menu.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.id") == f"move-{deal['deal_id']}"
    assert mover.get_attribute("aria-expanded") == "false"
    page.wait_for_timeout(500)
    assert in_column(page, "unsorted", deal).is_visible()
    assert stage_changes(stack, deal) == []
    assert deal_record(stack, deal)["open_tasks"] == []


def test_arrow_keys_then_enter_make_exactly_one_move(stack, page):
    # Given Anna's deal in Unsorted and its move menu opened from the keyboard
    deal = create_deal(stack, "rep-anna", unique("Arrow and enter"))
    log_in(page, stack, "rep-anna")
    page.get_by_test_id(f"move-{deal['deal_id']}").focus()
    page.keyboard.press("Enter")
    # When she arrows down twice (past Identified) and presses Enter
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    # Then the card is in "In discussion", moved once, with only that stage's task (none of Identified's)
    in_column(page, "in-discussion", deal).wait_for()
    moves = stage_changes(stack, deal)
    assert len(moves) == 1, moves
    assert len(deal_record(stack, deal)["open_tasks"]) == 1


def test_won_and_lost_are_drop_zones_under_the_board_not_columns(stack, page):
    deal = create_deal(stack, "rep-anna", unique("Winner"), amount="700.00", currency="EUR")
    log_in(page, stack, "rep-anna")
    assert page.get_by_test_id("column-closed-won").count() == page.get_by_test_id("column-closed-lost").count() == 0
    won = page.get_by_test_id("zone-closed-won")
    before = int(won.get_attribute("data-count"))
    # When Anna drops her card on Won
    card(page, deal).drag_to(won)
    # Then it leaves the board, the zone counts it, and the deal is won
    card(page, deal).wait_for(state="detached")
    page.wait_for_function(f"document.querySelector('[data-testid=zone-closed-won]').dataset.count === '{before + 1}'")
    assert deal_record(stack, deal)["fields"]["stage_id"] == "closed-won"


def test_dropping_on_lost_asks_the_lost_reason_and_the_menu_offers_lost_too(stack, page):
    kept = create_deal(stack, "rep-anna", unique("Not lost yet"))
    lost = create_deal(stack, "rep-anna", unique("Lost by menu"))
    log_in(page, stack, "rep-anna")
    # Dropping on Lost asks why; cancelling keeps the card where it was
    card(page, kept).drag_to(page.get_by_test_id("zone-closed-lost"))
    dialog = page.locator("#lost-dialog")
    dialog.get_by_test_id("lost-reason").wait_for()
    dialog.locator("button[value=cancel]").click()
    assert in_column(page, "unsorted", kept).is_visible()
    assert stage_changes(stack, kept) == []
    # The move menu's Lost asks too; confirming loses the deal with the reason chosen
    page.get_by_test_id(f"move-{lost['deal_id']}").click()
    page.get_by_test_id("move-menu").get_by_test_id("move-to-closed-lost").click()
    reason = dialog.get_by_test_id("lost-reason")
    reason.select_option(index=1)
    chosen = reason.input_value()
    dialog.get_by_test_id("lost-confirm").click()
    card(page, lost).wait_for(state="detached")
    fields = deal_record(stack, lost)["fields"]
    assert (fields["stage_id"], fields["lost_reason"]) == ("closed-lost", chosen)


# --- opening a card ---------------------------------------------------------------------------------------------

def test_a_plain_click_on_a_title_opens_the_side_panel_and_its_link_stays_the_record(stack, page):
    deal = create_deal(stack, "rep-anna", unique("Open me"))
    log_in(page, stack, "rep-anna")
    link = page.get_by_test_id(f"card-link-{deal['deal_id']}")
    assert link.get_attribute("href") == f"record.html?kind=deal&id={deal['deal_id']}"
    link.click()
    panel = page.get_by_test_id("deal-panel")
    panel.get_by_test_id("deal-panel-title").filter(has_text=deal["title"]).wait_for()
    assert page.url.endswith("board.html")


def test_a_cards_quick_action_opens_the_panel_at_that_action(stack, page):
    deal = create_deal(stack, "rep-anna", unique("Quick task"))
    log_in(page, stack, "rep-anna")
    page.get_by_test_id(f"move-{deal['deal_id']}").focus()
    page.keyboard.press("Tab")  # the quick actions come after the Move button, in the card
    assert page.evaluate("document.activeElement.dataset.action") == "dial"  # Call, then Log a call, Email, Task
    page.get_by_test_id(f"task-{deal['deal_id']}").click()
    page.get_by_test_id("deal-panel").get_by_test_id("deal-panel-title").filter(has_text=deal["title"]).wait_for()
    page.locator("[data-testid=deal-panel] form").first.wait_for()


# --- filters ----------------------------------------------------------------------------------------------------

def test_each_filter_narrows_the_board_and_the_url_keeps_it(stack, page):
    # Given Béla's deals: one found by its account's name, an upsell, one closing this month, one with no date
    word = unique("Quince").split()[1]
    today = date.today()
    month_end = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    by_account = create_deal(stack, "rep-bela", unique("Filter A"), account_name=f"Acme {word} Ltd")
    upsell = create_deal(stack, "rep-bela", unique("Filter B"), deal_type="upsell")
    closing = create_deal(stack, "rep-bela", unique("Filter C"), expected_close_date=month_end.isoformat())
    undated = create_deal(stack, "rep-bela", unique("Filter D"), deal_type="renewal")
    log_in(page, stack, "rep-bela")
    unsorted = page.get_by_test_id("column-unsorted")
    everyone = int(unsorted.get_attribute("data-count"))
    assert everyone >= 4

    # The text, as she types it (no Enter): only the deal whose account has the word, and the header counts one
    page.get_by_test_id("filter-q").press_sequentially(word.upper(), delay=30)
    card(page, upsell).wait_for(state="detached")
    assert card(page, by_account).is_visible()
    page.wait_for_function("document.querySelector('[data-testid=column-unsorted]').dataset.count === '1'")
    assert url_filters(page)["q"] == [word.upper()]
    # Clearing the filters shows everything again and empties the URL's filters
    page.get_by_test_id("clear-filters").click()
    card(page, upsell).wait_for()
    assert "q" not in url_filters(page)

    # The deal type
    page.get_by_test_id("filter-type").select_option("upsell")
    card(page, by_account).wait_for(state="detached")
    assert card(page, upsell).is_visible() and card(page, undated).count() == 0
    assert url_filters(page)["type"] == ["upsell"]
    # ... kept by a reload, with the field showing it
    page.reload()
    card(page, upsell).wait_for()
    assert card(page, by_account).count() == 0
    assert page.get_by_test_id("filter-type").input_value() == "upsell"
    page.get_by_test_id("clear-filters").click()

    # The expected close date: this month, then no date
    page.get_by_test_id("filter-closing").select_option("this_month")
    card(page, upsell).wait_for(state="detached")
    assert card(page, closing).is_visible()
    assert url_filters(page)["closing"] == ["this_month"]
    page.get_by_test_id("filter-closing").select_option("none")
    card(page, closing).wait_for(state="detached")
    assert card(page, undated).is_visible() and card(page, upsell).is_visible()


def test_the_stalled_and_overdue_filters_show_only_such_deals(stack, page):
    # The demo data's "Vertrieb Süd" (Anna's) is over its stage's limit and has an overdue task
    fresh = create_deal(stack, "rep-anna", unique("Fresh deal"))
    log_in(page, stack, "rep-anna")
    for flag, badge in (("stalled", "stalled"), ("overdue", "overdue")):
        page.get_by_test_id(f"filter-{flag}").check()
        card(page, fresh).wait_for(state="detached")
        shown = page.locator(".column .card")
        assert shown.count() >= 1
        for index in range(shown.count()):
            deal_id = shown.nth(index).get_attribute("data-deal-id")
            assert shown.nth(index).get_by_test_id(f"{badge}-{deal_id}").is_visible()
        assert url_filters(page)[flag] == ["true"]
        page.get_by_test_id("clear-filters").click()
        card(page, fresh).wait_for()


def test_the_manager_sees_every_reps_cards_and_filters_by_owner(stack, page):
    anna = create_deal(stack, "rep-anna", unique("For Anna"))
    bela = create_deal(stack, "rep-bela", unique("For Béla"))
    log_in(page, stack, "manager-maria")
    assert card(page, anna).is_visible() and card(page, bela).is_visible()
    page.get_by_test_id("owner-filter").select_option("rep-bela")
    card(page, anna).wait_for(state="detached")
    assert card(page, bela).is_visible()
    assert url_filters(page)["owner"] == ["rep-bela"]
    page.reload()
    card(page, bela).wait_for()
    assert card(page, anna).count() == 0


def test_load_more_brings_a_columns_next_page_and_focuses_its_first_card(stack, page):
    for number in range(26):
        create_deal(stack, "rep-chris", unique(f"Paged {number}"))
    log_in(page, stack, "rep-chris")
    cards = page.get_by_test_id("column-unsorted").locator(".card")
    assert cards.count() == 25
    page.get_by_test_id("load-more-unsorted").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=column-unsorted] .card').length > 25")
    assert page.evaluate("document.activeElement.dataset.testid") == cards.nth(25).get_attribute("data-testid")


# --- creating ---------------------------------------------------------------------------------------------------

def test_quick_create_puts_a_new_deal_in_unsorted_with_its_close_date_and_type(stack, page):
    log_in(page, stack, "rep-anna")
    title = unique("Quick deal")
    close = date.today() + timedelta(days=30)
    page.get_by_test_id("new-deal").click()
    dialog = page.locator("dialog[open]")  # Anna reads German: find the fields by their hooks, not their words
    dialog.get_by_test_id("deal-title").fill(title)
    dialog.get_by_test_id("deal-amount").fill("500")
    dialog.get_by_test_id("deal-close").fill(close.isoformat())
    dialog.get_by_test_id("deal-type").select_option("renewal")
    dialog.get_by_test_id("deal-submit").click()
    page.get_by_test_id("column-unsorted").get_by_role("heading", name=title).wait_for()
    assert not dialog.is_visible()
    created = page.get_by_test_id("column-unsorted").locator(".card").filter(has_text=title)
    deal_id = created.get_attribute("data-deal-id")
    assert created.get_by_test_id(f"close-date-{deal_id}").is_visible()
    assert created.get_by_test_id(f"type-{deal_id}").is_visible()
    saved = deal_record(stack, {"deal_id": deal_id})["fields"]
    assert (saved["expected_close_date"], saved["deal_type"]) == (close.isoformat(), "renewal")


# --- languages and sizes ----------------------------------------------------------------------------------------

def test_persian_turns_the_page_right_to_left(stack, page):
    log_in(page, stack, "rep-anna")
    page.get_by_test_id("language").select_option("fa")
    page.wait_for_function("document.documentElement.dir === 'rtl'")
    assert page.evaluate("document.documentElement.lang") == "fa"


def test_at_phone_width_one_column_shows_at_a_time_with_filters_folded_and_nothing_sideways(stack, page):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, stack, "rep-anna")
    # the page itself never scrolls sideways: the board does, a column at a time
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    widths = page.evaluate("""() => [document.querySelector('.board').clientWidth,
      document.querySelector('[data-testid=column-unsorted]').getBoundingClientRect().width]""")
    assert widths[1] > widths[0] * 0.8, widths
    # the header leaves most of the screen to the board
    top = page.evaluate("document.querySelector('.board').getBoundingClientRect().top")
    assert top < 844 * 0.4, top
    # the filters wait behind their button
    assert not page.get_by_test_id("filter-q").is_visible()
    toggle = page.get_by_test_id("filters-toggle")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.get_by_test_id("filter-q").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_login_page_offers_every_active_user(stack, page):
    users = requests.get(f"{stack.url}/local/users", timeout=10).json()
    assert {"admin-ada", "manager-maria", "rep-anna", "rep-bela", "rep-chris"} <= {user["user_id"] for user in users}
    page.goto(f"{stack.url}/login.html")
    for user in users:
        page.get_by_test_id(f"login-{user['user_id']}").wait_for()
