"""A lead as the API shows it (L5): its facts, its score with the explanation and every past scoring, where it
stands in nurture, its flags and its latest timeline events. An erased lead shows only its tombstone."""

from __future__ import annotations

from crm.data.leads import LeadItem, TimelineEventItem, get_lead, lead_pk
from crm.data.people import UserItem, user_names
from crm.models.lead_fields import OWN_ATTRIBUTES
from crm.services.actors import ensure_visible
from crm.services.call_view import with_calls

TIMELINE_LIMIT = 50
_FACTS = (*(field.name for field in OWN_ATTRIBUTES), "touch_count", "last_touch_at", "created_at", "assignment_reason",
          "previous_owner_ids", "first_contact_due_at", "first_contact_at", "seconds_to_first_contact", "escalations",
          "attempts_without_response")


def lead_view(lead_id: str, actor: UserItem) -> dict | None:
    """The lead for `actor`; None when there is no such lead. NotFoundError when a rep asks for another's."""
    lead = get_lead(lead_id)
    if lead is None:
        return None
    ensure_visible(actor, lead.owner_id, f"lead {lead.lead_id}")
    if lead.erased_at:
        return tombstone(lead)
    latest, scorings = _timeline(lead_pk(lead_id))
    return {
        "lead_id": lead.lead_id,
        **{name: getattr(lead, name) for name in _FACTS},
        "answers": lead.qualification or {},
        "first_touch": lead.first_touch.as_dict(),
        "consent": lead.consent.as_dict() if lead.consent else None,
        "status": lead.status,
        "owner_id": lead.owner_id,
        "owner_name": user_names([lead.owner_id]).get(lead.owner_id),  # the page names the owner, not their id
        "score": lead.score,
        "temperature": lead.temperature,
        "cycle": lead.cycle,
        "score_parts": lead.score_parts or [],
        "scoring_history": scorings,
        "nurture": lead.nurture.as_dict() if lead.nurture is not None else None,
        "engagement": {"opens": lead.opens, "clicks": lead.clicks, "replies": lead.replies,
                       "answered_calls": lead.answered_calls, "promoted_at": lead.promoted_at},
        "flags": _flags(lead),
        "timeline": with_calls(latest),
    }


def tombstone(lead: LeadItem) -> dict:
    """What an erasure keeps (L9): no personal data, only the facts that keep the counts right."""
    return {"lead_id": lead.lead_id, "erased_at": lead.erased_at, "created_at": lead.created_at,
            "source": lead.first_touch.source, "owner_id": lead.owner_id, "status": lead.status,
            "score": lead.score, "temperature": lead.temperature, "cycle": lead.cycle}


def _flags(lead: LeadItem) -> dict:
    conversion = {"at": lead.converted_at, "account_id": lead.account_id, "contact_id": lead.contact_id,
                  "deal_id": lead.deal_id} if lead.converted_at else None
    return {"junk": lead.junk, "deletion_request": lead.deletion_request, "conversion": conversion,
            "unsubscribed_at": lead.unsubscribed_at, "email_suppressed": lead.email_suppressed,
            "sms_opt_out": lead.sms_opt_out}


def _timeline(record_pk: str) -> tuple[list[dict], list[dict]]:
    """The latest events and every scoring, newest first, from one pass over the timeline.

    Picking the scorings out with a filter would read the whole timeline too (DynamoDB bills what it reads, not
    what it returns), so one query that pages through it all serves both lists.
    """
    latest: list[dict] = []
    scorings: list[dict] = []
    for event in TimelineEventItem.query(record_pk, TimelineEventItem.SK.startswith("EVENT#"),
                                         scan_index_forward=False):
        if len(latest) < TIMELINE_LIMIT:
            latest.append({"id": event.SK.removeprefix("EVENT#"), "type": event.event_type, "at": event.at,
                           "data": event.data})
        if event.event_type == "scored":
            scorings.append({"at": event.at, **event.data})
    return latest, scorings
