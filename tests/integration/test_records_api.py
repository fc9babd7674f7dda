"""Record pages, activities and email from a template (D6) through the board API: the role matrix, one merged
and paged timeline, idempotent notes/meetings/tasks, and the consent rules of personal and marketing email."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest

from tests.integration.conftest import HOT_ANSWERS, api_event, lead_id_of
from tests.integration.test_board_api import (  # noqa: F401  # board: a fixture
    ADMIN,
    MANAGER,
    REP_A,
    REP_B,
    ROLES,
    Board,
    board,
    emitted_metrics,
    routes_of,
)

JONAS = {"name": "Jonas Weber", "email": "jonas@example.de", "phone": "+49 30 901820", "company": "Weber GmbH",
         "role": "CTO", "country": "DE", "language": "de", "timezone": "Europe/Berlin", "source": "ebook"}
_PEOPLE = count()
SOON = (datetime.now(UTC) + timedelta(days=2)).isoformat()


def new_lead(crm, **fields: Any) -> str:
    """A new lead from the web form (its own email, no phone, unless given); a DE lead goes to rep A (Anna)."""
    unique = {"email": f"person-{next(_PEOPLE)}@example.de", "phone": None}
    payload = {**JONAS, **unique, **fields}
    response = crm.invoke("lead_intake", "app.handler", api_event(json.dumps(payload)))
    assert response["statusCode"] == 201, response["body"]
    return lead_id_of(payload)


def converted(crm, board: Board, **fields: Any) -> dict:
    """Rep A's lead converted with a deal: the lead, account, contact and deal ids."""
    lead_id = new_lead(crm, **fields)
    response = board.call("POST", f"/api/leads/{lead_id}/convert", REP_A,
                          {"deal": {"amount": "900", "currency": "EUR"}})
    assert response.status_code == 201, response.text
    return {"lead": lead_id, **{kind: response.json()[f"{kind}_id"] for kind in ("account", "contact", "deal")}}


def emails_to(crm, address: str) -> list:
    return [message for message in crm.emails() if address in message.destinations]


# (method, path, body, expected for rep A, rep B, the manager, the admin); {kind}/{id} is a record of rep A's
MATRIX: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/records/{kind}/{record_id}", None, (200, 404, 200, 200)),
    ("GET", "/api/records/{kind}/{record_id}/timeline", None, (200, 404, 200, 200)),
    ("POST", "/api/records/{kind}/{record_id}/notes", {"text": "Asked for references"}, (201, 404, 201, 201)),
    ("POST", "/api/records/{kind}/{record_id}/meetings",
     {"title": "Demo", "starts_at": SOON, "duration_minutes": 30}, (201, 404, 201, 201)),
    ("POST", "/api/records/{kind}/{record_id}/tasks", {"title": "Send the deck", "due_at": SOON},
     (201, 404, 201, 201)),
    ("POST", "/api/records/{kind}/{record_id}/email", {"template_id": "checking_in"}, (201, 404, 201, 201)),
    ("POST", "/api/records/{kind}/{record_id}/activities", {"type": "call", "outcome": "answered"},
     (201, 404, 201, 201)),
    ("POST", "/api/leads/{lead_id}/activities", {"type": "call", "outcome": "no_answer"}, (201, 404, 201, 201)),
    ("GET", "/api/accounts/{account_id}/{members}", None, (200, 404, 200, 200)),
    ("GET", "/api/tasks", None, (200, 200, 200, 200)),
    ("POST", "/api/tasks/{task_id}/done", None, (200, 404, 200, 200)),
    ("GET", "/api/email-templates", None, (200, 200, 200, 200)),
    ("PUT", "/api/email-templates/{template_id}",
     {"translations": {"en": {"name": "Hi", "subject": "Hi {{ first_name }}", "body": "Hello"}}},
     (403, 403, 403, 200)),
]


