"""Taking in a provider's call event (T1, T5, L4, L8): the call item, the records its number matches, the follow-up
rules, a missed call's call-back, and an unknown caller's lead and Unsorted deal.

Every event is taken in once (its receipt, crm.data.calls) and the follow-up rules take in a call once: when its
outcome is first known (answered, or ended unanswered), in the transaction that records that outcome on the call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from crm.clock import to_iso
from crm.data.calls import CallItem, CallReceiptItem, call_pk, phone_records
from crm.data.leads import LeadItem, TimelineEventItem, get_lead
from crm.data.notices import NoticeItem
from crm.data.people import UserItem, calling_team, get_user
from crm.data.table import CrmItem
from crm.data.tasks import new_task
from crm.data.transactions import condition_failed, write_transaction
from crm.domain.calls import CallProgress, Outcome, call_id
from crm.observability import count, logger
from crm.services.screen_pop import deal_ids_of, open_deals
from crm.telephony.events import BadEventError, CallEvent, RepHint

if TYPE_CHECKING:
    from crm.data.accounts import ContactItem
    from crm.models.activities import ActivityInput

_ATTEMPTS = 8  # events of one call written at the same moment: each round one of them is written
CALL_BACK_TITLE = "Call back"


@dataclass(frozen=True)
class CallResult:
    call: CallItem
    rep: UserItem | None
    duplicate: bool = False
    lead_created: str | None = None


@dataclass
class _Writes:
    """What taking in one event writes besides the call and its receipt, in the same transaction."""

    items: list[CrmItem] = field(default_factory=list)
    writers: list[Callable[[TransactWrite], None]] = field(default_factory=list)
    after: list[Callable[[], object]] = field(default_factory=list)  # once written: emails, SMS
    lead_activity: tuple[str, ActivityInput, dict] | None = None  # the call as the lead's follow-up rules see it


def record_call_event(event: CallEvent, now: datetime) -> CallResult:
    """Take the event in, once; a delivery seen before changes nothing and answers as the first did."""
    for attempt in range(_ATTEMPTS):
        try:
            return _record(event, now)
        except TransactWriteError as error:
            if attempt == _ATTEMPTS - 1 or not condition_failed(error):
                raise
            time.sleep(0.005 * (attempt + 1))  # another event of this call was written meanwhile: read it again
    raise AssertionError("unreachable")


def _record(event: CallEvent, now: datetime) -> CallResult:
    identifier = call_id(event.provider, event.call_id)
    receipt_sk = CallReceiptItem.sort_key(event.event, event.recording_id)
    known = {item.SK: item for item in CrmItem.batch_get(
        [CallItem.key(identifier), (call_pk(identifier), receipt_sk)], consistent_read=True)}
    existing = known.get("CALL")
    if receipt_sk in known:
        count("CallEventDuplicate")
        return CallResult(existing, _user(existing.rep_id) if existing else None, duplicate=True)
    call = existing or _new_call(identifier, event)
    revision = int(call.revision)
    rep = _rep(event.rep, call)
    if rep is not None and call.rep_id != rep.user_id:
        call.rep_id = rep.user_id
        for name, value in CallItem.rep_keys(rep.user_id, call.started_at).items():
            setattr(call, name, value)
    at = to_iso(event.occurred_at)
    if event.event == "recording":
        call.recording_id, call.recording_status = event.recording_id, "pending"
    else:
        _progress(call, event, at)
    writes = _Writes()
    created_lead = None
    if call.counted is None and (outcome := CallProgress(**_progress_of(call)).outcome) is not None:
        call.counted = outcome
        created_lead = _take_in_outcome(call, rep, outcome, now, writes)
    call.revision = revision + 1
    receipt = CallReceiptItem(call_pk(identifier), receipt_sk, at=to_iso(now))

    def write(transaction: TransactWrite) -> None:
        condition = (CallItem.revision == revision) if existing is not None else CallItem.PK.does_not_exist()
        transaction.save(call, condition=condition)
        transaction.save(receipt, condition=CallReceiptItem.PK.does_not_exist())
        for item in writes.items:
            transaction.save(item)
        for writer in writes.writers:
            writer(transaction)

    if writes.lead_activity is None:
        write_transaction(write)
    else:
        from crm.services.activities import Recorded, log_activity

        lead_id, activity, data = writes.lead_activity
        log_activity(lead_id, activity, now, recorded=Recorded("call", data, write_also=write))
    for task in writes.after:
        task()
    count(f"CallEvent_{event.event}")
    return CallResult(call, rep, lead_created=created_lead)


def _new_call(identifier: str, event: CallEvent) -> CallItem:
    matches = [{"kind": kind, "id": record_id} for kind, record_id in phone_records(event.customer)]
    return CallItem(*CallItem.key(identifier), call_id=identifier, provider=event.provider,
                    provider_call_id=event.call_id, direction=event.direction, customer=event.customer,
                    line=event.line, status="initiated", started_at=to_iso(event.occurred_at), matches=matches)


_PROGRESS_FIELDS = ("status", "ringing_at", "answered_at", "ended_at", "duration_seconds", "hangup_cause")


def _progress_of(call: CallItem) -> dict:
    values = {name: getattr(call, name) for name in _PROGRESS_FIELDS}
    if values["duration_seconds"] is not None:
        values["duration_seconds"] = int(values["duration_seconds"])
    return values


def _progress(call: CallItem, event: CallEvent, at: str) -> None:
    progress = CallProgress(**_progress_of(call)).after(event.event, at, event.status, event.duration_seconds,
                                                         event.hangup_cause)
    for name in _PROGRESS_FIELDS:
        setattr(call, name, getattr(progress, name))


# --- who the call is with ----------------------------------------------------------------------------------------

def _user(user_id: str | None) -> UserItem | None:
    return get_user(user_id) if user_id else None


def rep_named(hint: RepHint) -> UserItem:
    """The active user a provider names by phone, extension, SIP user or email; BadEventError when none is."""
    for fresh in (False, True):  # a rep whose extension was set a moment ago is found at once
        if fresh:
            calling_team.forget()
        for user in calling_team():
            if hint.value in _identities(user, hint.kind):
                return user
    raise BadEventError("rep", f"no active user has the {hint.kind} {hint.value!r} (set it on the user in settings)")


def _identities(user: UserItem, kind: str) -> set[str]:
    value = {"phone": user.phone, "extension": user.extension, "sip": user.sip_user, "email": user.email}[kind]
    return {value} if value else set()


def _rep(hint: RepHint | None, call: CallItem) -> UserItem | None:
    """Who took or takes the call: the one the provider names, else the one chosen before, else the matched record's
    owner, else the routing rules' choice (an unknown caller)."""
    if call.rep_id:
        known = _user(call.rep_id)
        if hint is None or (known is not None and known.active and hint.value in _identities(known, hint.kind)):
            return known  # the rep this call already has: no need to look through the team again
    if hint is not None:
        return rep_named(hint)
    for kind, record_id in call.record_keys:
        owner = _record_owner(kind, record_id)
        if owner is not None:
            return owner
    from crm.domain.assignment import LeadFacts
    from crm.domain.contact_points import phone_country
    from crm.services.routing import assign_lead

    return _user(assign_lead(LeadFacts(country=phone_country(call.customer), source="phone_call")).rep_id)


