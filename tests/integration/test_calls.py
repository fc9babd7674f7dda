"""Calls from a PBX's signed webhooks land on the records (T1, T5, D4, L4, L8): matched by number, taken in once
whatever the provider repeats or reorders, feeding the first-contact clock and the 5-attempt rule; a missed call
becomes a call-back; an unknown caller a lead and an Unsorted deal. Signed with our documented scheme
(crm.telephony.providers.pbx.sign is what a PBX script computes with openssl)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from tests.integration.conftest import api_event

PBX_SECRET = "pbx-test-secret-0123456789"
LEAD_PHONE = "+36301112233"
UNKNOWN_PHONE = "+36309998877"
START = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


@pytest.fixture
def telephony(crm, monkeypatch):
    """The telephony secret with the PBX's shared secret; Anna answers on extension 201."""
    from crm.data.people import UserItem, get_user
    from crm.settings import get_settings

    secrets = boto3.client("secretsmanager")
    arn = secrets.create_secret(Name="telephony-test", SecretString=json.dumps({"pbx_secret": PBX_SECRET}))["ARN"]
    monkeypatch.setenv("TELEPHONY_SECRET", arn)
    monkeypatch.setenv("TELEPHONY_PUBLIC_URL", "https://calls.example.com/v1")
    get_settings.cache_clear()
    anna = get_user("rep-anna")
    anna.extension = "201"
    anna.save()
    UserItem.build(user_id="rep-dora", name="Dora Dial", email="dora@example.com", role="rep", extension="202",
                   phone="+36305550000").save()
    return crm


def post(crm, body: dict | bytes, signed_at: float | None = None, secret: str = PBX_SECRET,
         signature: str | None = None) -> dict:
    from crm.telephony.providers.pbx import sign

    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {}
    if signature is not None:
        headers["X-Crm-Signature"] = signature
    elif secret:
        headers["X-Crm-Signature"] = sign(secret, raw, int(signed_at if signed_at is not None else time.time()))
    return crm.invoke("telephony_webhook", "app.handler",
                      api_event(raw.decode(), path="/telephony/events", headers=headers))


def event(name: str, call_id: str = "pbx-1", customer: str = LEAD_PHONE, direction: str = "inbound",
          at: datetime = START, **fields) -> dict:
    ours, theirs = "+3612345678", customer
    body = {"call_id": call_id, "event": name, "direction": direction,
            "from": theirs if direction == "inbound" else ours, "to": ours if direction == "inbound" else theirs,
            "occurred_at": at.isoformat(), "extension": "201"}
    return body | fields


def a_lead(phone: str = LEAD_PHONE, **answers) -> str:
    from crm.models.leads import LeadSubmission
    from crm.services.intake import IntakeOptions, submit_lead

    submission = LeadSubmission.model_validate({"name": "Péter Nagy", "phone": phone, "country": "HU", **answers})
    return submit_lead(submission, START - timedelta(minutes=5), IntakeOptions(owner_id="rep-anna")).lead_id


def lead(lead_id: str):
    from crm.data.leads import get_lead

    return get_lead(lead_id)


def the_call(call_id: str = "pbx-1"):
    from crm.data.calls import get_call
    from crm.domain.calls import call_id as our_id

    return get_call(our_id("pbx", call_id))


def events_of(lead_id: str, event_type: str) -> list:
    from crm.data.leads import lead_pk, timeline

    return [item for item in timeline(lead_pk(lead_id)) if item.event_type == event_type]


def table_items() -> int:
    return boto3.client("dynamodb").scan(TableName="crm", Select="COUNT")["Count"]


