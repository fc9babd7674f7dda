"""The steps of the lead lifecycle workflow (L3, L4): each re-reads the lead, so waking up is always current."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from crm.clock import compressed_wake_time, from_iso, to_iso
from crm.data import search
from crm.data.leads import LIFECYCLE_PENDING, LeadItem, TimelineEventItem, get_lead, lead_pk
from crm.data.people import get_user
from crm.data.tasks import TaskItem, call_task
from crm.data.transactions import condition_failed, write_transaction
from crm.domain.assignment import Assignment, LeadFacts, NoActiveRepError
from crm.integrations.workflows import start_lead_lifecycle
from crm.observability import logger
from crm.services.first_task import needs_sla_call, on_sla, sla_call
from crm.services.notify import email_managers, email_user, lead_context, lead_url, local_time, sms_user
from crm.services.routing import assign_lead
from crm.services.sla import first_contact_deadline
from crm.settings import get_settings


class LeadGoneError(LookupError):
    """The workflow's lead no longer exists: a failure a person must look at."""


def _lead(lead_id: str) -> LeadItem:
    lead = get_lead(lead_id)
    if lead is None:
        raise LeadGoneError(f"lead {lead_id} does not exist")
    return lead


def _event(lead_id: str, event_type: str, now: datetime, data: dict) -> TimelineEventItem:
    return TimelineEventItem.build(lead_pk(lead_id), event_type, to_iso(now), data)


def notify_assignee(lead_id: str, now: datetime) -> dict:
    """Email (and for expected buyers an SMS, if they have a phone) to the lead's owner; the first time, mark the
    workflow as running."""
    lead = _lead(lead_id)
    rep = get_user(lead.owner_id)
    if rep is None:
        raise LookupError(f"the lead's owner {lead.owner_id} is not a user")
    sla = on_sla(lead) and lead.first_contact_due_at  # only the personal route has a first-contact deadline (L4)
    context = {
        "rep": {"name": rep.name},
        "lead": lead_context(lead),
        "lead_url": lead_url(lead_id),
        "due_at_display": local_time(lead.first_contact_due_at, rep.timezone) if sla else None,
        "sla_minutes": get_settings().sla_minutes if sla else None,  # no "call within 20 minutes" for the rest
    }
    channels = {"email": email_user(rep, "new_lead_for_rep", context)}
    # an SMS interrupts: for expected buyers, whose first call is due within the SLA; the rest wait in the inbox
    sms_id = sms_user(rep, "new_lead_for_rep", context) if sla else None
    if sms_id:
        channels["sms"] = sms_id
    actions = LeadItem.leave_pending_queue() if lead.GSI2PK == LIFECYCLE_PENDING else []
    def writes(transaction: TransactWrite) -> None:
        if actions:  # bookkeeping only: never conflicts with a person's edit
            transaction.update(lead, actions=actions, add_version_condition=False)
        transaction.save(_event(lead_id, "rep_notified", now, {"owner_id": rep.user_id,
                                                                "channels": sorted(channels)}))

    write_transaction(writes)
    return {"owner_id": rep.user_id, "channels": sorted(channels)}


def plan_first_contact_check(lead_id: str, now: datetime) -> dict:
    """When the workflow wakes: the deadline itself on AWS, sooner when the local clock runs fast. A lead on this
    route without a deadline (no expected buyer when it arrived, its automation restarted since) gets its SLA call
    now."""
    lead = _lead(lead_id)
    if needs_sla_call(lead):
        _give_sla_call(lead, now)
    due = from_iso(lead.first_contact_due_at)
    wake = compressed_wake_time(now, due, get_settings().clock_speedup)
    return {"due_at": lead.first_contact_due_at, "wake_at": to_iso(wake)}


def _give_sla_call(lead: LeadItem, now: datetime) -> None:
    """Once: a retried step finds the deadline set by the first (re-read, as another writer may have set it)."""
    call = sla_call(lead, now)

    def writes(transaction: TransactWrite) -> None:
        transaction.update(lead, actions=call.actions, add_version_condition=False,
                           condition=LeadItem.first_contact_due_at.does_not_exist())
        call.write(transaction)

    try:
        write_transaction(writes)
    except TransactWriteError as error:
        if not condition_failed(error):
            raise
        lead.refresh(consistent_read=True)


def review_first_contact(lead_id: str, now: datetime) -> dict:
    """At the deadline: contacted, escalate, or (escalations used up) unreached, and the managers are told.

    `unreached` is a status (what happened), not a temperature: a hot lead nobody called stays hot."""
    lead = _lead(lead_id)
    if lead.first_contact_at:
        return {"outcome": "contacted", "seconds_to_first_contact": lead.seconds_to_first_contact}
    if lead.escalations < get_settings().max_escalations:
        return {"outcome": "escalate"}
    tried = [lead.owner_id, *lead.previous_owner_ids]
    names = [user.name for user in (get_user(user_id) for user_id in tried) if user]
    def writes(transaction: TransactWrite) -> None:
        transaction.update(lead, actions=[LeadItem.status.set("unreached")], add_version_condition=False,
                           condition=LeadItem.first_contact_at.does_not_exist())
        transaction.save(_event(lead_id, "went_cold", now, {"reason": "no first contact", "reps_tried": tried}))

    write_transaction(writes)
    email_managers("lead_went_cold_for_manager",
                   {"lead": lead_context(lead), "reps_tried": names, "lead_url": lead_url(lead_id)})
    logger.warning("lead never reached: no first contact", extra={"lead_id": lead_id})
    return {"outcome": "unreached"}


