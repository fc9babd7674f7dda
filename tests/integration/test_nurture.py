"""Nurture (L7), consent and deliverability, on the services the workflow and SES events call.

Time is never waited for: each step is called at the moment the previous one asked to be woken, the way the
state machine's TimestampPath wait would call it.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from tests.integration.conftest import api_event, lead_id_of
from tests.integration.test_board_api import board  # noqa: F401

NEED = "Our spreadsheets no longer keep up with the leads"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


def post_lead(crm, **fields) -> str:
    payload = {"name": "Nora Nurture", "email": "nora@example.org", "message": NEED, "marketing_consent": True,
               "consent_text": "Yes, send me news", "country": "GB", **fields}
    response = crm.invoke("lead_intake", "app.handler", api_event(json.dumps(payload)))
    assert response["statusCode"] == 201, response
    return lead_id_of(payload)


def lead(lead_id: str):
    from crm.data.leads import get_lead

    return get_lead(lead_id)


def events(lead_id: str, event_type: str) -> list:
    from crm.data.leads import lead_pk, timeline

    return [event for event in timeline(lead_pk(lead_id), limit=500) if event.event_type == event_type]


def step(lead_id: str, now: datetime) -> dict:
    from crm.services.nurture import nurture_step

    return nurture_step(lead_id, now)


def run_until_done(lead_id: str, start: datetime = T0, limit: int = 60, on_email=None) -> tuple[dict, datetime]:
    """Wake the lead's nurture at each planned time until it ends; `on_email(message_id)` may react to sends."""
    now = start
    for _ in range(limit):
        before = {event.data["message_id"] for event in events(lead_id, "nurture_email_sent")}
        result = step(lead_id, now)
        if on_email:
            for event in events(lead_id, "nurture_email_sent"):
                if event.data["message_id"] not in before:
                    on_email(event.data["message_id"], now)
        if result["next"] == "done":
            return result, now
        now = datetime.fromisoformat(result["wake_at"].replace("Z", "+00:00"))
    raise AssertionError("nurture did not end")


def owner(lead_id: str):
    from crm.data.people import get_user

    return get_user(lead(lead_id).owner_id)


def task_titles(lead_id: str) -> set[str]:
    from crm.data.tasks import TaskItem

    return {task.title for task in TaskItem.owner_index.query(f"OWNER#{lead(lead_id).owner_id}#TASKS")}


def lead_emails(crm, address: str) -> list:
    return [message_from_string(message.raw_data, policy=policy.default) for message in crm.emails()
            if address in message.destinations]


def ses_event(kind: str, message_id: str, at: datetime, **detail) -> dict:
    """What SES publishes to the configuration set's SNS topic, wrapped as Lambda receives it from SNS."""
    timestamp = at.isoformat().replace("+00:00", "Z")
    body = {"eventType": kind, "mail": {"timestamp": timestamp, "source": "crm@example.com", "messageId": message_id,
                                        "destination": ["nora@example.org"], "headersTruncated": False,
                                        "tags": {}}}
    key = kind[0].lower() + kind[1:]
    body[key] = {"timestamp": timestamp, "ipAddress": "192.0.2.1", "userAgent": "Mail", **detail}
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                         "Sns": {"Type": "Notification", "MessageId": f"sns-{message_id}-{kind}",
                                 "Message": json.dumps(body), "Timestamp": timestamp}}]}


def deliver(crm, event: dict) -> dict:
    return crm.invoke("workflow_engine", "email_events.handler", event)["results"][0]


def test_a_nurturable_lead_gets_the_info_pack_at_once_and_a_call_task_on_day_three(crm, board):
    lead_id = post_lead(crm)
    assert lead(lead_id).cycle == "nurturable"
    from crm.services.nurture import choose_route

    assert choose_route(lead_id) == {"route": "nurture", "cycle": "nurturable"}
    first = step(lead_id, T0)
    info_pack = lead_emails(crm, "nora@example.org")
    assert len(info_pack) == 1
    message = info_pack[0]
    assert message["Reply-To"] == owner(lead_id).email  # the rep, personally
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = str(message["List-Unsubscribe"]).strip("<>")
    assert link.startswith("https://links.example.com/v1/unsubscribe?")
    assert html.escape(link) in message.get_body(("html",)).get_content()
    assert link in message.get_body(("plain",)).get_content()
    assert lead(lead_id).status == "attempting"  # the personal info pack is an attempt logged by automation (L8)
    wake = datetime.fromisoformat(first["wake_at"].replace("Z", "+00:00"))
    assert wake.date() == (T0 + timedelta(days=3)).date() and 9 <= wake.hour < 17  # the call, in the send window
    step(lead_id, wake)
    assert "Nurture call" in task_titles(lead_id)
    read = board.call("GET", f"/api/records/lead/{lead_id}", "mgr-maria")
    progress = read.json()["fields"]["nurture"]  # the API shows where the lead is in its sequence
    assert (progress["next_step"], progress["sent"], progress["sequence"]) == (2, 1, "default")


