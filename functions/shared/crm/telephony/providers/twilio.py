"""Twilio: form-encoded webhooks signed with X-Twilio-Signature (HMAC over the URL Twilio called and the fields).

Status and recording callback URLs may carry hints in their query string (signed with the rest, as Twilio signs
the whole URL): `direction` (inbound|outbound), `customer`, `line`, `rep` (phone numbers). The CRM's own TwiML and
click-to-call set them, because a <Dial> leg's From and To are the rep's and the caller id's rather than the
call's, and a recording callback names no numbers at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit, urlunsplit

from crm.telephony.events import BadEventError, CallEvent, RepHint, SignatureError, stage_of, utc
from crm.telephony.providers.base import WebhookRequest, call_event, phone

SIGNATURE_HEADER = "x-twilio-signature"
STATUSES = {"queued": "initiated", "initiated": "initiated", "ringing": "ringing", "in-progress": "answered",
            "answered": "answered", "completed": "completed", "busy": "busy", "no-answer": "no-answer",
            "failed": "failed", "canceled": "canceled"}
UNUSED_RECORDING_STATUSES = frozenset({"in-progress", "absent", "failed"})


class _Form(dict[str, list[str]]):
    """Every value of a repeated field (the signature covers each one)."""

    def last(self, name: str) -> str | None:
        values = self.get(name)
        return values[-1] if values else None


def _form(text: str) -> _Form:
    return _Form(parse_qs(text, keep_blank_values=True))


def twilio_signature(auth_token: str, url: str, params: dict[str, list[str]]) -> str:
    """Twilio's signature of a form webhook: HMAC-SHA1 with the account's auth token over the URL it called, then
    each field's name and value (names sorted, a repeated field's values sorted), base64. The stdlib does it: the
    `twilio` package would bring requests and aiohttp into the layer of every function for these lines; the tests
    sign with its RequestValidator and check the two agree."""
    data = url + "".join(name + value for name in sorted(params) for value in sorted(set(params[name])))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def _url_variants(url: str) -> list[str]:
    """The URL as called, and with its default port written or left out: Twilio signs either, as its own validator
    accepts both."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    bare = urlunsplit(parts._replace(netloc=host)) if parts.port else url
    default = 443 if parts.scheme == "https" else 80
    with_port = url if parts.port else urlunsplit(parts._replace(netloc=f"{host}:{default}"))
    return list(dict.fromkeys((url, bare, with_port)))


