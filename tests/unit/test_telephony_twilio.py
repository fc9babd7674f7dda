"""Twilio webhooks: signed with twilio's own RequestValidator, read into CallEvents."""

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from crm.telephony.events import BadEventError, SignatureError
from crm.telephony.providers.base import WebhookRequest
from crm.telephony.providers.twilio import TwilioProvider

TOKEN = "0123456789abcdef0123456789abcdef"
NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
BASE = "https://abc123.execute-api.eu-central-1.amazonaws.com/v1/telephony/twilio"
CALLER, LINE, REP = "+14155552671", "+12025550143", "+12125551234"


def signed(url, fields, token=TOKEN):
    """What Twilio sends: the form body and X-Twilio-Signature over the URL and the fields."""
    signature = RequestValidator(token).compute_signature(url, fields)
    return WebhookRequest(url=url, headers={"x-twilio-signature": signature,
                                            "content-type": "application/x-www-form-urlencoded"},
                          body=urlencode(fields).encode(), now=NOW)


def call(status, **extra):
    return {"AccountSid": "AC" + "0" * 32, "CallSid": "CA" + "1" * 32, "CallStatus": status, "Direction": "inbound",
            "From": CALLER, "To": LINE, "ApiVersion": "2010-04-01", **extra}


@pytest.fixture
def twilio():
    return TwilioProvider(TOKEN, "US")


# --- signatures -------------------------------------------------------------------------------------------------

def test_a_request_signed_with_the_auth_token_passes(twilio):
    # Given the voice webhook as Twilio signs it, when verified, then it passes
    request = signed(f"{BASE}/voice", call("ringing"))
    twilio.verify(request)


def test_the_stage_path_and_a_query_string_are_part_of_what_is_signed(twilio):
    # Given a callback URL on API Gateway's stage path with the CRM's hints in its query
    url = f"{BASE}/status?direction=outbound&customer=%2B14155552671"
    twilio.verify(signed(url, call("completed")))
    # When the handler rebuilt the URL without the stage, then the signature does not match
    stripped = signed(url, call("completed"))
    with pytest.raises(SignatureError, match="bad"):
        twilio.verify(WebhookRequest(url=url.replace("/v1", ""), headers=stripped.headers, body=stripped.body,
                                     now=NOW))


def test_a_custom_domain_with_an_explicit_port_still_verifies(twilio):
    request = signed("https://crm.example.com/telephony/twilio/status", call("ringing"))
    twilio.verify(WebhookRequest(url="https://crm.example.com:443/telephony/twilio/status",
                                 headers=request.headers, body=request.body, now=NOW))


def test_a_missing_signature_is_told_apart_from_a_bad_one(twilio):
    request = signed(f"{BASE}/voice", call("ringing"))
    with pytest.raises(SignatureError) as missing:
        twilio.verify(WebhookRequest(url=request.url, headers={}, body=request.body, now=NOW))
    assert missing.value.missing


def test_a_changed_field_or_another_token_is_refused(twilio):
    request = signed(f"{BASE}/voice", call("ringing"))
    tampered = request.body.replace(b"%2B14155552671", b"%2B14155552672")
    with pytest.raises(SignatureError, match="bad") as bad:
        twilio.verify(WebhookRequest(url=request.url, headers=request.headers, body=tampered, now=NOW))
    assert not bad.value.missing
    with pytest.raises(SignatureError, match="bad"):
        twilio.verify(signed(f"{BASE}/voice", call("ringing"), token="f" * 32))


def test_without_an_auth_token_twilio_is_not_configured():
    with pytest.raises(SignatureError, match="not configured"):
        TwilioProvider("", "US").verify(signed(f"{BASE}/voice", call("ringing")))


def test_repeated_fields_are_signed_value_by_value(twilio):
    url = f"{BASE}/status"
    fields = [*call("ringing").items(), ("StatusCallbackEvent", "ringing"), ("StatusCallbackEvent", "answered")]
    validator = RequestValidator(TOKEN)

    class Multi(dict):
        def getall(self, name):
            return [value for key, value in fields if key == name]

    signature = validator.compute_signature(url, Multi.fromkeys(name for name, _ in fields))
    twilio.verify(WebhookRequest(url=url, headers={"x-twilio-signature": signature}, body=urlencode(fields).encode(),
                                 now=NOW))


