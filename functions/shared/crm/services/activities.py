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
from crm.domain.sla import seconds_between
from crm.models.activities import ActivityInput


class LeadNotFoundError(LookupError):
    pass


@dataclass(frozen=True)
class ActivityResult:
    activity_id: str
    first_contact: bool
    seconds_to_first_contact: int | None
    within_sla: bool | None


def log_activity(lead_id: str, activity: ActivityInput, now: datetime) -> ActivityResult:
    lead = get_lead(lead_id)
    if lead is None:
        raise LeadNotFoundError(lead_id)
    happened = activity.happened_at(now)
    at = to_iso(happened)
    activity_id = str(ULID.from_datetime(happened))
    event = TimelineEventItem(lead_pk(lead_id), TimelineEventItem.sort_key(activity_id), event_type="activity",
                              at=at, data=activity.model_dump(mode="json", exclude_none=True, exclude={"at"}))
    first_contact = activity.is_contact and lead.first_contact_at is None
    seconds = seconds_between(from_iso(lead.created_at), happened) if first_contact else None
    def writes(transaction: TransactWrite) -> None:
        transaction.save(event)
        if first_contact:
            transaction.update(lead, actions=[
                LeadItem.first_contact_at.set(at),
                LeadItem.seconds_to_first_contact.set(seconds),
                LeadItem.status.set("contacted"),
            ], condition=LeadItem.first_contact_at.does_not_exist(), add_version_condition=False)
            task = TaskItem.get(*TaskItem.key(lead.call_task_id))
            if task.status == "open":
                transaction.update(task, actions=[TaskItem.status.set("done"), TaskItem.completed_at.set(at),
                                                  TaskItem.GSI1PK.remove(), TaskItem.GSI1SK.remove()],
                                   condition=TaskItem.status == "open", add_version_condition=False)

    write_transaction(writes)
    within = happened <= from_iso(lead.first_contact_due_at) if first_contact else None
    return ActivityResult(activity_id, first_contact, seconds, within)
