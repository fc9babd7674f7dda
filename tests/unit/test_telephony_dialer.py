"""Click-to-call: what the dialer asks Twilio's and Telnyx's REST APIs, against a loopback stand-in for both."""

import base64
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from crm.telephony.providers.base import WebhookRequest
from crm.telephony.providers.dialer import DialError, continue_call, place_call
from crm.telephony.providers.twiml import ring_rep, voicemail, with_hints
from crm.telephony.secrets import TelephonySecret

SECRET = TelephonySecret(twilio_account_sid="AC" + "a" * 32, twilio_auth_token="token", twilio_number="+12025550143",
                         telnyx_api_key="KEY123", telnyx_connection_id="conn-1", telnyx_number="+12025550143")
REP, CUSTOMER = "+12125551234", "+14155552671"
PUBLIC = "https://crm.example.com/v1"


class FakeApi:
    """Records each request and answers the next canned (status, JSON) reply."""

    def __init__(self):
        self.requests, self.replies = [], []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                api.requests.append((self.path, dict(self.headers), body))
                status, answer = api.replies.pop(0)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()


@pytest.fixture
def api(monkeypatch):
    fake = FakeApi()
    monkeypatch.setenv("TWILIO_API_URL", fake.url)
    monkeypatch.setenv("TELNYX_API_URL", fake.url)
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_twilio_rings_the_rep_with_twiml_that_dials_the_customer(api):
    # Given Twilio will create the call
    api.replies.append((201, {"sid": "CA" + "1" * 32, "status": "queued"}))
    # When a rep clicks Call
    call_id = place_call("twilio", REP, CUSTOMER, public_url=PUBLIC, secret=SECRET)
    # Then the rep's phone is rung from our line, with TwiML dialing the customer and reporting back with hints
    assert call_id == "CA" + "1" * 32
    path, headers, body = api.requests[0]
    assert path == f"/2010-04-01/Accounts/{SECRET.twilio_account_sid}/Calls.json"
    credentials = base64.b64encode(f"{SECRET.twilio_account_sid}:token".encode()).decode()
    assert headers["Authorization"] == f"Basic {credentials}"
    form = {name: values[-1] for name, values in parse_qs(body.decode()).items()}
    assert (form["To"], form["From"]) == (REP, "+12025550143")
    assert "StatusCallback" not in form  # the rep's own leg is not the customer's call
    assert (f'<Number statusCallback="{PUBLIC}/telephony/twilio/status?customer=%2B14155552671&amp;direction=outbound'
            f'&amp;line=%2B12025550143&amp;rep=%2B12125551234"') in form["Twiml"]
    assert f">{CUSTOMER}</Number></Dial>" in form["Twiml"]
    assert f"recordingStatusCallback=\"{PUBLIC}/telephony/twilio/recording?" in form["Twiml"]


def test_telnyx_dials_the_rep_leg_then_the_customer_once_the_rep_answers(api):
    # Given Telnyx answers the rep leg's dial
    api.replies.append((200, {"data": {"call_control_id": "v3:rep", "call_session_id": "session-1"}}))
    call_id = place_call("telnyx", REP, CUSTOMER, public_url=PUBLIC, secret=SECRET)
    assert call_id == "session-1"
    _, headers, body = api.requests[0]
    command = json.loads(body)
    assert headers["Authorization"] == "Bearer KEY123"
    assert (command["to"], command["from"], command["connection_id"]) == (REP, "+12025550143", "conn-1")
    assert command["webhook_url"] == f"{PUBLIC}/telephony/telnyx"
    state = command["client_state"]
    assert json.loads(base64.b64decode(state))["leg"] == "rep"
    # When the rep leg's call.answered arrives
    api.replies.append((200, {"data": {"call_control_id": "v3:customer", "call_session_id": "session-1"}}))
    answered = {"data": {"event_type": "call.answered", "payload": {"call_control_id": "v3:rep",
                                                                    "client_state": state}}}
    request = WebhookRequest(url=f"{PUBLIC}/telephony/telnyx", headers={}, body=json.dumps(answered).encode(),
                             now=datetime.now(UTC))
    assert continue_call("telnyx", request, public_url=PUBLIC, secret=SECRET)
    # Then the customer is dialled, linked to the rep's leg and bridged on answer
    second = json.loads(api.requests[1][2])
    assert (second["to"], second["link_to"], second["bridge_on_answer"]) == (CUSTOMER, "v3:rep", True)
    assert json.loads(base64.b64decode(second["client_state"])) == {
        "direction": "outbound", "customer": CUSTOMER, "line": "+12025550143", "rep": REP}


