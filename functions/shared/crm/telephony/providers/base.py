"""The one interface every provider implements: verify the raw request first, then read it into call events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from crm.telephony.events import CallEvent

MAX_SIGNATURE_AGE_SECONDS = 300
"""Telnyx's and our PBX scheme's replay window: a signed timestamp older (or further ahead) than this is stale."""


@dataclass(frozen=True)
class WebhookRequest:
    url: str  # the full public URL the provider called, query string included
    headers: Mapping[str, str]  # lower-case names
    body: bytes  # raw body
    now: datetime


class Provider(Protocol):
    name: str

    def verify(self, request: WebhookRequest) -> None:
        """Raises SignatureError unless the request is provably the provider's and fresh."""

    def parse(self, request: WebhookRequest) -> list[CallEvent]:
        """The call events the request tells (none for a leg the CRM does not log); raises BadEventError."""


def phone(raw: object, field: str, region: str) -> str:
    """E.164, or BadEventError naming the field (a SIP URI or "anonymous" is not a number the CRM can match)."""
    from pydantic_core import PydanticCustomError

    from crm.domain.contact_points import normalize_phone
    from crm.telephony.events import BadEventError

    if not isinstance(raw, str) or not raw.strip():
        raise BadEventError(field, "missing")
    try:
        return normalize_phone(raw.strip(), region)
    except PydanticCustomError as error:
        raise BadEventError(field, f"not a phone number: {raw!r} ({error.type})") from None


def call_event(**fields: Any) -> CallEvent:
    """A CallEvent, or BadEventError naming the first field pydantic refused."""
    from pydantic import ValidationError

    from crm.telephony.events import BadEventError, CallEvent

    try:
        return CallEvent(**fields)
    except ValidationError as error:
        first = error.errors()[0]
        raise BadEventError(".".join(str(part) for part in first["loc"]) or "body", first["msg"]) from None


def stale(signed_at: int, now: datetime) -> bool:
    return abs(now.timestamp() - signed_at) > MAX_SIGNATURE_AGE_SECONDS
