"""Unsubscribe (consent and deliverability): one click from any email to a lead, effective before the next send.

The link carries the lead id and the lead's random token; a wrong token learns nothing (the same NotFoundError as
an unknown lead). Unsubscribing twice is the same as once, and is counted once. The address goes on the suppression
list too (crm.data.suppression): the unsubscribe outlasts the lead, erasure included.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from crm.clock import to_iso
from crm.data.leads import LeadItem, TimelineEventItem, get_lead, lead_pk
from crm.data.suppression import list_in
from crm.data.transactions import condition_failed, write_transaction
from crm.errors import NotFoundError
from crm.observability import count, logger


@dataclass(frozen=True)
class UnsubscribeTarget:
    lead_id: str
    language: str | None
    already: bool


def token_matches(expected: str | None, given: str) -> bool:
    """Whether `given` is the link's token, compared in constant time. The comparison takes ASCII text only; the
    tokens we make are URL-safe ASCII, so any other text is simply not one (no TypeError, no 500)."""
    return bool(expected and given and given.isascii()) and hmac.compare_digest(expected, given)


def find_target(lead_id: str, token: str) -> UnsubscribeTarget:
    """The lead this link is for; NotFoundError for an unknown lead or a wrong token (indistinguishable)."""
    lead = get_lead(lead_id) if lead_id else None
    if lead is None or not token_matches(lead.unsubscribe_token, token):
        raise NotFoundError("no such unsubscribe link")
    return UnsubscribeTarget(lead.lead_id, lead.language, bool(lead.unsubscribed_at))


def unsubscribe(lead_id: str, token: str, now: datetime, how: str) -> UnsubscribeTarget:
    """Withdraw consent and stop every email but the ones the lead asks for; idempotent."""
    target = find_target(lead_id, token)
    if target.already:
        return target
    lead = get_lead(lead_id)
    assert lead is not None
    at = to_iso(now)

    def writes(transaction: TransactWrite) -> None:
        transaction.update(lead, actions=[LeadItem.unsubscribed_at.set(at)],
                           condition=LeadItem.unsubscribed_at.does_not_exist(), add_version_condition=False)
        transaction.save(TimelineEventItem.build(lead_pk(lead_id), "unsubscribed", at, {"how": how}))
        if lead.email:
            list_in(transaction, lead.email, unsubscribed=True, at=at)

    try:
        write_transaction(writes)
    except TransactWriteError as error:  # a concurrent click won: the lead is unsubscribed either way
        if not condition_failed(error):
            raise
        return UnsubscribeTarget(lead_id, target.language, already=True)
    count("LeadUnsubscribed")
    logger.info("lead unsubscribed", extra={"lead_id": lead_id, "how": how})
    return UnsubscribeTarget(lead_id, target.language, already=False)
