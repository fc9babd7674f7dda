"""Text search on the lists (GET /api/lists/{kind}?q=): records found through the search index by name, company,
email or phone (any format), within the viewer's rights, narrowed by the list's other filters, paged; the mass email
and the CSV export of a searched list select what it shows.

Leads are written as in test_lists_api (owner, cycle, status, source as each test needs) with the search items the
intake writes for them.
"""

from __future__ import annotations

from typing import Any

from tests.integration.test_board_api import (  # noqa: F401  # board: a fixture
    MANAGER,
    REP_A,
    REP_B,
    Board,
    board,
)
from tests.integration.test_jobs import export_rows, job, worker  # noqa: F401  # worker: a fixture
from tests.integration.test_lists_api import a_lead, ids, listed


def a_found_lead(owner: str, name: str, **fields: Any) -> str:
    """A lead of `owner` with its search items, in everyone's scope and its owner's."""
    from crm.data.leads import get_lead
    from crm.data.search import of_lead

    lead_id = a_lead(owner, name, **fields)
    for item in of_lead(get_lead(lead_id)):
        item.save()
    return lead_id


def searched(board: Board, user: str, q: str, kind: str = "leads", **query: str) -> list[str]:
    return ids(listed(board, user, kind, q=q, **query))


def test_a_list_finds_leads_by_name_company_email_or_phone_in_any_format(board):
    # Given rep A's leads, one with a Berlin phone number
    zoe = a_found_lead(REP_A, "Zoë Brandt", company="Brandt Logistik", email="zoe@brandt.example",
                       phone="+493012345678")
    other = a_found_lead(REP_A, "Jonas Weber", company="Weber GmbH", email="jonas@weber.example")
    # When rep A types a name without its accent, a company, an email, or the number as dialled at home
    # Then the list holds that lead only
    for typed in ("zoe", "BRANDT", "brandt log", "zoe@brandt", "030 1234 5678", "+49 30 123"):
        assert searched(board, REP_A, typed) == [zoe], typed
    assert searched(board, REP_A, "weber") == [other]
    # And a text nothing begins with lists nothing, and one character is refused
    assert searched(board, REP_A, "nobody here") == []
    short = board.call("GET", "/api/lists/leads", REP_A, q="z")
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "q"


def test_a_rep_finds_only_their_own_leads_a_manager_everyones_or_one_owners(board):
    # Given leads of rep A and rep B at the same company
    annas = a_found_lead(REP_A, "Anna's Kunde", company="Quirin Werkzeug")
    belas = a_found_lead(REP_B, "Béla's Kunde", company="Quirin Werkzeug")
    # Then each rep finds their own, the manager both (newest first) or one owner's
    assert searched(board, REP_A, "quirin") == [annas]
    assert searched(board, REP_B, "quirin") == [belas]
    assert searched(board, MANAGER, "quirin") == [belas, annas]
    assert searched(board, MANAGER, "quirin", owner=REP_A) == [annas]
    # And a rep naming another owner is refused, as without a text
    assert board.call("GET", "/api/lists/leads", REP_A, q="quirin", owner=REP_B).status_code == 403


def test_a_text_combines_with_the_lists_filters(board):
    # Given rep A's leads of one company in different cycles, statuses and sources, and an erased one
    buyer = a_found_lead(REP_A, "Buyer", company="Kessler AG", cycle="expected_buyer", source="event")
    nurtured = a_found_lead(REP_A, "Nurtured", company="Kessler AG", cycle="nurturable", status="attempting")
    webinar = a_found_lead(REP_A, "Webinar", company="Kessler AG", source="webinar")
    a_found_lead(REP_A, "Erased", company="Kessler AG", erased_at="2030-02-01T00:00:00Z")
    # When rep A searches the company with each filter
    # Then the list holds the leads both the text and the filter keep, never the erased one
    assert searched(board, REP_A, "kessler") == [webinar, nurtured, buyer]
    assert searched(board, REP_A, "kessler", cycle="expected_buyer") == [buyer]
    assert searched(board, REP_A, "kessler", status="attempting") == [nurtured]
    assert searched(board, REP_A, "kessler", source="other") == [webinar]
    assert searched(board, REP_A, "kessler", source="event", cycle="nurturable") == []