def _record_owner(kind: str, record_id: str) -> UserItem | None:
    from crm.services.records import _ITEMS

    item_class = _ITEMS[kind]
    try:
        record = item_class.get(*item_class.key(record_id))
    except item_class.DoesNotExist:
        return None
    if isinstance(record, LeadItem) and record.erased_at:
        return None
    owner = _user(record.owner_id)
    return owner if owner is not None and owner.active else None


# --- what an outcome changes ------------------------------------------------------------------------------------

def _take_in_outcome(call: CallItem, rep: UserItem | None, outcome: Outcome, now: datetime,
                     writes: _Writes) -> str | None:
    """The call on its records' timelines, and what it means for them; returns the lead made for an unknown caller."""
    created = None
    if not call.matches and call.direction == "inbound" and rep is not None:
        created = _unknown_caller(call, rep, now, writes)
        if created is None:
            return None
    missed = outcome == "unanswered" and call.direction == "inbound"
    people = _people(call.record_keys)
    lead = next((item for item in people if isinstance(item, LeadItem)), None)
    deal_ids: list[str] = []
    for person in people:
        deal_ids += [deal_id for deal_id in deal_ids_of(person) if deal_id not in deal_ids]
        if isinstance(person, LeadItem) and not missed:
            continue  # the follow-up rules write the lead's event (below)
        kind, record_id = ("lead", person.lead_id) if isinstance(person, LeadItem) else ("contact", person.contact_id)
        writes.items.append(_call_event(kind, record_id, call, outcome))
    for deal, _stage in open_deals(deal_ids):  # and on the person's open deals
        writes.items.append(_call_event("deal", deal.deal_id, call, outcome))
    if missed and rep is not None:
        _call_back(call, rep, lead or (people[0] if people else None), now, writes)
    if lead is not None and not missed:
        _follow_up_rules(lead, call, rep, outcome, writes)
    return created