def test_the_automated_info_pack_starts_no_we_tried_to_reach_you_message(crm):
    # Given a nurtured lead whose personal info pack, sent by automation, counts as an attempt (L8)
    lead_id = post_lead(crm)
    step(lead_id, T0)
    assert lead(lead_id).status == "attempting"
    # Then no status message is waiting to tell the lead that somebody tried to call: nobody did
    assert crm.executions(crm.status_message_arn) == []


def test_the_rep_of_a_nurtured_lead_is_promised_no_call_deadline(crm):
    # Given a nurturable lead: no SLA, which only expected buyers on the personal route have
    lead_id = post_lead(crm)
    from crm.services.lifecycle import notify_assignee

    # When its rep is told about it
    assert notify_assignee(lead_id, T0)["channels"] == ["email"]  # an SMS interrupts only for the SLA
    rep = owner(lead_id)
    [rep_mail] = lead_emails(crm, rep.email)
    # Then neither subject nor body asks for a call within the SLA, in the rep's language
    from crm.notifications.messages import MESSAGES
    from crm.settings import get_settings

    words = MESSAGES[rep.language]
    assert str(rep_mail["Subject"]) == words["new_lead_for_rep"]["subject_no_sla"].format(name="Nora Nurture")
    within = words["common"]["within_minutes_other"].format(count=get_settings().sla_minutes)
    assert within not in rep_mail.get_body(("plain",)).get_content()


def test_eleven_unopened_emails_bring_the_big_bang_and_then_no_prospect(crm):
    lead_id = post_lead(crm)
    result, ended_at = run_until_done(lead_id)
    assert result["reason"] == "no opens after the big bang email"
    sent = events(lead_id, "nurture_email_sent")
    assert len(sent) == 12
    templates = [event.data["template"] for event in sorted(sent, key=lambda event: event.SK)]
    assert templates[:11].count("nurture_big_bang") == 0 and templates[11] == "nurture_big_bang"
    assert lead(lead_id).cycle == "no_prospect"
    assert len(events(lead_id, "demoted")) == 1
    assert ended_at - T0 > timedelta(days=200)  # the whole default sequence, months of it, never waited for
    assert step(lead_id, ended_at + timedelta(days=30))["next"] == "done"
    assert len(lead_emails(crm, "nora@example.org")) == 12


def test_at_the_demo_speedup_the_demotion_comes_a_wake_up_after_the_big_bang(crm, monkeypatch):
    # Given the clock of `CLOCK_SPEEDUP=400000 make run`, where the 14-day grace is 3 s, within the wake tolerance
    from crm.services.nurture import BIG_BANG_MIN_REAL_GRACE, EARLY_WAKE_TOLERANCE
    from crm.settings import get_settings

    monkeypatch.setenv("CLOCK_SPEEDUP", "400000")
    get_settings.cache_clear()
    lead_id = post_lead(crm)
    # When a silent lead runs through its sequence
    result, _ = run_until_done(lead_id)
    # Then the big bang and the demotion are separate wake-ups, the grace long enough to open the email
    assert result["reason"] == "no opens after the big bang email"
    [big_bang] = [event for event in events(lead_id, "nurture_email_sent")
                  if event.data["template"] == "nurture_big_bang"]
    [demoted] = events(lead_id, "demoted")
    grace = datetime.fromisoformat(demoted.at) - datetime.fromisoformat(big_bang.at)
    assert grace >= BIG_BANG_MIN_REAL_GRACE > EARLY_WAKE_TOLERANCE


def test_an_open_ends_the_silence_so_no_big_bang_is_sent(crm):
    lead_id = post_lead(crm)

    def open_the_eleventh(message_id: str, now: datetime) -> None:
        if len(events(lead_id, "nurture_email_sent")) == 11:
            deliver(crm, ses_event("Open", message_id, now + timedelta(hours=1)))

    result, _ = run_until_done(lead_id, on_email=open_the_eleventh)
    assert result["reason"] == "sequence finished"
    assert "nurture_big_bang" not in {event.data["template"] for event in events(lead_id, "nurture_email_sent")}
    assert lead(lead_id).cycle == "nurturable"


