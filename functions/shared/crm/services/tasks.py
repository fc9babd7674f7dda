"""Tasks (D6, L12): new tasks on any record, completing them, and "my tasks" today, overdue or upcoming.

"Today" is the viewer's day in their own time zone. Open tasks sit in their owner's index sorted by due time
(GSI1 `OWNER#<id>#TASKS`), so each list is one Query; completing a task takes it out of that index and writes the
record's timeline in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from crm.clock import to_iso
from crm.data.leads import TimelineEventItem
from crm.data.people import UserItem, active_team
from crm.data.tasks import TaskItem, get_task, new_task, open_tasks
from crm.data.transactions import condition_failed, write_transaction
from crm.errors import InvalidError, NotFoundError
from crm.models.records import TaskCreate
from crm.reasons import Reason
from crm.services.actors import ensure_owner
from crm.services.records import record_pk, writable_record

Due = Literal["today", "overdue", "upcoming"]
DUE_VIEWS = ("today", "overdue", "upcoming")
MAX_TASKS = 100  # the largest page, as every list's (docs/openapi.json: limit)


class TaskNotFoundError(NotFoundError):
    """404: no such task, or another rep's."""


def due_window(due: str, now: datetime, timezone: str) -> tuple[str, str]:
    """The due times (ISO, inclusive) a list shows: "today" is everything due by the end of the viewer's local
    day, overdue first; "overdue" is what is past due now; "upcoming" is what is due after today."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = now.astimezone(zone)
    tomorrow = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
    end_of_today = to_iso(tomorrow - timedelta(seconds=1))
    if due == "today":
        return "0", end_of_today
    if due == "overdue":
        return "0", to_iso(now - timedelta(seconds=1))
    if due == "upcoming":
        return to_iso(tomorrow), "~"
    raise InvalidError("due", Reason("one_of", choices=", ".join(DUE_VIEWS)))


def my_tasks(viewer: UserItem, now: datetime, due: str = "today", owner: str | None = None,
             limit: int = 100) -> dict:
    """The open tasks of the viewer (a manager or admin may ask for `owner`'s), earliest due first, and the team
    whose tasks the viewer may look at (for a manager's picker)."""
    if not 1 <= limit <= MAX_TASKS:
        raise InvalidError("limit", Reason("page_limit", maximum=MAX_TASKS))
    owner_id = owner or viewer.user_id
    ensure_owner(viewer, owner_id)
    due_from, due_through = due_window(due, now, viewer.timezone)
    tasks = open_tasks(owner_id, due_from=due_from, due_through=due_through, limit=limit)
    team = [viewer] if viewer.role == "rep" else active_team()
    return {"due": due, "owner_id": owner_id, "tasks": [task_view(task, now) for task in tasks],
            "team": [{"user_id": user.user_id, "name": user.name, "role": user.role} for user in team]}


def open_tasks_of(kind: str, record_id: str, owner_id: str, now: datetime) -> list[dict]:
    """A record's open tasks (its owner's), earliest due first."""
    return [task_view(task, now) for task in open_tasks(owner_id, related_id=record_id) if task.related_type == kind]


def task_view(task: TaskItem, now: datetime) -> dict:
    return {"task_id": task.task_id, "title": task.title, "notes": task.notes, "due_at": task.due_at,
            "overdue": task.status == "open" and task.due_at < to_iso(now), "status": task.status,
            "owner_id": task.owner_id, "record": {"kind": task.related_type, "id": task.related_id},
            "created_at": task.created_at, "completed_at": task.completed_at, "completed_by": task.completed_by}


def add_task(kind: str, record_id: str, request: TaskCreate, viewer: UserItem, now: datetime) -> dict:
    """A task for the record's owner (a manager may add one for them), with its timeline event, in one
    transaction."""
    found = writable_record(kind, record_id, viewer)
    at = to_iso(now)
    task = new_task(title=request.title, owner_id=found.owner_id, due_at=to_iso(request.due_at), related_type=kind,
                    related_id=record_id, created_at=at, notes=request.notes)
    event = TimelineEventItem.build(record_pk(kind, record_id), "task_created", at, {
        "task_id": task.task_id, "title": task.title, "due_at": task.due_at, "by": viewer.user_id,
        "owner_id": task.owner_id})

    def write(transaction: TransactWrite) -> None:
        transaction.save(task, condition=TaskItem.PK.does_not_exist())
        transaction.save(event)

    write_transaction(write)
    return task_view(task, now)


def complete_task(task_id: str, viewer: UserItem, now: datetime) -> dict:
    """Mark the task done: it leaves its owner's open tasks and its record's timeline says so. Completing a done
    task changes nothing and answers the same."""
    task = get_task(task_id)
    if task is None or (viewer.role == "rep" and task.owner_id != viewer.user_id):
        raise TaskNotFoundError(f"no task {task_id!r}")
    if task.status != "open":
        return task_view(task, now)
    at = to_iso(now)
    event = TimelineEventItem.build(record_pk(task.related_type, task.related_id), "task_done", at, {
        "task_id": task.task_id, "title": task.title, "due_at": task.due_at, "by": viewer.user_id})

    def write(transaction: TransactWrite) -> None:
        transaction.update(task, actions=[TaskItem.status.set("done"), TaskItem.completed_at.set(at),
                                          TaskItem.completed_by.set(viewer.user_id), TaskItem.GSI1PK.remove(),
                                          TaskItem.GSI1SK.remove()],
                           condition=TaskItem.status == "open", add_version_condition=False)
        transaction.save(event)

    try:
        write_transaction(write)
    except TransactWriteError as error:
        if not condition_failed(error):
            raise
    return task_view(get_task(task_id) or task, now)
