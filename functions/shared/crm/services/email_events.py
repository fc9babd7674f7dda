"""SES events of the emails we sent to leads (L7, deliverability): engagement, promotion and suppression.

Each event is stored once on the lead's timeline under a key made from the event itself, so SNS delivering the
same event twice changes nothing the second time. A permanent bounce or a complaint also puts the address on the
suppression list (crm.data.suppression), which outlives the lead: it is listed even when the lead is gone.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import parseaddr

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite
from ulid import ULID

from crm.clock import from_iso, to_iso
from crm.data.email_messages import SentEmailItem, get_sent_email
from crm.data.leads import LeadItem, TimelineEventItem, get_lead, lead_pk, timeline
from crm.data.people import get_user
from crm.data.suppression import suppress
from crm.data.tasks import TaskItem, new_task
from crm.data.transactions import condition_failed, write_transaction
from crm.domain.nurture import should_promote
from crm.integrations.workflows import stop_lead_lifecycle
from crm.observability import logger
from crm.services.first_task import SlaCall, sla_call
from crm.services.notify import email_user, lead_context, lead_url, local_time, sms_user
from crm.services.qualification import (
    apply_qualification,
    qualification_actions,
    qualification_changed,
    qualify_lead,
    scored_event_data,
)
from crm.services.sla import first_contact_deadline
from crm.settings import get_settings

PROMOTED_TASK_TITLE = "Call engaged lead"
_EVENT_TYPES = {"Delivery": "email_delivered", "Open": "email_opened", "Click": "email_clicked",
                "Bounce": "email_bounced", "Complaint": "email_complained", "Reject": "email_rejected",
                "DeliveryDelay": "email_delayed"}


def _event_time(ses_event: dict, kind: str) -> str:
    detail = ses_event.get(kind[0].lower() + kind[1:]) or {}
    return str(detail.get("timestamp") or ses_event["mail"]["timestamp"])


def _event_key(ses_event: dict, kind: str, at: datetime) -> str:
    """A ULID from the event's own time and a hash of the event: the same event always gets the same key."""
    digest = hashlib.sha256(repr((ses_event["mail"]["messageId"], kind, _event_time(ses_event, kind),
                                  (ses_event.get("click") or {}).get("link"))).encode()).digest()
    return TimelineEventItem.sort_key(str(ULID.from_bytes(int(at.timestamp() * 1000).to_bytes(6, "big") +
                                                          digest[:10])))


def _details(ses_event: dict, kind: str, sent: SentEmailItem) -> dict:
    data: dict = {"message_id": sent.PK.removeprefix("SES#"), "template": sent.template, "subject": sent.subject}
    if kind == "Click":
        data["link"] = ses_event["click"].get("link")
    elif kind == "Bounce":
        bounce = ses_event["bounce"]
        data.update(bounce_type=bounce.get("bounceType"), bounce_subtype=bounce.get("bounceSubType"))
    elif kind == "Complaint":
        data["feedback_type"] = ses_event["complaint"].get("complaintFeedbackType")
    return data


def record_email_event(ses_event: dict, now: datetime) -> dict:
    """Store the event on the lead; opens and clicks feed the score and may promote, bounces suppress."""
    kind = ses_event.get("eventType") or ses_event.get("notificationType") or ""
    sent = get_sent_email(ses_event["mail"]["messageId"])
    if sent is not None or "record" in (ses_event["mail"].get("tags") or {}):  # to a lead or a contact
        _list_suppressed(ses_event, kind)
    if kind not in _EVENT_TYPES or sent is None:
        return {"recorded": False, "reason": "not an email to a lead" if sent is None else f"event {kind!r}"}
    lead = get_lead(sent.lead_id)
    if lead is None or lead.erased_at:
        return {"recorded": False, "reason": "lead deleted"}
    at = from_iso(_event_time(ses_event, kind))
    event = TimelineEventItem(lead_pk(lead.lead_id), _event_key(ses_event, kind, at), event_type=_EVENT_TYPES[kind],
                              at=to_iso(at), data=_details(ses_event, kind, sent))
    actions, sent_actions = _engagement(lead, sent, kind, ses_event, event.at)
    events = [event]
    promote = (kind in {"Open", "Click"} and lead.cycle == "nurturable" and not lead.promoted_at
               and should_promote(int(lead.opens), int(lead.clicks), get_settings().engagement_threshold))
    call = _promotion(lead, events, actions, now) if promote else None
    rescored = qualify_lead(lead)  # after promotion: a promoted lead scores as an expected buyer
    if qualification_changed(lead, rescored):
        actions += qualification_actions(rescored)
        events.append(TimelineEventItem.build(lead_pk(lead.lead_id), "scored", event.at, scored_event_data(rescored)))
        apply_qualification(lead, rescored)

    def writes(transaction: TransactWrite) -> None:
        transaction.save(event, condition=TimelineEventItem.SK.does_not_exist())
        for other in events[1:]:
            transaction.save(other)
        if actions:
            transaction.update(lead, actions=actions, add_version_condition=False)
        if sent_actions:
            transaction.update(sent, actions=sent_actions, add_version_condition=False)
        if call is not None:
            call.write(transaction, with_event=False)  # the promotion event names the task

    try:
        write_transaction(writes)
    except TransactWriteError as error:
        if condition_failed(error):
            return {"recorded": False, "reason": "already recorded"}
        raise
    if call is not None:
        _after_promotion(lead, call.task, now)
    return {"recorded": True, "lead_id": lead.lead_id, "event": event.event_type, "promoted": promote}


