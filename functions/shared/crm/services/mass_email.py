"""Mass email to a filtered list of leads or contacts (D6), honouring consent, unsubscribes and suppressions.

The people are the list's (crm.services.lists: a rep only their own, a manager anyone's). Whether a person may get
marketing email is crm.domain.automation's rule on the lead's facts (a contact's consent and unsubscribe live on
the lead it was converted from); the preview counts with it. Sending is a job (crm/services/jobs.py): the
recipients are resolved when it starts, at most MAX_RECIPIENTS (how many more the filters select is reported), and
the jobs worker sends to them a chunk at a time within the SES send rate, each send through
crm.services.record_email, which checks the rules again and refuses per recipient.

The job's id is the batch id, derived from the viewer and the Idempotency-Key, and record_email sends a template to
a record once per batch: a retried request finds the same job, and a redelivered chunk sends only to whom the first
delivery did not reach.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crm.data.jobs import get_job
from crm.data.leads import LeadItem
from crm.data.people import UserItem
from crm.data.suppression import NOT_LISTED, listings
from crm.domain.automation import EmailFacts, marketing_email_blocked
from crm.domain.jobs import DONE, MASS_EMAIL, chunk_count
from crm.errors import InvalidError
from crm.models.lists import MassEmailRequest
from crm.reasons import Reason
from crm.services import jobs, lists
from crm.services.jobs import job_id_for
from crm.services.lead_messages import email_facts, recipient_facts
from crm.settings import get_settings

MAX_RECIPIENTS = 500
_PER_READ = 100  # records judged together: one BatchGet of their listings (and of contacts' leads), a page of 100


@dataclass(frozen=True)
class Candidate:
    record_id: str
    blocked: str | None  # why they may not get marketing email (a reason code), None if they may


def _check_template(template_id: str) -> None:
    from crm.data.email_templates import email_template

    if email_template(template_id) is None:
        raise InvalidError("template_id", Reason("template_unknown", template_id=template_id))


def candidates(request: MassEmailRequest, viewer: UserItem) -> Iterator[Candidate]:
    """Every lead or contact the filters select, newest first, with whether they may get marketing email."""
    legal_basis = get_settings().marketing_legal_basis
    batch: list[Any] = []
    for record in lists.records(lists.select(request.kind, request.filters, viewer)):
        batch.append(record)
        if len(batch) == _PER_READ:
            yield from _candidates(request.kind, batch, legal_basis)
            batch = []
    yield from _candidates(request.kind, batch, legal_basis)


def _candidates(kind: str, records: list[Any], legal_basis: str) -> Iterator[Candidate]:
    """A batch of leads or contacts: one BatchGet of their addresses on the suppression list and, for contacts,
    one of their leads (a contact's consent, unsubscribe and suppression are its lead's)."""
    listed = listings(record.email for record in records)
    if kind == "leads":
        for lead in records:
            yield Candidate(lead.lead_id, _blocked(email_facts(lead, listed.get(lead.email, NOT_LISTED)), legal_basis))
        return
    lead_ids = sorted({contact.lead_id for contact in records if contact.lead_id})
    leads = {lead.lead_id: lead for lead in LeadItem.batch_get([LeadItem.key(lead_id) for lead_id in lead_ids])}
    for contact in records:
        facts = recipient_facts(contact.email, leads.get(contact.lead_id or ""), listed.get(contact.email, NOT_LISTED))
        yield Candidate(contact.contact_id, _blocked(facts, legal_basis))


def _blocked(facts: EmailFacts, legal_basis: str) -> str | None:
    reason = marketing_email_blocked(facts, legal_basis)
    return reason.code if reason else None


def preview(request: MassEmailRequest, viewer: UserItem) -> dict[str, Any]:
    """How many of the selected people would get the email (at most MAX_RECIPIENTS), and why the others not."""
    _check_template(request.template_id)
    allowed, blocked = 0, Counter[str]()
    for candidate in candidates(request, viewer):
        if candidate.blocked:
            blocked[candidate.blocked] += 1
        else:
            allowed += 1
    return {"selected": allowed + sum(blocked.values()), "recipients": min(allowed, MAX_RECIPIENTS),
            "blocked": dict(sorted(blocked.items())), "cap": MAX_RECIPIENTS,
            "over_cap": max(0, allowed - MAX_RECIPIENTS)}


def batch_id_for(viewer: UserItem, idempotency_key: str) -> str:
    """The same user's retry with the same key is the same batch; another user's same key is not."""
    return job_id_for(viewer.user_id, "mass-email", idempotency_key)


def start(request: MassEmailRequest, viewer: UserItem, now: datetime, idempotency_key: str | None) -> dict[str, Any]:
    """Starts the job that sends the template to each selected person who may get it, up to MAX_RECIPIENTS; the job
    (crm.services.jobs.view) counts who was blocked and who is over the cap."""
    if not idempotency_key or not idempotency_key.strip():
        raise InvalidError("Idempotency-Key", Reason("idempotency_key_required"))
    _check_template(request.template_id)
    job_id = batch_id_for(viewer, idempotency_key)
    existing = get_job(job_id)
    if existing is not None:
        return jobs.ensure_enqueued(existing)
    recipients: list[str] = []
    selected, over_cap, blocked = 0, 0, Counter[str]()
    for candidate in candidates(request, viewer):
        selected += 1
        if candidate.blocked:
            blocked[candidate.blocked] += 1
        elif len(recipients) < MAX_RECIPIENTS:
            recipients.append(candidate.record_id)
        else:
            over_cap += 1
    skipped = sum(blocked.values())
    job = jobs.new_job(job_id, MASS_EMAIL, viewer, {"list": request.kind, "filters": request.filters.given(),
                                                    "template_id": request.template_id}, now,
                       recipients=recipients, total=len(recipients), chunk_count=chunk_count(len(recipients)),
                       blocked=dict(sorted(blocked.items())), skipped=skipped, selected=selected, over_cap=over_cap)
    if not recipients:  # nothing to send: done as it starts
        job.status, job.finished_at = DONE, job.created_at
    return jobs.start(job)
