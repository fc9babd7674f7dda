"""Click-to-call (T4): the provider rings the rep's own phone, then connects the customer; the call is logged from
the provider's webhooks like any other. Without a provider the site offers a tel: link instead."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import PutError

from crm.clock import to_iso
from crm.data.calls import CallItem, phone_records
from crm.data.people import UserItem
from crm.domain.calls import call_id
from crm.errors import ConflictError, InvalidError, UnavailableError
from crm.observability import count, logger
from crm.reasons import Reason

DIALERS = ("twilio", "telnyx")  # the providers that can place a call, in the order one is chosen


def dialer() -> str | None:
    """The provider click-to-call uses: the first one whose credentials are in the telephony secret."""
    from crm.telephony.secrets import telephony_secret

    secret = telephony_secret()
    if secret.twilio_account_sid and secret.twilio_auth_token and secret.twilio_number:
        return "twilio"
    if secret.telnyx_api_key and secret.telnyx_connection_id and secret.telnyx_number:
        return "telnyx"
    return None


def dialer_if_known() -> str | None:
    """The dialer, for a page deciding between a Call button and a tel: link: the telephony secret out of reach
    (Secrets Manager slow or down) is no reason to fail the page; it offers the tel: link meanwhile."""
    from crm.errors import is_outage

    try:
        return dialer()
    except Exception as error:
        if not is_outage(error):
            raise
        logger.warning("telephony secret unreadable; offering tel: links", extra={"error": str(error)})
        return None


def record_phone(kind: str, record_id: str, viewer: UserItem) -> tuple[str, list[tuple[str, str]]]:
    """The number a call from this record dials, and the records the call belongs on (the page's, then whoever
    else holds the number); NotFoundError unless the viewer may work on the record."""
    from crm.services.records import writable_record

    record = writable_record(kind, record_id, viewer)
    phone = getattr(record, "phone", None)
    if not phone and kind == "deal":
        person = ("contact", record.contact_id) if record.contact_id else ("lead", record.lead_id) \
            if record.lead_id else None
        if person is not None:
            phone = getattr(writable_record(*person, viewer), "phone", None)
    if not phone:
        raise InvalidError("phone", Reason("record_has_no_phone"))
    records = [(kind, record_id)] if kind in ("lead", "contact") else []
    return phone, records + [found for found in phone_records(phone) if found not in records]


def place_call(kind: str, record_id: str, viewer: UserItem, now: datetime) -> dict[str, Any]:
    """Asks the provider to ring the viewer and connect the record's number; the call item is written at once (the
    provider's events find it by its id), so its webhooks log it on this record and credit this rep."""
    from crm.settings import get_settings
    from crm.telephony.providers.dialer import DialError
    from crm.telephony.providers.dialer import place_call as dial

    customer, records = record_phone(kind, record_id, viewer)
    if not viewer.phone:
        raise InvalidError("phone", Reason("your_phone_missing"))
    provider = dialer()
    if provider is None:
        raise ConflictError(Reason("telephony_not_configured"), {"tel": f"tel:{customer}"})
    try:
        provider_call_id = dial(provider, viewer.phone, customer, public_url=get_settings().telephony_public_url)
    except DialError as error:
        if error.retryable:
            raise UnavailableError(str(error)) from error
        raise InvalidError("phone", Reason("provider_refused", detail=str(error)[:200])) from error
    at = to_iso(now)
    identifier = call_id(provider, provider_call_id)
    call = CallItem(*CallItem.key(identifier), call_id=identifier, provider=provider,
                    provider_call_id=provider_call_id, direction="outbound", customer=customer,
                    rep_id=viewer.user_id, status="initiated", started_at=at,
                    matches=[{"kind": found_kind, "id": found_id} for found_kind, found_id in records],
                    **CallItem.rep_keys(viewer.user_id, at))
    try:
        call.save(condition=CallItem.PK.does_not_exist())
    except PutError as error:  # the provider's first webhook was faster: it made the call item already
        if getattr(error, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise
    count("ClickToCall")
    return {"call_id": identifier, "provider": provider, "status": "initiated", "customer": customer}
