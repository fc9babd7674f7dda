"""Local stand-ins for the telephony providers, so a call runs end to end on 127.0.0.1.

- At start, `set_up_telephony` fills the template's TelephonySecret (in moto) where its fields are empty: a Twilio
  account sid and auth token, a Telnyx Ed25519 key pair and API key, local numbers (kept in the data folder, so
  requests signed before a restart still verify), and points TWILIO_API_URL / TELNYX_API_URL at the simulator.
- `GET /local/telephony`: every webhook's URL, and every key needed to sign a request as the provider would.
- The provider simulator: `POST /local/providers/twilio/2010-04-01/Accounts/<sid>/Calls.json` and
  `POST /local/providers/telnyx/v2/calls` take the request the CRM's click-to-call makes, answer as the provider
  does, then send the provider's signed webhooks to the CRM's routes over HTTP (initiated, ringing, answered,
  completed with a duration, the recording). `/calls` (and `/calls.json`) shows every simulated call and webhook.
- `GET /local/telephony/recording.wav`: a short tone, the simulated recordings' audio.
- `/phone.html` and `POST /local/phone/ring`: anyone "rings the CRM" from any number through Twilio, Telnyx or the
  PBX route, answered, missed, busy or hung up.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import json
import logging
import math
import os
import secrets
import struct
import threading
import time
import uuid
import wave
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import Request, urlopen

from local.template import Resolver

_log = logging.getLogger(__name__)

SECRET_LOGICAL_ID = "TelephonySecret"
KEPT_FILE = "telephony-local.json"
SECRET_KEYS = ("twilio_account_sid", "twilio_auth_token", "twilio_number", "telnyx_api_key", "telnyx_public_key",
               "telnyx_connection_id", "telnyx_number", "pbx_secret")
TWILIO_PREFIX = "/local/providers/twilio"
TELNYX_PREFIX = "/local/providers/telnyx"
INFO_PATH = "/local/telephony"
RECORDING_PATH = "/local/telephony/recording.wav"
RING_PATH = "/local/phone/ring"
WEBHOOK_PATHS = {"twilio_voice": "/telephony/twilio/voice", "twilio_status": "/telephony/twilio/status",
                 "twilio_recording": "/telephony/twilio/recording", "telnyx": "/telephony/telnyx",
                 "pbx": "/telephony/events"}
OUTCOMES = ("answered", "no-answer", "busy", "canceled")
STEP_SECONDS_ENV = "LOCAL_TELEPHONY_STEP_SECONDS"  # the pause between a simulated call's webhooks
DEFAULT_STEP_SECONDS = 0.4
TALK_SECONDS = 42
KEPT_CALLS = 200
TELNYX_REP_LEG_WAIT_SECONDS = 30.0
RETRY_DELAYS = (2.0, 4.0, 8.0)


@dataclass
class _Local:
    """The secret's values as the simulator signs with them, the Telnyx private key, and where the CRM listens."""

    values: dict[str, str]
    telnyx_private_key: str | None
    base_url: str

    @property
    def public_url(self) -> str:
        """The webhooks' public base as the handler rebuilds signed URLs from (TELEPHONY_PUBLIC_URL)."""
        return (os.environ.get("TELEPHONY_PUBLIC_URL") or self.base_url).rstrip("/")


@dataclass
class _Call:
    """One simulated call as /calls shows it: the request that started it and every webhook sent for it."""

    call_id: str
    provider: str
    kind: str
    caller: str
    called: str
    request: dict[str, Any]
    created_at: str = field(default_factory=lambda: _iso(datetime.now(UTC)))
    webhooks: list[dict[str, Any]] = field(default_factory=list)


_state: _Local | None = None
_calls: list[_Call] = []
_calls_lock = threading.Lock()
_telnyx_legs: dict[str, dict[str, Any]] = {}  # call_control_id -> its session, linked leg and "ended" event


# ---------------------------------------------------------------------------------------------------- the secret