def test_an_answered_call_is_the_leads_first_contact_and_is_counted_once(telephony):
    # Given a new lead owned by Anna
    lead_id = a_lead()
    # When the PBX tells it rang, was answered and ended, and repeats every delivery
    for body in (event("ringing"), event("answered", at=START + timedelta(seconds=8)),
                 event("ended", at=START + timedelta(seconds=70), duration=62)):
        assert post(telephony, body)["statusCode"] == 204
        before = table_items()
        assert post(telephony, body)["statusCode"] == 204
        assert table_items() == before  # a retried delivery writes nothing
    # Then the call is one item, completed, Anna's, linked to the lead
    call = the_call()
    assert (call.status, call.rep_id, call.duration_seconds, call.counted) == ("completed", "rep-anna", 62, "answered")
    assert call.matches == [{"kind": "lead", "id": lead_id}]
    # And the lead was contacted when the call was answered (the SLA clock stops), once
    person = lead(lead_id)
    assert person.first_contact_at == "2026-03-09T10:00:08Z"
    assert (person.answered_calls, person.attempts_without_response) == (1, 0)
    [logged] = events_of(lead_id, "call")
    assert logged.data["call_id"] == call.call_id and logged.data["outcome"] == "answered"


def test_events_out_of_order_still_end_as_completed(telephony):
    # Given a known lead, When the end arrives before the ringing
    lead_id = a_lead()
    post(telephony, event("ended", at=START + timedelta(seconds=40), duration=30))
    post(telephony, event("ringing"))
    # Then the call stays completed, and knows when it rang
    call = the_call()
    assert (call.status, call.ringing_at, call.ended_at) == ("completed", "2026-03-09T10:00:00Z",
                                                             "2026-03-09T10:00:40Z")
    assert lead(lead_id).answered_calls == 1


def test_unanswered_outbound_calls_are_attempts_for_the_five_attempt_rule(telephony):
    # Given a lead, When Anna calls it five times and nobody answers
    lead_id = a_lead()
    for attempt in range(5):
        at = START + timedelta(hours=attempt)
        post(telephony, event("ringing", call_id=f"out-{attempt}", direction="outbound", at=at))
        post(telephony, event("ended", call_id=f"out-{attempt}", direction="outbound", status="no-answer",
                              at=at + timedelta(seconds=30)))
    # Then each is an attempt and the lead follows the 5-attempt rule
    person = lead(lead_id)
    assert len(events_of(lead_id, "call")) == 5
    assert person.answered_calls == 0
    assert person.status != "new"
    from crm.domain.follow_up import follow_up

    expected = "new"
    attempts = 0
    for _ in range(5):
        step = follow_up(expected, attempts, "call", "outbound", "no_answer", 5)
        expected, attempts = step.status, step.attempts_without_response
    assert (person.status, person.attempts_without_response) == (expected, attempts)


def test_a_missed_call_from_a_known_lead_becomes_a_call_back_for_its_owner(telephony):
    # Given a lead, When it calls and nobody answers
    lead_id = a_lead()
    post(telephony, event("ringing"))
    post(telephony, event("ended", status="no-answer", at=START + timedelta(seconds=25)))
    # Then Anna has a "Call back" task on the lead, a notice and an email; the lead is not yet contacted
    from crm.data.notices import latest_notices
    from crm.data.tasks import open_tasks

    [task] = [task for task in open_tasks("rep-anna", related_id=lead_id) if task.title == "Call back"]
    assert task.related_type == "lead"
    [notice] = latest_notices("rep-anna", 10)
    assert (notice.notice_type, notice.data["id"]) == ("missed_call", lead_id)
    assert any("anna@example.com" in str(message.destinations) for message in telephony.emails())
    assert lead(lead_id).first_contact_at is None
    [logged] = events_of(lead_id, "call")
    assert logged.data["outcome"] == "unanswered"


