"""What a rep's open pages show when a call rings (T2): who is calling, pushed over the WebSocket API.

The message carries everything the popup shows (the matched records, their open deals and last activities), so the
page needs no second request while the phone rings. `lookup` answers the same for GET /api/lookup, within the
caller's rights.
"""

from __future__ import annotations

from typing import Any

from crm.data.accounts import AccountItem, AccountMemberItem, ContactItem, DealItem, account_pk
from crm.data.calls import CallItem, phone_records
from crm.data.leads import LeadItem, timeline
from crm.data.people import UserItem
from crm.data.table import CrmItem
from crm.domain.contact_points import display_phone
from crm.domain.pipelines import Stage
from crm.links import RECORD_PAGE

LAST_ACTIVITIES = 3
_MEMBER_DEALS = "MEMBER#DEAL#"


def call_message(call: CallItem, event: str, records: bool = True) -> dict[str, Any]:
    """The push for the rep's pages: the call, and with `records` every record its number matches (a later event
    may leave them out: it updates the popup the ringing opened, which keeps its records)."""
    message = {"type": "call", "call_id": call.call_id, "event": event, "direction": call.direction,
               "customer": call.customer, "customer_display": display_phone(call.customer), "rep_id": call.rep_id,
               "at": call.ringing_at or call.started_at, "status": call.status}
    if not records:
        return message
    matches = _views(call.record_keys)
    return {**message, "matches": matches, "save_as_lead": None if matches else {"phone": call.customer}}


def lookup(e164: str, viewer: UserItem) -> dict[str, Any]:
    """The records holding a number that the viewer may see (a rep: their own)."""
    views = [view for view in _views(phone_records(e164))
             if viewer.role != "rep" or view["owner_id"] == viewer.user_id]
    return {"phone": e164, "phone_display": display_phone(e164), "matches": views}


def _views(record_keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
    if not record_keys:
        return []
    classes = {"lead": LeadItem, "contact": ContactItem}
    records = {(item.PK, item.SK): item for item in CrmItem.batch_get(
        [classes[kind].key(record_id) for kind, record_id in record_keys])}
    views = []
    for kind, record_id in record_keys:
        record = records.get(classes[kind].key(record_id))
        if record is None or (isinstance(record, LeadItem) and record.erased_at):
            continue
        views.append(_lead_view(record) if isinstance(record, LeadItem) else _contact_view(record))
    return views


def _page(kind: str, record_id: str) -> str:
    return f"{RECORD_PAGE}?kind={kind}&id={record_id}"


def _base(kind: str, record_id: str, record: LeadItem | ContactItem) -> dict[str, Any]:
    return {"kind": kind, "id": record_id, "name": record.name, "owner_id": record.owner_id,
            "url": _page(kind, record_id), "last_activities": _last_activities(record.PK)}


def deal_ids_of(record: LeadItem | ContactItem) -> list[str]:
    """The deals a person's record leads to: a converted lead's deal, a contact's account's deals."""
    if isinstance(record, LeadItem):
        return [record.deal_id] if record.deal_id else []
    if not record.account_id:
        return []
    return [member.member_id for member in AccountMemberItem.query(
        account_pk(record.account_id), AccountMemberItem.SK.startswith(_MEMBER_DEALS))]


def open_deals(deal_ids: list[str]) -> list[tuple[DealItem, Stage]]:
    """Those of the deals still open, with their stage (at most 25: one BatchGet)."""
    from crm.data import config

    if not deal_ids:
        return []
    found = []
    for deal in DealItem.batch_get([DealItem.key(deal_id) for deal_id in deal_ids[:25]]):
        pipeline = config.pipeline(deal.pipeline_id)
        stage = pipeline.stage(deal.stage_id) if pipeline is not None else None
        if stage is not None and stage.is_open:
            found.append((deal, stage))
    return found


def _deal_views(record: LeadItem | ContactItem) -> list[dict[str, Any]]:
    return [{"id": deal.deal_id, "title": deal.title, "stage_name": stage.name, "amount": deal.amount,
             "currency": deal.currency, "url": _page("deal", deal.deal_id)}
            for deal, stage in open_deals(deal_ids_of(record))]


def _lead_view(lead: LeadItem) -> dict[str, Any]:
    deals = _deal_views(lead)
    return {**_base("lead", lead.lead_id, lead), "company": lead.company, "status": lead.status,
            "score": None if lead.score is None else int(lead.score), "temperature": lead.temperature,
            "open_deals": deals}


def _contact_view(contact: ContactItem) -> dict[str, Any]:
    account = _account(contact.account_id)
    return {**_base("contact", contact.contact_id, contact), "company": account.name if account else None,
            "status": None, "score": None, "temperature": None, "open_deals": _deal_views(contact)}


def _account(account_id: str | None) -> AccountItem | None:
    if not account_id:
        return None
    try:
        return AccountItem.get(*AccountItem.key(account_id))
    except AccountItem.DoesNotExist:
        return None


def _last_activities(record_pk: str) -> list[dict[str, Any]]:
    return [{"type": event.event_type, "at": event.at, "summary": _summary(event.data or {})}
            for event in timeline(record_pk, limit=LAST_ACTIVITIES)]


def _summary(data: dict[str, Any]) -> str:
    """A few words the popup shows after the event's (translated) type: a note's text, an email's subject, a task's
    title; never a code the page would show untranslated."""
    for key in ("note", "subject", "title"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value[:120]
    return ""
