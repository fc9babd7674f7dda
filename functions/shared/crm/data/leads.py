"""Lead, its unique contact points (email, phone) and its timeline events."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.expressions.update import Action
from ulid import ULID

from crm.data.table import CrmItem
from crm.domain.automation import AutomationFacts
from crm.errors import NotFoundError
from crm.idempotency import answering
from crm.models.lead_fields import OWN_ATTRIBUTES

LIFECYCLE_PENDING = "LIFECYCLE#PENDING"


def lead_pk(lead_id: str) -> str:
    return f"LEAD#{lead_id}"


def owner_leads_pk(owner_id: str) -> str:
    """GSI1: a person's leads, by arrival."""
    return f"OWNER#{owner_id}#LEADS"


class FirstTouch(MapAttribute):
    """How the person first found us: kept as it was, whatever they do later."""

    at = UnicodeAttribute()
    source = UnicodeAttribute()
    form_id = UnicodeAttribute(null=True)
    page_url = UnicodeAttribute(null=True)
    referrer = UnicodeAttribute(null=True)
    utm = JSONAttribute(null=True)


class Consent(MapAttribute):
    given = BooleanAttribute()
    wording = UnicodeAttribute(null=True)
    at = UnicodeAttribute()


class NurtureState(MapAttribute):
    """Where the lead is in its nurture sequence; a DynamoDB map, so each counter is updated on its own."""

    sequence = UnicodeAttribute()
    started_at = UnicodeAttribute()
    next_step = NumberAttribute(default=0)
    sent = NumberAttribute(default=0)
    unopened = NumberAttribute(default=0)  # emails sent since the last open (seed 000's silence)
    wake_at = UnicodeAttribute(null=True)
    sending = NumberAttribute(null=True)  # the step being sent: a retry after a crash sends it again
    big_bang_at = UnicodeAttribute(null=True)
    ended = UnicodeAttribute(null=True)
    ended_at = UnicodeAttribute(null=True)


_PersonFields = type("_PersonFields", (), {
    lead_field.name: UnicodeAttribute(null=lead_field.default is not ...) for lead_field in OWN_ATTRIBUTES})
"""The declared fields a lead keeps as attributes of their own (crm.models.lead_fields), all text: name, email,
company ... The person's other fields live in the lead's maps: first_touch, consent and qualification."""


class LeadItem(CrmItem, _PersonFields, discriminator="Lead"):
    lead_id = UnicodeAttribute()
    qualification = JSONAttribute(null=True)  # the answers to the qualification questions (budget, need ...)
    score = NumberAttribute(null=True)
    temperature = UnicodeAttribute(null=True)
    cycle = UnicodeAttribute(null=True)
    score_parts = JSONAttribute(null=True)
    first_touch = FirstTouch()
    touch_count = NumberAttribute(default=1)
    last_touch_at = UnicodeAttribute()
    consent = Consent(null=True)
    status = UnicodeAttribute(default="new")
    owner_id = UnicodeAttribute()
    assignment_reason = UnicodeAttribute()
    created_at = UnicodeAttribute()
    first_contact_due_at = UnicodeAttribute(null=True)  # the SLA deadline: expected buyers only (L4)
    first_contact_at = UnicodeAttribute(null=True)
    seconds_to_first_contact = NumberAttribute(null=True)
    escalations = NumberAttribute(default=0)
    attempts_without_response = NumberAttribute(default=0)
    answered_calls = NumberAttribute(default=0)
    replies = NumberAttribute(default=0)
    previous_owner_ids = JSONAttribute(default=list)
    call_task_id = UnicodeAttribute(null=True)  # the task a first contact completes; none for a cold lead
    lifecycle_execution = UnicodeAttribute(null=True)
    # set while the lead waits (GSI2) for the reconciler to resume a run that ended unfinished: where it stood
    # ("nurture", "route" once the rep was told, none: from the start) and how many runs it resumed already
    lifecycle_resume = UnicodeAttribute(null=True)
    lifecycle_resumes = NumberAttribute(default=0)
    # nurture (L7): progress through the sequence, kept on the lead so every wake-up re-reads it
    nurture = NurtureState(null=True)
    opens = NumberAttribute(default=0)
    clicks = NumberAttribute(default=0)
    promoted_at = UnicodeAttribute(null=True)
    # consent and deliverability
    unsubscribe_token = UnicodeAttribute(null=True)
    unsubscribed_at = UnicodeAttribute(null=True)
    # consent renewed by an unauthenticated post after an unsubscribe or a suppression, until the person confirms it
    # from the email we sent: {"wording", "at", "token"} (crm.services.consent)
    consent_pending = JSONAttribute(null=True)
    email_suppressed = UnicodeAttribute(null=True)  # why: "bounce" or "complaint"
    sms_opt_out = BooleanAttribute(default=False)
    # keeping and deleting (L9)
    junk = JSONAttribute(null=True)  # {"reason", "by", "at"}
    deletion_request = JSONAttribute(null=True)  # {"reason", "by", "at", "decision", ...}
    erased_at = UnicodeAttribute(null=True)  # a tombstone: personal data gone, counts kept
    # conversion (L10)
    converted_at = UnicodeAttribute(null=True)
    account_id = UnicodeAttribute(null=True)
    contact_id = UnicodeAttribute(null=True)
    deal_id = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @classmethod
    def key(cls, lead_id: str) -> tuple[str, str]:
        return lead_pk(lead_id), "LEAD"

    def automation_facts(self) -> AutomationFacts:
        return AutomationFacts(status=self.status, cycle=self.cycle, converted=bool(self.converted_at),
                               erased=bool(self.erased_at), junk=bool(self.junk))

    @staticmethod
    def leave_pending_queue() -> list[Action]:
        """Update actions that take a lead out of the queue of leads whose workflow has not started."""
        return [LeadItem.GSI2PK.remove(), LeadItem.GSI2SK.remove()]

    @staticmethod
    def back_in_pending_queue(since: str, resume: str | None) -> list[Action]:
        """Update actions that queue a lead whose run ended unfinished, for the reconciler to resume from `resume`."""
        return [LeadItem.GSI2PK.set(LIFECYCLE_PENDING), LeadItem.GSI2SK.set(since),
                LeadItem.lifecycle_resume.set(resume) if resume else LeadItem.lifecycle_resume.remove()]

    @staticmethod
    def owner_keys(owner_id: str, created_at: str) -> dict[str, str]:
        return {"GSI1PK": owner_leads_pk(owner_id), "GSI1SK": created_at}