def _people(record_keys: list[tuple[str, str]]) -> list[LeadItem | ContactItem]:
    """The call's lead and contacts as they are now; an erased lead is a tombstone: nothing more is written about it."""
    from crm.data.accounts import ContactItem

    people: list[LeadItem | ContactItem] = []
    for kind, record_id in record_keys:
        if kind == "lead":
            lead = get_lead(record_id)
            if lead is not None and not lead.erased_at:
                people.append(lead)
            continue
        try:
            people.append(ContactItem.get(*ContactItem.key(record_id)))
        except ContactItem.DoesNotExist:
            continue
    return people


def _call_event(kind: str, record_id: str, call: CallItem, outcome: Outcome) -> TimelineEventItem:
    from crm.services.records import record_pk

    return TimelineEventItem.build(record_pk(kind, record_id), "call", call.ringing_at or call.started_at,
                                   call_event_data(call, outcome))


def call_event_data(call: CallItem, outcome: Outcome) -> dict:
    """A call's timeline event names the call; the pages show the call as it stands (crm.services.call_view)."""
    return {"call_id": call.call_id, "direction": call.direction, "outcome": outcome, "by": call.rep_id,
            "customer": call.customer}


def _follow_up_rules(lead: LeadItem, call: CallItem, rep: UserItem | None, outcome: Outcome,
                     writes: _Writes) -> None:
    """An answered call is a contact and a response; an unanswered outbound one an attempt (L4, L8). The lead's
    event, status and counters are written by crm.services.activities in the call's own transaction, so the call is
    counted exactly once even when the lead changed meanwhile."""
    from crm.clock import from_iso
    from crm.models.activities import ActivityInput

    happened = call.answered_at or call.ended_at or call.started_at
    writes.lead_activity = (lead.lead_id, ActivityInput(
        type="call", direction=call.direction, by=rep.user_id if rep else "telephony",
        outcome="answered" if outcome == "answered" else "no_answer", at=from_iso(happened)),
        call_event_data(call, outcome))


def _call_back(call: CallItem, rep: UserItem, person: LeadItem | ContactItem | None, now: datetime,
               writes: _Writes) -> None:
    """A missed call from a known person: a "Call back" task on their record now, a notice, an email and an SMS."""
    if person is None:
        return
    from crm.services.first_task import task_created_event
    from crm.services.records import record_pk

    kind, record_id = ("lead", person.lead_id) if isinstance(person, LeadItem) else ("contact", person.contact_id)
    at = to_iso(now)
    task = new_task(title=CALL_BACK_TITLE, owner_id=rep.user_id, due_at=at, related_type=kind, related_id=record_id,
                    created_at=at, notes=call.customer)
    event = task_created_event(record_id, task) if kind == "lead" else TimelineEventItem.build(
        record_pk(kind, record_id), "task_created", at, {"task_id": task.task_id, "title": task.title,
                                                         "owner_id": rep.user_id, "due_at": at})
    notice = NoticeItem.build(user_id=rep.user_id, name=f"missed-call-{call.call_id}", notice_type="missed_call",
                              at=at, data={"customer": call.customer, "kind": kind, "id": record_id,
                                           "name": person.name, "call_id": call.call_id})
    writes.items += [task, event, notice]
    writes.after.append(lambda: _tell_missed_call(rep, call, kind, record_id, person.name))


