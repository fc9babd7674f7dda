"""Telnyx webhooks: signed with a PyNaCl Ed25519 key as Telnyx signs them, read into CallEvents."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from nacl.signing import SigningKey

from crm.telephony.events import BadEventError, SignatureError
from crm.telephony.providers.base import WebhookRequest
from crm.telephony.providers.telnyx import TelnyxProvider

KEY = SigningKey.generate()
PUBLIC_KEY = base64.b64encode(bytes(KEY.verify_key)).decode()
NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
URL = "https://crm.example.com/v1/telephony/telnyx"
CALLER, LINE, REP = "+14155552671", "+12025550143", "+12125551234"
SESSION = "428c31b6-7af4-4bcb-b7f5-5013ef9657c1"


def signed(document, at=NOW, key=KEY):
    """What Telnyx sends: the raw JSON, its Unix timestamp, and the Ed25519 signature of "<timestamp>|<body>"."""
    body = json.dumps(document).encode()
    timestamp = str(int(at.timestamp()))
    signature = base64.b64encode(key.sign(timestamp.encode() + b"|" + body).signature).decode()
    return WebhookRequest(url=URL, headers={"telnyx-signature-ed25519": signature, "telnyx-timestamp": timestamp},
                          body=body, now=NOW)


def webhook(event_type, direction="incoming", **payload):
    return {"data": {"record_type": "event", "event_type": event_type, "id": "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",
                     "occurred_at": "2026-12-07T13:59:58.123456Z",
                     "payload": {"call_control_id": "v3:abc", "call_leg_id": "leg-1", "call_session_id": SESSION,
                                 "connection_id": "1494404757140276705", "direction": direction,
                                 "from": CALLER if direction == "incoming" else LINE,
                                 "to": LINE if direction == "incoming" else CALLER, "state": "parked", **payload}},
            "meta": {"attempt": 1, "delivered_to": URL}}


@pytest.fixture
def telnyx():
    return TelnyxProvider(PUBLIC_KEY, "US")


# --- signatures -------------------------------------------------------------------------------------------------

def test_a_webhook_signed_with_the_accounts_key_passes(telnyx):
    # Given a call.initiated signed a second ago, when verified, then it passes
    telnyx.verify(signed(webhook("call.initiated"), at=NOW - timedelta(seconds=1)))


@pytest.mark.parametrize("age", [timedelta(minutes=5, seconds=1), -timedelta(minutes=5, seconds=1)])
def test_a_timestamp_outside_five_minutes_is_stale(telnyx, age):
    # Given a correctly signed webhook whose timestamp is over 5 minutes old (or ahead), then it is refused as stale
    with pytest.raises(SignatureError, match="stale"):
        telnyx.verify(signed(webhook("call.initiated"), at=NOW - age))


def test_a_timestamp_within_five_minutes_is_fresh(telnyx):
    telnyx.verify(signed(webhook("call.initiated"), at=NOW - timedelta(minutes=4, seconds=59)))


def test_another_key_or_a_changed_body_is_refused(telnyx):
    with pytest.raises(SignatureError, match="bad"):
        telnyx.verify(signed(webhook("call.initiated"), key=SigningKey.generate()))
    request = signed(webhook("call.initiated"))
    with pytest.raises(SignatureError, match="bad"):
        telnyx.verify(WebhookRequest(url=URL, headers=request.headers, body=request.body.replace(b"parked", b"parkex"),
                                     now=NOW))


def test_a_changed_timestamp_breaks_the_signature(telnyx):
    request = signed(webhook("call.initiated"))
    headers = {**request.headers, "telnyx-timestamp": str(int(NOW.timestamp()) - 1)}
    with pytest.raises(SignatureError, match="bad"):
        telnyx.verify(WebhookRequest(url=URL, headers=headers, body=request.body, now=NOW))


@pytest.mark.parametrize("dropped", ["telnyx-signature-ed25519", "telnyx-timestamp"])
def test_a_missing_header_is_told_apart(telnyx, dropped):
    request = signed(webhook("call.initiated"))
    headers = {name: value for name, value in request.headers.items() if name != dropped}
    with pytest.raises(SignatureError) as error:
        telnyx.verify(WebhookRequest(url=URL, headers=headers, body=request.body, now=NOW))
    assert error.value.missing


@pytest.mark.parametrize(("header", "value"), [("telnyx-timestamp", "yesterday"),
                                               ("telnyx-signature-ed25519", "not base64!")])
def test_a_malformed_header_is_a_bad_signature(telnyx, header, value):
    request = signed(webhook("call.initiated"))
    with pytest.raises(SignatureError, match="bad") as error:
        telnyx.verify(WebhookRequest(url=URL, headers={**request.headers, header: value}, body=request.body, now=NOW))
    assert not error.value.missing


def test_without_a_public_key_telnyx_is_not_configured():
    with pytest.raises(SignatureError, match="not configured"):
        TelnyxProvider("", "US").verify(signed(webhook("call.initiated")))


def test_a_public_key_that_is_not_ed25519_is_refused():
    with pytest.raises(SignatureError, match="not a base64 Ed25519 key"):
        TelnyxProvider(base64.b64encode(b"short").decode(), "US").verify(signed(webhook("call.initiated")))


# --- events -----------------------------------------------------------------------------------------------------

def test_an_incoming_call_initiated_is_an_inbound_call_ringing(telnyx):
    [event] = telnyx.parse(signed(webhook("call.initiated")))
    assert (event.provider, event.call_id, event.event, event.status, event.direction) == (
        "telnyx", SESSION, "ringing", "initiated", "inbound")
    assert (event.customer, event.line) == (CALLER, LINE)
    assert event.occurred_at == datetime(2026, 12, 7, 13, 59, 58, 123456, tzinfo=UTC)


def test_an_outgoing_call_answered_is_outbound_to_its_to_number(telnyx):
    [event] = telnyx.parse(signed(webhook("call.answered", direction="outgoing")))
    assert (event.event, event.status, event.direction, event.customer, event.line) == (
        "answered", "answered", "outbound", CALLER, LINE)


@pytest.mark.parametrize(("cause", "status"), [("normal_clearing", "completed"), ("user_busy", "busy"),
                                               ("timeout", "no-answer"), ("originator_cancel", "canceled"),
                                               ("unspecified", "failed")])
def test_a_hangup_ends_the_call_with_its_cause_and_duration(telnyx, cause, status):
    [event] = telnyx.parse(signed(webhook("call.hangup", hangup_cause=cause, start_time="2026-12-07T13:58:00Z",
                                          end_time="2026-12-07T13:59:35.400Z")))
    assert (event.event, event.status, event.hangup_cause, event.duration_seconds) == ("ended", status, cause, 95)


def test_a_saved_recording_is_a_recording_event(telnyx):
    urls = {"mp3": "https://s3.amazonaws.com/telephony-recorder-prod/rec.mp3?X-Amz-Expires=600",
            "wav": "https://s3.amazonaws.com/telephony-recorder-prod/rec.wav?X-Amz-Expires=600"}
    [event] = telnyx.parse(signed(webhook("call.recording.saved", recording_urls=urls, recording_id="rec-1",
                                          recording_started_at="2026-12-07T13:58:10Z",
                                          recording_ended_at="2026-12-07T13:59:30Z")))
    assert (event.event, event.recording_url, event.recording_id, event.duration_seconds) == (
        "recording", urls["mp3"], "rec-1", 80)
    assert event.key == f"telnyx:{SESSION}:recording:rec-1"


def test_the_click_to_call_hints_in_client_state_are_read(telnyx):
    # Given the customer's leg of a click-to-call, dialled from our line with the CRM's hints in client_state
    state = base64.b64encode(json.dumps({"direction": "outbound", "customer": CALLER, "rep": REP}).encode()).decode()
    [event] = telnyx.parse(signed(webhook("call.answered", direction="outgoing", client_state=state)))
    # Then the event names the customer and the rep
    assert (event.direction, event.customer, event.rep.kind, event.rep.value) == ("outbound", CALLER, "phone", REP)


def test_the_leg_ringing_the_reps_own_phone_is_not_logged(telnyx):
    state = base64.b64encode(json.dumps({"leg": "rep", "customer": CALLER}).encode()).decode()
    assert telnyx.parse(signed(webhook("call.answered", direction="outgoing", to=REP, client_state=state))) == []


def test_another_applications_client_state_is_ignored(telnyx):
    [event] = telnyx.parse(signed(webhook("call.initiated", client_state="aGVsbG8=")))
    assert event.customer == CALLER


def test_a_call_control_step_the_crm_does_not_log_is_no_event(telnyx):
    assert telnyx.parse(signed(webhook("call.bridged"))) == []


# --- bad input --------------------------------------------------------------------------------------------------

def test_an_unknown_event_is_refused(telnyx):
    with pytest.raises(BadEventError) as error:
        telnyx.parse(signed(webhook("message.received")))
    assert error.value.field == "data.event_type"


@pytest.mark.parametrize("caller", ["anonymous", "sip:bob@example.com", "123"])
def test_a_caller_that_is_not_a_phone_number_names_the_field(telnyx, caller):
    with pytest.raises(BadEventError) as error:
        telnyx.parse(signed(webhook("call.initiated", **{"from": caller})))
    assert error.value.field == "data.payload.from"


@pytest.mark.parametrize(("document", "field"), [
    ([1, 2], "data"), ({"data": "x"}, "data"), ({"data": {"payload": {}}}, "data.event_type"),
    ({"data": {"event_type": "call.hangup"}}, "data.payload"),
    (webhook("call.initiated", direction="sideways"), "data.payload.direction"),
    (webhook("call.initiated", call_session_id=""), "call_id"),
    (webhook("call.recording.saved"), "data.payload.recording_urls"),
    (webhook("call.hangup", start_time="noon", end_time="2026-12-07T13:59:35Z"), "data.payload.start_time"),
])
def test_a_malformed_webhook_names_the_field(telnyx, document, field):
    with pytest.raises(BadEventError) as error:
        telnyx.parse(signed(document))
    assert error.value.field == field


def test_a_body_that_is_not_json_is_refused(telnyx):
    with pytest.raises(BadEventError) as error:
        telnyx.parse(WebhookRequest(url=URL, headers={}, body=b"{not json", now=NOW))
    assert error.value.field == "body"