class TwilioProvider:
    name = "twilio"

    def __init__(self, auth_token: str, default_region: str) -> None:
        self.auth_token, self.default_region = auth_token, default_region

    def verify(self, request: WebhookRequest) -> None:
        if not self.auth_token:
            raise SignatureError("twilio is not configured")
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            raise SignatureError(f"missing {SIGNATURE_HEADER}", missing=True)
        params = _form(request.body.decode("utf-8", "replace"))
        if not any(hmac.compare_digest(signature, twilio_signature(self.auth_token, url, params))
                   for url in _url_variants(request.url)):
            raise SignatureError(f"bad {SIGNATURE_HEADER}")

    def parse(self, request: WebhookRequest) -> list[CallEvent]:
        try:
            form = _form(request.body.decode("utf-8"))
        except UnicodeDecodeError:
            raise BadEventError("body", "not UTF-8 form fields") from None
        hints = _Form(parse_qs(urlsplit(request.url).query))
        if form.last("RecordingSid") is not None:
            return self._recording(form, hints, request.now)
        if form.last("CallStatus") is not None:
            return [self._status(form, hints, request.now)]
        raise BadEventError("CallStatus", "missing: not a Twilio call webhook")

    def _status(self, form: _Form, hints: _Form, now: datetime) -> CallEvent:
        raw_status = form.last("CallStatus") or ""
        status = STATUSES.get(raw_status)
        if status is None:
            raise BadEventError("CallStatus", f"unknown status {raw_status!r}")
        parent = form.last("ParentCallSid")
        direction = self._direction(form, hints, child=bool(parent))
        customer_field = "From" if direction == "inbound" else "To"
        customer = phone(hints.last("customer"), "customer", self.default_region) if hints.last("customer") \
            else phone(form.last(customer_field), customer_field, self.default_region)
        line = self._number(hints.last("line"))
        if line is None and not parent:
            line = self._number(form.last("To" if direction == "inbound" else "From"))
        rep = self._rep(hints.last("rep")) or (self._rep(form.last("To")) if parent and direction == "inbound"
                                                else None)
        return call_event(provider="twilio", call_id=parent or form.last("CallSid") or "", event=stage_of(status),
                          direction=direction, customer=customer, line=line, rep=rep,
                          occurred_at=self._timestamp(form.last("Timestamp"), now), status=status,
                          duration_seconds=_seconds(form.last("CallDuration"), "CallDuration"))

    def _recording(self, form: _Form, hints: _Form, now: datetime) -> list[CallEvent]:
        recording_status = form.last("RecordingStatus") or "completed"
        if recording_status in UNUSED_RECORDING_STATUSES:
            return []  # no audio to keep: nothing to log, and nothing Twilio should send again
        if recording_status != "completed":
            raise BadEventError("RecordingStatus", f"unknown recording status {recording_status!r}")
        if not form.last("RecordingUrl"):
            raise BadEventError("RecordingUrl", "missing")
        direction = self._direction(form, hints, child=False)
        return [call_event(provider="twilio", call_id=form.last("CallSid") or "", event="recording",
                           direction=direction, customer=phone(hints.last("customer"), "customer",
                                                               self.default_region),
                           line=self._number(hints.last("line")), rep=self._rep(hints.last("rep")),
                           occurred_at=utc(now), duration_seconds=_seconds(form.last("RecordingDuration"),
                                                                           "RecordingDuration"),
                           recording_url=form.last("RecordingUrl"), recording_id=form.last("RecordingSid"))]

    @staticmethod
    def _direction(form: _Form, hints: _Form, child: bool) -> str:
        """The call's direction: the URL's hint, else Twilio's (a <Dial> leg is "outbound-dial" even when it rings
        a rep for a caller, so without a hint a child leg belongs to an inbound call)."""
        hinted = hints.last("direction")
        if hinted is not None:
            if hinted not in ("inbound", "outbound"):
                raise BadEventError("direction", f"must be inbound or outbound, not {hinted!r}")
            return hinted
        return "inbound" if form.last("Direction") == "inbound" or child else "outbound"

    def _number(self, raw: str | None) -> str | None:
        """Our line or the rep's phone when it is a number; a SIP address or a client name is not an error."""
        if not raw:
            return None
        try:
            return phone(raw, "line", self.default_region)
        except BadEventError:
            return None

    def _rep(self, raw: str | None) -> RepHint | None:
        if not raw:
            return None
        if raw.startswith("sip:"):
            return RepHint(kind="sip", value=raw.removeprefix("sip:").split(";")[0][:254])
        if raw.startswith("client:"):
            return RepHint(kind="sip", value=raw.removeprefix("client:")[:254])
        number = self._number(raw)
        return RepHint(kind="phone", value=number) if number else None

    @staticmethod
    def _timestamp(raw: str | None, now: datetime) -> datetime:
        if not raw:
            return utc(now)
        try:
            moment = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            raise BadEventError("Timestamp", f"not an RFC 2822 date: {raw!r}") from None
        return utc(moment) if moment.tzinfo else moment.replace(tzinfo=UTC)  # "-0000": UTC, RFC 2822 says


def _seconds(raw: str | None, field: str) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        seconds = int(raw)
    except ValueError:
        raise BadEventError(field, f"not a whole number of seconds: {raw!r}") from None
    if seconds < 0:
        raise BadEventError(field, "negative")
    return seconds
