"""The PBX route's documented scheme: X-Crm-Signature t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from crm.telephony.events import BadEventError, SignatureError
from crm.telephony.providers.base import WebhookRequest
from crm.telephony.providers.pbx import PbxProvider, sign

SECRET = "pbx-shared-secret-0123456789"
NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
URL = "https://crm.example.com/telephony/events"
CALLER, LINE = "+4930901820", "+493012345678"


def signed(document, at=NOW, secret=SECRET):
    """Signed the way the README tells a PBX admin to, with hmac rather than our own helper."""
    body = json.dumps(document).encode() if not isinstance(document, bytes) else document
    timestamp = int(at.timestamp())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return WebhookRequest(url=URL, headers={"x-crm-signature": f"t={timestamp},v1={digest}"}, body=body, now=NOW)


def event(kind="ringing", **fields):
    return {"call_id": "1733580000.42", "event": kind, "direction": "inbound", "from": "030 901820",
            "to": LINE, "extension": "201", "occurred_at": "2026-12-07T14:59:58+01:00", **fields}


@pytest.fixture
def pbx():
    return PbxProvider(SECRET, "DE")


# --- signatures -------------------------------------------------------------------------------------------------

def test_our_helper_signs_as_the_documented_scheme():
    body = b'{"call_id":"1"}'
    digest = hmac.new(SECRET.encode(), b"1733580000." + body, hashlib.sha256).hexdigest()
    assert sign(SECRET, body, 1733580000) == f"t=1733580000,v1={digest}"


def test_a_request_signed_with_the_shared_secret_passes(pbx):
    pbx.verify(signed(event()))


@pytest.mark.parametrize("age", [timedelta(minutes=5, seconds=1), -timedelta(minutes=5, seconds=1)])
def test_a_timestamp_outside_five_minutes_is_stale(pbx, age):
    # Given a correctly signed request replayed (or dated) more than 5 minutes away, then it is refused as stale
    with pytest.raises(SignatureError, match="stale"):
        pbx.verify(signed(event(), at=NOW - age))


def test_another_secret_or_a_changed_body_is_refused(pbx):
    with pytest.raises(SignatureError, match="bad"):
        pbx.verify(signed(event(), secret="guessed"))
    request = signed(event())
    with pytest.raises(SignatureError, match="bad"):
        pbx.verify(WebhookRequest(url=URL, headers=request.headers, body=request.body.replace(b"201", b"202"),
                                  now=NOW))


def test_one_matching_signature_of_several_passes_while_the_secret_is_rotated(pbx):
    request = signed(event())
    header = request.headers["x-crm-signature"].replace(",v1=", f",v1={'0' * 64},v1=")
    pbx.verify(WebhookRequest(url=URL, headers={"x-crm-signature": header}, body=request.body, now=NOW))


def test_a_missing_signature_is_told_apart(pbx):
    with pytest.raises(SignatureError) as error:
        pbx.verify(WebhookRequest(url=URL, headers={}, body=b"{}", now=NOW))
    assert error.value.missing


@pytest.mark.parametrize("header", ["v1=abc", "t=soon,v1=abc", "t=1733580000", "garbage", "t=1,t=2,v1=abc"])
def test_a_malformed_signature_header_is_bad(pbx, header):
    with pytest.raises(SignatureError, match="bad") as error:
        pbx.verify(WebhookRequest(url=URL, headers={"x-crm-signature": header}, body=b"{}", now=NOW))
    assert not error.value.missing


def test_without_a_secret_the_route_is_not_configured():
    with pytest.raises(SignatureError, match="not configured"):
        PbxProvider("", "DE").verify(signed(event()))


# --- events -----------------------------------------------------------------------------------------------------

def test_a_ringing_inbound_call_is_read_in_the_default_region(pbx):
    # Given the PBX writes the caller nationally, when parsed with the region DE, then the customer is E.164
    [call] = pbx.parse(signed(event()))
    assert (call.provider, call.call_id, call.event, call.status, call.direction) == (
        "pbx", "1733580000.42", "ringing", "ringing", "inbound")
    assert (call.customer, call.line, call.rep.kind, call.rep.value) == (CALLER, LINE, "extension", "201")
    assert call.occurred_at == datetime(2026, 12, 7, 13, 59, 58, tzinfo=UTC)


def test_an_answered_outbound_call_from_an_extension(pbx):
    [call] = pbx.parse(signed(event("answered", direction="outbound", **{"from": "201", "to": CALLER})))
    assert (call.event, call.status, call.direction, call.customer, call.line) == (
        "answered", "answered", "outbound", CALLER, None)


@pytest.mark.parametrize(("sent", "status"), [({}, "completed"), ({"status": "no-answer"}, "no-answer"),
                                              ({"status": "busy"}, "busy")])
def test_an_ended_call_carries_its_status_duration_and_cause(pbx, sent, status):
    [call] = pbx.parse(signed(event("ended", duration=63, hangup_cause="NORMAL_CLEARING", **sent)))
    assert (call.event, call.status, call.duration_seconds, call.hangup_cause) == ("ended", status, 63,
                                                                                   "NORMAL_CLEARING")


def test_a_recording_links_its_audio(pbx):
    [call] = pbx.parse(signed(event("recording", recording_url="https://pbx.example.com/rec/42.wav",
                                    recording_id="42")))
    assert (call.event, call.recording_url, call.recording_id) == ("recording", "https://pbx.example.com/rec/42.wav",
                                                                   "42")


def test_a_recording_without_an_id_is_keyed_by_its_link(pbx):
    [first] = pbx.parse(signed(event("recording", recording_url="https://pbx.example.com/rec/42.wav")))
    [again] = pbx.parse(signed(event("recording", recording_url="https://pbx.example.com/rec/42.wav")))
    assert first.key == again.key and first.recording_id


@pytest.mark.parametrize(("rep", "kind", "value"), [({"rep_email": "Anna@Example.com"}, "email", "anna@example.com"),
                                                    ({"sip_user": "anna"}, "sip", "anna"),
                                                    ({"rep_phone": "+12125551234"}, "phone", "+12125551234")])
def test_the_rep_may_be_named_by_email_sip_user_or_phone(pbx, rep, kind, value):
    [call] = pbx.parse(signed({**{k: v for k, v in event().items() if k != "extension"}, **rep}))
    assert (call.rep.kind, call.rep.value) == (kind, value)


def test_unknown_fields_are_ignored(pbx):
    [call] = pbx.parse(signed(event(queue="sales", uniqueid="x")))
    assert call.event == "ringing"


# --- bad input --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "field"), [
    ({"from": "anonymous"}, "from"), ({"from": "12"}, "from"), ({"event": "hold"}, "event"),
    ({"direction": "sideways"}, "direction"), ({"occurred_at": "2026-12-07T14:59:58"}, "occurred_at"),
    ({"call_id": ""}, "call_id"), ({"duration": -1}, "duration"), ({"extension": None, "rep_phone": "x"}, "rep_phone"),
])
def test_a_bad_field_is_named(pbx, fields, field):
    with pytest.raises(BadEventError) as error:
        pbx.parse(signed(event(**fields)))
    assert error.value.field == field


def test_an_outbound_call_to_something_not_a_number_names_to(pbx):
    with pytest.raises(BadEventError) as error:
        pbx.parse(signed(event(direction="outbound", **{"from": "201", "to": "voicemail"})))
    assert error.value.field == "to"


def test_a_recording_without_its_link_is_refused(pbx):
    with pytest.raises(BadEventError) as error:
        pbx.parse(signed(event("recording")))
    assert error.value.field == "recording_url"


@pytest.mark.parametrize(("body", "field"), [(b"not json", "body"), (b"[1]", "body"), (b"{}", "call_id")])
def test_a_malformed_body_is_refused(pbx, body, field):
    with pytest.raises(BadEventError) as error:
        pbx.parse(signed(body))
    assert error.value.field == field