def test_the_matrix_covers_every_route():
    assert {(method, path) for method, path, *_ in MATRIX} == routes_of("records")


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, *_ in MATRIX])
def test_authorization_matrix(crm, board, method, path, body, expected):
    answers = {}
    for user in ROLES:
        # Given rep A's converted contact, a task on it and a fresh lead of rep A's
        records = converted(crm, board)
        task = board.call("POST", f"/api/records/contact/{records['contact']}/tasks", REP_A,
                          {"title": "Call back", "due_at": SOON}).json()
        filled = path.format(kind="contact", record_id=records["contact"], lead_id=new_lead(crm),
                             task_id=task["task_id"], template_id="short_hello", account_id=records["account"],
                             members="deals")
        # When each user calls the route
        answers[user] = board.call(method, filled, user, body).status_code
    # Then rep B never learns rep A's record exists; managers and admins see and add to everything
    assert answers == dict(zip(ROLES, expected, strict=True))


@pytest.mark.parametrize("kind", ["lead", "contact", "account", "deal"])
def test_every_kind_of_record_is_seen_by_its_rep_and_the_managers_only(crm, board, kind):
    records = converted(crm, board)
    answers = {user: board.call("GET", f"/api/records/{kind}/{records[kind]}", user).status_code for user in ROLES}
    assert answers == {REP_A: 200, REP_B: 404, MANAGER: 200, ADMIN: 200}


def test_a_contact_page_shows_its_facts_and_the_leads_history_in_one_paged_timeline(crm, board):
    # Given a converted lead and a note on the contact afterwards
    records = converted(crm, board, email="jonas@example.de")
    note = board.call("POST", f"/api/records/contact/{records['contact']}/notes", REP_A, {"text": "Met at fair"})
    assert note.status_code == 201
    # When rep A opens the contact
    page = board.call("GET", f"/api/records/contact/{records['contact']}", REP_A, limit="2").json()
    # Then the facts name the account, the owner and the lead it came from
    fields = page["fields"]
    assert (fields["name"], fields["email"], fields["account"]["name"], fields["lead_id"], fields["owner_id"]) == (
        "Jonas Weber", "jonas@example.de", "Weber GmbH", records["lead"], REP_A)
    # And the timeline starts with the newest event, the note, and pages through the lead's history too
    events = page["timeline"]["events"]
    assert events[0]["type"] == "note" and events[0]["data"]["text"] == "Met at fair"
    cursor = page["timeline"]["next_cursor"]
    while cursor:
        more = board.call("GET", f"/api/records/contact/{records['contact']}/timeline", REP_A, cursor=cursor,
                          limit="2").json()
        events += more["events"]
        cursor = more["next_cursor"]
    ids = [event["id"] for event in events]
    assert len(ids) == len(set(ids)) and ids == sorted(ids, reverse=True)
    types = {(event["type"], event.get("from")) for event in events}
    assert {("note", None), ("converted_from_lead", None), ("converted", "lead"), ("touch", "lead")} <= types


def test_account_and_deal_pages(crm, board):
    records = converted(crm, board)
    account = board.call("GET", f"/api/records/account/{records['account']}", MANAGER).json()["fields"]
    assert account["name"] == "Weber GmbH"
    assert [contact["contact_id"] for contact in account["contacts"]] == [records["contact"]]
    assert [deal["deal_id"] for deal in account["deals"]] == [records["deal"]]
    assert account["contacts_next_cursor"] is None and account["deals_next_cursor"] is None
    deal = board.call("GET", f"/api/records/deal/{records['deal']}", REP_A).json()
    assert deal["fields"]["deal_id"] == records["deal"] and deal["fields"]["stage_id"] == "unsorted"
    assert {event["type"] for event in deal["timeline"]["events"]} >= {"deal_created", "converted"}
    # an unknown kind or record is a 404, a bad page request a 422 naming the parameter
    assert board.call("GET", f"/api/records/invoice/{records['deal']}", REP_A).status_code == 404
    assert board.call("GET", "/api/records/deal/nope", MANAGER).status_code == 404
    response = board.call("GET", f"/api/records/deal/{records['deal']}/timeline", REP_A, cursor="../x")
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "cursor")


