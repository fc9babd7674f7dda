"""Record pages (D6): a lead, contact, account or deal with its facts, its open tasks and ONE timeline; notes and
meetings on it.

The timeline is the record's own events merged with those of the lead it came from (L10: conversion leaves the
lead's history on the lead and points the contact, account and deal at it), newest first. Timeline sort keys are
ULIDs, so "newest first" is the sort key order and a page ends at a sort key: the cursor of the next page.

Roles: a rep sees only their own records (another rep's answers 404, as if it did not exist); managers and
admins see all.
"""

from __future__ import annotations

import heapq
from dataclasses import asdict
from datetime import datetime
from typing import Any

from crm.clock import to_iso
from crm.data.accounts import (
    MEMBER_KINDS,
    AccountItem,
    AccountMemberItem,
    ContactItem,
    DealItem,
    account_members,
    account_pk,
    contact_pk,
    deal_pk,
)
from crm.data.leads import LeadItem, TimelineEventItem, lead_pk
from crm.data.people import UserItem, user_names
from crm.data.readers import read_each
from crm.errors import InvalidError, NotFoundError
from crm.models.activities import ActivityInput, CallLog, RecordActivity
from crm.models.records import MeetingCreate, NoteCreate
from crm.reasons import Reason
from crm.services.actors import visible_item

KINDS = ("lead", "contact", "account", "deal")
TIMELINE_PAGE = 30
MEMBERS_PAGE = 50  # an account's contacts, and its deals, on its page before "show more"
MAX_PAGE = 100
_EVENT = "EVENT#"
_ITEMS: dict[str, type[LeadItem | ContactItem | AccountItem | DealItem]] = {
    "lead": LeadItem, "contact": ContactItem, "account": AccountItem, "deal": DealItem}
_PKS = {"lead": lead_pk, "contact": contact_pk, "account": account_pk, "deal": deal_pk}

Record = LeadItem | ContactItem | AccountItem | DealItem


class RecordNotFoundError(NotFoundError):
    """404: no such record, or another rep's (which a rep may not know exists)."""


def record_pk(kind: str, record_id: str) -> str:
    return _PKS[kind](record_id)


def visible_record(kind: str, record_id: str, viewer: UserItem) -> Record:
    """The record if the viewer may see it; RecordNotFoundError otherwise."""
    if kind not in _ITEMS:
        raise RecordNotFoundError(f"no record kind {kind!r}; use one of {', '.join(KINDS)}")
    item_class = _ITEMS[kind]
    return visible_item(item_class, item_class.key(record_id), viewer, RecordNotFoundError(f"no {kind} {record_id!r}"))


def writable_record(kind: str, record_id: str, viewer: UserItem) -> Record:
    """A visible record that may get new activities: an erased lead is a tombstone, nothing is added to it."""
    found = visible_record(kind, record_id, viewer)
    if isinstance(found, LeadItem) and found.erased_at:
        raise RecordNotFoundError(f"lead {record_id!r} was erased")
    return found


def source_lead_id(found: Record) -> str | None:
    """The lead this record came from (its history is part of the record's timeline); None for a lead itself."""
    return None if isinstance(found, LeadItem) else found.lead_id


def record(kind: str, record_id: str, viewer: UserItem, now: datetime, limit: int = TIMELINE_PAGE) -> dict:
    """The record page: facts, open tasks and the first page of the timeline."""
    from crm.services.tasks import open_tasks_of

    found = visible_record(kind, record_id, viewer)
    return {"kind": kind, "id": record_id, "owner_id": found.owner_id, "fields": _fields(kind, found, viewer, now),
            "open_tasks": open_tasks_of(kind, record_id, found.owner_id, now),
            "timeline": timeline_page(kind, record_id, viewer, limit=limit, found=found)}


