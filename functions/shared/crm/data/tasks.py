"""Tasks for people, found by owner and due time (what is due today)."""

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
    version = VersionAttribute()

    @classmethod
    def key(cls, task_id: str) -> tuple[str, str]:
        return f"TASK#{task_id}", "TASK"

    @staticmethod
    def open_keys(owner_id: str, due_at: str) -> dict[str, str]:
        """Only open tasks sit in the owner's index, so 'due today' never reads done ones."""
        return {"GSI1PK": f"OWNER#{owner_id}#TASKS", "GSI1SK": due_at}


def call_task(lead_id: str, owner_id: str, due_at: str, created_at: str) -> TaskItem:
    """The rep's first task on a new (or reassigned) lead, due at the first-contact deadline (L6)."""
    task_id = str(ULID())
    return TaskItem(*TaskItem.key(task_id), task_id=task_id, title=CALL_TASK_TITLE, owner_id=owner_id,
                    due_at=due_at, related_type="lead", related_id=lead_id, created_at=created_at,
                    **TaskItem.open_keys(owner_id, due_at))