def test_pages_of_a_searched_list_hold_every_match_once_in_order(board):
    # Given seven matching leads over three owners, and one that does not match
    owners = [REP_A, REP_B, MANAGER]
    made = [a_found_lead(owners[number % 3], f"Lena {number}", company="Paging GmbH") for number in range(7)]
    a_found_lead(REP_A, "Someone else", company="Other AG")
    # When the manager reads pages of three
    seen, cursor, pages = [], None, 0
    while True:
        query = {"q": "paging", "limit": "3", **({"cursor": cursor} if cursor else {})}
        body = board.call("GET", "/api/lists/leads", MANAGER, **query).json()
        seen += ids(body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    # Then every match comes once, newest first, in three pages
    assert seen == made[::-1] and pages == 3
    # And a cursor of another list is refused
    other = board.call("GET", "/api/lists/leads", MANAGER, limit="3").json()["next_cursor"]
    replay = board.call("GET", "/api/lists/leads", MANAGER, q="paging", cursor=other)
    assert replay.status_code == 422 and replay.json()["errors"][0]["field"] == "cursor"


def test_deals_contacts_and_accounts_are_searched_too(board):
    # Given rep A's deals at two accounts, one of them won, and rep B's at the same account
    fleet = board.new_deal(REP_A, "Fleet renewal", account_name="Nordwind Reederei")
    won = board.new_deal(REP_A, "Harbour cranes", account_name="Nordwind Reederei")
    moved = board.call("POST", f"/api/deals/{won['deal_id']}/move", REP_A, {"stage_id": "closed-won", "version": 1})
    assert moved.status_code == 200, moved.text
    board.new_deal(REP_A, "Office chairs", account_name="Südstern Möbel")
    belas = board.new_deal(REP_B, "Tugboats", account_name="Nordwind Reederei")
    # Then the deals list finds them by account or title, within the rep's rights and the state filter
    assert set(searched(board, REP_A, "nordwind", "deals")) == {fleet["deal_id"], won["deal_id"]}
    assert searched(board, REP_A, "nordwind", "deals", state="won") == [won["deal_id"]]
    assert searched(board, REP_A, "harb", "deals") == [won["deal_id"]]
    assert searched(board, REP_B, "nordwind", "deals") == [belas["deal_id"]]
    # And the accounts list finds the account by its name
    [account] = listed(board, REP_A, "accounts", q="südstern")
    assert account["name"] == "Südstern Möbel"
    assert listed(board, REP_B, "accounts", q="sudstern") == []


def test_a_searched_list_is_what_its_mass_email_selects(board):
    from crm.data.email_templates import email_templates

    # Given two of rep A's leads at one company and one elsewhere
    a_found_lead(REP_A, "One", company="Mailtown GmbH")
    a_found_lead(REP_A, "Two", company="Mailtown GmbH")
    a_found_lead(REP_A, "Three", company="Elsewhere AG")
    request = {"kind": "leads", "filters": {"q": "mailtown"}, "template_id": next(iter(email_templates()))}
    # When rep A previews an email to the searched list
    preview = board.call("POST", "/api/mass-email/preview", REP_A, request)
    # Then it selects the two the list shows
    assert preview.status_code == 200, preview.text
    assert preview.json()["selected"] == 2


def test_a_searched_list_exports_what_it_shows(board, crm, worker):
    # Given rep A's leads at one company, one of them an expected buyer, and one lead elsewhere
    buyer = a_found_lead(REP_A, "Buyer", company="Exportwerk GmbH", cycle="expected_buyer")
    nurtured = a_found_lead(REP_A, "Reader", company="Exportwerk GmbH")
    a_found_lead(REP_A, "Other", company="Anderswo AG")
    # When rep A exports the list searched for the company, then the same list narrowed to expected buyers
    searched_job = board.call("POST", "/api/lists/leads/export", REP_A, q="exportwerk")
    buyers_job = board.call("POST", "/api/lists/leads/export", REP_A, q="exportwerk", cycle="expected_buyer")
    assert searched_job.status_code == buyers_job.status_code == 202, searched_job.text
    worker.run()
    # Then each file holds exactly the leads its list shows, newest first
    _, searched = export_rows(job(board, searched_job.json()["job_id"])["download_url"])
    _, buyers = export_rows(job(board, buyers_job.json()["job_id"])["download_url"])
    assert [row["id"] for row in searched] == [nurtured, buyer]
    assert [row["id"] for row in buyers] == [buyer]