def set_up_telephony(template: dict[str, Any], resolver: Resolver, client: Any, kept_in: Path | None,
                     base_url: str, environ: MutableMapping[str, str]) -> None:
    """Fills the empty fields of the template's TelephonySecret with local values (kept in `kept_in`) and points
    the functions' provider API URLs at the simulator. Without a TelephonySecret in the template, does nothing."""
    global _state
    if SECRET_LOGICAL_ID not in template.get("Resources", {}):
        return
    name = resolver.physical_name(SECRET_LOGICAL_ID)
    try:
        current = json.loads(client.get_secret_value(SecretId=name)["SecretString"])
    except ValueError:
        current = {}
    local = _local_values(kept_in)
    values = {key: str(current.get(key) or "") or local.get(key, "") for key in SECRET_KEYS}
    client.put_secret_value(SecretId=name, SecretString=json.dumps(values))
    private_key = local["telnyx_private_key"] if values["telnyx_public_key"] == local["telnyx_public_key"] else None
    _state = _Local(values, private_key, base_url.rstrip("/"))
    environ.setdefault("TWILIO_API_URL", f"{_state.base_url}{TWILIO_PREFIX}")
    environ.setdefault("TELNYX_API_URL", f"{_state.base_url}{TELNYX_PREFIX}")


def _local_values(kept_in: Path | None) -> dict[str, str]:
    """The local credentials: read from the data folder, else made now (and kept there, readable by its owner)."""
    kept = kept_in / KEPT_FILE if kept_in is not None else None
    if kept is not None and kept.exists():
        return dict(json.loads(kept.read_text(encoding="utf-8")))
    from nacl.signing import SigningKey

    key = SigningKey.generate()
    values = {"twilio_account_sid": "AC" + secrets.token_hex(16), "twilio_auth_token": secrets.token_hex(16),
              "twilio_number": "+15005550006", "telnyx_api_key": "KEYlocal" + secrets.token_hex(12),
              "telnyx_public_key": base64.b64encode(bytes(key.verify_key)).decode(),
              "telnyx_private_key": base64.b64encode(bytes(key)).decode(),
              "telnyx_connection_id": str(uuid.uuid4()), "telnyx_number": "+15005550010",
              "pbx_secret": secrets.token_urlsafe(32)}
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.touch(mode=0o600)
        kept.write_text(json.dumps(values), encoding="utf-8")
    return values


def telephony_info() -> dict[str, Any]:
    """GET /local/telephony: where each webhook is and what signs it, so anyone can act as the provider."""
    local = _require_state()
    return {
        "webhooks": {name: f"{local.public_url}{path}" for name, path in WEBHOOK_PATHS.items()},
        "post_to": {name: f"{local.base_url}{path}" for name, path in WEBHOOK_PATHS.items()},
        "twilio": {"account_sid": local.values["twilio_account_sid"], "auth_token": local.values["twilio_auth_token"],
                   "number": local.values["twilio_number"], "api_url": f"{local.base_url}{TWILIO_PREFIX}"},
        "telnyx": {"public_key": local.values["telnyx_public_key"], "private_key": local.telnyx_private_key,
                   "api_key": local.values["telnyx_api_key"], "connection_id": local.values["telnyx_connection_id"],
                   "number": local.values["telnyx_number"], "api_url": f"{local.base_url}{TELNYX_PREFIX}"},
        "pbx": {"secret": local.values["pbx_secret"], "header": "X-Crm-Signature: t=<unix seconds>,v1=<hex "
                                                                "HMAC-SHA256 of \"<t>.<raw body>\">"},
        "recording_url": f"{local.base_url}{RECORDING_PATH}",
        "pages": {"calls": f"{local.base_url}/calls", "phone": f"{local.base_url}/phone.html"},
    }


def _require_state() -> _Local:
    if _state is None:
        raise LookupError("the template has no TelephonySecret: telephony is not set up")
    return _state


# ----------------------------------------------------------------------------------------------- HTTP dispatch

Answer = tuple[int, bytes, str]


def serve_telephony(handler: BaseHTTPRequestHandler, path: str, body: bytes) -> bool:
    """Answers the runner's telephony pages and the provider simulator; False for any other path."""
    try:
        answer = _route(handler.command, path, handler.headers.get("Authorization"), body)
    except LookupError as error:
        answer = _json(HTTPStatus.NOT_FOUND, {"message": str(error)})
    if answer is None:
        return False
    status, payload, content_type = answer
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(payload)))
    handler.send_header("Cache-Control", "no-store")
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(payload)
    return True


