"""Workflows on status change (L11) and automation stopping at "not interested" (L8)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy

import boto3

from tests.integration.conftest import api_event, lead_id_of
from tests.integration.test_board_api import board  # noqa: F401

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def post_lead(crm, **fields) -> str:
    payload = {"name": "Sam Status", "email": "sam@example.org", "phone": "+36 30 123 4567", "country": "HU",
               "language": "hu", "message": "We need a CRM for our team of five", **fields}
    response = crm.invoke("lead_intake", "app.handler", api_event(json.dumps(payload)))
    assert response["statusCode"] == 201, response
    return lead_id_of(payload)


def log(board, lead_id: str, **activity) -> dict:
    """A call logged through the board API by the lead's owner."""
    from crm.data.leads import get_lead

    response = board.call("POST", f"/api/leads/{lead_id}/activities", get_lead(lead_id).owner_id,
                          {"type": "call", **activity})
    assert response.status_code == 201, response.text
    return response.json()


def status_executions(crm) -> list[dict]:
    stepfunctions = boto3.client("stepfunctions")
    return [json.loads(stepfunctions.describe_execution(executionArn=execution["executionArn"])["input"])
            for execution in crm.executions(crm.status_message_arn)]


def send(message: dict) -> dict:
    from crm.services.status_messages import send_status_message

    return send_status_message(message, NOW)


def test_entering_a_status_starts_its_rules_message_which_checks_the_status_when_it_wakes(crm, board):
    lead_id = post_lead(crm)
    log(board, lead_id, outcome="no_answer")
    [message] = status_executions(crm)
    assert message["lead_id"] == lead_id and message["status"] == "attempting"
    assert message["template"] == "lead_status_attempting"
    assert message["send_at"] > "2026"  # a timestamp the workflow's wait can use
    result = send(message)
    assert result["sent"] == ["email", "sms"]
    [email] = [message_from_string(sent.raw_data, policy=policy.default) for sent in crm.emails()
               if "sam@example.org" in sent.destinations]
    from crm.data.leads import get_lead
    from crm.data.people import get_user

    assert email["List-Unsubscribe"] and email["Reply-To"] == get_user(get_lead(lead_id).owner_id).email
    assert email.get_content_type() == "multipart/alternative"
    assert send(message) == {"sent": [], "skipped": "already sent"}  # a retried step sends nothing twice
    log(board, lead_id, outcome="answered")
    assert send({**message, "message_key": "another"})["skipped"] == "status is now contacted"


def test_a_lead_promoted_after_the_unanswered_call_gets_no_we_tried_to_reach_you(crm, board):
    # Given a rep's unanswered call, whose "we tried to reach you" waits two hours
    lead_id = post_lead(crm, email="promoted@example.org")
    log(board, lead_id, outcome="no_answer")
    [message] = status_executions(crm)
    # When the lead is promoted meanwhile (its rep now has a fresh call to make)
    from crm.clock import from_iso, to_iso
    from crm.data.leads import get_lead

    lead = get_lead(lead_id)
    lead.update(actions=[type(lead).promoted_at.set(to_iso(from_iso(message["since"]) + timedelta(minutes=30)))])
    # Then at send time the claim no longer holds and nothing goes out
    assert send(message) == {"sent": [], "skipped": "promoted since"}
    assert not [sent for sent in crm.emails() if "promoted@example.org" in sent.destinations]


def test_five_unanswered_attempts_stop_automation_and_a_rules_message_goes_out_a_day_later(crm, board, monkeypatch):
    stopped: list[tuple[str, str]] = []
    import crm.services.activities as activities

    monkeypatch.setattr(activities, "stop_lead_lifecycle",
                        lambda lead_id, cause, arn=None: stopped.append((lead_id, cause)) or True)
    lead_id = post_lead(crm, email="five@example.org")
    for _ in range(5):
        result = log(board, lead_id, outcome="no_answer")
    assert result["status"] == "not_interested"
    assert stopped == [(lead_id, "not interested")]
    not_interested = [message for message in status_executions(crm) if message["status"] == "not_interested"]
    assert len(not_interested) == 1
    from crm.data.leads import get_lead

    assert get_lead(lead_id).status == "not_interested"  # kept, not deleted


def test_status_rules_are_admin_data_and_an_inactive_rule_sends_nothing(crm, board):
    from crm.data.config import STATUS_RULES_KEY, ConfigItem

    ConfigItem.build(STATUS_RULES_KEY, {"rules": [
        {"status": "attempting", "template": "lead_status_attempting", "email": False, "sms": True,
         "delay_minutes": 30}]}, "2026-03-01T00:00:00Z", "admin-ada").save()
    lead_id = post_lead(crm)
    log(board, lead_id, outcome="no_answer")
    [message] = status_executions(crm)
    assert (message["email"], message["sms"]) == (False, True)
    assert send(message)["sent"] == ["sms"]
    assert any(to == "+36301234567" for to, _text in crm.sms())


def test_an_unsubscribed_lead_gets_no_status_email(crm, board):
    from crm.data.leads import LeadItem, get_lead

    lead_id = post_lead(crm, email="gone@example.org")
    get_lead(lead_id).update(actions=[LeadItem.unsubscribed_at.set("2026-03-01T00:00:00Z")],
                             add_version_condition=False)
    log(board, lead_id, outcome="no_answer")
    [message] = status_executions(crm)
    assert send(message) == {"sent": ["sms"], "skipped": {"email": "unsubscribed"}}  # SMS has its own opt-out


def test_a_lead_that_replied_stop_gets_no_sms_and_is_marked(crm, board):
    from crm.data.leads import get_lead

    lead_id = post_lead(crm, email="stop@example.org", phone="+36 30 123 4599")  # moto: numbers ending 99 opted out
    log(board, lead_id, outcome="no_answer")
    [message] = status_executions(crm)
    result = send(message)
    assert result["sent"] == ["email"] and result["skipped"] == {"sms": "no phone or opted out"}
    assert get_lead(lead_id).sms_opt_out is True
    assert not [to for to, _text in crm.sms() if to == "+36301234599"]
