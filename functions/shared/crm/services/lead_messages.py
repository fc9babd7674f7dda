"""Writing to a lead: in their language, from their rep, with a working unsubscribe and a record of the send."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlencode

from crm.clock import to_iso
from crm.data.email_messages import SentEmailItem
from crm.data.leads import LeadItem
from crm.data.people import UserItem, get_user
from crm.data.suppression import Listing, listing
from crm.domain.automation import EmailFacts
from crm.integrations.email import send_email
from crm.integrations.sms import send_sms
from crm.notifications.render import render_email, render_sms
from crm.services.notify import lead_context
from crm.settings import get_settings

LEAD_HEADER = "X-Crm-Lead-Id"


def email_facts(lead: LeadItem, listed: Listing | None = None) -> EmailFacts:
    """The lead's own flags and what the suppression list says of its address (`listed`, or looked up): an address
    suppressed or unsubscribed under an earlier lead, since erased, stays so."""
    listed = listing(lead.email) if listed is None else listed
    return EmailFacts(has_email=bool(lead.email), consent_given=bool(lead.consent and lead.consent.given),
                      unsubscribed=bool(lead.unsubscribed_at) or listed.unsubscribed,
                      suppressed=lead.email_suppressed or listed.suppressed)


def recipient_facts(address: str | None, lead: LeadItem | None, listed: Listing) -> EmailFacts:
    """The facts an email to `address` is judged by: the flags of the lead the person is (a contact's consent,
    unsubscribe and suppression are its lead's) and what the suppression list says of the address written to
    (`listed`: a contact's address may not be its lead's). A contact with no lead behind it has given no consent."""
    if lead is None:
        return EmailFacts(has_email=bool(address), consent_given=False, unsubscribed=listed.unsubscribed,
                          suppressed=listed.suppressed)
    return replace(email_facts(lead, listed), has_email=bool(address))


def ensure_unsubscribe_token(lead: LeadItem) -> str:
    """A random token per lead, made the first time we write to them; the unsubscribe link carries it."""
    if lead.unsubscribe_token:
        return lead.unsubscribe_token
    token = secrets.token_urlsafe(24)
    lead.update(actions=[LeadItem.unsubscribe_token.set(token)], condition=LeadItem.unsubscribe_token.does_not_exist(),
                add_version_condition=False)
    lead.unsubscribe_token = token
    return token


def unsubscribe_url(lead: LeadItem) -> str:
    base = get_settings().public_links_url.rstrip("/")
    return f"{base}/unsubscribe?{urlencode({'lead': lead.lead_id, 'token': ensure_unsubscribe_token(lead)})}"


def _rep(lead: LeadItem) -> UserItem:
    rep = get_user(lead.owner_id)
    if rep is None:
        raise LookupError(f"the lead's owner {lead.owner_id} is not a user")
    return rep


def lead_message_context(lead: LeadItem, rep: UserItem, step: dict | None = None) -> dict:
    settings = get_settings()
    return {"lead": lead_context(lead), "rep": {"name": rep.name, "email": rep.email, "phone": rep.phone},
            "unsubscribe_url": unsubscribe_url(lead), "postal_address": settings.sender_postal_address,
            "website_url": settings.company_website, "step": step or {"number": 1, "of": 1}}


def email_lead(lead: LeadItem, template: str, now: datetime, *, step: int | None = None,
               step_context: dict | None = None, extra: dict | None = None) -> SentEmailItem:
    """Send, then remember the message id so the email's SES events find the lead. Replies go to the rep.
    `extra`: what this template needs beyond every lead email's context (a link of its own)."""
    rep = _rep(lead)
    rendered = render_email(template, lead.language, lead_message_context(lead, rep, step_context) | (extra or {}))
    link = unsubscribe_url(lead)
    headers = {"Reply-To": rep.email, "List-Unsubscribe": f"<{link}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", LEAD_HEADER: lead.lead_id}
    message_id = send_email(str(lead.email), rendered, to_name=lead.name, headers=headers,
                            tags={"lead_id": lead.lead_id, "template": template})
    sent = SentEmailItem.build(message_id, lead.lead_id, template, rendered.subject, to_iso(now), step)
    sent.save()
    return sent


def sms_lead(lead: LeadItem, template: str) -> str | None:
    """An SMS unless the lead opted out: here, or by replying STOP, which puts the number on SNS's opt-out list
    (then the lead is marked too, so the rep sees it)."""
    if not lead.phone or lead.sms_opt_out:
        return None
    from crm.integrations.sms import opted_out

    if opted_out(lead.phone):
        lead.update(actions=[LeadItem.sms_opt_out.set(True)], add_version_condition=False)
        return None
    rep = _rep(lead)
    return send_sms(lead.phone, render_sms(template, lead.language, lead_message_context(lead, rep)))
