"""Lists, the leads list's Convert action and mass email's preview and start, through the board API as the site calls
it (the runner's Cognito check, then the Chalice app on DynamoDB Local, SES in moto); the export and mass email jobs
themselves: test_jobs.py.

Leads are written as the intake writes them, with the owner, cycle, status, source and consent each test needs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.test_board_api import (  # noqa: F401  # board: a fixture
    ADMIN,
    MANAGER,
    REP_A,
    REP_B,
    Board,
    board,
    emitted_metrics,
)

T0 = datetime(2030, 1, 1, 9, tzinfo=UTC)
_made = iter(range(10_000))


def a_lead(owner: str, name: str, *, cycle: str = "nurturable", status: str = "new", source: str = "web_page",
           company: str | None = "Weber GmbH", consent: bool = True, email: str | None = "auto",
           **fields: Any) -> str:
    """A lead of `owner`, each one created a minute after the previous (so lists order them)."""
    from ulid import ULID

    from crm.clock import to_iso
    from crm.data.leads import Consent, FirstTouch, LeadItem

    number = next(_made)
    at = to_iso(T0 + timedelta(minutes=number))
    lead_id = str(ULID())
    LeadItem(*LeadItem.key(lead_id), lead_id=lead_id, name=name, company=company, cycle=cycle, status=status,
             email=f"lead{number}@example.com" if email == "auto" else email, language="en",
             first_touch=FirstTouch(at=at, source=source), last_touch_at=at, owner_id=owner,
             assignment_reason="test", created_at=at, first_contact_due_at=at, call_task_id=f"task-{number}",
             consent=Consent(given=consent, at=at), temperature="warm", score=50,
             **fields, **LeadItem.owner_keys(owner, at)).save()
    return lead_id


def listed(board: Board, user: str, kind: str = "leads", **query: str) -> list[dict]:
    response = board.call("GET", f"/api/lists/{kind}", user, **query)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def ids(items: list[dict]) -> list[str]:
    return [item["id"] for item in items]


def test_filters_return_exactly_the_matching_leads_newest_first(board):
    # Given rep A's leads in different cycles, statuses and sources
    hot = a_lead(REP_A, "Hot Ebook", cycle="expected_buyer", source="ebook")
    a_lead(REP_A, "Nurture Ebook", cycle="nurturable", source="ebook")
    hot_event = a_lead(REP_A, "Hot Event", cycle="expected_buyer", source="event", status="attempting")
    erased = a_lead(REP_A, "Erased", cycle="expected_buyer", erased_at="2030-02-01T00:00:00Z")
    # When rep A filters by cycle, by cycle and source, and by status
    by_cycle = listed(board, REP_A, cycle="expected_buyer")
    # Then each filter returns exactly the matching leads, newest first, never the erased tombstone
    assert ids(by_cycle) == [hot_event, hot] and erased not in ids(by_cycle)
    assert ids(listed(board, REP_A, cycle="expected_buyer", source="ebook")) == [hot]
    assert ids(listed(board, REP_A, status="attempting")) == [hot_event]
    # And a row carries what the list shows
    row = by_cycle[0]
    assert {key: row[key] for key in ("name", "company", "cycle", "status", "source", "owner_name", "score")} == {
        "name": "Hot Event", "company": "Weber GmbH", "cycle": "expected_buyer", "status": "attempting",
        "source": "event", "owner_name": "Anna Schmidt", "score": 50}


def test_a_rep_sees_only_their_own_a_manager_everyones_or_one_owners(board):
    # Given leads of rep A and rep B
    mine = [a_lead(REP_A, "A1"), a_lead(REP_A, "A2")]
    theirs = a_lead(REP_B, "B1")
    # Then each rep lists only their own
    assert ids(listed(board, REP_A)) == mine[::-1]
    assert ids(listed(board, REP_B)) == [theirs]
    # And the manager and the admin see both, merged newest first, or one owner's
    assert ids(listed(board, MANAGER)) == [theirs, *mine[::-1]]
    assert ids(listed(board, ADMIN)) == [theirs, *mine[::-1]]
    assert ids(listed(board, MANAGER, owner=REP_B)) == [theirs]
    # But a rep naming another owner is refused, and naming themselves is fine
    assert board.call("GET", "/api/lists/leads", REP_A, owner=REP_B).status_code == 403
    assert ids(listed(board, REP_A, owner=REP_A)) == mine[::-1]


def test_pages_across_owners_hold_every_lead_once_in_order(board):
    # Given seven leads spread over three owners
    owners = [REP_A, REP_B, MANAGER]
    created = [a_lead(owners[number % 3], f"Lead {number}") for number in range(7)]
    # When the manager reads pages of three
    seen, cursor, pages = [], None, 0
    while True:
        response = board.call("GET", "/api/lists/leads", MANAGER, limit="3", **({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, response.text
        body = response.json()
        seen += ids(body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    # Then every lead comes once, newest first, and no page was empty
    assert seen == created[::-1] and pages == 3
    # And a cursor is bound to what the viewer may see: rep A cannot replay the manager's cursor
    first = board.call("GET", "/api/lists/leads", MANAGER, limit="3").json()["next_cursor"]
    replay = board.call("GET", "/api/lists/leads", REP_A, limit="3", cursor=first)
    assert replay.status_code == 422 and replay.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize(("query", "field"), [({"cycle": "warmish"}, "cycle"), ({"stage": "proposal"}, "stage"),
                                              ({"limit": "0"}, "limit"), ({"cursor": "garbage"}, "cursor")])
def test_a_bad_filter_or_page_is_a_422_naming_it(board, query, field):
    response = board.call("GET", "/api/lists/leads", MANAGER, **query)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == field


def test_an_unknown_list_is_404(board):
    assert board.call("GET", "/api/lists/unicorns", MANAGER).status_code == 404


def test_deals_filter_by_owner_stage_and_state(board):
    # Given deals of rep A and rep B, one of rep A's won
    a_open = board.new_deal(REP_A, "A open", amount="100", currency="EUR")
    a_won = board.new_deal(REP_A, "A won", amount="900", currency="EUR")
    moved = board.call("POST", f"/api/deals/{a_won['deal_id']}/move", REP_A, {"stage_id": "closed-won", "version": 1})
    assert moved.status_code == 200, moved.text
    b_open = board.new_deal(REP_B, "B open")
    # Then rep A lists their two, the manager all three, and the filters narrow it
    assert set(ids(listed(board, REP_A, "deals"))) == {a_open["deal_id"], a_won["deal_id"]}
    assert set(ids(listed(board, MANAGER, "deals"))) == {a_open["deal_id"], a_won["deal_id"], b_open["deal_id"]}
    assert set(ids(listed(board, MANAGER, "deals", state="open"))) == {a_open["deal_id"], b_open["deal_id"]}
    won = listed(board, MANAGER, "deals", state="won")
    assert ids(won) == [a_won["deal_id"]]
    assert (won[0]["stage_name"], won[0]["amount"], won[0]["currency"]) == ("Closed won", "900.00", "EUR")
    assert ids(listed(board, MANAGER, "deals", owner=REP_B, stage="unsorted")) == [b_open["deal_id"]]


def test_convert_from_the_list_then_contacts_and_accounts_list_it(board, capsys):
    # Given rep A's lead from Weber GmbH
    lead_id = a_lead(REP_A, "Jonas Weber", company="Weber GmbH")
    capsys.readouterr()
    path = f"/api/leads/{lead_id}/convert"
    body = {"account_name": "Weber GmbH", "deal": {"amount": "1200", "currency": "EUR"},
            "task": {"title": "Call back", "due_at": "2030-03-02T09:00:00+01:00"}}
    # When rep B (not the owner) tries, then rep A converts it with an Idempotency-Key, then retries it
    assert board.call("POST", path, REP_B, body).status_code == 404
    first = board.call("POST", path, REP_A, body, headers={"Idempotency-Key": "convert-1"})
    retry = board.call("POST", path, REP_A, body, headers={"Idempotency-Key": "convert-1"})
    # Then it converted once: the retry gets the same answer, a new request is a 409 naming what it became
    assert first.status_code == 201, first.text
    assert retry.status_code == 201 and retry.json() == first.json()
    again = board.call("POST", path, REP_A, {})
    converted = first.json()
    assert again.status_code == 409 and again.json()["contact_id"] == converted["contact_id"]
    assert emitted_metrics(capsys.readouterr().out)["LeadConverted"] == 1
    # And the leads list shows it converted with its new contact and account; the contacts, accounts and deals
    # lists hold what it became, for rep A but not for rep B
    row = listed(board, REP_A, status="converted")[0]
    assert (row["id"], row["contact_id"], row["account_id"]) == (lead_id, converted["contact_id"],
                                                                 converted["account_id"])
    contact = listed(board, REP_A, "contacts")[0]
    assert (contact["id"], contact["account_name"]) == (converted["contact_id"], "Weber GmbH")
    assert ids(listed(board, REP_A, "accounts")) == [converted["account_id"]]
    assert ids(listed(board, REP_A, "deals")) == [converted["deal_id"]]
    assert listed(board, REP_B, "contacts") == [] and listed(board, REP_B, "accounts") == []
    # And the manager converts anyone's lead; an unknown lead is 404
    assert board.call("POST", f"/api/leads/{a_lead(REP_B, 'Other')}/convert", MANAGER, {}).status_code == 201
    assert board.call("POST", "/api/leads/01NOSUCHLEAD/convert", MANAGER, {}).status_code == 404


def _mass_email(board: Board, user: str, key: str | None, **body: Any) -> Any:
    request = {"kind": "leads", "template_id": "intro", **body}
    return board.call("POST", "/api/mass-email", user, request, headers={"Idempotency-Key": key} if key else None)


def test_mass_email_previews_who_may_get_it_and_starts_a_job_for_them(board, crm):
    from crm.data.email_templates import email_templates

    template_id = next(iter(email_templates()))
    # Given rep A's nurturable leads: two that may get marketing email, one without consent, one unsubscribed,
    # one suppressed after a bounce, one without an address; and rep B's, which may
    a_lead(REP_A, "Yes One")
    a_lead(REP_A, "Yes Two")
    a_lead(REP_A, "No Consent", consent=False)
    a_lead(REP_A, "Gone", unsubscribed_at="2030-01-05T00:00:00Z")
    a_lead(REP_A, "Bounced", email_suppressed="bounce")
    a_lead(REP_A, "No Address", email=None)
    a_lead(REP_B, "Bela's lead")
    request = {"kind": "leads", "filters": {"cycle": "nurturable"}, "template_id": template_id}
    # When rep A previews the email to their nurturable leads
    preview = board.call("POST", "/api/mass-email/preview", REP_A, request)
    # Then it counts who would get it and why the others would not
    assert preview.status_code == 200, preview.text
    blocked = {"no_consent": 1, "unsubscribed": 1, "address_suppressed": 1, "no_email_address": 1}
    assert preview.json() == {"selected": 6, "recipients": 2, "cap": 500, "over_cap": 0, "blocked": blocked}
    # When rep A sends it: a job for the two allowed leads starts (the jobs worker sends: tests/integration/test_jobs)
    before = len(crm.emails())
    started = _mass_email(board, REP_A, "mass-1", **request)
    assert started.status_code == 202, started.text
    assert {key: started.json()[key] for key in ("status", "total", "skipped", "selected", "blocked")} == {
        "status": "queued", "total": 2, "skipped": 4, "selected": 6, "blocked": blocked}
    assert len(crm.emails()) == before


def test_mass_email_needs_an_idempotency_key_a_known_template_and_respects_roles(board):
    from crm.data.email_templates import email_templates

    template_id = next(iter(email_templates()))
    a_lead(REP_B, "Bela's lead")
    missing_key = _mass_email(board, REP_A, None, template_id=template_id)
    assert missing_key.status_code == 422 and missing_key.json()["errors"][0]["field"] == "Idempotency-Key"
    unknown = board.call("POST", "/api/mass-email/preview", REP_A, {"kind": "leads", "template_id": "nope"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "template_id"
    # a rep may not mail another rep's list; the manager may
    other = {"kind": "leads", "filters": {"owner": REP_B}, "template_id": template_id}
    assert board.call("POST", "/api/mass-email/preview", REP_A, other).status_code == 403
    assert board.call("POST", "/api/mass-email/preview", MANAGER, other).json()["recipients"] == 1
