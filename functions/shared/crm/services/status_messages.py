"""Workflows on status change (L11): rules as data send the lead an email and/or SMS, optionally later.

Only a person's call or email starts them (crm.services.activities): each tells the lead that someone tried, got
through or gave up. Each message waits in its own small state machine (StatusMessageStateMachine) and re-reads the
lead when it wakes: a lead that has moved on to another status, been converted, deleted or marked junk, or been
promoted since (its rep has a fresh call to make), gets nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from pynamodb.attributes import UnicodeAttribute

from crm.clock import compressed_wake_time, to_iso
from crm.data.config import status_rules
from crm.data.leads import TimelineEventItem, get_lead, lead_pk
from crm.data.table import CrmItem
from crm.domain.automation import service_email_blocked, stop_reason
from crm.domain.status_rules import rules_for
from crm.integrations.workflows import start_status_message
from crm.observability import logger
from crm.services.lead_messages import email_facts, email_lead, sms_lead
from crm.settings import get_settings


class StatusMessageSentItem(CrmItem, discriminator="StatusMessageSent"):
    """Marks one rule's message as sent: a retried step does not send it twice."""

    sent_at = UnicodeAttribute()


def schedule_status_messages(lead_id: str, status: str, status_event_id: str, now: datetime) -> list[str]:
    """Start one waiting workflow per active rule for the status just entered; returns their execution ARNs."""
    started = []
    for number, rule in enumerate(rules_for(status, status_rules())):
        due = now + timedelta(minutes=rule.delay_minutes)
        send_at = compressed_wake_time(now, due, get_settings().clock_speedup)
        payload = {"status": status, "template": rule.template, "email": rule.email, "sms": rule.sms,
                   "send_at": to_iso(send_at), "message_key": f"{status_event_id}-{number}", "since": to_iso(now)}
        started.append(start_status_message(lead_id, payload["message_key"], payload))
    return started


def send_status_message(message: dict, now: datetime) -> dict:
    """At send time: only if the lead is still in the status, was not promoted since it entered it (a message
    started without "since" counts any promotion) and may still be written to."""
    lead = get_lead(message["lead_id"])
    if lead is None or lead.erased_at:
        return {"sent": [], "skipped": "lead deleted"}
    if lead.status != message["status"]:
        return {"sent": [], "skipped": f"status is now {lead.status}"}
    if lead.promoted_at and lead.promoted_at >= message.get("since", ""):
        return {"sent": [], "skipped": "promoted since"}
    stopped = stop_reason(replace(lead.automation_facts(), status=""))  # the status is the rule's own
    if stopped:
        return {"sent": [], "skipped": stopped}
    marker = StatusMessageSentItem(lead_pk(lead.lead_id), f"STATUS_MESSAGE#{message['message_key']}")
    try:
        StatusMessageSentItem.get(marker.PK, marker.SK)
        return {"sent": [], "skipped": "already sent"}
    except StatusMessageSentItem.DoesNotExist:
        pass
    sent: list[str] = []
    skipped: dict[str, str] = {}
    if message.get("email"):
        blocked = service_email_blocked(email_facts(lead))
        if blocked:
            skipped["email"] = blocked
        else:
            email_lead(lead, message["template"], now)
            sent.append("email")
    if message.get("sms"):
        if sms_lead(lead, message["template"]):
            sent.append("sms")
        else:
            skipped["sms"] = "no phone or opted out"
    marker.sent_at = to_iso(now)
    marker.save()
    TimelineEventItem.build(lead_pk(lead.lead_id), "status_message_sent", to_iso(now),
                            {"template": message["template"], "status": message["status"], "channels": sent,
                             "skipped": skipped}).save()
    logger.info("status message", extra={"lead_id": lead.lead_id, "template": message["template"], "sent": sent})
    return {"sent": sent, "skipped": skipped}