@pytest.mark.parametrize(("signed_url", "called_url"), [
    ("https://calls.example.com:443/v1/telephony/twilio/voice", "https://calls.example.com/v1/telephony/twilio/voice"),
    ("https://calls.example.com/v1/telephony/twilio/voice", "https://calls.example.com:443/v1/telephony/twilio/voice"),
], ids=["signed-with-port", "signed-without-port"])
def test_the_default_port_may_be_written_or_not_as_twilios_own_validator_allows(twilio, signed_url, called_url):
    fields = call("ringing")
    signature = RequestValidator(TOKEN).compute_signature(signed_url, fields)
    assert RequestValidator(TOKEN).validate(called_url, fields, signature)
    twilio.verify(WebhookRequest(url=called_url, headers={"x-twilio-signature": signature},
                                 body=urlencode(fields).encode(), now=NOW))


def test_our_signature_is_twilios_for_any_fields():
    from crm.telephony.providers.twilio import twilio_signature

    fields = {"From": ["+36 30 111 2233"], "CallerName": ["Nagy Péter & Fiai"], "Empty": [""], "Z": ["b", "a", "b"]}
    url = f"{BASE}/status?customer=%2B36301112233&direction=inbound"

    class Multi(dict):
        def getall(self, name):
            return fields[name]

    assert twilio_signature(TOKEN, url, fields) == RequestValidator(TOKEN).compute_signature(url, Multi(fields))


# --- events -----------------------------------------------------------------------------------------------------

def test_the_voice_webhook_is_an_inbound_call_ringing(twilio):
    [event] = twilio.parse(signed(f"{BASE}/voice", call("ringing")))
    assert (event.provider, event.call_id, event.event, event.direction) == ("twilio", "CA" + "1" * 32, "ringing",
                                                                              "inbound")
    assert (event.customer, event.line, event.rep, event.status) == (CALLER, LINE, None, "ringing")
    assert event.occurred_at == NOW
    assert event.key == f"twilio:CA{'1' * 32}:ringing"


@pytest.mark.parametrize(("status", "stage", "normalized"), [
    ("queued", "ringing", "initiated"), ("initiated", "ringing", "initiated"), ("ringing", "ringing", "ringing"),
    ("in-progress", "answered", "answered"), ("answered", "answered", "answered"),
    ("completed", "ended", "completed"), ("busy", "ended", "busy"), ("no-answer", "ended", "no-answer"),
    ("failed", "ended", "failed"), ("canceled", "ended", "canceled"),
])
def test_each_status_callback_is_read_into_its_stage(twilio, status, stage, normalized):
    [event] = twilio.parse(signed(f"{BASE}/status", call(status, Timestamp="Mon, 07 Dec 2026 13:59:30 +0000")))
    assert (event.event, event.status) == (stage, normalized)
    assert event.occurred_at == datetime(2026, 12, 7, 13, 59, 30, tzinfo=UTC)


def test_a_completed_call_carries_its_duration(twilio):
    [event] = twilio.parse(signed(f"{BASE}/status", call("completed", CallDuration="42")))
    assert event.duration_seconds == 42


def test_a_dial_leg_ringing_a_rep_belongs_to_the_parent_call(twilio):
    # Given the status callback of the <Dial> leg that rang the rep for a caller
    leg = call("in-progress", CallSid="CA" + "2" * 32, ParentCallSid="CA" + "1" * 32, Direction="outbound-dial",
               To=REP)
    [event] = twilio.parse(signed(f"{BASE}/status", leg))
    # Then it is the caller's call (its ParentCallSid), answered by that rep
    assert (event.call_id, event.direction, event.customer, event.event) == ("CA" + "1" * 32, "inbound", CALLER,
                                                                             "answered")
    assert (event.rep.kind, event.rep.value, event.line) == ("phone", REP, None)