def escalate_missed_contact(lead_id: str, now: datetime) -> dict:
    """Tell the managers, then hand the lead to the next rep with a fresh deadline and call task: chosen by the
    routing that assigned it (its rule's other reps first), round robin once the rules have nobody left, a manager
    once every rep was tried; with nobody left at all the lead stays with its owner."""
    lead = _lead(lead_id)
    previous_owner = lead.owner_id
    tried = frozenset([previous_owner, *lead.previous_owner_ids])
    facts = LeadFacts(country=lead.country, source=lead.first_touch.source, company_size=lead.company_size,
                      language=lead.language)
    try:
        assignment = assign_lead(facts, exclude=tried,
                                 first_rule_id=Assignment(previous_owner, lead.assignment_reason).rule_id)
    except NoActiveRepError:
        assignment = Assignment(previous_owner, lead.assignment_reason)
    new_owner = assignment.rep_id
    due_at = first_contact_deadline(now)
    old_task = TaskItem.get(*TaskItem.key(lead.call_task_id))
    task = call_task(lead_id, new_owner, due_at, to_iso(now))
    escalation = int(lead.escalations) + 1
    def writes(transaction: TransactWrite) -> None:
        transaction.update(lead, actions=[
            LeadItem.owner_id.set(new_owner),
            LeadItem.GSI1PK.set(LeadItem.owner_keys(new_owner, lead.created_at)["GSI1PK"]),
            LeadItem.escalations.set(escalation),
            LeadItem.previous_owner_ids.set([*lead.previous_owner_ids, previous_owner]),
            LeadItem.first_contact_due_at.set(due_at),
            LeadItem.call_task_id.set(task.task_id),
            LeadItem.assignment_reason.set(assignment.reason),
        ], condition=LeadItem.first_contact_at.does_not_exist(), add_version_condition=False)
        if old_task.status == "open":
            transaction.update(old_task, actions=[TaskItem.status.set("missed"), TaskItem.GSI1PK.remove(),
                                                  TaskItem.GSI1SK.remove()],
                               condition=TaskItem.status == "open", add_version_condition=False)
        transaction.save(task)
        if not lead.erased_at:
            # the new owner finds it, the old one no longer
            search.hand_over(transaction, lambda scopes: search.of_lead(lead, scopes), previous_owner, new_owner)
        transaction.save(_event(lead_id, "escalated", now, {
            "escalation": escalation, "previous_owner_id": previous_owner, "owner_id": new_owner,
            "reason": assignment.reason,
            "missed_due_at": lead.first_contact_due_at, "due_at": due_at, "task_id": task.task_id}))

    write_transaction(writes)
    previous, new = get_user(previous_owner), get_user(new_owner)
    email_managers("missed_first_contact_for_manager", {
        "lead": lead_context(lead),
        "previous_rep": {"name": previous.name if previous else previous_owner},
        "new_rep": {"name": new.name} if new and new_owner != previous_owner else None,
        "due_at_display": local_time(lead.first_contact_due_at, "UTC"),
        "received_at_display": local_time(lead.created_at, "UTC"),
        "escalation_number": escalation,
        "lead_url": lead_url(lead_id),
    })
    logger.warning("first contact missed; escalated", extra={"lead_id": lead_id, "escalation": escalation,
                                                             "owner_id": new_owner})
    return {"escalation": escalation, "owner_id": new_owner, "due_at": due_at}


def report_workflow_failure(state: dict, now: datetime) -> dict:
    """The catch-all of the workflow: the managers hear about it and the lead's timeline shows it."""
    lead_id = state.get("lead_id")
    error = state.get("error") or {}
    lead = get_lead(lead_id) if lead_id else None
    step = str(error.get("Error", "unknown"))
    cause = str(error.get("Cause", ""))[:2000]
    if lead:
        def writes(transaction: TransactWrite) -> None:
            if lead.GSI2PK == LIFECYCLE_PENDING:  # reported to a person: the reconciler must not restart it
                transaction.update(lead, actions=LeadItem.leave_pending_queue(),
                                   add_version_condition=False)
            transaction.save(_event(lead.lead_id, "workflow_failed", now, {"error": step, "cause": cause}))

        write_transaction(writes)
    told = email_managers("workflow_failed_for_manager", {
        "lead": {"id": lead.lead_id, "name": lead.name} if lead else None,
        "step": "lead lifecycle",
        "error": step,
        "cause": cause,
        "lead_url": lead_url(lead.lead_id) if lead else None,
    })
    logger.error("lead workflow failed", extra={"lead_id": lead_id, "error": step, "cause": cause})
    return {"told": told}


def start_pending_lifecycles(now: datetime, older_than_seconds: int = 120, limit: int = 100) -> dict:
    """Leads whose workflow start was lost (a crash between write and start) get it started now.

    Once the start went through (or the execution already existed), the lead leaves the pending queue:
    from then on its workflow is responsible for it.
    """
    cutoff = to_iso(now - timedelta(seconds=older_than_seconds))
    started = []
    for lead in LeadItem.state_index.query(LIFECYCLE_PENDING, cutoff > LeadItem.GSI2SK, limit=limit):
        start_lead_lifecycle(lead.lead_id)
        lead.update(actions=LeadItem.leave_pending_queue(), add_version_condition=False,
                    condition=LeadItem.GSI2PK == LIFECYCLE_PENDING)
        started.append(lead.lead_id)
    if started:
        logger.warning("started workflows left pending", extra={"lead_ids": started})
    return {"started": started}
