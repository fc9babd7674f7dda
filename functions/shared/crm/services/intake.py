"""Lead intake (L1, L2, L6): one person is one lead; a returning person adds a touch.

A new lead, its unique email/phone items, its first touch, its assignment and the rep's first task are
written in one transaction, so two simultaneous posts of the same person still make one lead and a
failure leaves nothing half-written.

What a returning submission may change depends on who sent it. The public form cannot tell the person from anyone
who knows their address, so from it (IntakeOptions.trusted False) a returning visit only adds what cannot harm them:
 - a touch (how they came back, what they wrote), the visit count and the time of the last one;
 - marketing consent for a lead that never withdrew it (as a new lead's form gives it);
 - renewed consent for an address that unsubscribed, bounced or complained: pending, until the person follows the
   link we email them (crm.services.consent); until then nothing changes for them;
 - everything else that differs from the lead (name, company, phone or email, language, the qualification answers
   ...), even a field the lead has empty, is proposed to the lead's owner: a "changes_proposed" timeline event and a
   notice; the owner applies it (crm.services.proposals) or not. A stranger could otherwise fill in a phone number
   to be called on, or answers that re-score and re-route the person. The lead is not re-scored from them.
A signed-in caller (a CSV import, an integration through the board API) is trusted: a returning visit fills what
the lead did not know yet and re-scores it, and never overwrites what it knew.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite
from ulid import ULID

from crm.clock import to_iso
from crm.data import search
from crm.data.leads import (
    LIFECYCLE_PENDING,
    Consent,
    ContactPointItem,
    FirstTouch,
    LeadItem,
    TimelineEventItem,
    contact_point_owners,
    get_lead,
    lead_pk,
)
from crm.data.notices import NoticeItem
from crm.data.transactions import condition_failed, write_transaction
from crm.domain.assignment import Assignment, LeadFacts
from crm.domain.contact_points import phone_country
from crm.errors import UnavailableError
from crm.integrations.workflows import start_lead_lifecycle
from crm.models.lead_fields import OWN_ATTRIBUTES, QUALIFICATION, LeadField, fields_where, submitted_value
from crm.models.leads import LeadSubmission
from crm.observability import count, logger
from crm.services.consent import needs_confirmation, pending_consent, send_confirmation
from crm.services.first_task import first_task, needs_sla_call, sla_call, task_created_event
from crm.services.qualification import (
    apply_qualification,
    qualification_actions,
    qualification_changed,
    qualify_lead,
    scored_event_data,
)
from crm.services.routing import assign_lead

_IDENTITY = ("name", "email", "phone")  # who the person is: a returning visit never changes them here
_FILLABLE = tuple(field.name for field in OWN_ATTRIBUTES if field.name not in _IDENTITY)
"""What a trusted returning visit may fill in on the lead when it was not known yet (the lead's own attributes)."""
_PROPOSABLE = tuple(field.name for field in OWN_ATTRIBUTES if field.name != "message")
"""What a public visit may propose to change (its message is on its touch)."""
_FIRST_TOUCH = fields_where(container="first_touch")
_TOUCH = fields_where(touch=True)
_ATTEMPTS = 6


@dataclass(frozen=True)
class IntakeResult:
    lead_id: str
    returning: bool


@dataclass(frozen=True)
class IntakeOptions:
    """How a lead arrives other than by a form: a CSV import names the owner, adds where the touch came from, and
    usually holds back the follow-up automation (speed-to-lead SMS, nurture email) that a whole list should not get.
    Without automation the lead never enters the queue of leads awaiting their workflow, so nothing starts it later.
    """

    owner_id: str | None = None  # None: assigned by the routing rules, like a form's lead
    start_automation: bool = True
    touch: dict | None = None  # added to the touch event, e.g. {"import_id", "file_name"}
    trusted: bool = True  # a signed-in caller; False: the public form (what a returning visit may change: above)


FORM = IntakeOptions(trusted=False)


class DuplicateRaceError(UnavailableError):
    """Another request claimed this person's email or phone between our read and our write."""


def submit_lead(submission: LeadSubmission, received_at: datetime, options: IntakeOptions = FORM) -> IntakeResult:
    """Store a new lead and start its workflow, or add a touch to the person's existing lead."""
    for attempt in range(_ATTEMPTS):
        owners = contact_point_owners(submission.email, submission.phone)
        email_owner = owners.get(ContactPointItem.email_pk(submission.email)) if submission.email else None
        phone_owner = owners.get(ContactPointItem.phone_pk(submission.phone)) if submission.phone else None
        existing_id = email_owner or phone_owner
        try:
            if existing_id:
                add_touch(existing_id, submission, received_at, claimed=set(owners), origin=options.touch,
                          trusted=options.trusted)
                count("LeadTouch")
                return IntakeResult(existing_id, returning=True)
            lead_id = _create_lead(submission, received_at, options)
            count("LeadCreated")
            return IntakeResult(lead_id, returning=False)
        except DuplicateRaceError:
            logger.info("lost a race for this person's lead; reading again", extra={"attempt": attempt})
            time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
    raise DuplicateRaceError("the person's contact points kept changing while we wrote")


def _touch_data(submission: LeadSubmission) -> dict:
    """What this visit said, as sent: the fields declared to be noted on every touch."""
    data = {field.name: submitted_value(submission, field) for field in _TOUCH}
    return {key: value for key, value in data.items() if value is not None}


def _qualification(submission: LeadSubmission) -> dict | None:
    answers = {field.key: getattr(submission, field.name) for field in QUALIFICATION if getattr(submission, field.name)}
    return answers or None


def _own(submission: LeadSubmission, field: LeadField, country: str | None) -> object:
    return country if field.name == "country" else submitted_value(submission, field)


def _create_lead(submission: LeadSubmission, received_at: datetime, options: IntakeOptions) -> str:
    lead_id = str(ULID.from_datetime(received_at))
    now = to_iso(received_at)
    country = submission.country or (phone_country(submission.phone) if submission.phone else None)
    assignment = Assignment(options.owner_id, "chosen") if options.owner_id else assign_lead(
        LeadFacts(country=country, source=submission.source, company_size=submission.company_size,
                  language=submission.language))
    pk = lead_pk(lead_id)
    lead = LeadItem(
        *LeadItem.key(lead_id),
        lead_id=lead_id,
        **{field.name: _own(submission, field, country) for field in OWN_ATTRIBUTES},
        qualification=_qualification(submission),
        first_touch=FirstTouch(at=now, **{field.key: submitted_value(submission, field) for field in _FIRST_TOUCH}),
        touch_count=1,
        last_touch_at=now,
        consent=Consent(given=submission.marketing_consent, wording=submission.consent_text, at=now)
        if submission.marketing_consent else None,
        owner_id=assignment.rep_id,
        assignment_reason=assignment.reason,
        created_at=now,
        **({"GSI2PK": LIFECYCLE_PENDING, "GSI2SK": now} if options.start_automation else {}),
        **LeadItem.owner_keys(assignment.rep_id, now),
    )
    pending = _confirm_listed_consent(lead, submission, received_at)
    qualification = qualify_lead(lead)
    apply_qualification(lead, qualification)
    task = first_task(lead, received_at)
    contact_points = [ContactPointItem.build(ContactPointItem.email_pk(submission.email), lead_id)] \
        if submission.email else []
    if submission.phone:
        contact_points.append(ContactPointItem.build(ContactPointItem.phone_pk(submission.phone), lead_id))
    items: list = [
        lead, *contact_points, *search.of_lead(lead),
        TimelineEventItem.build(pk, "touch", now, _touch_data(submission) | (options.touch or {}) | {"first": True}),
        TimelineEventItem.build(pk, "scored", now, scored_event_data(qualification)),
        TimelineEventItem.build(pk, "assigned", now, {"owner_id": assignment.rep_id, "reason": assignment.reason}),
        *([task, task_created_event(lead_id, task)] if task else []),
        *([TimelineEventItem.build(pk, "consent_requested", now, {"how": "form"})] if pending else []),
    ]
    _write_new(items, contact_points)
    if not options.start_automation:
        logger.info("lead created without automation", extra={"lead_id": lead_id, "owner_id": assignment.rep_id})
        return lead_id
    try:
        start_lead_lifecycle(lead_id)
    except Exception:
        logger.exception("could not start the lead's workflow; removing the lead so a retry starts clean",
                         extra={"lead_id": lead_id})
        _remove(items)
        raise
    if pending:
        send_confirmation(lead, pending, received_at)
    logger.info("lead created", extra={"lead_id": lead_id, "owner_id": assignment.rep_id,
                                       "assignment": assignment.reason})
    return lead_id


def _confirm_listed_consent(lead: LeadItem, submission: LeadSubmission, received_at: datetime) -> dict | None:
    """A new lead whose address is on the suppression list (an earlier lead of it, since erased, said no): its
    ticked consent waits for the person's confirmation like a returning one's, else the list would block it for
    good. Returns the pending consent to email a link for."""
    if not (submission.marketing_consent and needs_confirmation(lead)):
        return None
    lead.consent = None
    lead.consent_pending = pending_consent(lead, submission.consent_text, received_at)
    return lead.consent_pending


def _write_new(items: list, contact_points: list[ContactPointItem]) -> None:
    with_condition = {id(item) for item in contact_points}

    def writes(transaction: TransactWrite) -> None:
        for item in items:
            condition = ContactPointItem.PK.does_not_exist() if id(item) in with_condition else None
            transaction.save(item, condition=condition)

    _write_claiming_contact_points(writes)


def _write_claiming_contact_points(writes: Callable[[TransactWrite], None]) -> None:
    """A transaction that claims an email or phone: losing that claim means someone else was faster."""
    try:
        write_transaction(writes)
    except TransactWriteError as error:
        if condition_failed(error):
            raise DuplicateRaceError() from error
        raise


def _remove(items: list) -> None:
    """Compensate a failed workflow start; if even this fails the lead stays queued for the reconciler."""
    def writes(transaction: TransactWrite) -> None:
        for item in items:
            transaction.delete(item)

    try:
        write_transaction(writes)
    except Exception:
        logger.exception("compensation failed; the lifecycle reconciler will start the workflow")


def add_touch(lead_id: str, submission: LeadSubmission, received_at: datetime, claimed: set[str],
              origin: dict | None = None, trusted: bool = True) -> None:
    """A returning person: record how they came back; fill what we did not know when `trusted`, propose it to the
    owner when not (the module's docstring has the rules); never overwrite."""
    lead = get_lead(lead_id)
    if lead is None or lead.erased_at:  # erased meanwhile: its contact points are gone, the retry makes a new lead
        raise DuplicateRaceError()
    now = to_iso(received_at)
    actions = [LeadItem.touch_count.add(1), LeadItem.last_touch_at.set(now)]
    merged = LeadItem()
    merged.deserialize(lead.serialize())
    events = [TimelineEventItem.build(lead_pk(lead_id), "touch", now, _touch_data(submission) | (origin or {}))]
    new_points = _fill(lead, merged, submission, claimed, actions) if trusted else []
    notice = None if trusted else _propose(lead, submission, claimed, now, events)
    pending = _consent(lead, submission, received_at, actions, events)
    rescored = qualify_lead(merged)
    call = None
    if qualification_changed(lead, rescored):
        actions += qualification_actions(rescored)
        events.append(TimelineEventItem.build(lead_pk(lead_id), "scored", now, scored_event_data(rescored)))
        apply_qualification(merged, rescored)
        call = sla_call(merged, received_at) if needs_sla_call(merged) else None  # an expected buyer now
    if call is not None:
        actions += call.actions
    found_by = search.of_lead(merged)  # put whole: the terms of what was filled in are new
    condition = LeadItem.PK.exists() & LeadItem.erased_at.does_not_exist()
    if call is not None:  # a concurrent visit that gave the deadline first wins; the retry re-reads it
        condition &= LeadItem.first_contact_due_at.does_not_exist()

    def writes(transaction: TransactWrite) -> None:
        transaction.update(lead, actions=actions, add_version_condition=False, condition=condition)
        for event in events:
            transaction.save(event)
        if notice is not None:
            transaction.save(notice)
        if call is not None:
            call.write(transaction)
        search.save_all(transaction, found_by)
        for point in new_points:
            transaction.save(point, condition=ContactPointItem.PK.does_not_exist())

    _write_claiming_contact_points(writes)
    logger.info("touch added to returning lead", extra={"lead_id": lead_id, "trusted": trusted})
    if pending is not None:
        send_confirmation(lead, pending, received_at)


def _fill(lead: LeadItem, merged: LeadItem, submission: LeadSubmission, claimed: set[str],
          actions: list) -> list[ContactPointItem]:
    """A trusted visit fills in what the lead has empty (and `merged` with it); the contact points it claims."""
    new_points = []
    for field in ("email", "phone"):
        value = getattr(submission, field)
        point_pk = ContactPointItem.email_pk(value) if field == "email" else ContactPointItem.phone_pk(value or "")
        if value and not getattr(lead, field) and point_pk not in claimed:
            actions.append(getattr(LeadItem, field).set(value))
            new_points.append(ContactPointItem.build(point_pk, lead.lead_id))
            setattr(merged, field, value)
    for field in _FILLABLE:
        value = getattr(submission, field)
        if value and not getattr(lead, field):
            attribute = getattr(LeadItem, field)
            actions.append(attribute.set(attribute | value))  # if_not_exists: a concurrent value wins
            setattr(merged, field, value)
    answers = _qualification(submission)
    if answers:
        merged.qualification = {**answers, **(lead.qualification or {})}
        actions.append(LeadItem.qualification.set(merged.qualification))
    return new_points


def _propose(lead: LeadItem, submission: LeadSubmission, claimed: set[str], now: str,
             events: list) -> NoticeItem | None:
    """What a public visit would change, as a "changes_proposed" event (added to `events`) and the owner's notice;
    None when it changes nothing. An email or phone another lead has is no proposal: it is that person's."""
    changes: dict[str, dict] = {}
    for name in _PROPOSABLE:
        value = getattr(submission, name)
        if name in ("email", "phone") and value:
            point_pk = ContactPointItem.email_pk(value) if name == "email" else ContactPointItem.phone_pk(value)
            if point_pk in claimed:
                continue
        if value and value != getattr(lead, name):
            changes[name] = {"from": getattr(lead, name), "to": value}
    for key, value in (_qualification(submission) or {}).items():
        if value != (lead.qualification or {}).get(key):
            changes[key] = {"from": (lead.qualification or {}).get(key), "to": value}
    if not changes:
        return None
    event = TimelineEventItem.build(lead_pk(lead.lead_id), "changes_proposed", now,
                                    {"changes": changes, "state": "open"})
    event_id = event.SK.removeprefix("EVENT#")
    events.append(event)
    count("LeadChangesProposed")
    return NoticeItem.build(user_id=lead.owner_id, name=f"proposed-{event_id}", notice_type="changes_proposed",
                            at=now, data={"lead_id": lead.lead_id, "event_id": event_id})


def _consent(lead: LeadItem, submission: LeadSubmission, received_at: datetime, actions: list,
             events: list) -> dict | None:
    """Consent ticked: given at once to a lead that never withdrew it; pending (its confirmation to be emailed,
    returned) for an address that unsubscribed or was suppressed."""
    if not submission.marketing_consent:
        return None
    now = to_iso(received_at)
    if needs_confirmation(lead):
        pending = pending_consent(lead, submission.consent_text, received_at)
        if pending is not None:
            actions.append(LeadItem.consent_pending.set(pending))
            events.append(TimelineEventItem.build(lead_pk(lead.lead_id), "consent_requested", now, {"how": "form"}))
        return pending
    if not (lead.consent and lead.consent.given):
        actions.append(LeadItem.consent.set(Consent(given=True, wording=submission.consent_text, at=now)))
    return None