@pytest.mark.parametrize(("route", "body"), [
    ("notes", {"text": "Budget confirmed"}),
    ("meetings", {"title": "Demo", "starts_at": SOON, "ends_at": (datetime.fromisoformat(SOON)
                                                                 + timedelta(hours=1)).isoformat(),
                  "location": "Zoom"}),
    ("tasks", {"title": "Send the proposal", "due_at": SOON, "notes": "with the VIP prices"}),
])
def test_a_retried_post_with_the_same_idempotency_key_adds_once(crm, board, route, body):
    # Given rep A's deal
    deal = board.new_deal(REP_A)
    path = f"/api/records/deal/{deal['deal_id']}/{route}"
    # When the same post is sent twice with one Idempotency-Key, then once with another
    first = board.call("POST", path, REP_A, body, headers={"Idempotency-Key": "k-1"})
    again = board.call("POST", path, REP_A, body, headers={"Idempotency-Key": "k-1"})
    other = board.call("POST", path, REP_A, body, headers={"Idempotency-Key": "k-2"})
    # Then the retry answers the first answer and only two were added
    assert first.status_code == again.status_code == other.status_code == 201
    assert first.json() == again.json() != other.json()
    events = board.call("GET", f"/api/records/deal/{deal['deal_id']}", REP_A).json()["timeline"]["events"]
    added = {"notes": "note", "meetings": "meeting", "tasks": "task_created"}[route]
    assert [event["type"] for event in events].count(added) == 2


def test_a_meeting_needs_an_end_or_a_duration(board):
    deal = board.new_deal(REP_A)
    response = board.call("POST", f"/api/records/deal/{deal['deal_id']}/meetings", REP_A,
                          {"title": "Demo", "starts_at": SOON})
    assert response.status_code == 422


def test_a_personal_email_goes_from_the_template_and_lands_on_the_timeline(crm, board):
    from crm.data.email_messages import get_sent_email

    # Given a converted contact (the lead gave no marketing consent)
    records = converted(crm, board, email="jonas@example.de")
    # When the manager emails the contact the "proposal sent" template
    response = board.call("POST", f"/api/records/contact/{records['contact']}/email", MANAGER,
                          {"template_id": "proposal_sent"})
    # Then it went through SES in the contact's language (German), with replies going to the rep
    assert response.status_code == 201, response.text
    sent = response.json()
    assert sent["to"] == "jonas@example.de" and sent["subject"] == "Ihr Angebot für Weber GmbH"
    [email] = emails_to(crm, "jonas@example.de")
    raw = email.raw_data
    assert "Reply-To: anna@example.com" in raw and "List-Unsubscribe" not in raw
    # And the timeline and SentEmailItem (SES opens find the lead by it) remember it
    event = board.call("GET", f"/api/records/contact/{records['contact']}", REP_A).json()["timeline"]["events"][0]
    assert (event["type"], event["data"]["template"], event["data"]["by"]) == ("email_sent", "proposal_sent", MANAGER)
    assert get_sent_email(sent["message_id"]).lead_id == records["lead"]


def test_a_deals_email_goes_to_its_contact_and_lands_on_the_deals_timeline(crm, board):
    from crm.data.email_messages import get_sent_email

    # Given a deal converted from a lead, with its contact, and a deal quick-created without one
    records = converted(crm, board, email="deal.contact@example.de")
    bare = board.new_deal(REP_A)
    # When rep A emails the converted deal from the board's deal panel
    response = board.call("POST", f"/api/records/deal/{records['deal']}/email", REP_A, {"template_id": "proposal_sent"})
    # Then it went to the deal's contact, in the contact's language, and is on the deal's timeline
    assert response.status_code == 201, response.text
    sent = response.json()
    assert (sent["to"], sent["subject"]) == ("deal.contact@example.de", "Ihr Angebot für Weber GmbH")
    assert len(emails_to(crm, "deal.contact@example.de")) == 1
    event = board.call("GET", f"/api/records/deal/{records['deal']}", REP_A).json()["timeline"]["events"][0]
    assert (event["type"], event["data"]["to"]) == ("email_sent", "deal.contact@example.de")
    # And SES opens find the lead the contact came from
    assert get_sent_email(sent["message_id"]).lead_id == records["lead"]
    # And a deal without a contact has no address to write to
    response = board.call("POST", f"/api/records/deal/{bare['deal_id']}/email", REP_A, {"template_id": "checking_in"})
    assert (response.status_code, response.json()["errors"][0]["code"]) == (422, "no_email_address")