def test_the_urls_hints_name_the_customer_of_a_click_to_call_leg(twilio):
    url = f"{BASE}/status?" + urlencode({"direction": "outbound", "customer": CALLER, "rep": REP, "line": LINE})
    leg = call("ringing", CallSid="CA" + "2" * 32, ParentCallSid="CA" + "3" * 32, Direction="outbound-dial",
               From=LINE, To=CALLER)
    [event] = twilio.parse(signed(url, leg))
    assert (event.call_id, event.direction, event.customer, event.line, event.rep.value) == (
        "CA" + "3" * 32, "outbound", CALLER, LINE, REP)


def test_an_outbound_api_call_is_outbound_to_its_to_number(twilio):
    [event] = twilio.parse(signed(f"{BASE}/status", call("initiated", Direction="outbound-api", From=LINE,
                                                         To=CALLER)))
    assert (event.direction, event.customer, event.line) == ("outbound", CALLER, LINE)


def test_a_sip_rep_is_named_by_its_sip_user(twilio):
    leg = call("ringing", ParentCallSid="CA" + "9" * 32, To="sip:anna@crm.sip.twilio.com;transport=tls")
    [event] = twilio.parse(signed(f"{BASE}/status", leg))
    assert (event.rep.kind, event.rep.value) == ("sip", "anna@crm.sip.twilio.com")


def test_a_recording_callback_is_a_recording_event(twilio):
    # Given the recording callback of a call whose URL names the customer
    url = f"{BASE}/recording?" + urlencode({"direction": "inbound", "customer": CALLER})
    fields = {"AccountSid": "AC" + "0" * 32, "CallSid": "CA" + "1" * 32, "RecordingSid": "RE" + "4" * 32,
              "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE4",
              "RecordingStatus": "completed", "RecordingDuration": "17", "RecordingChannels": "1"}
    [event] = twilio.parse(signed(url, fields))
    assert (event.event, event.recording_id, event.recording_url, event.duration_seconds) == (
        "recording", "RE" + "4" * 32, fields["RecordingUrl"], 17)
    assert event.key == f"twilio:CA{'1' * 32}:recording:RE{'4' * 32}"


def test_a_recording_without_audio_is_nothing_to_log(twilio):
    fields = {"CallSid": "CA1", "RecordingSid": "RE1", "RecordingUrl": "", "RecordingStatus": "absent"}
    assert twilio.parse(signed(f"{BASE}/recording?customer=%2B14155552671", fields)) == []


def test_a_recording_callback_without_the_customer_hint_names_the_field(twilio):
    fields = {"CallSid": "CA1", "RecordingSid": "RE1", "RecordingUrl": "https://x/RE1", "RecordingStatus": "completed"}
    with pytest.raises(BadEventError) as error:
        twilio.parse(signed(f"{BASE}/recording", fields))
    assert error.value.field == "customer"


# --- bad input --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("caller", ["anonymous", "client:anna", "+1", "not a number"])
def test_a_caller_that_is_not_a_phone_number_names_the_field(twilio, caller):
    with pytest.raises(BadEventError) as error:
        twilio.parse(signed(f"{BASE}/voice", call("ringing", From=caller)))
    assert error.value.field == "From"


def test_an_unknown_status_is_refused(twilio):
    with pytest.raises(BadEventError) as error:
        twilio.parse(signed(f"{BASE}/status", call("teleported")))
    assert error.value.field == "CallStatus"


@pytest.mark.parametrize("body", [b"", b"hello=world", b"\xff\xfe"])
def test_a_body_that_is_no_call_webhook_is_refused(twilio, body):
    with pytest.raises(BadEventError):
        twilio.parse(WebhookRequest(url=f"{BASE}/status", headers={}, body=body, now=NOW))


@pytest.mark.parametrize(("extra", "field"), [({"CallDuration": "soon"}, "CallDuration"),
                                              ({"Timestamp": "yesterday"}, "Timestamp"),
                                              ({"CallSid": ""}, "call_id")])
def test_a_malformed_field_is_named(twilio, extra, field):
    with pytest.raises(BadEventError) as error:
        twilio.parse(signed(f"{BASE}/status", call("completed", **extra)))
    assert error.value.field == field


def test_a_bad_direction_hint_is_named(twilio):
    with pytest.raises(BadEventError) as error:
        twilio.parse(signed(f"{BASE}/status?direction=sideways", call("ringing")))
    assert error.value.field == "direction"
