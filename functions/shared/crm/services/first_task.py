"""The rep's first task on a lead follows what the lead is (L4, L6): an expected buyer is called within the SLA,
a warm lead is followed up within the rep's next business day, and a cold one gets no task (the nurture sequence
has its own call step, and a lead with no prospect has nothing to call about). `call_task_id` is the task a first
contact completes; `first_contact_due_at` is the SLA deadline, so only expected buyers have one.

A lead that becomes an expected buyer later (a returning visit, engagement, automation restarted) and nobody has
contacted yet gets the SLA call then; an earlier follow-up task it replaces leaves the rep's list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from crm.clock import to_iso
from crm.data.leads import LeadItem, TimelineEventItem, lead_pk
from crm.data.people import get_user
from crm.data.tasks import CALL_TASK_TITLE, TaskItem, call_task, get_task, new_task
from crm.services.sla import first_contact_deadline, next_business_day_end

FOLLOW_UP_TITLE = "Follow up new lead"


def on_sla(lead: LeadItem) -> bool:
    """Only the personal route (expected buyers) has a first-contact deadline."""
    return lead.cycle == "expected_buyer"


def first_task(lead: LeadItem, received_at: datetime) -> TaskItem | None:
    """The task a new lead starts with, noted on the (unsaved) lead as its call task and, on the SLA, deadline."""
    now = to_iso(received_at)
    if on_sla(lead):
        lead.first_contact_due_at = first_contact_deadline(received_at)
        task = call_task(lead.lead_id, lead.owner_id, lead.first_contact_due_at, now)
    elif lead.temperature in {"hot", "warm"}:
        owner = get_user(lead.owner_id)  # the follow-up is due in the rep's own working day
        task = new_task(title=FOLLOW_UP_TITLE, owner_id=lead.owner_id, related_type="lead", related_id=lead.lead_id,
                        due_at=next_business_day_end(received_at, owner.timezone if owner else None), created_at=now)
    else:
        return None
    lead.call_task_id = task.task_id
    return task


def task_created_event(lead_id: str, task: TaskItem, **extra: object) -> TimelineEventItem:
    return TimelineEventItem.build(lead_pk(lead_id), "task_created", task.created_at, {
        "task_id": task.task_id, "title": task.title, "due_at": task.due_at, "owner_id": task.owner_id, **extra})


@dataclass(frozen=True)
class SlaCall:
    """The writes that put a stored lead on the SLA: its call task, the lead's deadline, the task it replaces."""

    task: TaskItem
    actions: list[Action]
    replaced: TaskItem | None

    def write(self, transaction: TransactWrite, *, with_event: bool = True) -> None:
        """The task (and its timeline event) and the replaced task's exit; the lead's `actions` are the caller's."""
        transaction.save(self.task)
        if with_event:
            transaction.save(task_created_event(self.task.related_id, self.task))
        if self.replaced is not None:
            transaction.update(self.replaced, actions=[TaskItem.status.set("cancelled"), TaskItem.GSI1PK.remove(),
                                                       TaskItem.GSI1SK.remove()],
                               condition=TaskItem.status == "open", add_version_condition=False)


def needs_sla_call(lead: LeadItem) -> bool:
    """An expected buyer nobody has contacted, without a deadline yet (it was not one when it arrived)."""
    return on_sla(lead) and not lead.first_contact_due_at and not lead.first_contact_at and not lead.erased_at


def sla_call(lead: LeadItem, now: datetime, title: str = CALL_TASK_TITLE) -> SlaCall:
    """The SLA call for a lead that `needs_sla_call`, due like a new expected buyer's; applied to `lead` too."""
    due_at = first_contact_deadline(now)
    task = new_task(title=title, owner_id=lead.owner_id, due_at=due_at, related_type="lead",
                    related_id=lead.lead_id, created_at=to_iso(now))
    previous = get_task(lead.call_task_id) if lead.call_task_id else None
    lead.first_contact_due_at, lead.call_task_id = due_at, task.task_id
    return SlaCall(task, [LeadItem.first_contact_due_at.set(due_at), LeadItem.call_task_id.set(task.task_id)],
                   previous if previous is not None and previous.status == "open" else None)
