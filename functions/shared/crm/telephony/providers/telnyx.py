"""Telnyx Call Control: JSON webhooks signed with Ed25519 over "<telnyx-timestamp>|<raw body>" (5-minute window).

A call is its `call_session_id` (every leg of one call shares it). `client_state`, which Telnyx echoes from the
command that made a leg, may hold base64 JSON hints set by the CRM's click-to-call: `direction`, `customer`,
`line`, `rep`, and `leg: "rep"` for the leg ringing the rep's own phone, which is not the customer's call.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from crm.telephony.events import BadEventError, CallEvent, RepHint, SignatureError, utc
from crm.telephony.providers.base import WebhookRequest, call_event, phone, stale

SIGNATURE_HEADER = "telnyx-signature-ed25519"
TIMESTAMP_HEADER = "telnyx-timestamp"
STAGES = {"call.initiated": ("ringing", "initiated"), "call.answered": ("answered", "answered"),
          "call.hangup": ("ended", None), "call.recording.saved": ("recording", None)}
HANGUP_STATUSES = {"normal_clearing": "completed", "time_limit": "completed", "user_busy": "busy",
                   "call_rejected": "busy", "timeout": "no-answer", "no_answer": "no-answer",
                   "originator_cancel": "canceled"}
DIRECTIONS = {"incoming": "inbound", "outgoing": "outbound"}


class TelnyxProvider:
    name = "telnyx"

    def __init__(self, public_key: str, default_region: str) -> None:
        """`public_key`: the account's Ed25519 public key, base64 (Mission Control, Keys & Credentials)."""
        self.public_key, self.default_region = public_key, default_region

    def verify(self, request: WebhookRequest) -> None:
        if not self.public_key:
            raise SignatureError("telnyx is not configured")
        signature, timestamp = request.headers.get(SIGNATURE_HEADER), request.headers.get(TIMESTAMP_HEADER)
        if not signature or not timestamp:
            raise SignatureError(f"missing {SIGNATURE_HEADER} or {TIMESTAMP_HEADER}", missing=True)
        try:
            signed_at = int(timestamp)
        except ValueError:
            raise SignatureError(f"bad {TIMESTAMP_HEADER}") from None
        if stale(signed_at, request.now):
            raise SignatureError(f"stale {TIMESTAMP_HEADER}: more than 5 minutes from now")
        from nacl.exceptions import BadSignatureError, CryptoError
        from nacl.signing import VerifyKey

        try:
            key = VerifyKey(base64.b64decode(self.public_key, validate=True))
        except (binascii.Error, ValueError, CryptoError):
            raise SignatureError("the configured telnyx public key is not a base64 Ed25519 key") from None
        try:
            key.verify(timestamp.encode() + b"|" + request.body, base64.b64decode(signature, validate=True))
        except (binascii.Error, ValueError, BadSignatureError):
            raise SignatureError(f"bad {SIGNATURE_HEADER}") from None

    def parse(self, request: WebhookRequest) -> list[CallEvent]:
        try:
            document = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise BadEventError("body", "not JSON") from None
        data = document.get("data") if isinstance(document, dict) else None
        if not isinstance(data, dict):
            raise BadEventError("data", "missing: not a Telnyx webhook")
        event_type = data.get("event_type")
        payload = data.get("payload")
        if not isinstance(event_type, str):
            raise BadEventError("data.event_type", "missing")
        if event_type not in STAGES:
            if event_type.startswith("call."):
                return []  # bridged, dtmf, playback...: a Call Control step, not a change the CRM logs
            raise BadEventError("data.event_type", f"unknown event {event_type!r}")
        if not isinstance(payload, dict):
            raise BadEventError("data.payload", "missing")
        hints = _client_state(payload.get("client_state"))
        if hints.get("leg") == "rep":
            return []  # click-to-call ringing the rep's own phone; the customer's leg tells the call
        return [self._event(event_type, data, payload, hints, request.now)]

    def _event(self, event_type: str, data: dict[str, Any], payload: dict[str, Any], hints: dict[str, Any],
               now: datetime) -> CallEvent:
        stage, status = STAGES[event_type]
        direction = hints.get("direction") or DIRECTIONS.get(str(payload.get("direction")))
        if "direction" in hints and direction not in ("inbound", "outbound"):
            raise BadEventError("client_state.direction", f"must be inbound or outbound, not {direction!r}")
        if direction not in ("inbound", "outbound"):
            raise BadEventError("data.payload.direction", f"must be incoming or outgoing, not "
                                                          f"{payload.get('direction')!r}")
        customer_field = "from" if direction == "inbound" else "to"
        customer = phone(hints["customer"], "client_state.customer", self.default_region) if hints.get("customer") \
            else phone(payload.get(customer_field), f"data.payload.{customer_field}", self.default_region)
        line = self._number(hints.get("line") or payload.get("to" if direction == "inbound" else "from"))
        rep_number = self._number(hints.get("rep"))
        fields: dict[str, Any] = {}
        if stage == "ended":
            cause = str(payload.get("hangup_cause") or "unspecified")
            fields = {"status": HANGUP_STATUSES.get(cause, "failed"), "hangup_cause": cause,
                      "duration_seconds": _duration(payload, "start_time", "end_time")}
        elif stage == "recording":
            urls = payload.get("recording_urls") or {}
            url = (urls.get("mp3") or urls.get("wav")) if isinstance(urls, dict) else None
            if not isinstance(url, str) or not url:
                raise BadEventError("data.payload.recording_urls", "missing: no mp3 or wav link")
            fields = {"recording_url": url, "recording_id": payload.get("recording_id") or data.get("id"),
                      "duration_seconds": _duration(payload, "recording_started_at", "recording_ended_at")}
        else:
            fields = {"status": status}
        return call_event(provider="telnyx", call_id=payload.get("call_session_id") or "", event=stage,
                          direction=direction, customer=customer, line=line,
                          rep=RepHint(kind="phone", value=rep_number) if rep_number else None,
                          occurred_at=_moment(data.get("occurred_at"), "data.occurred_at") or utc(now), **fields)

    def _number(self, raw: object) -> str | None:
        if not isinstance(raw, str) or not raw:
            return None
        try:
            return phone(raw, "line", self.default_region)
        except BadEventError:
            return None


def _client_state(raw: object) -> dict[str, Any]:
    """The CRM's hints, if the leg carries them; another application's client_state is simply not ours."""
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        state = json.loads(base64.b64decode(raw, validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return {}
    return state if isinstance(state, dict) else {}


def _moment(raw: object, field: str) -> datetime | None:
    if raw is None or raw == "":
        return None
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        raise BadEventError(field, f"not an ISO 8601 time: {raw!r}") from None
    if moment.tzinfo is None:
        raise BadEventError(field, "no time zone")
    return utc(moment)


def _duration(payload: dict[str, Any], start: str, end: str) -> int | None:
    began = _moment(payload.get(start), f"data.payload.{start}")
    ended = _moment(payload.get(end), f"data.payload.{end}")
    return max(0, round((ended - began).total_seconds())) if began and ended else None