def test_an_unknown_caller_becomes_a_lead_and_an_unsorted_deal_once(telephony):
    # When an unknown number calls Dora (extension 202) and she answers; every delivery arrives twice
    bodies = [event("ringing", customer=UNKNOWN_PHONE, call_id="new-1", extension="202"),
              event("answered", customer=UNKNOWN_PHONE, call_id="new-1", extension="202",
                    at=START + timedelta(seconds=5))]
    for body in bodies:
        post(telephony, body)
        post(telephony, body)
    # Then the caller is a lead from a phone call, owned by Dora, with one deal in Unsorted
    call = the_call("new-1")
    lead_id = call.created_lead_id
    person = lead(lead_id)
    assert (person.phone, person.first_touch.source, person.owner_id) == (UNKNOWN_PHONE, "phone_call", "rep-dora")
    assert person.first_contact_at is not None
    from crm.data.accounts import DealItem, owner_column_pk
    from crm.domain.pipelines import DEFAULT_PIPELINE_ID, UNSORTED_STAGE_ID

    deals = list(DealItem.owner_index.query(owner_column_pk("rep-dora", DEFAULT_PIPELINE_ID, UNSORTED_STAGE_ID)))
    assert [(deal.stage_id, deal.lead_id, deal.owner_id) for deal in deals] == [("unsorted", lead_id, "rep-dora")]
    assert person.deal_id == deals[0].deal_id  # the person's open deal, in the popup and the lookup


def test_no_lead_is_made_for_unknown_callers_when_the_setting_is_off(telephony, monkeypatch):
    from crm.settings import get_settings

    monkeypatch.setenv("CALLS_CREATE_LEADS", "false")
    get_settings.cache_clear()
    post(telephony, event("ringing", customer=UNKNOWN_PHONE, call_id="new-2"))
    post(telephony, event("answered", customer=UNKNOWN_PHONE, call_id="new-2", at=START + timedelta(seconds=5)))
    call = the_call("new-2")
    assert (call.created_lead_id, call.matches, call.counted) == (None, [], "answered")


@pytest.mark.parametrize(("kwargs", "status"), [
    ({"secret": ""}, 401),  # no signature
    ({"secret": "not-the-secret"}, 403),
    ({"signed_at": time.time() - 600}, 403),  # stale: a replay
    ({"signature": "v1=abc"}, 403),  # malformed
], ids=["missing", "bad", "stale", "malformed"])
def test_a_request_not_signed_by_the_pbx_is_refused_and_writes_nothing(telephony, kwargs, status):
    a_lead()
    before = table_items()
    answer = post(telephony, event("ringing"), **kwargs)
    assert answer["statusCode"] == status
    assert json.loads(answer["body"])["errors"][0]["field"] == "signature"
    assert table_items() == before


@pytest.mark.parametrize(("body", "field"), [
    (event("ringing", customer="not a number"), "from"),
    (event("ringing", extension="999"), "rep"),
    (event("hangup"), "event"),
    (b"{not json", "body"),
], ids=["not-a-number", "unknown-rep", "unknown-event", "malformed"])
def test_a_signed_request_the_crm_cannot_use_is_a_4xx_naming_the_field(telephony, body, field):
    before = table_items()
    answer = post(telephony, body)
    assert answer["statusCode"] == 422
    assert json.loads(answer["body"])["errors"][0]["field"] == field
    assert table_items() == before


def test_an_oversized_body_is_refused(telephony):
    answer = post(telephony, event("ringing", padding="x" * 70_000))
    assert answer["statusCode"] == 413


def test_a_storage_failure_answers_503_so_the_provider_retries(telephony, monkeypatch):
    from botocore.exceptions import ClientError

    import crm.services.calls as calls

    def unavailable(*_args, **_kwargs):
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                          "TransactWriteItems")

    monkeypatch.setattr(calls, "record_call_event", unavailable)
    assert post(telephony, event("ringing"))["statusCode"] == 503