def test_clicks_promote_the_lead_and_tell_the_rep_what_was_opened_and_clicked(crm):
    lead_id = post_lead(crm)
    step(lead_id, T0)
    message_id = events(lead_id, "nurture_email_sent")[0].data["message_id"]
    deliver(crm, ses_event("Open", message_id, T0 + timedelta(minutes=5)))
    first = deliver(crm, ses_event("Click", message_id, T0 + timedelta(minutes=6), link="https://www.example.com/a"))
    assert first["promoted"] is False
    second = deliver(crm, ses_event("Click", message_id, T0 + timedelta(minutes=7), link="https://www.example.com/b"))
    assert second["promoted"] is True
    promoted = lead(lead_id)
    assert promoted.cycle == "expected_buyer" and promoted.promoted_at and promoted.nurture.ended == "promoted"
    assert (promoted.opens, promoted.clicks) == (1, 2)
    rep_mail = lead_emails(crm, owner(lead_id).email)[-1]
    html = rep_mail.get_body(("html",)).get_content()
    assert "Nora Nurture" in str(rep_mail["Subject"]) + html
    assert "https://www.example.com/a" in html and "https://www.example.com/b" in html
    from crm.notifications.messages import MESSAGES

    rating = f"{MESSAGES[owner(lead_id).language]['temperatures'][promoted.temperature]} · {promoted.score}/100"
    assert rating in rep_mail.get_body(("plain",)).get_content()  # the lead's own rating, not "Hot" for a cold lead
    assert "Call engaged lead" in task_titles(lead_id)
    assert step(lead_id, T0 + timedelta(days=3)) == {"next": "done", "reason": "promoted"}
    assert len(lead_emails(crm, "nora@example.org")) == 1


def test_the_same_ses_event_delivered_twice_counts_once(crm):
    lead_id = post_lead(crm)
    step(lead_id, T0)
    message_id = events(lead_id, "nurture_email_sent")[0].data["message_id"]
    event = ses_event("Open", message_id, T0 + timedelta(minutes=5))
    assert deliver(crm, event)["recorded"] is True
    assert deliver(crm, event) == {"recorded": False, "reason": "already recorded"}
    assert lead(lead_id).opens == 1 and len(events(lead_id, "email_opened")) == 1


def test_unsubscribe_takes_effect_before_the_next_send(crm):
    lead_id = post_lead(crm)
    first = step(lead_id, T0)
    link = str(lead_emails(crm, "nora@example.org")[0]["List-Unsubscribe"]).strip("<>")
    query = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
    page = crm.invoke("lead_intake", "unsubscribe.handler", api_event(
        "", method="GET", path="/unsubscribe") | {"queryStringParameters": query})
    assert page["statusCode"] == 200 and "<form method=\"post\"" in page["body"]
    assert lead(lead_id).unsubscribed_at is None  # a mail scanner following the link unsubscribes nobody
    one_click = api_event("List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded",
                          path="/unsubscribe") | {"queryStringParameters": query}
    assert crm.invoke("lead_intake", "unsubscribe.handler", one_click)["statusCode"] == 200
    assert crm.invoke("lead_intake", "unsubscribe.handler", one_click)["statusCode"] == 200  # idempotent
    assert len(events(lead_id, "unsubscribed")) == 1
    wrong = api_event("", path="/unsubscribe") | {"queryStringParameters": {**query, "token": "guess"}}
    assert crm.invoke("lead_intake", "unsubscribe.handler", wrong)["statusCode"] == 404
    wake = datetime.fromisoformat(first["wake_at"].replace("Z", "+00:00"))
    second = step(lead_id, wake)  # the call task on day 3 still happens: the rep may call
    step(lead_id, datetime.fromisoformat(second["wake_at"].replace("Z", "+00:00")))
    assert len(lead_emails(crm, "nora@example.org")) == 1
    assert events(lead_id, "nurture_email_skipped")[0].data["reason"] == "unsubscribed"


@pytest.mark.parametrize(("kind", "detail", "reason"), [
    ("Bounce", {"bounceType": "Permanent", "bounceSubType": "General", "bouncedRecipients": []}, "bounce"),
    ("Complaint", {"complainedRecipients": [], "complaintFeedbackType": "abuse"}, "complaint"),
])
def test_a_bounce_or_complaint_suppresses_the_address(crm, kind: str, detail: dict, reason: str):
    lead_id = post_lead(crm)
    first = step(lead_id, T0)
    message_id = events(lead_id, "nurture_email_sent")[0].data["message_id"]
    deliver(crm, ses_event(kind, message_id, T0 + timedelta(minutes=1), **detail))
    assert lead(lead_id).email_suppressed == reason
    now = datetime.fromisoformat(first["wake_at"].replace("Z", "+00:00"))
    for _ in range(2):
        now = datetime.fromisoformat(step(lead_id, now)["wake_at"].replace("Z", "+00:00"))
    assert len(lead_emails(crm, "nora@example.org")) == 1
    assert events(lead_id, "nurture_email_skipped")[0].data["reason"] == f"address suppressed ({reason})"


def test_a_transient_bounce_only_goes_on_the_timeline(crm):
    lead_id = post_lead(crm)
    step(lead_id, T0)
    message_id = events(lead_id, "nurture_email_sent")[0].data["message_id"]
    deliver(crm, ses_event("Bounce", message_id, T0, bounceType="Transient", bounceSubType="MailboxFull"))
    assert lead(lead_id).email_suppressed is None and len(events(lead_id, "email_bounced")) == 1


