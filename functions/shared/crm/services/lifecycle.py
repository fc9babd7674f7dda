"""The steps of the lead lifecycle workflow (L3, L4): each re-reads the lead, so waking up is always current."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from crm.clock import compressed_wake_time, from_iso, to_iso
from crm.data import search
from crm.data.leads import LIFECYCLE_PENDING, LeadItem, TimelineEventItem, get_lead, lead_pk
from crm.data.people import get_user
from crm.data.tasks import TaskItem, call_task
from crm.data.transactions import condition_failed, write_transaction
from crm.domain.assignment import Assignment, LeadFacts, NoActiveRepError
from crm.domain.automation import stop_reason
from crm.integrations.workflows import describe_lifecycle_run, lifecycle_execution_arn, run_of, start_lead_lifecycle
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


LEAD_LIFECYCLE = "lead lifecycle"  # the workflow a failure report is about unless it names another (a status message)
# the errors a task raises when a dependency is down (crm.retryable, Lambda, a task timeout): worth another run
OUTAGE_ERRORS = frozenset({"TransientError", "States.Timeout", "Lambda.ServiceException", "Lambda.AWSLambdaException",
                           "Lambda.SdkClientException", "Lambda.TooManyRequestsException"})


def resume_point(state: dict) -> str | None:
    """Where a run's lead stood when it failed, from the state it reached: in its nurture sequence, past the rep's
    notice (the route is chosen again), or None: from the start (an escalated lead's new rep is told again)."""
    if state.get("resume") == "nurture" or "nurture" in state or (state.get("route") or {}).get("route") == "nurture":
        return "nurture"
    if state.get("resume") == "route" or ("notified" in state and "escalation" not in state):
        return "route"
    return None


def report_workflow_failure(state: dict, now: datetime) -> dict:
    """The catch-all of a workflow: the lead's timeline shows it. A lifecycle step that failed for an outage queues
    the lead for the reconciler, which resumes it from where it stood (the managers hear of it if that gives up);
    any other failure the managers get by email, for a person to look at. `workflow` names another workflow (a
    status message)."""
    lead_id = state.get("lead_id")
    error = state.get("error") or {}
    lead = get_lead(lead_id) if lead_id else None
    workflow = str(state.get("workflow", LEAD_LIFECYCLE))
    step = str(error.get("Error", "unknown"))
    cause = str(error.get("Cause", ""))[:2000]
    resumed = step in OUTAGE_ERRORS and lead is not None and workflow == LEAD_LIFECYCLE
    if lead:
        def writes(transaction: TransactWrite) -> None:
            if resumed:
                transaction.update(lead, actions=LeadItem.back_in_pending_queue(to_iso(now), resume_point(state)),
                                   add_version_condition=False)
            elif lead.GSI2PK == LIFECYCLE_PENDING:  # reported to a person: the reconciler must not restart it
                transaction.update(lead, actions=LeadItem.leave_pending_queue(),
                                   add_version_condition=False)
            transaction.save(_event(lead.lead_id, "workflow_failed", now,
                                    {"error": step, "cause": cause, "will_resume": resumed}))

        write_transaction(writes)
    told = [] if resumed else email_managers("workflow_failed_for_manager", {  # resumed: told only if it gives up
        "lead": {"id": lead.lead_id, "name": lead.name} if lead else None,
        "step": workflow,
        "error": step,
        "cause": cause,
        "lead_url": lead_url(lead.lead_id) if lead else None,
    })
    logger.error("lead workflow failed", extra={"lead_id": lead_id, "error": step, "cause": cause,
                                                "will_resume": resumed})
    return {"told": told, "will_resume": resumed}


# a run this old is past its first step's retries and its failure report's: from now on it carries its lead
SETTLED_AFTER = timedelta(hours=1)
# how many runs the reconciler starts again for one lead before it gives up and tells the managers
MAX_RESUMES = 3


def start_pending_lifecycles(now: datetime, older_than_seconds: int = 120, limit: int = 100) -> dict:
    """Leads whose workflow never started (a crash between write and start) or ended unfinished get a run.

    A lead stays queued until a run is known to carry it: NotifyAssignee takes it out once the rep is told, and
    a run that succeeded, was stopped by the CRM or has been running for SETTLED_AFTER takes it out here. A run
    that failed, timed out or was aborted otherwise is resumed from where its lead stood (`lifecycle_resume`) in a
    new execution lead-<id>-r<n>, at most MAX_RESUMES times; then the managers are told (`gave_up`). Both delays
    shrink with the local clock's speed-up (1 on AWS).
    """
    speedup = get_settings().clock_speedup
    cutoff = to_iso(now - timedelta(seconds=older_than_seconds / speedup))
    outcome: dict[str, list[str]] = {"started": [], "resumed": [], "running": [], "settled": [], "gave_up": []}
    for lead in LeadItem.state_index.query(LIFECYCLE_PENDING, cutoff > LeadItem.GSI2SK, limit=limit):
        outcome[_reconcile(lead, now, SETTLED_AFTER / speedup)].append(lead.lead_id)
    if outcome["started"] or outcome["resumed"] or outcome["gave_up"]:
        logger.warning("lifecycle reconciled", extra=outcome)
    return outcome


def _reconcile(lead: LeadItem, now: datetime, settled_after: timedelta) -> str:
    """What became of one queued lead: started, resumed, running, settled or gave_up."""
    run = describe_lifecycle_run(lead.lead_id, lead.lifecycle_execution)
    if run is None:  # recorded, but its start never went through
        start_lead_lifecycle(lead.lead_id, run_of(lead.lead_id, lead.lifecycle_execution), lead.lifecycle_resume)
        _if_still_queued(lead, [LeadItem.GSI2SK.set(to_iso(now))])
        return "started"
    if run.status == "RUNNING":
        if now - run.started_at < settled_after:  # looked at again after the others queued
            _if_still_queued(lead, [LeadItem.GSI2SK.set(to_iso(now))])
            return "running"
    elif run.status in ("FAILED", "TIMED_OUT", "ABORTED") and run.error != "LeadAutomationStopped" \
            and not stop_reason(lead.automation_facts()):
        return _resume(lead, now)
    _if_still_queued(lead, [*LeadItem.leave_pending_queue(), LeadItem.lifecycle_resume.remove()])
    return "settled"


def _resume(lead: LeadItem, now: datetime) -> str:
    """A new run from where the lead stood: recorded on the lead before it starts, so a start lost in an outage is
    started by the next pass and the limit counts every attempt."""
    number = int(lead.lifecycle_resumes) + 1
    if number > MAX_RESUMES:
        _give_up(lead, now)
        return "gave_up"
    arn = lifecycle_execution_arn(lead.lead_id, f"r{number}")
    if not _if_still_queued(lead, [LeadItem.lifecycle_execution.set(arn), LeadItem.lifecycle_resumes.set(number),
                                   LeadItem.GSI2SK.set(to_iso(now))]):
        return "settled"
    start_lead_lifecycle(lead.lead_id, f"r{number}", lead.lifecycle_resume)
    logger.warning("lead workflow resumed", extra={"lead_id": lead.lead_id, "execution": arn,
                                                   "resume": lead.lifecycle_resume})
    return "resumed"


def _if_still_queued(lead: LeadItem, actions: list[Action]) -> bool:
    """Update a queued lead; False if it left the queue meanwhile (its run told the rep, it was deleted ...)."""
    try:
        lead.update(actions=actions, add_version_condition=False, condition=LeadItem.GSI2PK == LIFECYCLE_PENDING)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def _give_up(lead: LeadItem, now: datetime) -> None:
    cause = f"the lead's workflow ended unfinished {MAX_RESUMES + 1} times; the reconciler no longer resumes it"

    def writes(transaction: TransactWrite) -> None:
        transaction.update(lead, actions=[*LeadItem.leave_pending_queue(), LeadItem.lifecycle_resume.remove()],
                           add_version_condition=False)
        transaction.save(_event(lead.lead_id, "workflow_failed", now,
                                {"error": "LeadLifecycleGaveUp", "cause": cause, "will_resume": False}))

    write_transaction(writes)
    email_managers("workflow_failed_for_manager", {
        "lead": {"id": lead.lead_id, "name": lead.name}, "step": LEAD_LIFECYCLE, "error": "LeadLifecycleGaveUp",
        "cause": cause, "lead_url": lead_url(lead.lead_id)})
    logger.error("lead workflow not resumed: too many unfinished runs", extra={"lead_id": lead.lead_id})
