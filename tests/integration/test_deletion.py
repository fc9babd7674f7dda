"""Keeping and deleting leads (L9) through the board API against DynamoDB Local: please-delete flags, the review,
erasure, junk."""

import json
from datetime import UTC, datetime

import pytest

from tests.integration.conftest import api_event, lead_id_of
from tests.integration.test_board_api import board  # noqa: F401

PERSON = {"name": "Jonas Weber", "email": "jonas@example.de", "phone": "+49 30 901820", "company": "Weber GmbH",
          "role": "CEO", "industry": "Brewing", "country": "DE", "company_size": "51-200", "budget": "yes",
          "need": "A CRM for our 5 sales reps", "message": "Call me about Weber's brewery",
          "best_time_to_contact": "mornings", "referred_by": "Petra Klein", "recent_company_change": "new owner",
          "marketing_consent": True, "consent_text": "Yes, Weber GmbH may get news", "utm_campaign": "spring",
          "page_url": "https://www.example.com/?who=jonas", "referrer": "https://jonas-weber.example/"}
# Strings that identify the person: none may survive an erasure anywhere under the lead.
TRACES = ("jonas", "weber", "901820", "ceo", "brewing", "petra", "mornings", "new owner", "5 sales reps")


def new_lead(crm, **fields):
    payload = {**PERSON, **fields}
    response = crm.invoke("lead_intake", "app.handler", api_event(json.dumps(payload)))
    assert response["statusCode"] == 201, response["body"]
    return lead_id_of(payload)


def call(board, method, path, user, body=None):
    response = board.call(method, f"/api{path}", user, body)
    return response.status_code, response.json()


def flag(board, lead_id, user="rep-anna", reason="asked us to forget them"):
    return call(board, "POST", f"/leads/{lead_id}/deletion-request", user, {"reason": reason})


def junk(board, lead_id, user="rep-anna", reason="fake data: 1234567"):
    return call(board, "POST", f"/leads/{lead_id}/junk", user, {"reason": reason})


def decide(board, lead_id, decision, user="mgr-maria", body=None):
    return call(board, "POST", f"/admin/deletion-requests/{lead_id}/{decision}", user, body or {})


def pending(board, user="mgr-maria"):
    return call(board, "GET", "/admin/deletion-requests", user)


def log_note(board, lead_id, note):
    response = board.call("POST", f"/api/leads/{lead_id}/activities", "rep-anna", {"type": "note", "note": note})
    assert response.status_code == 201, response.text


def sent_email(lead_id, message_id, subject):
    """An email the nurture sent: kept by its SES message id, and named in the lead's timeline."""
    from crm.data.email_messages import SentEmailItem
    from crm.data.leads import TimelineEventItem, lead_pk

    SentEmailItem.build(message_id, lead_id, "nurture_info_pack", subject, "2030-01-01T00:00:00Z", 1).save()
    TimelineEventItem.build(lead_pk(lead_id), "nurture_email_sent", "2030-01-01T00:00:00Z", {
        "step": 1, "template": "nurture_info_pack", "subject": subject, "message_id": message_id}).save()


def items_under(lead_id):
    from crm.data.leads import lead_pk
    from crm.data.table import CrmItem

    return list(CrmItem.query(lead_pk(lead_id), consistent_read=True))


def lead(lead_id):
    from crm.data.leads import get_lead

    return get_lead(lead_id)


def call_task(lead_id):
    from crm.data.tasks import TaskItem

    return TaskItem.get(*TaskItem.key(lead(lead_id).call_task_id), consistent_read=True)


def contact_points(email, phone):
    from crm.data.leads import contact_point_owners

    return contact_point_owners(email, phone)


@pytest.fixture
def stopped(monkeypatch):
    """The workflow stops the service asked for: (lead id, cause)."""
    from crm.services import deletion

    calls = []
    monkeypatch.setattr(deletion, "stop_lead_lifecycle", lambda lead_id, cause: calls.append((lead_id, cause)))
    return calls


