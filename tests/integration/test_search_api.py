"""The search box through the board API (GET /api/search?q=), on leads made by the real intake and deals made on the
board: a rep finds only their own records, a phone number is found however it is typed, a lead or deal handed to
another rep moves with it, a converted lead's contact, account and deal are found too, and erasure leaves no
search item behind."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3

from tests.integration.test_board_api import (  # noqa: F401  # board: a fixture
    MANAGER,
    REP_A,
    REP_B,
    Board,
    board,
)
from tests.integration.test_home import HOT, post_lead

ENTERPRISE = "201-1000"  # the enterprise rule's size: rep-chris


def found(board: Board, user: str, typed: str, kind: str = "lead") -> set[str]:
    response = board.call("GET", "/api/search", user, q=typed)
    assert response.status_code == 200, response.text
    return {result["id"] for result in response.json()["results"][kind]}


def search_items_of(record_id: str) -> list[dict]:
    """The table's search items of a record (a test may Scan)."""
    scan = boto3.client("dynamodb").get_paginator("scan").paginate(TableName="crm", ConsistentRead=True)
    return [item for page in scan for item in page["Items"]
            if item["PK"]["S"].startswith("SEARCH#") and item.get("record_id", {}).get("S") == record_id]


def test_a_rep_finds_only_their_own_leads_and_a_manager_everyones(crm, board):
    # Given Anna's lead (Germany) and Chris's (an enterprise), both at a Weber company
    annas = post_lead(crm, "Wilma", country="DE", company="Weber Stahl GmbH")
    chris = post_lead(crm, "Walter", company="Weber Holding", company_size=ENTERPRISE)
    # When each searches for the company
    # Then Anna finds hers, Béla none, the manager both
    assert found(board, REP_A, "webe") == {annas}
    assert found(board, REP_B, "weber") == set()
    assert found(board, MANAGER, "WEBER") == {annas, chris}
    # And the result says what it is
    [result] = board.call("GET", "/api/search", REP_A, q="wilma").json()["results"]["lead"]
    assert result == {"kind": "lead", "id": annas, "label": "Wilma", "detail": "Weber Stahl GmbH"}


def test_a_phone_is_found_however_it_is_typed_and_names_by_any_word_without_accents(crm, board):
    # Given a lead with a Berlin phone number and an accented name
    lead_id = post_lead(crm, "Zoë Özdemir-Brandt", country="DE", phone="+49 30 12345678",
                        email="zoe@brandt.example")
    # When Anna types the number in any format, or a word of the name without its accents, or the email's domain
    # Then she finds the lead each time
    for typed in ("+49 30 1234", "030 1234 5678", "(030) 123-456", "3012345", "0049 30 12",
                  "ozdemir", "brandt", "zoe oz", "ZOË", "brandt.exa", "zoe@b"):
        assert found(board, REP_A, typed) == {lead_id}, typed
    # And a query of one character looks for nothing
    assert board.call("GET", "/api/search", REP_A, q="z").json()["results"] == {
        "lead": [], "contact": [], "account": [], "deal": []}


def test_a_lead_handed_to_another_rep_is_found_by_them_and_no_longer_by_the_first(crm, board):
    from crm.services.lifecycle import escalate_missed_contact

    # Given Anna's expected buyer (only a lead on the first-contact SLA is escalated)
    lead_id = post_lead(crm, "Quentin", **{**HOT, "country": "DE", "company": "Quirin Werkzeug"})
    assert found(board, REP_A, "quirin") == {lead_id}
    # When Anna misses it and it is escalated to the next rep
    escalate_missed_contact(lead_id, datetime.now(UTC))
    from crm.data.leads import get_lead

    new_owner = get_lead(lead_id).owner_id
    assert new_owner != REP_A
    # Then the new owner finds it and Anna does not
    assert found(board, new_owner, "quirin") == {lead_id}
    assert found(board, REP_A, "quirin") == set()


