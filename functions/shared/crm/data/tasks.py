"""Tasks for people, found by owner and due time (what is due today)."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, VersionAttribute

from crm.data.table import CrmItem


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
