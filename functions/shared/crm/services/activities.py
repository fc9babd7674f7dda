"""Logging activities on a lead; the first call or email stops the speed-to-lead clock (L4)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aws_lambda_powertools.metrics import MetricUnit
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite
from ulid import ULID

from crm.clock import from_iso, to_iso
from crm.data.leads import LeadItem, LeadNotFoundError, TimelineEventItem, get_lead, lead_pk
from crm.data.tasks import TaskItem
from crm.data.transactions import condition_failed, write_transaction
from crm.domain.automation import stop_reason
from crm.domain.follow_up import FollowUp, follow_up
from crm.domain.sla import seconds_between
from crm.integrations.workflows import start_lead_lifecycle, stop_lead_lifecycle
from crm.models.activities import ActivityInput
from crm.observability import count, logger, metrics
from crm.services.qualification import (
    qualification_actions,
    qualification_changed,
    qualify_lead,
    scored_event_data,
)
from crm.services.status_messages import schedule_status_messages
from crm.settings import get_settings

# a follow-up re-counted from a lead another follow-up changed meanwhile: each round at least one of the follow-ups
# logged at one moment is written, so this holds a burst of that many (a rep's double clicks, an integration's batch)
_ATTEMPTS = 12


@dataclass(frozen=True)
class ActivityResult:
    activity_id: str
    first_contact: bool
    seconds_to_first_contact: int | None
    within_sla: bool | None
    status: str
    status_changed: bool
    attempts_without_response: int


@dataclass(frozen=True)
class FollowUpChanges:
    """What one call or email changes on the lead: its status and attempt count (L8) and its score (L5)."""

    actions: list[Action]
    events: list[TimelineEventItem]
    step: FollowUp
    previous_status: str

    @property
    def status_event(self) -> TimelineEventItem | None:
        return next((event for event in self.events if event.event_type == "status_changed"), None)


def follow_up_changes(lead: LeadItem, activity_type: str, direction: str, outcome: str | None,
                      at: str) -> FollowUpChanges:
    """Applied to `lead` in memory too, so the caller sees the new status; written by the caller's transaction."""
    pk = lead_pk(lead.lead_id)
    step = follow_up(lead.status, int(lead.attempts_without_response), activity_type, direction, outcome,
                     get_settings().max_contact_attempts)
    actions = [LeadItem.status.set(step.status), LeadItem.attempts_without_response.set(step.attempts_without_response)]
    events = []
    if step.status != lead.status:
        events.append(TimelineEventItem.build(pk, "status_changed", at, {
            "from": lead.status, "to": step.status, "attempts_without_response": step.attempts_without_response}))
    if outcome == "answered" or (activity_type == "call" and direction == "inbound"):
        lead.answered_calls = int(lead.answered_calls) + 1
        actions.append(LeadItem.answered_calls.set(lead.answered_calls))
    if outcome == "replied" or (activity_type == "email" and direction == "inbound"):
        lead.replies = int(lead.replies) + 1
        actions.append(LeadItem.replies.set(lead.replies))
    previous_status, lead.status = lead.status, step.status
    lead.attempts_without_response = step.attempts_without_response
    rescored = qualify_lead(lead)
    if qualification_changed(lead, rescored):
        actions += qualification_actions(rescored)
        events.append(TimelineEventItem.build(pk, "scored", at, scored_event_data(rescored)))
    return FollowUpChanges(actions, events, step, previous_status)


def counted_from(lead: LeadItem) -> Condition:
    """The lead's status and counters as read. Written under this condition, two follow-ups at once cannot both
    count from the same state (five parallel unanswered calls counted 3): the later one is read again and counted
    from what the first wrote, so each is counted once and the status it decides follows from the new count."""
    condition = LeadItem.status == lead.status
    for attribute, value in ((LeadItem.attempts_without_response, lead.attempts_without_response),
                             (LeadItem.answered_calls, lead.answered_calls), (LeadItem.replies, lead.replies)):
        same = attribute == int(value)
        condition &= (same | attribute.does_not_exist()) if int(value) == 0 else same  # 0: the default, maybe unset
    return condition


def after_follow_up(lead: LeadItem, changes: FollowUpChanges, previous_cycle: str | None, now: datetime) -> None:
    """Once a person's call or email is written: the new status's messages (L11); not interested stops automation
    (L8); a no-prospect lead that engages gets automation again (L5). Automation's own emails never come here: a
    status message tells the lead that a person tried to reach them."""
    status_event = changes.status_event
    if status_event is not None:
        schedule_status_messages(lead.lead_id, changes.step.status, status_event.SK.removeprefix("EVENT#"), now)
    if changes.step.status == "not_interested":
        stop_lead_lifecycle(lead.lead_id, "not interested", lead.lifecycle_execution)
    elif previous_cycle == "no_prospect" and lead.cycle != "no_prospect" and not automation_stopped(lead):
        arn = start_lead_lifecycle(lead.lead_id, run=str(ULID.from_datetime(now)))
        lead.update(actions=[LeadItem.lifecycle_execution.set(arn)], add_version_condition=False)
        logger.info("lead engaged again: automation restarted", extra={"lead_id": lead.lead_id, "cycle": lead.cycle})


