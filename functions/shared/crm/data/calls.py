"""A phone call (T1), the receipts of its provider events, and the records its number matches.

A call is one item, PK `CALL#<call id>` (crm.domain.calls.call_id: derived from the provider's id, so every event
finds it by key). Each provider event taken in leaves a receipt beside it, SK `EVENT#<event>[#<recording id>]`,
written in the same transaction as what the event changed: a delivery seen before is refused by its receipt and
writes nothing. A rep's calls sit in GSI1 under `OWNER#<rep>#CALLS`, by when they started.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from crm.data.imports import ContactKeyItem
from crm.data.leads import ContactPointItem, get_lead
from crm.data.table import CrmItem


def call_pk(call_id: str) -> str:
    return f"CALL#{call_id}"


class CallItem(CrmItem, discriminator="Call"):
    call_id = UnicodeAttribute()
    provider = UnicodeAttribute()
    provider_call_id = UnicodeAttribute()
    direction = UnicodeAttribute()  # inbound | outbound
    customer = UnicodeAttribute()  # E.164
    line = UnicodeAttribute(null=True)  # our number the call used
    rep_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # crm.domain.calls: initiated ringing answered completed busy no-answer failed canceled
    started_at = UnicodeAttribute()
    ringing_at = UnicodeAttribute(null=True)
    answered_at = UnicodeAttribute(null=True)
    ended_at = UnicodeAttribute(null=True)
    duration_seconds = NumberAttribute(null=True)
    hangup_cause = UnicodeAttribute(null=True)
    matches = JSONAttribute(default=list)  # [{"kind": "lead"|"contact", "id"}]: the records the number matched
    counted = UnicodeAttribute(null=True)  # the outcome once the follow-up rules took it in: answered | unanswered
    created_lead_id = UnicodeAttribute(null=True)  # an unknown caller's lead, made from this call (T5)
    recording_id = UnicodeAttribute(null=True)
    recording_key = UnicodeAttribute(null=True)  # the audio's key in the recordings bucket, once stored
    recording_status = UnicodeAttribute(null=True)  # pending | stored
    revision = NumberAttribute(default=0)  # optimistic lock, set by hand: a retried transaction writes the same one

    @classmethod
    def key(cls, call_id: str) -> tuple[str, str]:
        return call_pk(call_id), "CALL"

    @staticmethod
    def rep_keys(rep_id: str, started_at: str) -> dict[str, str]:
        return {"GSI1PK": f"OWNER#{rep_id}#CALLS", "GSI1SK": started_at}

    @property
    def record_keys(self) -> list[tuple[str, str]]:
        return [(match["kind"], match["id"]) for match in self.matches]


class CallReceiptItem(CrmItem, discriminator="CallReceipt"):
    """A provider event already taken in: its idempotency key."""

    at = UnicodeAttribute()

    @staticmethod
    def sort_key(event: str, recording_id: str | None = None) -> str:
        return f"EVENT#{event}#{recording_id}" if recording_id else f"EVENT#{event}"


def get_call(call_id: str) -> CallItem | None:
    try:
        return CallItem.get(*CallItem.key(call_id), consistent_read=True)
    except CallItem.DoesNotExist:
        return None


def get_calls(call_ids: list[str]) -> dict[str, CallItem]:
    keys = [CallItem.key(call_id) for call_id in dict.fromkeys(call_ids)]
    return {item.call_id: item for item in CallItem.batch_get(keys)} if keys else {}


def phone_records(e164: str) -> list[tuple[str, str]]:
    """The number's lead and contacts, as (kind, id); a converted lead's contact with it (the person is both)."""
    owners = _phone_owners(e164)
    for kind, record_id in list(owners):
        if kind == "lead" and (lead := get_lead(record_id)) is not None and lead.contact_id \
                and ("contact", lead.contact_id) not in owners:
            owners.append(("contact", lead.contact_id))
    return owners


def _phone_owners(e164: str) -> list[tuple[str, str]]:
    """The lead and the imported contact that hold this number, as (kind, id): one BatchGet of their unique items."""
    lead_key, contact_key = ContactPointItem.phone_pk(e164), ContactKeyItem.phone_pk(e164)
    found = {}
    for item in CrmItem.batch_get([(lead_key, "CONTACT_POINT"), (contact_key, "CONTACT_KEY")]):
        found[item.PK] = item
    owners = []
    if lead_key in found:
        owners.append(("lead", found[lead_key].lead_id))
    if contact_key in found:
        owners.append(("contact", found[contact_key].contact_id))
    return owners