def _route(method: str, path: str, authorization: str | None, body: bytes) -> Answer | None:
    if method in ("GET", "HEAD"):
        if path == INFO_PATH:
            return _json(HTTPStatus.OK, telephony_info())
        if path == RECORDING_PATH:
            return HTTPStatus.OK, recording_audio(), "audio/wav"
        if path in ("/calls", "/calls/"):
            return HTTPStatus.OK, render_calls_page(calls()).encode(), "text/html; charset=utf-8"
        if path == "/calls.json":
            return _json(HTTPStatus.OK, calls())
        if path == "/phone.html":
            return HTTPStatus.OK, PHONE_PAGE.encode(), "text/html; charset=utf-8"
    elif method == "POST":
        if path == RING_PATH:
            return _ring(body)
        if path.startswith(f"{TWILIO_PREFIX}/"):
            return _twilio_create_call(path.removeprefix(TWILIO_PREFIX), authorization, body)
        if path.startswith(f"{TELNYX_PREFIX}/"):
            return _telnyx_dial(path.removeprefix(TELNYX_PREFIX), authorization, body)
    return None


def _json(status: int, payload: Any) -> Answer:
    return status, json.dumps(payload, default=str).encode(), "application/json"


# ------------------------------------------------------------------------------------------ the recording audio