def automation_stopped(lead: LeadItem) -> str | None:
    return stop_reason(lead.automation_facts())


@dataclass(frozen=True)
class Recorded:
    """How an activity made elsewhere shows on the timeline, and what else its transaction writes: a template
    email is its "email_sent" event (message id, template, subject) and the SentEmailItem SES events find."""

    event_type: str
    data: dict
    write_also: Callable[[TransactWrite], None]


def log_activity(lead_id: str, activity: ActivityInput, now: datetime,
                 recorded: Recorded | None = None) -> ActivityResult:
    """Record the activity; update first contact (L4), status and attempts (L8) and the score (L5) with it.

    Counted from the lead as read (counted_from): when another follow-up changed the lead meanwhile, it is read
    again and the activity counted from there.
    """
    attempts = 0
    while True:
        try:
            return _log_activity(lead_id, activity, now, recorded)
        except TransactWriteError as error:
            attempts += 1
            if attempts == _ATTEMPTS or not condition_failed(error):
                raise


def _log_activity(lead_id: str, activity: ActivityInput, now: datetime, recorded: Recorded | None) -> ActivityResult:
    lead = get_lead(lead_id)
    if lead is None or lead.erased_at:  # an erased lead is a tombstone: nothing more is written about the person
        raise LeadNotFoundError(f"lead {lead_id} not found")
    happened = activity.happened_at(now)
    at = to_iso(happened)
    activity_id = str(ULID.from_datetime(happened))
    pk = lead_pk(lead_id)
    event_type, data = ("activity", activity.model_dump(mode="json", exclude_none=True, exclude={"at"})) \
        if recorded is None else (recorded.event_type, recorded.data)
    events = [TimelineEventItem(pk, TimelineEventItem.sort_key(activity_id), event_type=event_type, at=at, data=data)]
    previous_cycle = lead.cycle
    unchanged = counted_from(lead)
    changes = follow_up_changes(lead, activity.type, activity.direction, activity.outcome, at)
    events += changes.events
    actions = changes.actions
    step, previous_status = changes.step, changes.previous_status

    first_contact = activity.is_contact and lead.first_contact_at is None
    seconds = seconds_between(from_iso(lead.created_at), happened) if first_contact else None
    task = TaskItem.get(*TaskItem.key(lead.call_task_id)) if first_contact and lead.call_task_id else None
    if first_contact:
        actions += [LeadItem.first_contact_at.set(at), LeadItem.seconds_to_first_contact.set(seconds)]

    def writes(transaction: TransactWrite) -> None:
        for event in events:
            transaction.save(event)
        condition = unchanged & (
            LeadItem.first_contact_at.does_not_exist() if first_contact else LeadItem.PK.exists())
        transaction.update(lead, actions=actions, condition=condition, add_version_condition=False)
        if task is not None and task.status == "open":
            transaction.update(task, actions=[TaskItem.status.set("done"), TaskItem.completed_at.set(at),
                                              TaskItem.GSI1PK.remove(), TaskItem.GSI1SK.remove()],
                               condition=TaskItem.status == "open", add_version_condition=False)
        if recorded is not None:
            recorded.write_also(transaction)

    write_transaction(writes)
    after_follow_up(lead, changes, previous_cycle, happened)
    # the SLA is kept or missed by expected buyers only: the others have no deadline
    within = happened <= from_iso(lead.first_contact_due_at) if first_contact and lead.first_contact_due_at else None
    result = ActivityResult(activity_id, first_contact, seconds, within, step.status,
                            step.status != previous_status, step.attempts_without_response)
    _report(lead_id, result)
    return result


def _report(lead_id: str, result: ActivityResult) -> None:
    """Speed to lead (L4) and the leads given up on (L8), whichever way the activity was logged."""
    if result.first_contact:
        metrics.add_metric(name="TimeToFirstContact", unit=MetricUnit.Seconds, value=result.seconds_to_first_contact)
        if result.within_sla is not None:
            count("FirstContactWithinSla" if result.within_sla else "FirstContactLate")
        logger.info("first contact", extra={"lead_id": lead_id, "seconds": result.seconds_to_first_contact})
    if result.status_changed and result.status == "not_interested":
        count("LeadNotInterested")
