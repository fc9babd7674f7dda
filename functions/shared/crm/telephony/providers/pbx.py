"""Any PBX (Asterisk/FreePBX, 3CX, a Zadarma bridge): our own documented JSON schema, signed with a shared secret.

`X-Crm-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` (several v1 allowed while a secret is
rotated); a `t` more than 5 minutes from now is refused, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from crm.telephony.events import BadEventError, CallEvent, RepHint, SignatureError, utc
from crm.telephony.providers.base import WebhookRequest, call_event, phone, stale

SIGNATURE_HEADER = "x-crm-signature"


class PbxEvent(BaseModel):
    """The documented body. Unknown fields are ignored, so a PBX script may send more than the CRM reads."""

    model_config = ConfigDict(extra="ignore")

    call_id: Annotated[str, Field(min_length=1, max_length=128)]
    event: Literal["ringing", "answered", "ended", "recording"]
    direction: Literal["inbound", "outbound"]
    from_: Annotated[str, Field(alias="from", min_length=1, max_length=64)]
    to: Annotated[str, Field(min_length=1, max_length=64)]
    occurred_at: AwareDatetime
    extension: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    rep_email: Annotated[str, Field(min_length=3, max_length=254)] | None = None
    rep_phone: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    sip_user: Annotated[str, Field(min_length=1, max_length=254)] | None = None
    status: Literal["completed", "busy", "no-answer", "failed", "canceled"] | None = None
    duration: Annotated[int, Field(ge=0, le=7 * 24 * 3600)] | None = None
    hangup_cause: Annotated[str, Field(max_length=64)] | None = None
    recording_url: Annotated[str, Field(min_length=1, max_length=2048)] | None = None
    recording_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The X-Crm-Signature value for `body` sent at `timestamp` (what a PBX script computes with openssl)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class PbxProvider:
    name = "pbx"

    def __init__(self, secret: str, default_region: str) -> None:
        self.secret, self.default_region = secret, default_region

    def verify(self, request: WebhookRequest) -> None:
        if not self.secret:
            raise SignatureError("the PBX route is not configured")
        header = request.headers.get(SIGNATURE_HEADER)
        if not header:
            raise SignatureError(f"missing {SIGNATURE_HEADER}", missing=True)
        parts = [part.strip().partition("=") for part in header.split(",")]
        stamps = [value for name, _, value in parts if name == "t"]
        signatures = [value for name, _, value in parts if name == "v1"]
        if len(stamps) != 1 or not stamps[0].isdigit() or not signatures:
            raise SignatureError(f"bad {SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256> expected")
        if stale(int(stamps[0]), request.now):
            raise SignatureError(f"stale {SIGNATURE_HEADER}: t is more than 5 minutes from now")
        expected = sign(self.secret, request.body, int(stamps[0])).partition(",v1=")[2]
        if not any(hmac.compare_digest(expected, signature) for signature in signatures):
            raise SignatureError(f"bad {SIGNATURE_HEADER}")

    def parse(self, request: WebhookRequest) -> list[CallEvent]:
        try:
            document = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise BadEventError("body", "not JSON") from None
        if not isinstance(document, dict):
            raise BadEventError("body", "not a JSON object")
        try:
            event = PbxEvent.model_validate(document)
        except ValidationError as error:
            first = error.errors()[0]
            raise BadEventError(".".join(str(part) for part in first["loc"]) or "body", first["msg"]) from None
        return [self._event(event)]

    def _event(self, event: PbxEvent) -> CallEvent:
        customer_field, line_field = ("from", "to") if event.direction == "inbound" else ("to", "from")
        customer = phone(event.from_ if customer_field == "from" else event.to, customer_field, self.default_region)
        fields: dict[str, Any] = {"duration_seconds": event.duration, "hangup_cause": event.hangup_cause}
        if event.event == "ended":
            fields["status"] = event.status or "completed"
        elif event.event == "recording":
            if not event.recording_url:
                raise BadEventError("recording_url", "missing: a recording event links its audio")
            fields["recording_url"] = event.recording_url
            fields["recording_id"] = event.recording_id or hashlib.sha256(event.recording_url.encode()).hexdigest()[:32]
        else:
            fields["status"] = event.event
        return call_event(provider="pbx", call_id=event.call_id, event=event.event, direction=event.direction,
                          customer=customer, line=self._line(event.to if line_field == "to" else event.from_),
                          rep=self._rep(event), occurred_at=utc(event.occurred_at), **fields)

    def _line(self, raw: str) -> str | None:
        try:
            return phone(raw, "line", self.default_region)
        except BadEventError:
            return None  # an extension ("201") on the CRM's side of the call is not a line number

    def _rep(self, event: PbxEvent) -> RepHint | None:
        if event.extension:
            return RepHint(kind="extension", value=event.extension)
        if event.rep_email:
            return RepHint(kind="email", value=event.rep_email.strip().lower())
        if event.rep_phone:
            return RepHint(kind="phone", value=phone(event.rep_phone, "rep_phone", self.default_region))
        if event.sip_user:
            return RepHint(kind="sip", value=event.sip_user)
        return None