@cache
def recording_audio(seconds: float = 2.0, rate: int = 8000) -> bytes:
    """A short WAV (a 440 Hz tone fading in and out): small, and playable by every browser."""
    frames = int(seconds * rate)
    samples = (int(12000 * math.sin(2 * math.pi * 440 * n / rate) * min(1.0, n / 800, (frames - n) / 800))
               for n in range(frames))
    out = io.BytesIO()
    with wave.open(out, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(b"".join(struct.pack("<h", sample) for sample in samples))
    return out.getvalue()


# ----------------------------------------------------------------------------------------------- the simulated calls

def calls() -> list[dict[str, Any]]:
    """Every simulated call, newest first, with the webhooks it sent and what the CRM answered."""
    with _calls_lock:
        return [{"call_id": call.call_id, "provider": call.provider, "kind": call.kind, "from": call.caller,
                 "to": call.called, "created_at": call.created_at, "request": call.request,
                 "webhooks": list(call.webhooks)} for call in reversed(_calls)]


def _new_call(call: _Call) -> _Call:
    with _calls_lock:
        _calls.append(call)
        del _calls[:-KEPT_CALLS]
    return call


def _step() -> None:
    time.sleep(float(os.environ.get(STEP_SECONDS_ENV) or DEFAULT_STEP_SECONDS))


def _in_background(name: str, work: Callable[[], None]) -> None:
    def run() -> None:
        try:
            work()
        except Exception:
            _log.exception("simulated call %s failed", name)

    threading.Thread(target=run, name=f"telephony-{name}", daemon=True).start()


def _deliver(call: _Call, url: str, body: bytes, headers: dict[str, str], event: str) -> str:
    """POSTs one signed webhook to the local server (the path and query of `url`, the public URL it is signed for),
    records each attempt on the call, and returns the CRM's answer. A 5xx or no answer is sent again after
    RETRY_DELAYS, as Telnyx retries (Twilio only with connection overrides): a busy local stack still logs the call."""
    local = _require_state()
    parts = urlsplit(url)
    target = f"{local.base_url}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    answer = ""
    for attempt, delay in enumerate((0.0, *RETRY_DELAYS)):
        time.sleep(delay)
        record: dict[str, Any] = {"at": _iso(datetime.now(UTC)), "url": url, "status": None,
                                  "event": event if attempt == 0 else f"{event} (retry {attempt})"}
        try:
            with urlopen(Request(target, data=body, headers=headers, method="POST"), timeout=30) as response:
                answer = response.read().decode("utf-8", "replace")
                record["status"] = response.status
        except HTTPError as error:
            answer = error.read().decode("utf-8", "replace")
            record["status"] = error.code
        except (URLError, OSError) as error:
            answer = f"not delivered: {error}"
        record["answer"] = answer[:2000]
        with _calls_lock:
            call.webhooks.append(record)
        if record["status"] is not None and record["status"] < 500:
            break
    return answer


# ---------------------------------------------------------------------------------------------------- Twilio

def _twilio_signed(call: _Call, url: str, fields: dict[str, str], event: str) -> str:
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(_require_state().values["twilio_auth_token"]).compute_signature(url, fields)
    return _deliver(call, url, urlencode(fields).encode(), {
        "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature,
        "User-Agent": "TwilioProxy/1.1 (local simulator)"}, event)


def _twilio_create_call(path: str, authorization: str | None, body: bytes) -> Answer:
    """Twilio's Create a Call: the Twiml parameter runs when the called party (the rep) answers."""
    local = _require_state()
    sid, token = local.values["twilio_account_sid"], local.values["twilio_auth_token"]
    expected = "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()
    if path != f"/2010-04-01/Accounts/{sid}/Calls.json":
        return _json(HTTPStatus.NOT_FOUND, {"code": 20404, "message": "The requested resource was not found",
                                            "status": 404})
    if authorization != expected:
        return _json(HTTPStatus.UNAUTHORIZED, {"code": 20003, "message": "Authenticate", "status": 401})
    form = {name: values[-1] for name, values in parse_qs(body.decode("utf-8", "replace")).items()}
    missing = [name for name in ("To", "From", "Twiml") if not form.get(name)]
    if missing:
        return _json(HTTPStatus.BAD_REQUEST, {"code": 21205, "status": 400, "message":
                                              f"missing {', '.join(missing)} (the simulator runs Twiml only)"})
    call = _new_call(_Call("CA" + secrets.token_hex(16), "twilio", "click-to-call", form["From"], form["To"], form))
    _in_background(call.call_id, lambda: _twilio_run_twiml(call, form["Twiml"], "answered", TALK_SECONDS))
    return _json(HTTPStatus.CREATED, {"sid": call.call_id, "account_sid": sid, "to": form["To"],
                                      "from": form["From"], "status": "queued", "direction": "outbound-api",
                                      "api_version": "2010-04-01"})


def _twilio_ring_crm(call: _Call, outcome: str, talk_seconds: int) -> None:
    """A customer rings our Twilio number: the voice webhook, then whatever the CRM's TwiML says."""
    local = _require_state()
    fields = {"AccountSid": local.values["twilio_account_sid"], "ApiVersion": "2010-04-01", "CallSid": call.call_id,
              "CallStatus": "ringing", "Direction": "inbound", "From": call.caller, "To": call.called,
              "Caller": call.caller, "Called": call.called}
    twiml = _twilio_signed(call, f"{local.public_url}{WEBHOOK_PATHS['twilio_voice']}", fields, "voice (ringing)")
    _step()
    _twilio_run_twiml(call, twiml, outcome, talk_seconds)


def _twilio_run_twiml(call: _Call, twiml: str, outcome: str, talk_seconds: int) -> None:
    """What Twilio does with the TwiML: a <Dial> rings its <Number>/<Sip> (a child leg reporting its status to its
    statusCallback) and records from the answer; a <Record> takes a voicemail."""
    try:
        response = ElementTree.fromstring(twiml)
    except ElementTree.ParseError:
        _log.warning("the CRM's answer to the simulated call %s is not TwiML: %s", call.call_id, twiml[:200])
        return
    dial, record = response.find("Dial"), response.find("Record")
    if dial is not None:
        _twilio_dial(call, dial, outcome, talk_seconds)
    elif record is not None and outcome == "answered":
        _twilio_voicemail(call, record, talk_seconds)


def _twilio_dial(call: _Call, dial: ElementTree.Element, outcome: str, talk_seconds: int) -> None:
    local = _require_state()
    target = next((noun for noun in dial if noun.tag in ("Number", "Sip", "Client")), None)
    if target is None:
        return
    callback = target.get("statusCallback")
    wanted = set((target.get("statusCallbackEvent") or "completed").split())
    child = "CA" + secrets.token_hex(16)
    base = {"AccountSid": local.values["twilio_account_sid"], "ApiVersion": "2010-04-01", "CallSid": child,
            "ParentCallSid": call.call_id, "Direction": "outbound-dial", "From": dial.get("callerId") or call.caller,
            "To": (target.text or "").strip(), "CallbackSource": "call-progress-events"}
    statuses = {"answered": ["initiated", "ringing", "in-progress", "completed"],
                "no-answer": ["initiated", "ringing", "no-answer"], "busy": ["initiated", "busy"],
                "canceled": ["initiated", "ringing", "canceled"]}[outcome]
    for sequence, status in enumerate(statuses):
        event = {"in-progress": "answered"}.get(status, status)
        if callback and (event in wanted or (event not in ("initiated", "ringing", "answered")
                                             and "completed" in wanted)):
            fields = {**base, "CallStatus": status, "SequenceNumber": str(sequence),
                      "Timestamp": format_datetime(datetime.now(UTC), usegmt=True)}
            if status == "completed":
                fields["CallDuration"] = str(talk_seconds)
            _twilio_signed(call, callback, fields, f"status {status}")
        _step()
    if outcome == "answered" and dial.get("record", "do-not-record") != "do-not-record" \
            and dial.get("recordingStatusCallback"):
        _twilio_recording(call, dial.get("recordingStatusCallback") or "", talk_seconds, "DialVerb")


def _twilio_voicemail(call: _Call, record: ElementTree.Element, talk_seconds: int) -> None:
    local = _require_state()
    recording = {"RecordingSid": "RE" + secrets.token_hex(16), "RecordingUrl": f"{local.base_url}{RECORDING_PATH}",
                 "RecordingDuration": str(min(talk_seconds, int(record.get("maxLength") or 3600)))}
    if record.get("action"):
        _twilio_signed(call, record.get("action") or "", {
            "AccountSid": local.values["twilio_account_sid"], "CallSid": call.call_id, "CallStatus": "completed",
            "Direction": "inbound", "From": call.caller, "To": call.called, "Digits": "hangup", **recording},
            "voicemail (record action)")
        _step()
    if record.get("recordingStatusCallback"):
        _twilio_recording(call, record.get("recordingStatusCallback") or "", talk_seconds, "RecordVerb",
                          recording["RecordingSid"])


def _twilio_recording(call: _Call, url: str, seconds: int, source: str, recording_sid: str | None = None) -> None:
    local = _require_state()
    _twilio_signed(call, url, {
        "AccountSid": local.values["twilio_account_sid"], "CallSid": call.call_id,
        "RecordingSid": recording_sid or "RE" + secrets.token_hex(16),
        "RecordingUrl": f"{local.base_url}{RECORDING_PATH}", "RecordingStatus": "completed",
        "RecordingDuration": str(seconds), "RecordingChannels": "2", "RecordingSource": source,
        "RecordingStartTime": format_datetime(datetime.now(UTC) - timedelta(seconds=seconds), usegmt=True)},
        "recording completed")


# ----------------------------------------------------------------------------------------------------- Telnyx

def _telnyx_signed(call: _Call, url: str, event_type: str, payload: dict[str, Any]) -> str:
    from nacl.signing import SigningKey

    local = _require_state()
    if local.telnyx_private_key is None:
        raise LookupError("the secret's telnyx_public_key is not the local key pair's: the simulator cannot sign")
    body = json.dumps({"data": {"record_type": "event", "event_type": event_type, "id": str(uuid.uuid4()),
                                "occurred_at": _iso(datetime.now(UTC), micro=True), "payload": payload},
                       "meta": {"attempt": 1, "delivered_to": url}}).encode()
    timestamp = str(int(time.time()))
    key = SigningKey(base64.b64decode(local.telnyx_private_key))
    signature = base64.b64encode(key.sign(timestamp.encode() + b"|" + body).signature).decode()
    return _deliver(call, url, body, {"Content-Type": "application/json", "telnyx-signature-ed25519": signature,
                                      "telnyx-timestamp": timestamp, "User-Agent": "telnyx-webhooks (local)"},
                    event_type)


def _telnyx_dial(path: str, authorization: str | None, body: bytes) -> Answer:
    """Telnyx's Dial (POST /v2/calls): a new leg, in the linked leg's session when `link_to` names one."""
    local = _require_state()
    if path != "/v2/calls":
        return _json(HTTPStatus.NOT_FOUND, {"errors": [{"code": "10005", "title": "Resource not found"}]})
    if authorization != f"Bearer {local.values['telnyx_api_key']}":
        return _json(HTTPStatus.UNAUTHORIZED, {"errors": [{"code": "10009", "title": "Authentication failed"}]})
    try:
        command = json.loads(body)
    except ValueError:
        command = None
    missing = [name for name in ("connection_id", "to", "from") if not isinstance(command, dict)
               or not command.get(name)]
    if missing or not isinstance(command, dict):
        return _json(HTTPStatus.UNPROCESSABLE_ENTITY, {"errors": [{"code": "10015", "title": "Invalid parameter",
                                                                   "detail": f"missing {', '.join(missing)}"}]})
    linked = _telnyx_legs.get(str(command.get("link_to") or ""))
    control_id = f"v3:{secrets.token_urlsafe(16)}"
    session = linked["session"] if linked else str(uuid.uuid4())
    leg = {"session": session, "call_control_id": control_id, "call_leg_id": str(uuid.uuid4()), "ended":
           threading.Event(), "linked": linked, "command": command}
    _telnyx_legs[control_id] = leg
    call = linked["call"] if linked else _new_call(_Call(session, "telnyx", "click-to-call", command["from"],
                                                         command["to"], command))
    if linked:
        with _calls_lock:
            call.request = {"rep_leg": call.request, "customer_leg": command}
    leg["call"] = call
    _in_background(control_id, lambda: _telnyx_outgoing_leg(leg))
    return _json(HTTPStatus.OK, {"data": {"record_type": "call", "call_control_id": control_id,
                                          "call_leg_id": leg["call_leg_id"], "call_session_id": session,
                                          "is_alive": False}})


def _telnyx_outgoing_leg(leg: dict[str, Any]) -> None:
    """An outgoing leg rings and is answered; a leg linked to another (bridge_on_answer) talks, hangs up both and
    saves its recording; a first leg waits for its linked leg (the webhook handler dials it) to end."""
    local = _require_state()
    command, call = leg["command"], leg["call"]
    url = command.get("webhook_url") or f"{local.public_url}{WEBHOOK_PATHS['telnyx']}"
    payload = {"call_control_id": leg["call_control_id"], "call_leg_id": leg["call_leg_id"],
               "call_session_id": leg["session"], "connection_id": command["connection_id"],
               "direction": "outgoing", "from": command["from"], "to": command["to"], "state": "bridging",
               **({"client_state": command["client_state"]} if command.get("client_state") else {})}
    started = datetime.now(UTC)
    _telnyx_signed(call, url, "call.initiated", payload)
    _step()
    _telnyx_signed(call, url, "call.answered", {**payload, "state": "answered"})
    if leg["linked"] is None:
        leg["ended"].wait(TELNYX_REP_LEG_WAIT_SECONDS)
    else:
        _step()
    _telnyx_hangup_and_recording(call, url, payload, started, TALK_SECONDS,
                                 record=bool(command.get("record")) and leg["linked"] is not None)
    leg["ended"].set()
    if leg["linked"] is not None:
        leg["linked"]["ended"].set()


def _telnyx_hangup_and_recording(call: _Call, url: str, payload: dict[str, Any], started: datetime,
                                 talk_seconds: int, record: bool, cause: str = "normal_clearing") -> None:
    ended = started + timedelta(seconds=talk_seconds)
    _telnyx_signed(call, url, "call.hangup", {**payload, "state": "hangup", "hangup_cause": cause,
                                              "hangup_source": "callee", "start_time": _iso(started, micro=True),
                                              "end_time": _iso(ended, micro=True)})
    if record:
        _step()
        link = f"{_require_state().base_url}{RECORDING_PATH}"
        _telnyx_signed(call, url, "call.recording.saved", {
            **payload, "recording_id": str(uuid.uuid4()), "channels": "dual", "recording_urls": {"wav": link},
            "public_recording_urls": {}, "recording_started_at": _iso(started, micro=True),
            "recording_ended_at": _iso(ended, micro=True)})


def _telnyx_ring_crm(call: _Call, outcome: str, talk_seconds: int) -> None:
    """A customer rings our Telnyx number: Call Control's incoming-call events (the CRM answers no commands)."""
    local = _require_state()
    url = f"{local.public_url}{WEBHOOK_PATHS['telnyx']}"
    payload = {"call_control_id": f"v3:{secrets.token_urlsafe(16)}", "call_leg_id": str(uuid.uuid4()),
               "call_session_id": call.call_id, "connection_id": local.values["telnyx_connection_id"],
               "direction": "incoming", "from": call.caller, "to": call.called, "state": "parked"}
    started = datetime.now(UTC)
    _telnyx_signed(call, url, "call.initiated", payload)
    _step()
    if outcome == "answered":
        _telnyx_signed(call, url, "call.answered", {**payload, "state": "answered"})
        _step()
    causes = {"answered": "normal_clearing", "no-answer": "timeout", "busy": "user_busy",
              "canceled": "originator_cancel"}
    _telnyx_hangup_and_recording(call, url, payload, started, talk_seconds if outcome == "answered" else 0,
                                 record=outcome == "answered", cause=causes[outcome])


# -------------------------------------------------------------------------------------------------------- PBX

def _pbx_ring_crm(call: _Call, outcome: str, talk_seconds: int, rep: dict[str, str]) -> None:
    """A PBX bridge reporting an incoming call in our documented schema, signed with the shared secret."""
    from crm.telephony.providers.pbx import sign

    local = _require_state()
    url = f"{local.public_url}{WEBHOOK_PATHS['pbx']}"

    def send(event: str, **fields: Any) -> None:
        body = json.dumps({"call_id": call.call_id, "event": event, "direction": "inbound", "from": call.caller,
                           "to": call.called, "occurred_at": _iso(datetime.now(UTC)), **rep, **fields}).encode()
        _deliver(call, url, body, {"Content-Type": "application/json",
                                   "X-Crm-Signature": sign(local.values["pbx_secret"], body, int(time.time()))},
                 event)
        _step()

    send("ringing")
    if outcome == "answered":
        send("answered")
        send("ended", status="completed", duration=talk_seconds, hangup_cause="NORMAL_CLEARING")
        send("recording", recording_url=f"{local.base_url}{RECORDING_PATH}", recording_id=secrets.token_hex(8),
             duration=talk_seconds)
    else:
        send("ended", status=outcome, duration=0, hangup_cause=outcome.upper().replace("-", "_"))


# ----------------------------------------------------------------------------------------------- ring the CRM

def _ring(body: bytes) -> Answer:
    """POST /local/phone/ring {"from", "provider"?: twilio|telnyx|pbx, "outcome"?, "talk_seconds"?,
    "extension"?, "rep_email"?}: a customer calls the CRM's number; the webhooks follow in the background."""
    local = _require_state()
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        request = None
    if not isinstance(request, dict) or not str(request.get("from") or "").strip():
        return _json(HTTPStatus.BAD_REQUEST, {"message": 'body must be {"from": "<caller number>", "provider"?: '
                                                         '"twilio"|"telnyx"|"pbx", "outcome"?: ' + "|".join(OUTCOMES)
                                                         + ', "talk_seconds"?, "extension"?, "rep_email"?}'})
    provider, outcome = request.get("provider") or "twilio", request.get("outcome") or "answered"
    if provider not in ("twilio", "telnyx", "pbx") or outcome not in OUTCOMES:
        return _json(HTTPStatus.BAD_REQUEST, {"message": f"provider twilio|telnyx|pbx, outcome {'|'.join(OUTCOMES)}"})
    try:
        talk_seconds = max(1, min(3600, int(request.get("talk_seconds") or TALK_SECONDS)))
    except (TypeError, ValueError):
        return _json(HTTPStatus.BAD_REQUEST, {"message": "talk_seconds must be a whole number"})
    caller = str(request["from"]).strip()
    if provider == "twilio":
        call = _new_call(_Call("CA" + secrets.token_hex(16), "twilio", "inbound", caller,
                               local.values["twilio_number"], request))
        work = functools.partial(_twilio_ring_crm, call, outcome, talk_seconds)
    elif provider == "telnyx":
        call = _new_call(_Call(str(uuid.uuid4()), "telnyx", "inbound", caller, local.values["telnyx_number"],
                               request))
        work = functools.partial(_telnyx_ring_crm, call, outcome, talk_seconds)
    else:
        rep = {key: str(request[key]).strip() for key in ("extension", "rep_email") if str(request.get(key) or "")}
        call = _new_call(_Call(f"{time.time():.3f}", "pbx", "inbound", caller, local.values["twilio_number"],
                               request))
        work = functools.partial(_pbx_ring_crm, call, outcome, talk_seconds, rep)
    _in_background(call.call_id, work)
    return _json(HTTPStatus.ACCEPTED, {"call_id": call.call_id, "provider": provider,
                                       "calls": f"{local.base_url}/calls"})


# -------------------------------------------------------------------------------------------------------- pages

def _iso(moment: datetime, micro: bool = False) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds" if micro else "seconds").replace("+00:00", "Z")


def render_calls_page(entries: list[dict[str, Any]]) -> str:
    """Like the outbox: every simulated call, the request that made it, and each webhook with the CRM's answer."""
    escape = html.escape
    articles = []
    for entry in entries:
        hooks = "".join(
            f"<tr><td>{escape(hook['at'])}</td><td>{escape(hook['event'])}</td>"
            f"<td class={'ok' if (hook['status'] or 0) < 300 else 'bad'}>{escape(str(hook['status']))}</td>"
            f"<td><code>{escape(hook['url'])}</code><details><summary>answer</summary><pre>"
            f"{escape(hook.get('answer') or '')}</pre></details></td></tr>" for hook in entry["webhooks"])
        articles.append(
            f"<article><h2>{escape(entry['provider'])} · {escape(entry['kind'])}: {escape(entry['from'])} → "
            f"{escape(entry['to'])}</h2><p class=meta>{escape(entry['created_at'])} · call "
            f"<code>{escape(entry['call_id'])}</code></p><details><summary>request</summary><pre>"
            f"{escape(json.dumps(entry['request'], indent=2))}</pre></details>"
            f"<table><tr><th>sent</th><th>webhook</th><th>answer</th><th>URL</th></tr>{hooks}</table></article>")
    return ("<!doctype html><html lang=en><head><meta charset=utf-8><meta http-equiv=refresh content=5>"
            "<title>Local calls</title><style>body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;"
            "padding:0 1rem;color:#222}article{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem;"
            "margin:1rem 0}h2{font-size:1.1rem;margin:.3rem 0}.meta{color:#666;margin:0 0 .5rem}table{width:100%;"
            "border-collapse:collapse;font-size:.9rem}td,th{text-align:left;border-top:1px solid #eee;padding:.2rem;"
            "vertical-align:top}.ok{color:#070}.bad{color:#a00;font-weight:bold}pre{white-space:pre-wrap;"
            "background:#fafafa;padding:.5rem;max-height:16rem;overflow:auto}</style></head><body>"
            f"<h1>Calls ({len(entries)})</h1><p>Every call the local provider simulator placed or took, newest "
            "first, with the signed webhooks it sent the CRM and the CRM's answers; the page refreshes every 5 s. "
            "<a href=/calls.json>JSON</a> · <a href=/phone.html>ring the CRM</a> · "
            "<a href=/local/telephony>webhook URLs and keys</a>.</p>"
            + ("".join(articles) or "<p>No calls yet.</p>") + "</body></html>")


PHONE_PAGE = """<!doctype html><html lang=en><head><meta charset=utf-8><title>Ring the CRM</title><style>
body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#222}
label{display:block;margin:.6rem 0 .2rem;font-weight:600}input,select{font-size:1rem;padding:.3rem;width:100%}
button{margin-top:1rem;font-size:1.1rem;padding:.5rem 1.2rem}pre{background:#f3fff3;padding:.5rem;white-space:pre-wrap}
.hint{color:#666;font-size:.9rem}</style></head><body>
<h1>Ring the CRM</h1>
<p class=hint>A customer calls the CRM's number through the local provider simulator, which sends the provider's
signed webhooks. Open the board in another tab as a rep to see the popup; see <a href=/calls>/calls</a> for each
webhook and the CRM's answer.</p>
<form id=ring>
<label for=from>From (the caller's number, any format)</label><input id=from name=from required value="+14155552671">
<label for=provider>Through</label><select id=provider name=provider>
<option value=twilio>Twilio (the CRM routes the call to a rep)</option><option value=telnyx>Telnyx</option>
<option value=pbx>A PBX (our signed JSON)</option></select>
<label for=outcome>The rep</label><select id=outcome name=outcome><option value=answered>answers</option>
<option value=no-answer>does not answer (missed)</option><option value=busy>is busy</option>
<option value=canceled>the caller hangs up while it rings</option></select>
<label for=talk_seconds>Talk time (seconds)</label><input id=talk_seconds name=talk_seconds type=number min=1 value=42>
<label for=extension>Rep's extension (PBX only)</label><input id=extension name=extension placeholder="201">
<label for=rep_email>Rep's email (PBX only)</label><input id=rep_email name=rep_email type=email
 placeholder="rep@example.com">
<button type=submit>Ring</button></form><pre id=result hidden></pre>
<script>
document.getElementById('ring').addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = Object.fromEntries(new FormData(event.target).entries());
  const answer = await fetch('/local/phone/ring', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                                   body: JSON.stringify(body)});
  const result = document.getElementById('result');
  result.hidden = false;
  result.textContent = answer.status + ' ' + JSON.stringify(await answer.json(), null, 2);
});
</script></body></html>"""