def test_email_refusals_name_the_field(crm, board):
    lead_id = new_lead(crm, email=None, phone="+49 30 5550123")
    response = board.call("POST", f"/api/records/lead/{lead_id}/email", REP_A, {"template_id": "checking_in"})
    assert (response.status_code, response.json()["errors"][0]) == (
        422, {"field": "recipient", "message": "no email address", "code": "no_email_address", "params": {}})
    other = new_lead(crm)
    response = board.call("POST", f"/api/records/lead/{other}/email", REP_A, {"template_id": "no-such"})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "template_id")


def test_marketing_needs_consent_and_no_unsubscribe_personal_does_not(crm, board):
    from crm.clock import utcnow
    from crm.data.leads import LeadItem, get_lead
    from crm.data.people import get_user
    from crm.services.record_email import EmailNotAllowedError, send_template_email

    anna = get_user(REP_A)
    without = new_lead(crm, email="nocon@example.de")
    consented = new_lead(crm, email="yes@example.de", marketing_consent=True,
                         consent_text="Send me news")
    # Marketing without consent is refused; with consent it goes out with one-click unsubscribe
    with pytest.raises(EmailNotAllowedError, match="no consent"):
        send_template_email("lead", without, "checking_in", anna, utcnow(), purpose="marketing")
    send_template_email("lead", consented, "checking_in", anna, utcnow(), purpose="marketing")
    [email] = emails_to(crm, "yes@example.de")
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in email.raw_data
    # After an unsubscribe, marketing is refused but a personal reply is still allowed
    get_lead(consented).update(actions=[LeadItem.unsubscribed_at.set("2030-01-01T00:00:00Z")],
                               add_version_condition=False)
    with pytest.raises(EmailNotAllowedError, match="unsubscribed"):
        send_template_email("lead", consented, "checking_in", anna, utcnow(), purpose="marketing")
    send_template_email("lead", consented, "follow_up_after_call", anna, utcnow())
    # A suppressed address gets nothing, not even a personal reply
    get_lead(without).update(actions=[LeadItem.email_suppressed.set("bounce")], add_version_condition=False)
    with pytest.raises(EmailNotAllowedError, match="suppressed"):
        send_template_email("lead", without, "checking_in", anna, utcnow())
    assert len(emails_to(crm, "yes@example.de")) == 2 and emails_to(crm, "nocon@example.de") == []


def test_a_batch_sends_to_a_record_once(crm, board):
    from crm.clock import utcnow
    from crm.data.people import get_user
    from crm.services.record_email import send_template_email

    records = converted(crm, board, email="jonas@example.de", marketing_consent=True, consent_text="Send me news")
    anna = get_user(REP_A)
    first = send_template_email("contact", records["contact"], "checking_in", anna, utcnow(), purpose="marketing",
                                batch_id="b-1")
    again = send_template_email("contact", records["contact"], "checking_in", anna, utcnow(), purpose="marketing",
                                batch_id="b-1")
    assert first == again and first["message_id"]
    assert len(emails_to(crm, "jonas@example.de")) == 1


def test_templates_are_data_an_admin_edits_and_unknown_placeholders_are_refused(board):
    templates = board.call("GET", "/api/email-templates", REP_B).json()
    assert {"follow_up_after_call", "meeting_confirmation", "proposal_sent", "checking_in"} <= {
        template["id"] for template in templates}
    assert all(set(template["translations"]) == {"en", "de", "hu", "el", "fa"} for template in templates)
    bad = {"translations": {"en": {"name": "X", "subject": "Hi", "body": "Dear {{ frist_name }}"}}}
    response = board.call("PUT", "/api/email-templates/welcome", ADMIN, bad)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "translations.en.body" and "frist_name" in error["message"]
    good = {"translations": {"en": {"name": "Welcome", "subject": "Welcome, {{ first_name }}", "body": "Hi!"}}}
    assert board.call("PUT", "/api/email-templates/welcome", ADMIN, good).status_code == 200
    saved = next(t for t in board.call("GET", "/api/email-templates", REP_A).json() if t["id"] == "welcome")
    assert saved["translations"]["en"]["subject"] == "Welcome, {{ first_name }}"