def at(minute):
    return lambda: datetime(2030, 1, 1, 9, minute, tzinfo=UTC)


def test_approval_erases_the_person_and_the_same_email_comes_back_as_a_new_lead(crm, board, stopped):
    # Given a lead full of personal data, with a note, an open call task, flagged by its rep
    lead_id = new_lead(crm)
    log_note(board, lead_id, "Jonas Weber wants a demo for 5 sales reps")
    sent_email(lead_id, "m-1", "Jonas, your info pack")
    before = lead(lead_id)
    assert flag(board, lead_id)[0] == 202
    # When a manager approves
    status, body = decide(board, lead_id, "approve", body={"note": "GDPR request by email"})
    # Then the decision is recorded and the workflow is stopped as "deleted"
    assert status == 200 and body["changed"] is True
    decision = body["deletion_request"]
    assert {key: decision[key] for key in ("reason", "by", "decision", "decided_by", "note")} == {
        "reason": "asked us to forget them", "by": "rep-anna", "decision": "approved", "decided_by": "mgr-maria",
        "note": "GDPR request by email"}
    assert stopped == [(lead_id, "deleted")]
    # And the tombstone keeps only the non-personal facts
    tombstone = lead(lead_id)
    assert tombstone.name == "(erased)" and tombstone.erased_at == decision["decided_at"]
    for name in ("email", "phone", "company", "role", "industry", "message", "qualification", "best_time_to_contact",
                 "referred_by", "recent_company_change", "unsubscribe_token", "timezone", "language"):
        assert getattr(tombstone, name) is None, name
    assert (tombstone.first_touch.page_url, tombstone.first_touch.referrer, tombstone.first_touch.utm) == (None,) * 3
    assert tombstone.consent.given is True and tombstone.consent.wording is None
    kept = ("created_at", "owner_id", "status", "cycle", "temperature", "score", "country")
    assert [getattr(tombstone, name) for name in kept] == [getattr(before, name) for name in kept]
    assert (tombstone.first_touch.at, tombstone.first_touch.source) == (before.first_touch.at, "web_page")
    assert [part["points"] for part in tombstone.score_parts] == [part["points"] for part in before.score_parts]
    # And nothing under the lead (lead item, every timeline event) still names the person
    stored = json.dumps([item.serialize() for item in items_under(lead_id)], ensure_ascii=False).lower()
    assert not [trace for trace in TRACES if trace in stored]
    events = [item for item in items_under(lead_id) if item.SK.startswith("EVENT#")]
    assert len(events) >= 6 and [event.data for event in events if event.event_type == "erased"] == [
        {"reason": "asked us to forget them", "by": "rep-anna", "decided_by": "mgr-maria",
         "note": "GDPR request by email"}]
    activity = next(event for event in events if event.event_type == "activity")
    assert activity.data == {"type": "note", "by": "rep-anna", "direction": "outbound"}
    from crm.data.email_messages import get_sent_email

    assert get_sent_email("m-1").subject == "(erased), your info pack"
    # And the email and phone are free again, the call task is cancelled and the queue is empty
    assert contact_points("jonas@example.de", "+4930901820") == {}
    assert call_task(lead_id).status == "cancelled" and call_task(lead_id).GSI1PK is None
    assert pending(board) == (200, {"requests": []})
    # When the same person submits again, Then they are a new lead
    again = crm.invoke("lead_intake", "app.handler",
                       api_event(json.dumps({"name": "Jonas Weber", "email": "jonas@example.de"})))
    returned_id = lead_id_of({"name": "Jonas Weber", "email": "jonas@example.de"})
    assert again["statusCode"] == 201 and returned_id != lead_id
    assert contact_points("jonas@example.de", None) == {"EMAIL#jonas@example.de": returned_id}
    # And a retried approval of the erased lead answers the same decision and changes nothing
    assert decide(board, lead_id, "approve") == (200, {**body, "changed": False})