def test_a_converted_leads_contact_account_and_deal_are_found_by_the_company(crm, board):
    # Given Anna's lead, converted with a deal
    lead_id = post_lead(crm, "Konrad", country="DE", company="Kessel AG")
    response = board.call("POST", f"/api/leads/{lead_id}/convert", REP_A,
                          {"deal": {"title": "Kesselhaus retrofit", "amount": "1200", "currency": "EUR"}})
    assert response.status_code == 201, response.text
    made = response.json()
    # When Anna searches for the company
    results = board.call("GET", "/api/search", REP_A, q="kessel").json()["results"]
    # Then she finds the lead, its contact, its account and its deal
    assert [result["id"] for result in results["lead"]] == [lead_id]
    assert results["contact"] == [{"kind": "contact", "id": made["contact_id"], "label": "Konrad",
                                   "detail": "Kessel AG"}]
    assert results["account"] == [{"kind": "account", "id": made["account_id"], "label": "Kessel AG", "detail": None}]
    assert results["deal"] == [{"kind": "deal", "id": made["deal_id"], "label": "Kesselhaus retrofit",
                                "detail": "Kessel AG"}]
    # And Béla finds none of them
    assert not any(board.call("GET", "/api/search", REP_B, q="kessel").json()["results"].values())


def test_a_deal_is_found_by_its_title_and_moves_with_its_owner(crm, board):
    # Given Anna's deal made on the board
    deal = board.new_deal(REP_A, "Glasfaser Ausbau", account_name="Netzwerk Nord GmbH")
    assert found(board, REP_A, "glasf", "deal") == {deal["deal_id"]}
    assert found(board, REP_A, "netzwerk n", "account") != set()
    # When the manager gives it to Béla
    assert board.call("POST", f"/api/deals/{deal['deal_id']}/owner", MANAGER, {"owner_id": REP_B}).status_code == 200
    # Then Béla finds it by any word of its title, and Anna no longer
    assert found(board, REP_B, "ausbau", "deal") == {deal["deal_id"]}
    assert found(board, REP_A, "glasf", "deal") == set()
    assert found(board, MANAGER, "glasfaser", "deal") == {deal["deal_id"]}


def test_erasure_leaves_no_search_item(crm, board):
    # Given Anna's lead, findable
    lead_id = post_lead(crm, "Ernestine", country="DE", company="Eraser Kft", phone="+49 30 87654321")
    assert search_items_of(lead_id)
    # When it is erased
    assert board.call("POST", f"/api/leads/{lead_id}/deletion-request", REP_A, {"reason": "asked"}).status_code == 202
    assert board.call("POST", f"/api/admin/deletion-requests/{lead_id}/approve", MANAGER, {}).status_code == 200
    # Then none of its search items is left, and nobody finds it
    assert search_items_of(lead_id) == []
    assert found(board, MANAGER, "ernestine") == set()
    assert found(board, MANAGER, "030 8765") == set()


def test_the_rebuild_gives_records_from_before_search_their_items_once(crm, board):
    from crm.data.leads import LeadItem
    from crm.services.search_rebuild import rebuild_once
    from tests.integration.test_lists_api import a_lead

    # Given a lead written without search items (as before search existed), and an erased one
    old = a_lead(REP_A, "Oldrich Vorher", company="Altbestand GmbH")
    erased = a_lead(REP_A, "Oldrich Weg", company="Altbestand GmbH")
    LeadItem.get(*LeadItem.key(erased)).update(actions=[LeadItem.erased_at.set("2030-01-02T00:00:00+00:00")])
    assert found(board, REP_A, "altbestand") == set()
    # When the rebuild runs
    counts = rebuild_once()
    # Then Anna finds the old lead, and not the erased one
    assert counts is not None and counts["lead"] >= 1
    assert found(board, REP_A, "altbestand") == {old}
    assert search_items_of(erased) == []
    # And a second run has nothing to do
    assert rebuild_once() is None
