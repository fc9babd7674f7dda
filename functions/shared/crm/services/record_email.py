"""Emailing a lead or a contact from a template (D6): a rep's personal reply, or one send of a mass email; and
the templates themselves (everyone reads them, admins save them). A deal is emailed through its contact (the
board's deal panel): the email goes to the contact and lands on the deal's timeline.

Who may be written to is the consent rules' call (crm/domain/automation.py), on the facts of the lead the person
is (a contact's consent, unsubscribe and suppression live on the lead it was converted from) and on what the
suppression list says of the address written to (crm.data.suppression: it outlives leads, erasure included):
- "personal", a rep's 1:1 reply, is refused only for no address, a suppressed address (bounce, complaint) or
  a person who asked to be erased: an unsubscribe is from marketing, not from answering the person;
- "marketing" (mass email) also needs consent (or the configured legal basis) and no unsubscribe, and carries
  one-click unsubscribe like every marketing email (services/lead_messages.py).
An email that cannot be sent to this recipient as it is (a line break in the name, an address SES refuses) is
refused on "recipient" too, with nothing sent.
The send goes through SES with Reply-To the rep, in the recipient's language, and is logged on the record's
timeline ("email_sent") and as a SentEmailItem, so SES opens and clicks land on the lead. A personal email to a
lead is a contact attempt too, counted like an email the rep logs (L4, L8).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from botocore.exceptions import ClientError
from pynamodb.transactions import TransactWrite

from crm.clock import to_iso
from crm.data.accounts import ContactItem, DealItem
from crm.data.email_messages import SentEmailItem
from crm.data.email_templates import (
    TemplateSendItem,
    claim_send,
    email_template,
    email_templates,
    release_send,
    save_email_template,
    sent_by_batch,
)
from crm.data.leads import LeadItem, TimelineEventItem, get_lead
from crm.data.people import UserItem, get_user
from crm.data.suppression import listing
from crm.data.transactions import write_transaction
from crm.domain.automation import marketing_email_blocked, service_email_blocked
from crm.domain.email_templates import TEMPLATE_ID, EmailTemplate, as_html, placeholder_values, render
from crm.errors import ForbiddenError, InvalidError
from crm.integrations.email import UnsendableEmailError, send_email
from crm.models.activities import ActivityInput
from crm.notifications.messages import MESSAGES, RTL_LANGUAGES
from crm.notifications.render import RenderedEmail, resolve_language
from crm.observability import count
from crm.reasons import Reason
from crm.services.activities import Recorded, log_activity
from crm.services.lead_messages import LEAD_HEADER, recipient_facts, unsubscribe_url
from crm.services.records import account_summary, record_pk, writable_record
from crm.settings import get_settings

PURPOSES = ("personal", "marketing")
EMAIL_KINDS = ("lead", "contact", "deal")


class EmailNotAllowedError(InvalidError):
    """Refused on "recipient": the consent rules (or a missing address) forbid this email; the reason says why."""

    reason: Reason  # its code is what a mass email reports of a recipient it skipped

    def __init__(self, reason: Reason) -> None:
        super().__init__("recipient", reason)


@dataclass(frozen=True)
class _Recipient:
    """Whom the email goes to and the lead whose consent facts and engagement it belongs to."""

    kind: str
    record_id: str
    name: str
    email: str | None
    company: str | None
    language: str | None
    owner_id: str
    lead: LeadItem | None


def send_template_email(kind: str, record_id: str, template_id: str, viewer: UserItem, now: datetime, *,
                        purpose: str = "personal", batch_id: str | None = None) -> dict:
    """kind "lead" | "contact" | "deal" (its contact); returns {"message_id", "to", "subject"}.

    With `batch_id` the send is claimed once per (batch, record): a retried batch gets the first send's answer
    (message_id None if that send was interrupted before SES answered) and sends nothing again. A send SES did not
    make gives its claim back: a retry sends it if SES was only busy, and refuses it again if it cannot be sent.
    """
    if kind not in EMAIL_KINDS:
        raise InvalidError("kind", Reason("email_kind"))
    if purpose not in PURPOSES:
        raise InvalidError("purpose", Reason("one_of", choices=", ".join(PURPOSES)))
    template = email_template(template_id)
    if template is None:
        raise InvalidError("template_id", Reason("template_unknown", template_id=template_id))
    recipient = _recipient(kind, record_id, viewer)
    reason = _blocked(recipient, purpose)
    if reason is not None:
        raise EmailNotAllowedError(reason)
    at = to_iso(now)
    claim = None
    if batch_id is not None:
        claim = claim_send(batch_id, kind, record_id, at)
        if claim is None:
            earlier = sent_by_batch(batch_id, kind, record_id)
            return {"message_id": earlier.message_id, "to": earlier.to, "subject": earlier.subject}
    rep = get_user(recipient.owner_id) or viewer
    values = placeholder_values(name=recipient.name, company=recipient.company, rep_name=rep.name,
                                rep_email=rep.email, rep_phone=rep.phone)
    text = render(template, resolve_language(recipient.language), values)
    headers = {"Reply-To": rep.email}
    footer = None
    if purpose == "marketing" and recipient.lead is not None:
        link = unsubscribe_url(recipient.lead)
        headers |= {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        footer = MESSAGES[text.language]["lead_common"]["unsubscribe_link"].format(url=link)
    if recipient.lead is not None:
        headers[LEAD_HEADER] = recipient.lead.lead_id
    body = f"{text.body}\n\n{footer}" if footer else text.body
    content = RenderedEmail(subject=text.subject, html=as_html(text.body, text.language in RTL_LANGUAGES, footer),
                            text=body)
    to = str(recipient.email)
    try:
        message_id = send_email(to, content, to_name=recipient.name,
                                headers=headers, tags={"record": kind, "template": template_id})
    except (ClientError, UnsendableEmailError) as error:  # SES did not send it (throttled, refused): nothing went out
        if claim is not None:
            release_send(claim)
        if isinstance(error, UnsendableEmailError):
            raise EmailNotAllowedError(Reason("email_unsendable")) from error
        raise
    _log(recipient, message_id, template_id, text.subject, to, viewer, purpose, batch_id, claim, now)
    count("PersonalEmailSent" if purpose == "personal" else "MarketingEmailSent")
    return {"message_id": message_id, "to": to, "subject": text.subject}


def list_templates() -> list[dict]:
    return [{"id": template_id, **template.model_dump(mode="json")}
            for template_id, template in sorted(email_templates().items())]


def save_template(template_id: str, template: EmailTemplate, actor: UserItem, now: datetime) -> dict:
    """Admins only; the template was validated (placeholders included) when the request was read."""
    if actor.role != "admin":
        raise ForbiddenError(f"{actor.user_id} is a {actor.role}; only an admin edits email templates")
    if not re.fullmatch(TEMPLATE_ID, template_id):
        raise InvalidError("template_id", Reason("template_id_format"))
    save_email_template(template_id, template, actor.user_id, to_iso(now))
    return {"id": template_id, **template.model_dump(mode="json")}


def _recipient(kind: str, record_id: str, viewer: UserItem) -> _Recipient:
    found = writable_record(kind, record_id, viewer)
    if isinstance(found, LeadItem):
        return _Recipient(kind, record_id, found.name, found.email, found.company, found.language, found.owner_id,
                          found)
    if isinstance(found, DealItem):
        return _deal_recipient(found)
    if not isinstance(found, ContactItem):
        raise InvalidError("kind", Reason("email_kind"))
    account = account_summary(found.account_id)
    return _Recipient(kind, record_id, found.name, found.email, account["name"] if account else None,
                      found.language, found.owner_id, get_lead(found.lead_id) if found.lead_id else None)


def _deal_recipient(deal: DealItem) -> _Recipient:
    """The deal's contact, written to on the deal's behalf (the deal's owner is the rep); a deal without a contact
    has no address, which the consent rules refuse as such."""
    contact = None
    if deal.contact_id:
        try:
            contact = ContactItem.get(*ContactItem.key(deal.contact_id))
        except ContactItem.DoesNotExist:
            contact = None
    lead_id = contact.lead_id if contact is not None else deal.lead_id
    return _Recipient("deal", deal.deal_id, contact.name if contact else "", contact.email if contact else None,
                      deal.account_name, contact.language if contact else None, deal.owner_id,
                      get_lead(lead_id) if lead_id else None)


def _blocked(recipient: _Recipient, purpose: str) -> Reason | None:
    """Why this email may not go out, by the consent rules; None when it may."""
    lead = recipient.lead
    if lead is not None and lead.erased_at:
        return Reason("person_erased")
    facts = recipient_facts(recipient.email, lead, listing(recipient.email))
    if purpose == "marketing":
        return marketing_email_blocked(facts, get_settings().marketing_legal_basis)
    return service_email_blocked(replace(facts, unsubscribed=False))


def _log(recipient: _Recipient, message_id: str, template_id: str, subject: str, to: str, viewer: UserItem,
         purpose: str, batch_id: str | None, claim: TemplateSendItem | None, now: datetime) -> None:
    """The timeline event, the SentEmailItem (SES events find the lead by it) and the batch claim's result, in one
    transaction. A rep's personal email to a lead is also a contact attempt, counted like a logged email: first
    contact (L4), attempts and status (L8) and score (L5) change in that transaction."""
    data = {"message_id": message_id, "template": template_id, "subject": subject, "to": to, "by": viewer.user_id,
            "purpose": purpose, **({"batch_id": batch_id} if batch_id else {})}
    at = to_iso(now)
    sent = (SentEmailItem.build(message_id, recipient.lead.lead_id, template_id, subject, at, None)
            if recipient.lead is not None else None)

    def write_also(transaction: TransactWrite) -> None:
        if sent is not None:
            transaction.save(sent)
        if claim is not None:
            transaction.update(claim, actions=[TemplateSendItem.message_id.set(message_id),
                                               TemplateSendItem.to.set(to), TemplateSendItem.subject.set(subject)])

    if recipient.kind == "lead" and purpose == "personal":
        attempt = ActivityInput(type="email", by=viewer.user_id, direction="outbound", outcome="sent")
        log_activity(recipient.record_id, attempt, now, Recorded("email_sent", data, write_also))
        return
    event = TimelineEventItem.build(record_pk(recipient.kind, recipient.record_id), "email_sent", at, data)

    def write(transaction: TransactWrite) -> None:
        transaction.save(event)
        write_also(transaction)

    write_transaction(write)