def test_a_call_logged_on_the_board_follows_the_lead_rules(crm, board):
    # Given rep A's new lead
    lead_id = new_lead(crm)
    # When rep A logs an unanswered call (the signed-in user is who called), twice with one Idempotency-Key
    body = {"type": "call", "outcome": "no_answer", "note": "voicemail full"}
    first = board.call("POST", f"/api/leads/{lead_id}/activities", REP_A, body, headers={"Idempotency-Key": "c1"})
    again = board.call("POST", f"/api/leads/{lead_id}/activities", REP_A, body, headers={"Idempotency-Key": "c1"})
    # Then the first contact stopped the clock and the lead is being attempted, counted once
    assert first.status_code == 201 and first.json() == again.json()
    result = first.json()
    assert result["first_contact"] is True and result["attempts_without_response"] == 1
    events = board.call("GET", f"/api/records/lead/{lead_id}", REP_A).json()["timeline"]["events"]
    activities = [event for event in events if event["type"] == "activity"]
    assert len(activities) == 1 and activities[0]["data"]["by"] == REP_A
    assert activities[0]["by_name"] == "Anna Schmidt"  # a page names who did it without knowing the team


@pytest.mark.parametrize("kind", ["contact", "deal"])
def test_a_call_or_an_email_is_logged_on_a_contact_or_a_deal_once(crm, board, kind):
    # Given rep A's converted contact and its deal
    record_id = converted(crm, board)[kind]
    path = f"/api/records/{kind}/{record_id}/activities"
    # When rep A logs an answered call (twice with one Idempotency-Key) and an email
    call = {"type": "call", "outcome": "answered", "note": "Wants the VIP prices"}
    first = board.call("POST", path, REP_A, call, headers={"Idempotency-Key": "a1"})
    again = board.call("POST", path, REP_A, call, headers={"Idempotency-Key": "a1"})
    email = board.call("POST", path, REP_A, {"type": "email", "outcome": "sent"}, headers={"Idempotency-Key": "a2"})
    # Then both are on the record's timeline, by rep A, the call once
    assert first.status_code == again.status_code == email.status_code == 201
    assert first.json() == again.json()
    events = board.call("GET", f"/api/records/{kind}/{record_id}", REP_A).json()["timeline"]["events"]
    logged = [event["data"] for event in events if event["type"] == "activity" and event.get("from") is None]
    assert [(data["type"], data.get("outcome"), data["by"]) for data in logged] == [
        ("email", "sent", REP_A), ("call", "answered", REP_A)]
    assert logged[1]["note"] == "Wants the VIP prices"


def test_notes_and_meetings_are_no_activities_and_a_leads_call_has_its_own_route(crm, board):
    deal = board.new_deal(REP_A)
    path = f"/api/records/deal/{deal['deal_id']}/activities"
    assert board.call("POST", path, REP_A, {"type": "note", "note": "Hi"}).status_code == 422
    lead_call = board.call("POST", f"/api/records/lead/{new_lead(crm)}/activities", REP_A, {"type": "call"})
    assert lead_call.status_code == 404 and "/activities" in lead_call.json()["message"]


def test_a_personal_email_to_a_lead_is_a_contact_attempt(crm, board, capsys):
    from crm.data.leads import get_lead
    from crm.data.tasks import TaskItem

    # Given rep A's new expected buyer, with its first-call task open
    lead_id = new_lead(crm, **HOT_ANSWERS)
    task_id = get_lead(lead_id).call_task_id
    capsys.readouterr()
    # When rep A emails it a template, twice over with one Idempotency-Key
    first = board.call("POST", f"/api/records/lead/{lead_id}/email", REP_A, {"template_id": "checking_in"},
                       headers={"Idempotency-Key": "e1"})
    again = board.call("POST", f"/api/records/lead/{lead_id}/email", REP_A, {"template_id": "checking_in"},
                       headers={"Idempotency-Key": "e1"})
    assert first.status_code == 201 and first.json() == again.json()
    # Then it was the first contact (L4) and the first unanswered attempt (L8), on one timeline event
    lead = get_lead(lead_id)
    assert (lead.status, lead.attempts_without_response, lead.first_contact_at is not None) == ("attempting", 1, True)
    assert TaskItem.get(*TaskItem.key(task_id)).status == "done"
    events = board.call("GET", f"/api/records/lead/{lead_id}", REP_A).json()["timeline"]["events"]
    [email] = [event for event in events if event["type"] in ("email_sent", "activity")]
    assert (email["type"], email["data"]["message_id"]) == ("email_sent", first.json()["message_id"])
    assert "status_changed" in {event["type"] for event in events}
    # And it is counted once, with the speed to lead
    counted = emitted_metrics(capsys.readouterr().out)
    assert (counted["PersonalEmailSent"], counted["FirstContactWithinSla"]) == (1, 1)
    assert 0 <= counted["TimeToFirstContact"] < 60

    # When four more emails go unanswered, Then the lead is not interested (L8), like after five logged attempts
    for number in range(4):
        response = board.call("POST", f"/api/records/lead/{lead_id}/email", REP_A, {"template_id": "checking_in"},
                              headers={"Idempotency-Key": f"e-more-{number}"})
        assert response.status_code == 201, response.text
    assert (get_lead(lead_id).status, get_lead(lead_id).attempts_without_response) == ("not_interested", 5)
    assert emitted_metrics(capsys.readouterr().out)["LeadNotInterested"] == 1