def timeline_page(kind: str, record_id: str, viewer: UserItem, cursor: str | None = None,
                  limit: int = TIMELINE_PAGE, found: Record | None = None) -> dict:
    """One page of the merged timeline, newest first: the events after `cursor` and the next page's cursor."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidError("limit", Reason("page_limit", maximum=MAX_PAGE))
    found = found or visible_record(kind, record_id, viewer)
    lead_id = source_lead_id(found)
    sources = [(record_pk(kind, record_id), kind)] + ([(lead_pk(lead_id), "lead")] if lead_id else [])
    # each source gives at most limit + 1 events past the cursor: enough to fill the page and know if more follow
    streams = [_events_before(pk, cursor, limit + 1, source) for pk, source in sources]
    merged = list(heapq.merge(*streams, key=lambda pair: pair[0].SK, reverse=True))
    page = merged[:limit]
    next_cursor = page[-1][0].SK.removeprefix(_EVENT) if len(merged) > limit else None
    from crm.services.call_view import with_calls

    return {"events": with_calls([event_view(event, source, kind) for event, source in page]),
            "next_cursor": next_cursor}


def event_view(event: TimelineEventItem, source: str = "", kind: str = "") -> dict:
    """An event as the pages show it, with the name of who did it (`by_name`): a page knows no other user's name."""
    from crm.data.people import team_names

    view: dict[str, Any] = {"id": event.SK.removeprefix(_EVENT), "type": event.event_type, "at": event.at,
                            "data": event.data}
    by = (event.data or {}).get("by")
    if by:
        view["by_name"] = team_names().get(by, by)
    if source and source != kind:
        view["from"] = source  # e.g. a contact page showing the history of the lead it came from
    return view


def _events_before(pk: str, cursor: str | None, limit: int, source: str) -> list[tuple[TimelineEventItem, str]]:
    if cursor is not None and not cursor.isalnum():
        raise InvalidError("cursor", Reason("cursor_unknown"))
    condition = (TimelineEventItem.SK.startswith(_EVENT) if cursor is None
                 else TimelineEventItem.SK.between(_EVENT, f"{_EVENT}{cursor}"))
    events = TimelineEventItem.query(pk, condition, scan_index_forward=False, limit=limit + 1)
    last_seen = f"{_EVENT}{cursor}"
    return [(event, source) for event in events if str(event.SK) != last_seen][:limit]


def _fields(kind: str, found: Record, viewer: UserItem, now: datetime) -> dict:
    if isinstance(found, LeadItem):
        from crm.services.lead_view import lead_view

        view = lead_view(found.lead_id, viewer) or {}
        view.pop("timeline", None)  # the page's merged, paged timeline replaces it
        return view
    if isinstance(found, DealItem):
        from crm.services.board import get_deal

        card = get_deal(found.deal_id, viewer, now)
        card.pop("timeline", None)
        return card
    if isinstance(found, ContactItem):
        return _contact_fields(found)
    return _account_fields(found)


def _owner_name(owner_id: str) -> str | None:
    from crm.data.people import get_user

    owner = get_user(owner_id)
    return owner.name if owner else None


def _contact_fields(contact: ContactItem) -> dict:
    account = account_summary(contact.account_id)
    return {"contact_id": contact.contact_id, "name": contact.name, "email": contact.email, "phone": contact.phone,
            "role": contact.role, "language": contact.language, "timezone": contact.timezone,
            "account": account, "owner_id": contact.owner_id, "owner_name": _owner_name(contact.owner_id),
            "lead_id": contact.lead_id, "created_at": contact.created_at,
            "first_touch": contact.first_touch.as_dict() if contact.first_touch else None}


def account_summary(account_id: str) -> dict | None:
    try:
        account = AccountItem.get(*AccountItem.key(account_id))
    except AccountItem.DoesNotExist:
        return None
    return {"account_id": account.account_id, "name": account.name}


def _account_fields(account: AccountItem) -> dict:
    """The account with the first page of its contacts and of its deals, whoever owns them (whoever may see the
    account sees who works on it); `account_members_page` reads on. A contact or deal written before member items
    existed is not listed until it is written again (see AccountMemberItem)."""
    contacts, deals = read_each(lambda kind: _members_page(account.account_id, kind, None, MEMBERS_PAGE),
                                MEMBER_KINDS)
    return {"account_id": account.account_id, "name": account.name, "industry": account.industry,
            "company_size": account.company_size, "country": account.country, "owner_id": account.owner_id,
            "owner_name": user_names([account.owner_id]).get(account.owner_id), "lead_id": account.lead_id,
            "created_at": account.created_at,
            "contacts": contacts["members"], "contacts_next_cursor": contacts["next_cursor"],
            "deals": deals["members"], "deals_next_cursor": deals["next_cursor"]}