class ContactPointItem(CrmItem, discriminator="ContactPoint"):
    """One item per email or phone: written in the same transaction as the lead, so a person is one lead."""

    lead_id = UnicodeAttribute()

    @staticmethod
    def email_pk(email: str) -> str:
        return f"EMAIL#{email}"

    @staticmethod
    def phone_pk(phone: str) -> str:
        return f"PHONE#{phone}"

    @classmethod
    def build(cls, pk: str, lead_id: str) -> ContactPointItem:
        return cls(pk, "CONTACT_POINT", lead_id=lead_id)


class TimelineEventItem(CrmItem, discriminator="TimelineEvent"):
    """Something that happened to a record: a touch, an assignment, an activity, an escalation."""

    event_type = UnicodeAttribute()
    at = UnicodeAttribute()
    data = JSONAttribute(default=dict)
    # A new event made while an idempotent request is answered names the record that keeps the answer: the answer
    # may quote the person, and erasing them (L9) finds it here.
    idempotency_record = UnicodeAttribute(null=True, default_for_new=answering)

    @staticmethod
    def sort_key(event_id: str) -> str:
        return f"EVENT#{event_id}"

    @classmethod
    def build(cls, record_pk: str, event_type: str, at: str, data: dict) -> TimelineEventItem:
        """A new event on a record's timeline; ULID sort keys keep the timeline in time order."""
        return cls(record_pk, cls.sort_key(str(ULID())), event_type=event_type, at=at, data=data)


class LeadNotFoundError(NotFoundError):
    """No such lead (or only its tombstone, for writes about the person): a 404."""


def get_lead(lead_id: str) -> LeadItem | None:
    pk, sk = LeadItem.key(lead_id)
    try:
        return LeadItem.get(pk, sk, consistent_read=True)
    except LeadItem.DoesNotExist:
        return None


def contact_point_owners(email: str | None, phone: str | None) -> dict[str, str]:
    """Which lead owns this email and this phone (unique-item key -> lead id): one BatchGet."""
    keys = []
    if email:
        keys.append((ContactPointItem.email_pk(email), "CONTACT_POINT"))
    if phone:
        keys.append((ContactPointItem.phone_pk(phone), "CONTACT_POINT"))
    return {item.PK: item.lead_id for item in ContactPointItem.batch_get(keys, consistent_read=True)}


def timeline(record_pk: str, limit: int = 100) -> list[TimelineEventItem]:
    """Newest first."""
    return list(TimelineEventItem.query(record_pk, TimelineEventItem.SK.startswith("EVENT#"),
                                        scan_index_forward=False, limit=limit))
