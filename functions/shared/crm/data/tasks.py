"""Tasks for people on any record (lead, contact, account, deal), found by owner and due time (what is due
today). Only open tasks sit in the owner's index; a done one keeps when and by whom."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, VersionAttribute
from ulid import ULID

from crm.data.table import CrmItem

CALL_TASK_TITLE = "Call new lead"


class TaskItem(CrmItem, discriminator="Task"):
    task_id = UnicodeAttribute()
    title = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    due_at = UnicodeAttribute()
    status = UnicodeAttribute(default="open")
    related_type = UnicodeAttribute()
    related_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    completed_at = UnicodeAttribute(null=True)
    completed_by = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @classmethod
    def key(cls, task_id: str) -> tuple[str, str]:
        return f"TASK#{task_id}", "TASK"

    @staticmethod
    def open_keys(owner_id: str, due_at: str) -> dict[str, str]:
        """Only open tasks sit in the owner's index, so 'due today' never reads done ones."""
        return {"GSI1PK": f"OWNER#{owner_id}#TASKS", "GSI1SK": due_at}


def new_task(*, title: str, owner_id: str, due_at: str, related_type: str, related_id: str, created_at: str,
             notes: str | None = None) -> TaskItem:
    """An open task on a record, in its owner's index."""
    task_id = str(ULID())
    return TaskItem(*TaskItem.key(task_id), task_id=task_id, title=title, owner_id=owner_id, due_at=due_at,
                    related_type=related_type, related_id=related_id, created_at=created_at, notes=notes,
                    **TaskItem.open_keys(owner_id, due_at))


def call_task(lead_id: str, owner_id: str, due_at: str, created_at: str) -> TaskItem:
    """The rep's first task on a new (or reassigned) lead, due at the first-contact deadline (L6)."""
    return new_task(title=CALL_TASK_TITLE, owner_id=owner_id, due_at=due_at, related_type="lead",
                    related_id=lead_id, created_at=created_at)


def get_task(task_id: str) -> TaskItem | None:
    try:
        return TaskItem.get(*TaskItem.key(task_id), consistent_read=True)
    except TaskItem.DoesNotExist:
        return None


def open_tasks(owner_id: str, *, due_from: str = "0", due_through: str = "~", limit: int | None = None,
               related_id: str | None = None) -> list[TaskItem]:
    """The owner's open tasks due in [due_from, due_through] (ISO times, both inclusive), earliest first;
    `related_id` picks one record's (a filter on the owner's open tasks, which are few)."""
    return list(TaskItem.owner_index.query(
        f"OWNER#{owner_id}#TASKS", TaskItem.GSI1SK.between(due_from, due_through), limit=limit,
        filter_condition=(TaskItem.related_id == related_id) if related_id else None))
