"""Changes a public form post proposed to a known lead (crm.services.intake), applied when its owner says so.

Applying is the owner's decision (a manager or admin may make it too; another rep never sees the lead): the proposed
values then replace the lead's, a new email or phone becomes the lead's (the old one is released), the lead is
re-scored and the event says who applied it. A proposal is applied once; one the lead has outlived (an email or phone
taken by another lead meanwhile) is refused with 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from crm.clock import to_iso
from crm.data import search
from crm.data.leads import ContactPointItem, LeadItem, LeadNotFoundError, TimelineEventItem, get_lead, lead_pk
from crm.data.people import UserItem
from crm.data.transactions import condition_failed, write_transaction
from crm.errors import ConflictError, NotFoundError
from crm.models.lead_fields import FIELDS_BY_NAME, QUALIFICATION
from crm.observability import count, logger
from crm.services.actors import ensure_visible
from crm.services.qualification import (
    apply_qualification,
    qualification_actions,
    qualification_changed,
    qualify_lead,
    scored_event_data,
)

PROPOSED = "changes_proposed"
_ANSWERS = {field.key for field in QUALIFICATION}


class ProposalNotFoundError(NotFoundError):
    """No such proposal on this lead."""


def apply_proposal(lead_id: str, event_id: str, viewer: UserItem, now: datetime) -> dict[str, Any]:
    """Apply the proposal's values to the lead; its event then reads "applied". 409 when it was already applied or
    the lead changed while we wrote (the caller reloads and decides again)."""
    lead = get_lead(lead_id)
    if lead is None or lead.erased_at:
        raise LeadNotFoundError("lead not found")
    ensure_visible(viewer, lead.owner_id, "lead")
    try:
        event = TimelineEventItem.get(lead_pk(lead_id), TimelineEventItem.sort_key(event_id), consistent_read=True)
    except TimelineEventItem.DoesNotExist:
        raise ProposalNotFoundError("no such proposal") from None
    if event.event_type != PROPOSED:
        raise ProposalNotFoundError("no such proposal")
    if (event.data or {}).get("state") != "open":
        raise ConflictError("This proposal was applied already.", {"state": (event.data or {}).get("state")})
    changes: dict[str, dict] = event.data["changes"]
    at = to_iso(now)
    merged = LeadItem()
    merged.deserialize(lead.serialize())
    actions, claims, releases = [], [], []
    answers = dict(lead.qualification or {})
    for name, change in changes.items():
        value = change["to"]
        if name in _ANSWERS:
            answers[name] = value
            continue
        if name not in FIELDS_BY_NAME:
            continue
        if name in ("email", "phone"):
            point_pk = ContactPointItem.email_pk if name == "email" else ContactPointItem.phone_pk
            claims.append(ContactPointItem.build(point_pk(value), lead_id))
            old = getattr(lead, name)
            if old:
                releases.append(ContactPointItem.build(point_pk(old), lead_id))
        actions.append(getattr(LeadItem, name).set(value))
        setattr(merged, name, value)
    if answers != (lead.qualification or {}):
        merged.qualification = answers
        actions.append(LeadItem.qualification.set(answers))
    events = [TimelineEventItem.build(lead_pk(lead_id), "changes_applied", at,
                                      {"by": viewer.user_id, "changes": changes})]
    rescored = qualify_lead(merged)
    if qualification_changed(lead, rescored):
        actions += qualification_actions(rescored)
        apply_qualification(merged, rescored)
        events.append(TimelineEventItem.build(lead_pk(lead_id), "scored", at, scored_event_data(rescored)))
    applied = {**event.data, "state": "applied", "applied_by": viewer.user_id, "applied_at": at}

    def writes(transaction: TransactWrite) -> None:
        transaction.update(lead, actions=actions or [LeadItem.last_touch_at.set(lead.last_touch_at)],
                           add_version_condition=True)  # the version: two owners' clicks apply it once
        transaction.update(event, actions=[TimelineEventItem.data.set(applied)], add_version_condition=False)
        for item in events:
            transaction.save(item)
        for point in claims:
            transaction.save(point, condition=ContactPointItem.PK.does_not_exist())
        for point in releases:
            transaction.delete(point, condition=ContactPointItem.lead_id == lead_id)
        search.rewrite(transaction, search.of_lead(lead), search.of_lead(merged))

    try:
        write_transaction(writes)
    except TransactWriteError as error:
        if condition_failed(error):
            raise ConflictError("The lead changed, or its new email or phone is another lead's: reload and decide "
                                "again.") from error
        raise
    count("LeadChangesApplied")
    logger.info("proposed changes applied", extra={"lead_id": lead_id, "by": viewer.user_id})
    return {"lead_id": lead_id, "event_id": event_id, "state": "applied", "changes": sorted(changes)}