def test_email_that_is_no_contact_attempt_leaves_the_lead_as_it_is(crm, board):
    from crm.clock import utcnow
    from crm.data.leads import get_lead
    from crm.data.people import get_user
    from crm.services.record_email import send_template_email

    # Given a lead that agreed to marketing email, and a converted lead's contact
    consented = new_lead(crm, marketing_consent=True, consent_text="Send me news")
    records = converted(crm, board)
    # When one gets a mass (marketing) email and the other's contact a personal one
    send_template_email("lead", consented, "checking_in", get_user(REP_A), utcnow(), purpose="marketing")
    response = board.call("POST", f"/api/records/contact/{records['contact']}/email", REP_A,
                          {"template_id": "checking_in"})
    assert response.status_code == 201, response.text
    # Then neither lead's follow-up changes: a newsletter is no attempt, a converted lead keeps its status
    assert (get_lead(consented).status, get_lead(consented).attempts_without_response) == ("new", 0)
    assert (get_lead(records["lead"]).status, get_lead(records["lead"]).attempts_without_response) == ("converted", 0)


def test_a_big_accounts_contacts_and_deals_come_a_page_at_a_time(crm, board):
    from crm.clock import to_iso, utcnow
    from crm.data.accounts import AccountMemberItem, ContactItem

    # Given an account with 120 contacts (rep A's and rep B's) and its one deal
    records = converted(crm, board)
    with AccountMemberItem.batch_write() as batch:
        for number in range(119):
            contact = ContactItem.build(account_id=records["account"], name=f"Person {number}",
                                        owner_id=(REP_A, REP_B)[number % 2], created_at=to_iso(utcnow()),
                                        first_touch=None)
            batch.save(AccountMemberItem.of_contact(contact))
    # When rep A opens the account, Then it shows the first 50 contacts, oldest first, and says there is more
    account = board.call("GET", f"/api/records/account/{records['account']}", REP_A).json()["fields"]
    contacts, cursor = account["contacts"], account["contacts_next_cursor"]
    assert len(contacts) == 50 and contacts[0]["contact_id"] == records["contact"] and cursor
    assert account["deals_next_cursor"] is None and len(account["deals"]) == 1
    # And "show more" walks the rest, every contact once, with its owner's name
    while cursor:
        page = board.call("GET", f"/api/accounts/{records['account']}/contacts", REP_A, cursor=cursor).json()
        contacts += page["members"]
        cursor = page["next_cursor"]
    assert len({contact["contact_id"] for contact in contacts}) == len(contacts) == 120
    assert {contact["owner_name"] for contact in contacts} == {"Anna Schmidt", "Béla Kovács"}
    # And the deals page is the account's deal; a bad cursor or limit is a 422 naming it; rep B sees nothing
    deals = board.call("GET", f"/api/accounts/{records['account']}/deals", REP_A, limit="10").json()
    assert ([deal["deal_id"] for deal in deals["members"]], deals["next_cursor"]) == ([records["deal"]], None)
    for query, field in (({"cursor": "../x"}, "cursor"), ({"limit": "0"}, "limit"), ({"limit": "ten"}, "limit")):
        refused = board.call("GET", f"/api/accounts/{records['account']}/contacts", REP_A, **query)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field
    assert board.call("GET", f"/api/accounts/{records['account']}/contacts", REP_B).status_code == 404
    assert board.call("GET", f"/api/accounts/{records['account']}/tasks", REP_A).status_code == 404
