"""Records, activities, tasks and email (D6): a lead, contact, account or deal page with one timeline; notes,
meetings, tasks and calls on it; my tasks; email from a template.

POSTs that add something honour an Idempotency-Key header: a retried request gets the first answer back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.routing import Routes, limit, once, query

if TYPE_CHECKING:
    from crm.data.people import UserItem

routes = Routes(__name__)



@routes("/api/records/{kind}/{record_id}", machine="crm/records.read", query=("limit",))
def get_record(viewer: UserItem, kind: str, record_id: str) -> dict[str, Any]:
    """A lead, contact, account or deal: its facts, open tasks and the first page of its timeline."""
    from crm.clock import utcnow
    from crm.services import records

    return records.record(kind, record_id, viewer, utcnow(), limit=limit())


@routes("/api/records/{kind}/{record_id}/timeline", machine="crm/records.read", query=("cursor", "limit"))
def get_timeline(viewer: UserItem, kind: str, record_id: str) -> dict[str, Any]:
    """The next page of a record's timeline ("load more"), newest first, with the lead's history it came from."""
    from crm.services import records

    return records.timeline_page(kind, record_id, viewer, cursor=query("cursor"), limit=limit())


@routes("/api/accounts/{account_id}/{members}", machine="crm/records.read", query=("cursor", "limit"))
def get_account_members(viewer: UserItem, account_id: str, members: str) -> dict[str, Any]:
    """The account's next contacts or deals (members: contacts | deals; "show more" on its page), oldest first,
    whoever owns them."""
    from crm.services import records

    return records.account_members_page(account_id, members, viewer, cursor=query("cursor"),
                                        limit=limit(records.MEMBERS_PAGE))


@routes("/api/records/{kind}/{record_id}/notes", "POST", status=201, body="crm.models.records:NoteCreate",
         machine="crm/activities.write", conflict="Conflict")
def add_note(viewer: UserItem, note: Any, kind: str, record_id: str) -> dict[str, Any]:
    """Adds a note to the record's timeline."""
    from crm.clock import utcnow
    from crm.services import records

    return once(viewer, f"{kind}:{record_id}:note", lambda: records.add_note(kind, record_id, note, viewer, utcnow()))


@routes("/api/records/{kind}/{record_id}/meetings", "POST", status=201, body="crm.models.records:MeetingCreate",
         machine="crm/activities.write", conflict="Conflict")
def add_meeting(viewer: UserItem, meeting: Any, kind: str, record_id: str) -> dict[str, Any]:
    """Adds a meeting (start, and end or duration) to the record's timeline."""
    from crm.clock import utcnow
    from crm.services import records

    return once(viewer, f"{kind}:{record_id}:meeting",
                lambda: records.add_meeting(kind, record_id, meeting, viewer, utcnow()))


@routes("/api/records/{kind}/{record_id}/tasks", "POST", status=201, body="crm.models.records:TaskCreate",
         machine="crm/activities.write", conflict="Conflict")
def add_task(viewer: UserItem, task: Any, kind: str, record_id: str) -> dict[str, Any]:
    """Adds a task for the record's owner, due at a time; the timeline shows it."""
    from crm.clock import utcnow
    from crm.services import tasks

    return once(viewer, f"{kind}:{record_id}:task", lambda: tasks.add_task(kind, record_id, task, viewer, utcnow()))


@routes("/api/records/{kind}/{record_id}/email", "POST", status=201, body="crm.models.records:EmailRequest",
         conflict="Conflict")
def email_record(viewer: UserItem, email: Any, kind: str, record_id: str) -> dict[str, Any]:
    """Emails a lead or contact (a deal: its contact) from a template, logged on the timeline; 422 if not allowed."""
    from crm.clock import utcnow
    from crm.services.record_email import send_template_email

    return once(viewer, f"{kind}:{record_id}:email",
                lambda: send_template_email(kind, record_id, email.template_id, viewer, utcnow()))


@routes("/api/leads/{lead_id}/activities", "POST", status=201, body="crm.models.activities:CallLog",
         machine="crm/activities.write", conflict="Conflict")
def log_lead_activity(viewer: UserItem, activity: Any, lead_id: str) -> dict[str, Any]:
    """Logs a call or email on a lead: status and attempts (L8) and the first-contact clock (L4) follow."""
    from crm.clock import utcnow
    from crm.services import records

    return once(viewer, f"lead:{lead_id}:activity", lambda: records.log_call(lead_id, activity, viewer, utcnow()))


@routes("/api/records/{kind}/{record_id}/activities", "POST", status=201, body="crm.models.activities:RecordActivity",
         machine="crm/activities.write", conflict="Conflict")
def log_record_activity(viewer: UserItem, activity: Any, kind: str, record_id: str) -> dict[str, Any]:
    """Logs a call or email on a contact, account or deal (a lead's: POST /api/leads/{lead_id}/activities)."""
    from crm.clock import utcnow
    from crm.services import records

    return once(viewer, f"{kind}:{record_id}:activity",
                lambda: records.log_record_activity(kind, record_id, activity, viewer, utcnow()))


@routes("/api/tasks", machine="crm/records.read", query=("due", "owner", "limit"))
def list_tasks(viewer: UserItem) -> dict[str, Any]:
    """My open tasks due today (overdue first), overdue or upcoming; a manager may ask for a rep's (owner)."""
    from crm.clock import utcnow
    from crm.services import tasks

    return tasks.my_tasks(viewer, utcnow(), due=query("due") or "today", owner=query("owner"), limit=limit())


@routes("/api/tasks/{task_id}/done", "POST", machine="crm/activities.write")
def complete_task(viewer: UserItem, task_id: str) -> dict[str, Any]:
    """Marks a task done: it leaves the open tasks and the record's timeline says so."""
    from crm.clock import utcnow
    from crm.services import tasks

    return tasks.complete_task(task_id, viewer, utcnow())


@routes("/api/email-templates")
def list_email_templates(viewer: UserItem) -> list[dict[str, Any]]:
    """Every email template, in every language it has."""
    from crm.services import record_email

    return record_email.list_templates()


@routes("/api/email-templates/{template_id}", "PUT", body="crm.domain.email_templates:EmailTemplate")
def save_email_template(viewer: UserItem, template: Any, template_id: str) -> dict[str, Any]:
    """Saves an email template (admins); an unknown placeholder is refused with its field."""
    from crm.clock import utcnow
    from crm.services import record_email

    return record_email.save_template(template_id, template, viewer, utcnow())
