"""Click-to-call: the provider rings the rep's phone first, then bridges the rep to the customer.

Plain urllib to the providers' REST APIs (no SDK to import on a cold start); the base URLs come from env
TWILIO_API_URL / TELNYX_API_URL, so the local provider simulator can stand in for both.

- Twilio: one Calls.json request; its TwiML dials the customer once the rep answers. Only the customer's leg reports
  status (with the call's hints in its callback URL), so the rep's own leg is never logged as the customer's call.
- Telnyx: Call Control dials the rep's leg (client_state marks it `leg: rep`); when its call.answered arrives, the
  webhook handler calls `continue_call`, which dials the customer linked to it (same call_session_id) and bridges
  the two on answer.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode

from crm.telephony.providers.base import WebhookRequest
from crm.telephony.providers.twiml import dial_customer, with_hints
from crm.telephony.secrets import TelephonySecret, telephony_secret

TWILIO_API_URL = "https://api.twilio.com"
TELNYX_API_URL = "https://api.telnyx.com"
REQUEST_TIMEOUT_SECONDS = 8.0
REP_RING_SECONDS = 30


class DialError(Exception):
    """The provider did not take the call: not configured, refused (4xx: fix the request) or unreachable (retry)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500


def place_call(provider: str, rep_phone: str, customer: str, *, public_url: str,
               secret: TelephonySecret | None = None, timeout: float = REQUEST_TIMEOUT_SECONDS) -> str:
    """Asks `provider` to ring `rep_phone` and then connect `customer` (both E.164); returns the provider's id of
    the call as its webhooks will name it (Twilio: the parent CallSid; Telnyx: the call_session_id). `public_url` is
    the webhooks' base (TELEPHONY_PUBLIC_URL)."""
    secret = secret if secret is not None else telephony_secret()
    base = public_url.rstrip("/")
    if provider == "twilio":
        return _twilio_call(secret, rep_phone, customer, base, timeout)
    if provider == "telnyx":
        return _telnyx_rep_leg(secret, rep_phone, customer, base, timeout)
    raise DialError(f"{provider} cannot place calls", 400)


def continue_call(provider: str, request: WebhookRequest, *, public_url: str,
                  secret: TelephonySecret | None = None, timeout: float = REQUEST_TIMEOUT_SECONDS) -> bool:
    """Telnyx click-to-call's second half, for a verified webhook: on the rep leg's call.answered, dials the customer
    and bridges them on answer. True when it did; False for every other request (and every other provider)."""
    if provider != "telnyx":
        return False
    try:
        data = json.loads(request.body)["data"]
        payload = data["payload"]
        state = json.loads(base64.b64decode(payload["client_state"]))
    except (ValueError, KeyError, TypeError):
        return False
    if data.get("event_type") != "call.answered" or not isinstance(state, dict) or state.get("leg") != "rep" \
            or not isinstance(state.get("customer"), str):
        return False
    secret = secret if secret is not None else telephony_secret()
    hints = {"direction": "outbound", "customer": state["customer"], "line": state.get("line"),
             "rep": state.get("rep")}
    _telnyx_post(secret, {"connection_id": secret.telnyx_connection_id, "to": state["customer"],
                          "from": secret.telnyx_number, "link_to": payload["call_control_id"],
                          "bridge_intent": True, "bridge_on_answer": True, "record": "record-from-answer",
                          "record_format": "mp3", "webhook_url": f"{public_url.rstrip('/')}/telephony/telnyx",
                          "client_state": _state(hints)}, timeout)
    return True


def _twilio_call(secret: TelephonySecret, rep_phone: str, customer: str, base: str, timeout: float) -> str:
    if not (secret.twilio_account_sid and secret.twilio_auth_token and secret.twilio_number):
        raise DialError("twilio is not configured")
    line = secret.twilio_number
    status_url = with_hints(f"{base}/telephony/twilio/status", "outbound", customer, line=line, rep=rep_phone)
    recording_url = with_hints(f"{base}/telephony/twilio/recording", "outbound", customer, line=line, rep=rep_phone)
    form = {"To": rep_phone, "From": line, "Timeout": str(REP_RING_SECONDS),
            "Twiml": dial_customer(customer, line, status_url, recording_url)}
    api = os.environ.get("TWILIO_API_URL") or TWILIO_API_URL
    credentials = base64.b64encode(f"{secret.twilio_account_sid}:{secret.twilio_auth_token}".encode()).decode()
    answer = _post("twilio", f"{api.rstrip('/')}/2010-04-01/Accounts/{secret.twilio_account_sid}/Calls.json",
                   urlencode(form).encode(), {"Authorization": f"Basic {credentials}",
                                              "Content-Type": "application/x-www-form-urlencoded"}, timeout)
    if not isinstance(answer.get("sid"), str):
        raise DialError("twilio answered no call sid", 502)
    return answer["sid"]


def _telnyx_rep_leg(secret: TelephonySecret, rep_phone: str, customer: str, base: str, timeout: float) -> str:
    line = secret.telnyx_number
    hints = {"leg": "rep", "direction": "outbound", "customer": customer, "line": line, "rep": rep_phone}
    answer = _telnyx_post(secret, {"connection_id": secret.telnyx_connection_id, "to": rep_phone, "from": line,
                                   "timeout_secs": REP_RING_SECONDS, "webhook_url": f"{base}/telephony/telnyx",
                                   "client_state": _state(hints)}, timeout)
    session = answer.get("data", {}).get("call_session_id") if isinstance(answer.get("data"), dict) else None
    if not isinstance(session, str):
        raise DialError("telnyx answered no call_session_id", 502)
    return session


def _telnyx_post(secret: TelephonySecret, command: dict[str, Any], timeout: float) -> dict[str, Any]:
    if not (secret.telnyx_api_key and secret.telnyx_connection_id and secret.telnyx_number):
        raise DialError("telnyx is not configured")
    api = os.environ.get("TELNYX_API_URL") or TELNYX_API_URL
    return _post("telnyx", f"{api.rstrip('/')}/v2/calls", json.dumps(command).encode(),
                 {"Authorization": f"Bearer {secret.telnyx_api_key}", "Content-Type": "application/json"}, timeout)


def _state(hints: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps({key: value for key, value in hints.items() if value}).encode()).decode()


def _post(provider: str, url: str, body: bytes, headers: dict[str, str], timeout: float) -> dict[str, Any]:
    from urllib.request import Request, urlopen

    request = Request(url, data=body, headers={**headers, "Accept": "application/json"}, method="POST")
    try:
        with urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read() or b"{}")
    except HTTPError as error:
        detail = error.read()[:300].decode("utf-8", "replace")
        raise DialError(f"{provider} answered {error.code}: {detail}", error.code) from None
    except (URLError, TimeoutError, OSError) as error:
        raise DialError(f"{provider} is unreachable: {error}") from None
    except ValueError:
        raise DialError(f"{provider} answered something that is not JSON", 502) from None
    return answer if isinstance(answer, dict) else {}