def _list_suppressed(ses_event: dict, kind: str) -> None:
    """A permanent bounce or a complaint puts the addresses it names on the suppression list."""
    if kind == "Bounce" and ses_event["bounce"].get("bounceType") == "Permanent":
        why, recipients = "bounce", ses_event["bounce"].get("bouncedRecipients")
    elif kind == "Complaint":
        why, recipients = "complaint", ses_event["complaint"].get("complainedRecipients")
    else:
        return
    named = [recipient["emailAddress"] for recipient in recipients or [] if recipient.get("emailAddress")]
    at = to_iso(from_iso(_event_time(ses_event, kind)))
    for address in named or ses_event["mail"].get("destination", []):
        suppress(parseaddr(address)[1] or address, why, at)


def _engagement(lead: LeadItem, sent: SentEmailItem, kind: str, ses_event: dict,
                at: str) -> tuple[list[Action], list[Action]]:
    """Counters on the lead (opened emails, clicks) and on the sent email; an open ends the silence count."""
    actions: list[Action] = []
    sent_actions: list[Action] = []
    first_open = kind in {"Open", "Click"} and not sent.opened_at
    if first_open:  # a click without a recorded open (images off) still means the email was opened
        lead.opens = int(lead.opens) + 1
        actions.append(LeadItem.opens.set(lead.opens))
        sent_actions.append(SentEmailItem.opened_at.set(at))
    if kind == "Click":
        lead.clicks = int(lead.clicks) + 1
        actions.append(LeadItem.clicks.set(lead.clicks))
        sent_actions.append(SentEmailItem.clicks.add(1))
    if kind in {"Open", "Click"} and lead.nurture is not None:  # the silence is over: count again from zero
        actions += [LeadItem.nurture.unopened.set(0), LeadItem.nurture.big_bang_at.remove()]
    permanent_bounce = kind == "Bounce" and ses_event["bounce"].get("bounceType") == "Permanent"
    if (permanent_bounce or kind == "Complaint") and not lead.email_suppressed:
        lead.email_suppressed = "bounce" if permanent_bounce else "complaint"
        actions.append(LeadItem.email_suppressed.set(lead.email_suppressed))
    return actions, sent_actions


def _promotion(lead: LeadItem, events: list[TimelineEventItem], actions: list[Action], now: datetime) -> SlaCall:
    """Engaged enough: an expected buyer now, with a call task for the rep due like a new lead's first contact. Not
    contacted yet, that task is the lead's SLA call (in place of a warm lead's follow-up task)."""
    at = to_iso(now)
    if lead.first_contact_at:
        call = SlaCall(new_task(title=PROMOTED_TASK_TITLE, owner_id=lead.owner_id, due_at=first_contact_deadline(now),
                                related_type="lead", related_id=lead.lead_id, created_at=at), [], None)
    else:
        call = sla_call(lead, now, PROMOTED_TASK_TITLE)
        actions += call.actions
    lead.promoted_at = at
    actions.append(LeadItem.promoted_at.set(at))
    if lead.nurture is not None:
        actions += [LeadItem.nurture.ended.set("promoted"), LeadItem.nurture.ended_at.set(at)]
    events.append(TimelineEventItem.build(lead_pk(lead.lead_id), "promoted", at, {
        "from": "nurturable", "to": "expected_buyer", "opens": int(lead.opens), "clicks": int(lead.clicks),
        "task_id": call.task.task_id, "due_at": call.task.due_at}))
    return call


def _after_promotion(lead: LeadItem, task: TaskItem, now: datetime) -> None:
    """Tell the rep what the lead opened and clicked, and stop the nurture workflow."""
    stop_lead_lifecycle(lead.lead_id, "promoted to expected buyer", lead.lifecycle_execution)
    rep = get_user(lead.owner_id)
    if rep is None:
        logger.error("promoted lead has no owner to tell", extra={"lead_id": lead.lead_id})
        return
    history = timeline(lead_pk(lead.lead_id), limit=200)
    opened = list(dict.fromkeys(event.data.get("subject") for event in history
                                if event.event_type == "email_opened" and event.data.get("subject")))
    clicked = list(dict.fromkeys(event.data.get("link") for event in history
                                 if event.event_type == "email_clicked" and event.data.get("link")))
    context = {"rep": {"name": rep.name}, "lead": lead_context(lead), "opened": opened, "clicked": clicked,
               "due_at_display": local_time(task.due_at, rep.timezone),
               "lead_url": lead_url(lead.lead_id)}
    email_user(rep, "lead_engaged_for_rep", context)
    sms_user(rep, "lead_engaged_for_rep", context)
    logger.info("nurtured lead promoted", extra={"lead_id": lead.lead_id, "opens": lead.opens, "clicks": lead.clicks})