def test_a_converted_persons_call_shows_on_the_lead_the_contact_and_the_open_deal(telephony):
    # Given Anna's lead, converted into a contact at an account with an open deal
    from crm.data.accounts import contact_pk, deal_pk
    from crm.data.leads import timeline
    from crm.data.people import get_user
    from crm.models.conversion import ConversionRequest
    from crm.services.conversion import convert_lead

    lead_id = a_lead(company="Nagy Kft")
    converted = convert_lead(lead_id, ConversionRequest.model_validate({"deal": {"amount": "900", "currency": "HUF"}}),
                             get_user("rep-anna"), START)
    # When the person calls and Anna answers
    post(telephony, event("ringing", call_id="conv-1"))
    post(telephony, event("answered", call_id="conv-1", at=START + timedelta(seconds=4)))
    # Then the call is on every one of the person's records, once each
    call = the_call("conv-1")
    assert call.matches == [{"kind": "lead", "id": lead_id}, {"kind": "contact", "id": converted.contact_id}]
    for pk in (contact_pk(converted.contact_id), deal_pk(converted.deal_id)):
        assert [item.data["call_id"] for item in timeline(pk) if item.event_type == "call"] == [call.call_id]
    assert len(events_of(lead_id, "call")) == 1


def test_a_missed_call_from_a_contact_is_a_call_back_on_the_contact(telephony):
    from crm.data.accounts import ContactItem
    from crm.data.imports import ContactKeyItem
    from crm.data.tasks import open_tasks

    contact = ContactItem.build(account_id="acct-kiss", name="Zsófia Kiss", owner_id="rep-anna",
                                created_at="2026-03-01T00:00:00Z", first_touch=None, phone=UNKNOWN_PHONE)
    contact.save()
    ContactKeyItem.build(ContactKeyItem.phone_pk(UNKNOWN_PHONE), contact.contact_id).save()
    post(telephony, event("ringing", call_id="c-1", customer=UNKNOWN_PHONE))
    post(telephony, event("ended", call_id="c-1", customer=UNKNOWN_PHONE, status="no-answer",
                          at=START + timedelta(seconds=20)))
    call = the_call("c-1")
    assert (call.matches, call.created_lead_id) == ([{"kind": "contact", "id": contact.contact_id}], None)
    [task] = open_tasks("rep-anna", related_id=contact.contact_id)
    assert (task.title, task.related_type) == ("Call back", "contact")


def test_the_rep_is_pushed_the_caller_when_it_rings_and_updates_after(telephony, monkeypatch):
    import crm.integrations.push as push

    pushed = []
    monkeypatch.setattr(push, "push_to_user", lambda user_id, message: pushed.append(
        (user_id, message() if callable(message) else message)) or 1)
    # Given Anna's lead, When it calls and she answers
    lead_id = a_lead()
    post(telephony, event("ringing"))
    post(telephony, event("answered", at=START + timedelta(seconds=3)))
    # Then the ringing push names the lead; the answer only updates the popup (no second read of the records)
    (rep, ringing), (_, answered) = pushed
    assert rep == "rep-anna" and (ringing["event"], answered["event"]) == ("ringing", "answered")
    [match] = ringing["matches"]
    assert (match["kind"], match["id"], match["name"]) == ("lead", lead_id, "Péter Nagy")
    assert "matches" not in answered and answered["call_id"] == ringing["call_id"]


def test_an_unknown_callers_new_lead_replaces_save_as_lead_in_the_popup(telephony, monkeypatch):
    import crm.integrations.push as push

    pushed = []
    monkeypatch.setattr(push, "push_to_user", lambda user_id, message: pushed.append(
        message() if callable(message) else message) or 1)
    post(telephony, event("ringing", call_id="new-3", customer=UNKNOWN_PHONE, extension="202"))
    post(telephony, event("answered", call_id="new-3", customer=UNKNOWN_PHONE, extension="202",
                          at=START + timedelta(seconds=3)))
    ringing, answered = pushed
    assert (ringing["matches"], ringing["save_as_lead"]) == ([], {"phone": UNKNOWN_PHONE})
    [match] = answered["matches"]
    assert (match["id"], answered["save_as_lead"]) == (the_call("new-3").created_lead_id, None)