def test_an_approval_that_failed_half_way_finishes_when_retried(crm, board, stopped, monkeypatch):
    # Given a lead with a long history: more timeline events than one transaction may hold
    from crm.data.leads import TimelineEventItem, lead_pk
    from crm.data.transactions import write_transaction
    from crm.services import deletion

    lead_id = new_lead(crm)
    for index in range(230):
        TimelineEventItem.build(lead_pk(lead_id), "touch", f"2030-01-01T00:00:{index % 60:02d}Z",
                                {"source": "event", "name": "Jonas Weber", "email": "jonas@example.de"}).save()
    flag(board, lead_id)
    # When the final write of the approval fails after the history was already erased in batches
    batches = []

    def failing_tombstone(build):
        batches.append(build)
        if getattr(build, "func", None) is deletion._tombstone:
            raise deletion.ClientError({"Error": {"Code": "InternalServerError", "Message": "boom"}}, "Transact")
        write_transaction(build)

    monkeypatch.setattr(deletion, "write_transaction", failing_tombstone)
    assert decide(board, lead_id, "approve")[0] == 503
    # Then the history went in transactions of at most 100 items and the request is still pending
    assert len(batches) == 4
    assert lead(lead_id).erased_at is None and [row["lead_id"] for row in pending(board)[1]["requests"]] == [lead_id]
    # When the approval is retried, Then it finishes: no trace of the person is left
    monkeypatch.setattr(deletion, "write_transaction", write_transaction)
    assert decide(board, lead_id, "approve")[1]["changed"] is True
    stored = json.dumps([item.serialize() for item in items_under(lead_id)], ensure_ascii=False).lower()
    assert "jonas" not in stored and contact_points("jonas@example.de", "+4930901820") == {}


def test_rejection_keeps_everything_and_closes_the_request(crm, board, stopped):
    # Given a flagged lead
    lead_id = new_lead(crm)
    flag(board, lead_id)
    # When a manager rejects it with a note
    status, body = decide(board, lead_id, "reject", body={"note": "active customer talks"})
    # Then the lead keeps its data, contact points and task; the decision is on the lead and its timeline
    assert status == 200 and body["deletion_request"]["decision"] == "rejected"
    kept = lead(lead_id)
    assert (kept.name, kept.email, kept.phone, kept.erased_at) == ("Jonas Weber", "jonas@example.de",
                                                                   "+4930901820", None)
    assert kept.deletion_request["note"] == "active customer talks"
    assert contact_points("jonas@example.de", None) == {"EMAIL#jonas@example.de": lead_id}
    assert call_task(lead_id).status == "open" and stopped == []
    assert [event.data["decided_by"] for event in items_under(lead_id)
            if getattr(event, "event_type", None) == "deletion_rejected"] == ["mgr-maria"]
    # And the request is closed: off the list, and no second decision
    assert pending(board) == (200, {"requests": []})
    assert decide(board, lead_id, "approve")[0] == 409 and decide(board, lead_id, "reject")[0] == 409
    # And the lead can be flagged again later
    assert flag(board, lead_id, reason="asked again")[0] == 202


def test_a_rep_can_neither_decide_nor_see_the_review(crm, board):
    lead_id = new_lead(crm)
    flag(board, lead_id)
    assert decide(board, lead_id, "approve", user="rep-anna")[0] == 403
    assert pending(board, user="rep-anna")[0] == 403
    assert lead(lead_id).erased_at is None and lead(lead_id).deletion_request["by"] == "rep-anna"


