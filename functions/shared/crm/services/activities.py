"""Logging activities on a lead; the first call or email stops the speed-to-lead clock (L4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.transactions import TransactWrite
from ulid import ULID

from crm.clock import from_iso, to_iso
from crm.data.leads import LeadItem, TimelineEventItem, get_lead, lead_pk
from crm.data.tasks import TaskItem
from crm.data.transactions import write_transaction
from crm.domain.follow_up import follow_up
from crm.domain.sla import seconds_between
from crm.models.activities import ActivityInput
from crm.services.qualification import (
    qualification_actions,
    qualification_changed,
    qualify_lead,
    scored_event_data,
)
from crm.settings import get_settings


class LeadNotFoundError(LookupError):
    pass


@dataclass(frozen=True)
class ActivityResult:
    activity_id: str
    first_contact: bool
    seconds_to_first_contact: int | None
    within_sla: bool | None
    status: str
    status_changed: bool
    attempts_without_response: int


def log_activity(lead_id: str, activity: ActivityInput, now: datetime) -> ActivityResult:
    """Record the activity; update first contact (L4), status and attempts (L8) and the score (L5) with it."""
    lead = get_lead(lead_id)
    if lead is None:
        raise LeadNotFoundError(lead_id)
    happened = activity.happened_at(now)
    at = to_iso(happened)
    activity_id = str(ULID.from_datetime(happened))
    pk = lead_pk(lead_id)
    events = [TimelineEventItem(pk, TimelineEventItem.sort_key(activity_id), event_type="activity", at=at,
                                data=activity.model_dump(mode="json", exclude_none=True, exclude={"at"}))]
    step = follow_up(lead.status, int(lead.attempts_without_response), activity.type, activity.direction,
                     activity.outcome, get_settings().max_contact_attempts)
    actions = [LeadItem.status.set(step.status), LeadItem.attempts_without_response.set(step.attempts_without_response)]
    if step.status != lead.status:
        events.append(TimelineEventItem.build(pk, "status_changed", at, {"from": lead.status, "to": step.status,
                                                        "attempts_without_response": step.attempts_without_response}))
    if activity.outcome == "answered" or (activity.type == "call" and activity.direction == "inbound"):
        lead.answered_calls = int(lead.answered_calls) + 1
        actions.append(LeadItem.answered_calls.set(lead.answered_calls))
    if activity.outcome == "replied" or (activity.type == "email" and activity.direction == "inbound"):
        lead.replies = int(lead.replies) + 1
        actions.append(LeadItem.replies.set(lead.replies))
    previous_status, lead.status = lead.status, step.status
    lead.attempts_without_response = step.attempts_without_response
    rescored = qualify_lead(lead)
    if qualification_changed(lead, rescored):
        actions += qualification_actions(rescored)
        events.append(TimelineEventItem.build(pk, "scored", at, scored_event_data(rescored)))

    first_contact = activity.is_contact and lead.first_contact_at is None
    seconds = seconds_between(from_iso(lead.created_at), happened) if first_contact else None
    task = TaskItem.get(*TaskItem.key(lead.call_task_id)) if first_contact else None
    if first_contact:
        actions += [LeadItem.first_contact_at.set(at), LeadItem.seconds_to_first_contact.set(seconds)]

    def writes(transaction: TransactWrite) -> None:
        for event in events:
            transaction.save(event)
        # the status read above must still hold: two follow-ups at once cannot both count from the same state
        condition = (LeadItem.status == previous_status) & (
            LeadItem.first_contact_at.does_not_exist() if first_contact else LeadItem.PK.exists())
        transaction.update(lead, actions=actions, condition=condition, add_version_condition=False)
        if task is not None and task.status == "open":
            transaction.update(task, actions=[TaskItem.status.set("done"), TaskItem.completed_at.set(at),
                                              TaskItem.GSI1PK.remove(), TaskItem.GSI1SK.remove()],
                               condition=TaskItem.status == "open", add_version_condition=False)

    write_transaction(writes)
    within = happened <= from_iso(lead.first_contact_due_at) if first_contact else None
    return ActivityResult(activity_id, first_contact, seconds, within, step.status, step.status != previous_status,
                          step.attempts_without_response)
