"""Accounts that know their contacts and deals (L10, D2, D6): conversion, quick-create with a company name, the
contacts import, moves and reassignments all keep the account's member items current in their own transaction, so
the account page lists every contact and deal of the company, whoever owns it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from tests.integration.test_board_api import ADMIN, MANAGER, REP_A, REP_B, ROLES, Board, board  # noqa: F401
from tests.integration.test_imports_api import map_columns, run, upload
from tests.integration.test_records_api import converted

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def account_page(api: Board, account_id: str, user: str = MANAGER) -> dict[str, Any]:
    response = api.call("GET", f"/api/records/account/{account_id}", user)
    assert response.status_code == 200, response.text
    return response.json()["fields"]


def deal_fields(api: Board, deal_id: str, user: str = MANAGER) -> dict[str, Any]:
    response = api.call("GET", f"/api/records/deal/{deal_id}", user)
    assert response.status_code == 200, response.text
    return response.json()["fields"]


def listed_deals(page: dict[str, Any]) -> dict[str, tuple]:
    """deal id -> (title, stage, owner, owner name, amount, currency) as the account page lists it."""
    return {deal["deal_id"]: (deal["title"], deal["stage_id"], deal["owner_id"], deal["owner_name"], deal["amount"],
                              deal["currency"]) for deal in page["deals"]}


def accounts_named(name: str) -> list:
    """Every account item of the company (a test may Scan; the services never do)."""
    from crm.data.accounts import AccountItem, normalize_account_name
    from crm.data.table import CrmItem

    return [item for item in CrmItem.scan()
            if isinstance(item, AccountItem) and item.normalized_name == normalize_account_name(name)]


def member_items() -> list:
    from crm.data.accounts import AccountMemberItem
    from crm.data.table import CrmItem

    return [item for item in CrmItem.scan() if isinstance(item, AccountMemberItem)]


def test_a_quick_created_deal_with_a_new_company_makes_its_account_owned_by_the_deals_owner(crm, board):
    # When the manager quick-creates a deal for rep B naming a company nobody has yet
    deal = board.new_deal(MANAGER, "Tower fit-out", account_name="Nakatomi Trading", amount="5000", currency="USD",
                          owner_id=REP_B)
    # Then the company is an account, owned by rep B, and the deal's page links it
    (account,) = accounts_named("nakatomi  TRADING")
    assert (account.name, account.owner_id) == ("Nakatomi Trading", REP_B)
    assert deal_fields(board, deal["deal_id"], REP_B)["account_id"] == account.account_id
    # And the account page lists the deal with its owner's name, to rep B and the managers only
    page = account_page(board, account.account_id, REP_B)
    assert listed_deals(page) == {deal["deal_id"]: ("Tower fit-out", "unsorted", REP_B, "Béla Kovács", "5000.00",
                                                    "USD")}
    answers = {user: board.call("GET", f"/api/records/account/{account.account_id}", user).status_code
               for user in ROLES}
    assert answers == {REP_A: 404, REP_B: 200, MANAGER: 200, ADMIN: 200}


def test_a_deal_without_a_company_stays_without_an_account(crm, board):
    deal = board.new_deal(REP_A, "Walk-in")
    assert deal_fields(board, deal["deal_id"])["account_id"] is None
    assert accounts_named("Walk-in") == [] and member_items() == []


def test_a_deal_typed_with_a_known_company_joins_its_account_and_the_page_lists_every_owners_records(crm, board):
    # Given rep A's converted lead: the Weber GmbH account (rep A's) with her contact and deal
    records = converted(crm, board)
    # When rep B quick-creates a deal for "weber  GMBH"
    deal = board.new_deal(REP_B, "Second site", account_name="weber  GMBH")
    # Then no second account is made: the deal belongs to rep A's account
    assert [account.account_id for account in accounts_named("Weber GmbH")] == [records["account"]]
    assert deal_fields(board, deal["deal_id"], REP_B)["account_id"] == records["account"]
    # And rep A's account page lists her contact, her deal and rep B's deal, each with its owner's name
    page = account_page(board, records["account"], REP_A)
    assert [(contact["contact_id"], contact["name"], contact["owner_name"]) for contact in page["contacts"]] == [
        (records["contact"], "Jonas Weber", "Anna Schmidt")]
    assert listed_deals(page) == {
        records["deal"]: ("Weber GmbH deal", "unsorted", REP_A, "Anna Schmidt", "900.00", "EUR"),
        deal["deal_id"]: ("Second site", "unsorted", REP_B, "Béla Kovács", None, None)}
    # And rep B, who does not own the account, still cannot open it
    assert board.call("GET", f"/api/records/account/{records['account']}", REP_B).status_code == 404


def test_two_quick_creates_racing_for_a_new_company_make_one_account(crm, board):
    from crm.data.people import get_user
    from crm.models.board import DealCreate
    from crm.services.board import create_deal

    # Given four reps' requests naming the same new company, released at the same moment
    manager, start = get_user(MANAGER), threading.Barrier(4)

    def create(number: int) -> str:
        request = DealCreate(title=f"Race {number}", account_name="Racing Ltd", owner_id=(REP_A, REP_B)[number % 2])
        start.wait()
        return create_deal(request, manager, NOW)["deal_id"]

    # When they are created concurrently
    with ThreadPoolExecutor(max_workers=4) as pool:
        deal_ids = list(pool.map(create, range(4)))
    # Then there is one Racing Ltd account, and it lists all four deals
    (account,) = accounts_named("Racing Ltd")
    assert {deal_fields(board, deal_id)["account_id"] for deal_id in deal_ids} == {account.account_id}
    assert set(listed_deals(account_page(board, account.account_id))) == set(deal_ids)


def test_a_company_created_after_the_lookup_is_joined_not_doubled(crm, board, monkeypatch):
    import crm.data.accounts as accounts
    from crm.data.accounts import account_id_by_name

    # Given Racing Ltd became an account after this quick-create looked for it (the lookup saw nothing)
    first = board.new_deal(REP_A, "First", account_name="Racing Ltd")
    lookups = []

    def late_lookup(name: str) -> str | None:
        lookups.append(name)
        return None if len(lookups) == 1 else account_id_by_name(name)

    monkeypatch.setattr(accounts, "account_id_by_name", late_lookup)
    # When the quick-create writes its own Racing Ltd
    second = board.new_deal(REP_B, "Second", account_name="Racing Ltd")
    # Then the name item refuses it, the create looks again and joins the existing account
    (account,) = accounts_named("Racing Ltd")
    assert len(lookups) == 2 and account.owner_id == REP_A
    assert set(listed_deals(account_page(board, account.account_id))) == {first["deal_id"], second["deal_id"]}


def test_imported_contacts_are_listed_on_their_company_whoever_owns_them(crm, board):
    # Given rep A's Weber GmbH account from a conversion
    records = converted(crm, board)
    # When the manager imports two Weber people as contacts for rep B
    text = "Name,Email,Company name,Job title\nKarl,karl@example.com,Weber GmbH,CEO\nKlara,klara@example.com,,CFO\n"
    job = upload(board, MANAGER, text, kind="contacts", file_name="weber.csv")
    map_columns(board, MANAGER, job, owner_id=REP_B)
    rows = run(board, MANAGER, job["import_id"])
    assert [row["outcome"] for row in rows] == ["created", "created"]
    # Then Karl joins rep A's account, listed with rep B as his owner; Klara (no company) gets her own account
    page = account_page(board, records["account"], REP_A)
    assert [(contact["name"], contact["role"], contact["owner_id"], contact["owner_name"])
            for contact in page["contacts"]] == [("Jonas Weber", "CTO", REP_A, "Anna Schmidt"),
                                                 ("Karl", "CEO", REP_B, "Béla Kovács")]
    assert page["contacts"][1]["email"] == "karl@example.com"
    klara = account_page(board, rows[1]["account_id"], REP_B)
    assert (klara["name"], klara["owner_id"], [contact["name"] for contact in klara["contacts"]]) == (
        "Klara", REP_B, ["Klara"])


def test_moving_and_reassigning_a_deal_keep_its_line_on_the_account_current(crm, board):
    # Given rep A's deal for Weber GmbH
    deal = board.new_deal(REP_A, "Weber rollout", account_name="Weber GmbH", amount="1200", currency="EUR")
    account_id = deal_fields(board, deal["deal_id"])["account_id"]
    # When she moves it to Identified
    moved = board.call("POST", f"/api/deals/{deal['deal_id']}/move", REP_A,
                       {"stage_id": "identified", "version": deal["version"]})
    assert moved.status_code == 200, moved.text
    # Then the account lists it in its new stage
    assert listed_deals(account_page(board, account_id))[deal["deal_id"]][1:4] == ("identified", REP_A,
                                                                                  "Anna Schmidt")
    # When the manager gives it to rep B
    given = board.call("POST", f"/api/deals/{deal['deal_id']}/owner", MANAGER, {"owner_id": REP_B})
    assert given.status_code == 200, given.text
    # Then the account lists it as rep B's, still in Identified, money unchanged
    assert listed_deals(account_page(board, account_id))[deal["deal_id"]] == (
        "Weber rollout", "identified", REP_B, "Béla Kovács", "1200.00", "EUR")
    # And a refused (stale) move leaves the line as it was
    stale = board.call("POST", f"/api/deals/{deal['deal_id']}/move", MANAGER,
                       {"stage_id": "proposal", "version": deal["version"]})
    assert stale.status_code == 409
    assert listed_deals(account_page(board, account_id))[deal["deal_id"]][1] == "identified"


def test_a_deal_without_an_account_is_moved_without_a_member_item(crm, board):
    deal = board.new_deal(REP_A, "Walk-in")
    moved = board.call("POST", f"/api/deals/{deal['deal_id']}/move", REP_A,
                       {"stage_id": "identified", "version": deal["version"]})
    assert moved.status_code == 200, moved.text
    assert member_items() == []


def test_a_deal_written_before_memberships_is_listed_once_it_is_written_again(crm, board):
    from crm.clock import to_iso
    from crm.data.accounts import DealItem
    from crm.data.board import Placement, add_to_counters, counter_changes

    # Given rep A's account and an older deal of it, saved before deals had member items
    records = converted(crm, board)
    old = DealItem.build(title="Legacy deal", owner_id=REP_A, pipeline_id="sales", stage_id="unsorted",
                         created_at=to_iso(NOW), account_id=records["account"], account_name="Weber GmbH")
    old.save()
    add_to_counters(counter_changes(None, Placement.of(old)))
    # Then the account page does not list it yet
    assert set(listed_deals(account_page(board, records["account"]))) == {records["deal"]}
    # When it is moved
    moved = board.call("POST", f"/api/deals/{old.deal_id}/move", REP_A, {"stage_id": "identified", "version": 1})
    assert moved.status_code == 200, moved.text
    # Then it is listed in its new stage
    assert listed_deals(account_page(board, records["account"]))[old.deal_id][:2] == ("Legacy deal", "identified")