def test_the_review_lists_pending_requests_only_oldest_first(crm, board, monkeypatch):
    from crm import clock

    # Given three leads flagged at 9:03, 9:01 and 9:02, and the oldest flag rejected
    first, second, third = (new_lead(crm, email=f"p{index}@example.com", phone=None, company=f"Firm {index}")
                            for index in range(3))
    for lead_id, minute in ((first, 3), (second, 1), (third, 2)):
        monkeypatch.setattr(clock, "utcnow", at(minute))
        assert flag(board, lead_id, user="mgr-maria" if lead_id == third else "rep-anna")[0] == 202
    decide(board, second, "reject")
    # When a manager opens the review, Then only the pending ones show, oldest first, with who and why
    status, body = pending(board)
    assert status == 200 and body["requests"] == [
        {"lead_id": third, "name": "Jonas Weber", "company": "Firm 2", "owner_id": "rep-anna",
         "reason": "asked us to forget them", "requested_by": "mgr-maria", "requested_at": "2030-01-01T09:02:00Z"},
        {"lead_id": first, "name": "Jonas Weber", "company": "Firm 0", "owner_id": "rep-anna",
         "reason": "asked us to forget them", "requested_by": "rep-anna", "requested_at": "2030-01-01T09:03:00Z"},
    ]


def test_junk_stops_automation_and_takes_the_tasks_away_but_deletes_nothing(crm, board, stopped):
    from crm.data.tasks import TaskItem
    from crm.domain.automation import AutomationFacts, stop_reason

    # Given a rep's new lead with its open call task
    lead_id = new_lead(crm)
    # When the rep marks it junk
    status, body = junk(board, lead_id)
    # Then the lead carries the mark, is kept whole, and automation stops for "junk"
    assert status == 200 and body["changed"] is True
    marked = lead(lead_id)
    assert (marked.junk["reason"], marked.junk["by"], marked.name) == ("fake data: 1234567", "rep-anna",
                                                                        "Jonas Weber")
    assert stop_reason(AutomationFacts(status=marked.status, cycle=marked.cycle, converted=bool(marked.converted_at),
                                       erased=bool(marked.erased_at), junk=bool(marked.junk))) == "junk"
    assert stopped == [(lead_id, "junk")]
    # And the call task is cancelled and gone from the rep's open tasks
    assert call_task(lead_id).status == "cancelled"
    assert list(TaskItem.owner_index.query("OWNER#rep-anna#TASKS")) == []
    assert [event.data["task_ids"] for event in items_under(lead_id)
            if getattr(event, "event_type", None) == "marked_junk"] == [[marked.call_task_id]]
    assert contact_points("jonas@example.de", None) == {"EMAIL#jonas@example.de": lead_id}
    # When it is marked again, Then the first mark stands
    assert junk(board, lead_id, user="mgr-maria", reason="again") == (200, {**body, "changed": False})


def test_reflagging_returns_the_pending_request(crm, board):
    lead_id = new_lead(crm)
    first = flag(board, lead_id)
    again = flag(board, lead_id, user="mgr-maria", reason="another reason")
    assert first[0] == 202 and again == (200, {**first[1], "changed": False})
    assert len(pending(board)[1]["requests"]) == 1
    assert [item.event_type for item in items_under(lead_id)
            if getattr(item, "event_type", None) == "deletion_requested"] == ["deletion_requested"]


def test_a_rep_cannot_flag_or_junk_another_reps_lead(crm, board):
    lead_id = new_lead(crm)  # a German lead: Anna's
    # to Béla, Anna's lead does not exist
    assert flag(board, lead_id, user="rep-bela")[0] == 404
    assert junk(board, lead_id, user="rep-bela")[0] == 404
    untouched = lead(lead_id)
    assert (untouched.deletion_request, untouched.junk) == (None, None)
    assert pending(board) == (200, {"requests": []})


def test_bad_requests(crm, board):
    lead_id = new_lead(crm)
    assert flag(board, lead_id, user=None)[0] == 401
    status, body = flag(board, lead_id, reason="  ")
    assert status == 422 and body["errors"][0]["field"] == "reason"
    assert flag(board, "01NOSUCHLEAD")[0] == 404
    assert decide(board, lead_id, "archive")[0] == 404
    assert decide(board, lead_id, "approve")[0] == 409  # nothing pending