def _tell_missed_call(rep: UserItem, call: CallItem, kind: str, record_id: str, name: str | None) -> None:
    from crm.domain.contact_points import display_phone
    from crm.links import record_url
    from crm.services.notify import email_user, local_time, sms_user

    number = display_phone(call.customer)
    context = {"caller": name or number, "number": number,
               "at_display": local_time(call.ringing_at or call.started_at, rep.timezone),
               "record_url": record_url(kind, record_id), "rep": {"name": rep.name}}
    try:
        email_user(rep, "missed_call_for_rep", context)
        sms_user(rep, "missed_call_for_rep", context)
    except Exception:  # the task and the notice are written: the rep still sees the missed call in the CRM
        logger.exception("could not email or text the rep about a missed call", extra={"call_id": call.call_id})
        count("MissedCallNoticeFailed")


def _unknown_caller(call: CallItem, rep: UserItem, now: datetime, writes: _Writes) -> str | None:
    """A new caller becomes a lead (source phone_call) owned by the rep who took the call (a missed one: the rep
    the routing chose for it) and, unless a setting turns it off, a deal in Unsorted (T5, D4). The deal is written
    with the call's outcome, so a retried event never makes a second one; the lead is the number's (unique)."""
    from crm.settings import get_settings

    if not get_settings().calls_create_leads:
        return None
    from crm.domain.contact_points import display_phone
    from crm.models.leads import LeadSubmission
    from crm.services.intake import IntakeOptions, submit_lead

    title = display_phone(call.customer)
    result = submit_lead(LeadSubmission(name=title, phone=call.customer, source="phone_call"), now,
                         IntakeOptions(owner_id=rep.user_id, touch={"call_id": call.call_id}))
    call.matches = [{"kind": "lead", "id": result.lead_id}]
    call.created_lead_id = result.lead_id
    deal_id, writer = _unsorted_deal(call, result.lead_id, rep, title)
    writes.writers.append(writer)
    writes.after.append(lambda: _link_deal(result.lead_id, deal_id))
    count("CallerLeadCreated")
    return result.lead_id


def _link_deal(lead_id: str, deal_id: str) -> None:
    """The lead names its Unsorted deal (the popup and lookups show it as the person's open deal), unless it has one.
    Written after the call's transaction, which may already update the lead (its follow-up counters) and a
    transaction writes an item once."""
    from pynamodb.exceptions import UpdateError

    lead = get_lead(lead_id)  # as read: an update adds 1 to the version the item has
    if lead is None or lead.deal_id:
        return
    try:
        lead.update(actions=[LeadItem.deal_id.set(deal_id)], condition=LeadItem.deal_id.does_not_exist(),
                    add_version_condition=False)
    except UpdateError as error:
        if getattr(error, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise


def _unsorted_deal(call: CallItem, lead_id: str, rep: UserItem,
                   title: str) -> tuple[str, Callable[[TransactWrite], None]]:
    from crm.data import config
    from crm.data.accounts import DealItem
    from crm.domain.pipelines import DEFAULT_PIPELINE_ID, UNSORTED_STAGE_ID
    from crm.services.board import new_deal_writes

    at = call.ringing_at or call.started_at
    deal = DealItem.build(title=title, owner_id=rep.user_id, pipeline_id=DEFAULT_PIPELINE_ID,
                          stage_id=UNSORTED_STAGE_ID, created_at=at, lead_id=lead_id)
    return deal.deal_id, new_deal_writes(deal, None, config.pipeline(DEFAULT_PIPELINE_ID), "telephony")