def test_other_webhooks_do_not_continue_a_call(api):
    request = WebhookRequest(url="x", headers={}, body=b'{"data": {"event_type": "call.hangup"}}',
                             now=datetime.now(UTC))
    assert not continue_call("telnyx", request, public_url=PUBLIC, secret=SECRET)
    assert not continue_call("twilio", request, public_url=PUBLIC, secret=SECRET)
    assert api.requests == []


def test_a_refusal_is_a_dial_error_not_worth_retrying(api):
    api.replies.append((400, {"code": 21211, "message": "Invalid 'To' Phone Number"}))
    with pytest.raises(DialError, match="400") as error:
        place_call("twilio", REP, CUSTOMER, public_url=PUBLIC, secret=SECRET)
    assert not error.value.retryable


def test_an_unreachable_provider_is_worth_retrying(monkeypatch):
    monkeypatch.setenv("TWILIO_API_URL", "http://127.0.0.1:9")
    with pytest.raises(DialError, match="unreachable") as error:
        place_call("twilio", REP, CUSTOMER, public_url=PUBLIC, secret=SECRET, timeout=2)
    assert error.value.retryable


@pytest.mark.parametrize("provider", ["twilio", "telnyx"])
def test_without_credentials_the_provider_is_not_configured(provider):
    with pytest.raises(DialError, match="not configured"):
        place_call(provider, REP, CUSTOMER, public_url=PUBLIC, secret=TelephonySecret())


def test_the_pbx_cannot_place_calls():
    with pytest.raises(DialError, match="cannot place calls"):
        place_call("pbx", REP, CUSTOMER, public_url=PUBLIC, secret=SECRET)


def test_ring_rep_dials_a_sip_rep_with_sip():
    document = ring_rep("sip:anna@crm.example.com", CUSTOMER, "https://x/status", "https://x/recording")
    assert "<Sip statusCallback=" in document and ">sip:anna@crm.example.com</Sip>" in document


def test_ring_rep_adds_the_inbound_calls_hints_to_its_callbacks():
    document = ring_rep(REP, CUSTOMER, "https://x/status", "https://x/recording")
    assert 'statusCallback="https://x/status?customer=%2B14155552671&amp;direction=inbound&amp;rep=%2B12125551234"' \
        in document
    assert f'callerId="{CUSTOMER}"' in document and f">{REP}</Number>" in document


def test_voicemail_speaks_the_callers_language_and_records_with_the_callers_hint():
    document = voicemail("https://x/status", "https://x/recording", language="de", customer=CUSTOMER)
    assert '<Say language="de-DE">Leider' in document
    assert 'recordingStatusCallback="https://x/recording?customer=%2B14155552671&amp;direction=inbound"' in document
    assert 'action="https://x/status?customer=%2B14155552671&amp;direction=inbound"' in document
    assert '<Say language="en-US">' in voicemail("https://x/status", "https://x/recording", language="fa")


def test_hints_are_written_in_the_order_the_webhook_handler_rebuilds_the_signed_url():
    # Given a callback URL with a query of its own, when the hints are added
    url = with_hints("https://x/status?zeta=1&a=2", "outbound", CUSTOMER, line="+12025550143", rep=REP)
    # Then the query is every pair sorted and urlencoded, as API Gateway's parsed parameters are rebuilt
    query = parse_qs(urlsplit(url).query)
    rebuilt = urlencode(sorted((key, value) for key, values in query.items() for value in values))
    assert urlsplit(url).query == rebuilt
    assert query == {"a": ["2"], "zeta": ["1"], "direction": ["outbound"], "customer": [CUSTOMER],
                     "line": ["+12025550143"], "rep": [REP]}
