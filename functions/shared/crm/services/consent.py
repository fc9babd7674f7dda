"""Double opt-in: marketing consent renewed for an address that unsubscribed or was suppressed waits for the person.

The public form cannot tell the person from anyone who knows their address, so a returning submission with the
consent box ticked does not end an unsubscribe (nor a bounce or complaint): it stores the consent as pending, with a
random token, and emails the address a link carrying the lead id and that token (compared in constant time, like
the unsubscribe link's). Only following the link and pressing its button records the consent and ends the
unsubscribe. The link works for CONFIRM_DAYS days; a new request within RESEND_AFTER sends nothing more, so the form
cannot be used to flood someone's inbox.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from crm.clock import from_iso, to_iso
from crm.data.leads import Consent, LeadItem, TimelineEventItem, get_lead, lead_pk
from crm.data.suppression import NOT_LISTED, listing, unlist_in
from crm.data.transactions import condition_failed, write_transaction
from crm.errors import NotFoundError
from crm.observability import count, logger
from crm.services.unsubscribe import token_matches
from crm.settings import get_settings

CONSENT_CONFIRMATION = "consent_confirmation"
CONFIRM_DAYS = 7
RESEND_AFTER = timedelta(hours=24)


@dataclass(frozen=True)
class ConfirmTarget:
    lead_id: str
    language: str | None


def needs_confirmation(lead: LeadItem) -> bool:
    """Consent for this address ended (an unsubscribe) or mail to it failed (a bounce, a complaint), for this lead or,
    by the suppression list, for an earlier one since erased."""
    return bool(lead.email and (lead.unsubscribed_at or lead.email_suppressed or listing(lead.email) != NOT_LISTED))


def pending_consent(lead: LeadItem, wording: str | None, now: datetime) -> dict | None:
    """The pending consent to store and mail a link for; None while the last one is younger than RESEND_AFTER."""
    current = lead.consent_pending
    if current and from_iso(current["at"]) > now - RESEND_AFTER:
        return None
    return {"wording": wording, "at": to_iso(now), "token": secrets.token_urlsafe(24)}


def confirm_url(lead_id: str, token: str) -> str:
    base = get_settings().public_links_url.rstrip("/")
    return f"{base}/confirm-consent?{urlencode({'lead': lead_id, 'token': token})}"


def send_confirmation(lead: LeadItem, pending: dict, now: datetime) -> None:
    """The email with the link, in the lead's language, from their rep. A failed send is logged, not raised: the
    visit is stored, and a later visit (after RESEND_AFTER) asks again."""
    from crm.services.lead_messages import email_lead

    try:
        email_lead(lead, CONSENT_CONFIRMATION, now,
                   extra={"confirm_url": confirm_url(lead.lead_id, pending["token"]), "confirm_days": CONFIRM_DAYS})
    except Exception:
        logger.exception("could not send the consent confirmation", extra={"lead_id": lead.lead_id})
        count("ConsentConfirmationFailed")
        return
    count("ConsentConfirmationSent")


def _pending_for(lead_id: str, token: str, now: datetime) -> tuple[LeadItem, dict]:
    """The lead and its pending consent this link is for; NotFoundError for an unknown lead, a wrong or used token
    and an expired link alike."""
    lead = get_lead(lead_id) if lead_id else None
    pending = lead.consent_pending if lead is not None and not lead.erased_at else None
    if (lead is None or not pending or not token_matches(pending.get("token"), token)
            or from_iso(pending["at"]) + timedelta(days=CONFIRM_DAYS) < now):
        raise NotFoundError("no such consent confirmation link")
    return lead, pending


def find_pending(lead_id: str, token: str, now: datetime) -> ConfirmTarget:
    lead, _ = _pending_for(lead_id, token, now)
    return ConfirmTarget(lead.lead_id, lead.language)


def confirm_consent(lead_id: str, token: str, now: datetime) -> ConfirmTarget:
    """Record the consent as worded on the form, end the unsubscribe and the suppression: the person has shown they
    read this address and want our mail."""
    lead, pending = _pending_for(lead_id, token, now)
    at = to_iso(now)
    actions = [LeadItem.consent.set(Consent(given=True, wording=pending.get("wording"), at=at)),
               LeadItem.consent_pending.remove(), LeadItem.unsubscribed_at.remove(), LeadItem.email_suppressed.remove()]

    def writes(transaction: TransactWrite) -> None:
        transaction.update(lead, actions=actions, add_version_condition=True)
        transaction.save(TimelineEventItem.build(lead_pk(lead_id), "consent_confirmed", at, {"how": "link"}))
        if lead.email:  # and off the suppression list, which would otherwise keep the old "no"
            unlist_in(transaction, lead.email)

    try:
        write_transaction(writes)
    except TransactWriteError as error:  # the lead changed since it was read: read it again
        if not condition_failed(error):
            raise
        return confirm_consent(lead_id, token, now)
    count("ConsentConfirmed")
    logger.info("renewed consent confirmed", extra={"lead_id": lead_id})
    return ConfirmTarget(lead_id, lead.language)
