"""Suppression that lasts (issue 13, section 4): a bounce, a complaint or an unsubscribe is kept on a list by a keyed
hash of the address, which outlives the lead (erasure included), is checked on every send, and holds no address.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from tests.integration.conftest import api_event, lead_id_of
from tests.integration.test_board_api import MANAGER, board  # noqa: F401  # board: a fixture
from tests.integration.test_nurture import deliver, events, lead, lead_emails, ses_event, step

ADDRESS = "nora@example.org"
PERSON = {"name": "Nora Nurture", "email": ADDRESS, "message": "Tell me about the CRM", "marketing_consent": True,
          "consent_text": "Yes, send me news", "country": "GB"}
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def post(crm, key: str, **fields) -> str:
    """The public form's post (its own Idempotency-Key); the id of the lead it made or touched."""
    payload = {**PERSON, **fields}
    event = api_event(json.dumps(payload), headers={"Idempotency-Key": key})
    response = crm.invoke("lead_intake", "app.handler", event)
    assert response["statusCode"] == 201, response
    return lead_id_of(payload)


def erase(board, lead_id: str) -> None:
    """A manager's erasure of the lead (a rep's flag, then the approval)."""
    flagged = board.call("POST", f"/api/leads/{lead_id}/deletion-request", MANAGER, {"reason": "asked to be forgotten"})
    assert flagged.status_code == 202, flagged.text
    approved = board.call("POST", f"/api/admin/deletion-requests/{lead_id}/approve", MANAGER, {})
    assert approved.status_code == 200, approved.text
    assert lead(lead_id).erased_at


def unsubscribe(lead_id: str) -> None:
    from crm.clock import utcnow
    from crm.services.lead_messages import ensure_unsubscribe_token
    from crm.services.unsubscribe import unsubscribe as by_link

    by_link(lead_id, ensure_unsubscribe_token(lead(lead_id)), utcnow(), "page")


def first_nurture_email(lead_id: str) -> str:
    step(lead_id, T0)
    return events(lead_id, "nurture_email_sent")[0].data["message_id"]


def skipped(lead_id: str) -> list[str]:
    """Why the lead's nurture sent nothing, step by step."""
    return [event.data["reason"] for event in events(lead_id, "nurture_email_skipped")]


def table_text() -> str:
    items = []
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName="crm", ConsistentRead=True):
        items += page["Items"]
    return json.dumps(items).lower()


def test_an_unsubscribe_outlasts_the_erasure_of_the_lead(crm, board):
    # Given a lead who got the first nurture email and unsubscribed, and was then erased at their request
    first = post(crm, "first")
    first_nurture_email(first)
    unsubscribe(first)
    erase(board, first)
    # Then the CRM keeps no trace of the address: the list holds a keyed hash of it, nothing else
    assert ADDRESS not in table_text() and "suppressed#" in table_text()
    # When the same address comes back through the form as a new lead, consent ticked
    again = post(crm, "again")
    assert again != first
    sent_before = len(lead_emails(crm, ADDRESS))
    # Then its nurture sends no marketing email: the address is still unsubscribed
    step(again, T0 + timedelta(days=30))
    assert len(lead_emails(crm, ADDRESS)) == sent_before
    assert skipped(again) == ["unsubscribed"]
    # And a mass email leaves it out for that reason
    from crm.data.email_templates import email_templates

    preview = board.call("POST", "/api/mass-email/preview", MANAGER, {
        "kind": "leads", "filters": {}, "template_id": next(iter(email_templates()))})
    assert preview.status_code == 200, preview.text
    assert preview.json()["blocked"] == {"unsubscribed": 1} and preview.json()["recipients"] == 0


@pytest.mark.parametrize(("kind", "detail", "reason"), [
    ("Bounce", {"bounceType": "Permanent", "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": "Nora@Example.org"}]}, "bounce"),
    ("Complaint", {"complainedRecipients": [{"emailAddress": ADDRESS}], "complaintFeedbackType": "abuse"},
     "complaint"),
])
def test_a_bounce_or_complaint_suppresses_the_address_for_a_later_lead(crm, board, kind: str, detail: dict,
                                                                      reason: str):
    # Given a lead whose first nurture email bounced for good, or was reported as spam (the address as SES names it)
    first = post(crm, "first")
    deliver(crm, ses_event(kind, first_nurture_email(first), T0 + timedelta(minutes=1), **detail))
    # When the lead is erased and the address comes back as a new lead
    erase(board, first)
    again = post(crm, "again")
    sent_before = len(lead_emails(crm, ADDRESS))
    # Then no nurture email goes to it
    step(again, T0 + timedelta(days=30))
    assert skipped(again) == [f"address suppressed ({reason})"]
    # And neither does a rep's personal email: no email at all goes to a suppressed address
    refused = board.call("POST", f"/api/records/lead/{again}/email", MANAGER, {"template_id": "checking_in"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "recipient"
    assert len(lead_emails(crm, ADDRESS)) == sent_before


def test_an_email_event_of_an_erased_lead_still_suppresses_its_address(crm, board):
    # Given a lead whose nurture email was sent, and who was erased before SES reported the complaint
    first = post(crm, "first")
    message_id = first_nurture_email(first)
    erase(board, first)
    deliver(crm, ses_event("Complaint", message_id, T0 + timedelta(hours=1), complainedRecipients=[
        {"emailAddress": ADDRESS}], complaintFeedbackType="abuse"))
    # When the address comes back as a new lead
    again = post(crm, "again")
    step(again, T0 + timedelta(days=30))
    # Then the complaint holds for it
    assert skipped(again) == ["address suppressed (complaint)"]


def test_a_confirmed_renewal_of_consent_takes_the_address_off_the_list(crm, board):
    from crm.services.lead_messages import email_facts
    from tests.integration.test_public_form_privacy import link_event, links_in, text_of

    # Given an address unsubscribed under an erased lead
    first = post(crm, "first")
    unsubscribe(first)
    erase(board, first)
    # When it comes back through the form as a new lead, consent ticked
    sent_before = len(crm.emails())
    again = post(crm, "again")
    # Then the list still blocks marketing mail, and the consent waits for the person: one confirmation email
    assert email_facts(lead(again)).unsubscribed
    assert lead(again).consent is None and lead(again).consent_pending
    assert [event.data for event in events(again, "consent_requested")] == [{"how": "form"}]
    [email] = [message for message in crm.emails()[sent_before:] if ADDRESS in message.destinations]
    [link] = links_in(text_of(email), "confirm-consent")
    # And posting again the same day sends no second one (the form cannot flood an inbox)
    sent_before = len(crm.emails())
    assert post(crm, "renewed", message="Please write to me again") == again
    assert not [message for message in crm.emails()[sent_before:] if ADDRESS in message.destinations]
    # When they press the link's button
    assert crm.invoke("lead_intake", "unsubscribe.handler", link_event(link, "POST"))["statusCode"] == 200
    # Then the address is off the list, the consent is theirs, and the nurture writes to it again
    assert not email_facts(lead(again)).unsubscribed
    assert lead(again).consent.given
    step(again, T0 + timedelta(days=30))
    assert skipped(again) == [] and len(events(again, "nurture_email_sent")) == 1
