"""Telephony for signed-in users (T2, T4): who holds a number, and click-to-call from a record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.routing import Routes, query

if TYPE_CHECKING:
    from crm.data.people import UserItem

routes = Routes(__name__)


@routes("/api/lookup", machine="crm/records.read", query=("phone",))
def lookup(viewer: UserItem) -> dict[str, Any]:
    """The leads and contacts holding a number (any format; national numbers in the deployment's region) that the
    viewer may see, with what the call popup shows of them."""
    from pydantic_core import PydanticCustomError

    from crm.domain.contact_points import normalize_phone
    from crm.errors import InvalidError
    from crm.reasons import Reason
    from crm.services.screen_pop import lookup as phone_lookup
    from crm.settings import get_settings

    raw = (query("phone") or "").strip()
    if not raw:
        raise InvalidError("phone", Reason.worded("missing", "is required", {}))
    try:
        phone = normalize_phone(raw, get_settings().default_phone_region)
    except PydanticCustomError as error:
        raise InvalidError("phone", Reason(error.type)) from None
    return phone_lookup(phone, viewer)


@routes("/api/records/{kind}/{record_id}/call", "POST", status=201, machine="crm/activities.write",
         conflict="Conflict")
def call(viewer: UserItem, kind: str, record_id: str) -> dict[str, Any]:
    """Rings the signed-in user's phone, then connects the record's number; 409 with a tel: link when no provider
    is configured."""
    from crm.clock import utcnow
    from crm.services.click_to_call import place_call

    return place_call(kind, record_id, viewer, utcnow())