def account_members_page(account_id: str, members: str, viewer: UserItem, cursor: str | None = None,
                         limit: int = MEMBERS_PAGE) -> dict:
    """The account's next "contacts" or "deals" (oldest first) after `cursor`, and the cursor of the page after."""
    member_kind = members.removesuffix("s")
    if member_kind not in MEMBER_KINDS:
        raise RecordNotFoundError(f"an account has no {members!r}; ask for contacts or deals")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidError("limit", Reason("page_limit", maximum=MAX_PAGE))
    if cursor is not None and not cursor.isalnum():
        raise InvalidError("cursor", Reason("cursor_unknown"))
    visible_record("account", account_id, viewer)
    return _members_page(account_id, member_kind, cursor, limit)


def _members_page(account_id: str, member_kind: str, cursor: str | None, limit: int) -> dict:
    """One Query of `limit` + 1 member items (the extra one only says there is more), the owners' names from the
    team kept in memory."""
    found = account_members(account_id, member_kind, limit + 1, cursor)
    page = found[:limit]
    names = user_names(member.owner_id for member in page)
    view = _contact_member if member_kind == "contact" else _deal_member
    return {"members": [view(member, names.get(member.owner_id)) for member in page],
            "next_cursor": page[-1].member_id if len(found) > limit else None}


def _contact_member(member: AccountMemberItem, owner_name: str | None) -> dict:
    return {"contact_id": member.member_id, "name": member.name, "email": member.email, "phone": member.phone,
            "role": member.role, "owner_id": member.owner_id, "owner_name": owner_name}


def _deal_member(member: AccountMemberItem, owner_name: str | None) -> dict:
    return {"deal_id": member.member_id, "title": member.name, "pipeline_id": member.pipeline_id,
            "stage_id": member.stage_id, "amount": member.amount, "currency": member.currency,
            "owner_id": member.owner_id, "owner_name": owner_name}



# --- activities --------------------------------------------------------------------------------------------------

def add_note(kind: str, record_id: str, request: NoteCreate, viewer: UserItem, now: datetime) -> dict:
    found = writable_record(kind, record_id, viewer)
    return _add_event(kind, record_id, "note", now, {"text": request.text, "by": viewer.user_id,
                                                     "owner_id": found.owner_id})


def add_meeting(kind: str, record_id: str, request: MeetingCreate, viewer: UserItem, now: datetime) -> dict:
    found = writable_record(kind, record_id, viewer)
    return _add_event(kind, record_id, "meeting", now, {
        "title": request.title, "starts_at": to_iso(request.starts_at), "ends_at": to_iso(request.end),
        "location": request.location, "notes": request.notes, "by": viewer.user_id, "owner_id": found.owner_id})


def log_call(lead_id: str, activity: CallLog, viewer: UserItem, now: datetime) -> dict:
    """A call or email on the viewer's lead, by the viewer, through the lead's follow-up rules (L4, L8)."""
    from crm.services.activities import log_activity

    writable_record("lead", lead_id, viewer)
    result = asdict(log_activity(lead_id, ActivityInput(**activity.model_dump(), by=viewer.user_id), now))
    return {"id": result.pop("activity_id"), **result}


def log_record_activity(kind: str, record_id: str, activity: RecordActivity, viewer: UserItem, now: datetime) -> dict:
    """A call or email on a contact, account or deal, by the viewer, on its timeline like a lead's; a lead's own go
    through its follow-up rules instead (log_call)."""
    if kind == "lead":
        raise RecordNotFoundError(f"a lead's calls and emails are logged at /api/leads/{record_id}/activities")
    found = writable_record(kind, record_id, viewer)
    return _add_event(kind, record_id, "activity", activity.happened_at(now), {
        **activity.model_dump(mode="json", exclude_none=True, exclude={"at"}), "by": viewer.user_id,
        "owner_id": found.owner_id})


def _add_event(kind: str, record_id: str, event_type: str, now: datetime, data: dict) -> dict:
    event = TimelineEventItem.build(record_pk(kind, record_id), event_type, to_iso(now),
                                    {name: value for name, value in data.items() if value is not None})
    event.save(condition=TimelineEventItem.SK.does_not_exist())
    return event_view(event)