def test_without_consent_no_marketing_email_goes_out(crm):
    lead_id = post_lead(crm, marketing_consent=False, email="quiet@example.org")
    step(lead_id, T0)
    assert lead_emails(crm, "quiet@example.org") == []
    assert events(lead_id, "nurture_email_skipped")[0].data["reason"] == "no consent"


def test_a_lead_converted_mid_sequence_gets_no_further_nurture_email(crm):
    from crm.data.leads import LeadItem

    lead_id = post_lead(crm)
    first = step(lead_id, T0)
    lead(lead_id).update(actions=[LeadItem.converted_at.set("2026-03-03T10:00:00Z"), LeadItem.status.set("converted")],
                         add_version_condition=False)
    result = step(lead_id, datetime.fromisoformat(first["wake_at"].replace("Z", "+00:00")))
    assert result == {"next": "done", "reason": "converted"}
    assert len(lead_emails(crm, "nora@example.org")) == 1
    assert events(lead_id, "nurture_ended")[0].data["reason"] == "converted"


def test_junk_and_no_prospect_leads_get_no_automation(crm):
    from crm.data.leads import LeadItem
    from crm.services.nurture import choose_route

    cold = post_lead(crm, email="cold@example.org", message=None, marketing_consent=False)
    assert lead(cold).cycle == "no_prospect"
    assert choose_route(cold)["route"] == "none"
    junk = post_lead(crm, email="junk@example.org")
    lead(junk).update(actions=[LeadItem.junk.set({"reason": "fake", "by": "rep-chris", "at": "2026-03-02T08:00:00Z"})],
                      add_version_condition=False)
    assert choose_route(junk)["route"] == "none"
    assert step(junk, T0) == {"next": "done", "reason": "junk"}
    assert lead_emails(crm, "junk@example.org") == []


def test_a_wake_up_retried_after_the_step_ran_sends_nothing_twice(crm):
    lead_id = post_lead(crm)
    first = step(lead_id, T0)
    again = step(lead_id, T0)  # Step Functions retried the task after it had already succeeded
    assert again["wake_at"] == first["wake_at"]
    assert len(lead_emails(crm, "nora@example.org")) == 1


def test_a_sequence_lengthened_past_a_year_continues_in_a_fresh_execution(crm):
    # Given an admin's sequence whose second email falls 400 days in: beyond one execution's year
    from crm.data.config import ConfigItem, sequence_key
    from crm.domain.nurture import EXECUTION_HORIZON
    from crm.services.nurture import nurture_step

    ConfigItem.build(sequence_key("default"), {"name": "Long", "steps": [
        {"kind": "email", "delay_days": 0, "template": "nurture_info_pack", "personal": True},
        {"kind": "email", "delay_days": 400, "template": "nurture_newsletter"}]}, "2026-01-01T00:00:00Z",
        "admin").save()
    lead_id = post_lead(crm)
    # When the first execution sends the info pack, it waits only until its own horizon
    first = nurture_step(lead_id, T0, execution_started=T0)
    horizon = T0 + EXECUTION_HORIZON
    assert first == {"next": "wait", "wake_at": horizon.isoformat().replace("+00:00", "Z"), "step": 1}
    real_wake = datetime.fromisoformat(lead(lead_id).nurture.wake_at.replace("Z", "+00:00"))
    assert real_wake - T0 > timedelta(days=399)  # the lead keeps the real moment of its next email
    # Then at the horizon a fresh run takes over, started once even when the step is retried
    handed = nurture_step(lead_id, horizon, execution_started=T0)
    assert nurture_step(lead_id, horizon, execution_started=T0) == handed
    assert handed["next"] == "continued"
    runs = [run for run in crm.executions() if run["name"] == f"lead-{lead_id}-c{int(T0.timestamp())}"]
    assert len(runs) == 1 and handed["execution"] == runs[0]["executionArn"]
    started = boto3.client("stepfunctions").describe_execution(executionArn=handed["execution"])
    assert json.loads(started["input"]) == {"lead_id": lead_id, "resume": "nurture"}
    assert lead(lead_id).lifecycle_execution == handed["execution"]  # conversion or promotion stops this run
    # And the fresh run waits for the real moment and sends the newsletter then
    second = nurture_step(lead_id, horizon, execution_started=horizon)
    assert second["next"] == "wait" and second["wake_at"] == lead(lead_id).nurture.wake_at
    nurture_step(lead_id, real_wake, execution_started=horizon)
    sent = [event.data["template"] for event in events(lead_id, "nurture_email_sent")]
    assert sorted(sent) == ["nurture_info_pack", "nurture_newsletter"]
